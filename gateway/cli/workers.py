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
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gateway.cli.common import data_dir_arg, initialised_settings, operator_actor
from gateway.jobs.supervisor import default_workers, run_worker, supervise
from gateway.logs import configure_logging
from gateway.settings import Settings
from policies.parse import parse_instant
from policies.screening import LexiconError, load_lexicon
from policies.types import PolicyInputError
from speech.config import SpeechConfig
from speech.reflag import REDONE_SOURCES, reflag
from storage.audit import Access, append
from storage.backends import open_db
from storage.transcription_jobs import requeue_failed
from storage.transcripts import transcripts_since, update_flagging_sync

__all__ = ["add_commands"]


def add_commands(subparsers: Any) -> None:
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
    settings = initialised_settings(args)
    if settings is None:
        return 2
    configure_logging(settings["log.level"], settings["log.format"])
    if args.child:
        return run_worker(settings, args.parent_pid)
    n = default_workers() if args.workers is None else args.workers
    if n < 1:
        print("--workers must be at least 1", file=sys.stderr)
        return 2
    return supervise(settings, n, args.parent_pid)


# --- reprocess ------------------------------------------------------------------------------------


def _instant(raw: str, name: str) -> datetime:
    text = raw.strip()
    if len(text) == 10:  # a date: its start, UTC
        text += "T00:00:00Z"
    return parse_instant(text, name)


def cmd_reprocess(args: argparse.Namespace) -> int:
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
    config = SpeechConfig.from_settings(settings.section("speech"))
    totals = {"transcripts": 0, "added": 0, "updated": 0, "superseded": 0, "kept": 0, "requeued": 0}
    versions: set[str] = set()
    recordings: list[str] = []
    async with open_db(settings.db_target) as db:
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
                operator_actor(),
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
