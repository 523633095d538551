"""`callwarden workers` and `callwarden reprocess`: transcription outside the serving process.

    callwarden workers [--data-dir DIR] [--workers N]
    callwarden reprocess --since DATE [--until DATE] [--lexicon FILE ...] [--retry-failed] [--json]

`workers` supervises N worker processes (default: cores - 1, at least 1); each claims
transcription jobs from the database, decrypts the recording through the vault, runs the speech
pipeline and stores the transcript and flags. A worker that exits or crashes is started again
(after a pause that grows while it keeps crashing); its job is claimed again when its lease
expires. SIGTERM / SIGINT stop the workers: a job in progress is given back. `serve` starts the
same supervisor when `speech.workers` is not 0; it stops with the server, also when the server is
killed.

`reprocess` re-flags stored transcripts of recordings made since DATE with the current lexicons
(after a lexicon update), or with the lexicon files given; every flag raised again records the new
lexicon version, a flag no longer raised is marked superseded, reviews are kept.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gateway.cli_common import initialised_settings
from gateway.settings import ConfigError, Settings

__all__ = [
    "WORK_DIR",
    "add_worker_commands",
    "resolve_workers",
    "start_transcription_workers",
    "stop_transcription_workers",
]

log = logging.getLogger("callwarden.workers")

DataDirArg = Callable[[argparse.ArgumentParser], None]
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


def add_worker_commands(subparsers: Any, data_dir_arg: DataDirArg) -> None:
    p = subparsers.add_parser(
        "workers", help="run transcription worker processes (claim jobs, transcribe, flag, store)"
    )
    data_dir_arg(p)
    p.add_argument(
        "--workers",
        type=int,
        help="worker processes (default: cores - 1, at least 1)",
    )
    p.add_argument("--parent-pid", type=int, help=argparse.SUPPRESS)  # stop when this process is gone
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)  # one worker, no supervisor
    p.set_defaults(func=cmd_workers)

    p = subparsers.add_parser(
        "reprocess", help="re-flag stored transcripts after a lexicon update (reviews are kept)"
    )
    data_dir_arg(p)
    p.add_argument("--since", required=True, help="recordings made at or after (RFC 3339 or YYYY-MM-DD)")
    p.add_argument("--until", help="and before (RFC 3339 or YYYY-MM-DD)")
    p.add_argument(
        "--lexicon",
        action="append",
        default=[],
        metavar="FILE",
        help="flag with this lexicon TOML instead of the bundled one of its language (repeatable)",
    )
    p.add_argument(
        "--retry-failed",
        action="store_true",
        help="also queue failed transcription jobs of those recordings again (e.g. a model was installed)",
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_reprocess)


# --- workers --------------------------------------------------------------------------------------


def cmd_workers(args: argparse.Namespace) -> int:
    from gateway.logs import configure_logging

    settings = initialised_settings(args)
    if settings is None:
        return 2
    configure_logging(settings["log.level"], settings["log.format"])
    if args.child:
        return _child(settings, args.parent_pid)
    n = default_workers() if args.workers is None else args.workers
    if n < 1:
        print("--workers must be at least 1", file=sys.stderr)
        return 2
    return supervise(settings, n, args.parent_pid)


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
    from speech.worker import clean_work_root

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


def _child(settings: Settings, parent_pid: int | None) -> int:
    """One worker process: claim and do jobs until SIGTERM/SIGINT or the supervisor is gone."""
    import contextlib

    with contextlib.suppress(OSError):
        os.nice(5)  # the gateway's decisions come first on a shared machine
    rc = asyncio.run(_work(settings, parent_pid))
    sys.stdout.flush()
    sys.stderr.flush()
    # Leave at once: an abandoned transcription thread must not hold the exit (its job was given back).
    os._exit(rc)


async def _work(settings: Settings, parent_pid: int | None) -> int:
    from gateway.vault import build_vault
    from speech.config import SpeechConfig
    from speech.worker import JobOptions, Worker
    from storage.db import Database

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
    async with Database(settings.db_path) as db:
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


# --- reprocess ------------------------------------------------------------------------------------


def _instant(raw: str, name: str) -> datetime:
    from policies.parse import parse_instant

    text = raw.strip()
    if len(text) == 10:  # a date: its start, UTC
        text += "T00:00:00Z"
    return parse_instant(text, name)


def cmd_reprocess(args: argparse.Namespace) -> int:
    from policies.language import LexiconError, load_lexicon
    from policies.types import PolicyInputError

    settings = initialised_settings(args)
    if settings is None:
        return 2
    try:
        since = _instant(args.since, "since")
        until = _instant(args.until, "until") if args.until else None
        lexicons = [load_lexicon(Path(p)) for p in args.lexicon]
    except (PolicyInputError, LexiconError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    summary = asyncio.run(_reprocess(settings, since, until, lexicons, args.retry_failed))
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        versions = ", ".join(summary["lexicon_versions"]) or "no lexicon"
        print(
            f"re-flagged {summary['transcripts']} transcript(s) with {versions}:"
            f" {summary['added']} new flag(s), {summary['updated']} raised again, "
            f"{summary['superseded']} superseded, {summary['kept']} privacy flag(s) kept"
        )
        if args.retry_failed:
            print(f"queued {summary['requeued']} failed transcription job(s) again")
    return 0


async def _reprocess(
    settings: Settings, since: datetime, until: datetime | None, lexicons: Sequence[Any], retry_failed: bool
) -> dict[str, Any]:
    from gateway.cli_vault import _operator
    from speech.config import SpeechConfig
    from speech.reflag import REDONE_SOURCES, reflag
    from storage.audit import Access, append
    from storage.db import Database
    from storage.speechjobs import requeue_failed
    from storage.transcripts import transcripts_since, update_flagging_sync

    config = SpeechConfig.from_settings(settings.section("speech"))
    totals = {"transcripts": 0, "added": 0, "updated": 0, "superseded": 0, "kept": 0, "requeued": 0}
    versions: set[str] = set()
    recordings: list[str] = []
    async with Database(settings.db_path) as db:
        after = ""
        while True:
            batch = await transcripts_since(db, since, until, after)
            if not batch:
                break
            for t in batch:
                after = t["recording_id"]
                facts = t["case"]["facts"] or None
                flags, vers = await asyncio.to_thread(
                    reflag, t, facts, lexicons=lexicons, disclosure_window_s=config.disclosure_window_s
                )
                now = datetime.now(UTC)
                rid = t["recording_id"]
                counts = await db.write(
                    functools.partial(
                        update_flagging_sync,
                        recording_id=rid,
                        flags=[f.as_dict() for f in flags],
                        versions=vers,
                        redo_sources=REDONE_SOURCES,
                        now=now,
                    )
                )
                totals["transcripts"] += 1
                for k, v in counts.as_dict().items():
                    totals[k] += v
                versions.update(vers)
                recordings.append(rid)
        if retry_failed:
            totals["requeued"] = await requeue_failed(
                db, datetime.now(UTC), since, int(settings["speech.job_max_attempts"])
            )
        # The transcripts were read by the operator's command: one log row for the run.
        await append(
            db,
            Access(
                _operator(),
                "transcripts.reprocess",
                "transcripts",
                "-",
                "ok",
                details={
                    "since": since.isoformat(),
                    "until": until.isoformat() if until else None,
                    "lexicon_versions": sorted(versions),
                    "recordings": recordings[:1000],
                    **totals,
                },
            ),
        )
    return {**totals, "lexicon_versions": sorted(versions)}
