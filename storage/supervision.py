"""Supervision: complaints, and the agency scorecard (per agency and calendar month, UTC).

The scorecard reads what the other aggregates already record: contact decisions and their
reasons, attempts and their outcomes, recordings, flags and their reviews, complaints.

- contact requests: decisions made (`/v1/authorize`, `/v1/calls`, `/v1/messages`), allowed,
  denied, and denials by reason code (a denial with two reasons counts under both);
- attempts: allowed attempts made in the month, released ones (not placed), connected calls,
  right-party contacts (connected, spoke with the debtor);
- flags on the month's recordings (current ones): violations (any severity but `info`) per 100
  connected calls, by category; confirmed violations by category (also of flags a later
  lexicon no longer raises: a confirmed violation stays one); dismissed; still open;
- complaints received in the month;
- review latency: hours from a flag being raised to its first review (median, 90th percentile,
  longest) and the age of the oldest open violation.
"""

from __future__ import annotations

import secrets
import sqlite3
from datetime import datetime
from typing import Any

from policies.parse import month_bounds
from storage.audit import Actor
from storage.complaints import place_complaint_holds_sync
from storage.db import Database, NotFound, from_ts, to_ts
from storage.dialect import json_array_items, json_field
from storage.store import RecordingStore
from storage.store_holds import sync_store_holds

__all__ = ["COMPLAINT_CHANNELS", "add_complaint", "scorecard"]

COMPLAINT_CHANNELS = ("call", "sms", "email", "letter", "web", "in_person", "regulator", "other")


async def add_complaint(
    db: Database,
    case_id: str,
    attempt_id: str | None,
    received_at: datetime,
    channel: str,
    summary: str,
    actor_key_id: str | None,
    agency_scope: str | None,
    now: datetime,
    actor: Actor | None = None,
    store: RecordingStore | None = None,
) -> dict[str, Any]:
    """Record a complaint against the case's agency; while it is open it holds the case's
    recordings (storage/complaints.py). NotFound for an unknown (or another agency's) case, or an
    attempt that is not the case's."""
    if channel not in COMPLAINT_CHANNELS:
        raise ValueError(f"channel must be one of {', '.join(COMPLAINT_CHANNELS)}")

    def write(conn: sqlite3.Connection) -> dict[str, Any]:
        case = conn.execute("SELECT agency_id FROM cases WHERE case_id = :id", {"id": case_id}).fetchone()
        if case is None or (agency_scope is not None and case["agency_id"] != agency_scope):
            raise NotFound("case", case_id)
        if attempt_id is not None:
            # Another agency's attempt on a case reassigned since is as unknown as a made-up id.
            attempt = conn.execute(
                "SELECT 1 FROM attempts WHERE attempt_id = :id AND case_id = :case"
                " AND (CAST(:agency AS TEXT) IS NULL OR agency_id = :agency)",
                {"id": attempt_id, "case": case_id, "agency": agency_scope},
            ).fetchone()
            if attempt is None:
                raise NotFound("attempt", attempt_id)
        row = {
            "complaint_id": "cmp_" + secrets.token_hex(10),
            "case_id": case_id,
            "agency_id": case["agency_id"],
            "attempt_id": attempt_id,
            "received_at": to_ts(received_at),
            "channel": channel,
            "summary": summary,
            "actor_key_id": actor_key_id,
            "created_at": to_ts(now),
        }
        conn.execute(
            "INSERT INTO complaints (complaint_id, case_id, agency_id, attempt_id, received_at, channel,"
            " summary, actor_key_id, created_at) VALUES (:complaint_id, :case_id, :agency_id, :attempt_id,"
            " :received_at, :channel, :summary, :actor_key_id, :created_at)",
            row,
        )
        who = actor or Actor(actor_key_id, "unknown", agency_scope, "unknown")
        row["status"] = "open"
        row["holding_recordings"] = place_complaint_holds_sync(conn, row["complaint_id"], case_id, who, now)
        if agency_scope is not None:  # every recording of the case is held; the count is its own
            row["holding_recordings"] = conn.execute(
                "SELECT count(*) FROM recordings WHERE case_id = :case AND status = 'ingested'"
                " AND agency_id = :agency",
                {"case": case_id, "agency": agency_scope},
            ).fetchone()[0]
        return row

    row = await db.write(write)
    if store is not None:  # the holds it placed, on the stored copies too
        await sync_store_holds(db, store, case_id=case_id)
    return row


def _percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return round(ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo), 2)


