"""Complaints' lifecycle and the legal holds they place.

An open complaint holds every recording of its case — those stored already and those stored while
it is open — until it is resolved with a note. Each hold it places is a `legal_holds` row and an
access-log row like a hold a person places. A recording that was already under a manual hold keeps
it after the complaint is resolved (`complaint_holds.was_held`), and one held by several open
complaints is released with the last of them. A manual release is refused while a complaint holds
the recording.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from policies.errors import Conflict
from storage.audit import Access, Actor, append_sync
from storage.db import Database, NotFound, and_where, to_ts
from storage.store import RecordingStore
from storage.store_holds import sync_store_holds

__all__ = [
    "COMPLAINT_STATUSES",
    "complaint_holding",
    "hold_for_open_complaints_sync",
    "list_complaints",
    "place_complaint_holds_sync",
    "resolve_complaint",
]

COMPLAINT_STATUSES = ("open", "resolved")


def _hold(conn: sqlite3.Connection, complaint_id: str, rec: Any, actor: Actor, now: datetime) -> None:
    at = to_ts(now)
    active = conn.execute(
        "SELECT max(was_held) AS was_held, count(*) AS n FROM complaint_holds"
        " WHERE recording_id = :id AND released_at IS NULL",
        {"id": rec["recording_id"]},
    ).fetchone()
    # Held by someone other than a complaint: held now and no open complaint holds it.
    was_held = int(active["was_held"]) if active["n"] else int(rec["legal_hold"])
    conn.execute(
        "INSERT INTO complaint_holds (complaint_id, recording_id, was_held, placed_at)"
        " VALUES (:c, :r, :was, :at) ON CONFLICT DO NOTHING",
        {"c": complaint_id, "r": rec["recording_id"], "was": was_held, "at": at},
    )
    if rec["legal_hold"]:
        return
    if actor.agency_id is not None and actor.agency_id != rec["agency_id"]:
        # A recording the case's agency before made: held for the lender, but not in the filing
        # agency's own trail, which would name another agency's recording (found by a probe).
        actor = Actor(None, "system", None, f"complaint:{complaint_id}")
    reason = f"complaint {complaint_id} is open"
    conn.execute("UPDATE recordings SET legal_hold = 1 WHERE recording_id = :r", {"r": rec["recording_id"]})
    conn.execute(
        "INSERT INTO legal_holds (recording_id, action, reason, actor_key_id, at)"
        " VALUES (:r, 'on', :reason, :actor, :at)",
        {"r": rec["recording_id"], "reason": reason, "actor": actor.key_id, "at": at},
    )
    append_sync(
        conn,
        Access(
            actor,
            "recording.hold",
            "recording",
            rec["recording_id"],
            "ok",
            reason,
            {"complaint_id": complaint_id, "automatic": True, "was_held": False},
        ),
        now,
    )


def place_complaint_holds_sync(
    conn: sqlite3.Connection, complaint_id: str, case_id: str, actor: Actor, now: datetime
) -> int:
    """Hold every stored recording of the case for the complaint (writer thread); returns how many
    recordings it holds."""
    recs = conn.execute(
        "SELECT recording_id, legal_hold, agency_id FROM recordings"
        " WHERE case_id = :case AND status = 'ingested'",
        {"case": case_id},
    ).fetchall()
    for rec in recs:
        _hold(conn, complaint_id, rec, actor, now)
    return len(recs)


def hold_for_open_complaints_sync(
    conn: sqlite3.Connection, recording_id: str, case_id: str, actor: Actor, now: datetime
) -> None:
    """A recording stored while its case has an open complaint is held at once."""
    for c in conn.execute(
        "SELECT complaint_id FROM complaints WHERE case_id = :case AND status = 'open' ORDER BY created_at",
        {"case": case_id},
    ).fetchall():
        rec = conn.execute(
            "SELECT recording_id, legal_hold, agency_id FROM recordings WHERE recording_id = :id",
            {"id": recording_id},
        ).fetchone()
        _hold(conn, c["complaint_id"], rec, actor, now)


def complaint_holding(conn: sqlite3.Connection, recording_id: str) -> str | None:
    """The open complaint that holds the recording, if any (manual releases are refused then)."""
    row = conn.execute(
        "SELECT complaint_id FROM complaint_holds WHERE recording_id = :id AND released_at IS NULL"
        " ORDER BY placed_at LIMIT 1",
        {"id": recording_id},
    ).fetchone()
    return None if row is None else str(row["complaint_id"])


def _complaint_json(row: Any) -> dict[str, Any]:
    return {
        "complaint_id": row["complaint_id"],
        "case_id": row["case_id"],
        "agency_id": row["agency_id"],
        "attempt_id": row["attempt_id"],
        "received_at": row["received_at"],
        "channel": row["channel"],
        "summary": row["summary"],
        "actor_key_id": row["actor_key_id"],
        "created_at": row["created_at"],
        "status": row["status"],
        "resolved_at": row["resolved_at"],
        "resolution": row["resolution"],
        "resolver_key_id": row["resolver_key_id"],
    }


async def list_complaints(
    db: Database,
    *,
    agency_scope: str | None = None,
    agency_id: str | None = None,
    case_id: str | None = None,
    status: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Complaints, newest received first, with how many recordings each holds now (with a scope,
    of that agency's: a reassigned case's complaint also holds the agency before's)."""
    where, params = and_where(
        [
            ("c.agency_id = :scope", "scope", agency_scope),
            ("c.agency_id = :agency", "agency", agency_id),
            ("c.case_id = :case", "case", case_id),
            ("c.status = :status", "status", status),
        ]
    )
    params |= {"limit": limit, "held_scope": agency_scope}
    rows = await db.fetchall(
        "SELECT c.*, (SELECT count(*) FROM complaint_holds h"
        " LEFT JOIN recordings r ON r.recording_id = h.recording_id"
        " WHERE h.complaint_id = c.complaint_id AND h.released_at IS NULL"
        " AND (CAST(:held_scope AS TEXT) IS NULL OR r.agency_id = :held_scope)) AS holding"
        " FROM complaints c WHERE 1 = 1"
        + where
        + " ORDER BY c.received_at DESC, c.complaint_id LIMIT :limit",
        params,
    )
    out = []
    for r in rows:
        doc = _complaint_json(r)
        doc["holding_recordings"] = int(r["holding"])
        out.append(doc)
    return out


