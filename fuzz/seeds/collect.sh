#!/usr/bin/env bash
# Rebuilds the committed seed corpora from the crate's test data: real tokens (facilioo's
# example, RFC 7515 A.2, RFC 7520 4.1, Wycheproof RS256 cases), their decoded claims, and key
# files in every supported form. verify_structured's seeds are the `cargo fuzz cmin`-minimised
# corpus of the first long campaign (its input is `arbitrary` bytes, not a token), so this
# script leaves them.
set -euo pipefail
cd "$(dirname "$0")"
data=../../tests/data
rm -rf verify inspect claims keys
mkdir -p verify inspect claims keys

python3 - "$data" <<'PY'
import base64, json, sys, pathlib
data = pathlib.Path(sys.argv[1])
tokens = {"example": (data / "example-token.txt").read_text().strip()}
for name in ["rfc7515_a2_rs256", "rfc7520_4_1_rs256"]:
    tokens[name] = json.loads((data / "rfc" / f"{name}.json").read_text())["compact"]
jws = json.loads((data / "wycheproof" / "json_web_signature_test.json").read_text())
for group in jws["testGroups"]:
    for t in group["tests"]:
        if t["tcId"] in (1, 16, 31, 32, 33, 34, 35, 259, 264, 272, 341, 342, 345, 357) and isinstance(t["jws"], str):
            tokens[f"wycheproof-{t['tcId']}"] = t["jws"]
def b64d(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
for name, token in tokens.items():
    for target in ("verify", "inspect"):
        pathlib.Path(target, name).write_text(token)
    try:
        pathlib.Path("claims", name).write_bytes(b64d(token.split(".")[1]))
    except Exception:
        pass
for i, claims in enumerate([
    '{"nbf":1767225590,"exp":1767229200,"iss":"iss.test","aud":"aud.test","sub":{"accountId":2,"companyId":2},"partyType":5}',
    '{"exp":1767229200,"iss":"other.test","aud":["x","app.test"],"sub":{"accountId":18446744073709551615,"companyId":null},"partyType":"Contractor"}',
    '{"exp":"1767229200","iss":"iss.test","aud":[],"sub":"2"}',
]):
    pathlib.Path("claims", f"crafted-{i}").write_text(claims)
for p in sorted((data / "keys").glob("*")):
    if p.suffix in (".pem", ".der") and ".pk8." not in p.name:
        pathlib.Path("keys", p.name).write_bytes(p.read_bytes())
pathlib.Path("keys", "retired-key-2022.pem").write_bytes((data / "retired-key-2022.pem").read_bytes())
for name in ["rfc7515_a2_rs256", "rfc7520_4_1_rs256"]:
    jwk = json.loads((data / "rfc" / f"{name}.json").read_text())["jwk"]
    pathlib.Path("keys", f"{name}.jwk").write_text(json.dumps(jwk))
    pathlib.Path("keys", f"{name}.jwks").write_text(json.dumps({"keys": [jwk, jwk]}))
PY
cp ../../keys/*.pem keys/
