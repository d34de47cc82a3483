"""A route for one company's or one account's data: `require_company` and `require_account`,
refusing a good token of another with the crate's 403 (FaciliooToken::require_company and
require_account: their reason, description, challenge and body)."""

from __future__ import annotations

import json

import pytest

from facilioo_jwt import (
    AccountNotAllowed,
    CompanyNotAllowed,
    LiveVerifier,
    ScopeError,
    TokenError,
)
from facilioo_jwt.testing import TestIssuer

ISSUER = TestIssuer()


def refusal_of(call, *args):
    with pytest.raises(ScopeError) as refused:
        call(*args)
    return refused.value


def crate_answer(e, reason, description, realm="facilioo"):
    """What the crate answers with: 403 insufficient_scope, the description in the challenge
    and the JSON body."""
    assert (e.code, e.http_status, e.error, e.description) == (reason, 403, "insufficient_scope", description)
    assert e.www_authenticate == (
        f'Bearer realm="{realm}", error="insufficient_scope", error_description="{description}"')
    assert json.loads(e.body) == {"error": "insufficient_scope", "error_description": description,
                                  "reason": reason}
    assert str(e) == description
    return True


@pytest.mark.parametrize("make", [TestIssuer.verifier, TestIssuer.live_verifier])
def test_the_company_s_own_token_passes_and_another_s_is_refused(make):
    verifier = make(ISSUER)
    token = verifier.verify(ISSUER.token(account=42, company=7))
    assert verifier.require_company(token, 7) is None
    e = refusal_of(verifier.require_company, token, 8)
    assert type(e) is CompanyNotAllowed and not isinstance(e, TokenError)
    assert crate_answer(e, "company_not_allowed", "this route is for company 8; the token's is company 7")
    assert (e.required, e.found) == (8, 7)


def test_a_token_of_no_company_is_refused():
    verifier = ISSUER.verifier()
    token = verifier.verify(ISSUER.token(account=42, no_company=True))
    e = refusal_of(verifier.require_company, token, 7)
    assert crate_answer(e, "company_not_allowed", "this route is for company 7; the token has no company")
    assert (e.required, e.found) == (7, None)


def test_the_account_s_own_token_passes_and_another_s_is_refused():
    verifier = ISSUER.verifier()
    token = verifier.verify(ISSUER.token(account=42, company=7))
    assert verifier.require_account(token, 42) is None
    e = refusal_of(verifier.require_account, token, 7)  # the company's id is no account's
    assert type(e) is AccountNotAllowed
    assert crate_answer(e, "account_not_allowed", "this route is for account 7; the token's is account 42")
    assert (e.required, e.found) == (7, 42)


def test_a_token_from_the_authorization_header():
    verifier = ISSUER.verifier(realm="api")
    token = verifier.verify_authorization(ISSUER.authorization(account=1, company=2))
    verifier.require_company(token, 2)
    verifier.require_account(token, 1)
    e = refusal_of(verifier.require_company, token, 3)
    assert crate_answer(e, "company_not_allowed", "this route is for company 3; the token's is company 2", "api")
    e = refusal_of(verifier.require_account, verifier.verify(ISSUER.token(account=1)), 2)
    assert e.www_authenticate.startswith('Bearer realm="api", ')


def test_the_largest_ids():
    verifier = ISSUER.verifier()
    top = 2**64 - 1
    token = verifier.verify(ISSUER.token(account=top, company=top))
    verifier.require_company(token, top)
    verifier.require_account(token, top)
    e = refusal_of(verifier.require_company, token, 0)
    assert e.description == f"this route is for company 0; the token's is company {top}"


@pytest.mark.parametrize("method", ["require_company", "require_account"])
@pytest.mark.parametrize("bad, error", [(-1, ValueError), (2**64, ValueError), (True, TypeError),
                                        ("7", TypeError), (7.0, TypeError), (None, TypeError)])
def test_an_id_that_is_none_is_an_argument_error(method, bad, error):
    verifier = ISSUER.verifier()
    token = verifier.verify(ISSUER.token(account=7, company=7))
    with pytest.raises(error, match="^(company|account): expected"):
        getattr(verifier, method)(token, bad)


def test_only_a_verified_token_is_taken():
    with pytest.raises(TypeError):
        ISSUER.verifier().require_company(ISSUER.token(company=7), 7)  # the text, unverified


def test_the_refusal_names_the_realm_of_the_verifier_that_verified_the_token():
    # As the crate's FaciliooToken: it keeps the BearerAuth that admitted it.
    theirs = ISSUER.verifier(realm="theirs")
    token = theirs.verify(ISSUER.token(company=7))
    e = refusal_of(ISSUER.verifier(realm="ours").require_company, token, 8)
    assert e.www_authenticate.startswith('Bearer realm="theirs", ')


def test_a_live_verifier_s_token_after_its_keys_are_swapped():
    verifier = ISSUER.live_verifier()
    token = verifier.verify(ISSUER.token(company=7))
    verifier.replace_keys(ISSUER.trusted_keys_pem.split("-----END RSA PUBLIC KEY-----")[0]
                          + "-----END RSA PUBLIC KEY-----\n")
    verifier.require_company(token, 7)
    assert refusal_of(verifier.require_company, token, 8).code == "company_not_allowed"
    assert isinstance(verifier, LiveVerifier)
