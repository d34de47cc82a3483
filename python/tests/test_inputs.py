"""Bad input gets a clear Python error, never a crash; what a caller passed is not changed."""

from __future__ import annotations

import math
from datetime import datetime, time, timedelta

import pytest

from facilioo_jwt import (
    DEFAULT_LEEWAY,
    FaciliooJwtError,
    KeyLoadError,
    LiveVerifier,
    MalformedBearer,
    MalformedToken,
    PartyType,
    TokenTooLarge,
    Verifier,
)

ISS, AUD = "dev-api.facilioo.de", "dev-app.facilioo.de"


def test_the_defaults():
    verifier = Verifier(issuers=ISS, audiences=AUD)
    assert (verifier.issuers, verifier.audiences) == ([ISS], [AUD])
    assert verifier.leeway == DEFAULT_LEEWAY == 60
    assert (verifier.key_count, verifier.realm) == (3, "facilioo")
    assert "keys=3" in repr(verifier)


@pytest.mark.parametrize(
    "options, error",
    [
        ({"issuers": [], "audiences": AUD}, ValueError),
        ({"issuers": ISS, "audiences": []}, ValueError),
        ({"issuers": 3, "audiences": AUD}, TypeError),
        ({"issuers": [ISS, 3], "audiences": AUD}, TypeError),
        ({"issuers": ISS, "audiences": AUD, "leeway": -1}, ValueError),
        ({"issuers": ISS, "audiences": AUD, "leeway": math.nan}, ValueError),
        ({"issuers": ISS, "audiences": AUD, "leeway": "60"}, TypeError),
        ({"issuers": ISS, "audiences": AUD, "leeway": timedelta(seconds=-1)}, ValueError),
        ({"issuers": ISS, "audiences": AUD, "party_types": ["Landlord"]}, ValueError),
        ({"issuers": ISS, "audiences": AUD, "party_types": [True]}, TypeError),
        ({"issuers": ISS, "audiences": AUD, "party_types": [-1]}, ValueError),
        ({"issuers": ISS, "audiences": AUD, "party_types": 2.5}, TypeError),
        ({"issuers": ISS, "audiences": AUD, "party_types": []}, ValueError),
        ({"issuers": ISS, "audiences": AUD, "cache": -1}, ValueError),
        ({"issuers": ISS, "audiences": AUD, "cache": 2**20 + 1}, ValueError),
        ({"issuers": ISS, "audiences": AUD, "cache": 10**12}, ValueError),
        ({"issuers": ISS, "audiences": AUD, "cache": True}, TypeError),
        ({"issuers": ISS, "audiences": AUD, "cache": 1.0}, TypeError),
        ({"issuers": ISS, "audiences": AUD, "max_token_len": 0}, ValueError),
        ({"issuers": ISS, "audiences": AUD, "max_token_len": -1}, ValueError),
        ({"issuers": ISS, "audiences": AUD, "leeway": 0.5}, ValueError),
        ({"issuers": ISS, "audiences": AUD, "leeway": True}, TypeError),
        ({"issuers": ISS, "audiences": AUD, "leeway": 86_401}, ValueError),
        ({"issuers": ISS, "audiences": AUD, "party_type_claim": ""}, ValueError),
        ({"issuers": ISS, "audiences": AUD, "keys": ""}, KeyLoadError),
        ({"issuers": ISS, "audiences": AUD, "realm": 'a"b'}, ValueError),
        ({"issuers": ISS, "audiences": AUD, "realm": "x" * 101}, ValueError),
        ({"issuers": ISS, "audiences": AUD, "keys": 42}, TypeError),
        ({"issuers": ISS, "audiences": AUD, "keys": "-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n"}, KeyLoadError),
        ({"issuers": ISS, "audiences": AUD, "keys": b"\x00\x01"}, KeyLoadError),
        ({"issuers": ISS, "audiences": AUD, "keys": {"keys": []}}, KeyLoadError),
        ({"issuers": ISS, "audiences": AUD, "keys": "no/such/file.pem"}, KeyLoadError),
        ({"audiences": AUD}, TypeError),
    ],
)
def test_bad_settings(options, error):
    keys = options.pop("keys", None)
    with pytest.raises(error):
        Verifier(keys, **options)
    with pytest.raises(error):
        LiveVerifier(keys, **options)


