"""Every refusal code, raised through Python as its own exception class, with the crate's
status, challenge and body."""

from __future__ import annotations

import json
import pickle

import pytest

import facilioo_jwt
from facilioo_jwt import (
    BearerError,
    FaciliooJwtError,
    PartyType,
    ScopeError,
    TokenError,
    Verifier,
    _native,
)
from facilioo_jwt._errors import ERRORS
from facilioo_jwt.testing import TestIssuer, trusted_keys_pem

NOW = 1_767_225_600


def token_cases(issuer: TestIssuer):
    """code -> (verifier keywords, token): one token refused with each token code."""
    mint = lambda **kw: issuer.token(now=NOW, **kw)  # noqa: E731
    return {
        "malformed": ({}, "a.b"),
        "too_large": ({"max_token_len": 100}, mint()),
        "unsupported_algorithm": ({}, mint(refusal="other_alg")),
        "unsupported_critical": ({}, mint(header={"crit": ["exp"]})),
        "invalid_type": ({}, mint(header={"typ": "at+jwt"})),
        "invalid_signature": ({}, mint(refusal="bad_signature")),
        "test_key": ({"refuse_test_keys": True}, mint()),
        "expired": ({}, mint(refusal="expired")),
        "not_yet_valid": ({}, mint(refusal="not_yet_valid")),
        "invalid_issuer": ({}, mint(refusal="wrong_issuer")),
        "invalid_audience": ({}, mint(refusal="wrong_audience")),
        "missing_claim": ({}, mint(remove_claims=["exp"])),
        "invalid_claim": ({}, mint(claims={"exp": "soon"})),
        "party_type_not_allowed": ({"party_types": [PartyType.USER]}, mint(party_type=5)),
    }


HEADER_CASES = {
    "missing_token": None,
    "other_scheme": "Basic dXNlcjpwYXNz",
    "multiple_authorization": ["Bearer a.b.c", "Bearer a.b.c"],
    "empty_bearer": "Bearer   ",
    "malformed_bearer": "Bearer a b",
}

# The crate's messages (BearerError's Display).
MESSAGES = {
    "missing_token": "no Authorization header",
    "other_scheme": "the Authorization header is not a Bearer token",
    "multiple_authorization": "more than one Authorization header",
    "empty_bearer": "the Authorization header has no token after Bearer",
    "malformed_bearer": "the bearer token is not token68",
}

# A good token of company 7, account 42 refused by the crate's scoping helpers
# (FaciliooToken::require_company, require_account): the verifier method and its argument.
SCOPE_CASES = {
    "company_not_allowed": ("require_company", 8),
    "account_not_allowed": ("require_account", 43),
}

STATUS = {"party_type_not_allowed": 403, "missing_token": 401, "other_scheme": 401,
          "company_not_allowed": 403, "account_not_allowed": 403}
for code in ("multiple_authorization", "empty_bearer", "malformed_bearer"):
    STATUS[code] = 400


def test_every_code_has_a_case_and_a_class():
    issuer = TestIssuer()
    cases = set(token_cases(issuer)) | set(HEADER_CASES) | set(SCOPE_CASES)
    assert cases == set(_native.CODES) == set(ERRORS)
    for code, cls in ERRORS.items():
        assert cls.code == code
        base = BearerError if code in HEADER_CASES else ScopeError if code in SCOPE_CASES else TokenError
        assert issubclass(cls, base)
        assert issubclass(cls, ScopeError) == (STATUS.get(code) == 403)
        assert cls.http_status == STATUS.get(code, 401)
        assert getattr(facilioo_jwt, cls.__name__) is cls
        assert cls.__doc__


