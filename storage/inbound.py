"""Conversations the debtor started: recorded so that the packs can tell them from attempts.

They are not attempts (no cap counts them), but a telephone conversation starts the cool-off
where a pack says so, and any conversation shows the debtor is reachable. `history_sync`
(storage/attempts.py) hands them to the policies with the debtor's attempts.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

from policies.timefmt import rfc3339
from storage.db import Database, NotFound, new_id, to_ts

__all__ = ["record_inbound"]


async def record_inbound(
    db: Database,
    case_id: str,
    channel: str,
    number: str,
    started_at: datetime,
    ended_at: datetime | None,
    actor_key_id: str | None,
    agency_id: str | None = None,
) -> dict[str, Any]:
    """Record one debtor-initiated conversation on a case; with `agency_id`, other agencies'
    cases are NotFound."""

    def write(conn: sqlite3.Connection) -> dict[str, Any]:
        row = conn.execute(
            "SELECT agency_id, debtor_id FROM cases WHERE case_id = :id", {"id": case_id}
        ).fetchone()
        if row is None or (agency_id is not None and row["agency_id"] != agency_id):
            raise NotFound("case", case_id)
        now = datetime.now(UTC)
        params = {
            "id": new_id("inb"),
            "case": case_id,
            "debtor": row["debtor_id"],
            "agency": row["agency_id"],
            "channel": channel,
            "number": number,
            "start": to_ts(started_at),
            "end": to_ts(ended_at) if ended_at is not None else None,
            "actor": actor_key_id,
            "now": to_ts(now),
        }
        conn.execute(
            "INSERT INTO inbound_contacts (inbound_id, case_id, debtor_id, agency_id, channel, number,"
            " started_at, ended_at, actor_key_id, recorded_at)"
            " VALUES (:id, :case, :debtor, :agency, :channel, :number, :start, :end, :actor, :now)",
            params,
        )
        return {
            "inbound_id": params["id"],
            "case_id": case_id,
            "agency_id": row["agency_id"],
            "channel": channel,
            "number": number,
            "started_at": rfc3339(started_at),
            "ended_at": rfc3339(ended_at) if ended_at is not None else None,
            "recorded_at": rfc3339(now),
        }

    return await db.write(write)
