"""Benchmark: `/v1/authorize` on `callwarden serve` beside a bare aiohttp handler, same run.

1. Makes a data dir with 10^5 debtors (one case each), then loads 10^4 prior attempts.
2. Starts `callwarden serve` (durable: WAL + synchronous=FULL, group commit) and the bare handler
   (bench/bare_server.py), and drives each with wrk (keep-alive connections, a Lua script picking
   a random debtor per request) for peak throughput.
3. Drives callwarden open-loop at half its peak (bench/loadgen.py, another process) for p50/p99.
4. Loads history up to 10^6 attempts and repeats 2-3.
5. The shift-start burst (bench/burst.py): 500 simultaneous requests for one debtor over two
   processes — share of real decisions (goal >= 99 %), p99, cap held — beside the same burst
   spread over 500 debtors.

Goals (issue 3): throughput >= 25 % of the bare handler; p99 <= 50 ms at half of peak;
p99 at 10^6 history <= 1.5x p99 at 10^4.

With `--backend postgresql` (issue 14): for each history size, 1 instance on SQLite, then the same
installation moved to a fresh PostgreSQL database (`callwarden db copy`) and served by 1, 2 and 3
instances (separate `serve` processes, one wrk and one open-loop generator per instance, sharing
the load); prints durable decisions/s, p99 at half of each setup's peak, the core count and the
ratios to the SQLite instance measured in the same run.

Usage: python bench/authorize.py [--cases 100000] [--seconds 10] [--connections 32] [--quick]
       python bench/authorize.py --backend postgresql [--postgres postgresql://postgres@127.0.0.1/postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench.loadgen import phone_for  # noqa: E402
from policies.parse import case_from_json, case_to_json  # noqa: E402
from policies.types import Agency, Attempt  # noqa: E402
from storage.agencies import put_agency  # noqa: E402
from storage.bulk import import_cases, import_history  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.dialect import translate  # noqa: E402, F401 - fails early if the tree lacks the backends
from storage.keys import create_key  # noqa: E402

# Reg F's shape (7 calls in 7 consecutive local days, a 7-day cool-off) plus a daily cap, with no
# calling window so the result does not depend on the hour the benchmark runs at.
BENCH_PACK = """
name = "bench"
version = "1"
jurisdiction = "benchmark"
title = "Reg F-shaped caps without a calling window"

[[caps]]
id = "seven-in-seven"
scope = "debtor_case"
channel = "call"
counts = "attempts"
max = 7
window = "local_days:7"
citation = "12 CFR 1006.14(b)(2)(i)(A) (shape only)"

[[caps]]
id = "three-a-day"
scope = "debtor"
channel = "any"
counts = "attempts"
max = 3
window = "local_day"
citation = "benchmark"

[after_conversation]
days = 7
citation = "12 CFR 1006.14(b)(2)(i)(B) (shape only)"
"""

WRK_LUA = """
local cases = {cases}
local key = "{key}"
math.randomseed({seed})
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. key
request = function()
  local i = math.random(0, cases - 1)
  local body = string.format('{{"case_id":"c%d","to":"+1212%07d","channel":"call"}}', i, 2000000 + i)
  return wrk.format(nil, "/v1/authorize", nil, body)
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit("server did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def run_wrk(url: str, lua: Path, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(lua), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def pct(p: str) -> float:
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)", out, re.M)
        if not m:
            return float("nan")
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {
        "rps": rps,
        "p50_ms": pct("50"),
        "p99_ms": pct("99"),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
    }


