"""Type stubs of the native module: the facilioo-jwt crate, built with PyO3."""

import os
from datetime import datetime, timedelta
from typing import Any, Iterable, Optional, Sequence, Union

from . import PartyType

_Keys = Union[None, str, bytes, "os.PathLike[str]", dict[str, Any]]
_Time = Union[None, int, float, datetime]
_Seconds = Union[int, float, timedelta]
_PartyTypeLike = Union[PartyType, int, str]
_Strings = Union[str, Iterable[str]]
_Header = Union[None, str, bytes, Sequence[Union[str, bytes]]]

CODES: tuple[str, ...]
BACKEND: str
DEV_ISSUER: str
DEV_AUDIENCE: str
DEFAULT_LEEWAY: int
MIN_SIGNED_TOKEN_LEN: int

class VerifiedToken:
    """A token that passed: who it speaks for, and its claims."""

    @property
    def account_id(self) -> int: ...
    @property
    def company_id(self) -> Optional[int]: ...
    @property
    def party_type(self) -> Union[PartyType, int, None]: ...
    @property
    def issuer(self) -> str: ...
    @property
    def audience(self) -> str: ...
    @property
    def not_before(self) -> Optional[datetime]:
        """``nbf`` (UTC); ``None`` without one, or when it is before year 1."""
    @property
    def not_before_seconds(self) -> Optional[int]:
        """``nbf`` in Unix seconds; ``None`` without one."""
    @property
    def expires_at(self) -> Optional[datetime]:
        """``exp`` (UTC); ``None`` only when it is before year 1, which no datetime holds."""
    @property
    def expires_at_seconds(self) -> int:
        """``exp`` in Unix seconds."""
    @property
    def claims(self) -> dict[str, Any]: ...
    @property
    def key_index(self) -> int: ...
    @property
    def key_thumbprint(self) -> str: ...
    @property
    def is_test_key(self) -> bool: ...

class Verifier:
    """Verifies facilioo tokens against a key set and a policy."""

    def __init__(
        self,
        keys: _Keys = None,
        *,
        issuers: _Strings,
        audiences: _Strings,
        leeway: Optional[_Seconds] = None,
        party_types: Union[_PartyTypeLike, Iterable[_PartyTypeLike], None] = None,
        cache: Optional[int] = None,
        realm: str = "facilioo",
        party_type_claim: Optional[str] = None,
        refuse_test_keys: bool = False,
        max_token_len: Optional[int] = None,
    ) -> None: ...
    def verify(self, token: Union[str, bytes], now: _Time = None) -> VerifiedToken:
        """Raises ``ValueError`` for a ``now`` outside years 1 to 9999 (UTC), or a number
        of seconds after 10^11 (year 5138), which looks like milliseconds. A token with a
        ``Bearer `` prefix or whitespace around it is refused as malformed, saying so."""
    def verify_authorization(self, authorization: _Header, now: _Time = None) -> VerifiedToken:
        """Raises ``ValueError`` for a ``now`` outside years 1 to 9999 (UTC), or a number
        of seconds after 10^11 (year 5138), which looks like milliseconds."""
    def require_party_types(
        self, token: VerifiedToken, allowed: Union[_PartyTypeLike, Iterable[_PartyTypeLike]]
    ) -> None: ...
    def require_company(self, token: VerifiedToken, company: int) -> None:
        """Raises ``CompanyNotAllowed`` (403) unless ``token``'s account belongs to company
        ``company``."""
    def require_account(self, token: VerifiedToken, account: int) -> None:
        """Raises ``AccountNotAllowed`` (403) unless ``token`` is account ``account``'s."""
    @property
    def realm(self) -> str: ...
    @property
    def issuers(self) -> list[str]: ...
    @property
    def audiences(self) -> list[str]: ...
    @property
    def leeway(self) -> int: ...
    @property
    def key_count(self) -> int: ...
    def stats(self) -> dict[str, Any]: ...
    def _options(self) -> dict[str, Any]: ...

class Refusal:
    """Why a token or an ``Authorization`` header was refused."""

    @property
    def code(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def http_status(self) -> int: ...
    @property
    def www_authenticate(self) -> str: ...
    @property
    def error(self) -> Optional[str]: ...
    @property
    def description(self) -> Optional[str]: ...
    @property
    def body(self) -> Optional[str]: ...
    @property
    def claim(self) -> Optional[str]: ...
    @property
    def claim_time(self) -> Optional[int]:
        """``exp`` of an expired token, ``nbf`` of a token not yet valid, in Unix seconds."""
    @property
    def checked_at(self) -> Optional[int]:
        """The ``now`` an expired or not-yet-valid token was checked at, in Unix seconds."""
    @property
    def party_type(self) -> Optional[int]: ...
    @property
    def required(self) -> Optional[int]:
        """The company or account the route is for (``company_not_allowed``,
        ``account_not_allowed``)."""
    @property
    def found(self) -> Optional[int]:
        """The token's company (``None``: it has none) or account, for the same codes."""

class TestIssuer:
    def __init__(self, verifier: Optional[Verifier] = None) -> None: ...
    @property
    def issuer(self) -> str: ...
    @property
    def audience(self) -> str: ...
    def token(self, **claims: Any) -> str: ...

def _register(errors: dict[str, type], token_error: type, key_load_error: type, party_type: type) -> None: ...
def _http_status(code: str) -> int: ...
def _party_types() -> list[tuple[int, str]]: ...
def _test_refusals() -> list[tuple[str, str]]: ...
def _test_key_pem(name: str) -> str: ...
def _trusted_keys_pem() -> str: ...
def _rsa_seconds(token: str, key: str, iterations: int) -> float: ...
def _reload_keys(verifier: Verifier, path: Union[str, "os.PathLike[str]"]) -> tuple[int, bool]: ...
def _replace_keys(verifier: Verifier, keys: _Keys) -> bool: ...
