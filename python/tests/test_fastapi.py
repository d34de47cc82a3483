"""The example FastAPI app (examples/fastapi_app.py) through its test client: the way a
service tests its protected routes with facilioo_jwt.testing."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from facilioo_jwt import FaciliooJwtError, PartyType
from facilioo_jwt.testing import TestIssuer

# The example is a file, not a module of the package: loaded from its path.
_spec = importlib.util.spec_from_file_location(
    "fastapi_app", Path(__file__).resolve().parents[1] / "examples/fastapi_app.py")
_example = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_example)
create_app = _example.create_app

ISSUER = TestIssuer()


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(ISSUER.live_verifier(cache=64)))


def test_a_valid_token(client):
    answer = client.get("/me", headers={"Authorization": ISSUER.authorization(account=42, company=7, party_type=5)})
    assert answer.status_code == 200
    assert answer.json()["account_id"] == 42
    assert answer.json()["company_id"] == 7
    assert answer.json()["party_type"] == "CONTRACTOR"


@pytest.mark.parametrize("refusal, code", [("expired", "expired"), ("bad_signature", "invalid_signature"),
                                           ("untrusted_key", "invalid_signature"), ("malformed", "malformed"),
                                           ("wrong_audience", "invalid_audience")])
def test_refused_tokens_get_401_with_the_challenge(client, refusal, code):
    answer = client.get("/me", headers={"Authorization": ISSUER.authorization(refusal=refusal)})
    assert answer.status_code == 401
    challenge = answer.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="facilioo", error="invalid_token", error_description="')
    assert answer.json()["detail"]["reason"] == code
    assert answer.json()["detail"]["error"] == "invalid_token"


@pytest.mark.parametrize("headers, status, reason", [
    ([], 401, None),
    ([("Authorization", "Basic dXNlcjpwYXNz")], 401, None),
    ([("Authorization", "Bearer")], 400, "empty_bearer"),
    ([("Authorization", "Bearer a b")], 400, "malformed_bearer"),
    ([("Authorization", "Bearer a.b.c"), ("Authorization", "Bearer a.b.c")], 400, "multiple_authorization"),
])
def test_requests_without_a_readable_token(client, headers, status, reason):
    answer = client.get("/me", headers=headers)
    assert answer.status_code == status
    if reason is None:
        assert answer.headers["www-authenticate"] == 'Bearer realm="facilioo"'
        assert answer.json() == {"detail": "Not authenticated"}
    else:
        assert 'error="invalid_request"' in answer.headers["www-authenticate"]
        assert answer.json()["detail"]["reason"] == reason


def test_a_route_for_one_party_type(client):
    pmc = ISSUER.authorization(party_type=PartyType.PROPERTY_MANAGEMENT_COMPANY, company=3)
    assert client.get("/companies/mine", headers={"Authorization": pmc}).json() == {"company_id": 3}
    for token in (ISSUER.authorization(party_type=PartyType.CONTRACTOR), ISSUER.authorization()):
        answer = client.get("/companies/mine", headers={"Authorization": token})
        assert answer.status_code == 403
        assert 'error="insufficient_scope"' in answer.headers["www-authenticate"]
        assert answer.json()["detail"]["reason"] == "party_type_not_allowed"
    assert client.get("/companies/mine").status_code == 401


def test_an_optional_token(client):
    assert client.get("/hello").json() == {"hello": "anonymous"}
    assert client.get("/hello", headers={"Authorization": ISSUER.authorization(account=5)}).json() == {"hello": "account 5"}
    # A token that is there must be good.
    assert client.get("/hello", headers={"Authorization": ISSUER.authorization(refusal="expired")}).status_code == 401


@pytest.mark.parametrize("value", [
    "Basic eA==",
    "Basic dXNlcjpwYXNz",
    "Token " + ISSUER.token(),
    "",
    "Bearer",
    "Bearer a b",
    ("Bearer\u00a0" + ISSUER.token()).encode(),  # a no-break space, as UTF-8
    b"Bearer\xa0" + ISSUER.token().encode(),  # and as Latin-1
    ("Bearer\u3000" + ISSUER.token()).encode(),  # an ideographic space
])
def test_an_optional_token_refuses_every_authorization_header_that_is_there(client, value):
    # As the crate's Option<FaciliooToken> and its tower layer's optional(): only a request
    # without an Authorization header is anonymous.
    answer = client.get("/hello", headers={"Authorization": value})
    with pytest.raises(FaciliooJwtError) as refused:
        ISSUER.verifier().verify_authorization(value)
    crate = refused.value
    assert answer.status_code == crate.http_status != 200
    assert answer.headers["www-authenticate"] == crate.www_authenticate
    if crate.body is None:
        assert answer.json() == {"detail": "Not authenticated"}
    else:
        assert answer.json()["detail"] == json.loads(crate.body)


def test_an_optional_token_with_two_headers_is_refused(client):
    token = ISSUER.authorization()
    answer = client.get("/hello", headers=[("Authorization", token), ("Authorization", token)])
    assert answer.status_code == 400
    assert answer.json()["detail"]["reason"] == "multiple_authorization"


def test_the_openapi_document_names_the_bearer_scheme(client):
    document = client.get("/openapi.json").json()
    assert document["components"]["securitySchemes"]["FaciliooBearer"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    assert document["paths"]["/me"]["get"]["security"] == [{"FaciliooBearer": []}]
    assert document["paths"]["/companies/mine"]["get"]["security"] == [{"FaciliooBearer": []}]


def test_a_production_app_tested_by_overriding_its_dependency():
    from fastapi import Depends, FastAPI

    from facilioo_jwt import DEV_AUDIENCE, DEV_ISSUER, LiveVerifier
    from facilioo_jwt.fastapi import FaciliooBearer

    auth = FaciliooBearer(LiveVerifier(issuers=DEV_ISSUER, audiences=DEV_AUDIENCE))
    app = FastAPI()

    # (A default, not an annotation: this module's annotations are strings, which FastAPI
    # cannot resolve for a function defined inside another.)
    @app.get("/pmc")
    def pmc(token=Depends(auth.require(PartyType.PROPERTY_MANAGEMENT_COMPANY))):  # noqa: B008
        return {"account_id": token.account_id}

    client = TestClient(app)
    pmc_token = ISSUER.authorization(account=4, party_type=2)
    assert client.get("/pmc", headers={"Authorization": pmc_token}).status_code == 401  # facilioo's keys
    app.dependency_overrides[auth] = FaciliooBearer(ISSUER.verifier())
    assert client.get("/pmc", headers={"Authorization": pmc_token}).json() == {"account_id": 4}
    assert client.get("/pmc", headers={"Authorization": ISSUER.authorization()}).status_code == 403