def test_what_is_allowed_at_the_edges(issuer):
    verifier = issuer.verifier(cache=2**20, leeway=2.0, party_types=5, max_token_len=1)
    assert issuer.verifier(leeway=86_400).leeway == 86_400
    assert "cache=1048576" in repr(verifier) and "party_types=[Contractor]" in repr(verifier)
    assert verifier.leeway == 2
    assert issuer.verifier(leeway=timedelta(minutes=2)).leeway == 120


def test_key_errors_name_the_file(tmp_path):
    # A path object is a path: the error names it.
    for path in (tmp_path / "missing.pem", tmp_path):
        with pytest.raises(KeyLoadError, match=f"^{tmp_path}"):
            Verifier(path, issuers=ISS, audiences=AUD)
    with pytest.raises(KeyLoadError, match="^keys: "):
        Verifier("-----BEGIN RSA PUBLIC KEY-----\n", issuers=ISS, audiences=AUD)


def runs(text, length=20):
    return {text[i:i + length] for i in range(len(text) - length + 1)}


def test_a_string_that_is_no_key_is_never_echoed(issuer, tmp_path):
    # A string may be a path, or something pasted by mistake: a token, a PEM body, a secret.
    token = issuer.token()
    body = "".join(issuer.trusted_keys_pem.splitlines()[1:4])
    lines = issuer.trusted_keys_pem.splitlines(keepends=True)
    damaged = "".join([lines[0], "!" + lines[1][1:], *lines[2:]])  # a PEM body not base64
    not_a_key = tmp_path / "not-a-key.txt"
    not_a_key.write_text("hello")
    pasted = [
        token,
        "Bearer " + token,
        body,
        "Subject: our key\n" + damaged,
        "/etc/facilioo/" + token + ".pem",
        token + "\x00",
        token * 200,  # longer than any file name
        str(tmp_path / "missing.pem"),
        str(tmp_path),
        str(not_a_key),
    ]
    for keys in pasted:
        for load in (lambda: Verifier(keys, issuers=ISS, audiences=AUD),
                     lambda: LiveVerifier(keys, issuers=ISS, audiences=AUD),
                     lambda: issuer.live_verifier().replace_keys(keys)):
            with pytest.raises(KeyLoadError) as refused:
                load()
            message = str(refused.value)
            assert message.startswith("keys: ")
            assert not any(run in message for run in runs(keys)), message
            assert not any(run in repr(refused.value) for run in runs(keys))


def test_what_a_string_that_is_no_key_was_not(tmp_path):
    def message(keys):
        with pytest.raises(KeyLoadError) as refused:
            Verifier(keys, issuers=ISS, audiences=AUD)
        return str(refused.value)

    neither = "keys: neither PEM text, a JWK Set (JSON), nor the path of a readable file"
    assert message(str(tmp_path / "missing.pem")) == f"{neither} (key file not found)"
    assert message(str(tmp_path)) == f"{neither} (key file path is a directory)"
    (tmp_path / "hello.txt").write_text("hello")
    assert message(str(tmp_path / "hello.txt")) == (
        "keys: the file it names does not load: not a PEM bundle, a JWK or JWK Set, nor DER")
    # PEM text is PEM text wherever its first block begins, as the crate loads a key file.
    assert message("our key:\n-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n") == (
        "keys: key 1: invalid DER")


def test_a_jwk_set_as_text_or_dict(issuer):
    import json

    jwk = {"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB"}]}
    for keys in (jwk, json.dumps(jwk)):
        with pytest.raises(KeyLoadError, match="key 1"):
            Verifier(keys, issuers=ISS, audiences=AUD)


@pytest.mark.parametrize(
    "now, error",
    [
        (datetime(2026, 1, 1), ValueError),  # naive
        (True, TypeError),
        ("2026-01-01", TypeError),
        (math.inf, ValueError),
        (math.nan, ValueError),
        (1e300, ValueError),
        (2**70, ValueError),
        (2.0**63, ValueError),  # one past the largest second
        (time(12, 0), TypeError),  # a time of day has utcoffset but no timestamp
    ],
)
def test_bad_times(issuer, now, error):
    verifier = issuer.verifier()
    with pytest.raises(error):
        verifier.verify(issuer.token(), now=now)


