"""A FastAPI service protected by facilioo_jwt.

    pip install './python[fastapi]' uvicorn
    uvicorn examples.fastapi_app:app   # from python/

It trusts facilioo's published keys and its dev issuer and audience; its tests
(tests/test_fastapi.py) swap in a verifier that trusts the test keys.
"""

from typing import Annotated, Optional

from fastapi import Depends, FastAPI

from facilioo_jwt import DEV_AUDIENCE, DEV_ISSUER, LiveVerifier, PartyType, VerifiedToken, Verifier
from facilioo_jwt.fastapi import FaciliooBearer


def create_app(verifier: Optional[Verifier] = None) -> FastAPI:
    """The app, verifying with `verifier` (default: facilioo's keys, dev issuer and audience,
    a cache of 4096 tokens)."""
    if verifier is None:
        verifier = LiveVerifier(issuers=DEV_ISSUER, audiences=DEV_AUDIENCE, cache=4096)
    auth = FaciliooBearer(verifier)
    optional_auth = FaciliooBearer(verifier, auto_error=False)
    app = FastAPI(title="facilioo_jwt example")

    @app.get("/me")
    def me(token: Annotated[VerifiedToken, Depends(auth)]) -> dict:
        party = token.party_type
        expires_at = token.expires_at  # None only before year 1, which no datetime holds
        return {
            "account_id": token.account_id,
            "company_id": token.company_id,
            "party_type": party.name if isinstance(party, PartyType) else party,
            "expires_at": None if expires_at is None else expires_at.isoformat(),
        }

    @app.get("/companies/mine")
    def my_company(
        token: Annotated[VerifiedToken, Depends(auth.require(PartyType.PROPERTY_MANAGEMENT_COMPANY))],
    ) -> dict:
        return {"company_id": token.company_id}

    @app.get("/companies/{company_id}/invoices")
    def invoices(
        company_id: int, token: Annotated[VerifiedToken, Depends(auth.require_company())]
    ) -> dict:
        # Only company_id's staff get here: 403 company_not_allowed for anyone else's.
        return {"company_id": company_id, "invoices": []}

    @app.get("/accounts/{account_id}/settings")
    def settings(
        account_id: int, token: Annotated[VerifiedToken, Depends(auth.require_account())]
    ) -> dict:
        return {"account_id": account_id}

    @app.get("/hello")
    def hello(token: Annotated[Optional[VerifiedToken], Depends(optional_auth)]) -> dict:
        return {"hello": "anonymous" if token is None else f"account {token.account_id}"}

    return app


app = create_app()
