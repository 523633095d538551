"""The console's flag queue: current flags by severity (worst first) then age (oldest first), one
page at a time (keyset paging on an index in that order: `flags_by_severity`, or per agency or
category those of migration 0010), and the counts per category (from a covering index)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from storage.db import Database, and_where
from storage.transcripts import flag_to_json

__all__ = [
    "SEVERITY_ORDER",
    "QueueFilters",
    "QueuePage",
    "counts_sql",
    "decode_cursor",
    "page_sql",
    "queue_counts",
    "queue_page",
]

SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
# Must match the expression of the index `flags_by_severity` (migration 0007) to use it.
_RANK = (
    "(CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2"
    " WHEN 'low' THEN 3 ELSE 4 END)"
)


def _rank_of(severity: str) -> int:
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER) - 1


@dataclass(frozen=True)
class QueueFilters:
    status: str = "open"
    agency_id: str | None = None
    category: str | None = None
    severity: str | None = None
    source: str | None = None
    day_from: date | None = None  # the call's date (recorded_at, UTC), inclusive
    day_to: date | None = None  # inclusive


@dataclass(frozen=True)
class QueuePage:
    flags: list[dict[str, Any]]
    next_cursor: str | None


def _cursor(rank: int, created_at: str, flag_id: str) -> str:
    return base64.urlsafe_b64encode(f"{rank}|{created_at}|{flag_id}".encode()).decode().rstrip("=")


def decode_cursor(raw: str) -> tuple[int, str, str] | None:
    """The position a cursor names, or None for a cursor this module did not make."""
    try:
        text = base64.urlsafe_b64decode(raw.encode("ascii") + b"=" * (-len(raw) % 4)).decode("utf-8")
        rank, created_at, flag_id = text.split("|")
        position = int(rank), created_at, flag_id
    except (binascii.Error, UnicodeError, ValueError):
        return None
    # A rank beyond SQLite's integers would fail to bind (a 500): not a cursor of ours either.
    return position if 0 <= position[0] < len(SEVERITY_ORDER) else None


def _where(f: QueueFilters, scope: str | None, with_category: bool = True) -> tuple[str, dict[str, Any]]:
    return and_where(
        [
            ("status = :status", "status", f.status),
            ("agency_id = :scope", "scope", scope),
            ("agency_id = :agency", "agency", f.agency_id),
            ("category = :category", "category", f.category if with_category else None),
            ("severity = :severity", "severity", f.severity),
            # The same condition on the rank, so the page seeks to it in the rank-ordered index.
            (f"{_RANK} = :severity_rank", "severity_rank", _rank_of(f.severity) if f.severity else None),
            ("source = :source", "source", f.source),
            ("recorded_at >= :day_from", "day_from", f.day_from.isoformat() if f.day_from else None),
            (
                "recorded_at < :day_to",
                "day_to",
                (f.day_to + timedelta(days=1)).isoformat() if f.day_to else None,
            ),
        ]
    )


def page_sql(
    filters: QueueFilters,
    agency_scope: str | None = None,
    cursor: tuple[int, str, str] | None = None,
    limit: int = 50,
) -> tuple[str, dict[str, Any]]:
    """The statement of one page (and a row more, to know whether a page follows)."""
    where, params = _where(filters, agency_scope)
    params["limit"] = limit + 1
    sql = f"SELECT *, {_RANK} AS rank FROM flags WHERE active = 1" + where
    if cursor is not None:
        # Spelled with OR: SQLite seeks the index on this form, and scans it on a row value.
        sql += (
            f" AND ({_RANK} > :c_rank OR ({_RANK} = :c_rank AND (created_at > :c_at"
            " OR (created_at = :c_at AND flag_id > :c_id))))"
        )
        params["c_rank"], params["c_at"], params["c_id"] = cursor
    return sql + f" ORDER BY {_RANK}, created_at, flag_id LIMIT :limit", params


async def queue_page(
    db: Database,
    filters: QueueFilters,
    agency_scope: str | None = None,
    cursor: tuple[int, str, str] | None = None,
    limit: int = 50,
) -> QueuePage:
    sql, params = page_sql(filters, agency_scope, cursor, limit)
    rows = await db.fetchall(sql, params)
    page = [flag_to_json(r) for r in rows[:limit]]
    nxt = None
    if len(rows) > limit:
        last = rows[limit - 1]
        nxt = _cursor(int(last["rank"]), last["created_at"], last["flag_id"])
    return QueuePage(page, nxt)


def counts_sql(
    filters: QueueFilters, categories: Sequence[str], agency_scope: str | None = None
) -> tuple[str, dict[str, Any]]:
    """The statement of the counts: one count per category, each a range of a covering index
    (`flags_queue_counts`, or `flags_queue_agency_counts` with an agency) that starts with the
    category — about half the work of one GROUP BY over the status's whole range."""
    where, params = _where(filters, agency_scope, with_category=False)
    parts = []
    for i, category in enumerate(categories):
        params[f"c{i}"] = category
        parts.append(
            f"SELECT :c{i} AS category, (SELECT count(*) FROM flags WHERE active = 1 AND category = :c{i}"
            + where
            + ") AS n"
        )
    return " UNION ALL ".join(parts), params


async def queue_counts(
    db: Database, filters: QueueFilters, categories: Sequence[str], agency_scope: str | None = None
) -> dict[str, int]:
    """Flags of each of `categories` under the filters (the category filter aside), largest
    first, those with none left out."""
    if not categories:
        return {}
    sql, params = counts_sql(filters, categories, agency_scope)
    rows = await db.fetchall(sql, params)
    counts = ((str(r["category"]), int(r["n"])) for r in rows if r["n"])
    return dict(sorted(counts, key=lambda kv: (-kv[1], kv[0])))
