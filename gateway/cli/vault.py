"""`callwarden ingest`, `scrub`, `audit verify`, `retention report`.

    callwarden ingest PATH... [--data-dir DIR] [--jobs N] [--quiet] [--json]
    callwarden ingest --left AGENT_FILE --right DEBTOR_FILE [--attempt-id ID] [--remove-legs]
    callwarden scrub [--deep] [--rate MB/S] [--limit N]
    callwarden audit verify
    callwarden retention report [--agency ID] [--month YYYY-MM] [--format json|csv]

Exit status: 0 success; 1 a file was rejected, a copy could not be healed, the chain is broken;
2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gateway.cli.common import data_dir_arg, initialised_settings, operator_actor
from gateway.components import build_vault
from gateway.jobs.scheduler import VaultJobs
from gateway.settings import Settings, anchor_path, configured_dir
from gateway.stores import s3_configured, store_checks
from gateway.usecases.ingest import ingest_file, is_sidecar, match_file
from policies.errors import CallwardenError
from policies.parse import parse_id
from speech.audio import merge_legs
from storage.audit import Access, Actor, append, verify, verify_file
from storage.backends import open_db
from storage.retention import report_csv, retention_report

__all__ = ["add_commands", "vault_checks"]


def _writable_dir(path: Path) -> bool:
    return path.is_dir() and os.access(path, os.W_OK | os.X_OK)


def vault_checks(settings: Settings) -> list[tuple[bool | None, str, str]]:
    """`callwarden doctor`'s checks of the recording store, replica and spool folder."""
    out: list[tuple[bool | None, str, str]] = []
    store = configured_dir(settings, "recordings.dir") or settings.data_dir / "recordings"
    if s3_configured(settings):
        out += store_checks(settings)
    elif store.exists():
        out.append(
            (_writable_dir(store), f"recording store {store}", f"chown/chmod {store} for the service user")
        )
    else:
        out.append((None, f"recording store {store} not created yet (made at first start)", ""))
    replica = configured_dir(settings, "recordings.replica_dir")
    if s3_configured(settings):
        pass  # the replica bucket was checked with the store
    elif replica is None:
        out.append(
            (
                None,
                "no recording replica (recordings.replica_dir): each recording is kept once",
                "set recordings.replica_dir to a folder on another disk or mount",
            )
        )
    elif not _writable_dir(replica):
        out.append((False, f"recording replica {replica} is not a writable folder", f"mkdir -p {replica}"))
    else:
        same = store.exists() and os.stat(store).st_dev == os.stat(replica).st_dev
        fix = "put the replica on another disk or mount"
        out.append(
            (None if same else True, f"recording replica {replica}" + (" (same disk)" if same else ""), fix)
        )
    spool = configured_dir(settings, "recordings.spool_dir")
    if spool is not None:
        fix = f"install -d -g callwarden-spool -m 2770 {spool} {spool}/.partial (docs/integrations.md)"
        out.append((_writable_dir(spool), f"spool folder {spool}", fix))
    return out


# --- ingest ---------------------------------------------------------------------------------------


def _collect(paths: list[str]) -> tuple[list[Path], list[dict[str, Any]]]:
    files: list[Path] = []
    missing: list[dict[str, Any]] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for root, dirs, names in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                files += [Path(root) / n for n in sorted(names) if not n.startswith(".")]
        elif p.is_file():
            files.append(p)
        else:
            missing.append({"file": raw, "result": "rejected", "reason": "missing", "detail": "no such file"})
    return [f for f in files if not is_sidecar(f)], missing


class Progress:
    """A one-line progress bar on a terminal; a line per 10% otherwise."""

    def __init__(self, files: int, total: int, enabled: bool) -> None:
        self.files, self.total, self.enabled = files, max(total, 1), enabled
        self.done_files = self.done_bytes = 0
        self.start = time.monotonic()
        self.tty = sys.stderr.isatty()
        self._last_decile = -1

    def update(self, nbytes: int) -> None:
        self.done_files += 1
        self.done_bytes += nbytes
        if not self.enabled:
            return
        frac = self.done_bytes / self.total
        rate = self.done_bytes / 1e6 / max(time.monotonic() - self.start, 1e-6)
        text = (
            f"[{'#' * int(frac * 30):<30}] {self.done_files}/{self.files} files"
            f" {self.done_bytes / 1e6:.1f}/{self.total / 1e6:.1f} MB {rate:.1f} MB/s"
        )
        if self.tty:
            print("\r" + text, end="" if self.done_files < self.files else "\n", file=sys.stderr, flush=True)
        elif int(frac * 10) > self._last_decile or self.done_files == self.files:
            self._last_decile = int(frac * 10)
            print(text, file=sys.stderr, flush=True)


