"""Retention: the lock until `retain_until`, legal holds, purge with tombstones, and the
retention report.

A recording can be removed only when `now >= retain_until` and it is not under legal hold. A
purge runs in two transactions around the file deletion: first the row is marked `purging` (a
legal hold can no longer be placed on it, and a crash mid-purge is finished by the next run), then
the primary and replica files are deleted, then the wrapped data key and the row are deleted and
a tombstone is written in one transaction (crypto-shredding: with the key gone, any copy of the
ciphertext that escaped deletion, in a backup or on a bad sector, is unreadable).
"""

from __future__ import annotations

import asyncio
import csv
import io
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from policies.errors import Forbidden
from policies.parse import month_bounds
from storage.audit import Access, Actor, append_sync
from storage.complaints import complaint_holding
from storage.db import NO_LIMIT, Conflict, Database, NotFound, to_ts
from storage.recordings import recording_to_json
from storage.scheduled_runs import finish_job, start_job
from storage.store import RecordingStore, StoreLocked, StoreMisconfigured, StoreUnavailable
from storage.store_holds import sync_store_holds

__all__ = [
    "REPORT_COLUMNS",
    "RetentionLocked",
    "get_tombstone",
    "hold_history",
    "purge_expired",
    "purge_recording",
    "report_csv",
    "request_delete",
    "retention_report",
    "set_legal_hold",
]


class RetentionLocked(Forbidden):
    """Deleting now would break the retention lock or a legal hold."""

    code = "retention_locked"

    def __init__(self, recording_id: str, retain_until: str, legal_hold: bool) -> None:
        why = "it is under legal hold" if legal_hold else f"it must be kept until {retain_until}"
        super().__init__(
            f"recording {recording_id} cannot be deleted: {why}",
            {"retain_until": retain_until, "legal_hold": legal_hold},
        )
        self.recording_id = recording_id
        self.retain_until = retain_until
        self.legal_hold = legal_hold


def _tombstone_json(row: Any) -> dict[str, Any]:
    return {
        "recording_id": row["recording_id"],
        "attempt_id": row["attempt_id"],
        "case_id": row["case_id"],
        "agency_id": row["agency_id"],
        "sha256": row["sha256"],
        "bytes": row["bytes"],
        "recorded_at": row["recorded_at"],
        "retain_until": row["retain_until"],
        "purged_at": row["purged_at"],
        "job_id": row["job_id"],
    }


# An agency-bound key may lift the holds its agency placed, not the lender's: the agency under
# review could otherwise release a litigation hold and let the recording expire (found by a probe).
LENDER_HOLD = "this hold was placed by the lender: a key bound to the agency cannot lift it"


def _lender_placed(conn: sqlite3.Connection, recording_id: str) -> bool:
    """Whether a lender-wide key (or the command line, with no key) placed the current hold: any
    `on` since the last `off`."""
    row = conn.execute(
        "SELECT COUNT(*) FROM legal_holds h LEFT JOIN api_keys k ON k.key_id = h.actor_key_id"
        " WHERE h.recording_id = :id AND h.action = 'on' AND k.agency_id IS NULL AND h.hold_id >"
        " (SELECT COALESCE(MAX(hold_id), 0) FROM legal_holds WHERE recording_id = :id AND action = 'off')",
        {"id": recording_id},
    ).fetchone()
    return bool(row[0])


