"""Transcription worker processes: the supervisor that keeps N of them running (restarting any
that exits, with a growing pause while one keeps crashing) and the worker process itself.

`callwarden workers` runs the supervisor; `serve` starts it as a child process when
`speech.workers` is not 0, and it stops when the server is gone, even after `kill -9`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

from gateway.components import build_vault
from gateway.jobs.transcriber import JobOptions, Worker, clean_work_root
from gateway.settings import ConfigError, Settings
from speech.config import SpeechConfig
from storage.backends import open_db
from storage.transcription_jobs import end_leases_of, worker_name

__all__ = [
    "WORK_DIR",
    "default_workers",
    "resolve_workers",
    "run_worker",
    "start_transcription_workers",
    "stop_transcription_workers",
    "supervise",
]

log = logging.getLogger("callwarden.workers")

WORK_DIR = "speech-work"  # decrypted audio being transcribed, under the data dir
RESTART_MIN_S, RESTART_MAX_S = 1.0, 60.0
STABLE_S = 60.0  # a worker that lived this long resets its restart delay


def default_workers() -> int:
    return max(1, (os.cpu_count() or 1) - 1)


def resolve_workers(raw: object) -> int:
    """`speech.workers`: ``auto`` → cores − 1 (at least 1), else a count ≥ 0."""
    text = str(raw).strip().lower()
    if text in ("auto", ""):
        return default_workers()
    try:
        n = int(text)
    except ValueError:
        raise ConfigError(f"speech.workers must be `auto` or a number of processes, got {raw!r}") from None
    if n < 0:
        raise ConfigError(f"speech.workers must not be negative, got {n}")
    return n


def _worker_argv(settings: Settings, parent_pid: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gateway.cli",
        "workers",
        "--data-dir",
        str(settings.data_dir),
        "--child",
        "--parent-pid",
        str(parent_pid),
    ]


def supervise(settings: Settings, n: int, parent_pid: int | None = None) -> int:
    """Run `n` worker processes until SIGTERM/SIGINT (or the parent process is gone); restart
    any that exits."""
    removed = clean_work_root(settings.data_dir / WORK_DIR)
    if removed:
        log.warning("removed %d work dir(s) of workers that stopped", removed)
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    procs: list[subprocess.Popen[bytes] | None] = [None] * n
    started = [0.0] * n
    delay = [RESTART_MIN_S] * n
    due = [0.0] * n
    print(
        f"callwarden workers: {n} transcription worker process(es) on {settings.data_dir}",
        file=sys.stderr,
        flush=True,
    )
    try:
        while not stopping:
            if parent_pid is not None and os.getppid() != parent_pid:
                log.warning("the serving process %d is gone; stopping the workers", parent_pid)
                break
            now = time.monotonic()
            for i in range(n):
                proc = procs[i]
                if proc is not None and proc.poll() is not None:
                    lived = now - started[i]
                    delay[i] = RESTART_MIN_S if lived >= STABLE_S else min(delay[i] * 2, RESTART_MAX_S)
                    log.warning(
                        "transcription worker %d exited with status %s after %.0f s; restarting in %.0f s",
                        proc.pid,
                        proc.returncode,
                        lived,
                        delay[i],
                        extra={"fields": {"event": "worker_exited", "pid": proc.pid, "rc": proc.returncode}},
                    )
                    procs[i], due[i] = None, now + delay[i]
                    # Its decrypted audio goes with it, not only at the next start (found by a
                    # probe: a long-running server kept killed workers' plaintext on disk).
                    clean_work_root(settings.data_dir / WORK_DIR)
                    _give_back_jobs(settings, proc.pid)
                if procs[i] is None and now >= due[i]:
                    procs[i] = subprocess.Popen(_worker_argv(settings, os.getpid()))
                    started[i] = now
            time.sleep(0.2)
    finally:
        live = [p for p in procs if p is not None and p.poll() is None]
        for p in live:
            p.terminate()
        deadline = time.monotonic() + 10
        for p in live:
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    return 0


def _give_back_jobs(settings: Settings, pid: int) -> None:
    """End a dead worker's leases: its job is retried at once, and does not show `running` until
    the lease runs out. A failure only leaves the lease to run out, as before."""

    async def give_back() -> int:
        async with open_db(settings.db_target) as db:
            return await end_leases_of(db, worker_name(pid), datetime.now(UTC))

    try:
        n = asyncio.run(give_back())
    except Exception as exc:  # the database may be what killed it: the lease still runs out
        log.warning("could not give back the jobs of worker %d: %s", pid, exc)
        return
    if n:
        log.warning("worker %d died holding %d job(s): given back for another attempt", pid, n)


def run_worker(settings: Settings, parent_pid: int | None) -> int:
    """One worker process: claim and do jobs until SIGTERM/SIGINT or the supervisor is gone."""
    with contextlib.suppress(OSError):
        os.nice(5)  # the gateway's decisions come first on a shared machine
    rc = asyncio.run(_work(settings, parent_pid))
    sys.stdout.flush()
    sys.stderr.flush()
    # Leave at once: an abandoned transcription thread must not hold the exit (its job was given back).
    os._exit(rc)


async def _work(settings: Settings, parent_pid: int | None) -> int:
    try:
        config = SpeechConfig.from_settings(settings.section("speech"), settings.data_dir)
        options = JobOptions.from_settings(settings.section("speech"))
    except ValueError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    async def watch_parent() -> None:
        while parent_pid is not None and not stop.is_set():
            if os.getppid() != parent_pid:
                stop.set()
            await asyncio.sleep(0.5)

    watcher = asyncio.ensure_future(watch_parent())
    async with open_db(settings.db_target) as db:
        # Only the decrypting reader is used: the serving process owns the store (recovery, writes).
        vault = build_vault(settings, db)
        vault.keyring.key_ids()
        worker = Worker(db, vault, config, options, settings.data_dir / WORK_DIR)
        try:
            await worker.run(stop)
        finally:
            watcher.cancel()
            worker.close()
    return 0


def start_transcription_workers(settings: Settings) -> subprocess.Popen[bytes] | None:
    """For `serve`: start the worker supervisor when `speech.workers` is not 0 (it stops when
    this process is gone, even after `kill -9`)."""
    n = resolve_workers(settings["speech.workers"])
    if n == 0:
        return None
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gateway.cli",
            "workers",
            "--data-dir",
            str(settings.data_dir),
            "--workers",
            str(n),
            "--parent-pid",
            str(os.getpid()),
        ]
    )


def stop_transcription_workers(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