@pytest.mark.parametrize(
    "token",
    ["", ".", "..", "a.b.c", "é.é.é", "\x00", "a" * 8192, "eyJ.eyJ.\udc80", "\ud800" * 9000, "💥" * 100],
)
def test_bad_tokens_are_refused(issuer, token):
    with pytest.raises(FaciliooJwtError) as refused:
        issuer.verifier().verify(token)
    assert refused.value.code in ("malformed", "too_large")


def test_a_huge_token_is_refused_before_decoding(issuer):
    with pytest.raises(TokenTooLarge) as refused:
        issuer.verifier().verify("a" * 10_000_000)
    assert "10000000 bytes" in str(refused.value)


def test_tokens_that_are_not_text(issuer):
    for token in (None, 42, bytearray(b"a.b.c")):
        with pytest.raises(TypeError):
            issuer.verifier().verify(token)
    token = issuer.token()
    assert issuer.verifier().verify(token.encode()).claims["sub"]["accountId"] == 1
    for refused in (b"a.b.c", b"\xff" + token.encode()):
        with pytest.raises(MalformedToken):
            issuer.verifier().verify(refused)
    with pytest.raises(TypeError):
        issuer.verifier().verify_authorization(42)
    with pytest.raises(TypeError):
        issuer.verifier().verify_authorization(["Bearer x", 42])


@pytest.mark.parametrize("header", ["Bearer \x01abc", "Bearer é", b"Bearer \xff\xfe", "Bearer a\tb", "Bearer \udc80"])
def test_headers_that_are_no_token68(issuer, header):
    with pytest.raises(MalformedBearer):
        issuer.verifier().verify_authorization(header)


def test_inputs_are_not_changed(issuer):
    party_types = [PartyType.CONTRACTOR, 7]
    issuers = [issuer.issuer]
    claims = {"nested": {"a": [1, 2]}}
    verifier = Verifier(issuer.trusted_keys_pem, issuers=issuers, audiences=issuer.audience, party_types=party_types)
    token = issuer.token(party_type=5, claims=claims)
    verifier.verify(token).claims["nested"]["a"].append(3)
    assert party_types == [PartyType.CONTRACTOR, 7] and issuers == [issuer.issuer]
    assert claims == {"nested": {"a": [1, 2]}}
    assert verifier.verify(token).claims["nested"] == {"a": [1, 2]}
    with pytest.raises(MalformedToken):
        verifier.verify(token.rsplit(".", 1)[0])


def test_the_earliest_second_is_a_time(issuer):
    from datetime import timezone

    from facilioo_jwt import InvalidClaim, TokenNotYetValid

    # The first second a datetime holds, 0001-01-01T00:00:00Z, for `now` (tests/test_times.py
    # has the rest) ...
    with pytest.raises(TokenNotYetValid) as refused:
        issuer.verifier().verify(issuer.token(), now=-62_135_596_800.0)
    assert refused.value.checked_at == datetime.min.replace(tzinfo=timezone.utc)
    # ... and the first of a 64-bit integer for a test token's times, which the crate refuses.
    with pytest.raises(InvalidClaim) as refused:
        issuer.verifier().verify(issuer.token(not_before=-(2.0**63)))
    assert refused.value.claim == "nbf"
    with pytest.raises(ValueError, match="^not_before: outside the seconds of a 64-bit integer"):
        issuer.token(not_before=2.0**63)


HINTS = {
    "bearer": "the token has a `Bearer ` prefix: pass the header to verify_authorization, or the token alone",
    "both": ("the token has a `Bearer ` prefix and whitespace around it: pass the header to "
             "verify_authorization, or the token alone"),
    "spaces": "the token has whitespace around it: pass the token alone (str.strip() it)",
    "header": ("the token is a whole `Authorization:` header line: pass the header's value to "
               "verify_authorization, or the token alone"),
}


