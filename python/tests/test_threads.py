"""Threads sharing one verifier: every verdict right, while keys are swapped under them."""

from __future__ import annotations

import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from facilioo_jwt import FaciliooJwtError, LiveVerifier
from facilioo_jwt.testing import test_key_pem


def test_threads_share_one_verifier(issuer):
    verifier = issuer.verifier(cache=64)
    tokens = [(issuer.token(account=i + 1, key="123"[i % 3]), i + 1) for i in range(24)]
    tokens += [(issuer.token(refusal="bad_signature"), None), (issuer.token(refusal="expired"), None)]

    def work(offset: int) -> int:
        wrong = 0
        for n in range(300):
            token, account = tokens[(n + offset) % len(tokens)]
            try:
                wrong += verifier.verify(token).account_id != account
            except FaciliooJwtError:
                wrong += account is not None
        return wrong

    with ThreadPoolExecutor(8) as pool:
        assert sum(pool.map(work, range(8))) == 0
    stats = verifier.stats()
    assert sum(stats["outcomes"].values()) == 8 * 300
    assert stats["cache"]["hits"] > 0


def test_threads_verify_while_keys_are_swapped(issuer):
    live = LiveVerifier(test_key_pem("1"), issuers=issuer.issuer, audiences=issuer.audience)
    one, two = issuer.token(key="1"), issuer.token(key="2")
    stop = threading.Event()
    failures: list[str] = []

    def swap() -> None:
        while not stop.is_set():
            live.replace_keys(test_key_pem("1") + test_key_pem("2"))
            live.replace_keys(test_key_pem("1"))

    def verify() -> None:
        for _ in range(2000):
            try:
                live.verify(one)  # key 1 is in every set
            except FaciliooJwtError as e:
                failures.append(e.code)
            try:
                live.verify(two)
            except FaciliooJwtError as e:
                if e.code != "invalid_signature":
                    failures.append(e.code)

    swapper = threading.Thread(target=swap)
    swapper.start()
    workers = [threading.Thread(target=verify) for _ in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    stop.set()
    swapper.join()
    assert failures == []


@pytest.mark.parametrize("call", ["verify", "verify_authorization"])
def test_the_gil_is_released_while_a_token_is_verified(issuer, call):
    """Another thread runs while tokens are verified, though the interpreter would hand it the
    GIL only after 1000 s: only verify's own release lets it in (no timing is judged)."""
    verifier = issuer.verifier()
    token = issuer.token()
    if call == "verify_authorization":
        token = "Bearer " + token
    verify = getattr(verifier, call)
    progress: list[int] = []
    counter = 0
    started = threading.Event()
    done = threading.Event()

    def count() -> None:
        nonlocal counter
        started.set()
        while not done.is_set():
            counter += 1
            time.sleep(0)  # gives the GIL back at once

    before = sys.getswitchinterval()
    sys.setswitchinterval(1000)
    try:
        counting = threading.Thread(target=count)
        counting.start()
        started.wait()
        for _ in range(500):
            verify(token)
            progress.append(counter)
        done.set()
        counting.join()
    finally:
        sys.setswitchinterval(before)
    # Without the release the count cannot move during the loop (0); with it, the other
    # thread wins some of the races for the GIL (about one in four here, fewer on a busy
    # machine).
    advanced = sum(b > a for a, b in zip(progress, progress[1:]))
    assert advanced >= 1, progress


def test_the_length_from_which_the_gil_is_released():
    """MIN_SIGNED_TOKEN_LEN: a 2048-bit signature in base64url (the smallest modulus the crate
    accepts) and two dots. A shorter token is refused without an RSA operation, so it keeps
    the GIL; the test above shows a signed token lets go of it."""
    import base64

    from facilioo_jwt import _native

    signature = base64.urlsafe_b64encode(bytes(2048 // 8)).rstrip(b"=")
    assert _native.MIN_SIGNED_TOKEN_LEN == len(signature) + 2 == 344
