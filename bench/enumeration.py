"""Enumeration by timing: do forgot-password, register and resend answer known and
unknown e-mail addresses in the same time? Against the local stack over HTTP, it times
each endpoint for addresses that have an account (pending, so every branch has work to
do) and for addresses that have none, interleaved, and prints the medians and their
ratio. Target: every ratio within 10 % of 1.

Known and unknown addresses differ only in the account: each gets one request before
the measurement (a registration, or a reset request for an unknown address), so the
per-address message counter has the same state on both sides. Every address is then
used once per endpoint, so the limit (5 an hour) is never reached. The e-mail is sent
after the answer; `--gap` waits between requests so that one request's delivery does not
slow the next measurement, and the order of known and unknown alternates.

    python bench/enumeration.py [--samples 50]      # starts its own stack
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from local.launcher import launched  # noqa: E402

PASSWORD = "Murchyk-naps-on-the-windowsill"  # noqa: S105 - a demo account
TARGET = 0.10
PROFILE = {
    "name": "Olena Petrenko",
    "birth_date": "1990-05-17",
    "country": "UA",
    "timezone": "Europe/Kyiv",
    "language": "en",
}


def _address(kind: str) -> str:
    return f"{kind}-{secrets.token_hex(6)}@example.com"


def _bodies() -> dict[str, Callable[[str], dict[str, Any]]]:
    return {
        "/v1/auth/password/forgot": lambda email: {"email": email},
        "/v1/auth/verify-email/resend": lambda email: {"email": email},
        "/v1/auth/register": lambda email: {"email": email, "password": PASSWORD, **PROFILE},
    }


def _timed(session: requests.Session, url: str, body: dict[str, Any]) -> float:
    began = time.perf_counter()
    response = session.post(url, json=body, timeout=30)
    elapsed = (time.perf_counter() - began) * 1000
    if response.status_code != 202:
        raise SystemExit(f"{url}: {response.status_code} {response.text}")
    return elapsed


def measure(api: str, samples: int, gap: float) -> list[tuple[str, float, float]]:
    session = requests.Session()
    known = [_address("known") for _ in range(samples)]
    for email in known:  # pending accounts: each endpoint has something to send them
        session.post(f"{api}/v1/auth/register", json=_bodies()["/v1/auth/register"](email))
    unknown = [_address("unknown") for _ in range(samples)]
    for email in unknown:  # the same history as a known address (one message counted)
        session.post(f"{api}/v1/auth/password/forgot", json={"email": email})
    rows = []
    for path, body in _bodies().items():
        url = api + path
        for warm in range(3):  # first calls load code paths; not measured
            _timed(session, url, body(_address(f"warm{warm}")))
        known_ms: list[float] = []
        unknown_ms: list[float] = []
        for n, (known_email, unknown_email) in enumerate(zip(known, unknown, strict=True)):
            pair = [(known_ms, known_email), (unknown_ms, unknown_email)]
            for times, email in pair if n % 2 == 0 else pair[::-1]:
                time.sleep(gap)
                times.append(_timed(session, url, body(email)))
        rows.append((path, statistics.median(known_ms), statistics.median(unknown_ms)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--gap", type=float, default=0.2, help="seconds between requests")
    args = parser.parse_args()
    with launched(echo=False) as stack:
        rows = measure(stack.api, args.samples, args.gap)
    print(f"{'endpoint':32} {'known ms':>9} {'unknown ms':>10} {'ratio':>6}")
    worst = 0.0
    for path, known, unknown in rows:
        ratio = known / unknown
        worst = max(worst, abs(ratio - 1))
        print(f"{path:32} {known:9.1f} {unknown:10.1f} {ratio:6.3f}")
    verdict = "within" if worst <= TARGET else "OUTSIDE"
    print(f"{args.samples} samples each; worst deviation {worst:.1%} ({verdict} {TARGET:.0%})")


if __name__ == "__main__":
    main()
