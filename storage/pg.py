"""PostgreSQL behind the same `Database` interface (asyncpg).

The storage modules write with synchronous functions `fn(conn)` that run on a writer thread and
call `conn.execute(sql, {named params})`; on SQLite that is a stdlib connection. Here the writer is
a pool of "lanes" (threads), each with its own event loop and asyncpg connection, lending `fn` a
`PgConn` that translates the SQL (storage.dialect) and runs each statement on the lane's own loop
(no hop to another thread per statement: that hop was half the cost of a decision). Reads, cluster
locks and migrations use a small asyncpg pool on one more loop thread (`cw-pg`), so the caller's
event loop never blocks, and the same object serves the gateway, the workers and synchronous CLI
code.

Ordinary `write()` transactions first take one cluster-wide advisory lock: they keep the exact
single-writer semantics they were written for on SQLite. The hot paths do not: the
check-and-reserve transaction locks only its debtors' ledger rows, workers claim jobs with
`FOR UPDATE SKIP LOCKED`, and the access log appends under its own advisory lock.

Connection failures become `DatabaseUnavailable` (503, `database_unavailable`): fail closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from importlib import resources
from typing import Any, NoReturn, TypeVar

import asyncpg

from storage.db import (
    Database,
    DatabaseBusy,
    DatabaseError,
    DatabaseUnavailable,
    migration_scripts,
    to_ts,
)
from storage.dialect import (
    LOCK_ACCESS_LOG,
    LOCK_JOBS,
    LOCK_MIGRATE,
    LOCK_WRITE,
    Translated,
    coerce_args,
    translate,
)

__all__ = ["LOCK_ACCESS_LOG", "LOCK_JOBS", "PgConn", "PgDatabase", "redact_url"]

T = TypeVar("T")

# A statement that takes longer than this is cancelled by the server (a stuck lock, a lost replica).
STATEMENT_TIMEOUT_MS = 30_000
# The scheduled jobs that run once per cluster (each its own advisory-lock key).
JOB_NAMES = ("purge", "scrub", "replica", "anchor", "spool")
CONNECT_TIMEOUT_S = 5.0
SERVER_SETTINGS = {"statement_timeout": str(STATEMENT_TIMEOUT_MS), "application_name": "callwarden"}
DEFAULT_LANES = 8

_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.ReadOnlySQLTransactionError,  # a replica promoted late, or we reached the old primary
    asyncpg.AdminShutdownError,
)


def _numeric(text: str) -> int | float:
    # SUM() and AVG() of integers are `numeric` in PostgreSQL; SQLite gives int or float.
    try:
        return int(text)
    except ValueError:
        return float(text)


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("numeric", encoder=str, decoder=_numeric, schema="pg_catalog", format="text")


# SQLSTATE classes meaning "the server is not there for us now": connection exceptions (08),
# operator intervention (57P: shutdown, crash, cannot connect now, database dropped), insufficient
# resources (53: too many connections), a read-only transaction (25006: we reached a standby),
# and 55000 as a reconnect meets it ("database ... is not currently accepting connections").
_UNAVAILABLE_STATES = ("08", "57P", "53", "25006", "55000")


def is_connection_error(exc: BaseException) -> bool:
    state = str(getattr(exc, "sqlstate", "") or "")
    return isinstance(exc, _CONNECTION_ERRORS) or (bool(state) and state.startswith(_UNAVAILABLE_STATES))


class PgCursor:
    """The part of `sqlite3.Cursor` the storage modules use."""

    lastrowid: int | None = None

    def __init__(self, rows: Sequence[Any], rowcount: int) -> None:
        self._rows = list(rows)
        self.rowcount = rowcount

    def fetchone(self) -> Any:
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[Any]:
        return list(self._rows)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)


class PgConn:
    """One asyncpg connection seen synchronously from a lane thread (`sqlite3.Connection`-like)."""

    dialect = "postgresql"

    def __init__(self, lane: _Lane, conn: asyncpg.Connection) -> None:
        self._lane = lane
        self._conn = conn

    def execute(self, sql: str, params: Any = None) -> PgCursor:
        head = sql.lstrip()[:16].upper()
        if head.startswith("PRAGMA"):
            return PgCursor([], -1)  # SQLite tuning (secure_delete, ...): nothing to do here
        if head.startswith("BEGIN"):
            sql = "BEGIN"
        tr = translate(sql)
        return self._lane.run(_run(self._conn, tr, tr.args(params)))

    def column_types(self, table: str) -> dict[str, str]:
        """Each column of `table` and its type name (`bigint`, `text`, `bytea`, ...)."""
        rows = self.execute(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = :t",
            {"t": table},
        )
        return {str(r[0]): str(r[1]) for r in rows}

    def copy_records(self, table: str, columns: Sequence[str], records: list[tuple[Any, ...]]) -> None:
        """Bulk insert with COPY (inside the caller's transaction)."""
        self._lane.run(self._conn.copy_records_to_table(table, records=records, columns=list(columns)))

    def reset_identities(self) -> None:
        """Move every identity column's sequence past the largest id present (after a copy)."""
        rows = self.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND is_identity = 'YES'"
        ).fetchall()
        for table, column in rows:
            self.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'),"
                f" coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)"
            )

    def executemany(self, sql: str, seq: Sequence[Any]) -> PgCursor:
        tr = translate(sql)
        rows = [tr.args(p) for p in seq]
        return self._lane.run(_run_many(self._conn, tr, rows))