def run_open_loop(url: str, key: str, cases: int, rate: float, seconds: float) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, str(HERE / "loadgen.py"), url, key, str(cases), str(rate), str(seconds)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def seed(data_dir: Path, cases: int) -> str:
    """Agency, cases, a dialer key; returns the key."""
    subprocess.run(
        [sys.executable, "-m", "gateway.cli", "init", "--data-dir", str(data_dir)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    db_path = data_dir / "callwarden.db"

    async def setup() -> str:
        async with Database(db_path) as db:
            await put_agency(db, Agency("bench-agency"), "Bench Agency")
            _, key = await create_key(db, "dialer", "bench-agency", "bench")
            return key

    key = asyncio.run(setup())
    agency = Agency("bench-agency")

    def docs() -> object:
        for i in range(cases):
            body = {
                "packs": ["bench"],
                "region": "US",
                "overdue_days": 40,
                "debtor": {"name": f"D{i}", "phones": [{"number": phone_for(i), "kind": "mobile"}]},
            }
            case = case_from_json(body, agency, f"c{i}")
            doc = case_to_json(case)
            doc.pop("ceases")
            yield f"c{i}", case.debtor_id, "US", doc

    import_cases(db_path, "bench-agency", docs())  # type: ignore[arg-type]
    return key


def add_history(db_path: Path, start: int, count: int, cases: int) -> None:
    """`count` past attempts over the last 30 days, spread over all debtors."""
    rng = random.Random(start)
    now = datetime.now(UTC)
    results = ["no_answer", "voicemail", "busy", "connected", None]

    def rows() -> object:
        for n in range(start, start + count):
            i = rng.randrange(cases)
            result = rng.choice(results)
            yield Attempt(
                attempt_id=f"hist{n}",
                case_id=f"c{i}",
                debtor_id=f"case:c{i}",
                agency_id="bench-agency",
                at=now - timedelta(seconds=rng.uniform(3600, 30 * 86400)),
                channel="call",
                to=phone_for(i),
                result=result,
                spoke_with=("debtor" if result == "connected" else "none") if result else None,
            )

    import_history(db_path, rows())  # type: ignore[arg-type]


def _admin(url: str, sql: str) -> None:
    import asyncpg

    async def go() -> None:
        conn = await asyncpg.connect(url, timeout=5)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(go())


def _pg_settings(url: str) -> str:
    import asyncpg

    async def go() -> str:
        conn = await asyncpg.connect(url, timeout=5)
        try:
            names = ("server_version", "fsync", "synchronous_commit", "shared_buffers")
            return ", ".join([f"{n}={await conn.fetchval(f'SHOW {n}')}" for n in names])
        finally:
            await conn.close()

    return asyncio.run(go())


def count_decisions(target: str | Path) -> int:
    """Decisions recorded so far: the durable ones (a timed-out request is answered but not here)."""
    if isinstance(target, Path):
        import sqlite3

        conn = sqlite3.connect(target)
        try:
            return int(conn.execute("SELECT count(*) FROM decisions").fetchone()[0])
        finally:
            conn.close()
    import asyncpg

    async def go() -> int:
        conn = await asyncpg.connect(target, timeout=5)
        try:
            return int(await conn.fetchval("SELECT count(*) FROM decisions"))
        finally:
            await conn.close()

    return asyncio.run(go())


def _start_servers(hosts: list[Path], env: dict[str, str]) -> list[tuple[subprocess.Popen[bytes], str]]:
    out = []
    for host in hosts:
        port = free_port()
        cmd = [sys.executable, "-m", "gateway.cli", "serve", "--data-dir", str(host), "--port", str(port)]
        out.append((subprocess.Popen(cmd, env=env, cwd=ROOT), f"http://127.0.0.1:{port}"))
    for proc, url in out:
        wait_port(int(url.rsplit(":", 1)[1]), proc, 60)
    return out


def _together(fns: list[Any]) -> list[Any]:
    """Run blocking measurements at the same time (one thread each: they wait on subprocesses)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(fns)) as pool:
        return list(pool.map(lambda f: f(), fns))


def measure(
    hosts: list[Path],
    env: dict[str, str],
    lua: Path,
    key: str,
    args: argparse.Namespace,
    target: str | Path,
) -> dict[str, float]:
    """Peak (one wrk per instance, connections split) and p99 at half of that peak (one open-loop
    generator per instance at its share of the rate): the instances share the load. The peak is
    durable decisions/s: rows added to `decisions` during the run, not answers (a request that timed
    out is answered `policy_unavailable` without a row)."""
    servers = _start_servers(hosts, env)
    n = len(servers)
    conns = max(2, args.connections // n)
    try:
        _together([lambda u=u: run_wrk(u, lua, 2, conns) for _, u in servers])  # warm-up
        before = count_decisions(target)
        t0 = time.perf_counter()
        peaks = _together([lambda u=u: run_wrk(u, lua, args.seconds, conns) for _, u in servers])
        durable = (count_decisions(target) - before) / (time.perf_counter() - t0)
        answered = sum(p["rps"] for p in peaks)
        rps = durable
        halves = _together(
            [
                lambda u=u: run_open_loop(u + "/v1/authorize", key, args.cases, rps / 2 / n, args.seconds)
                for _, u in servers
            ]
        )
    finally:
        for proc, _ in servers:
            stop(proc)
    return {
        "rps": rps,
        "answered_rps": answered,
        "p99_peak_ms": max(p["p99_ms"] for p in peaks),
        "unrecorded": sum(h["unrecorded"] for h in halves),
        "non2xx": sum(p["non2xx"] for p in peaks),
        "half_rps": sum(h["achieved_rps"] for h in halves),
        "p50_ms": sum(h["p50_ms"] for h in halves) / n,
        "p99_ms": max(h["p99_ms"] for h in halves),
        "errors": sum(h["errors"] for h in halves),
        "allowed": sum(h["allowed"] for h in halves),
        "sent": sum(h["sent"] for h in halves),
    }


def _hosts_for(tmpdir: Path, data_dir: Path, url: str, n: int) -> list[Path]:
    """`n` data dirs as separate hosts: the same config (now naming PostgreSQL) and master key."""
    config = (data_dir / "callwarden.toml").read_text(encoding="utf-8")
    config = config.replace('# url = ""', f'url = "{url}"', 1)
    hosts = []
    for i in range(n):
        host = tmpdir / f"host{i}"
        shutil.rmtree(host, ignore_errors=True)
        host.mkdir()
        (host / "callwarden.toml").write_text(config, encoding="utf-8")
        shutil.copy2(data_dir / "master.key", host / "master.key")
        hosts.append(host)
    return hosts


def _line(name: str, r: dict[str, float], base: dict[str, float]) -> str:
    return (
        f"  {name:<24} {r['rps']:6.0f} durable decisions/s ({r['rps'] / base['rps']:.2f} x SQLite;"
        f" {r['answered_rps']:.0f} answers/s)"
        f"  half load {r['half_rps']:5.0f}/s: p50 {r['p50_ms']:6.2f} ms, p99 {r['p99_ms']:7.2f} ms,"
        f" unrecorded {r['unrecorded']:.0f}/{r['sent']:.0f}, errors {r['errors']:.0f}"
    )


def prepare(tmpdir: Path, cases: int) -> tuple[Path, str, Path, Path]:
    """A seeded data dir, its dialer key, the benchmark pack's folder and the wrk script."""
    data_dir = tmpdir / "var"
    t0 = time.perf_counter()
    key = seed(data_dir, cases)
    packs = data_dir / "packs"
    packs.mkdir()
    (packs / "bench.toml").write_text(BENCH_PACK)
    lua = tmpdir / "authorize.lua"
    lua.write_text(WRK_LUA.format(cases=cases, key=key, seed=42))
    print(f"seeded {cases} debtors in {time.perf_counter() - t0:.1f} s")
    return data_dir, key, packs, lua


def main_backends(args: argparse.Namespace, sizes: list[int]) -> None:
    print(f"cores: {os.cpu_count()}; PostgreSQL at {args.postgres}: {_pg_settings(args.postgres)}")
    print("durable everywhere: SQLite WAL + synchronous=FULL; PostgreSQL fsync + synchronous_commit on")
    with tempfile.TemporaryDirectory(prefix="cw-bench-") as tmp:
        tmpdir = Path(tmp)
        data_dir, key, packs, lua = prepare(tmpdir, args.cases)
        env = {
            **os.environ,
            "CALLWARDEN_POLICY_PACKS_DIR": str(packs),
            "CALLWARDEN_LOG_LEVEL": "WARNING",
            "CALLWARDEN_SPEECH_WORKERS": "0",
            "CALLWARDEN_SCHEDULER_ENABLED": "false",
        }
        loaded = 0
        summary = []
        for size in sizes:
            add_history(data_dir / "callwarden.db", loaded, size - loaded, args.cases)
            loaded = size
            print(f"\nhistory: {size} prior attempts, {args.cases} debtors")
            # Measured before the copy: the SQLite file as it is, then the same data on PostgreSQL.
            base = measure([data_dir], env, lua, key, args, data_dir / "callwarden.db")
            print(_line("SQLite, 1 instance", base, base))
            name = f"cw_bench_{os.getpid()}_{size}"
            head, _, _ = args.postgres.rpartition("/")
            url = f"{head}/{name}"
            _admin(args.postgres, f'CREATE DATABASE "{name}"')
            try:
                t0 = time.perf_counter()
                subprocess.run(
                    [sys.executable, "-m", "gateway.cli", "db", "copy", "--from",
                     f"sqlite:{data_dir / 'callwarden.db'}", "--to", url],
                    check=True, capture_output=True, cwd=ROOT,
                )  # fmt: skip
                print(f"  (callwarden db copy to PostgreSQL, verified: {time.perf_counter() - t0:.1f} s)")
                hosts = _hosts_for(tmpdir, data_dir, url, 3)
                pg = {}
                for n in (1, 2, 3):
                    pg[n] = measure(hosts[:n], env, lua, key, args, url)
                    print(_line(f"PostgreSQL, {n} instance{'s' if n > 1 else ''}", pg[n], base))
            finally:
                _admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            summary.append((size, base, pg))
        print("\nsummary (same run; ratios to 1 SQLite instance, and PostgreSQL n instances to 1):")
        for size, base, pg in summary:
            print(
                f"  {size:>8} history: SQLite {base['rps']:.0f}/s p99 {base['p99_ms']:.1f} ms | PostgreSQL "
                + " | ".join(
                    f"{n}: {pg[n]['rps']:.0f}/s ({pg[n]['rps'] / pg[1]['rps']:.2f} x 1 instance,"
                    f" {pg[n]['rps'] / base['rps']:.2f} x SQLite) p99 {pg[n]['p99_ms']:.1f} ms"
                    for n in (1, 2, 3)
                )
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--history", default="10000,1000000", help="history sizes to measure, comma-separated")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--workers", type=int, default=1, help="callwarden serve --workers (the bare handler: 1)")
    ap.add_argument("--quick", action="store_true", help="small sizes, short runs (smoke test)")
    ap.add_argument(
        "--burst", type=int, default=500, help="simultaneous requests for one debtor, two processes (0: skip)"
    )
    ap.add_argument(
        "--backend",
        choices=["sqlite", "postgresql"],
        default="sqlite",
        help="postgresql: 1, 2 and 3 instances on PostgreSQL beside 1 on SQLite, in the same run",
    )
    ap.add_argument(
        "--postgres",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="a maintenance database URL; the benchmark creates and drops its own database there",
    )
    args = ap.parse_args()
    if args.quick:
        args.cases, args.history, args.seconds = 2000, "1000,20000", 3
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed (apt-get install wrk)")
    sizes = [int(x) for x in args.history.split(",")]
    if args.backend == "postgresql":
        main_backends(args, sizes)
        return

    with tempfile.TemporaryDirectory(prefix="cw-bench-") as tmp:
        tmpdir = Path(tmp)
        data_dir, key, packs, lua = prepare(tmpdir, args.cases)

        port = free_port()
        bare = subprocess.Popen([sys.executable, str(HERE / "bare_server.py"), str(port)])
        try:
            wait_port(port, bare)
            run_wrk(f"http://127.0.0.1:{port}", lua, 2, args.connections)  # warm-up
            base = run_wrk(f"http://127.0.0.1:{port}", lua, args.seconds, args.connections)
        finally:
            stop(bare)
        print(
            f"bare aiohttp handler: {base['rps']:.0f} req/s, p50 {base['p50_ms']:.2f} ms, "
            f"p99 {base['p99_ms']:.2f} ms"
        )

        loaded = 0
        results = {}
        # The gateway alone: no transcription workers competing for the two cores.
        env = {
            **os.environ,
            "CALLWARDEN_POLICY_PACKS_DIR": str(packs),
            "CALLWARDEN_LOG_LEVEL": "WARNING",
            "CALLWARDEN_SPEECH_WORKERS": "0",
        }
        for size in sizes:
            t0 = time.perf_counter()
            add_history(data_dir / "callwarden.db", loaded, size - loaded, args.cases)
            loaded = size
            print(f"\nhistory: {size} prior attempts (loaded in {time.perf_counter() - t0:.1f} s)")
            port = free_port()
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gateway.cli",
                    "serve",
                    "--data-dir",
                    str(data_dir),
                    "--port",
                    str(port),
                ],
                env=env,
                cwd=ROOT,
            )
            try:
                wait_port(port, server)
                url = f"http://127.0.0.1:{port}"
                run_wrk(url, lua, 2, args.connections)  # warm-up: caches, page cache
                peak = run_wrk(url, lua, args.seconds, args.connections)
                half = run_open_loop(url + "/v1/authorize", key, args.cases, peak["rps"] / 2, args.seconds)
            finally:
                stop(server)
            results[size] = (peak, half)
            print(
                f"  peak (wrk, {args.connections} connections): {peak['rps']:.0f} req/s "
                f"= {peak['rps'] / base['rps']:.2f} x bare (goal >= 0.25); non-2xx {peak['non2xx']}"
            )
            print(
                f"  open loop at half peak ({half['achieved_rps']:.0f} req/s): p50 {half['p50_ms']:.2f} ms, "
                f"p99 {half['p99_ms']:.2f} ms (goal <= 50 ms); errors {half['errors']}, "
                f"allowed {half['allowed']}/{half['sent']}"
            )
        if len(sizes) >= 2:
            lo, hi = results[sizes[0]][1]["p99_ms"], results[sizes[-1]][1]["p99_ms"]
            print(f"\np99 at {sizes[-1]} history / p99 at {sizes[0]}: {hi / lo:.2f} (goal <= 1.5)")
    if args.burst:
        # The shift-start burst (issue 8): bench/burst.py, with the same burst spread over as many
        # debtors as its same-run baseline.
        print(f"\nburst: {args.burst} simultaneous requests for one debtor, two serve processes")
        subprocess.run(
            [sys.executable, str(HERE / "burst.py"), "--requests", str(args.burst), "--rounds", "2"],
            check=True,
            cwd=ROOT,
        )


if __name__ == "__main__":
    main()