@pytest.mark.parametrize("code", sorted(token_cases(TestIssuer())))
def test_token_codes(code):
    issuer = TestIssuer()
    options, token = token_cases(issuer)[code]
    verifier = Verifier(trusted_keys_pem(), issuers=issuer.issuer, audiences=issuer.audience, **options)
    with pytest.raises(ERRORS[code]) as refused:
        verifier.verify(token, now=NOW)
    e = refused.value
    assert (e.code, e.http_status) == (code, STATUS.get(code, 401))
    error = "insufficient_scope" if code == "party_type_not_allowed" else "invalid_token"
    assert e.error == error
    assert e.www_authenticate == f'Bearer realm="facilioo", error="{error}", error_description="{e.description}"'
    assert json.loads(e.body) == {"error": error, "error_description": e.description, "reason": code}
    assert str(e) and str(e) in e.description
    assert repr(e) == f"{type(e).__name__}({str(e)!r})"
    assert (e.refusal.code, e.refusal.http_status) == (code, e.http_status)
    assert repr(e.refusal) == f"Refusal({code!r})"
    # The same refusal through the Authorization header.
    with pytest.raises(ERRORS[code]) as again:
        verifier.verify_authorization("Bearer " + token, now=NOW)
    assert (again.value.code, again.value.www_authenticate) == (code, e.www_authenticate)


@pytest.mark.parametrize("code", sorted(HEADER_CASES))
def test_header_codes(code):
    verifier = TestIssuer().verifier(realm="api")
    with pytest.raises(ERRORS[code]) as refused:
        verifier.verify_authorization(HEADER_CASES[code])
    e = refused.value
    assert (e.code, e.http_status) == (code, STATUS[code])
    assert str(e) == MESSAGES[code]
    if e.http_status == 401:
        # No bearer credentials: a bare challenge and no body (RFC 6750 §3.1).
        assert (e.www_authenticate, e.error, e.body) == ('Bearer realm="api"', None, None)
    else:
        assert e.error == "invalid_request"
        assert e.www_authenticate.startswith('Bearer realm="api", error="invalid_request", error_description="')
        assert json.loads(e.body)["reason"] == code


@pytest.mark.parametrize("code", sorted(SCOPE_CASES))
def test_scope_codes(code):
    # The crate's refusal, raised as its class: the reasons the module lists are the crate's,
    # and so are the statuses the classes carry.
    issuer = TestIssuer()
    verifier = issuer.verifier()
    token = verifier.verify(issuer.token(account=42, company=7))
    method, argument = SCOPE_CASES[code]
    with pytest.raises(ERRORS[code]) as refused:
        getattr(verifier, method)(token, argument)
    e = refused.value
    assert (e.code, e.refusal.code, e.http_status, e.refusal.http_status) == (code, code, 403, 403)
    assert (e.error, json.loads(e.body)["reason"]) == ("insufficient_scope", code)
    assert not isinstance(e, TokenError) and not isinstance(e, BearerError)


def test_the_details_each_refusal_carries():
    issuer = TestIssuer()
    verifier = issuer.verifier(party_types=[PartyType.CONTRACTOR])
    with pytest.raises(facilioo_jwt.MissingClaim) as refused:
        verifier.verify(issuer.token(now=NOW, party_type=5, remove_claims=["iss"]), now=NOW)
    assert refused.value.claim == "iss"
    with pytest.raises(facilioo_jwt.InvalidClaim) as refused:
        verifier.verify(issuer.token(now=NOW, party_type=5, claims={"sub": {"accountId": -1}}), now=NOW)
    assert refused.value.claim == "sub"
    with pytest.raises(facilioo_jwt.PartyTypeNotAllowed) as refused:
        verifier.verify(issuer.token(now=NOW, party_type=PartyType.GUEST), now=NOW)
    assert refused.value.party_type is PartyType.GUEST
    with pytest.raises(facilioo_jwt.PartyTypeNotAllowed) as refused:
        verifier.verify(issuer.token(now=NOW, party_type=99), now=NOW)
    assert refused.value.party_type == 99
    with pytest.raises(facilioo_jwt.PartyTypeNotAllowed) as refused:
        verifier.verify(issuer.token(now=NOW, no_party_type=True), now=NOW)
    assert refused.value.party_type is None
    assert refused.value.http_status == 403


