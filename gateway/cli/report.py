"""`callwarden report scorecard --agency A --month YYYY-MM [--csv]`: the agency assessment
(storage/assessment.py) — compliance, efficiency, money and complaints — as text or CSV."""

from __future__ import annotations

import argparse
import asyncio
import csv
import sys
from datetime import UTC, datetime
from typing import Any

from gateway.cli.common import EXIT_USAGE, data_dir_arg, initialised_settings
from policies.errors import InputError
from policies.parse import month_bounds
from storage.assessment import agency_ids, assessment
from storage.backends import open_db
from storage.db import NotFound

__all__ = ["add_commands", "flatten"]


def add_commands(sub: Any) -> None:
    p = sub.add_parser("report", help="reports: the agency scorecard")
    reports = p.add_subparsers(dest="report_command", required=True, metavar="REPORT")
    s = reports.add_parser("scorecard", help="an agency's scorecard for a month (text, or --csv)")
    data_dir_arg(s)
    s.add_argument("--agency", required=True, help="agency id")
    s.add_argument("--month", help="YYYY-MM (default: the current UTC month)")
    s.add_argument("--csv", action="store_true", help="print metric,value rows")
    s.set_defaults(func=cmd_scorecard)


def flatten(doc: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Nested scorecard → (dotted metric, value) rows, in the document's order."""
    out: list[tuple[str, Any]] = []
    for key, value in doc.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out += flatten(value, name + ".")
        else:
            out.append((name, value))
    return out


def cmd_scorecard(args: argparse.Namespace) -> int:
    settings = initialised_settings(args)
    if settings is None:
        return EXIT_USAGE
    month = args.month or datetime.now(UTC).strftime("%Y-%m")
    try:
        month_bounds(month)
    except InputError:
        print(f"error: --month must be YYYY-MM, got {month!r}", file=sys.stderr)
        return EXIT_USAGE

    async def run() -> dict[str, Any]:
        async with open_db(settings.db_target) as db:
            if args.agency not in await agency_ids(db):
                raise NotFound("agency", args.agency)
            return await assessment(db, args.agency, month, datetime.now(UTC))

    card = asyncio.run(run())
    rows = flatten(card)
    if args.csv:
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(["metric", "value"])
        w.writerows((k, "" if v is None else v) for k, v in rows)
        return 0
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {'–' if value is None else value}")
    return 0
