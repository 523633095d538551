"""Benchmark: the Twilio-compatible facade's overhead per create, same run.

A fake of the upstream (tests/gateway/fake_twilio.py, a real aiohttp server in its own process)
and `callwarden serve` (kind = "twilio", pointed at the fake) run on loopback. Calls are created one
at a time, alternating a direct POST to the fake's Calls.json and the same create through
callwarden's facade (Basic auth with a dialer key, the case found by `To`, the decision recorded
durably, the form rewritten and forwarded to the fake). The difference is callwarden's overhead.

Usage: python bench/twilio.py [--creates 300] [--cases 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path, where `twilio` would be this file
# and not the SDK the fake upstream uses: drop it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench.sip import PACK, number, pct, seed, wait_http  # noqa: E402
from tests.gateway.fake_twilio import UPSTREAM_SID, UPSTREAM_TOKEN  # noqa: E402
from tests.sip.harness import free_port  # noqa: E402

DIALER_SID = "AC" + "d" * 32


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


async def measure(
    facade: str, upstream: str, key: str, creates: int, cases: int
) -> tuple[list[float], list[float]]:
    direct_ms: list[float] = []
    facade_ms: list[float] = []
    direct_auth = {"Authorization": basic(UPSTREAM_SID, UPSTREAM_TOKEN)}
    facade_auth = {"Authorization": basic(DIALER_SID, key)}
    async with aiohttp.ClientSession() as session:

        async def post(url: str, headers: dict[str, str], form: dict[str, str]) -> float:
            started = time.perf_counter()
            async with session.post(url, data=form, headers=headers) as resp:
                await resp.read()
                if resp.status != 201:
                    raise SystemExit(f"{url} answered {resp.status}: {await resp.text()}")
            return (time.perf_counter() - started) * 1000

        for i in range(-20, creates):  # the first 20 warm both paths up
            form = {"To": number(i % cases), "From": "+12125559000", "Url": "https://dialer.example/twiml",
                    "StatusCallback": "https://dialer.example/status"}  # fmt: skip
            d = await post(f"{upstream}/2010-04-01/Accounts/{UPSTREAM_SID}/Calls.json", direct_auth, form)
            f = await post(f"{facade}/2010-04-01/Accounts/{DIALER_SID}/Calls.json", facade_auth, form)
            if i >= 0:
                direct_ms.append(d)
                facade_ms.append(f)
    return direct_ms, facade_ms


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--creates", type=int, default=300, help="creates per path (default 300)")
    ap.add_argument("--cases", type=int, default=1000)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cw-bench-twilio-"))
    data = work / "var"
    py = sys.executable
    subprocess.run(
        [py, "-m", "gateway.cli", "init", "--data-dir", str(data)], check=True, cwd=ROOT, capture_output=True
    )
    (data / "packs").mkdir()
    (data / "packs" / "bench-sip.toml").write_text(PACK)
    key = asyncio.run(seed(data, args.cases))
    up_port, cw_port = free_port(socket.SOCK_STREAM), free_port(socket.SOCK_STREAM)
    upstream = f"http://127.0.0.1:{up_port}"
    facade = f"http://127.0.0.1:{cw_port}"
    env = {
        **os.environ,
        "CALLWARDEN_POLICY_PACKS_DIR": str(data / "packs"),
        "CALLWARDEN_SPEECH_WORKERS": "0",
        "CALLWARDEN_LOG_LEVEL": "WARNING",
        "CALLWARDEN_CARRIER_KIND": "twilio",
        "CALLWARDEN_CARRIER_BASE_URL": upstream,
        "CALLWARDEN_CARRIER_ACCOUNT_SID": UPSTREAM_SID,
        "CALLWARDEN_CARRIER_AUTH_TOKEN": UPSTREAM_TOKEN,
        "CALLWARDEN_CARRIER_PUBLIC_URL": facade,
    }
    fake = subprocess.Popen([py, "-m", "tests.gateway.fake_twilio", str(up_port)], cwd=ROOT)
    serve = subprocess.Popen(
        [py, "-m", "gateway.cli", "serve", "--data-dir", str(data), "--port", str(cw_port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_http(up_port, fake)
        wait_http(cw_port, serve)
        direct, through = asyncio.run(measure(facade, upstream, key, args.creates, args.cases))
    finally:
        for proc in (serve, fake):
            proc.terminate()
            proc.wait(timeout=20)
    print(f"Calls.json creates, {args.creates} per path, one at a time on loopback, {args.cases} cases; ms")
    print(f"{'':34}{'p50':>8}{'p90':>8}{'p99':>8}")
    for label, values in (("direct to the fake upstream", direct), ("through callwarden's facade", through)):
        print(f"{label:34}{pct(values, 50):8.2f}{pct(values, 90):8.2f}{pct(values, 99):8.2f}")
    print(
        f"facade overhead per create: p50 {pct(through, 50) - pct(direct, 50):.2f} ms,"
        f" p99 {pct(through, 99) - pct(direct, 99):.2f} ms"
        f" (x{pct(through, 50) / pct(direct, 50):.1f} the direct p50)"
    )


if __name__ == "__main__":
    main()