async def set_legal_hold(
    db: Database,
    recording_id: str,
    on: bool,
    reason: str,
    actor: Actor,
    agency_scope: str | None = None,
    now: datetime | None = None,
    store: RecordingStore | None = None,
) -> dict[str, Any]:
    """Place (`on`) or lift a legal hold; every change is kept in `legal_holds` and logged. With
    `store`, the hold is also placed on the stored copies (an S3 legal hold): before the row
    says so when placed (a failure changes nothing), after it when lifted (a failure leaves the
    copies held, the safe side; lifting again retries)."""
    at = to_ts(now or datetime.now(UTC))
    row = await db.fetchone(
        "SELECT blob_sha256, agency_id, status FROM recordings WHERE recording_id = :id", {"id": recording_id}
    )
    if row is None or (agency_scope is not None and row["agency_id"] != agency_scope):
        raise NotFound("recording", recording_id)
    if row["status"] == "purging":
        raise Conflict(f"recording {recording_id} is being purged")
    if store is not None and on:
        await asyncio.to_thread(store.set_legal_hold, row["blob_sha256"], True)

    def write(conn: sqlite3.Connection) -> dict[str, Any]:
        row = conn.execute(
            "SELECT * FROM recordings WHERE recording_id = :id", {"id": recording_id}
        ).fetchone()
        if row is None or (agency_scope is not None and row["agency_id"] != agency_scope):
            raise NotFound("recording", recording_id)
        if row["status"] == "purging":
            raise Conflict(f"recording {recording_id} is being purged")
        if not on and agency_scope is not None and _lender_placed(conn, recording_id):
            raise Forbidden(LENDER_HOLD, {"recording_id": recording_id})
        holder = complaint_holding(conn, recording_id)
        if holder is not None and not on:
            raise Conflict(
                f"recording {recording_id} is held by open complaint {holder} until it is resolved",
                {"complaint_id": holder},
            )
        params = {"id": recording_id, "on": int(on), "reason": reason, "actor": actor.key_id, "at": at}
        if not on and not row["legal_hold"]:
            # Nothing to lift: the hold history records changes, not requests (found by a probe: an
            # `off` row for a recording never held). The copies are still synced below: lifting
            # again is how a lift whose store step failed is retried.
            unchanged = {"was_held": False, "changed": False}
            append_sync(
                conn, Access(actor, "recording.release", "recording", recording_id, "ok", reason, unchanged)
            )
            return recording_to_json(row)
        if holder is not None:  # a manual hold now too: resolving the complaint must not lift it
            conn.execute(
                "UPDATE complaint_holds SET was_held = 1 WHERE recording_id = :id AND released_at IS NULL",
                params,
            )
        conn.execute("UPDATE recordings SET legal_hold = :on WHERE recording_id = :id", params)
        conn.execute(
            "INSERT INTO legal_holds (recording_id, action, reason, actor_key_id, at)"
            " VALUES (:id, CASE WHEN :on THEN 'on' ELSE 'off' END, :reason, :actor, :at)",
            params,
        )
        append_sync(
            conn,
            Access(
                actor,
                "recording.hold" if on else "recording.release",
                "recording",
                recording_id,
                "ok",
                reason=reason,
                details={"was_held": bool(row["legal_hold"])},
            ),
        )
        updated = conn.execute("SELECT * FROM recordings WHERE recording_id = :id", params).fetchone()
        return recording_to_json(updated)

    result = await db.write(write)
    if store is not None:
        await sync_store_holds(db, store, recording_ids=[recording_id])
    return result


async def hold_history(db: Database, recording_id: str) -> list[dict[str, Any]]:
    rows = await db.fetchall(
        "SELECT action, reason, actor_key_id, at FROM legal_holds WHERE recording_id = :id ORDER BY hold_id",
        {"id": recording_id},
    )
    return [dict(zip(("action", "reason", "actor_key_id", "at"), tuple(r), strict=True)) for r in rows]


async def get_tombstone(
    db: Database, recording_id: str, agency_scope: str | None = None
) -> dict[str, Any] | None:
    row = await db.fetchone("SELECT * FROM tombstones WHERE recording_id = :id", {"id": recording_id})
    if row is None or (agency_scope is not None and row["agency_id"] != agency_scope):
        return None
    return _tombstone_json(row)


async def _mark_purging(
    db: Database, recording_id: str, now: datetime, request: tuple[Actor, str | None, str | None] | None
) -> Any:
    """Mark the row `purging` if it may go now. With `request` (an explicit DELETE: actor, reason,
    agency scope) the attempt is logged, and a refusal raises RetentionLocked after the log row
    is committed."""
    refused: list[RetentionLocked] = []

    def write(conn: sqlite3.Connection) -> Any:
        row = conn.execute(
            "SELECT * FROM recordings WHERE recording_id = :id", {"id": recording_id}
        ).fetchone()
        if request is not None:
            actor, reason, scope = request
            if row is None or (scope is not None and row["agency_id"] != scope):
                raise NotFound("recording", recording_id)
        if row is None:
            return None
        locked = row["status"] != "purging" and (bool(row["legal_hold"]) or row["retain_until"] > to_ts(now))
        if request is not None:
            append_sync(
                conn,
                Access(
                    actor,
                    "recording.delete",
                    "recording",
                    recording_id,
                    "denied" if locked else "ok",
                    reason=reason,
                    details={"retain_until": row["retain_until"], "legal_hold": bool(row["legal_hold"])},
                ),
            )
        if locked:
            refused.append(RetentionLocked(recording_id, row["retain_until"], bool(row["legal_hold"])))
            return None
        conn.execute(
            "UPDATE recordings SET status = 'purging' WHERE recording_id = :id", {"id": recording_id}
        )
        return row

    row = await db.write(write)
    if refused:
        raise refused[0]
    return row


async def purge_recording(
    db: Database,
    blobs: RecordingStore,
    recording_id: str,
    now: datetime,
    job_id: str,
    actor: Actor | None = None,
) -> dict[str, Any] | None:
    """Purge one recording if it may go at `now` (else None): files, then key + row + tombstone."""
    row = await _mark_purging(db, recording_id, now, None)
    if row is None:
        return None
    return await _finish_purge(db, blobs, row, now, job_id, actor or Actor.system(job_id))


