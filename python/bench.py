"""facilioo_jwt against PyJWT + cryptography doing the same job, in one run.

The same job: RS256 only, three trusted keys and no ``kid`` (so PyJWT's side loops over
its pre-loaded keys, as its users must), ``iss``, ``aud``, ``exp``/``nbf`` with 60 s of
leeway, and a ``sub`` object with an integer ``accountId`` (PyJWT's ``verify_sub`` off: it
refuses every facilioo token otherwise). Tokens are minted with the test keys
(``facilioo_jwt.testing``); both sides trust test keys 1 to 3.

Scenarios: a token signed by key 1, one signed by key 3 (PyJWT tries all three keys), a
forged one (a bad signature: three RSA operations for both), a malformed one (two segments),
and key 1 on two threads against one. Rounds are interleaved: each round runs every
scenario on both sides, in a rotating order; a ratio is the median of its per-round ratios.

    python bench.py            # about a minute
    python bench.py --quick    # a few seconds, to check that it runs
    python bench.py --json results.json

Exit status 0 when every answer was as expected (the ratios are reported, not judged), 1
otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import threading
import time
from typing import Callable

import jwt
from cryptography.hazmat.primitives.serialization import load_pem_public_key

import facilioo_jwt
from facilioo_jwt import FaciliooJwtError, _native
from facilioo_jwt.testing import TestIssuer, test_key_pem

TARGETS = {"key1": 5.0, "key3": 10.0, "malformed": 10.0, "threads": 1.8}


def pyjwt_verifier(issuer: str, audience: str) -> Callable[[str], dict]:
    """PyJWT doing this crate's job, the way its users must write it for facilioo."""
    keys = [load_pem_public_key(test_key_pem(k).encode()) for k in ("1", "2", "3")]
    options = {"verify_sub": False, "require": ["exp", "iss", "aud", "sub"]}

    def verify(token: str) -> dict:
        for key in keys:
            try:
                claims = jwt.decode(
                    token,
                    key,
                    algorithms=["RS256"],
                    issuer=issuer,
                    audience=audience,
                    leeway=60,
                    options=options,
                )
            except jwt.InvalidSignatureError:
                continue
            sub = claims["sub"]
            account = sub.get("accountId") if isinstance(sub, dict) else None
            company = sub.get("companyId") if isinstance(sub, dict) else None
            if type(account) is not int or account < 0:
                raise jwt.InvalidTokenError("sub.accountId")
            if company is not None and (type(company) is not int or company < 0):
                raise jwt.InvalidTokenError("sub.companyId")
            return claims
        raise jwt.InvalidSignatureError("no key verified the signature")

    return verify


def run(verify: Callable[[str], object], tokens: list[str], seconds: float, ok: bool) -> tuple[float, int]:
    """Verifications per second over about `seconds`, and how many answers were wrong."""
    wrong = 0
    count = 0
    n = len(tokens)
    deadline = time.perf_counter() + seconds
    start = time.perf_counter()
    while True:
        for _ in range(16):
            token = tokens[count % n]
            try:
                verify(token)
                passed = True
            except (FaciliooJwtError, jwt.InvalidTokenError):
                passed = False
            wrong += passed != ok
            count += 1
        if time.perf_counter() >= deadline:
            break
    return count / (time.perf_counter() - start), wrong


