"""Test tokens for services that verify facilioo tokens: nobody outside facilioo holds its
signing keys, so this is how a protected handler gets a token to test with.

A ``TestIssuer`` signs with test keys the crate ships: three trusted ones (``"1"``, ``"2"``,
``"3"``, so a test can sign with key 3 of 3) and one that is never trusted
(``"untrusted"``). Their private halves are public: **never trust them in production**.
Every verifier can tell (``VerifiedToken.is_test_key``), and ``refuse_test_keys=True``
refuses their tokens outright.

>>> from facilioo_jwt.testing import TestIssuer
>>> from facilioo_jwt import PartyType, ExpiredToken
>>> issuer = TestIssuer()
>>> verifier = issuer.verifier()
>>> token = issuer.token(account=42, company=7, party_type=PartyType.CONTRACTOR)
>>> verified = verifier.verify(token)
>>> (verified.account_id, verified.company_id, verified.party_type)
(42, 7, <PartyType.CONTRACTOR: 5>)
>>> try:
...     verifier.verify(issuer.token(refusal="expired"))
... except ExpiredToken as e:
...     print(e.http_status, e.code)
401 expired
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Iterable, Optional, Union

from . import LiveVerifier, _native
from ._native import Verifier

if TYPE_CHECKING:
    from . import PartyType

__all__ = ["TestIssuer", "REFUSALS", "TEST_KEYS", "trusted_keys_pem", "test_key_pem"]

#: The refusals ``TestIssuer.token(refusal=…)`` takes, each with the code a verifier refuses
#: it with: ``{"expired": "expired", "wrong_issuer": "invalid_issuer", …}``.
REFUSALS: dict[str, str] = dict(_native._test_refusals())

#: The test keys by name: ``"1"``, ``"2"``, ``"3"`` (trusted by a test issuer's verifier)
#: and ``"untrusted"``.
TEST_KEYS: tuple[str, ...] = ("1", "2", "3", "untrusted")


def test_key_pem(key: str) -> str:
    """The public half of one test key, PKCS#1 PEM."""
    return _native._test_key_pem(key)


test_key_pem.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def trusted_keys_pem() -> str:
    """The public halves of test keys 1 to 3: what a service under test trusts
    (``Verifier(trusted_keys_pem(), …)``)."""
    return _native._trusted_keys_pem()


