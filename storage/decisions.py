"""The check-and-reserve transaction, group-committed.

Each contact request becomes a job on a queue. A batcher hands every job waiting at that moment
to the writer thread, which opens ONE `BEGIN IMMEDIATE` transaction and, job by job, reads the
debtor's history inside the packs' windows, calls `policies.evaluate`, and writes the decision
(and, when allowed, the attempt that now counts against caps). One COMMIT, one fsync, then every
job is answered. Jobs are evaluated in order inside the transaction, so the second job sees the
first job's attempt: caps hold under any concurrency, and across processes (SQLite's write lock).

On PostgreSQL the same transaction first locks the ledger rows of the batch's debtors (and numbers,
for packs that cap per number) with one `INSERT ... ON CONFLICT DO UPDATE` in key order, so a
batch waits only for batches that share a debtor with it: several batches (lanes) per instance and
several instances decide different debtors in parallel, the same debtor one at a time. A lock not
granted before the jobs' deadline denies them (`policy_unavailable`), as SQLite's busy lock does.

A job whose caller stopped waiting (the fail-closed timeout) is skipped if not yet evaluated, and
released right after the commit if it had been allowed: a dialer told "denied" never leaves an
attempt that counts.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import policies
from policies.errors import ServiceUnavailable
from policies.types import Case, ContactRequest, Decision, Reason
from storage.attempts import history_sync, release_attempt
from storage.cases import case_version_sync, load_case_sync, refusals_sync
from storage.db import Database, DatabaseUnavailable, NotFound, WriterLock, new_id, to_ts

__all__ = ["DecisionTimeout", "DecisionUnavailable", "DecisionWriter", "Reserved"]

log = logging.getLogger("callwarden.decisions")

MAX_BATCH = 256
# PostgreSQL: smaller batches spread over the lanes. One batch runs its statements one after the
# other on one connection, so a large batch would keep the other lanes idle and its last jobs past
# their deadline; the server groups the concurrent commits' WAL flushes itself.
PG_MAX_BATCH = 8
CASE_CACHE_SIZE = 100_000
FREEZE_EVERY = 5_000


class DecisionTimeout(ServiceUnavailable):
    """The decision could not be recorded in time; the caller must deny (`policy_unavailable`)."""

    code = "policy_unavailable"


class DecisionUnavailable(DecisionTimeout):
    """The database could not be reached: nothing was recorded; the caller must deny."""

    code = "database_unavailable"


@dataclass(frozen=True)
class Reserved:
    """A recorded decision; `attempt_id` is set when allowed (the attempt now counts)."""

    decision: Decision
    decision_id: str
    attempt_id: str | None
    case: Case | None  # None when the case does not exist


@dataclass(eq=False)
class _Job:
    request: ContactRequest
    endpoint: str
    key_id: str | None
    from_number: str | None
    deadline: float
    future: asyncio.Future[Reserved]
    abandoned: bool = False
    result: Reserved | None = None
    error: BaseException | None = None


def _unavailable(request: ContactRequest, now: datetime, packs: tuple[str, ...], why: str) -> Decision:
    return Decision(
        allowed=False,
        reasons=(Reason("policy_unavailable", "callwarden/engine", f"policy could not be evaluated: {why}"),),
        packs=packs,
        local_times=(),
        evaluated_at=now,
    )


def _expire(job: _Job, timeout: float) -> None:
    """The caller's deadline passed: it answers "denied"; the batcher skips or releases the job."""
    if not job.future.done():
        job.abandoned = True
        job.future.set_exception(DecisionTimeout(f"decision not recorded within {timeout * 1000:.0f} ms"))