async def scorecard(db: Database, agency_id: str, month: str, now: datetime) -> dict[str, Any]:
    """The scorecard of one agency for one month (see the module doc). ValueError for a bad month."""
    start, end = month_bounds(month)
    p = {"a": agency_id, "s": to_ts(start), "e": to_ts(end)}
    dec = await db.fetchone(
        "SELECT count(*) AS n, coalesce(sum(allowed), 0) AS allowed FROM decisions"
        " WHERE agency_id = :a AND at >= :s AND at < :e",
        p,
    )
    items = json_array_items(db.dialect, "d.reasons", (), "j")
    reasons = await db.fetchall(
        f"SELECT {json_field(db.dialect, 'j', 'code')} AS code, count(*) AS n FROM decisions d, {items}"
        " WHERE d.agency_id = :a AND d.at >= :s AND d.at < :e AND d.allowed = 0"
        " GROUP BY code ORDER BY n DESC, code",
        p,
    )
    att = await db.fetchone(
        "SELECT count(*) AS n, coalesce(sum(status = 'released'), 0) AS released,"
        " coalesce(sum(channel = 'call' AND result = 'connected'), 0) AS connected,"
        " coalesce(sum(result = 'connected' AND spoke_with = 'debtor'), 0) AS rpc"
        " FROM attempts WHERE agency_id = :a AND at >= :s AND at < :e",
        p,
    )
    rec = await db.fetchone(
        "SELECT count(*) AS n, coalesce(sum(t.recording_id IS NOT NULL), 0) AS transcribed FROM recordings r"
        " LEFT JOIN transcripts t ON t.recording_id = r.recording_id"
        " WHERE r.agency_id = :a AND r.recorded_at >= :s AND r.recorded_at < :e",
        p,
    )
    flags = await db.fetchall(
        "SELECT category, severity, status, active, created_at, reviewed_at FROM flags"
        " WHERE agency_id = :a AND recorded_at >= :s AND recorded_at < :e",
        p,
    )
    first_reviews = await db.fetchall(
        "SELECT f.created_at, min(r.at) AS first_at FROM flags f JOIN flag_reviews r ON r.flag_id = f.flag_id"
        " WHERE f.agency_id = :a AND f.recorded_at >= :s AND f.recorded_at < :e GROUP BY f.flag_id",
        p,
    )
    complaints = await db.fetchone(
        "SELECT count(*) AS n FROM complaints"
        " WHERE agency_id = :a AND received_at >= :s AND received_at < :e",
        p,
    )
    assert dec is not None
    assert att is not None
    assert rec is not None
    assert complaints is not None
    violations = [f for f in flags if f["active"] and f["severity"] != "info"]
    by_category: dict[str, int] = {}
    for f in violations:
        by_category[f["category"]] = by_category.get(f["category"], 0) + 1
    confirmed: dict[str, int] = {}
    for f in flags:
        if f["status"] == "confirmed" and f["severity"] != "info":
            confirmed[f["category"]] = confirmed.get(f["category"], 0) + 1
    latencies = [
        (from_ts(r["first_at"]) - from_ts(r["created_at"])).total_seconds() / 3600 for r in first_reviews
    ]
    open_violations = [f for f in violations if f["status"] == "open"]
    oldest_open = min((from_ts(f["created_at"]) for f in open_violations), default=None)
    connected = int(att["connected"])
    return {
        "agency_id": agency_id,
        "month": month,
        "contact_requests": {
            "total": int(dec["n"]),
            "allowed": int(dec["allowed"]),
            "denied": int(dec["n"]) - int(dec["allowed"]),
            "denials_by_reason": {str(r["code"]): int(r["n"]) for r in reasons},
        },
        "attempts": {
            "made": int(att["n"]),
            "released": int(att["released"]),
            "connected_calls": connected,
            "right_party_contacts": int(att["rpc"]),
        },
        "recordings": {"stored": int(rec["n"]), "transcribed": int(rec["transcribed"])},
        "flags": {
            "violations": len(violations),
            "per_100_connected_calls": round(100 * len(violations) / connected, 2) if connected else None,
            "by_category": dict(sorted(by_category.items())),
            "info": sum(1 for f in flags if f["active"] and f["severity"] == "info"),
            "open": len(open_violations),
            "dismissed": sum(1 for f in flags if f["status"] == "dismissed"),
        },
        "confirmed_violations": {
            "total": sum(confirmed.values()),
            "by_category": dict(sorted(confirmed.items())),
        },
        "complaints": int(complaints["n"]),
        "review_latency_hours": {
            "reviewed": len(latencies),
            "median": _percentile(latencies, 0.5),
            "p90": _percentile(latencies, 0.9),
            "max": round(max(latencies), 2) if latencies else None,
            "oldest_open": round((now - oldest_open).total_seconds() / 3600, 2) if oldest_open else None,
        },
    }
