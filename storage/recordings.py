"""Recordings: the rows that make a stored blob evidence (attempt, case, agency, hashes,
retention, hold, replica and scrub state), their wrapped data keys, and search."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from policies.outcomes import EARLY_START
from storage.audit import Access, append_sync
from storage.complaints import hold_for_open_complaints_sync
from storage.db import Database, NotFound, and_where, from_ts, to_ts
from storage.store import SealedBlob
from storage.transcription_jobs import enqueue_sync

__all__ = [
    "NewRecording",
    "Retention",
    "blob_known_sync",
    "get_recording",
    "get_recording_key",
    "insert_recording_sync",
    "mark_replica",
    "pending_replicas",
    "plan_retention",
    "recording_exists",
    "recording_to_json",
    "retain_until",
    "search_recordings",
]

RetentionFor = Callable[[Sequence[str]], int]


def _add_months(at: datetime, months: int) -> datetime:
    month0 = at.month - 1 + months
    year, month = at.year + month0 // 12, month0 % 12 + 1
    for day in range(at.day, 27, -1):  # 31 Jan + 1 month = 28/29 Feb
        try:
            return at.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return at.replace(year=year, month=month, day=min(at.day, 28))


def trusted_recorded_at(decided_at: datetime, started_at: datetime | None, received_at: datetime) -> datetime:
    """When the recording is taken to have been made: the dialer's reported `started_at` when it is
    consistent (between the decision, less the allowed early start, and the upload), but never
    before the decision; else the upload's receive time. A client-supplied time never moves it (nor
    the retention that runs from it) earlier than the decision; a later reported start does move
    it later, so the lock runs its full term from the call itself (it ran from the decision)."""
    if started_at is not None and decided_at - EARLY_START <= started_at <= received_at:
        return max(decided_at, started_at)
    return received_at


def retain_until(recorded_at: datetime, days: int) -> datetime:
    """The end of the retention lock: `days` after the call, and never less than 12 calendar
    months (365 days starting 1 March 2027 end on 29 February 2028, one day short of a year)."""
    return max(recorded_at + timedelta(days=days), _add_months(recorded_at, 12))


@dataclass(frozen=True)
class Retention:
    """How long one recording is kept: `days` (the longest of the default and the case's packs)
    from `recorded_at` (when the call took place), ending at `retain_until`."""

    days: int
    recorded_at: datetime
    retain_until: datetime


def _retention_of(
    attempt: Any, retention_days_for: RetentionFor, default_retention_days: int, received_at: datetime
) -> Retention:
    # The packs that decided the call as well as the case's now: a case moved to a pack with a
    # shorter term between the call and the upload must not shorten the call's (found by a probe).
    packs = list(json.loads(attempt["doc"]).get("packs", []))
    for ref in json.loads(attempt["decided_by"] or "[]"):
        name = str(ref).split("@", 1)[0]
        if name not in packs:
            packs.append(name)
    days = max(default_retention_days, retention_days_for(packs))
    recorded_at = trusted_recorded_at(
        from_ts(attempt["at"]), from_ts(attempt["started_at"]) if attempt["started_at"] else None, received_at
    )
    return Retention(days, recorded_at, retain_until(recorded_at, days))


_ATTEMPT_SQL = (
    "SELECT a.attempt_id, a.case_id, a.agency_id, a.to_number, a.at, a.started_at, c.doc,"
    " d.packs AS decided_by FROM attempts a JOIN cases c ON c.case_id = a.case_id"
    " LEFT JOIN decisions d ON d.decision_id = a.decision_id WHERE a.attempt_id = :id"
)


async def plan_retention(
    db: Database,
    attempt_id: str,
    retention_days_for: RetentionFor,
    default_retention_days: int,
    received_at: datetime,
) -> Retention:
    """The retention a recording of this attempt gets, known before its bytes are stored (the
    object store locks each object until then at upload). NotFound for an unknown attempt."""
    row = await db.fetchone(_ATTEMPT_SQL, {"id": attempt_id})
    if row is None:
        raise NotFound("attempt", attempt_id)
    # Resolving the case's packs may read operator pack files: off the event loop.
    return await asyncio.to_thread(
        _retention_of, row, retention_days_for, default_retention_days, received_at
    )


async def recording_exists(db: Database, attempt_id: str, sha256: str) -> bool:
    """Whether these bytes are already stored for this attempt (checked before an upload is
    published, so a retried upload stores nothing twice)."""
    row = await db.fetchone(
        "SELECT 1 FROM recordings WHERE attempt_id = :a AND sha256 = :s", {"a": attempt_id, "s": sha256}
    )
    return row is not None


@dataclass(frozen=True)
class NewRecording:
    recording_id: str
    attempt_id: str
    blob: SealedBlob
    master_key_id: str
    wrapped_key: bytes
    content_type: str
    filename: str | None
    source: str  # http | cli | spool
    received_at: datetime
    replica_configured: bool
    # Set when the store was told the retention at upload: the row must say the same.
    retention: Retention | None = None


def recording_to_json(row: Any) -> dict[str, Any]:
    return {
        "recording_id": row["recording_id"],
        "attempt_id": row["attempt_id"],
        "case_id": row["case_id"],
        "agency_id": row["agency_id"],
        "number": row["to_number"],
        "sha256": row["sha256"],
        "bytes": row["bytes"],
        "content_type": row["content_type"],
        "filename": row["filename"],
        "source": row["source"],
        "recorded_at": row["recorded_at"],
        "received_at": row["received_at"],
        "retention_days": row["retention_days"],
        "retain_until": row["retain_until"],
        "legal_hold": bool(row["legal_hold"]),
        "status": row["status"],
        "replica": {"status": row["replica_status"], "error": row["replica_error"], "at": row["replica_at"]},
        "scrub": {"status": row["scrub_status"], "at": row["scrubbed_at"]},
    }


def insert_recording_sync(
    conn: sqlite3.Connection,
    new: NewRecording,
    retention_days_for: RetentionFor,
    default_retention_days: int,
    access: Access,
    agency_scope: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """Insert the recording row and its wrapped key (writer thread, in the caller's transaction).
    The same bytes for the same attempt return the existing row and False."""
    attempt = conn.execute(_ATTEMPT_SQL, {"id": new.attempt_id}).fetchone()
    if attempt is None or (agency_scope is not None and attempt["agency_id"] != agency_scope):
        raise NotFound("attempt", new.attempt_id)
    existing = conn.execute(
        "SELECT * FROM recordings WHERE attempt_id = :a AND sha256 = :s",
        {"a": new.attempt_id, "s": new.blob.sha256},
    ).fetchone()
    if existing is not None:
        append_sync(conn, _with(access, existing["recording_id"], "duplicate", sha256=new.blob.sha256))
        return recording_to_json(existing), False
    kept = new.retention or _retention_of(
        attempt, retention_days_for, default_retention_days, new.received_at
    )
    replica_status = "disabled"
    if new.replica_configured:
        replica_status = "ok" if new.blob.replica_ok else "pending"
    params = {
        "id": new.recording_id,
        "attempt": new.attempt_id,
        "case": attempt["case_id"],
        "agency": attempt["agency_id"],
        "number": attempt["to_number"],
        "sha": new.blob.sha256,
        "bytes": new.blob.bytes,
        "ctype": new.content_type,
        "filename": new.filename,
        "source": new.source,
        "blob": new.blob.blob_sha256,
        "blob_bytes": new.blob.blob_bytes,
        "recorded_at": to_ts(kept.recorded_at),
        "received_at": to_ts(new.received_at),
        "days": kept.days,
        "until": to_ts(kept.retain_until),
        "replica": replica_status,
        "replica_error": new.blob.replica_error if replica_status == "pending" else None,
        "replica_at": to_ts(new.received_at) if replica_status == "ok" else None,
    }
    conn.execute(
        "INSERT INTO recordings (recording_id, attempt_id, case_id, agency_id, to_number, sha256, bytes,"
        " content_type, filename, source, blob_sha256, blob_bytes, recorded_at, received_at,"
        " retention_days, retain_until, replica_status, replica_error, replica_at)"
        " VALUES (:id, :attempt, :case, :agency, :number, :sha, :bytes, :ctype, :filename, :source,"
        " :blob, :blob_bytes, :recorded_at, :received_at, :days, :until, :replica, :replica_error,"
        " :replica_at)",
        params,
    )
    conn.execute(
        "INSERT INTO recording_keys (recording_id, master_key_id, wrapped_key) VALUES (:id, :kid, :wk)",
        {"id": new.recording_id, "kid": new.master_key_id, "wk": new.wrapped_key},
    )
    # Every stored recording is transcribed: its job commits with it (storage/speechjobs.py).
    enqueue_sync(conn, new.recording_id, new.received_at)
    append_sync(
        conn,
        _with(
            access,
            new.recording_id,
            "ok",
            sha256=new.blob.sha256,
            bytes=new.blob.bytes,
            replica=replica_status,
            attempt_id=new.attempt_id,
        ),
    )
    # A recording of a case with an open complaint is evidence in it: held at once.
    hold_for_open_complaints_sync(conn, new.recording_id, attempt["case_id"], access.actor, new.received_at)
    row = conn.execute("SELECT * FROM recordings WHERE recording_id = :id", params).fetchone()
    return recording_to_json(row), True


def _with(access: Access, object_id: str, result: str, **details: Any) -> Access:
    return Access(
        actor=access.actor,
        action=access.action,
        object_type=access.object_type,
        object_id=object_id,
        result=result,
        reason=access.reason,
        details={**access.details, **details},
    )


def blob_known_sync(conn: sqlite3.Connection, blob_sha: str) -> bool:
    row = conn.execute("SELECT 1 FROM recordings WHERE blob_sha256 = :b", {"b": blob_sha}).fetchone()
    return row is not None


async def get_recording(db: Database, recording_id: str, agency_scope: str | None = None) -> Any:
    """The recordings row; NotFound if absent or (with `agency_scope`) another agency's."""
    row = await db.fetchone("SELECT * FROM recordings WHERE recording_id = :id", {"id": recording_id})
    if row is None or (agency_scope is not None and row["agency_id"] != agency_scope):
        raise NotFound("recording", recording_id)
    return row


async def get_recording_key(db: Database, recording_id: str) -> tuple[str, bytes]:
    row = await db.fetchone(
        "SELECT master_key_id, wrapped_key FROM recording_keys WHERE recording_id = :id", {"id": recording_id}
    )
    if row is None:
        raise NotFound("recording key", recording_id)
    return str(row["master_key_id"]), bytes(row["wrapped_key"])


async def search_recordings(
    db: Database,
    *,
    agency_scope: str | None = None,
    case_id: str | None = None,
    number: str | None = None,
    agency_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    flagged: bool | None = None,
    cursor: tuple[str, str] | None = None,
    limit: int = 100,
) -> tuple[list[dict[str, Any]], tuple[str, str] | None]:
    """Recordings newest first, filtered; returns (page, cursor of the next page or None).
    `flagged`: with (True) or without (False) a current flag that was not dismissed."""
    where, params = and_where(
        [
            ("agency_id = :scope", "scope", agency_scope),
            ("agency_id = :agency", "agency", agency_id),
            ("case_id = :case", "case", case_id),
            ("to_number = :number", "number", number),
            ("recorded_at >= :since", "since", to_ts(since) if since else None),
            ("recorded_at < :until", "until", to_ts(until) if until else None),
        ]
    )
    sql = "SELECT * FROM recordings WHERE 1 = 1" + where
    params["limit"] = limit + 1
    if flagged is not None:
        sql += (
            (" AND EXISTS" if flagged else " AND NOT EXISTS")
            + " (SELECT 1 FROM flags f WHERE f.recording_id = recordings.recording_id AND f.active = 1"
            " AND f.status != 'dismissed')"
        )
    if cursor is not None:
        sql += " AND (recorded_at < :c_at OR (recorded_at = :c_at AND recording_id < :c_id))"
        params["c_at"], params["c_id"] = cursor
    rows = await db.fetchall(sql + " ORDER BY recorded_at DESC, recording_id DESC LIMIT :limit", params)
    page = [recording_to_json(r) for r in rows[:limit]]
    more = len(rows) > limit
    return page, ((page[-1]["recorded_at"], page[-1]["recording_id"]) if more else None)


async def pending_replicas(db: Database, limit: int = 100) -> list[Any]:
    return await db.fetchall(
        "SELECT recording_id, blob_sha256, retain_until, legal_hold FROM recordings"
        " WHERE replica_status = 'pending'"
        " AND status = 'ingested' ORDER BY received_at LIMIT :limit",
        {"limit": limit},
    )


async def mark_replica(db: Database, recording_id: str, ok: bool, error: str | None, now: datetime) -> None:
    def write(conn: sqlite3.Connection) -> None:
        conn.execute(
            "UPDATE recordings SET replica_status = :status, replica_error = :error,"
            " replica_at = CASE WHEN :ok THEN :now ELSE replica_at END"
            " WHERE recording_id = :id AND replica_status != 'disabled'",
            {
                "id": recording_id,
                "status": "ok" if ok else "pending",
                "error": None if ok else error,
                "ok": ok,
                "now": to_ts(now),
            },
        )

    await db.write(write)