async def _ingest_one(vault: Any, path: Path, actor: Actor) -> dict[str, Any]:
    match = match_file(path)
    out: dict[str, Any] = {"file": str(path), "attempt_id": match.attempt_id}
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        return {**out, "result": "rejected", "reason": "unreadable", "detail": str(exc)}
    try:
        done = await ingest_file(vault, fd, path, match, actor, "cli")
    finally:
        os.close(fd)
    if done.result == "rejected":
        return {**out, "result": "rejected", "reason": done.reason, "detail": done.detail}
    rec = done.recording
    return {
        **out,
        "result": done.result,
        "recording_id": rec["recording_id"],
        "bytes": rec["bytes"],
        "replica": rec["replica"]["status"],
    }


def _merged_legs(args: argparse.Namespace, work: Path) -> tuple[list[Path], list[dict[str, Any]]] | int:
    """`--left`/`--right`: the two legs merged into `<work>/<attempt_id>.wav` (or an exit code)."""
    if not (args.left and args.right) or args.paths:
        print("ingest: give --left and --right together, and no other PATH", file=sys.stderr)
        return 2
    attempt = args.attempt_id or Path(args.left).name.split(".", 1)[0]
    try:
        parse_id(attempt, "attempt_id")
    except CallwardenError:
        print(f"ingest: {attempt!r} is not an attempt id (use --attempt-id)", file=sys.stderr)
        return 2
    out = work / f"{attempt}.wav"
    try:
        merge_legs(args.left, args.right, out)
    except CallwardenError as exc:
        return [], [{"file": args.left, "result": "rejected", "reason": "undecodable", "detail": exc.message}]
    return [out], []


def cmd_ingest(args: argparse.Namespace) -> int:
    settings = initialised_settings(args)
    if settings is None:
        return 2
    if args.left or args.right:
        with tempfile.TemporaryDirectory(prefix="callwarden-legs-") as tmp:
            merged = _merged_legs(args, Path(tmp))
            if isinstance(merged, int):
                return merged
            code = _ingest(settings, args, *merged)
        if code == 0 and args.remove_legs:
            for leg in (args.left, args.right):
                Path(leg).unlink(missing_ok=True)
        return code
    if not args.paths:
        print("ingest: give at least one PATH (or --left and --right)", file=sys.stderr)
        return 2
    return _ingest(settings, args, *_collect(args.paths))


def _ingest(
    settings: Settings, args: argparse.Namespace, files: list[Path], results: list[dict[str, Any]]
) -> int:
    total = sum(f.stat().st_size for f in files if f.exists())
    progress = Progress(len(files), total, enabled=not args.quiet)
    actor = operator_actor()

    async def run() -> None:
        async with open_db(settings.db_target) as db:
            vault = build_vault(settings, db)
            await vault.open()
            try:
                gate = asyncio.Semaphore(max(1, args.jobs))

                async def one(path: Path) -> None:
                    async with gate:
                        result = await _ingest_one(vault, path, actor)
                    results.append(result)
                    progress.update(int(result.get("bytes") or 0))

                await asyncio.gather(*(one(f) for f in files))
            finally:
                await vault.close()

    start = time.monotonic()
    asyncio.run(run())
    elapsed = time.monotonic() - start
    counts = {k: sum(1 for r in results if r["result"] == k) for k in ("ingested", "duplicate", "rejected")}
    nbytes = sum(int(r.get("bytes") or 0) for r in results if r["result"] == "ingested")
    if args.json:
        print(
            json.dumps(
                {"summary": {**counts, "bytes": nbytes, "seconds": round(elapsed, 3)}, "files": results}
            )
        )
    else:
        for r in results:
            if r["result"] == "rejected":
                print(f"rejected {r['file']}: {r['reason']}: {r['detail']}")
        rate = nbytes / 1e6 / max(elapsed, 1e-6)
        print(
            f"ingested {counts['ingested']} ({nbytes / 1e6:.1f} MB), duplicates {counts['duplicate']},"
            f" rejected {counts['rejected']} in {elapsed:.1f} s ({rate:.1f} MB/s)"
        )
    return 1 if counts["rejected"] else 0


# --- scrub, audit verify, retention report, rotate-master ----------------------------------------


