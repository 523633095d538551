"""The database file: pragmas, migrations ledger, the writer path."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from importlib import resources
from pathlib import Path

import asyncpg
import pytest

import storage.pg
from storage.backends import open_db
from storage.db import Database, _migrations, from_ts, migrate, to_ts
from storage.pg import migrate_pg, pg_migration_scripts
from tests.pg_database import both_backends, fresh_database, run_as_superuser


async def test_open_applies_migrations_once_and_records_them(tmp_path: Path) -> None:
    path = tmp_path / "cw.db"
    async with Database(path):
        pass
    async with Database(path) as db:
        rows = await db.fetchall("SELECT version, name FROM schema_migrations ORDER BY version")
        assert [r["version"] for r in rows] == sorted({r["version"] for r in rows})
        assert rows[0]["name"].startswith("0001")
        mode = await db.fetchone("PRAGMA journal_mode")
        assert mode is not None
        assert mode[0] == "wal"
        fk = await db.fetchone("PRAGMA foreign_keys")
        assert fk is not None
        assert fk[0] == 1


def test_migrate_upgrades_a_database_made_by_the_previous_version(tmp_path: Path) -> None:
    # A database made by 0.1 (only migration 0001) gains every later migration, keeps its rows,
    # and a second run applies nothing.
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    assert [n[:4] for n in migrate(conn, upto=1)] == ["0001"]
    conn.execute(
        "INSERT INTO agencies (agency_id, name, status, created_at, updated_at)"
        " VALUES ('a1', 'Old Agency', 'active', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')"
    )
    later = migrate(conn)
    versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]
    # Every migration file is applied once, in order (numbers may skip one reserved for a branch).
    assert versions == [1, *(int(name[:4]) for name in later)] == [v for v, _, _ in _migrations()]
    assert migrate(conn) == []
    assert conn.execute("SELECT name FROM agencies").fetchone()[0] == "Old Agency"
    conn.close()


@both_backends
async def test_write_rolls_back_on_error(tmp_path: Path, db_target: str | Path) -> None:
    async with open_db(db_target) as db:

        def failing(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO agencies (agency_id, name, status, created_at, updated_at)"
                " VALUES ('a1', 'A', 'active', 'x', 'x')"
            )
            raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            await db.write(failing)
        assert await db.fetchone("SELECT * FROM agencies") is None


@both_backends
async def test_foreign_keys_are_enforced_on_the_writer(tmp_path: Path, db_target: str | Path) -> None:
    async with open_db(db_target) as db:

        def orphan(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO cases (case_id, agency_id, debtor_id, status, region, doc, created_at,"
                " updated_at)"
                " VALUES ('c1', 'nope', 'd', 'active', 'US', '{}', 'x', 'x')"
            )

        with pytest.raises(sqlite3.IntegrityError):
            await db.write(orphan)


@pytest.mark.parametrize(
    "at",
    [
        pytest.param(datetime(2026, 11, 28, 6, 30, tzinfo=UTC), id="utc"),
        pytest.param(
            datetime(2026, 3, 8, 1, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5))), id="offset"
        ),
    ],
)
def test_timestamps_round_trip_and_sort(at: datetime) -> None:
    assert from_ts(to_ts(at)) == at
    later = at + timedelta(microseconds=1)
    assert to_ts(at) < to_ts(later)


# Constructs SQLite accepts and PostgreSQL does not: a shared migration must avoid them, or come
# with a `postgresql/` pair of the same number.
SQLITE_ONLY = re.compile(
    r"INTEGER\s+PRIMARY\s+KEY|AUTOINCREMENT|\bBLOB\b|\bREAL\b|\bTRIGGER\b|\bjson_\w+|randomblob|PRAGMA"
    r"|WITHOUT\s+ROWID|INSERT\s+OR\b|\bstrftime\b|\bdatetime\s*\(|\bifnull\s*\(|\bIIF\s*\(",
    re.IGNORECASE,
)


def test_every_migration_has_a_postgresql_pair_or_is_portable() -> None:
    pairs = {int(name[:4]): name for _, name, _ in pg_migration_scripts() if name}
    pair_dir = resources.files("storage.migrations").joinpath("postgresql")
    paired = {int(p.name[:4]): p.name for p in pair_dir.iterdir() if p.name.endswith(".sql")}
    for version, name, sql in _migrations():
        assert version in pairs
        if version in paired:
            assert paired[version] == name, f"the pair of {name} is named {paired[version]}"
            continue
        body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
        found = SQLITE_ONLY.search(body)
        assert found is None, f"{name} uses {found.group(0)!r} (SQLite only): write postgresql/{name}"
    # A pair without its SQLite migration would be applied on one engine only.
    assert set(paired) <= {v for v, _, _ in _migrations()}


@both_backends
async def test_both_engines_record_the_same_migrations(db_target: str | Path) -> None:
    async with open_db(db_target):
        pass
    async with open_db(db_target) as db:  # a second open applies nothing new
        rows = await db.fetchall("SELECT version, name FROM schema_migrations ORDER BY version")
        assert [(r["version"], r["name"]) for r in rows] == [(v, n) for v, n, _ in _migrations()]
        ledger = await db.fetchall("SELECT ledger_key, decided_at FROM contact_ledger")
        assert ledger == []


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_a_scheduled_job_runs_in_one_instance_of_the_cluster_at_a_time(db_target: str) -> None:
    async with open_db(db_target) as one, open_db(db_target) as two:
        async with (
            one.cluster_lock("purge") as first,
            two.cluster_lock("purge") as second,
            two.cluster_lock("scrub") as other_job,
        ):
            assert (first, second, other_job) == (True, False, True)
        async with two.cluster_lock("purge") as after:
            assert after  # released at the end of the first instance's run
    # An instance that dies mid-job releases it with its connection.
    dying = open_db(db_target)
    await dying.open()
    async with open_db(db_target) as survivor, dying.cluster_lock("anchor") as held:
        assert held
        # The timeout makes it wait until the backend has exited (PostgreSQL 14+): without it the
        # signal is only sent, and on a loaded machine the lock could still be held a moment later.
        # Only this test's database: the server is shared, and every advisory lock in it once
        # included another worker's access-log writer (a test failing at random beside this one).
        run_as_superuser(
            db_target,
            "SELECT pg_terminate_backend(pid, 10000) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        )
        async with survivor.cluster_lock("anchor") as taken_over:
            assert taken_over
    await dying.close()


# Migration 0013: refusals recorded before a refusal stored its contact's number get it from the
# case, so they block the person on every case (storage.cases.refusals_sync) like new ones.
_CEASE = (
    "INSERT INTO ceases (case_id, channels, contact_id, reason, at) VALUES ('{}', '[\"call\"]', {}, '', 'x')"
)
_CONTACTS = (
    '{"contacts": [{"contact_id": "k1", "number": "+8613900139000"},'
    ' {"contact_id": "k2", "number": "+8613700137000"}]}'
)
_BEFORE_0013 = [
    "INSERT INTO agencies (agency_id, name, status, created_at, updated_at)"
    " VALUES ('a1', 'A', 'active', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')",
    "INSERT INTO cases (case_id, agency_id, debtor_id, status, region, doc, created_at, updated_at)"
    f" VALUES ('c1', 'a1', 'd1', 'active', 'CN', '{_CONTACTS}', 'x', 'x')",
    "INSERT INTO cases (case_id, agency_id, debtor_id, status, region, doc, created_at, updated_at)"
    " VALUES ('c2', 'a1', 'd2', 'active', 'CN', '{}', 'x', 'x')",
    _CEASE.format("c1", "'k2'"),
    _CEASE.format("c1", "'gone'"),  # a contact since removed from the case
    _CEASE.format("c2", "'k1'"),  # a case without contacts
    _CEASE.format("c1", "NULL"),  # the debtor's own
]
_AFTER_0013 = [("k2", "+8613700137000"), ("gone", None), ("k1", None), (None, None)]


def test_migration_0013_gives_old_refusals_their_contacts_number_on_sqlite(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    migrate(conn, upto=12)
    for sql in _BEFORE_0013:
        conn.execute(sql)
    migrate(conn)
    assert conn.execute("SELECT contact_id, number FROM ceases ORDER BY cease_id").fetchall() == _AFTER_0013
    conn.close()


async def test_migration_0013_gives_old_refusals_their_contacts_number_on_postgresql(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The scripts are read once here, off the event loop (the server reads them on its own thread).
    scripts = await asyncio.to_thread(pg_migration_scripts)
    monkeypatch.setattr(storage.pg, "pg_migration_scripts", lambda: scripts)
    with fresh_database() as url:
        conn = await asyncpg.connect(url)
        try:
            await migrate_pg(conn, upto=12)
            for sql in _BEFORE_0013:
                await conn.execute(sql)
            await migrate_pg(conn)
            rows = await conn.fetch("SELECT contact_id, number FROM ceases ORDER BY cease_id")
        finally:
            await conn.close()
    assert [tuple(r) for r in rows] == _AFTER_0013
