"""What a service writes, type-checked by tests/test_types.py (never run)."""

from datetime import datetime
from typing import Awaitable, Callable, Optional, Union
from facilioo_jwt import Verifier, LiveVerifier, VerifiedToken, PartyType, FaciliooJwtError, ExpiredToken, TokenNotYetValid, DEV_ISSUER, DEV_AUDIENCE
from facilioo_jwt import AccountNotAllowed, CompanyNotAllowed, ScopeError
from facilioo_jwt.testing import TestIssuer
from facilioo_jwt.fastapi import FaciliooBearer

v = Verifier(issuers=DEV_ISSUER, audiences=[DEV_AUDIENCE], party_types=PartyType.USER, cache=10)
lv = LiveVerifier(None, issuers=DEV_ISSUER, audiences=DEV_AUDIENCE, party_types=[5, "Contractor"])
i = TestIssuer(v)
t: VerifiedToken = i.verifier().verify(i.token(account=3, party_type=PartyType.USER))
a: int = t.account_id
c: Optional[int] = t.company_id
p: Union[PartyType, int, None] = t.party_type
e: Optional[datetime] = t.expires_at
es: int = t.expires_at_seconds
n: Optional[datetime] = t.not_before
ns: Optional[int] = t.not_before_seconds
try:
    v.verify_authorization("Bearer x")
except ExpiredToken as ex:
    when: Optional[datetime] = ex.expired_at
    when_s: int = ex.expired_at_seconds
    checked: datetime = ex.checked_at
except TokenNotYetValid as ny:
    nbf: Optional[datetime] = ny.not_before
    nbf_s: int = ny.not_before_seconds
except FaciliooJwtError as ex2:
    s: int = ex2.http_status
    w: str = ex2.www_authenticate
    b: Optional[str] = ex2.body
keys, changed = lv.reload_keys("/tmp/x.pem")
auth = FaciliooBearer(v)
v.require_party_types(t, [PartyType.USER, "Contractor", "CONTRACTOR", 5])
v.require_company(t, 7)
lv.require_account(t, 42)
try:
    v.require_company(t, 8)
except CompanyNotAllowed as scoped:
    route_company: int = scoped.required
    token_company: Optional[int] = scoped.found
except AccountNotAllowed as other:
    route_account: int = other.required
    token_account: int = other.found
except ScopeError as forbidden:
    status: int = forbidden.http_status

# The README's FastAPI service: a LiveVerifier's own methods through the dependency.
live_auth = FaciliooBearer(LiveVerifier(issuers=DEV_ISSUER, audiences=DEV_AUDIENCE, cache=4096))
reloaded: tuple[int, bool] = live_auth.verifier.reload_keys("/etc/facilioo/keys.pem")
swapped: bool = live_auth.verifier.replace_keys(TestIssuer(live_auth.verifier).trusted_keys_pem)
same_keys: LiveVerifier = FaciliooBearer(live_auth.verifier, auto_error=False).verifier
plain: Verifier = auth.verifier
by_company: Callable[..., Awaitable[VerifiedToken]] = live_auth.require_company()
by_account = live_auth.require_account(path_param="user_id")
override = FaciliooBearer(TestIssuer(live_auth.verifier).verifier())
