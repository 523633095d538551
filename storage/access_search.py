"""The access log as security staff read it: newest first, filtered, one page at a time, and the
same rows for a CSV export; recent purges and recordings under hold for the retention dashboard."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from typing import Any

from storage.audit import AccessFilters, access_where
from storage.db import Database

__all__ = [
    "CSV_COLUMNS",
    "AccessFilters",
    "access_csv",
    "held_recordings",
    "recent_tombstones",
    "search_access",
]

CSV_COLUMNS = (
    "seq",
    "at",
    "actor_key_id",
    "role",
    "agency_id",
    "action",
    "object_type",
    "object_id",
    "reason",
    "source",
    "result",
    "details",
    "hash",
)


def _row(r: Any) -> dict[str, Any]:
    out = {name: r[name] for name in CSV_COLUMNS}
    out["details"] = json.loads(r["details"])
    return out


async def search_access(
    db: Database, f: AccessFilters, before_seq: int | None = None, limit: int = 50
) -> tuple[list[dict[str, Any]], int | None]:
    """Rows newest first; returns (page, the `before` of the next page)."""
    where, params = access_where(f)
    params |= {"before": before_seq, "limit": limit + 1}
    rows = await db.fetchall(
        "SELECT * FROM access_log WHERE (CAST(:before AS BIGINT) IS NULL OR seq < :before)"
        + where
        + " ORDER BY seq DESC LIMIT :limit",
        params,
    )
    page = [_row(r) for r in rows[:limit]]
    return page, (int(page[-1]["seq"]) if len(rows) > limit else None)


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """A value for a spreadsheet: text a spreadsheet would run as a formula (a reason given as
    `=HYPERLINK(...)`) is kept as text with a leading apostrophe, as OWASP advises."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


async def access_csv(db: Database, f: AccessFilters, chunk: int = 2000) -> AsyncIterator[str]:
    """The matching rows in seq order as CSV text, a chunk of rows at a time."""
    where, params = access_where(f)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    after = 0
    while True:
        rows = await db.fetchall(
            "SELECT * FROM access_log WHERE seq > :after" + where + " ORDER BY seq LIMIT :limit",
            {**params, "after": after, "limit": chunk},
        )
        for r in rows:
            writer.writerow([_cell(r[c]) for c in CSV_COLUMNS])
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
        if len(rows) < chunk:
            return
        after = int(rows[-1]["seq"])


async def recent_tombstones(
    db: Database, agency_id: str | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    rows = await db.fetchall(
        "SELECT recording_id, case_id, agency_id, bytes, recorded_at, retain_until, purged_at, job_id"
        " FROM tombstones WHERE (CAST(:agency AS TEXT) IS NULL OR agency_id = :agency)"
        " ORDER BY purged_at DESC LIMIT :limit",
        {"agency": agency_id, "limit": limit},
    )
    return [dict(r) for r in rows]


async def held_recordings(
    db: Database, agency_id: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Recordings under legal hold with the reason of the hold in force (the last `on`)."""
    rows = await db.fetchall(
        "SELECT r.recording_id, r.case_id, r.agency_id, r.retain_until,"
        " (SELECT reason FROM legal_holds h WHERE h.recording_id = r.recording_id AND h.action = 'on'"
        "  ORDER BY hold_id DESC LIMIT 1) AS reason,"
        " (SELECT at FROM legal_holds h WHERE h.recording_id = r.recording_id AND h.action = 'on'"
        "  ORDER BY hold_id DESC LIMIT 1) AS since"
        " FROM recordings r WHERE r.legal_hold = 1"
        " AND (CAST(:agency AS TEXT) IS NULL OR r.agency_id = :agency)"
        " ORDER BY r.recording_id LIMIT :limit",
        {"agency": agency_id, "limit": limit},
    )
    return [dict(r) for r in rows]