def run_threads(verify: Callable[[str], object], tokens: list[str], seconds: float, threads: int) -> tuple[float, int]:
    """Verifications per second of `threads` threads sharing `verify`."""
    results: list[tuple[float, int]] = [(0.0, 0)] * threads
    barrier = threading.Barrier(threads)

    def work(i: int) -> None:
        barrier.wait()
        results[i] = run(verify, tokens[i::threads], seconds, True)

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(r for r, _ in results), sum(w for _, w in results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few seconds, to check that it runs")
    parser.add_argument("--rounds", type=int, default=None, help="rounds (default 9; 2 with --quick)")
    parser.add_argument("--seconds", type=float, default=None, help="per scenario, side and round (default 0.5; 0.1 with --quick)")
    parser.add_argument("--json", metavar="FILE", help="write the results as JSON")
    args = parser.parse_args()
    rounds = args.rounds or (2 if args.quick else 9)
    seconds = args.seconds or (0.1 if args.quick else 0.5)
    if rounds < 1 or not seconds > 0:
        parser.error("--rounds and --seconds must be positive")

    issuer = TestIssuer()
    ours = issuer.verifier().verify
    theirs = pyjwt_verifier(issuer.issuer, issuer.audience)
    mint = lambda n, **kw: [issuer.token(account=i + 1, **kw) for i in range(n)]  # noqa: E731
    scenarios = {
        "key1": (mint(64, key="1"), True),
        "key3": (mint(64, key="3"), True),
        "forged": (mint(64, refusal="bad_signature"), False),
        "malformed": (mint(64, refusal="malformed"), False),
    }
    # Both sides agree on every token before anything is timed.
    for name, (tokens, ok) in scenarios.items():
        for side, verify in (("facilioo_jwt", ours), ("PyJWT", theirs)):
            _, wrong = run(verify, tokens, 0.0, ok)
            if wrong:
                print(f"{side} answered {name} wrongly", file=sys.stderr)
                return 1

    rates: dict[str, dict[str, list[float]]] = {
        name: {"facilioo_jwt": [], "PyJWT": []} for name in [*scenarios, "threads1", "threads2"]
    }
    # The RSA operation alone (the crate's backend call), timed in every round: no verifier
    # does a token in less, so it bounds every ratio.
    rsa: list[float] = []
    rsa_token = scenarios["key1"][0][0]
    rsa_iterations = max(1, int(seconds / 20e-6))
    wrong = 0
    names = list(scenarios)
    for r in range(rounds):
        order = names[r % len(names):] + names[: r % len(names)]
        for name in order:
            tokens, ok = scenarios[name]
            pair = [("facilioo_jwt", ours), ("PyJWT", theirs)]
            for side, verify in pair if r % 2 == 0 else pair[::-1]:
                rate, w = run(verify, tokens, seconds, ok)
                rates[name][side].append(rate)
                wrong += w
        rsa.append(_native._rsa_seconds(rsa_token, "1", rsa_iterations) / rsa_iterations)
        for side, verify in (("facilioo_jwt", ours), ("PyJWT", theirs)):
            for threads in (1, 2):
                rate, w = run_threads(verify, scenarios["key1"][0], seconds, threads)
                rates[f"threads{threads}"][side].append(rate)
                wrong += w

    def ratio(a: list[float], b: list[float]) -> float:
        return statistics.median(x / y for x, y in zip(a, b))

    result: dict = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "backend": facilioo_jwt.BACKEND,
        "pyjwt": jwt.__version__,
        "rounds": rounds,
        "seconds": seconds,
        "wrong_answers": wrong,
        "scenarios": {},
        "ratios": {},
    }
    print(f"{rounds} rounds of {seconds} s per scenario and side; Python {result['python']}, "
          f"facilioo_jwt on {result['backend']}, PyJWT {result['pyjwt']}\n")
    rsa_us = statistics.median(rsa) * 1e6
    result["rsa_us"] = rsa_us
    print(f"{'scenario':<12} {'facilioo_jwt /s':>16} {'PyJWT /s':>12} {'ratio':>7} {'target':>7}"
          f" {'bound':>7}")
    for name in names:
        a, b = rates[name]["facilioo_jwt"], rates[name]["PyJWT"]
        x = ratio(a, b)
        target = TARGETS.get(name)
        # What the ratio would be if this package did a signed token in its RSA operation
        # alone (a forged one costs three).
        rsa_ops = {"key1": 1, "key3": 1, "forged": 3}.get(name)
        bound = 1e6 / statistics.median(b) / (rsa_ops * rsa_us) if rsa_ops else None
        result["scenarios"][name] = {
            "facilioo_jwt_per_s": statistics.median(a),
            "pyjwt_per_s": statistics.median(b),
            "facilioo_jwt_us": 1e6 / statistics.median(a),
            "pyjwt_us": 1e6 / statistics.median(b),
        }
        result["ratios"][name] = {"value": x, "target": target, "rsa_bound": bound}
        print(f"{name:<12} {statistics.median(a):>16,.0f} {statistics.median(b):>12,.0f} "
              f"{x:>6.1f}x {'≥ %gx' % target if target else '':>7} "
              f"{'%.1fx' % bound if bound else '':>7}")
    scaling = {
        side: ratio(rates["threads2"][side], rates["threads1"][side]) for side in ("facilioo_jwt", "PyJWT")
    }
    result["ratios"]["threads"] = {"value": scaling["facilioo_jwt"], "target": TARGETS["threads"],
                                   "pyjwt": scaling["PyJWT"]}
    print(f"\n2 threads / 1 thread (key1): facilioo_jwt {scaling['facilioo_jwt']:.2f}x "
          f"(target ≥ {TARGETS['threads']}x), PyJWT {scaling['PyJWT']:.2f}x")
    for side in ("facilioo_jwt", "PyJWT"):
        result["scenarios"][f"threads2_{side}"] = statistics.median(rates["threads2"][side])
    print(f"one RSA operation alone: {rsa_us:.2f} µs; bound: PyJWT's time over the RSA "
          f"operations the token needs, the ratio of a verifier that did nothing else")
    print(f"wrong answers: {wrong}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
