"""Moving an installation from its SQLite file to PostgreSQL (`callwarden db copy`).

Both databases are first brought to the latest migration, so they have the same tables. Every
table is copied in foreign-key order inside ONE PostgreSQL transaction (a failed copy leaves the
destination as it was), values converted to the destination column's type. `case_numbers` is not
copied: the destination's trigger derives it from the cases as they arrive. Identity sequences
are moved past the copied ids. After the commit the copy is checked: every table has the same
number of rows, and the access log verifies on the destination with the same head (seq and hash)
as the source.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policies.errors import Conflict
from storage.audit import verify, verify_file
from storage.db import connect_sync, migrate
from storage.pg import PgConn, PgDatabase

__all__ = ["CopyReport", "copy_sqlite_to_postgres"]

CHUNK = 5_000
# Written by the destination's own triggers from the rows they derive from.
DERIVED = frozenset({"case_numbers"})
SKIPPED = frozenset({"schema_migrations", "sqlite_sequence"})


@dataclass
class CopyReport:
    rows: dict[str, int] = field(default_factory=dict)
    chain: dict[str, Any] = field(default_factory=dict)
    ok: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "rows": self.rows, "chain": self.chain}


def _tables_in_fk_order(conn: sqlite3.Connection) -> list[str]:
    names = [
        r[0]
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        if r[0] not in SKIPPED and not r[0].startswith("sqlite_")
    ]
    deps = {n: {r[2] for r in conn.execute(f"PRAGMA foreign_key_list({n})")} - {n} for n in names}
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and deps[n] <= set(ordered)]
        if not ready:
            raise Conflict(f"foreign keys form a cycle among {sorted(set(names) - set(ordered))}")
        ordered += ready
    return ordered


def _chunks(conn: sqlite3.Connection, table: str, columns: list[str]) -> Iterator[list[tuple[Any, ...]]]:
    cur = conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid")
    while rows := cur.fetchmany(CHUNK):
        yield [tuple(r) for r in rows]


def _converter(pg_type: str) -> Any:
    if pg_type in ("bigint", "integer", "smallint"):
        return lambda v: None if v is None else int(v)
    if pg_type in ("double precision", "real", "numeric"):
        return lambda v: None if v is None else float(v)
    if pg_type == "bytea":
        return lambda v: None if v is None else bytes(v)
    return lambda v: None if v is None else (v if isinstance(v, str) else str(v))


def _copy_all(src: sqlite3.Connection, dest: PgDatabase, tables: list[str]) -> None:
    """Runs on a thread of its own: reads SQLite, writes in one destination transaction."""

    def body(conn: PgConn) -> None:
        for table in tables:
            if table in DERIVED:
                continue
            columns = [r[1] for r in src.execute(f"PRAGMA table_info({table})")]
            types = conn.column_types(table)
            missing = [c for c in columns if c not in types]
            if missing:
                raise Conflict(f"{table}: the destination has no column {missing[0]!r}")
            convert = [_converter(types[c]) for c in columns]
            for chunk in _chunks(src, table, columns):
                records = [tuple(f(v) for f, v in zip(convert, row, strict=True)) for row in chunk]
                conn.copy_records(table, columns, records)
        conn.reset_identities()

    dest.write_sync(body)


def _source_facts(src: sqlite3.Connection, tables: list[str]) -> tuple[dict[str, int], Any]:
    counts = {t: int(src.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables}
    return counts, src.execute("SELECT seq, hash FROM access_log ORDER BY seq DESC LIMIT 1").fetchone()


async def copy_sqlite_to_postgres(source: Path, dest: PgDatabase, anchors: Path | None = None) -> CopyReport:
    """Copy the installation in the SQLite file `source` into the open, empty `dest`."""
    if not await asyncio.to_thread(source.exists):
        raise Conflict(f"no SQLite database at {source}")
    for table in ("agencies", "cases", "attempts", "access_log", "recordings"):
        row = await dest.fetchone(f"SELECT count(*) AS n FROM {table}")
        if row is not None and row["n"]:
            raise Conflict(
                f"the destination is not empty ({table} has {row['n']} rows): copy into a new database"
            )
    src = await asyncio.to_thread(connect_sync, source)
    try:
        await asyncio.to_thread(migrate, src)
        # A source whose chain is already broken is refused before anything is copied: the copy's
        # check would only say "differs" with the same head (found by a probe), rows left behind.
        before = await asyncio.to_thread(verify_file, source, anchors)
        if not before["ok"]:
            bad = before.get("first_bad_row") or {}
            raise Conflict(
                f"the source's access log does not verify (row {bad.get('seq')}: {bad.get('problem')});"
                " nothing was copied: run `callwarden audit verify` on it first",
                {"first_bad_row": bad},
            )
        tables = await asyncio.to_thread(_tables_in_fk_order, src)
        await asyncio.to_thread(_copy_all, src, dest, tables)
        expected, head = await asyncio.to_thread(_source_facts, src, tables)
    finally:
        await asyncio.to_thread(src.close)
    report = CopyReport()
    for table in tables:
        row = await dest.fetchone(f"SELECT count(*) AS n FROM {table}")
        report.rows[table] = int(row["n"]) if row else -1
    chain = await verify(dest, anchors)
    source_head = (
        {"seq": int(head[0]), "hash": str(head[1])} if head else {"seq": 0, "hash": chain["head"]["hash"]}
    )
    report.chain = {"verified": chain["ok"], "head": chain["head"], "source_head": source_head}
    report.ok = report.rows == expected and chain["ok"] and chain["head"] == source_head
    if not report.ok:
        report.chain["expected_rows"] = expected
    return report
