"""FastAPI glue (``pip install 'facilioo-jwt[fastapi]'``): a security dependency that
verifies the request's bearer token and yields the ``VerifiedToken``.

A refusal becomes an ``HTTPException`` with the crate's status (401, 400, or 403), its
RFC 6750 ``WWW-Authenticate`` challenge, and as ``detail`` the crate's JSON answer
(``{"error": …, "error_description": …, "reason": …}``); a request without a bearer token
gets a bare challenge and ``{"detail": "Not authenticated"}``, as FastAPI's own ``HTTPBearer``
answers it. The scheme appears in the OpenAPI document as HTTP bearer (JWT).

.. code-block:: python

    from typing import Annotated
    from fastapi import Depends, FastAPI
    from facilioo_jwt import PartyType, VerifiedToken, Verifier, DEV_ISSUER, DEV_AUDIENCE
    from facilioo_jwt.fastapi import FaciliooBearer

    auth = FaciliooBearer(Verifier(issuers=DEV_ISSUER, audiences=DEV_AUDIENCE))
    app = FastAPI()

    @app.get("/me")
    def me(token: Annotated[VerifiedToken, Depends(auth)]):
        return {"account": token.account_id}

    @app.get("/admin", dependencies=[Depends(auth.require(PartyType.PROPERTY_MANAGEMENT_COMPANY))])
    def admin(): ...

    @app.get("/companies/{company_id}/invoices")
    def invoices(company_id: int, token: Annotated[VerifiedToken, Depends(auth.require_company())]):
        return []  # only company_id's staff get here
"""

# No `from __future__ import annotations`: FastAPI reads a dependency's annotations, and on
# Python 3.9 it cannot evaluate a string annotation of an instance's __call__ (it has no
# __globals__), so it would take `request` for a query parameter. Every annotation here is
# valid at run time on 3.9.
import inspect
import json
from typing import Any, Awaitable, Callable, Generic, Optional, TypeVar, Union

from fastapi import HTTPException, Path, Security
from fastapi.openapi.models import HTTPBearer as HTTPBearerModel
from fastapi.security.base import SecurityBase
from starlette.requests import HTTPConnection

from ._errors import FaciliooJwtError
from ._native import VerifiedToken, Verifier

__all__ = ["FaciliooBearer", "http_exception"]

#: The verifier a ``FaciliooBearer`` holds: a ``Verifier``, or a ``LiveVerifier`` (whose
#: ``reload_keys`` and ``replace_keys`` its ``.verifier`` then has, to a type checker too).
V = TypeVar("V", bound=Verifier)

# The largest id facilioo's tokens carry (an unsigned 64-bit integer): a path naming a
# larger one is no id (422, as FastAPI answers any path parameter that does not validate).
_MAX_ID = 2**64 - 1


def http_exception(refused: FaciliooJwtError) -> HTTPException:
    """The ``HTTPException`` FastAPI answers ``refused`` with: its status, its challenge, and
    the crate's JSON answer as ``detail`` (``"Not authenticated"`` when the request carried no
    bearer token, as RFC 6750 §3.1 asks for no error information then)."""
    body = refused.body
    detail: Any = json.loads(body) if body is not None else "Not authenticated"
    return HTTPException(
        status_code=refused.http_status,
        detail=detail,
        headers={"WWW-Authenticate": refused.www_authenticate},
    )


