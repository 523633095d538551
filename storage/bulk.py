"""Bulk import of cases and contact history (from a previous system, or for benchmarks).

Rows go straight into the tables in large transactions: no per-row policy evaluation, so this is
for history that already happened, not for new contacts.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from policies.types import Attempt
from storage.db import connect_sync, migrate, to_ts

__all__ = ["import_cases", "import_history"]

CHUNK = 20_000


def _chunks(rows: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def import_cases(path: Path, agency_id: str, cases: Iterable[tuple[str, str, str, dict[str, Any]]]) -> int:
    """Insert `(case_id, debtor_id, region, doc)` for one existing agency; returns the count.
    `doc` must already be in stored form (`policies.parse.case_to_json` without ceases)."""
    conn = connect_sync(path)
    migrate(conn)
    now = to_ts(datetime.now(UTC))
    count = 0
    try:
        for chunk in _chunks(cases):
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "INSERT INTO cases (case_id, agency_id, debtor_id, status, region, doc,"
                " created_at, updated_at)"
                " VALUES (:id, :agency, :debtor, :status, :region, :doc, :now, :now)",
                [
                    {
                        "id": cid,
                        "agency": agency_id,
                        "debtor": debtor,
                        "status": doc.get("status", "active"),
                        "region": region,
                        "doc": json.dumps(doc, ensure_ascii=False, sort_keys=True),
                        "now": now,
                    }
                    for cid, debtor, region, doc in chunk
                ],
            )
            conn.execute("COMMIT")
            count += len(chunk)
    finally:
        conn.close()
    return count


def import_history(path: Path, rows: Iterable[Attempt]) -> int:
    """Insert past attempts (each gets a synthetic decision id); returns the count."""
    conn: sqlite3.Connection = connect_sync(path)
    count = 0
    try:
        for chunk in _chunks(rows):
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "INSERT INTO attempts (attempt_id, decision_id, case_id, debtor_id, agency_id, channel,"
                " to_number, party, contact_id, at, result, spoke_with)"
                " VALUES (:id, :decision, :case, :debtor, :agency, :channel, :to, :party, :contact, :at,"
                " :result, :spoke)",
                [
                    {
                        "id": r.attempt_id,
                        "decision": "imported",
                        "case": r.case_id,
                        "debtor": r.debtor_id,
                        "agency": r.agency_id,
                        "channel": r.channel,
                        "to": r.to,
                        "party": r.party,
                        "contact": r.contact_id,
                        "at": to_ts(r.at),
                        "result": r.result,
                        "spoke": r.spoke_with,
                    }
                    for r in chunk
                ],
            )
            conn.execute("COMMIT")
            count += len(chunk)
    finally:
        conn.close()
    return count