async def _unmark_purging(db: Database, recording_id: str) -> None:
    """The store refused or failed to delete: the recording stays as it was (a hold can be placed
    again) and the next purge run tries again."""

    def write(conn: sqlite3.Connection) -> None:
        conn.execute(
            "UPDATE recordings SET status = 'ingested' WHERE recording_id = :id AND status = 'purging'",
            {"id": recording_id},
        )

    await db.write(write)


async def _finish_purge(
    db: Database, blobs: RecordingStore, row: Any, now: datetime, job_id: str, actor: Actor
) -> dict[str, Any] | None:
    recording_id = row["recording_id"]
    try:
        await asyncio.to_thread(blobs.delete, row["blob_sha256"])
    except (StoreLocked, StoreUnavailable, StoreMisconfigured):
        await _unmark_purging(db, recording_id)
        raise

    def write(conn: sqlite3.Connection) -> dict[str, Any] | None:
        conn.execute("PRAGMA secure_delete = ON")  # overwrite the freed key pages with zeros
        try:
            current = conn.execute(
                "SELECT * FROM recordings WHERE recording_id = :id AND status = 'purging'",
                {"id": recording_id},
            ).fetchone()
            if current is None:
                return None  # another process finished it
            params = {"id": recording_id, "at": to_ts(now), "job": job_id}
            conn.execute("DELETE FROM recording_keys WHERE recording_id = :id", params)
            conn.execute(
                "INSERT INTO tombstones (recording_id, attempt_id, case_id, agency_id, sha256, bytes,"
                " blob_sha256, recorded_at, retain_until, purged_at, job_id)"
                " SELECT recording_id, attempt_id, case_id, agency_id, sha256, bytes, blob_sha256,"
                " recorded_at, retain_until, :at, :job FROM recordings WHERE recording_id = :id",
                params,
            )
            conn.execute("DELETE FROM recordings WHERE recording_id = :id", params)
            append_sync(
                conn,
                Access(
                    actor,
                    "recording.purge",
                    "recording",
                    recording_id,
                    "ok",
                    details={"job_id": job_id, "sha256": current["sha256"], "bytes": current["bytes"]},
                ),
                now,
            )
            tomb = conn.execute("SELECT * FROM tombstones WHERE recording_id = :id", params).fetchone()
            return _tombstone_json(tomb)
        finally:
            conn.execute("PRAGMA secure_delete = OFF")

    return await db.write(write)


async def request_delete(
    db: Database,
    blobs: RecordingStore,
    recording_id: str,
    actor: Actor,
    reason: str | None,
    agency_scope: str | None,
    now: datetime,
) -> dict[str, Any]:
    """An explicit DELETE: RetentionLocked (logged) before `retain_until` or under hold; otherwise
    the recording is purged at once and its tombstone returned."""
    row = await _mark_purging(db, recording_id, now, (actor, reason, agency_scope))
    job_id = await start_job(db, "delete", now)
    try:
        tomb = await _finish_purge(db, blobs, row, now, job_id, actor)
    except (StoreLocked, StoreUnavailable, StoreMisconfigured) as exc:
        await finish_job(db, job_id, now, {"recording_id": recording_id, "purged": False, "error": str(exc)})
        raise
    await finish_job(db, job_id, now, {"recording_id": recording_id, "purged": tomb is not None})
    if tomb is None:
        raise NotFound("recording", recording_id)
    return tomb


async def purge_expired(
    db: Database, blobs: RecordingStore, now: datetime, limit: int | None = None
) -> dict[str, Any]:
    """The daily purge: every unheld recording past `retain_until` (and any purge a crash left
    half done). Returns the job's summary."""
    job_id = await start_job(db, "purge", now)
    rows = await db.fetchall(
        "SELECT recording_id FROM recordings WHERE status = 'purging'"
        " OR (legal_hold = 0 AND retain_until <= :now) ORDER BY retain_until LIMIT :limit",
        {"now": to_ts(now), "limit": NO_LIMIT if limit is None else limit},
    )
    purged, skipped = [], 0
    refused: list[dict[str, Any]] = []
    for r in rows:
        try:
            tomb = await purge_recording(db, blobs, r["recording_id"], now, job_id)
        except (StoreLocked, StoreUnavailable, StoreMisconfigured) as exc:
            # Kept: the store still locks or holds it (a hold placed in the bucket itself), or
            # cannot be reached. Retried by the next run.
            refused.append({"recording_id": r["recording_id"], "code": exc.code, "error": str(exc)})
            continue
        if tomb is None:
            skipped += 1
        else:
            purged.append(tomb["recording_id"])
    held = await db.fetchone(
        "SELECT COUNT(*) FROM recordings WHERE legal_hold = 1 AND retain_until <= :now", {"now": to_ts(now)}
    )
    summary = {
        "job_id": job_id,
        "purged": len(purged),
        "recording_ids": purged,
        "skipped": skipped,
        "expired_but_held": int(held[0]) if held else 0,
        "store_refused": refused[:100],
    }
    await finish_job(db, job_id, now, summary)
    return summary