class DecisionWriter:
    """Owns the decision queue and the batcher task for one Database."""

    def __init__(
        self,
        db: Database,
        resolve_packs: Callable[[Sequence[str]], tuple[Any, ...]] | None = None,
        max_batch: int = MAX_BATCH,
    ) -> None:
        self.db = db
        self.resolve_packs = resolve_packs or (lambda names: tuple(policies.load_packs(names)))
        self.max_batch = (
            max_batch if db is None or db.dialect != "postgresql" else min(max_batch, PG_MAX_BATCH)
        )
        self._queue: asyncio.Queue[_Job] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        # Parsed cases and packs, keyed by the case's version: reparsing JSON and numbers on every
        # request would dominate the hot path. Touched only on the writer thread.
        self._cases: OrderedDict[str, tuple[int, Case, tuple[Any, ...], bool]] = OrderedDict()
        self._cached_since_freeze = 0
        self._pg = db is not None and db.dialect == "postgresql"
        sqlite_lock = db is not None and not self._pg
        self._lock = (
            WriterLock(db.path.with_name(db.path.name + ".decide.lock")) if sqlite_lock else WriterLock(None)
        )
        # PostgreSQL: batches run on several lanes at once, sharing the case cache.
        self._cache_lock = threading.Lock()
        self._lanes = asyncio.Semaphore(getattr(db, "lanes", 1) if self._pg else 1)
        self._inflight: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="callwarden-decision-batcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._inflight:
            await asyncio.gather(*self._inflight, return_exceptions=True)
        if not self._pg:
            # On the writer thread, after any batch still running there: it owns the lock.
            await self.db.run_on_writer(lambda conn: self._lock.close())
        while not self._queue.empty():
            job = self._queue.get_nowait()
            if not job.future.done():
                job.future.set_exception(DecisionTimeout("gateway is shutting down"))

    async def decide(
        self,
        request: ContactRequest,
        *,
        endpoint: str,
        key_id: str | None,
        from_number: str | None = None,
        timeout: float = 0.25,  # noqa: ASYNC109 - a queue deadline the writer enforces, not a cancel
    ) -> Reserved:
        """Evaluate and record one request (a missing case is a recorded `case_not_assigned` denial).
        Raises DecisionTimeout when no decision was recorded in time."""
        loop = asyncio.get_running_loop()
        job = _Job(request, endpoint, key_id, from_number, time.monotonic() + timeout, loop.create_future())
        self._queue.put_nowait(job)
        timer = loop.call_later(timeout, _expire, job, timeout)
        try:
            return await job.future
        finally:
            timer.cancel()

    async def _run(self) -> None:
        while True:
            await self._lanes.acquire()
            try:
                batch = [await self._queue.get()]
            except BaseException:
                self._lanes.release()
                raise
            while len(batch) < self.max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            if not self._pg:
                await self._settle(batch)
                continue
            task = asyncio.create_task(self._settle(batch))
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)

    async def _settle(self, batch: list[_Job]) -> None:
        """Run one batch on the writer and answer its jobs."""
        try:
            await self._write_batch(batch)
        finally:
            self._lanes.release()
        for job in batch:
            if job.result is not None and job.abandoned and job.result.attempt_id is not None:
                # Committed after the caller gave up and answered "denied": uncount it.
                try:
                    await release_attempt(self.db, job.result.attempt_id, "answer_timed_out")
                except Exception as exc:
                    log.error("could not release attempt %s: %s", job.result.attempt_id, exc)
                continue
            if job.future.done() or job.abandoned:
                continue  # nobody is waiting: the caller already answered "denied"
            if job.result is not None:
                job.future.set_result(job.result)
            else:
                job.future.set_exception(job.error or DecisionTimeout("decision skipped"))
        if self._cached_since_freeze >= FREEZE_EVERY:
            # Queued behind the waiters just woken, so the collection never delays their answers.
            self._cached_since_freeze = 0
            asyncio.get_running_loop().call_soon(self._freeze)

    async def _write_batch(self, batch: list[_Job]) -> None:
        body = self._pg_batch if self._pg else self._batch
        try:
            await self.db.run_on_writer(lambda conn: body(conn, batch))
        except Exception as exc:
            log.error("decision batch failed: %s", exc)
            down = isinstance(exc, DatabaseUnavailable)
            for job in batch:
                job.result = None  # rolled back: nothing was recorded
                job.error = (DecisionUnavailable if down else DecisionTimeout)(
                    f"decision could not be recorded: {exc}"
                )

    def _freeze(self) -> None:
        """Move long-lived objects (the cached cases) out of the cyclic GC's reach.

        Without this, every full collection walks the whole case cache (millions of objects at
        10^5 cases) and stalls the loop for hundreds of ms: the p99 of the hot path. Collecting
        first means no cyclic garbage is frozen; frozen objects are still freed by refcounting
        when the cache evicts them (cases hold no reference cycles).
        """
        gc.collect()
        gc.freeze()

    # --- writer thread -------------------------------------------------------------------------

    def _batch(self, conn: sqlite3.Connection, batch: list[_Job]) -> None:
        live = []
        for job in batch:
            if job.abandoned or time.monotonic() >= job.deadline:
                job.error = DecisionTimeout("deadline passed before evaluation")
            else:
                live.append(job)
        if not live:
            return
        # Decision writers in other processes queue on a file lock, which wakes the next writer
        # the instant it is released; SQLite's own busy handler would sleep 1, 2, 5... ms instead.
        # BEGIN IMMEDIATE below remains what makes the check-and-reserve exact.
        if not self._lock.acquire(max(j.deadline for j in live)):
            for job in live:
                job.error = DecisionTimeout("another process held the decision lock past the deadline")
            return
        try:
            self._locked_batch(conn, live)
        finally:
            self._lock.release()

    def _pg_batch(self, conn: sqlite3.Connection, batch: list[_Job]) -> None:
        """The PostgreSQL batch: lock the ledger rows its requests touch, then decide in order."""
        live = [j for j in batch if not (j.abandoned or time.monotonic() >= j.deadline)]
        for job in batch:
            if job not in live:
                job.error = DecisionTimeout("deadline passed before evaluation")
        if not live:
            return
        conn.execute("BEGIN")
        try:
            wait_ms = max(1, int((max(j.deadline for j in live) - time.monotonic()) * 1000))
            # Waiting for another batch's debtor beyond the deadline would only produce denials.
            conn.execute(f"SET LOCAL lock_timeout = '{wait_ms}ms'")
            keys: set[str] = set()
            resolved: dict[str, tuple[Case, tuple[Any, ...], bool]] = {}
            for job in live:
                try:
                    resolved[job.request.case_id] = self._case(conn, job.request.case_id)
                except NotFound:
                    continue
                case, _packs, per_number = resolved[job.request.case_id]
                keys.add("debtor:" + case.debtor_id)
                if per_number:
                    keys.add("number:" + job.request.to)
            if keys:
                # Row locks in key order (one statement): two batches never wait for each other
                # in a cycle. New debtors get their row here; known ones are updated, which locks.
                conn.execute(
                    "INSERT INTO contact_ledger (ledger_key, created_at, decided_at)"
                    " SELECT k, :now, :now FROM unnest(CAST(:keys AS text[])) AS k ORDER BY k"
                    " ON CONFLICT (ledger_key) DO UPDATE SET decided_at = EXCLUDED.decided_at",
                    {"keys": sorted(keys), "now": to_ts(datetime.now(UTC))},
                )
            self._decide_all(conn, live, resolved)
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(Exception):
                conn.execute("ROLLBACK")
            raise

    def _locked_batch(self, conn: sqlite3.Connection, live: list[_Job]) -> None:
        # One instant for the whole batch (it commits at once), which also makes identical
        # requests evaluate identically: a denial is reused for the same request until an allowed
        # one changes the history. A shift-start burst for one debtor (hundreds of identical
        # requests) then costs a few evaluations and one insert per request.
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._decide_all(conn, live)
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise

    def _decide_all(
        self,
        conn: sqlite3.Connection,
        live: list[_Job],
        resolved: dict[str, tuple[Case, tuple[Any, ...], bool]] | None = None,
    ) -> None:
        """Evaluate and record each job in order, inside the caller's transaction. `resolved`:
        cases already read in this transaction (PostgreSQL reads them before taking the locks)."""
        now = datetime.now(UTC)
        denials: dict[ContactRequest, Decision] = {}
        # PostgreSQL: a job alone in its transaction needs no savepoint (two round trips): if it
        # fails, the batch's rollback is its own and it is answered `policy_unavailable`.
        savepoints = len(live) > 1 or not self._pg
        for job in live:
            if job.abandoned or time.monotonic() >= job.deadline:
                job.error = DecisionTimeout("deadline passed before evaluation")
                continue
            if savepoints:
                conn.execute("SAVEPOINT job")
            try:
                job.result = self._decide_one(conn, job, now, denials, resolved)
                if savepoints:
                    conn.execute("RELEASE job")
            except Exception as exc:
                if not savepoints:
                    raise
                conn.execute("ROLLBACK TO job")
                conn.execute("RELEASE job")
                job.error = exc

    def _case(self, conn: sqlite3.Connection, case_id: str) -> tuple[Case, tuple[Any, ...], bool]:
        """The case, its packs, and whether any pack caps per number (cached by version)."""
        version = case_version_sync(conn, case_id)
        if version is None:
            with self._cache_lock:
                self._cases.pop(case_id, None)
            raise NotFound("case", case_id)
        with self._cache_lock:
            cached = self._cases.get(case_id)
            if cached is not None and cached[0] == version:
                self._cases.move_to_end(case_id)
                return cached[1], cached[2], cached[3]
        loaded = load_case_sync(conn, case_id)
        if loaded is None:
            raise NotFound("case", case_id)
        case = loaded[0]
        packs = self.resolve_packs(case.packs)
        per_number = any(cap.scope == "number" for pack in packs for cap in pack.caps)
        with self._cache_lock:
            self._cases[case_id] = (version, case, packs, per_number)
            self._cases.move_to_end(case_id)
            if len(self._cases) > CASE_CACHE_SIZE:
                self._cases.popitem(last=False)
            self._cached_since_freeze += 1
        return case, packs, per_number

    def _decide_one(
        self,
        conn: sqlite3.Connection,
        job: _Job,
        now: datetime,
        denials: dict[ContactRequest, Decision],
        resolved: dict[str, tuple[Case, tuple[Any, ...], bool]] | None = None,
    ) -> Reserved:
        request = job.request
        try:
            known = resolved.get(request.case_id) if resolved is not None else None
            case, packs, per_number = known if known is not None else self._case(conn, request.case_id)
        except NotFound:
            return self._record(conn, job, policies.not_assigned(request, now), None, now)
        reused = denials.get(request)
        if reused is not None:
            decision = reused
        else:
            decision = self._evaluate(conn, request, case, packs, per_number, now)
            if decision.allowed:
                denials.clear()  # the new attempt is in every later history
            else:
                denials[request] = decision
        return self._record(conn, job, decision, case, now)

    def _record(
        self, conn: sqlite3.Connection, job: _Job, decision: Decision, case: Case | None, now: datetime
    ) -> Reserved:
        """Insert the decision and, when allowed, the attempt that now counts against caps."""
        request = job.request
        decision_id = new_id("dec")
        attempt_id = new_id("att") if decision.allowed else None
        ts = to_ts(now)
        conn.execute(
            "INSERT INTO decisions (decision_id, at, endpoint, key_id, case_id, agency_id, channel,"
            " to_number, party, contact_id, allowed, reasons, packs, next_allowed_at, attempt_id, notes)"
            " VALUES (:id, :at, :endpoint, :key, :case, :agency, :channel, :to, :party, :contact,"
            " :allowed, :reasons, :packs, :next, :attempt, :notes)",
            {
                "id": decision_id,
                "at": ts,
                "endpoint": job.endpoint,
                "key": job.key_id,
                "case": request.case_id,
                "agency": request.agency_id,
                "channel": request.channel,
                "to": request.to,
                "party": request.party,
                "contact": request.contact_id,
                "allowed": int(decision.allowed),
                "reasons": json.dumps([r.to_json() for r in decision.reasons], ensure_ascii=False),
                "packs": json.dumps(list(decision.packs)),
                "next": to_ts(decision.next_allowed_at) if decision.next_allowed_at else None,
                "attempt": attempt_id,
                "notes": json.dumps([n.to_json() for n in decision.notes], ensure_ascii=False)
                if decision.notes
                else None,
            },
        )
        if attempt_id is not None:
            assert case is not None  # only a known case's request can be allowed
            # The contact's relation as it is now: packs that count by relation (WA's spouse) must
            # not depend on what the case says later.
            contact = next((c for c in case.contacts if c.contact_id == request.contact_id), None)
            conn.execute(
                "INSERT INTO attempts (attempt_id, decision_id, case_id, debtor_id, agency_id, channel,"
                " to_number, from_number, party, contact_id, at, relation)"
                " VALUES (:id, :decision, :case, :debtor, :agency, :channel, :to, :from, :party,"
                " :contact, :at, :relation)",
                {
                    "id": attempt_id,
                    "decision": decision_id,
                    "case": request.case_id,
                    "debtor": case.debtor_id,
                    "agency": request.agency_id,
                    "channel": request.channel,
                    "to": request.to,
                    "from": job.from_number,
                    "party": request.party,
                    "contact": request.contact_id,
                    "at": ts,
                    "relation": contact.relation
                    if contact is not None and request.party == "third_party"
                    else None,
                },
            )
        return Reserved(decision, decision_id, attempt_id, case)

    def _evaluate(
        self,
        conn: sqlite3.Connection,
        request: ContactRequest,
        case: Case,
        packs: tuple[Any, ...],
        per_number: bool,
        now: datetime,
    ) -> Decision:
        try:
            since = policies.history_horizon(packs, now)
            history = history_sync(
                conn,
                request,
                case.debtor_id,
                since,
                policies.needs_contact_history(packs, request),
                per_number,
            )
            if request.party == "third_party":
                case = replace(case, ceases=case.ceases + refusals_sync(conn, request.to, case.case_id))
            return policies.evaluate(request, case, history, packs, now)
        except Exception as exc:
            # Fail closed: a rule that cannot be evaluated denies, and the denial is recorded.
            log.exception("policy evaluation failed for case %s", request.case_id)
            return _unavailable(request, now, tuple(p.pinned for p in packs), str(exc))