def test_messages_never_echo_the_token():
    secret = "SECRETMARKER"
    issuer = TestIssuer()
    verifier = issuer.verifier()
    for token in (
        issuer.token(now=NOW, header={"alg": secret}),
        issuer.token(now=NOW, issuer=secret),
        issuer.token(now=NOW, audience=secret),
        f"{secret}.{secret}.{secret}",
    ):
        with pytest.raises(FaciliooJwtError) as refused:
            verifier.verify(token, now=NOW)
        e = refused.value
        for text in (str(e), repr(e), e.www_authenticate, e.body or "", repr(e.refusal)):
            assert secret not in text


def test_a_route_guard_refuses_with_403():
    issuer = TestIssuer()
    verifier = issuer.verifier()
    token = verifier.verify(issuer.token(party_type=PartyType.CONTRACTOR))
    verifier.require_party_types(token, [PartyType.CONTRACTOR, PartyType.USER])
    verifier.require_party_types(token, "Contractor")
    verifier.require_party_types(token, 5)
    with pytest.raises(facilioo_jwt.PartyTypeNotAllowed) as refused:
        verifier.require_party_types(token, [PartyType.PROPERTY_MANAGEMENT_COMPANY])
    e = refused.value
    assert (e.http_status, e.error, e.party_type) == (403, "insufficient_scope", PartyType.CONTRACTOR)
    assert "PropertyManagementCompany" in e.www_authenticate


@pytest.mark.parametrize("code", sorted(SCOPE_CASES))
def test_scope_refusals_survive_pickling(code):
    issuer = TestIssuer()
    verifier = issuer.verifier()
    method, argument = SCOPE_CASES[code]
    with pytest.raises(ScopeError) as refused:
        getattr(verifier, method)(verifier.verify(issuer.token(account=42, company=7)), argument)
    e = refused.value
    copy = pickle.loads(pickle.dumps(e))
    assert type(copy) is type(e)
    for attribute in ("code", "http_status", "www_authenticate", "error", "description", "body",
                      "required", "found"):
        assert getattr(copy, attribute) == getattr(e, attribute), attribute
    assert (copy.required, copy.found) == (argument, argument - 1)
    assert (str(copy), repr(copy), repr(copy.refusal)) == (str(e), repr(e), repr(e.refusal))


@pytest.mark.parametrize("code", sorted(token_cases(TestIssuer())))
def test_refusals_survive_pickling(code):
    issuer = TestIssuer()
    options, token = token_cases(issuer)[code]
    verifier = Verifier(trusted_keys_pem(), issuers=issuer.issuer, audiences=issuer.audience, **options)
    with pytest.raises(FaciliooJwtError) as refused:
        verifier.verify(token, now=NOW)
    e = refused.value
    copy = pickle.loads(pickle.dumps(e))
    assert type(copy) is type(e)
    for attribute in ("code", "http_status", "www_authenticate", "error", "description", "body"):
        assert getattr(copy, attribute) == getattr(e, attribute), attribute
    assert (str(copy), repr(copy), repr(copy.refusal)) == (str(e), repr(e), repr(e.refusal))


def test_verify_refuses_as_the_crate_answers_the_same_token_in_a_header():
    # The crate's HTTP answer to a token without the party-type claim names the claims that
    # look like one; verify says the same as verify_authorization.
    issuer = TestIssuer()
    verifier = issuer.verifier(party_types=[PartyType.CONTRACTOR])
    token = issuer.token(no_party_type=True, claims={"sub": {"accountId": 1, "companyId": 1, "partyTypeId": 5}})
    with pytest.raises(facilioo_jwt.PartyTypeNotAllowed) as by_token:
        verifier.verify(token)
    with pytest.raises(facilioo_jwt.PartyTypeNotAllowed) as by_header:
        verifier.verify_authorization("Bearer " + token)
    assert "/sub/partyTypeId (5: Contractor) looks like one" in by_token.value.description
    for attribute in ("code", "http_status", "www_authenticate", "description", "body", "party_type"):
        assert getattr(by_token.value, attribute) == getattr(by_header.value, attribute), attribute
    assert str(by_token.value) == str(by_header.value)
