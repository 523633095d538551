"""`callwarden init` (data dir, config, database, master key; idempotent) and `callwarden doctor`
(what a working installation needs, and how to fix what is missing)."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
from typing import Any

from gateway.cli.common import EXIT_FAILED, data_dir_arg, resolve_data_dir
from gateway.cli.speech import speech_checks
from gateway.cli.vault import vault_checks
from gateway.components import build_carrier
from gateway.jobs.supervisor import resolve_workers
from gateway.settings import CONFIG_FILE, MASTER_KEY_FILE, ConfigError, default_config_text, load_settings
from policies.errors import CallwardenError
from storage.backends import open_db
from storage.crypto import create_master_key_file

__all__ = ["add_commands"]


def add_commands(sub: Any) -> None:
    p = sub.add_parser("init", help="create a data dir: config, database, master key (idempotent)")
    data_dir_arg(p)
    p.set_defaults(func=cmd_init)
    p = sub.add_parser("doctor", help="check the installation and say how to fix problems")
    data_dir_arg(p)
    p.set_defaults(func=cmd_doctor)


def cmd_init(args: argparse.Namespace) -> int:
    """Create the data dir, config, database and master key; safe to run again."""
    data_dir = resolve_data_dir(args)
    data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(data_dir, 0o700)
    created = []
    config = data_dir / CONFIG_FILE
    if not config.exists():
        config.write_text(default_config_text(), encoding="utf-8")
        created.append(str(config))
    master = data_dir / MASTER_KEY_FILE
    if not master.exists():
        create_master_key_file(master)
        created.append(str(master))
    settings = load_settings(data_dir)

    async def migrate() -> None:
        async with open_db(settings.db_target):
            pass

    existed = settings.uses_postgres or settings.db_path.exists()
    asyncio.run(migrate())
    if not existed:
        created.append(str(settings.db_path))
    for path in created:
        print(f"created {path}")
    print(f"data dir ready: {data_dir}")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    """Check what a working installation needs and say how to fix what is missing."""
    data_dir = resolve_data_dir(args)
    problems = 0

    def report(ok: bool | None, what: str, fix: str = "") -> None:
        nonlocal problems
        mark = {True: "ok  ", False: "FAIL", None: "warn"}[ok]
        print(f"[{mark}] {what}" + (f"\n       fix: {fix}" if fix and not ok else ""))
        if ok is False:
            problems += 1

    try:
        settings = load_settings(data_dir)
    except ConfigError as exc:
        report(
            False, f"configuration: {exc}", "correct the named setting in callwarden.toml or the environment"
        )
        return EXIT_FAILED
    config = data_dir / CONFIG_FILE
    report(
        True, f"configuration {config}" if config.exists() else "configuration (defaults; no callwarden.toml)"
    )
    db_where = open_db(settings.db_target).describe()
    if not settings.uses_postgres and not settings.db_path.exists():
        report(False, f"database {settings.db_path} missing", f"callwarden init --data-dir {data_dir}")
    else:

        async def check_db() -> None:
            async with open_db(settings.db_target) as db:
                await db.check_writable()

        fix = (
            "check that the server is up and is the primary, and database.url (user, host, database name;"
            " the password in the environment or ~/.pgpass)"
            if settings.uses_postgres
            else "check permissions and free space"
        )
        try:
            asyncio.run(check_db())
            report(True, f"database {db_where} (migrated, writable)")
        except (CallwardenError, OSError) as exc:
            report(False, f"database {db_where}: {exc}", fix)
    master = data_dir / MASTER_KEY_FILE
    if master.exists():
        mode = master.stat().st_mode & 0o777
        report(mode & 0o077 == 0, f"master key {master} (mode {mode:o})", f"chmod 600 {master}")
    else:
        report(False, f"master key {master} missing", f"callwarden init --data-dir {data_dir}")
    probe = data_dir if data_dir.exists() else data_dir.parent
    free = shutil.disk_usage(probe).free
    space_ok = True if free >= 1 << 30 else (None if free >= 256 << 20 else False)
    report(
        space_ok,
        f"free disk space at {probe}: {free / (1 << 30):.1f} GiB",
        "recordings need room: free space or move the data dir",
    )
    try:
        build_carrier(settings)
        report(True, f"carrier {settings['carrier.kind']}")
    except CallwardenError as exc:
        report(False, f"carrier: {exc}", "set the [carrier] options docs/carriers.md lists for this kind")
    workers = resolve_workers(settings["speech.workers"])
    ffmpeg = shutil.which("ffmpeg")
    report(
        True if ffmpeg else (False if workers else None),
        f"ffmpeg: {ffmpeg or 'not found'}"
        + ("" if ffmpeg or not workers else f" (speech.workers = {workers})"),
        "apt-get install ffmpeg (needed to decode recordings for transcription), or set speech.workers = 0",
    )
    for ok, what, fix in (*speech_checks(settings), *vault_checks(settings)):
        report(ok, what, fix)
    print("all checks passed" if not problems else f"{problems} problem(s) found")
    return 0 if not problems else EXIT_FAILED