async def _run(conn: asyncpg.Connection, tr: Translated, args: list[Any]) -> PgCursor:
    try:
        return await _once(conn, tr, args)
    except asyncpg.DataError as exc:
        if "invalid input for query argument" not in str(exc):
            raise
        # SQLite stores what it is given; asyncpg insists on the column's type: convert the values
        # the way SQLite's column affinity would, using the statement's parameter types.
        stmt = await conn.prepare(tr.sql)
        return await _once(conn, tr, coerce_args(args, [t.name for t in stmt.get_parameters()]))


async def _once(conn: asyncpg.Connection, tr: Translated, args: list[Any]) -> PgCursor:
    if tr.returns_rows:
        rows = await conn.fetch(tr.sql, *args)
        return PgCursor(rows, len(rows))
    status = await conn.execute(tr.sql, *args) if args else await conn.execute(tr.sql)
    last = status.rsplit(" ", 1)[-1]
    return PgCursor([], int(last) if last.isdigit() else -1)


async def _run_many(conn: asyncpg.Connection, tr: Translated, rows: list[list[Any]]) -> PgCursor:
    try:
        await conn.executemany(tr.sql, rows)
    except asyncpg.DataError:
        stmt = await conn.prepare(tr.sql)
        types = [t.name for t in stmt.get_parameters()]
        await conn.executemany(tr.sql, [coerce_args(r, types) for r in rows])
    return PgCursor([], len(rows))


class _Lane:
    """A writer thread's own event loop and connection: a statement runs on the lane's thread
    (`run_until_complete`), with no hop to another thread and back."""

    def __init__(self, db: PgDatabase) -> None:
        self.db = db
        self.loop = asyncio.new_event_loop()
        self.conn: asyncpg.Connection | None = None

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        try:
            return self.loop.run_until_complete(coro)
        except BaseException as exc:
            _reraise(exc)

    def connection(self) -> asyncpg.Connection:
        if self.conn is not None and not self.conn.is_closed():
            return self.conn
        self.conn = None
        try:
            self.conn = self.loop.run_until_complete(self.db.connect())
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise DatabaseUnavailable(f"no database connection: {type(exc).__name__}: {exc}") from exc
        return self.conn

    def close(self) -> None:
        """From any thread once the lane's thread has stopped."""
        if self.conn is not None:
            with contextlib.suppress(Exception):
                self.loop.run_until_complete(asyncio.wait_for(self.conn.close(), 5))
            self.conn = None
        self.loop.close()


