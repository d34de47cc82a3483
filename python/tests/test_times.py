"""Times at the edges of what Python's datetime holds (years 1 to 9999): a `now` outside them is
refused at the call, every `now` inside them is taken (as a number of seconds up to 10^11, in
year 5138: a larger number is refused as milliseconds), and a claim time outside them (the
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
MILLIS = 10**11  # 5138-11-16T09:46:40Z: the last number of seconds a `now` may be
LAST_DATETIME = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)  # LAST, as a `now`


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
        -(2**62),
        -(2**63),
        -(2**64),
        FIRST - 1,
        FIRST - 0.5,  # rounded down, into year 0
        -(2.0**63),
        -1e300,
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
    "now",
    [
        MILLIS + 1,
        MILLIS + 1.0,
        NOW * 1000,  # time.time() * 1000, JavaScript's Date.now()
        NOW * 1000.0 + 0.5,
        NOW * 10**9,  # time.time_ns()
        LAST + 1,  # year 10000 in seconds; 1978 in milliseconds
        2**63 - 1,
        2**64,
        2.0**63,
        1e300,
    ],
)
def test_a_now_that_looks_like_milliseconds_is_refused_at_the_call(issuer, now):
    # As the crate's command line: a number of seconds after year 5138 is a clock read in
    # milliseconds (or finer), which would put every token long expired.
    verifier = issuer.verifier()
    token = issuer.token()
    for call in (lambda: verifier.verify(token, now=now),
                 lambda: verifier.verify_authorization("Bearer " + token, now=now)):
        with pytest.raises(ValueError) as refused:
            call()
        assert not isinstance(refused.value, FaciliooJwtError)
        seconds = int(now) // 1000
        if seconds <= MILLIS:
            # In the crate's command line's words (--now), with the seconds it would be.
            assert str(refused.value) == f"now: {now} looks like milliseconds: now takes seconds ({seconds})"
        else:
            assert str(refused.value) == (
                f"now: {now} looks like milliseconds or a finer unit: now takes seconds, "
                "at most 100000000000 (year 5138)")


def test_the_last_number_of_seconds_and_the_last_datetime_are_taken(issuer):
    verifier = issuer.verifier()
    token = issuer.token(not_before=FIRST, expires_at=LAST)
    assert verifier.verify(token, now=MILLIS).expires_at_seconds == LAST
    assert verifier.verify(token, now=MILLIS + 0.999).expires_at_seconds == LAST
    assert verifier.verify(token, now=LAST_DATETIME).expires_at_seconds == LAST
    assert verifier.verify(token, now=datetime.max.replace(tzinfo=UTC)).expires_at_seconds == LAST
    # The test kit's times are any second: a test token may carry what no service's clock reads.
    assert issuer.token(now=NOW * 1000, expires_in=0)


@pytest.mark.parametrize(
    "now, seconds",
    [
        (FIRST, FIRST),
        (MILLIS, MILLIS),
        (MILLIS + 0.999, MILLIS),
        (LAST_DATETIME, LAST),
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

    def check(token: str, now: int | datetime) -> FaciliooJwtError:
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
    late = check(issuer.token(not_before=EARLIEST_CLAIM, expires_at=EARLIEST_CLAIM), LAST_DATETIME)
    assert late.checked_at == datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert late.expired_at is None