async def resolve_complaint(
    db: Database,
    complaint_id: str,
    resolution: str,
    actor: Actor,
    agency_scope: str | None,
    now: datetime,
    store: RecordingStore | None = None,
) -> dict[str, Any]:
    """Resolve an open complaint with a note and release the holds it placed (logged), on the
    stored copies too with `store`. NotFound for an unknown (or another agency's) complaint;
    Conflict when it is already resolved."""

    def write(conn: sqlite3.Connection) -> dict[str, Any]:
        row = conn.execute(
            "SELECT * FROM complaints WHERE complaint_id = :id", {"id": complaint_id}
        ).fetchone()
        if row is None or (agency_scope is not None and row["agency_id"] != agency_scope):
            raise NotFound("complaint", complaint_id)
        if row["status"] != "open":
            raise Conflict(
                f"complaint {complaint_id} is already resolved", {"resolved_at": row["resolved_at"]}
            )
        at = to_ts(now)
        conn.execute(
            "UPDATE complaints SET status = 'resolved', resolved_at = :at, resolution = :note,"
            " resolver_key_id = :actor WHERE complaint_id = :id",
            {"id": complaint_id, "at": at, "note": resolution, "actor": actor.key_id},
        )
        holds = conn.execute(
            "SELECT recording_id, was_held FROM complaint_holds"
            " WHERE complaint_id = :id AND released_at IS NULL",
            {"id": complaint_id},
        ).fetchall()
        conn.execute(
            "UPDATE complaint_holds SET released_at = :at WHERE complaint_id = :id AND released_at IS NULL",
            {"id": complaint_id, "at": at},
        )
        released = 0
        for h in holds:
            rid = h["recording_id"]
            if h["was_held"] or complaint_holding(conn, rid) is not None:
                continue  # a manual hold, or another open complaint, still holds it
            rec = conn.execute(
                "SELECT legal_hold FROM recordings WHERE recording_id = :id", {"id": rid}
            ).fetchone()
            if rec is None or not rec["legal_hold"]:
                continue  # purged after the complaint, or released some other way
            reason = f"complaint {complaint_id} resolved"
            conn.execute("UPDATE recordings SET legal_hold = 0 WHERE recording_id = :id", {"id": rid})
            conn.execute(
                "INSERT INTO legal_holds (recording_id, action, reason, actor_key_id, at)"
                " VALUES (:id, 'off', :reason, :actor, :at)",
                {"id": rid, "reason": reason, "actor": actor.key_id, "at": at},
            )
            append_sync(
                conn,
                Access(
                    actor,
                    "recording.release",
                    "recording",
                    rid,
                    "ok",
                    reason,
                    {"complaint_id": complaint_id, "automatic": True, "was_held": True},
                ),
                now,
            )
            released += 1
        append_sync(
            conn,
            Access(
                actor,
                "complaint.resolve",
                "complaint",
                complaint_id,
                "ok",
                resolution,
                {"case_id": row["case_id"], "released_recordings": released},
            ),
            now,
        )
        updated = conn.execute(
            "SELECT * FROM complaints WHERE complaint_id = :id", {"id": complaint_id}
        ).fetchone()
        doc = _complaint_json(updated)
        doc["released_recordings"] = released
        return doc

    doc = await db.write(write)
    if store is not None:
        await sync_store_holds(db, store, case_id=doc["case_id"])
    return doc
