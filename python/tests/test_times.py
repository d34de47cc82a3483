"""Times at the edges of what Python's datetime holds (years 1 to 9999): a `now` outside them is
refused at the call, every `now` inside them is taken, and a claim time outside them (the
crate reads `exp` and `nbf` from year -9999 to 9999) reads as None, with its seconds kept.
No attribute of a VerifiedToken or of a refusal raises."""

from __future__ import annotations

import pickle
from datetime import datetime, timedelta, timezone

import pytest

from facilioo_jwt import ExpiredToken, FaciliooJwtError, TokenNotYetValid

UTC = timezone.utc
FIRST = -62_135_596_800  # 0001-01-01T00:00:00Z, datetime.min in UTC
LAST = 253_402_300_799  # 9999-12-31T23:59:59Z, the last whole second of datetime.max
EARLIEST_CLAIM = -377_705_116_800  # -9999-01-01T00:00:00Z, the crate's earliest exp or nbf
NOW = 1_767_225_600


def read_everything(obj: object) -> dict[str, object]:
    """Every public attribute of `obj`, each of which must read without raising."""
    return {name: getattr(obj, name) for name in dir(obj) if not name.startswith("_")}


def refusal(call) -> FaciliooJwtError:
    with pytest.raises(FaciliooJwtError) as refused:
        call()
    e = refused.value
    read_everything(e)
    read_everything(e.refusal)
    str(e), repr(e)
    return e


@pytest.mark.parametrize(
    "now",
    [
        2**63 - 1,
        -(2**62),
        -(2**63),
        LAST + 1,  # 10000-01-01T00:00:00Z
        FIRST - 1,
        float(LAST + 1),
        FIRST - 0.5,  # rounded down, into year 0
        -(2.0**63),
        datetime(9999, 12, 31, 23, tzinfo=timezone(-timedelta(hours=2))),  # year 10000 in UTC
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))),  # year 0 in UTC
    ],
)
def test_a_now_python_cannot_show_is_refused_at_the_call(issuer, now):
    verifier = issuer.verifier()
    token = issuer.token()
    for call in (lambda: verifier.verify(token, now=now),
                 lambda: verifier.verify_authorization("Bearer " + token, now=now)):
        with pytest.raises(ValueError, match=r"^now: .*years 1 to 9999") as refused:
            call()
        assert not isinstance(refused.value, FaciliooJwtError)
        assert str(FIRST) in str(refused.value) and str(LAST) in str(refused.value)


@pytest.mark.parametrize(
    "now, seconds",
    [
        (FIRST, FIRST),
        (LAST, LAST),
        (LAST + 0.999, LAST),
        (datetime.min.replace(tzinfo=UTC), FIRST),
        # 9999-12-31T23:59:59.999999: its float timestamp() rounds up to year 10000.
        (datetime.max.replace(tzinfo=UTC), LAST),
        (datetime(1, 1, 1, 1, tzinfo=timezone(timedelta(hours=1))), FIRST),
        (datetime(9999, 12, 31, 22, 59, 59, tzinfo=timezone(-timedelta(hours=1))), LAST),
    ],
)
def test_every_now_python_can_show_is_taken(issuer, now, seconds):
    verifier = issuer.verifier()
    token = verifier.verify(issuer.token(not_before=seconds, expires_at=min(seconds + 3600, LAST)), now=now)
    assert token.not_before == datetime.fromtimestamp(0, UTC) + timedelta(seconds=seconds)
    read_everything(token)
    # Refused at that time: the refusal tells when it was checked.
    expired = refusal(lambda: verifier.verify(issuer.token(expires_at=seconds - 3600, not_before=seconds - 7200), now=now))
    assert isinstance(expired, ExpiredToken)
    assert expired.checked_at == datetime.fromtimestamp(0, UTC) + timedelta(seconds=seconds)


def test_a_claim_time_before_year_one_reads_as_none(issuer):
    verifier = issuer.verifier()
    # A token valid since year -9999: accepted, and its nbf is no datetime.
    token = verifier.verify(issuer.token(now=NOW, not_before=EARLIEST_CLAIM), now=NOW)
    assert (token.not_before, token.not_before_seconds) == (None, EARLIEST_CLAIM)
    assert token.expires_at == datetime.fromtimestamp(NOW + 3600, UTC)
    assert token.expires_at_seconds == NOW + 3600
    assert read_everything(token)["claims"]["nbf"] == EARLIEST_CLAIM
    # A token that expired in year 0 is still within the leeway at the first second of year 1.
    token = verifier.verify(issuer.token(not_before=FIRST - 7200, expires_at=FIRST - 30), now=FIRST)
    assert (token.expires_at, token.expires_at_seconds) == (None, FIRST - 30)
    assert (token.not_before, token.not_before_seconds) == (None, FIRST - 7200)
    read_everything(token)


def test_a_token_without_nbf(issuer):
    token = issuer.verifier().verify(issuer.token(remove_claims=["nbf"]))
    assert (token.not_before, token.not_before_seconds) == (None, None)


@pytest.mark.parametrize("header", [False, True])
def test_refusals_of_times_python_cannot_show(issuer, header):
    verifier = issuer.verifier()

    def check(token: str, now: int) -> FaciliooJwtError:
        if header:
            return refusal(lambda: verifier.verify_authorization("Bearer " + token, now=now))
        return refusal(lambda: verifier.verify(token, now=now))

    expired = check(issuer.token(not_before=EARLIEST_CLAIM, expires_at=EARLIEST_CLAIM + 1), NOW)
    assert isinstance(expired, ExpiredToken)
    assert (expired.expired_at, expired.expired_at_seconds) == (None, EARLIEST_CLAIM + 1)
    assert expired.checked_at == datetime.fromtimestamp(NOW, UTC)
    copy = pickle.loads(pickle.dumps(expired))
    assert (copy.expired_at, copy.expired_at_seconds, copy.checked_at) == (None, EARLIEST_CLAIM + 1, expired.checked_at)
    read_everything(copy)

    # The latest nbf the crate reads is the last second datetime holds.
    early = check(issuer.token(not_before=LAST, expires_at=LAST), NOW)
    assert isinstance(early, TokenNotYetValid)
    assert early.not_before == datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert early.not_before_seconds == LAST
    # And the earliest `now` with the latest nbf, the latest `now` with the earliest exp.
    assert check(issuer.token(not_before=LAST, expires_at=LAST), FIRST).checked_at == datetime.min.replace(tzinfo=UTC)
    late = check(issuer.token(not_before=EARLIEST_CLAIM, expires_at=EARLIEST_CLAIM), LAST)
    assert late.checked_at == datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert late.expired_at is None

