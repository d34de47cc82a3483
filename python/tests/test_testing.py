"""facilioo_jwt.testing: test tokens for a protected service, and what accepts them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from facilioo_jwt import FaciliooJwtError, PartyType, TestKeyRefused, Verifier
from facilioo_jwt._errors import ERRORS
from facilioo_jwt.testing import REFUSALS, TEST_KEYS, TestIssuer, test_key_pem, trusted_keys_pem


def test_a_default_token(issuer):
    token = issuer.verifier().verify(issuer.token())
    assert (token.account_id, token.company_id, token.party_type) == (1, 1, None)
    assert (token.issuer, token.audience) == ("dev-api.facilioo.de", "dev-app.facilioo.de")
    assert token.is_test_key
    assert timedelta(minutes=59) < token.expires_at - datetime.now(timezone.utc) <= timedelta(hours=1)


def test_every_claim_option(issuer):
    now = 1_767_225_600
    token = issuer.token(
        account=42,
        no_company=True,
        party_type="Insurer",
        audience=["other", issuer.audience],
        now=now,
        expires_in=timedelta(minutes=5),
        claims={"scope": ["read"], "nested": {"a": 1}},
        header={"kid": "whatever", "typ": None},
        key="3",
    )
    verified = issuer.verifier().verify(token, now=now + 299 + 60)
    assert (verified.account_id, verified.company_id) == (42, None)
    assert verified.party_type is PartyType.INSURER
    assert verified.key_index == 2
    assert verified.claims["scope"] == ["read"] and verified.claims["nested"] == {"a": 1}
    assert verified.claims["aud"] == ["other", issuer.audience]
    assert verified.claims["exp"] - verified.claims["nbf"] == 300


def test_times_as_datetimes(issuer):
    nbf = datetime(2030, 1, 1, tzinfo=timezone.utc)
    token = issuer.token(not_before=nbf, expires_at=nbf + timedelta(hours=2))
    verified = issuer.verifier().verify(token, now=nbf)
    assert (verified.not_before, verified.expires_at) == (nbf, nbf + timedelta(hours=2))


@pytest.mark.parametrize("refusal", sorted(REFUSALS))
def test_every_refusal_is_refused_with_its_code(issuer, refusal):
    with pytest.raises(ERRORS[REFUSALS[refusal]]):
        issuer.verifier().verify(issuer.token(refusal=refusal))


def test_the_keys(issuer):
    for key in TEST_KEYS[:3]:
        assert issuer.verifier().verify(issuer.token(key=key)).is_test_key
    with pytest.raises(FaciliooJwtError) as refused:
        issuer.verifier().verify(issuer.token(key="untrusted"))
    assert refused.value.code == "invalid_signature"
    assert trusted_keys_pem() == issuer.trusted_keys_pem
    assert trusted_keys_pem().count("BEGIN RSA PUBLIC KEY") == 3
    assert test_key_pem("untrusted") not in trusted_keys_pem()
    with pytest.raises(ValueError):
        issuer.token(key="4")
    with pytest.raises(ValueError, match="refusal: expected one of"):
        issuer.token(refusal="nope")
    # Never trusted by facilioo's key set, and refused outright on request.
    with pytest.raises(FaciliooJwtError):
        Verifier(issuers=issuer.issuer, audiences=issuer.audience).verify(issuer.token())
    with pytest.raises(TestKeyRefused):
        issuer.verifier(refuse_test_keys=True).verify(issuer.token())


def test_an_issuer_for_a_service_verifier():
    service = Verifier(
        issuers=["api.example.org"],
        audiences="app.example.org",
        party_types=[PartyType.PROPERTY_MANAGEMENT_COMPANY],
        refuse_test_keys=True,
        leeway=5,
        realm="example",
    )
    issuer = TestIssuer(service)
    assert (issuer.issuer, issuer.audience) == ("api.example.org", "app.example.org")
    test_verifier = issuer.verifier()
    assert (test_verifier.leeway, test_verifier.realm) == (5, "example")
    verified = test_verifier.verify(issuer.token(account=9))
    assert verified.party_type is PartyType.PROPERTY_MANAGEMENT_COMPANY
    assert issuer.live_verifier().verify(issuer.authorization()[7:]).account_id == 1
    with pytest.raises(FaciliooJwtError):  # the service itself trusts no test key
        service.verify(issuer.token())


@pytest.mark.parametrize("options, error, message", [
    ({"expires_at": datetime(2030, 1, 1)}, ValueError, "^expires_at: a naive datetime"),
    ({"not_before": "soon"}, TypeError, "^not_before: "),
    ({"party_type": "Nope"}, ValueError, "^party_type: "),
    ({"account": -1}, ValueError, "^account: "),
    ({"company": "7"}, TypeError, "^company: "),
    ({"claims": {"x": float("nan")}}, ValueError, "^claims: "),
    ({"expires_in": 0.5}, ValueError, "^expires_in: "),
    ({"company": 5, "no_company": True}, ValueError, "^company and no_company: give one"),
    ({"party_type": 2, "no_party_type": True}, ValueError, "^party_type and no_party_type: "),
    ({"expires_at": 2_000_000_000, "expires_in": 60}, ValueError, "^expires_at and expires_in: "),
    ({"refusal": "expired", "expires_in": 60}, ValueError, "^refusal='expired' sets the token's times"),
    ({"key": 1}, TypeError, "^key: "),
])
def test_bad_token_options_name_themselves(issuer, options, error, message):
    with pytest.raises(error, match=message):
        issuer.token(**options)


def test_an_issuer_takes_only_a_verifier():
    with pytest.raises(TypeError, match="^verifier: "):
        TestIssuer("dev-api.facilioo.de")  # type: ignore[arg-type]


def test_the_command_line(tmp_path):
    import subprocess
    import sys

    def run(*args: str) -> str:
        return subprocess.run([sys.executable, "-m", "facilioo_jwt.testing", *args],
                              capture_output=True, text=True, check=True).stdout

    keys = tmp_path / "test-keys.pem"
    keys.write_text(run("keys"))
    bearer = run("token", "--account", "42", "--party-type", "PropertyManagementCompany", "--key", "3",
                 "--bearer").strip()
    verifier = Verifier(keys, issuers="dev-api.facilioo.de", audiences="dev-app.facilioo.de")
    verified = verifier.verify_authorization(bearer)
    assert (verified.account_id, verified.party_type, verified.key_index) == (42, PartyType.PROPERTY_MANAGEMENT_COMPANY, 2)
    with pytest.raises(FaciliooJwtError) as refused:
        verifier.verify(run("token", "--refusal", "expired").strip())
    assert refused.value.code == "expired"
    wrong = subprocess.run([sys.executable, "-m", "facilioo_jwt.testing", "token", "--party-type", "Nope"],
                           capture_output=True, text=True)
    assert wrong.returncode == 2 and "party_type: not a party type name" in wrong.stderr
    contractor = run("token", "--party-type", "CONTRACTOR").strip()
    assert TestIssuer().verifier().verify(contractor).party_type is PartyType.CONTRACTOR


def test_the_key_thumbprint_is_rfc_7638(issuer):
    """The thumbprint of the key that verified, against one computed here from the test key's
    PKCS#1 PEM: SHA-256 of {"e","kty","n"} (RFC 7638 §3)."""
    import base64
    import hashlib
    import json

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    def integers(der: bytes) -> list[bytes]:
        """The INTEGERs of RSAPublicKey ::= SEQUENCE { n INTEGER, e INTEGER }."""
        def length(at: int) -> tuple[int, int]:
            first = der[at]
            if first < 0x80:
                return first, at + 1
            n = first & 0x7F
            return int.from_bytes(der[at + 1:at + 1 + n], "big"), at + 1 + n

        assert der[0] == 0x30
        _, at = length(1)
        found = []
        while at < len(der):
            assert der[at] == 0x02
            size, at = length(at + 1)
            found.append(der[at:at + size].lstrip(b"\0"))
            at += size
        return found

    for key in ("1", "3"):
        pem = test_key_pem(key)
        der = base64.b64decode("".join(line for line in pem.splitlines() if not line.startswith("-----")))
        n, e = integers(der)
        jwk = json.dumps({"e": b64(e), "kty": "RSA", "n": b64(n)}, separators=(",", ":"))
        expected = b64(hashlib.sha256(jwk.encode()).digest())
        verified = issuer.verifier().verify(issuer.token(key=key))
        assert verified.key_thumbprint == expected
