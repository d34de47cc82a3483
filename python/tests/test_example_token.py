"""facilioo's own example token, with the retired key that signed it: a real known answer."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import facilioo_jwt
from facilioo_jwt import (
    DEV_AUDIENCE,
    DEV_ISSUER,
    ExpiredToken,
    InvalidSignature,
    TokenNotYetValid,
    Verifier,
)


@pytest.fixture(scope="module")
def retired(retired_key_path) -> Verifier:
    return Verifier(retired_key_path.read_text(), issuers=DEV_ISSUER, audiences=DEV_AUDIENCE)


def test_valid_inside_its_hour(retired, example_token, example_claims):
    inside = example_claims["nbf"] + 1800
    token = retired.verify(example_token, now=inside)
    assert (token.account_id, token.company_id) == (2, 2)
    assert token.party_type is None
    assert (token.issuer, token.audience) == ("dev-api.facilioo.de", "dev-app.facilioo.de")
    assert token.not_before == datetime(2022, 5, 5, 14, 17, 22, tzinfo=timezone.utc)
    assert token.expires_at == token.not_before + timedelta(hours=1)
    assert token.expires_at.tzinfo is not None
    assert token.claims == example_claims
    assert token.claims is not token.claims  # a new dict on each access
    assert token.key_index == 0 and not token.is_test_key
    assert "account_id=2" in repr(token)


@pytest.mark.parametrize("now", ["datetime", "float"])
def test_now_as_datetime_or_float(retired, example_token, example_claims, now):
    inside = example_claims["nbf"] + 10
    value = datetime.fromtimestamp(inside, timezone.utc) if now == "datetime" else inside + 0.9
    assert retired.verify(example_token, now=value).account_id == 2


def test_expired_after_its_hour_and_the_leeway(retired, example_token, example_claims):
    exp = example_claims["exp"]
    assert retired.verify(example_token, now=exp + 59).account_id == 2  # within the leeway
    with pytest.raises(ExpiredToken) as refused:
        retired.verify(example_token, now=exp + 60)
    e = refused.value
    assert (e.code, e.http_status, e.error) == ("expired", 401, "invalid_token")
    assert e.expired_at == datetime.fromtimestamp(exp, timezone.utc)
    assert e.checked_at == datetime.fromtimestamp(exp + 60, timezone.utc)
    assert e.www_authenticate.startswith('Bearer realm="facilioo", error="invalid_token", ')
    assert "refresh it" in e.www_authenticate


def test_expired_by_the_real_clock(retired, example_token):
    with pytest.raises(ExpiredToken):
        retired.verify(example_token)


def test_not_yet_valid_before_its_hour(retired, example_token, example_claims):
    with pytest.raises(TokenNotYetValid) as refused:
        retired.verify(example_token, now=example_claims["nbf"] - 61)
    assert refused.value.not_before == datetime.fromtimestamp(example_claims["nbf"], timezone.utc)
    assert refused.value.checked_at == datetime.fromtimestamp(example_claims["nbf"] - 61, timezone.utc)


def test_invalid_signature_with_the_current_keys(example_token, example_claims):
    current = Verifier(issuers=DEV_ISSUER, audiences=DEV_AUDIENCE)
    assert current.key_count == 3
    with pytest.raises(InvalidSignature) as refused:
        current.verify(example_token, now=example_claims["nbf"] + 10)
    assert refused.value.code == "invalid_signature"
    assert isinstance(refused.value, facilioo_jwt.TokenError)


@pytest.mark.parametrize("form", ["text", "bytes", "path", "str path"])
def test_keys_in_every_form(example_token, example_claims, retired_key_path, form):
    keys = {
        "text": retired_key_path.read_text(),
        "bytes": retired_key_path.read_bytes(),
        "path": retired_key_path,
        "str path": str(retired_key_path),
    }[form]
    verifier = Verifier(keys, issuers=[DEV_ISSUER], audiences=(DEV_AUDIENCE,))
    assert verifier.verify(example_token, now=example_claims["nbf"]).account_id == 2


def test_the_authorization_header(retired, example_token, example_claims):
    inside = example_claims["nbf"] + 10
    assert retired.verify_authorization(f"Bearer {example_token}", now=inside).account_id == 2
    assert retired.verify_authorization(f"bearer   {example_token} ", now=inside).company_id == 2
    token = retired.verify_authorization(f"Bearer {example_token}".encode(), now=inside)
    assert token.claims["sub"] == {"accountId": 2, "companyId": 2}