@pytest.mark.parametrize("text, hint", [
    ("Bearer {}", "bearer"),
    ("bearer {}", "bearer"),
    ("BEARER\t{}", "bearer"),
    ("Bearer   {}", "bearer"),
    ("Bearer {}\n", "both"),
    (" Bearer {}", "both"),
    ("{}\n", "spaces"),
    ("{}\r\n", "spaces"),
    (" {}", "spaces"),
    ("\t{} ", "spaces"),
    ("{}\u00a0", "spaces"),
    ("Authorization: Bearer {}", "header"),
    ("authorization:Bearer {}\n", "header"),
])
@pytest.mark.parametrize("form", [str, str.encode])
def test_a_token_with_a_bearer_prefix_or_whitespace_is_refused_saying_so(issuer, text, hint, form):
    # Still the crate's verdict (malformed, 401) and its answer to the client; the message
    # says what to pass instead.
    token = issuer.token()
    verifier = issuer.verifier()
    with pytest.raises(MalformedToken) as refused:
        verifier.verify(form(text.format(token)))
    e = refused.value
    assert str(e).startswith("malformed token: ") and str(e).endswith(f" ({HINTS[hint]})")
    assert (e.code, e.http_status) == ("malformed", 401)
    assert HINTS[hint] not in e.description and HINTS[hint] not in e.body
    assert token not in str(e) and token not in repr(e)
    # The token alone, and the header, verify.
    assert verifier.verify(token).account_id == 1
    assert verifier.verify_authorization("Bearer " + token).account_id == 1


@pytest.mark.parametrize("text", ["a.b", "Bearer", "bearer", "Bearerx.y.z", "Bearer.a.b", "x Bearer y",
                                  "a b.c.d", "a.b\n.c"])
def test_no_hint_for_what_is_no_prefix_or_surrounding_whitespace(issuer, text):
    with pytest.raises(MalformedToken) as refused:
        issuer.verifier().verify(text)
    assert "(the token" not in str(refused.value)


def test_a_hint_only_for_a_malformed_token(issuer):
    with pytest.raises(TokenTooLarge) as refused:
        issuer.verifier(max_token_len=100).verify("Bearer " + issuer.token())
    assert "Bearer" not in str(refused.value)


@pytest.mark.parametrize("name", [p.name for p in PartyType] + [p.facilioo_name for p in PartyType])
def test_party_types_by_either_name(issuer, name):
    expected = PartyType[name] if name.isupper() else next(p for p in PartyType if p.facilioo_name == name)
    verifier = issuer.verifier(party_types=[name])
    assert verifier._options()["party_types"] == [expected.value]
    token = verifier.verify(issuer.token(party_type=name))
    assert token.party_type is expected
    verifier.require_party_types(token, name)


@pytest.mark.parametrize("name", ["property_management_company", "Property_Management_Company", "CONTRACTOR ",
                                  "contractor", "Landlord", "", "__class__", "_member_map_"])
def test_a_name_that_is_neither_is_refused_naming_both_kinds(issuer, name):
    with pytest.raises(ValueError) as refused:
        issuer.verifier(party_types=name)
    message = str(refused.value)
    assert message.startswith("party_types: not a party type name: exactly one of facilioo's (")
    assert "PropertyManagementCompany" in message and "PROPERTY_MANAGEMENT_COMPANY" in message


def test_the_repr_shows_what_the_attributes_show(issuer):
    from datetime import timezone

    token = issuer.verifier().verify(
        issuer.token(account=42, company=7, party_type=5, not_before=1_767_225_600, expires_at=1_767_229_200),
        now=1_767_225_600)
    assert repr(token) == (
        "VerifiedToken(account_id=42, company_id=7, party_type=<PartyType.CONTRACTOR: 5>, "
        "issuer='dev-api.facilioo.de', audience='dev-app.facilioo.de', "
        "not_before=datetime.datetime(2026, 1, 1, 0, 0, tzinfo=datetime.timezone.utc), "
        "expires_at=datetime.datetime(2026, 1, 1, 1, 0, tzinfo=datetime.timezone.utc))")
    assert f"not_before={token.not_before!r}" in repr(token)
    assert token.expires_at == datetime(2026, 1, 1, 1, tzinfo=timezone.utc)
    bare = issuer.verifier().verify(issuer.token(no_company=True, claims={"partyType": 99}, remove_claims=["nbf"]))
    assert "company_id=None, party_type=99, " in repr(bare) and "not_before=None, " in repr(bare)
    assert "party_type=None" in repr(issuer.verifier().verify(issuer.token()))
