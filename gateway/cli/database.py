"""`callwarden migrate` (bring the configured database to the latest schema, on either engine) and
`callwarden db copy` (move an installation from its SQLite file to PostgreSQL, chain verified)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from gateway.cli.common import EXIT_FAILED, data_dir_arg, resolve_data_dir
from gateway.settings import anchor_path, load_settings
from policies.errors import InputError
from storage.backends import open_db
from storage.copy import copy_sqlite_to_postgres
from storage.db import is_postgres_url
from storage.pg import PgDatabase, redact_url

__all__ = ["add_commands"]


def add_commands(sub: Any) -> None:
    p = sub.add_parser("migrate", help="apply pending schema migrations to the configured database")
    data_dir_arg(p)
    p.set_defaults(func=cmd_migrate)
    db = sub.add_parser("db", help="database maintenance")
    dbsub = db.add_subparsers(dest="db_command", required=True, metavar="SUBCOMMAND")
    p = dbsub.add_parser(
        "copy",
        help="copy an installation from SQLite to PostgreSQL (empty destination; access log verified after)",
    )
    p.add_argument("--from", dest="source", required=True, help="sqlite:PATH of the installation's file")
    p.add_argument("--to", dest="dest", required=True, help="postgresql://user@host:port/dbname (empty)")
    data_dir_arg(p)
    p.set_defaults(func=cmd_db_copy)


def cmd_migrate(args: argparse.Namespace) -> int:
    """Open the configured database (which applies what is pending) and say where it stands."""
    settings = load_settings(resolve_data_dir(args))

    async def run() -> tuple[list[str], int, str]:
        async with open_db(settings.db_target) as db:
            row = await db.fetchone("SELECT max(version) AS v FROM schema_migrations")
            return db.applied, int(row["v"]) if row and row["v"] is not None else 0, db.describe()

    applied, version, where = asyncio.run(run())
    for name in applied:
        print(f"applied {name}")
    print(f"{where}: schema at version {version} ({'nothing to apply' if not applied else 'migrated'})")
    return 0


def _sqlite_path(raw: str) -> Path:
    if not raw.startswith("sqlite:"):
        raise InputError("from", "--from must be sqlite:PATH (the installation's SQLite file)")
    return Path(raw.removeprefix("sqlite:")).expanduser().resolve()


def cmd_db_copy(args: argparse.Namespace) -> int:
    source = _sqlite_path(args.source)
    if not is_postgres_url(args.dest):
        raise InputError("to", "--to must be a postgresql:// URL")
    data_dir = resolve_data_dir(args)
    anchors = anchor_path(load_settings(data_dir)) if (data_dir / "callwarden.toml").exists() else None

    async def run() -> dict[str, object]:
        dest = open_db(args.dest)
        assert isinstance(dest, PgDatabase)
        async with dest:
            report = await copy_sqlite_to_postgres(source, dest, anchors)
        return report.to_json()

    result = asyncio.run(run())
    print(json.dumps(result, indent=2))
    if not result["ok"]:
        print("COPY NOT VERIFIED: the destination differs from the source (see above)", file=sys.stderr)
        return EXIT_FAILED
    print(
        f"copied {source} to {redact_url(args.dest)}; access log verified. Next: set database.url"
        " (or CALLWARDEN_DATABASE_URL) on every instance and keep the SQLite file as a backup.",
        file=sys.stderr,
    )
    return 0
