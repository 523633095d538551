"""The database: connections, pragmas, migrations and the single writer path.

`storage.backends.open_db(target)` gives a `Database` for a SQLite file (the embedded default)
or, for a `postgresql://` URL, a `storage.pg.PgDatabase` with the same interface. One `Database`
owns one SQLite file. Every write runs on one dedicated writer thread with its own
stdlib `sqlite3` connection, inside `BEGIN IMMEDIATE`, so writes are serialised in this process
and (through SQLite's write lock) across processes sharing the file. Reads use a separate aiosqlite
connection and never wait for the writer (WAL).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from policies.errors import CallwardenError, Conflict, NotFound, ServiceUnavailable
from policies.timefmt import sortable

__all__ = [
    "Conflict",
    "Database",
    "DatabaseBusy",
    "DatabaseError",
    "DatabaseUnavailable",
    "NotFound",
    "busy",
    "from_ts",
    "is_postgres_url",
    "new_id",
    "to_ts",
]

T = TypeVar("T")

# A LIMIT that never binds (SQLite's -1 means "no limit", PostgreSQL refuses a negative one).
NO_LIMIT = 2**62

# How long a writer waits for another process's write lock before giving up. Callers with a
# tighter deadline (the contact decision) stop waiting sooner and fail closed.
BUSY_TIMEOUT_MS = 2000


class DatabaseError(CallwardenError):
    """The database could not be opened, migrated or written."""

    code = "database_error"


class DatabaseBusy(ServiceUnavailable):
    """Another process held the database's write lock past the busy timeout: nothing was
    written; the client may retry."""


class DatabaseUnavailable(ServiceUnavailable):
    """The database server cannot be reached (down, failing over, a standby): nothing was
    written; the client may retry."""

    code = "database_unavailable"


def busy(exc: sqlite3.OperationalError) -> bool:
    """Whether SQLite gave up waiting for a lock (as opposed to a real fault)."""
    return "locked" in str(exc) or "busy" in str(exc)


def new_id(prefix: str) -> str:
    """A unique id that sorts by creation time: new rows land at the end of the primary-key
    B-tree (cache-friendly inserts) instead of at random pages."""
    return f"{prefix}_{time.time_ns():016x}{secrets.token_hex(4)}"


# A UTC instant as fixed-width text that sorts chronologically (the database's column format).
to_ts = sortable


def from_ts(raw: str) -> datetime:
    """The inverse of `to_ts`."""
    return datetime.fromisoformat(raw)


def and_where(conditions: list[tuple[str, str, Any]]) -> tuple[str, dict[str, Any]]:
    """`" AND <clause>"` for each `(clause, param, value)` whose value is not None, with the
    named parameters: optional search filters without string-formatting any value into SQL."""
    sql, params = "", {}
    for clause, param, value in conditions:
        if value is not None:
            sql += f" AND {clause}"
            params[param] = value
    return sql, params


def migration_scripts() -> list[tuple[int, str, str]]:
    """(version, file name, SQL) of every migration, in order (SQLite's text)."""
    out = []
    for item in resources.files("storage.migrations").iterdir():
        name = item.name
        if name.endswith(".sql") and name[:4].isdigit():
            out.append((int(name[:4]), name, item.read_text(encoding="utf-8")))
    return sorted(out)


_migrations = migration_scripts


def is_postgres_url(target: str | Path) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    # FULL: the WAL is fsynced at every commit, so an answered decision survives a power cut.
    # Group commit (storage.decisions) amortises that fsync over concurrent decisions.
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")


def migrate(conn: sqlite3.Connection, upto: int | None = None) -> list[str]:
    """Apply pending numbered migrations (up to version `upto`); returns the names applied.
    Safe across processes: the ledger is read and extended inside one write transaction."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    applied: list[str] = []
    conn.execute("BEGIN IMMEDIATE")
    try:
        done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
        for version, name, sql in migration_scripts():
            if version in done or (upto is not None and version > upto):
                continue
            # executescript would COMMIT our transaction; run statements one by one instead.
            for statement in _split_sql(sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (:v, :n, :at)",
                {"v": version, "n": name, "at": to_ts(datetime.now(UTC))},
            )
            applied.append(name)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return applied


def _split_sql(script: str) -> list[str]:
    statements, buf = [], ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            statements.append(buf.strip())
            buf = ""
    if buf.strip():
        statements.append(buf.strip())
    return statements


def connect_sync(path: Path) -> sqlite3.Connection:
    """A configured stdlib connection in autocommit mode (transactions are explicit)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    _configure(conn)
    return conn


class Database:
    """One SQLite file: a writer thread for all writes, an aiosqlite connection for reads."""

    dialect = "sqlite"

    def __init__(self, path: Path | str | None) -> None:
        # None only for a subclass that is not a file (PostgreSQL).
        self.path = Path(path) if path is not None else Path()
        self._executor: ThreadPoolExecutor | None = None
        self._writer: sqlite3.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._checkpointer: Checkpointer | None = None
        self.applied: list[str] = []  # the migrations the last open() applied

    async def open(self) -> None:
        """Open both connections and apply pending migrations."""
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cw-writer")
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(
            self._executor, lambda: self.path.parent.mkdir(parents=True, exist_ok=True)
        )
        try:
            self._writer = await loop.run_in_executor(self._executor, connect_sync, self.path)
            self.applied = await loop.run_in_executor(self._executor, migrate, self._writer)
        except sqlite3.Error as exc:
            raise DatabaseError(f"cannot open database {self.path}: {exc}") from exc
        # Checkpoints copy the WAL into the database file with fsyncs of their own: keep them off
        # the writer (where they would stall a batch of decisions) on a background thread.
        await loop.run_in_executor(self._executor, self._writer.execute, "PRAGMA wal_autocheckpoint = 0")
        self._checkpointer = Checkpointer(self.path)
        self._checkpointer.start()
        self._reader = await aiosqlite.connect(self.path)
        self._reader.row_factory = aiosqlite.Row
        await self._reader.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await self._reader.execute("PRAGMA foreign_keys = ON")

    async def close(self) -> None:
        if self._checkpointer is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._checkpointer.stop)
            self._checkpointer = None
        if self._reader is not None:
            await self._reader.close()
            self._reader = None
        if self._executor is not None:
            writer = self._writer
            if writer is not None:
                await asyncio.get_running_loop().run_in_executor(self._executor, writer.close)
            # Joining the (idle, just closed) writer thread still waits on a lock: off the loop.
            await asyncio.to_thread(self._executor.shutdown, wait=True)
            self._executor = None
            self._writer = None

    def describe(self) -> str:
        """Where the data is, for logs, doctor and /readyz."""
        return f"sqlite:{self.path}"

    @contextlib.asynccontextmanager
    async def cluster_lock(self, name: str) -> AsyncIterator[bool]:
        """Whether this process may run the scheduled job `name` now, held for the block. SQLite
        has one host: the callers' file locks already decide (always True here)."""
        del name
        yield True

    def read_sync(self, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
        """Rows read on a connection of the calling thread's own (not the event loop's)."""
        with self.reader_sync() as conn:
            return list(conn.execute(sql, params or {}))

    @contextlib.contextmanager
    def reader_sync(self) -> Iterator[Any]:
        """A read-only connection for a thread that is not the event loop's (a store walk)."""
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        try:
            yield conn
        finally:
            conn.close()

    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def run_on_writer(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn(conn)` on the writer thread; `fn` manages its own transaction."""
        if self._executor is None or self._writer is None:
            raise DatabaseError("database is not open")
        writer = self._writer
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, fn, writer)
        except sqlite3.OperationalError as exc:
            if busy(exc):
                raise DatabaseBusy("the database is busy (another process holds its write lock)") from exc
            raise

    async def write(self, fn: Callable[[sqlite3.Connection], T], exclusive: bool = True) -> T:
        """Run `fn(conn)` inside one `BEGIN IMMEDIATE` transaction on the writer thread.
        `exclusive=False` tells PostgreSQL that `fn` locks the rows it needs itself; SQLite's
        writes are always exclusive."""
        return await self.run_on_writer(lambda conn: transaction(conn, fn))

    async def fetchall(self, sql: str, params: dict[str, Any] | None = None) -> list[aiosqlite.Row]:
        """Read rows on the reader connection (named parameters only)."""
        if self._reader is None:
            raise DatabaseError("database is not open")
        try:
            # One trip to the reader's thread (execute, fetch and close there), not three: a
            # console page makes a dozen small reads, and each trip costs more than the read.
            return list(await self._reader.execute_fetchall(sql, params or {}))
        except sqlite3.OperationalError as exc:
            if busy(exc):
                raise DatabaseBusy("the database is busy (another process holds its lock)") from exc
            raise

    async def fetchone(self, sql: str, params: dict[str, Any] | None = None) -> aiosqlite.Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def check_writable(self) -> None:
        """Raise unless a write transaction can be opened now (readiness probe)."""

        def probe(conn: sqlite3.Connection) -> None:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")

        await self.run_on_writer(probe)


class Checkpointer(threading.Thread):
    """Runs `wal_checkpoint(PASSIVE)` every `interval` seconds on its own connection.

    PASSIVE never waits for readers or writers; frames still needed by a reader stay in the WAL
    for the next round. A final TRUNCATE checkpoint at stop leaves a small WAL behind.
    """

    def __init__(self, path: Path, interval: float = 1.0) -> None:
        super().__init__(name="cw-checkpoint", daemon=True)
        self.path = path
        self.interval = interval
        self._halt = threading.Event()

    def run(self) -> None:
        conn = connect_sync(self.path)
        try:
            while not self._halt.wait(self.interval):
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            with contextlib.suppress(sqlite3.Error):
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=10)


class WriterLock:
    """An exclusive advisory lock (flock) shared by the decision writers of every process."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self, deadline: float) -> bool:
        """Take the lock, polling until `deadline` (time.monotonic()); False if not taken."""
        if self.path is None:
            return True
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.0002)

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def transaction(conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], T]) -> T:
    """`fn(conn)` inside BEGIN IMMEDIATE ... COMMIT, rolled back on any exception."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = fn(conn)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result
