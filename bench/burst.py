"""Benchmark: a shift-start burst — N simultaneous `/v1/authorize` for ONE debtor over two
`callwarden serve` processes on one data dir (issue 8).

Reports the share of answers that are real decisions (allowed, or denied by a policy reason)
rather than `policy_unavailable` (the fail-closed deadline), the answer latency p50/p99, and
whether the cap held exactly. The same run also times N requests spread over N different
debtors, as the baseline the burst is compared with.

Usage: python bench/burst.py [--requests 500] [--rounds 3] [--processes 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

PACK = """
name = "burst"
version = "1"
jurisdiction = "benchmark"
title = "three a day, no calling window"

[[caps]]
id = "three-a-day"
scope = "debtor"
channel = "any"
counts = "attempts"
max = 3
window = "24h"
citation = "benchmark"
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(*args: str, env: dict[str, str] | None = None) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "gateway.cli", *args],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )
    return out.stdout


def wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"port {port} did not open")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def fire(urls: list[str], key: str, bodies: list[dict[str, Any]]) -> list[tuple[float, dict[str, Any]]]:
    """Every request on its own connection, all released at once."""
    start = asyncio.Event()

    async def one(i: int, body: dict[str, Any]) -> tuple[float, dict[str, Any]]:
        connector = aiohttp.TCPConnector(force_close=True)
        async with aiohttp.ClientSession(connector=connector) as http:
            await start.wait()
            t0 = time.perf_counter()
            async with http.post(
                urls[i % len(urls)] + "/v1/authorize", json=body, headers={"Authorization": f"Bearer {key}"}
            ) as resp:
                doc = await resp.json()
                return time.perf_counter() - t0, doc

    tasks = [asyncio.create_task(one(i, b)) for i, b in enumerate(bodies)]
    await asyncio.sleep(0.3)  # let every task reach the start line
    start.set()
    return await asyncio.gather(*tasks)


def summarise(name: str, answers: list[tuple[float, dict[str, Any]]]) -> dict[str, float]:
    lat = [a[0] * 1000 for a in answers]
    docs = [a[1] for a in answers]
    unavailable = sum(1 for d in docs if any(r["code"] == "policy_unavailable" for r in d.get("reasons", [])))
    allowed = sum(1 for d in docs if d.get("allowed"))
    real = len(docs) - unavailable
    row = {
        "requests": len(docs),
        "real_share": real / len(docs),
        "allowed": allowed,
        "unavailable": unavailable,
        "p50_ms": statistics.median(lat),
        "p99_ms": pct(lat, 0.99),
    }
    print(
        f"  {name:<34} real decisions {real:>4}/{len(docs)} ({row['real_share']:.1%})  "
        f"allowed {allowed:>3}  p50 {row['p50_ms']:7.1f} ms  p99 {row['p99_ms']:7.1f} ms"
    )
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--processes", type=int, default=2)
    args = ap.parse_args()
    n = args.requests
    with tempfile.TemporaryDirectory(prefix="cw-burst-") as tmp:
        data = Path(tmp) / "var"
        cli("init", "--data-dir", str(data))
        packs = data / "packs"
        packs.mkdir()
        (packs / "burst.toml").write_text(PACK, encoding="utf-8")
        env = {"CALLWARDEN_POLICY_PACKS_DIR": str(packs), "CALLWARDEN_SPEECH_WORKERS": "0"}
        admin = cli("keys", "create", "--data-dir", str(data), "--role", "admin", env=env).split()[-1]
        ports = [free_port() for _ in range(args.processes)]
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "gateway.cli", "serve", "--data-dir", str(data), "--port", str(p)],
                env={**os.environ, **env, "CALLWARDEN_SCHEDULER_ENABLED": "false"},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for p in ports
        ]
        try:
            for p in ports:
                wait_port(p)
            urls = [f"http://127.0.0.1:{p}" for p in ports]

            async def setup() -> str:
                async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {admin}"}) as http:
                    await http.put(f"{urls[0]}/v1/agencies/a1", json={"name": "A1"})
                    for c in range(args.rounds * (n + 1)):
                        body = {
                            "agency_id": "a1",
                            "overdue_days": 30,
                            "packs": ["burst"],
                            "region": "US",
                            "debtor": {
                                "id": f"d{c}",
                                "name": "Dana",
                                "timezone": "America/New_York",
                                "phones": [{"number": f"+1212555{c:04d}", "kind": "mobile"}],
                            },
                        }
                        r = await http.put(f"{urls[0]}/v1/cases/c{c}", json=body)
                        assert r.status in (200, 201), await r.text()
                out = cli("keys", "create", "--data-dir", str(data), "--role", "dialer", "--agency", "a1")
                return out.split()[-1]

            key = asyncio.run(setup())
            print(f"{n} simultaneous /v1/authorize, {args.processes} serve processes, {args.rounds} rounds")
            next_case = 0
            for rnd in range(args.rounds):
                # Baseline: the same burst spread over n debtors (no contention on one debtor).
                spread = [
                    {"case_id": f"c{next_case + i}", "to": f"+1212555{next_case + i:04d}", "channel": "call"}
                    for i in range(n)
                ]
                next_case += n
                spread_answers = asyncio.run(fire(urls, key, spread))
                base = summarise(f"round {rnd + 1}: {n} debtors (baseline)", spread_answers)
                one = [{"case_id": f"c{next_case}", "to": f"+1212555{next_case:04d}", "channel": "call"}] * n
                next_case += 1
                row = summarise(f"round {rnd + 1}: one debtor", asyncio.run(fire(urls, key, one)))
                held = "held exactly" if row["allowed"] == 3 else f"VIOLATED ({row['allowed']} allowed)"
                ratio = row["p99_ms"] / max(base["p99_ms"], 0.001)
                print(f"    cap {held}; one-debtor p99 / baseline p99 = {ratio:.2f}")
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(10)


if __name__ == "__main__":
    main()
