"""Verify facilioo access tokens: RS256 JWTs whose ``sub`` is an object
(``{"accountId": 2, "companyId": 2}``) and whose signing key is not named (no ``kid``).

The facilioo-jwt Rust crate, as a wheel: every rule is the crate's, and the GIL is released
while a token is verified.

>>> from facilioo_jwt import Verifier, ExpiredToken, FaciliooJwtError
>>> verifier = Verifier(issuers="dev-api.facilioo.de", audiences="dev-app.facilioo.de")
>>> try:
...     token = verifier.verify("not a token")
... except FaciliooJwtError as refused:
...     print(refused.http_status, refused.code)
401 malformed
"""

from __future__ import annotations

import os
from enum import IntEnum
from typing import Any, Union

from . import _errors, _native
from ._errors import *  # noqa: F403  (the exceptions: _errors.__all__)
from ._errors import ERRORS as _ERRORS
from ._native import VerifiedToken, Verifier

__all__ = [
    "Verifier",
    "LiveVerifier",
    "VerifiedToken",
    "PartyType",
    "DEV_ISSUER",
    "DEV_AUDIENCE",
    "DEFAULT_LEEWAY",
    "BACKEND",
    *_errors.__all__,
]

__version__ = "0.1.0"

#: facilioo's dev environment: the ``iss`` of its tokens.
DEV_ISSUER: str = _native.DEV_ISSUER
#: facilioo's dev environment: the ``aud`` of its tokens.
DEV_AUDIENCE: str = _native.DEV_AUDIENCE
#: The leeway a ``Verifier`` allows on ``nbf`` and ``exp`` unless told otherwise, in seconds.
DEFAULT_LEEWAY: int = _native.DEFAULT_LEEWAY
#: The cryptography backend of this build (``aws-lc-rs``).
BACKEND: str = _native.BACKEND


class PartyType(IntEnum):
    """The kind of party a facilioo account belongs to; it decides the account's access.

    The values are facilioo's ids. An id facilioo has not documented is kept as a plain
    ``int`` (``VerifiedToken.party_type``), never refused.
    """

    PROPERTY_MANAGEMENT_COMPANY = 2
    POOL_MANAGER = 3
    CONTRACTOR = 5
    USER = 7
    GUEST = 11
    INSURANCE_BROKER = 13
    INSURER = 14

    @property
    def facilioo_name(self) -> str:
        """facilioo's name for it, e.g. ``"PropertyManagementCompany"``."""
        return _FACILIOO_NAMES[self.value]


_FACILIOO_NAMES = dict(_native._party_types())


class LiveVerifier(Verifier):
    """A ``Verifier`` whose keys can be swapped while requests are verified: ``reload_keys``
    from a file (on ``SIGHUP``, or every few minutes) and ``replace_keys``. It takes
    ``Verifier``'s arguments; verifications in flight finish with the keys they started
    with, and a cache starts empty with new keys."""

    __slots__ = ()

    def reload_keys(self, path: Union[str, os.PathLike[str]]) -> tuple[int, bool]:
        """Loads the key file at ``path`` (at most 1 MiB, any form ``Verifier`` takes) and
        puts its keys in use. Returns ``(number of keys, whether they changed)``. On any
        error (missing, unreadable, too large, no valid key) ``KeyLoadError`` is raised,
        naming the file, and the keys in use stay."""
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError("path: expected str or os.PathLike")
        return _native._reload_keys(self, path)

    def replace_keys(self, keys: Any) -> bool:
        """Puts ``keys`` (anything ``Verifier``'s ``keys`` takes) in use. Returns whether
        they differ from the keys in use; raises ``KeyLoadError`` if they do not load."""
        return _native._replace_keys(self, keys)


def _party_type(id: int) -> Union[PartyType, int]:
    """The ``PartyType`` member for a documented id, else the id."""
    try:
        return PartyType(id)
    except ValueError:
        return id


_native._register(_ERRORS, _errors.TokenError, _errors.KeyLoadError, PartyType)
