"""Benchmark: `policies.evaluate` calls per second vs one `phonenumbers.parse` + `is_valid_number`.

Run: `.venv/bin/python bench/policy_eval.py` (or `make bench`). Prints one line per scenario and
the ratio (evaluation cost / parse cost). Goal: with 100 prior attempts, ratio ≤ 5; cost grows
with the attempts inside the rules' windows, not with all history.

Scenarios (packs us-regf + us-ma, +1 208 number: Boise and Los Angeles by its prefix, Denver too by
its area code; a call at 10:30 local):
- allowed, N prior attempts of the debtor spread so that the request is still allowed
  (mostly other cases of the same debtor, a few on this case, a conversation > 7 days ago);
- denied by the 7-in-7 cap (next_allowed_at searched), 100 attempts;
- 10,000 attempts spread over three years: "as storage passes it" (only those since
  `history_horizon`) and "all passed" (the engine skips old ones itself).
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import phonenumbers

import policies
from policies.types import Agency, Attempt, Case, ContactRequest, Phone

NOW = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)  # Tue 10:30 in Boise, 09:30 in Los Angeles
NUMBER = "+12085550100"
PACKS = policies.load_packs(["us-regf", "us-ma"])
CASE = Case(
    case_id="case-1",
    agency=Agency("agency-1"),
    packs=("us-regf", "us-ma"),
    debtor_id="debtor-1",
    phones=(Phone(NUMBER, "mobile"), Phone("+12085550111", "work")),
    debtor_timezone="America/Boise",
)
REQUEST = ContactRequest("case-1", "agency-1", NUMBER, "call")
RESULTS = ("no_answer", "busy", "failed", "voicemail", "connected")


def history(n: int, span: timedelta, *, this_case: int = 1, seed: int = 7) -> list[Attempt]:
    """n attempts of the debtor within `span` before NOW, sorted by time (as storage returns them).

    `this_case` of them are on the requested case (so the request stays under the caps);
    the rest belong to the debtor's other cases and numbers.
    """
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        at = NOW - timedelta(seconds=rnd.uniform(60, span.total_seconds()))
        mine = i < this_case
        result = rnd.choice(RESULTS)
        out.append(
            Attempt(
                attempt_id=f"att-{i}",
                case_id="case-1" if mine else f"case-{2 + i % 5}",
                debtor_id="debtor-1",
                agency_id=f"agency-{1 + i % 3}",
                at=at,
                channel="call" if i % 4 else "sms",
                to=NUMBER if mine else f"+1208555{2000 + i % 7:04d}",
                result=result,  # type: ignore[arg-type]
                spoke_with="debtor" if result == "connected" and mine is False else None,
            )
        )
    return sorted(out, key=lambda a: a.at)


def per_call(fn: Callable[[], object], *, min_time: float = 0.4, repeat: int = 5) -> float:
    """Seconds per call: the median of `repeat` timed batches of at least `min_time` each."""
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        if dt >= min_time / 4:
            break
        n *= 2
    n = max(1, int(n * (min_time / max(dt, 1e-9))))
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter() - t0) / n)
    return statistics.median(samples)


def parse_once() -> bool:
    return phonenumbers.is_valid_number(phonenumbers.parse(NUMBER, "US"))


def scenario(hist: Sequence[Attempt]) -> Callable[[], object]:
    def run() -> object:
        return policies.evaluate(REQUEST, CASE, hist, PACKS, NOW)

    return run


def main() -> None:
    parse = per_call(parse_once)
    horizon = policies.history_horizon(PACKS, NOW)
    big = history(10_000, timedelta(days=3 * 365), this_case=0, seed=11)
    big_passed = [a for a in big if a.at >= horizon]
    denied = [
        Attempt(
            f"d{i}",
            "case-1",
            "debtor-1",
            "agency-1",
            NOW - timedelta(hours=3 + 9 * i),
            "call",
            NUMBER,
            result="no_answer",
        )
        for i in range(7)
    ] + history(93, timedelta(days=6), this_case=0, seed=3)
    denied.sort(key=lambda a: a.at)
    cases = [
        ("allowed, 0 prior attempts", []),
        ("allowed, 100 prior attempts (all within the horizon)", history(100, timedelta(days=30))),
        ("denied by 7-in-7 cap, 100 prior attempts (next_allowed_at searched)", denied),
        (f"10,000 over 3 years, as storage passes them ({len(big_passed)} since horizon)", big_passed),
        ("10,000 over 3 years, all passed", big),
    ]
    print(f"python {sys.version.split()[0]}, phonenumbers {phonenumbers.__version__}")
    print(f"packs {', '.join(p.ref for p in PACKS)}; horizon {NOW - horizon} before now")
    print(f"phonenumbers.parse + is_valid_number: {parse * 1e6:8.1f} µs  ({1 / parse:>10,.0f}/s)")
    print()
    print(f"{'scenario':<78} {'µs/eval':>9} {'evals/s':>10} {'× parse':>8}")
    for label, hist in cases:
        run = scenario(hist)
        decision = policies.evaluate(REQUEST, CASE, hist, PACKS, NOW)
        cost = per_call(run)
        verdict = "allowed" if decision.allowed else "denied"
        print(f"{label:<78} {cost * 1e6:9.1f} {1 / cost:10,.0f} {cost / parse:8.2f}   [{verdict}]")
    goal = per_call(scenario(history(100, timedelta(days=30)))) / parse
    print()
    print(f"goal: 100 prior attempts ≤ 5× parse → {goal:.2f}× ({'met' if goal <= 5 else 'NOT met'})")


if __name__ == "__main__":
    main()
