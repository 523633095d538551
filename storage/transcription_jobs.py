"""The transcription job queue: one job per recording, claimed atomically by worker processes.

    enqueue_sync(conn, recording_id, now)             # in the transaction that stores the recording
    job = await claim(db, "host:123", now, lease_s=120)
    await renew(db, job, now, lease_s=120)            # while working (False: the lease was lost)
    await complete(db, job, now, store=...)           # or fail(...) / release(...)

A claim is one `UPDATE ... RETURNING` inside `BEGIN IMMEDIATE`, so two workers (threads or
processes sharing the file) never get the same job. The claim sets a lease: a job whose worker
died stops being renewed and is claimed again once `lease_until` has passed; the attempt the dead
worker used counts. A failed attempt is retried after `backoff_s * 2**(attempt-1)` seconds (capped
at `backoff_max_s`) until `max_attempts`, then the job is `failed` with the last error.

Every state change checks the claim's `lease_token`: a worker that lost its lease (it was too
slow, another worker took the job over) cannot overwrite the newer claim's result.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from policies.errors import Conflict
from storage.audit import Access, append_sync
from storage.db import Database, to_ts
from storage.dialect import dialect_of, json_append

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "ClaimedJob",
    "JobContext",
    "LeaseLost",
    "backoff_delay",
    "claim",
    "claim_sync",
    "complete",
    "end_leases_of",
    "enqueue_sync",
    "fail",
    "get_job",
    "job_context",
    "job_counts",
    "job_to_json",
    "release",
    "renew",
    "requeue_failed",
    "worker_name",
]

T = TypeVar("T")

DEFAULT_MAX_ATTEMPTS = 3


class LeaseLost(Conflict):
    """The job is no longer this claim's: its lease expired and another worker took it, or the
    recording was purged meanwhile."""


def worker_name(pid: int | None = None) -> str:
    """How a worker process (this one, or `pid` on this host) is named on the jobs it claims."""
    return f"{socket.gethostname()}:{os.getpid() if pid is None else pid}"


@dataclass(frozen=True)
class ClaimedJob:
    job_id: str
    recording_id: str
    attempt: int  # 1 for the first claim
    max_attempts: int
    token: str
    worker: str
    lease_until: datetime


def enqueue_sync(
    conn: sqlite3.Connection, recording_id: str, now: datetime, max_attempts: int = DEFAULT_MAX_ATTEMPTS
) -> str:
    """Queue the transcription of a new recording (inside the caller's write transaction)."""
    job_id = "tj_" + secrets.token_hex(10)
    conn.execute(
        "INSERT INTO transcription_jobs (job_id, recording_id, status, max_attempts, not_before,"
        " enqueued_at, updated_at) VALUES (:id, :rec, 'queued', :max, :now, :now, :now)"
        " ON CONFLICT (recording_id) DO NOTHING",
        {"id": job_id, "rec": recording_id, "max": max_attempts, "now": to_ts(now)},
    )
    return job_id


def backoff_delay(attempt: int, backoff_s: float, backoff_max_s: float) -> float:
    """Seconds to wait after failed attempt number `attempt` (1, 2, ...)."""
    return float(min(backoff_max_s, backoff_s * 2 ** max(0, attempt - 1)))


def _append_error(conn: sqlite3.Connection, job_id: str, entry: Mapping[str, Any]) -> None:
    errors = json_append(dialect_of(conn), "errors", ":entry")
    conn.execute(
        f"UPDATE transcription_jobs SET errors = {errors} WHERE job_id = :id",
        {"id": job_id, "entry": json.dumps(dict(entry), ensure_ascii=False)},
    )


def claim_sync(
    conn: sqlite3.Connection,
    worker: str,
    now: datetime,
    lease_s: float,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> ClaimedJob | None:
    """Claim the next job (inside the caller's write transaction), or None when none is due.
    `max_attempts`: the workers' limit, recorded on the job.

    First, jobs whose lease expired are taken back from their dead worker: queued again at once
    (the attempt counts) or, with no attempt left, `failed`."""
    at = to_ts(now)
    # PostgreSQL: several workers claim at once; each skips the rows another is claiming.
    # SQLite: the write lock already makes the claim exclusive.
    skip_locked = " FOR UPDATE SKIP LOCKED" if dialect_of(conn) == "postgresql" else ""
    expired = conn.execute(
        "SELECT job_id, attempts, max_attempts, worker, lease_until FROM transcription_jobs"
        " WHERE status = 'running' AND lease_until < :now" + skip_locked,
        {"now": at},
    ).fetchall()
    for row in expired:
        error = (
            f"worker {row['worker']} stopped during attempt {row['attempts']} of {max_attempts}"
            f" (its lease expired at {row['lease_until']})"
        )
        last = row["attempts"] >= max(max_attempts, 1)
        conn.execute(
            "UPDATE transcription_jobs SET status = :status, not_before = :now, lease_token = NULL,"
            " lease_until = NULL, error = :error, error_kind = 'worker_died', updated_at = :now,"
            " finished_at = CASE WHEN :last THEN :now ELSE NULL END WHERE job_id = :id",
            {"id": row["job_id"], "status": "failed" if last else "queued", "now": at, "error": error,
             "last": last},
        )  # fmt: skip
        _append_error(
            conn,
            row["job_id"],
            {"attempt": row["attempts"], "at": at, "worker": row["worker"], "kind": "worker_died",
             "error": error},
        )  # fmt: skip
    token = secrets.token_hex(12)
    lease_until = now + timedelta(seconds=lease_s)
    row = conn.execute(
        "UPDATE transcription_jobs SET status = 'running', attempts = attempts + 1, lease_token = :token,"
        " lease_until = :lease, worker = :worker, started_at = :now, updated_at = :now, max_attempts = :max"
        " WHERE job_id = (SELECT job_id FROM transcription_jobs WHERE status = 'queued'"
        " AND not_before <= :now ORDER BY not_before, job_id LIMIT 1" + skip_locked + ")"
        " RETURNING job_id, recording_id, attempts, max_attempts",
        {"token": token, "lease": to_ts(lease_until), "worker": worker, "now": at, "max": max_attempts},
    ).fetchone()
    if row is None:
        return None
    return ClaimedJob(
        job_id=row[0],
        recording_id=row[1],
        attempt=int(row[2]),
        max_attempts=int(row[3]),
        token=token,
        worker=worker,
        lease_until=lease_until,
    )


async def end_leases_of(db: Database, worker: str, now: datetime) -> int:
    """End the leases of `worker`, known dead (its supervisor saw it exit): its job is taken back
    at the next claim, not when the lease would have run out (it showed `running` meanwhile).
    Returns how many jobs it held."""

    def write(conn: sqlite3.Connection) -> int:
        cur = conn.execute(
            "UPDATE transcription_jobs SET lease_until = :now, updated_at = :now"
            " WHERE status = 'running' AND worker = :worker AND lease_until > :now",
            {"worker": worker, "now": to_ts(now)},
        )
        return int(cur.rowcount or 0)

    return await db.write(write)


async def claim(
    db: Database, worker: str, now: datetime, lease_s: float, max_attempts: int = DEFAULT_MAX_ATTEMPTS
) -> ClaimedJob | None:
    """`claim_sync` in its own write transaction, taken only when a read (which never waits for
    writers) finds a job due: idle workers polling never hold the write lock that contact
    decisions need."""
    at = to_ts(now)
    due = await db.fetchone(
        "SELECT 1 FROM transcription_jobs WHERE status = 'queued' AND not_before <= :now"
        " UNION ALL SELECT 1 FROM transcription_jobs WHERE status = 'running' AND lease_until < :now"
        " LIMIT 1",
        {"now": at},
    )
    if due is None:
        return None
    return await db.write(lambda conn: claim_sync(conn, worker, now, lease_s, max_attempts), exclusive=False)


def _owned(conn: sqlite3.Connection, job: ClaimedJob) -> bool:
    row = conn.execute(
        "SELECT 1 FROM transcription_jobs WHERE job_id = :id AND lease_token = :token AND status = 'running'",
        {"id": job.job_id, "token": job.token},
    ).fetchone()
    return row is not None


async def renew(db: Database, job: ClaimedJob, now: datetime, lease_s: float) -> bool:
    """Extend the lease; False when the job is no longer this claim's."""

    def write(conn: sqlite3.Connection) -> bool:
        cur = conn.execute(
            "UPDATE transcription_jobs SET lease_until = :lease, updated_at = :now"
            " WHERE job_id = :id AND lease_token = :token AND status = 'running'",
            {
                "id": job.job_id,
                "token": job.token,
                "lease": to_ts(now + timedelta(seconds=lease_s)),
                "now": to_ts(now),
            },
        )
        return cur.rowcount == 1

    return await db.write(write)


async def complete(
    db: Database,
    job: ClaimedJob,
    now: datetime,
    record: Mapping[str, Any],
    store: Callable[[sqlite3.Connection], T],
    access: Access,
) -> T:
    """Mark the job done with `record` (language, engine, model, duration, rtf, timings,
    warnings) and run `store(conn)` (the transcript and flags) in the same transaction, with the
    access-log row of the worker's read. Raises LeaseLost (and stores nothing) when the job is no
    longer this claim's."""

    def write(conn: sqlite3.Connection) -> T:
        if not _owned(conn, job):
            raise LeaseLost(f"job {job.job_id}: the lease of attempt {job.attempt} was lost")
        result = store(conn)
        conn.execute(
            "UPDATE transcription_jobs SET status = 'done', finished_at = :now, updated_at = :now,"
            " lease_token = NULL, lease_until = NULL, language = :language, engine = :engine,"
            " model = :model, duration = :duration, rtf = :rtf, timings = :timings,"
            " warnings = :warnings, error = NULL, error_kind = NULL WHERE job_id = :id",
            {
                "id": job.job_id,
                "now": to_ts(now),
                "language": record.get("language"),
                "engine": record.get("engine"),
                "model": record.get("model"),
                "duration": record.get("duration"),
                "rtf": record.get("rtf"),
                "timings": json.dumps(record.get("timings") or {}, sort_keys=True),
                "warnings": json.dumps(list(record.get("warnings") or ()), ensure_ascii=False),
            },
        )
        append_sync(conn, access, now)
        return result

    return await db.write(write)


async def fail(
    db: Database,
    job: ClaimedJob,
    now: datetime,
    error: str,
    kind: str,
    *,
    backoff_s: float,
    backoff_max_s: float,
    access: Access,
    record: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Record a failed attempt: queued again after the backoff, or `failed` when it was the last.
    Returns {status, not_before}. Raises LeaseLost when the job is no longer this claim's."""

    def write(conn: sqlite3.Connection) -> dict[str, Any]:
        if not _owned(conn, job):
            raise LeaseLost(f"job {job.job_id}: the lease of attempt {job.attempt} was lost")
        last = job.attempt >= job.max_attempts
        not_before = now + timedelta(seconds=backoff_delay(job.attempt, backoff_s, backoff_max_s))
        extra = dict(record or {})
        conn.execute(
            "UPDATE transcription_jobs SET status = :status, not_before = :not_before, updated_at = :now,"
            " finished_at = CASE WHEN :last THEN :now ELSE NULL END, lease_token = NULL,"
            " lease_until = NULL, error = :error, error_kind = :kind,"
            " language = coalesce(:language, language), engine = coalesce(:engine, engine),"
            " model = coalesce(:model, model), duration = coalesce(:duration, duration)"
            " WHERE job_id = :id",
            {
                "id": job.job_id,
                "status": "failed" if last else "queued",
                "not_before": to_ts(now if last else not_before),
                "now": to_ts(now),
                "last": last,
                "error": error,
                "kind": kind,
                "language": extra.get("language"),
                "engine": extra.get("engine"),
                "model": extra.get("model"),
                "duration": extra.get("duration"),
            },
        )
        _append_error(
            conn,
            job.job_id,
            {"attempt": job.attempt, "at": to_ts(now), "worker": job.worker, "kind": kind, "error": error},
        )
        append_sync(conn, access, now)
        return {"status": "failed" if last else "queued", "not_before": None if last else to_ts(not_before)}

    return await db.write(write)


async def release(db: Database, job: ClaimedJob, now: datetime) -> bool:
    """Give the job back unfinished (the worker is stopping): queued at once, the attempt not
    counted. False when it was no longer this claim's."""

    def write(conn: sqlite3.Connection) -> bool:
        cur = conn.execute(
            "UPDATE transcription_jobs SET status = 'queued',"
            " attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, not_before = :now,"
            " lease_token = NULL, lease_until = NULL, updated_at = :now"
            " WHERE job_id = :id AND lease_token = :token AND status = 'running'",
            {"id": job.job_id, "token": job.token, "now": to_ts(now)},
        )
        return cur.rowcount == 1

    return await db.write(write)


async def requeue_failed(
    db: Database, now: datetime, since: datetime | None = None, max_attempts: int = DEFAULT_MAX_ATTEMPTS
) -> int:
    """Queue failed jobs again with fresh attempts (after a model was installed, say)."""

    def write(conn: sqlite3.Connection) -> int:
        cur = conn.execute(
            "UPDATE transcription_jobs SET status = 'queued', attempts = 0, max_attempts = :max,"
            " not_before = :now, finished_at = NULL, updated_at = :now WHERE status = 'failed'"
            " AND recording_id IN (SELECT recording_id FROM recordings WHERE recorded_at >= :since)",
            {"now": to_ts(now), "max": max_attempts, "since": to_ts(since) if since else ""},
        )
        return cur.rowcount

    return await db.write(write)


def job_to_json(row: Any) -> dict[str, Any]:
    return {
        "job_id": row["job_id"],
        "status": row["status"],
        "attempts": row["attempts"],
        "max_attempts": row["max_attempts"],
        "enqueued_at": row["enqueued_at"],
        "started_at": row["started_at"],
        "finished_at": row["finished_at"],
        "next_attempt_at": row["not_before"] if row["status"] == "queued" else None,
        "worker": row["worker"],
        "language": row["language"],
        "engine": row["engine"],
        "model": row["model"],
        "duration": row["duration"],
        "rtf": row["rtf"],
        "timings": json.loads(row["timings"]) if row["timings"] else None,
        "warnings": json.loads(row["warnings"]),
        "error": row["error"],
        "error_kind": row["error_kind"],
        "errors": json.loads(row["errors"]),
    }


async def get_job(db: Database, recording_id: str) -> dict[str, Any] | None:
    row = await db.fetchone("SELECT * FROM transcription_jobs WHERE recording_id = :id", {"id": recording_id})
    return None if row is None else job_to_json(row)


async def job_counts(db: Database) -> dict[str, int]:
    rows = await db.fetchall("SELECT status, count(*) AS n FROM transcription_jobs GROUP BY status")
    out = {s: 0 for s in ("queued", "running", "done", "failed")}
    out.update({str(r["status"]): int(r["n"]) for r in rows})
    return out


@dataclass(frozen=True)
class JobContext:
    """What a worker needs to know about the recording of a job."""

    recording_id: str
    blob_sha256: str
    attempt_id: str
    case_id: str
    agency_id: str
    recorded_at: str
    party: str  # debtor | third_party: who the agent called
    case_language: str | None
    region: str | None
    facts: Mapping[str, bool] | None


async def job_context(db: Database, recording_id: str) -> JobContext | None:
    """The recording, its attempt's party and its case's language, region and facts (None when
    the recording is gone)."""
    row = await db.fetchone(
        "SELECT r.recording_id, r.blob_sha256, r.attempt_id, r.case_id, r.agency_id, r.recorded_at,"
        " a.party, c.doc, c.region FROM recordings r JOIN attempts a ON a.attempt_id = r.attempt_id"
        " JOIN cases c ON c.case_id = r.case_id WHERE r.recording_id = :id AND r.status = 'ingested'",
        {"id": recording_id},
    )
    if row is None:
        return None
    doc = json.loads(row["doc"])
    facts = doc.get("facts")
    return JobContext(
        recording_id=row["recording_id"],
        blob_sha256=row["blob_sha256"],
        attempt_id=row["attempt_id"],
        case_id=row["case_id"],
        agency_id=row["agency_id"],
        recorded_at=row["recorded_at"],
        party=str(row["party"] or "debtor"),
        case_language=doc.get("language") or None,
        region=doc.get("region") or row["region"] or None,
        facts={str(k): bool(v) for k, v in facts.items()} if isinstance(facts, dict) and facts else None,
    )
