"""Benchmark: post-dial delay callwarden adds through Kamailio, same run.

SIPp answers as the trunk; Kamailio runs the shipped deploy/kamailio.cfg (Debian 12's stock
modules: http_client, jansson) in front of `callwarden serve`. A UAC written here places calls one
after the other and times INVITE → 100 Trying and INVITE → 180 Ringing, alternating calls that take
the authorize hop with calls whose number starts with the bypass prefix (the same proxy, no hop).
The difference is what callwarden adds to the post-dial delay.

Goal (issue 13): added delay ≤ 10 ms p50, ≤ 50 ms p99 on loopback.

Usage: python bench/sip.py [--calls 300] [--cases 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policies.types import Agency  # noqa: E402
from storage.agencies import put_agency  # noqa: E402
from storage.cases import put_case  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.keys import create_key  # noqa: E402
from tests.sip.harness import SCENARIOS, Kamailio, free_port, missing  # noqa: E402

# Open around the clock with a cap that is never reached: every call takes the full decision path.
PACK = """
name = "bench-sip"
version = "1"
jurisdiction = "benchmark"
[[caps]]
id = "many-a-day"
scope = "debtor"
channel = "call"
counts = "attempts"
max = 100000
window = "24h"
citation = "benchmark"
"""
BYPASS = "9"


def number(i: int) -> str:
    return f"+1212555{i % 10000:04d}"


async def seed(data_dir: Path, cases: int) -> str:
    async with Database(data_dir / "callwarden.db") as db:
        await put_agency(db, Agency("bench"), "Bench")
        for i in range(cases):
            body = {
                "agency_id": "bench", "overdue_days": 30, "packs": ["bench-sip"], "region": "US",
                "debtor": {"name": "D", "timezone": "America/New_York",
                           "phones": [{"number": number(i), "kind": "mobile"}]},
            }  # fmt: skip
            await put_case(db, f"c{i}", body, resolve_packs=lambda names: None)
        _, key = await create_key(db, "dialer", "bench", "bench-sip")
    return key


def wait_http(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("callwarden serve exited")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("callwarden serve did not start")


class Uac:
    """A minimal SIP UAC over UDP: INVITE, (100, 180, 200), ACK, BYE, 200."""

    def __init__(self, proxy_port: int) -> None:
        self.proxy = ("127.0.0.1", proxy_port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(5)
        self.port = self.sock.getsockname()[1]

    def _send(self, text: str) -> None:
        self.sock.sendto(text.replace("\n", "\r\n").encode(), self.proxy)

    def _recv(self, call_id: str, method: str) -> tuple[int, str]:
        """The next response to this call's `method` (stray retransmissions are skipped)."""
        while True:
            data = self.sock.recv(65535).decode(errors="replace")
            if not data.startswith("SIP/2.0 "):
                continue
            fields = {
                line.split(":", 1)[0].strip().lower(): line.split(":", 1)[1].strip()
                for line in data.splitlines()[1:]
                if ":" in line
            }
            if fields.get("call-id") == call_id and fields.get("cseq", "").endswith(method):
                return int(data.split(" ", 2)[1]), data

    def call(self, user: str, case_id: str) -> tuple[float, float]:
        call_id, tag, branch = uuid.uuid4().hex, uuid.uuid4().hex[:8], "z9hG4bK" + uuid.uuid4().hex[:10]
        ruri = f"sip:{user}@127.0.0.1:{self.proxy[1]}"
        head = f"From: <sip:bench@127.0.0.1:{self.port}>;tag={tag}\nCall-ID: {call_id}\nMax-Forwards: 70\n"
        started = time.perf_counter()
        self._send(
            f"INVITE {ruri} SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:{self.port};branch={branch}\n{head}"
            f"To: <{ruri}>\nCSeq: 1 INVITE\nContact: <sip:bench@127.0.0.1:{self.port}>\n"
            f"X-Callwarden-Case-Id: {case_id}\nContent-Length: 0\n\n"
        )
        t100 = t180 = None
        while True:
            code, msg = self._recv(call_id, "INVITE")
            now = time.perf_counter() - started
            if code == 100 and t100 is None:
                t100 = now
            elif code == 180 and t180 is None:
                t180 = now
            elif code >= 200:
                break
        if code != 200 or t100 is None or t180 is None:
            raise RuntimeError(f"call to {user} answered {code}")
        headers = {
            line.split(":", 1)[0].lower(): line.split(":", 1)[1].strip()
            for line in msg.splitlines()
            if ":" in line
        }
        to = headers["to"]
        contact = headers["contact"].strip("<>").split(">")[0]
        route = f"Route: {headers['record-route']}\n" if "record-route" in headers else ""
        for cseq, method in ((1, "ACK"), (2, "BYE")):
            self._send(
                f"{method} {contact} SIP/2.0\n"
                f"Via: SIP/2.0/UDP 127.0.0.1:{self.port};branch=z9hG4bK{uuid.uuid4().hex[:10]}\n"
                f"{head}To: {to}\n{route}CSeq: {cseq} {method}\nContent-Length: 0\n\n"
            )
        while self._recv(call_id, "BYE")[0] != 200:
            pass
        return t100 * 1000, t180 * 1000


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=300, help="calls per mode (default 300)")
    ap.add_argument("--cases", type=int, default=1000)
    args = ap.parse_args()
    if (why := missing()) is not None:
        raise SystemExit(f"bench/sip.py needs Kamailio and SIPp: {why}")
    work = Path(tempfile.mkdtemp(prefix="cw-bench-sip-"))
    data = work / "var"
    py = sys.executable
    subprocess.run(
        [py, "-m", "gateway.cli", "init", "--data-dir", str(data)], check=True, cwd=ROOT, capture_output=True
    )
    (data / "packs").mkdir()
    (data / "packs" / "bench-sip.toml").write_text(PACK)
    env = {**os.environ, "CALLWARDEN_POLICY_PACKS_DIR": str(data / "packs"), "CALLWARDEN_SPEECH_WORKERS": "0",
           "CALLWARDEN_LOG_LEVEL": "WARNING"}  # fmt: skip
    key = asyncio.run(seed(data, args.cases))
    port = free_port(socket.SOCK_STREAM)
    serve = subprocess.Popen(
        [py, "-m", "gateway.cli", "serve", "--data-dir", str(data), "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    trunk_port = free_port()
    # The tests' trunk (it keeps Record-Route), without their checks: bypass calls carry no attempt id.
    scenario = work / "uas.xml"
    scenario.write_text(re.sub(r"<action>.*?</action>", "", (SCENARIOS / "uas.xml").read_text(), flags=re.S))
    uas = subprocess.Popen(
        ["sipp", "-sf", str(scenario), "-i", "127.0.0.1", "-p", str(trunk_port), "-nostdin"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    kam = None
    try:
        wait_http(port, serve)
        kam = Kamailio.start(
            work / "kamailio", trunk_port=trunk_port, authorize_url=f"http://127.0.0.1:{port}/v1/authorize",
            dialer_key=key, bypass_prefix=BYPASS,
        )  # fmt: skip
        uac = Uac(kam.port)
        for i in range(20):  # warm up both paths (keep-alive connections, caches)
            uac.call(number(i), f"c{i}")
            uac.call(BYPASS + number(i)[1:], f"c{i}")
        hop: list[tuple[float, float]] = []
        bare: list[tuple[float, float]] = []
        for i in range(args.calls):
            n = i % args.cases
            hop.append(uac.call(number(n), f"c{n}"))
            bare.append(uac.call(BYPASS + number(n)[1:], f"c{n}"))
    finally:
        if kam is not None:
            kam.stop()
        for proc in (uas, serve):
            proc.terminate()
            proc.wait(timeout=20)

    print(
        f"post-dial delay through Kamailio (deploy/kamailio.cfg, http_client), {args.calls} calls per mode,"
    )
    print(f"{args.cases} cases, calls one at a time on loopback; ms")
    print(f"{'':28}{'p50':>8}{'p90':>8}{'p99':>8}{'max':>8}")
    rows = {}
    for label, data_, idx in (
        ("INVITE→100, no hop", bare, 0), ("INVITE→100, authorize", hop, 0),
        ("INVITE→180, no hop", bare, 1), ("INVITE→180, authorize", hop, 1),
    ):  # fmt: skip
        values = [d[idx] for d in data_]
        rows[label] = values
        print(
            f"{label:28}{pct(values, 50):8.2f}{pct(values, 90):8.2f}{pct(values, 99):8.2f}{max(values):8.2f}"
        )
    added = [h[1] - b[1] for h, b in zip(hop, bare, strict=True)]
    p50 = pct(rows["INVITE→180, authorize"], 50) - pct(rows["INVITE→180, no hop"], 50)
    p99 = pct(rows["INVITE→180, authorize"], 99) - pct(rows["INVITE→180, no hop"], 99)
    print(
        f"added by the authorize hop (INVITE→180): p50 {p50:.2f} ms (goal ≤ 10), p99 {p99:.2f} ms"
        f" (goal ≤ 50); paired median {statistics.median(added):.2f} ms"
    )
    print("verdict:", "PASS" if p50 <= 10 and p99 <= 50 else "FAIL")


if __name__ == "__main__":
    main()
