"""The example FastAPI app (examples/fastapi_app.py) through its test client: the way a
service tests its protected routes with facilioo_jwt.testing."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Optional

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


def test_a_route_for_one_company(client):
    mine = ISSUER.authorization(account=42, company=7)
    assert client.get("/companies/7/invoices", headers={"Authorization": mine}).json() == {
        "company_id": 7, "invoices": []}
    # Ids are compared as numbers, as the route itself reads its parameter.
    assert client.get("/companies/007/invoices", headers={"Authorization": mine}).status_code == 200
    for path, token, description in [
        ("/companies/8/invoices", mine, "this route is for company 8; the token's is company 7"),
        ("/companies/7/invoices", ISSUER.authorization(no_company=True),
         "this route is for company 7; the token has no company"),
    ]:
        answer = client.get(path, headers={"Authorization": token})
        # The crate's refusal, as Verifier.require_company raises it.
        with pytest.raises(FaciliooJwtError) as refused:
            verifier = ISSUER.verifier()
            verifier.require_company(verifier.verify_authorization(token), int(path.split("/")[2]))
        crate = refused.value
        assert (answer.status_code, crate.http_status) == (403, 403)
        assert answer.headers["www-authenticate"] == crate.www_authenticate == (
            f'Bearer realm="facilioo", error="insufficient_scope", error_description="{description}"')
        assert answer.json() == {"detail": json.loads(crate.body)} == {"detail": {
            "error": "insufficient_scope", "error_description": description, "reason": "company_not_allowed"}}


def test_a_route_for_one_account(client):
    mine = ISSUER.authorization(account=42, company=7)
    assert client.get("/accounts/42/settings", headers={"Authorization": mine}).json() == {"account_id": 42}
    answer = client.get("/accounts/7/settings", headers={"Authorization": mine})
    assert answer.status_code == 403
    assert answer.headers["www-authenticate"] == (
        'Bearer realm="facilioo", error="insufficient_scope", '
        'error_description="this route is for account 7; the token\'s is account 42"')
    assert answer.json()["detail"]["reason"] == "account_not_allowed"


@pytest.mark.parametrize("path", ["/companies/7/invoices", "/accounts/42/settings"])
def test_a_scoped_route_refuses_what_a_token_route_refuses(client, path):
    assert client.get(path).status_code == 401
    assert client.get(path).headers["www-authenticate"] == 'Bearer realm="facilioo"'
    expired = client.get(path, headers={"Authorization": ISSUER.authorization(account=42, company=7, refusal="expired")})
    assert expired.status_code == 401 and expired.json()["detail"]["reason"] == "expired"


@pytest.mark.parametrize("segment", ["seven", "-7", "7.5", str(2**64), ""])
def test_a_path_that_names_no_id_is_a_validation_error(client, segment):
    answer = client.get(f"/companies/{segment}/invoices", headers={"Authorization": ISSUER.authorization(company=7)})
    assert answer.status_code in (404, 422) and answer.status_code != 200
    if segment:
        assert answer.status_code == 422


def test_the_largest_id_in_a_path():
    from fastapi import Depends, FastAPI

    from facilioo_jwt.fastapi import FaciliooBearer

    top = 2**64 - 1
    auth = FaciliooBearer(ISSUER.verifier())
    app = FastAPI()

    @app.get("/c/{company_id}")
    def company(company_id: int, token=Depends(auth.require_company())):  # noqa: B008
        return {"company_id": token.company_id}

    client = TestClient(app)
    assert client.get(f"/c/{top}", headers={"Authorization": ISSUER.authorization(company=top)}).json() == {
        "company_id": top}


def test_scoped_dependencies_verify_once_and_take_any_parameter_name():
    from fastapi import Depends, FastAPI

    from facilioo_jwt.fastapi import FaciliooBearer

    verifier = ISSUER.verifier()
    auth = FaciliooBearer(verifier, auto_error=False)
    app = FastAPI()

    @app.get("/orgs/{org}/users/{user}")
    def both(
        org: int,
        user: int,
        token=Depends(auth),  # noqa: B008
        by_company=Depends(auth.require_company(path_param="org")),  # noqa: B008
        by_account=Depends(auth.require_account(path_param="user")),  # noqa: B008
        by_party=Depends(auth.require(PartyType.CONTRACTOR)),  # noqa: B008
    ):
        assert token is by_company is by_account is by_party
        return {"org": org, "user": user}

    client = TestClient(app)
    contractor = ISSUER.authorization(account=3, company=4, party_type=5)
    assert client.get("/orgs/4/users/3", headers={"Authorization": contractor}).json() == {"org": 4, "user": 3}
    assert verifier.stats()["outcomes"]["ok"] == 1  # one verification for the four dependencies
    assert client.get("/orgs/5/users/3", headers={"Authorization": contractor}).json()["detail"]["reason"] == (
        "company_not_allowed")
    assert client.get("/orgs/4/users/4", headers={"Authorization": contractor}).json()["detail"]["reason"] == (
        "account_not_allowed")
    # Without a token, a scoped route is refused even when auto_error is off.
    answer = client.get("/orgs/4/users/3")
    assert (answer.status_code, answer.json()) == (401, {"detail": "Not authenticated"})
    # The path parameters are documented once each.
    parameters = client.get("/openapi.json").json()["paths"]["/orgs/{org}/users/{user}"]["get"]["parameters"]
    assert sorted(p["name"] for p in parameters) == ["org", "user"]


@pytest.mark.parametrize("name", ["", "company id", "1st", "facilioo_token", 7])
def test_a_path_parameter_that_cannot_be_one(name):
    from facilioo_jwt.fastapi import FaciliooBearer

    with pytest.raises(ValueError, match="^path_param: "):
        FaciliooBearer(ISSUER.verifier()).require_company(path_param=name)


def test_overriding_the_dependency_covers_the_scoped_routes():
    from fastapi import Depends, FastAPI

    from facilioo_jwt import DEV_AUDIENCE, DEV_ISSUER, LiveVerifier
    from facilioo_jwt.fastapi import FaciliooBearer

    auth = FaciliooBearer(LiveVerifier(issuers=DEV_ISSUER, audiences=DEV_AUDIENCE))
    app = FastAPI()

    @app.get("/companies/{company_id}")
    def company(company_id: int, token=Depends(auth.require_company())):  # noqa: B008
        return {"company_id": company_id}

    client = TestClient(app)
    token = ISSUER.authorization(company=9)
    assert client.get("/companies/9", headers={"Authorization": token}).status_code == 401  # facilioo's keys
    app.dependency_overrides[auth] = FaciliooBearer(ISSUER.verifier())
    assert client.get("/companies/9", headers={"Authorization": token}).json() == {"company_id": 9}
    assert client.get("/companies/8", headers={"Authorization": token}).status_code == 403


def test_the_dependencies_annotations_are_objects_fastapi_reads_on_every_python():
    # FastAPI evaluates string annotations only with Python 3.10's inspect.signature(eval_str=
    # True), and for an instance's __call__ not at all: on 3.9 a string `request: HTTPConnection`
    # became a required query parameter, and every request got 422.
    import inspect

    from starlette.requests import HTTPConnection

    from facilioo_jwt import VerifiedToken
    from facilioo_jwt.fastapi import FaciliooBearer

    auth = FaciliooBearer(ISSUER.verifier())
    assert inspect.signature(auth).parameters["request"].annotation is HTTPConnection
    for dependency in (auth.require(5), auth.require_company(), auth.require_account()):
        for parameter in inspect.signature(dependency).parameters.values():
            assert not isinstance(parameter.annotation, str), (dependency, parameter)
    token = inspect.signature(auth.require(5)).parameters["token"]
    assert token.annotation == Optional[VerifiedToken]