class FaciliooBearer(SecurityBase, Generic[V]):
    """A FastAPI dependency: the request's verified facilioo token.

    ``verifier`` (kept as ``.verifier``) is a ``Verifier`` or ``LiveVerifier``, shared by
    every request; the GIL is released while it verifies. With ``auto_error=False`` a
    request without an ``Authorization`` header yields ``None``, for routes that also serve
    anonymous calls; any ``Authorization`` header that is there must carry a good bearer
    token, or the request is refused as without ``auto_error=False`` (another scheme such as
    ``Basic``, an empty header, or ``Bearer`` and a non-ASCII space get 401 with a bare
    challenge), as the Rust crate's ``Option<FaciliooToken>`` and its tower layer's
    ``optional()`` refuse it.

    A refusal raises ``HTTPException(status, detail, headers={"WWW-Authenticate": …})``:
    ``detail`` is the crate's answer as a dict (``{"error", "error_description",
    "reason"}``), or ``"Not authenticated"`` when the request carried no bearer token.

    To test a service, override the dependency with one that trusts the test keys:
    ``app.dependency_overrides[auth] = FaciliooBearer(TestIssuer(auth.verifier).verifier())``
    (see ``facilioo_jwt.testing``). That covers the dependencies ``require``,
    ``require_company`` and ``require_account`` make, which verify through ``auth``.

    It is generic in its verifier's type: ``FaciliooBearer(LiveVerifier(…))`` is a
    ``FaciliooBearer[LiveVerifier]``, whose ``.verifier.reload_keys(…)`` type-checks.
    """

    verifier: V

    def __init__(
        self,
        verifier: V,
        *,
        auto_error: bool = True,
        scheme_name: Optional[str] = None,
        description: Optional[str] = None,
    ) -> None:
        self.verifier = verifier
        self.auto_error = auto_error
        self.model = HTTPBearerModel(bearerFormat="JWT", description=description)
        self.scheme_name = scheme_name or "FaciliooBearer"

    async def __call__(self, request: HTTPConnection) -> Optional[VerifiedToken]:
        # Every Authorization header, so that two of them are refused (400), not one picked;
        # their bytes as the client sent them (the server gives header names in lower case).
        values = [value for name, value in request.headers.raw if name == b"authorization"]
        if not values and not self.auto_error:
            return None
        try:
            return self.verifier.verify_authorization(values or None)
        except FaciliooJwtError as refused:
            raise http_exception(refused) from None

    def require(self, *party_types: Union[int, str]) -> Callable[..., Awaitable[VerifiedToken]]:
        """A dependency that admits only tokens of these party types (``PartyType`` members,
        ids, or names: facilioo's, ``"Contractor"``, or the member's, ``"CONTRACTOR"``) and
        yields the token; a token of another party type, or of none, gets 403
        ``insufficient_scope`` with the crate's challenge. A request without a token is
        refused (401) even when ``auto_error`` is off."""
        verifier = self.verifier

        async def require_party_types(
            token: Optional[VerifiedToken] = Security(self),
        ) -> VerifiedToken:
            try:
                if token is None:
                    # Raises MissingToken: the crate's answer to a request without a token.
                    token = verifier.verify_authorization(None)
                verifier.require_party_types(token, party_types)
            except FaciliooJwtError as refused:
                raise http_exception(refused) from None
            return token

        return require_party_types

    def require_company(
        self, *, path_param: str = "company_id"
    ) -> Callable[..., Awaitable[VerifiedToken]]:
        """A dependency that admits only tokens of the company the route's path parameter
        ``path_param`` names (``/companies/{company_id}/…``) and yields the token; a token of
        another company, or of none, gets 403 ``insufficient_scope`` with the crate's
        challenge and body (``reason``: ``company_not_allowed``), as
        ``Verifier.require_company`` raises it. The parameter is an ``int`` from 0 to
        2^64 − 1, validated by FastAPI as a route's own (422 otherwise); ids are compared as
        numbers (``007`` is company 7). A request without a token is refused (401) even when
        ``auto_error`` is off."""
        return self._require_id(path_param, "require_company")

    def require_account(
        self, *, path_param: str = "account_id"
    ) -> Callable[..., Awaitable[VerifiedToken]]:
        """A dependency that admits only the token of the account the route's path parameter
        ``path_param`` names (``/accounts/{account_id}/…``) and yields it; another account's
        token gets 403 ``insufficient_scope`` (``reason``: ``account_not_allowed``), as
        ``require_company`` says."""
        return self._require_id(path_param, "require_account")

    def _require_id(
        self, path_param: str, check: str
    ) -> Callable[..., Awaitable[VerifiedToken]]:
        if not isinstance(path_param, str) or not path_param.isidentifier():
            raise ValueError(f"path_param: not a parameter name: {path_param!r}")
        if path_param == _TOKEN:
            raise ValueError(f"path_param: {_TOKEN} is this dependency's own parameter")
        verifier = self.verifier
        require: Callable[[VerifiedToken, int], None] = getattr(verifier, check)

        async def require_id(**values: Any) -> VerifiedToken:
            token: Optional[VerifiedToken] = values[_TOKEN]
            try:
                if token is None:
                    # Raises MissingToken: the crate's answer to a request without a token.
                    token = verifier.verify_authorization(None)
                require(token, values[path_param])
            except FaciliooJwtError as refused:
                raise http_exception(refused) from None
            return token

        # FastAPI reads a dependency's parameters from its signature: the token, from this
        # security dependency, and the path parameter, as the route names it.
        setattr(require_id, "__signature__", inspect.Signature([
            inspect.Parameter(_TOKEN, inspect.Parameter.KEYWORD_ONLY,
                              default=Security(self), annotation=Optional[VerifiedToken]),
            inspect.Parameter(path_param, inspect.Parameter.KEYWORD_ONLY,
                              default=Path(ge=0, le=_MAX_ID), annotation=int),
        ]))
        require_id.__name__ = f"{check}_{path_param}"
        return require_id


# The name under which a dependency of ``_require_id`` gets the token.
_TOKEN = "facilioo_token"