class PgDatabase(Database):
    """A PostgreSQL database: lanes of writers (threads) and a pool of asyncpg connections."""

    dialect = "postgresql"

    def __init__(self, url: str, lanes: int = DEFAULT_LANES) -> None:
        super().__init__(None)
        self.url = url
        self.lanes = lanes
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._pool: asyncpg.Pool | None = None
        self._lanes: ThreadPoolExecutor | None = None
        self._local = threading.local()
        self._lanes_lock = threading.Lock()
        self._all_lanes: list[_Lane] = []

    def describe(self) -> str:
        """The URL without its password (for logs, doctor and /readyz)."""
        return redact_url(self.url)

    # --- the asyncpg loop thread ---------------------------------------------------------------

    def call(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run `coro` on the asyncpg loop and wait for it (from any thread but that loop's)."""
        if self._loop is None:
            coro.close()
            raise DatabaseError("database is not open")
        fut = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return fut.result(timeout)
        except BaseException as exc:
            fut.cancel()
            _reraise(exc)

    async def _acall(self, coro: Coroutine[Any, Any, T]) -> T:
        if self._loop is None:
            coro.close()
            raise DatabaseError("database is not open")
        try:
            return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self._loop))
        except BaseException as exc:
            _reraise(exc)

    async def open(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name="cw-pg", daemon=True)
        self._thread.start()
        try:
            self._pool = await self._acall(self._create_pool())
            self.applied = await self._acall(_migrate(self._pool))
        except BaseException:
            await self.close()
            raise
        self._lanes = ThreadPoolExecutor(max_workers=self.lanes, thread_name_prefix="cw-pg-lane")

    async def _create_pool(self) -> asyncpg.Pool:
        try:
            return await asyncpg.create_pool(
                self.url,
                min_size=1,
                max_size=4,  # reads, cluster locks, migrations (the lanes have their own)
                init=_init_connection,
                timeout=CONNECT_TIMEOUT_S,
                command_timeout=STATEMENT_TIMEOUT_MS / 1000 + 5,
                server_settings=SERVER_SETTINGS,
            )
        except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
            raise DatabaseError(f"cannot open database {self.describe()}: {exc}") from exc

    async def close(self) -> None:
        if self._lanes is not None:
            lanes = self._lanes
            self._lanes = None
            await asyncio.get_running_loop().run_in_executor(None, lambda: lanes.shutdown(wait=True))
        with self._lanes_lock:
            stopped, self._all_lanes = self._all_lanes, []
        for lane in stopped:  # their threads have exited: drive each lane's loop from here
            await asyncio.get_running_loop().run_in_executor(None, lane.close)
        if self._pool is not None and self._loop is not None:
            pool = self._pool
            self._pool = None
            with contextlib.suppress(Exception):
                await self._acall(asyncio.wait_for(pool.close(), 10))
        if self._loop is not None:
            loop = self._loop
            loop.call_soon_threadsafe(loop.stop)
            if self._thread is not None:
                await asyncio.get_running_loop().run_in_executor(None, self._thread.join, 10)
            loop.close()
            self._loop = None
            self._thread = None

    # --- the Database interface ----------------------------------------------------------------

    def _pool_or_raise(self) -> asyncpg.Pool:
        if self._pool is None:
            raise DatabaseError("database is not open")
        return self._pool

    def _lane(self) -> _Lane:
        lane: _Lane | None = getattr(self._local, "lane", None)
        if lane is None:
            lane = self._local.lane = _Lane(self)
            with self._lanes_lock:
                self._all_lanes.append(lane)
        return lane

    def _on_lane(self, fn: Callable[[Any], T]) -> T:
        lane = self._lane()
        conn = lane.connection()
        try:
            return fn(PgConn(lane, conn))
        finally:
            # A function that forgot its COMMIT must not leak a transaction into the next use of
            # the connection (and a broken connection must not hide fn's own error).
            with contextlib.suppress(Exception):
                lane.run(_rollback_if_open(conn))

    async def connect(self) -> asyncpg.Connection:
        """A new connection with the pool's settings (a lane's own)."""
        conn = await asyncpg.connect(
            self.url,
            timeout=CONNECT_TIMEOUT_S,
            command_timeout=STATEMENT_TIMEOUT_MS / 1000 + 5,
            server_settings=SERVER_SETTINGS,
        )
        await _init_connection(conn)
        return conn

    async def run_on_writer(self, fn: Callable[[Any], T]) -> T:
        if self._lanes is None:
            raise DatabaseError("database is not open")
        return await asyncio.get_running_loop().run_in_executor(self._lanes, self._on_lane, fn)

    def write_sync(self, fn: Callable[[Any], T], exclusive: bool = True) -> T:
        """`write` for code already on a thread of its own (not the asyncpg loop)."""
        return self._on_lane(lambda conn: pg_transaction(conn, fn, exclusive))

    async def write(self, fn: Callable[[Any], T], exclusive: bool = True) -> T:
        """`fn(conn)` in one transaction on a lane. `exclusive` (the default) first takes the
        cluster-wide write lock, as SQLite's BEGIN IMMEDIATE would; code that does its own
        row locking (job claims) passes False."""
        return await self.run_on_writer(lambda conn: pg_transaction(conn, fn, exclusive))

    async def fetchall(self, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
        pool = self._pool_or_raise()
        tr = translate(sql)
        return await self._acall(_pool_fetch(pool, tr, tr.args(params)))

    async def check_writable(self) -> None:
        pool = self._pool_or_raise()
        rows = await self._acall(_pool_fetch(pool, translate("SELECT pg_is_in_recovery() AS standby"), []))
        row = rows[0] if rows else None
        if row is not None and row["standby"]:
            raise DatabaseUnavailable(
                f"{self.describe()} is a standby (read-only); waiting for the new primary"
            )

    def read_sync(self, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
        """Rows for a thread that is not the caller's loop (e.g. a scrub walking the store)."""
        pool = self._pool_or_raise()
        tr = translate(sql)
        return self.call(_pool_fetch(pool, tr, tr.args(params)))

    @contextlib.contextmanager
    def reader_sync(self) -> Iterator[Any]:
        yield _SyncReader(self)

    @contextlib.asynccontextmanager
    async def cluster_lock(self, name: str) -> AsyncIterator[bool]:
        """A session advisory lock per scheduled job, tried without waiting: True in exactly one
        instance of the cluster at a time. Held on its own connection until the block ends (or
        the instance dies: the server then releases it)."""
        pool = self._pool_or_raise()
        key = LOCK_JOBS + (JOB_NAMES.index(name) if name in JOB_NAMES else 0xFF)
        conn = await self._acall(_acquire(pool))
        try:
            got = bool(await self._acall(conn.fetchval("SELECT pg_try_advisory_lock($1)", key)))
            try:
                yield got
            finally:
                if got:
                    with contextlib.suppress(Exception):
                        await self._acall(conn.fetchval("SELECT pg_advisory_unlock($1)", key))
        finally:
            with contextlib.suppress(Exception):
                await self._acall(pool.release(conn))


class _SyncReader:
    """`execute` for a thread of its own, each statement on a pooled connection."""

    def __init__(self, db: PgDatabase) -> None:
        self._db = db

    def execute(self, sql: str, params: Any = None) -> PgCursor:
        rows = self._db.read_sync(sql, params)
        return PgCursor(rows, len(rows))


async def _pool_fetch(pool: asyncpg.Pool, tr: Translated, args: list[Any]) -> list[Any]:
    conn = await _acquire(pool)
    try:
        return (await _run(conn, tr, args)).fetchall()
    finally:
        with contextlib.suppress(Exception):
            await pool.release(conn)


async def _acquire(pool: asyncpg.Pool) -> asyncpg.Connection:
    try:
        return await pool.acquire(timeout=CONNECT_TIMEOUT_S)
    except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        # No connection to be had (server down, failing over, refusing this database).
        raise DatabaseUnavailable(f"no database connection: {type(exc).__name__}: {exc}") from exc


async def _rollback_if_open(conn: asyncpg.Connection) -> None:
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


def pg_transaction(conn: PgConn, fn: Callable[[Any], T], exclusive: bool) -> T:
    conn.execute("BEGIN")
    try:
        if exclusive:
            conn.execute("SELECT pg_advisory_xact_lock(:k)", {"k": LOCK_WRITE})
        result = fn(conn)
    except BaseException:
        with contextlib.suppress(Exception):
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


def _reraise(exc: BaseException) -> NoReturn:
    """Raise `exc`, or the callwarden error it stands for (chained to it)."""
    mapped = _mapped(exc)
    if mapped is exc:
        raise exc
    raise mapped from exc


def _mapped(exc: BaseException) -> BaseException:
    if isinstance(exc, DatabaseError | DatabaseUnavailable | DatabaseBusy):
        return exc
    if isinstance(exc, asyncpg.LockNotAvailableError | asyncpg.QueryCanceledError):
        return DatabaseBusy(f"the database is busy: {exc}")
    if is_connection_error(exc):
        return DatabaseUnavailable(f"the database cannot be reached: {type(exc).__name__}: {exc}")
    if isinstance(exc, asyncpg.UniqueViolationError | asyncpg.ForeignKeyViolationError):
        return _integrity(exc)
    if isinstance(exc, asyncpg.CheckViolationError | asyncpg.NotNullViolationError):
        return _integrity(exc)
    if isinstance(exc, asyncpg.RaiseError):  # a trigger refusing a change (the append-only log)
        return _integrity(exc)
    return exc


def _integrity(exc: BaseException) -> BaseException:
    # The storage modules catch sqlite3.IntegrityError for constraint violations.
    import sqlite3

    out = sqlite3.IntegrityError(str(exc))
    out.__cause__ = exc
    return out


def redact_url(url: str) -> str:
    """`postgresql://user:secret@host/db` → `postgresql://user:***@host/db`."""
    head, sep, tail = url.partition("://")
    if not sep or "@" not in tail:
        return url
    creds, _, rest = tail.rpartition("@")
    user = creds.split(":", 1)[0]
    return f"{head}://{user}{':***' if ':' in creds else ''}@{rest}"


# --- migrations ----------------------------------------------------------------------------------


def pg_migration_scripts() -> list[tuple[int, str, str]]:
    """(version, name, SQL) for PostgreSQL: the `postgresql/` pair where one exists, else the
    shared file (portable SQL, such as plain CREATE INDEX migrations)."""
    pairs = {}
    for item in resources.files("storage.migrations").joinpath("postgresql").iterdir():
        if item.name.endswith(".sql") and item.name[:4].isdigit():
            pairs[int(item.name[:4])] = (item.name, item.read_text(encoding="utf-8"))
    out = []
    for version, name, sql in migration_scripts():
        pair = pairs.get(version)
        out.append((version, name, pair[1] if pair else sql))
    return out


async def _migrate(pool: asyncpg.Pool, upto: int | None = None) -> list[str]:
    async with pool.acquire() as conn:
        return await migrate_pg(conn, upto)


async def migrate_pg(conn: asyncpg.Connection, upto: int | None = None) -> list[str]:
    """Apply pending migrations, each in its own transaction, under a cluster-wide lock."""
    applied: list[str] = []
    await conn.execute("SELECT pg_advisory_lock($1)", LOCK_MIGRATE)
    try:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        done = {r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")}
        for version, name, sql in pg_migration_scripts():
            if version in done or (upto is not None and version > upto):
                continue
            async with conn.transaction():
                await conn.execute(sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                    version,
                    name,
                    to_ts(datetime.now(UTC)),
                )
            applied.append(name)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", LOCK_MIGRATE)
    return applied