# --- the retention report ------------------------------------------------------------------------

REPORT_COLUMNS = (
    "agency_id",
    "month",
    "recordings",
    "bytes",
    "oldest_recorded_at",
    "next_expiry",
    "expiring_30d",
    "held",
    "purged",
    "purged_bytes",
    "last_purged_at",
    "replica_ok",
    "replica_pending",
    "replica_disabled",
    "scrub_ok",
    "scrub_healed",
    "scrub_bad",
    "never_scrubbed",
    "last_scrubbed_at",
)


_NULLABLE = ("oldest_recorded_at", "next_expiry", "last_purged_at", "last_scrubbed_at")


def _month_range(month: str) -> tuple[str, str]:
    start, end = month_bounds(month)
    return to_ts(start), to_ts(end)


async def retention_report(
    db: Database, now: datetime, agency_id: str | None = None, month: str | None = None
) -> list[dict[str, Any]]:
    """Per agency and month of recording: what is kept, expiring, held, purged, replicated and
    scrubbed. `month` is `YYYY-MM` (ValueError otherwise)."""
    m0, m1 = _month_range(month) if month is not None else (None, None)
    params: dict[str, Any] = {
        "soon": to_ts(now + timedelta(days=30)),
        "agency": agency_id,
        "m0": m0,
        "m1": m1,
    }
    live = await db.fetchall(
        "SELECT agency_id, substr(recorded_at, 1, 7) AS month, COUNT(*) AS recordings,"
        " SUM(bytes) AS bytes, MIN(recorded_at) AS oldest_recorded_at,"
        " MIN(CASE WHEN legal_hold = 0 THEN retain_until END) AS next_expiry,"
        " SUM(legal_hold = 0 AND retain_until <= :soon) AS expiring_30d, SUM(legal_hold) AS held,"
        " SUM(replica_status = 'ok') AS replica_ok, SUM(replica_status = 'pending') AS replica_pending,"
        " SUM(replica_status = 'disabled') AS replica_disabled, SUM(scrub_status = 'ok') AS scrub_ok,"
        " SUM(scrub_status = 'healed') AS scrub_healed, SUM(scrub_status = 'bad') AS scrub_bad,"
        " SUM(scrubbed_at IS NULL) AS never_scrubbed, MAX(scrubbed_at) AS last_scrubbed_at"
        " FROM recordings WHERE (CAST(:agency AS TEXT) IS NULL OR agency_id = :agency)"
        " AND (CAST(:m0 AS TEXT) IS NULL OR (recorded_at >= :m0 AND recorded_at < :m1)) GROUP BY 1, 2",
        params,
    )
    gone = await db.fetchall(
        "SELECT agency_id, substr(recorded_at, 1, 7) AS month, COUNT(*) AS purged,"
        " SUM(bytes) AS purged_bytes, MAX(purged_at) AS last_purged_at"
        " FROM tombstones WHERE (CAST(:agency AS TEXT) IS NULL OR agency_id = :agency)"
        " AND (CAST(:m0 AS TEXT) IS NULL OR (recorded_at >= :m0 AND recorded_at < :m1)) GROUP BY 1, 2",
        params,
    )
    out: dict[tuple[str, str], dict[str, Any]] = {}

    def entry(agency: str, m: str) -> dict[str, Any]:
        if (agency, m) not in out:
            blank: dict[str, Any] = {c: 0 for c in REPORT_COLUMNS}
            blank.update(
                agency_id=agency,
                month=m,
                oldest_recorded_at=None,
                next_expiry=None,
                last_purged_at=None,
                last_scrubbed_at=None,
            )
            out[(agency, m)] = blank
        return out[(agency, m)]

    for r in live:
        e = entry(r["agency_id"], r["month"])
        for key, value in dict(r).items():
            if key not in ("agency_id", "month"):
                e[key] = value if value is not None or key in _NULLABLE else 0
    for r in gone:
        e = entry(r["agency_id"], r["month"])
        e["purged"], e["purged_bytes"], e["last_purged_at"] = (
            r["purged"],
            r["purged_bytes"],
            r["last_purged_at"],
        )
    return [out[k] for k in sorted(out)]


def report_csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=REPORT_COLUMNS, lineterminator="\r\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: "" if r[k] is None else r[k] for k in REPORT_COLUMNS})
    return buf.getvalue()
