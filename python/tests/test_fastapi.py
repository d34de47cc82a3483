"""The example FastAPI app (examples/fastapi_app.py) through its test client: the way a
service tests its protected routes with facilioo_jwt.testing."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

import warnings  # noqa: E402

with warnings.catch_warnings():  # starlette's note on httpx, not ours
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient  # noqa: E402

from facilioo_jwt import PartyType  # noqa: E402
from facilioo_jwt.testing import TestIssuer  # noqa: E402

# Loaded by path: python/ on sys.path would shadow the installed package with its sources.
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
    assert client.get("/hello", headers={"Authorization": "Basic eA=="}).json() == {"hello": "anonymous"}
    assert client.get("/hello", headers={"Authorization": ISSUER.authorization(account=5)}).json() == {"hello": "account 5"}
    # A token that is there must be good.
    assert client.get("/hello", headers={"Authorization": ISSUER.authorization(refusal="expired")}).status_code == 401


def test_the_openapi_document_names_the_bearer_scheme(client):
    document = client.get("/openapi.json").json()
    assert document["components"]["securitySchemes"]["FaciliooBearer"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    assert document["paths"]["/me"]["get"]["security"] == [{"FaciliooBearer": []}]
    assert document["paths"]["/companies/mine"]["get"]["security"] == [{"FaciliooBearer": []}]