class TestIssuer:
    """Signs test tokens, and builds the verifiers that accept them.

    ``TestIssuer()`` mints for facilioo's dev issuer and audience;
    ``TestIssuer(verifier)`` mints for what ``verifier`` accepts: its first issuer and
    audience, its party-type claim, and (when it requires party types) the first it allows.
    """

    __test__ = False  # not a pytest test class

    def __init__(self, verifier: Optional[Verifier] = None) -> None:
        if verifier is not None and not isinstance(verifier, Verifier):
            raise TypeError("verifier: expected a Verifier or LiveVerifier, or None")
        self._native = _native.TestIssuer(verifier)
        self._verifier = verifier

    @property
    def issuer(self) -> str:
        """The ``iss`` its tokens carry."""
        return self._native.issuer

    @property
    def audience(self) -> str:
        """The ``aud`` its tokens carry."""
        return self._native.audience

    @property
    def trusted_keys_pem(self) -> str:
        """The PEM of test keys 1 to 3."""
        return trusted_keys_pem()

    def token(
        self,
        *,
        account: Optional[int] = None,
        company: Optional[int] = None,
        no_company: bool = False,
        party_type: Union[PartyType, int, str, None] = None,
        no_party_type: bool = False,
        issuer: Union[str, list[str], None] = None,
        audience: Union[str, list[str], None] = None,
        not_before: Union[int, float, datetime, None] = None,
        expires_at: Union[int, float, datetime, None] = None,
        expires_in: Union[int, float, timedelta, None] = None,
        now: Union[int, float, datetime, None] = None,
        claims: Optional[dict[str, Any]] = None,
        remove_claims: Optional[Iterable[str]] = None,
        header: Optional[dict[str, Any]] = None,
        key: str = "1",
        refusal: Optional[str] = None,
    ) -> str:
        """A signed token, valid for an hour from now: account 1 of company 1, signed by
        test key 1, for this issuer's ``issuer`` and ``audience``, without a party type
        unless the verifier it was made for requires one (then the first it admits).
        Keywords change it:

        - ``account``, ``company``, ``no_company=True``; ``party_type`` (a ``PartyType``, an
          id or a name: facilioo's or the member's), ``no_party_type=True``;
        - ``issuer``, ``audience`` (a string, or a list for ``aud``);
        - ``not_before``, ``expires_at`` (seconds or an aware ``datetime``), ``expires_in``
          (seconds or a ``timedelta``), ``now`` (what ``nbf``/``exp`` are relative to);
        - ``claims`` (a dict of claims to set, any JSON), ``remove_claims`` (names);
          ``header`` (a dict of header members; ``None`` removes one);
        - ``key``: ``"1"``, ``"2"``, ``"3"`` or ``"untrusted"``;
        - ``refusal``: one of ``REFUSALS`` (``"expired"``, ``"bad_signature"``, …), for a
          token refused with that refusal's code.
        """
        for a, b in (("company", "no_company"), ("party_type", "no_party_type"),
                     ("expires_at", "expires_in")):
            if locals()[a] not in (None, False) and locals()[b] not in (None, False):
                raise ValueError(f"{a} and {b}: give one of them")
        if refusal in ("expired", "not_yet_valid") and (
            not_before is not None or expires_at is not None or expires_in is not None
        ):
            raise ValueError(f"refusal={refusal!r} sets the token's times: give no other")
        if not isinstance(key, str):
            raise TypeError("key: expected '1', '2', '3' or 'untrusted'")
        return self._native.token(
            account=account,
            company=company,
            no_company=no_company,
            party_type=party_type,
            no_party_type=no_party_type,
            issuer=issuer,
            audience=audience,
            not_before=not_before,
            expires_at=expires_at,
            expires_in=expires_in,
            now=now,
            claims=claims,
            remove_claims=remove_claims,
            header=header,
            key=key,
            refusal=refusal,
        )

    def authorization(self, **claims: Any) -> str:
        """``Bearer <token>``: the ``Authorization`` header value of ``token(**claims)``
        (the same keywords)."""
        return "Bearer " + self.token(**claims)

    def verifier(self, **options: Any) -> Verifier:
        """A ``Verifier`` trusting test keys 1 to 3, with the rules of the verifier this
        issuer was made for (or facilioo's dev issuer and audience). ``options`` are
        ``Verifier``'s keywords and override those rules."""
        return Verifier(self.trusted_keys_pem, **self._options(options))

    def live_verifier(self, **options: Any) -> LiveVerifier:
        """As ``verifier``, but a ``LiveVerifier``."""
        return LiveVerifier(self.trusted_keys_pem, **self._options(options))

    def _options(self, options: dict[str, Any]) -> dict[str, Any]:
        base: dict[str, Any] = {"issuers": self.issuer, "audiences": self.audience}
        if self._verifier is not None:
            base = self._verifier._options()
            base.pop("refuse_test_keys", None)
        base.update(options)
        return base


def _main(argv: Optional[list[str]] = None) -> int:
    """``python -m facilioo_jwt.testing``: test tokens and the keys that accept them, for
    trying a running service by hand."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m facilioo_jwt.testing",
        description="Test tokens signed with facilioo_jwt's public test keys, and those keys.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    keys = commands.add_parser("keys", help="print the PEM of test keys 1 to 3, to trust")
    keys.set_defaults(command="keys")
    token = commands.add_parser("token", help="print a test token")
    token.add_argument("--account", type=int)
    token.add_argument("--company", type=int)
    token.add_argument("--no-company", action="store_true")
    token.add_argument("--party-type", help="an id or a name, e.g. 5, Contractor or CONTRACTOR")
    token.add_argument("--issuer", help=f"iss (default {_native.DEV_ISSUER})")
    token.add_argument("--audience", help=f"aud (default {_native.DEV_AUDIENCE})")
    token.add_argument("--expires-in", type=int, metavar="SECONDS")
    token.add_argument("--key", default="1", choices=TEST_KEYS)
    token.add_argument("--refusal", choices=sorted(REFUSALS))
    token.add_argument("--bearer", action="store_true", help="print 'Bearer <token>'")
    args = parser.parse_args(argv)
    if args.command == "keys":
        print(trusted_keys_pem(), end="")
        return 0
    name: Optional[str] = args.party_type
    party_type: Union[int, str, None] = int(name) if name and name.isdigit() else name
    try:
        minted = TestIssuer().token(
            account=args.account,
            company=args.company,
            no_company=args.no_company,
            party_type=party_type,
            issuer=args.issuer,
            audience=args.audience,
            expires_in=args.expires_in,
            key=args.key,
            refusal=args.refusal,
        )
    except (TypeError, ValueError) as e:
        parser.error(str(e))
    print(("Bearer " if args.bearer else "") + minted)
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
