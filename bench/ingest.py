"""Benchmark: recording ingest beside `dd ... conv=fsync` of the same bytes on the same disk, same run.

1. A 200 MB upload (`POST /v1/recordings`, raw audio, streamed over loopback) to `callwarden serve`
   — encrypt + hash + fsync (+ verified replica) + DB row before the 201 — against
   `dd if=FILE of=OUT bs=1M conv=fsync` of the same file: one untimed round, then `--runs`
   interleaved rounds (dirty pages flushed and clean ones dropped before each), medians compared.
   The server's RSS is sampled from /proc/PID/status every 10 ms during each upload (VmRSS peak
   minus VmRSS before; the VmHWM growth is shown too).
2. `callwarden ingest` of 1,000 files of 1 MB against `dd ... conv=fsync` of each of the same files
   (1,000 dd processes: one fsync per file, as each recording needs).
3. The S3 row (unless --no-s3): a real S3 server (SeaweedFS, the `weed` binary of the test extra)
   on loopback, and two more `serve` processes on the same data dir, one with the S3 store
   (`recordings.store = s3://...`, Object Lock COMPLIANCE, no replica) and one with the local store
   (no replica). Interleaved rounds of: the same 200 MiB upload to each, and a raw S3 put of the same
   bytes by boto3 (s3transfer, the same part size and concurrency as the store). Medians compared.

Goals (issue 4): large upload >= 0.5 x the dd rate; server RSS growth during the upload < 64 MB.

Usage: python bench/ingest.py [--dir DIR (default: a temp dir under the current directory)]
       [--mb 200] [--files 1000] [--no-replica] [--no-s3] [--keep]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from s3transfer.manager import TransferConfig, TransferManager

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MiB = 1 << 20
sys.path.insert(0, str(ROOT))

from tests.s3_server import SeaweedS3  # noqa: E402  (the same server the S3 tests start)

# No window and no caps: the benchmark needs 1,001 attempts on one case at any hour.
BENCH_PACK = 'name = "bench-open"\nversion = "1"\njurisdiction = "benchmark"\ntitle = "No rules"\n'


def cli(*args: str, env: dict[str, str] | None = None) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "gateway.cli", *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    return out.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def dd(src: Path, dest: Path) -> float:
    """Seconds for `dd if=src of=dest bs=1M conv=fsync`."""
    start = time.perf_counter()
    subprocess.run(["dd", f"if={src}", f"of={dest}", "bs=1M", "conv=fsync", "status=none"], check=True)
    return time.perf_counter() - start


def settle() -> None:
    """Flush dirty pages and drop clean ones (when allowed), so every timed run starts alike: on
    a VM, writing into never-touched guest memory is several times slower than into reused pages."""
    os.sync()
    try:
        with open("/proc/sys/vm/drop_caches", "w") as fh:
            fh.write("1\n")
    except OSError:
        pass


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def status_kb(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


class RssSampler(threading.Thread):
    def __init__(self, pid: int, every: float = 0.01) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.peak = max(self.peak, status_kb(self.pid, "VmRSS"))
            time.sleep(self.every)

    def stop(self) -> None:
        self._halt.set()
        self.join()


async def file_body(path: Path) -> AsyncIterator[bytes]:
    with open(path, "rb", buffering=0) as fh:
        while chunk := fh.read(MiB):
            yield chunk


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", help="work dir (the disk under test); default: a temp dir under the current dir")
    ap.add_argument("--mb", type=int, default=200, help="size of the large upload in MiB")
    ap.add_argument("--files", type=int, default=1000, help="number of 1 MiB files for `callwarden ingest`")
    ap.add_argument(
        "--no-replica", action="store_true", help="no replica folder (default: one on the same disk)"
    )
    ap.add_argument("--keep", action="store_true", help="keep the work dir")
    ap.add_argument("--runs", type=int, default=3, help="timed runs of the large upload and its dd (median)")
    ap.add_argument("--no-s3", action="store_true", help="skip the S3 row (no SeaweedFS server)")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="cw-bench-ingest-", dir=args.dir or ".")).resolve()
    data = work / "var"
    env = {
        "CALLWARDEN_SCHEDULER_ENABLED": "false",
        "CALLWARDEN_LOG_LEVEL": "WARNING",
        "CALLWARDEN_SPEECH_WORKERS": "0",  # the vault alone: no transcription competing for CPU
        "CALLWARDEN_POLICY_PACKS_DIR": str(work / "packs"),
    }
    if not args.no_replica:
        env["CALLWARDEN_RECORDINGS_REPLICA_DIR"] = str(work / "replica")
        (work / "replica").mkdir()
    (work / "packs").mkdir()
    (work / "packs" / "bench-open.toml").write_text(BENCH_PACK)
    cli("init", "--data-dir", str(data), env=env)
    admin = cli("keys", "create", "--data-dir", str(data), "--role", "admin", env=env).split()[-1]

    print(f"work dir {work} ({'replica on the same disk' if not args.no_replica else 'no replica'})")
    print(f"load average before: {os.getloadavg()[0]:.2f} (other work on this machine skews every number)")
    big = work / "big.wav"
    with open(big, "wb") as fh:
        for _ in range(args.mb):
            fh.write(os.urandom(MiB))
    small_dir = work / "small"
    small_dir.mkdir()

    port = free_port()
    log = open(work / "serve.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli", "serve", "--data-dir", str(data), "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    results: dict[str, Any] = {}
    try:
        deadline = time.monotonic() + 30
        while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"server did not start: {(work / 'serve.log').read_text()}")
            time.sleep(0.1)

        async def setup() -> tuple[str, list[str]]:
            h = {"Authorization": f"Bearer {admin}"}
            async with aiohttp.ClientSession() as http:
                await http.put(f"{url}/v1/agencies/a1", json={"name": "A"}, headers=h)
                case = {
                    "agency_id": "a1",
                    "overdue_days": 30,
                    "packs": ["bench-open"],
                    "region": "US",
                    "debtor": {
                        "name": "D",
                        "timezone": "America/New_York",
                        "phones": [{"number": "+12125550123"}],
                    },
                    "status": "active",
                }
                r = await http.put(f"{url}/v1/cases/c1", json=case, headers=h)
                assert r.status in (200, 201), await r.text()
                dialer = cli(
                    "keys", "create", "--data-dir", str(data), "--role", "dialer", "--agency", "a1", env=env
                )
                key = dialer.split()[-1]
                hd = {"Authorization": f"Bearer {key}"}
                ids = []
                s3_rounds = 0 if args.no_s3 else 2 * (args.runs + 1)
                for _ in range(args.files + args.runs + 1 + s3_rounds):
                    r = await http.post(
                        f"{url}/v1/authorize",
                        json={"case_id": "c1", "to": "+12125550123", "channel": "call"},
                        headers=hd,
                    )
                    body = await r.json()
                    assert body["allowed"], body
                    ids.append(body["attempt_id"])
                return key, ids

        key, attempts = asyncio.run(setup())

        # --- 1. the large upload, interleaved with dd of the same file -------------------------
        async def upload(attempt_id: str, to: str = url) -> tuple[float, dict[str, Any]]:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=600)) as http:
                start = time.perf_counter()
                r = await http.post(
                    f"{to}/v1/recordings?attempt_id={attempt_id}",
                    data=file_body(big),
                    headers={
                        "Authorization": f"Bearer {key}",
                        "Content-Type": "audio/wav",
                        "Content-Length": str(big.stat().st_size),
                    },
                )
                body = await r.json()
                elapsed = time.perf_counter() - start
                assert r.status == 201, body
                return elapsed, body

        mb = big.stat().st_size / 1e6
        dd_runs: list[float] = []
        up_runs: list[float] = []
        growth: list[int] = []
        hwm_growth: list[int] = []
        cpu: list[tuple[float, float]] = []
        rec: dict[str, Any] = {}
        rss_before = 0
        # One untimed round first: the first write into never-touched guest memory is slow.
        dd(big, work / "dd.out")
        (work / "dd.out").unlink()
        asyncio.run(upload(attempts[args.runs]))
        for i in range(args.runs):
            settle()
            dd_runs.append(dd(big, work / "dd.out"))
            (work / "dd.out").unlink()
            settle()
            rss_before = status_kb(server.pid, "VmRSS")
            hwm_before = status_kb(server.pid, "VmHWM")
            sampler = RssSampler(server.pid)
            sampler.start()
            cpu0, own0 = cpu_seconds(server.pid), time.process_time()
            seconds, rec = asyncio.run(upload(attempts[i]))
            cpu.append((cpu_seconds(server.pid) - cpu0, time.process_time() - own0))
            sampler.stop()
            up_runs.append(seconds)
            growth.append(sampler.peak - rss_before)
            hwm_growth.append(status_kb(server.pid, "VmHWM") - max(hwm_before, rss_before))
        dd_s = statistics.median(dd_runs)
        up_s = statistics.median(up_runs)
        results["upload"] = {
            "mb": round(mb, 1),
            "runs": args.runs,
            "mb_s": round(mb / up_s, 1),
            "runs_mb_s": [round(mb / x, 1) for x in up_runs],
            "dd_mb_s": round(mb / dd_s, 1),
            "dd_runs_mb_s": [round(mb / x, 1) for x in dd_runs],
            "ratio": round(dd_s / up_s, 2),
            "replica": rec["replica"]["status"],
            "server_cpu_s": [round(c[0], 2) for c in cpu],
            "client_cpu_s": [round(c[1], 2) for c in cpu],
            "rss_before_mb": round(rss_before / 1024, 1),
            "rss_growth_mb": round(max(growth) / 1024, 1),
            "hwm_growth_mb": round(max(hwm_growth) / 1024, 1),
        }

        # --- 2. callwarden ingest of many 1 MiB files -------------------------------------------
        block = os.urandom(MiB)
        for i, att in enumerate(attempts[args.runs + 1 : args.runs + 1 + args.files]):
            (small_dir / f"{att}.wav").write_bytes(i.to_bytes(8, "big") + block[8:])
        files = sorted(small_dir.iterdir())
        settle()
        dd_dir = work / "dd-small"
        dd_dir.mkdir()
        start = time.perf_counter()
        for f in files:
            dd(f, dd_dir / f.name)
        dd_small_s = time.perf_counter() - start
        shutil.rmtree(dd_dir)
        settle()
        start = time.perf_counter()
        out = cli("ingest", str(small_dir), "--data-dir", str(data), "--quiet", "--json", env=env)
        ingest_s = time.perf_counter() - start
        summary = json.loads(out)["summary"]
        assert summary["ingested"] == len(files), summary
        total_mb = len(files) * MiB / 1e6
        results["ingest"] = {
            "files": len(files),
            "mb": round(total_mb, 1),
            "seconds": round(ingest_s, 2),
            "mb_s": round(total_mb / ingest_s, 1),
            "files_s": round(len(files) / ingest_s, 1),
            "dd_seconds": round(dd_small_s, 2),
            "dd_mb_s": round(total_mb / dd_small_s, 1),
            "ratio": round(dd_small_s / ingest_s, 2),
        }

        # --- 3. the S3 row ------------------------------------------------------------------------
        if not args.no_s3:
            results["s3"] = s3_row(args, work, data, env, big, attempts[args.runs + 1 + args.files :], upload)
    finally:
        server.terminate()
        server.wait(15)
        log.close()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    u, g = results["upload"], results["ingest"]
    print(
        f"{u['mb']:.0f} MB upload: {u['mb_s']:>7.1f} MB/s (runs {u['runs_mb_s']})   dd conv=fsync"
        f" {u['dd_mb_s']:>7.1f} MB/s (runs {u['dd_runs_mb_s']})   ratio {u['ratio']:.2f}"
        f"   [goal >= 0.5: {'ok' if u['ratio'] >= 0.5 else 'MISSED'}]   replica {u['replica']}"
    )
    print(
        f"server RSS:      {u['rss_before_mb']} MB before the upload, largest growth {u['rss_growth_mb']} MB"
        f" (VmHWM growth {u['hwm_growth_mb']} MB)"
        f"   [goal < 64 MB: {'ok' if u['rss_growth_mb'] < 64 else 'MISSED'}]"
    )
    print(
        f"ingest {g['files']} x 1 MiB: {g['mb_s']:>5.1f} MB/s ({g['files_s']} files/s, {g['seconds']} s)"
        f"   dd conv=fsync per file {g['dd_mb_s']:.1f} MB/s ({g['dd_seconds']} s)   ratio {g['ratio']:.2f}"
    )
    if "s3" in results:
        s = results["s3"]
        print(
            f"{u['mb']:.0f} MB upload, no replica:   S3 store {s['s3_store_mb_s']:>6.1f} MB/s"
            f" (runs {s['s3_store_runs']})"
            f"   local store {s['local_store_mb_s']:>6.1f} MB/s (runs {s['local_store_runs']})"
            f"   raw S3 put (boto3) {s['raw_put_mb_s']:>6.1f} MB/s (runs {s['raw_put_runs']})"
        )
        print(
            f"                       S3 store / raw put {s['ratio_to_raw_put']:.2f}"
            f"   S3 store / local store {s['ratio_to_local']:.2f}"
            f"   S3-store server RSS growth {s['s3_rss_growth_mb']} MB   object lock {s['object_lock']}"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(json.dumps(results))
    return 0


def start_serve(data: Path, env: dict[str, str], log_path: Path) -> tuple[subprocess.Popen[bytes], str, Any]:
    port = free_port()
    log = open(log_path, "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli", "serve", "--data-dir", str(data), "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
        if time.monotonic() > deadline or proc.poll() is not None:
            raise SystemExit(f"server did not start: {log_path.read_text()}")
        time.sleep(0.1)
    return proc, f"http://127.0.0.1:{port}", log


def s3_row(
    args: argparse.Namespace,
    work: Path,
    data: Path,
    env: dict[str, str],
    big: Path,
    attempts: list[str],
    upload: Any,
) -> dict[str, Any]:
    """The same upload to an S3-store server and a local-store server (both without a replica,
    on the same data dir), and a raw boto3 put of the same bytes, in interleaved rounds."""
    server = SeaweedS3()
    procs: list[tuple[subprocess.Popen[bytes], Any]] = []
    try:
        server.start()
        base = {k: v for k, v in env.items() if k != "CALLWARDEN_RECORDINGS_REPLICA_DIR"}
        s3_env = {
            **base,
            **server.env(),
            "CALLWARDEN_RECORDINGS_STORE": "s3://cw-primary/bench",
            "CALLWARDEN_RECORDINGS_S3_ENDPOINT": server.endpoint,
        }
        s3_proc, s3_url, s3_log = start_serve(data, s3_env, work / "serve-s3.log")
        procs.append((s3_proc, s3_log))
        local_proc, local_url, local_log = start_serve(data, base, work / "serve-local.log")
        procs.append((local_proc, local_log))
        client = server.client()
        transfer = TransferManager(
            client,
            TransferConfig(
                multipart_threshold=8 * MiB, multipart_chunksize=8 * MiB, max_request_concurrency=4
            ),
        )

        def raw_put(i: int) -> float:
            until = datetime.now(UTC) + timedelta(days=1)
            extra = {"ObjectLockMode": "COMPLIANCE", "ObjectLockRetainUntilDate": until}
            start = time.perf_counter()
            transfer.upload(str(big), "cw-primary", f"raw/{i}", extra_args=extra).result()
            return time.perf_counter() - start

        mb = big.stat().st_size / 1e6
        raw, s3_runs, local_runs, growth = [], [], [], []
        lock = ""
        # One untimed round of each first.
        raw_put(0)
        asyncio.run(upload(attempts[0], s3_url))
        asyncio.run(upload(attempts[1], local_url))
        for i in range(args.runs):
            settle()
            raw.append(raw_put(i + 1))
            settle()
            before = status_kb(s3_proc.pid, "VmRSS")
            sampler = RssSampler(s3_proc.pid)
            sampler.start()
            seconds, _ = asyncio.run(upload(attempts[2 + 2 * i], s3_url))
            sampler.stop()
            growth.append(sampler.peak - before)
            s3_runs.append(seconds)
            settle()
            local_runs.append(asyncio.run(upload(attempts[3 + 2 * i], local_url))[0])
        transfer.shutdown()
        head = client.list_object_versions(Bucket="cw-primary", Prefix="bench/")
        keys = [v["Key"] for v in head.get("Versions", [])]
        if keys:
            h = client.head_object(Bucket="cw-primary", Key=keys[0])
            lock = f"{h.get('ObjectLockMode')} until {h.get('ObjectLockRetainUntilDate')}"
        s3_s, local_s, raw_s = (statistics.median(x) for x in (s3_runs, local_runs, raw))
        return {
            "mb": round(mb, 1),
            "s3_store_mb_s": round(mb / s3_s, 1),
            "s3_store_runs": [round(mb / x, 1) for x in s3_runs],
            "local_store_mb_s": round(mb / local_s, 1),
            "local_store_runs": [round(mb / x, 1) for x in local_runs],
            "raw_put_mb_s": round(mb / raw_s, 1),
            "raw_put_runs": [round(mb / x, 1) for x in raw],
            "ratio_to_raw_put": round(raw_s / s3_s, 2),
            "ratio_to_local": round(local_s / s3_s, 2),
            "s3_rss_growth_mb": round(max(growth) / 1024, 1),
            "object_lock": lock,
            "stored_objects": len(keys),
        }
    finally:
        for proc, log in procs:
            proc.terminate()
            proc.wait(15)
            log.close()
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