def cmd_scrub(args: argparse.Namespace) -> int:
    settings = initialised_settings(args)
    if settings is None:
        return 2

    async def run() -> dict[str, Any] | None:
        async with open_db(settings.db_target) as db:
            vault = build_vault(settings, db)
            await vault.open()
            try:
                jobs = VaultJobs(settings, vault)
                return await jobs.scrub(deep=args.deep, limit=args.limit, rate_mb_s=args.rate)
            finally:
                await vault.close()

    summary = asyncio.run(run())
    if summary is None:
        print(
            "a scrub is already running (another process holds DATA/jobs/scrub.lock, or, on"
            " PostgreSQL, another instance of the cluster holds the scrub's lock)",
            file=sys.stderr,
        )
        return 1
    print(json.dumps(summary, indent=2))
    return 1 if summary["bad"] else 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    settings = initialised_settings(args)
    if settings is None:
        return 2
    if settings.uses_postgres:

        async def run() -> dict[str, Any]:
            async with open_db(settings.db_target) as db:
                return await verify(db, anchor_path(settings))

        result = asyncio.run(run())
    else:
        result = verify_file(settings.db_path, anchor_path(settings))
    print(json.dumps(result, indent=2))
    if not result["ok"]:
        bad = result.get("first_bad_row") or result["anchors"].get("first_bad") or {}
        print(f"BROKEN: {bad.get('detail', 'see above')}", file=sys.stderr)
    return 0 if result["ok"] else 1


def cmd_retention_report(args: argparse.Namespace) -> int:
    settings = initialised_settings(args)
    if settings is None:
        return 2

    async def run() -> list[dict[str, Any]]:
        async with open_db(settings.db_target) as db:
            rows = await retention_report(db, datetime.now(UTC), args.agency, args.month)
            await append(
                db,
                Access(
                    operator_actor(),
                    "retention.report",
                    "report",
                    "report",
                    "ok",
                    details={"agency_id": args.agency, "month": args.month},
                ),
            )
            return rows

    try:
        rows = asyncio.run(run())
    except ValueError:
        print("--month must be YYYY-MM", file=sys.stderr)
        return 2
    if args.format == "csv":
        sys.stdout.write(report_csv(rows))
    else:
        print(json.dumps({"rows": rows}, indent=2))
    return 0


def add_commands(sub: Any) -> None:
    """`ingest`, `scrub`, `audit verify`, `retention report`."""
    p = sub.add_parser("ingest", help="store recording files: <attempt_id>.<ext> or with a sidecar JSON")
    data_dir_arg(p)
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (walked recursively)")
    p.add_argument(
        "--left",
        metavar="FILE",
        help="one call in two one-sided files (Asterisk MixMonitor r()/t()): the agent's side, "
        "merged with --right into one stereo recording; named <attempt_id>.<anything>",
    )
    p.add_argument("--right", metavar="FILE", help="the debtor's side (with --left)")
    p.add_argument("--attempt-id", help="with --left/--right: the attempt (default: from the --left name)")
    p.add_argument(
        "--remove-legs", action="store_true", help="with --left/--right: delete both files once stored"
    )
    p.add_argument("--jobs", type=int, default=4, help="files stored at once (default 4)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the result of every file as JSON")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("scrub", help="re-hash every stored copy now, heal bad ones, record findings")
    data_dir_arg(p)
    p.add_argument("--deep", action="store_true", help="also decrypt and compare with the upload's SHA-256")
    p.add_argument("--rate", type=float, default=0.0, help="read rate limit in MB/s (default: none)")
    p.add_argument("--limit", type=int, help="scrub at most N recordings (least recently scrubbed first)")
    p.set_defaults(func=cmd_scrub)

    p = sub.add_parser("audit", help="the access log")
    audit = p.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    a = audit.add_parser("verify", help="check the access log's hash chain and anchors; exit 1 if broken")
    data_dir_arg(a)
    a.set_defaults(func=cmd_audit_verify)

    p = sub.add_parser("retention", help="retention of recordings")
    retention = p.add_subparsers(dest="retention_command", required=True, metavar="ACTION")
    r = retention.add_parser(
        "report", help="per agency and month: kept, expiring, held, purged, replica, scrub"
    )
    data_dir_arg(r)
    r.add_argument("--agency", help="one agency")
    r.add_argument("--month", help="one month of recording, YYYY-MM")
    r.add_argument("--format", choices=["json", "csv"], default="json")
    r.set_defaults(func=cmd_retention_report)
