"""The queue's statements against the migrated schema, by SQLite's own query plan: under every
combination of the console's filters a page is a range of an index (in the queue's order, so no
sort, unless a date range is the narrower read) and never a scan of the table, and the counts per
category are ranges read from indexes alone."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import pytest

from policies.lexicon import LEXICON_CATEGORIES
from storage.db import Database
from storage.review_queue import QueueFilters, counts_sql, page_sql

CATEGORIES = (*LEXICON_CATEGORIES, "missing_disclosure")
OPTIONAL = {
    "agency_id": "a1",
    "category": "harassment",
    "severity": "high",
    "source": "lexicon",
    "day_from": date(2026, 1, 1),
    "day_to": date(2026, 1, 31),
}
COMBOS = [
    dict(c)
    for n in range(len(OPTIONAL) + 1)
    for c in itertools.combinations(OPTIONAL.items(), n)
    if not ("day_to" in dict(c) and "day_from" not in dict(c))
]


@pytest.fixture
async def db(tmp_path: Path) -> Database:  # type: ignore[misc]
    async with Database(tmp_path / "cw.db") as database:
        yield database


async def plan(db: Database, sql: str, params: dict[str, object]) -> list[str]:
    return [str(r[3]) for r in await db.fetchall("EXPLAIN QUERY PLAN " + sql, params)]


@pytest.mark.parametrize("scope", [None, "a2"])
async def test_every_filter_combination_pages_on_an_ordered_index_and_counts_from_indexes(
    db: Database, scope: str | None
) -> None:
    for combo in COMBOS:
        filters = QueueFilters(**combo)  # type: ignore[arg-type]
        for cursor in (None, (1, "2026-01-02T00:00:00.000000Z", "flg_x")):
            steps = await plan(db, *page_sql(filters, scope, cursor))
            assert all(s.startswith("SEARCH flags USING INDEX") for s in steps if "flags" in s), (
                combo,
                steps,
            )
            # In the queue's order already, unless a date range is the narrower read (then only
            # the flags of those days are sorted).
            if "day_from" not in combo:
                assert not any("TEMP B-TREE" in s for s in steps), (combo, steps)
        steps = await plan(db, *counts_sql(filters, CATEGORIES, scope))
        reads = [s for s in steps if "flags" in s]
        assert len(reads) == len(CATEGORIES), (combo, steps)
        assert all("USING COVERING INDEX" in s for s in reads), (combo, reads)
        # Each count is a range that starts with the status and the category (and the agency).
        assert all("status=? AND" in s and "category=?" in s for s in reads), (combo, reads)
