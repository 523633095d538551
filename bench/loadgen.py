"""Open-loop load for bench/authorize.py: requests leave at a fixed rate whatever the answers do
(so queueing shows up in the latency, unlike a closed loop), over keep-alive connections.

Usage: loadgen.py URL KEY CASES RATE SECONDS  → prints one JSON line with latency percentiles.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time

import aiohttp


def phone_for(i: int) -> str:
    """The debtor number the benchmark gives case i (valid NANP numbers in 212)."""
    return f"+1212{2000000 + i:07d}"


async def run(url: str, key: str, cases: int, rate: float, seconds: float) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    allowed = 0
    unrecorded = 0  # answered with a denial that no decision row stands behind (policy_unavailable)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    conn = aiohttp.TCPConnector(limit=256)
    rng = random.Random(7)
    async with aiohttp.ClientSession(connector=conn, headers=headers) as session:

        async def one() -> None:
            nonlocal errors, allowed, unrecorded
            i = rng.randrange(cases)
            body = json.dumps({"case_id": f"c{i}", "to": phone_for(i), "channel": "call"})
            t0 = time.perf_counter()
            try:
                async with session.post(url, data=body) as resp:
                    data = await resp.json()
                    if resp.status != 200:
                        errors += 1
                    elif data.get("allowed"):
                        allowed += 1
                    elif data.get("decision_id") is None:
                        unrecorded += 1
            except aiohttp.ClientError:
                errors += 1
            latencies.append(time.perf_counter() - t0)

        tasks = []
        start = time.perf_counter()
        n = int(rate * seconds)
        for k in range(n):
            due = start + k / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one()))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "sent": n,
        "achieved_rps": n / elapsed,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "max_ms": latencies[-1] * 1000,
        "errors": errors,
        "allowed": allowed,
        "unrecorded": unrecorded,
    }


def main() -> None:
    url, key, cases, rate, seconds = sys.argv[1:6]
    result = asyncio.run(run(url, key, int(cases), float(rate), float(seconds)))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
