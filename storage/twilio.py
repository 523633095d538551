"""The Twilio-compatible facade's records: the calls and messages it created (with the dialer's
own callback URLs), the dialers' wrapped callback-signing tokens, and the number → case index
(`case_numbers`, kept by triggers of migration 0008) it finds a case by."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from storage.db import Database, NotFound, and_where, to_ts

__all__ = [
    "CaseNumber",
    "TwilioResource",
    "cases_for_number",
    "dialer_token",
    "get_resource",
    "list_resources",
    "resource_by_attempt",
    "save_dialer_token",
    "save_resource",
    "set_recording",
    "update_resource",
]


@dataclass(frozen=True)
class CaseNumber:
    """A number found on a case: the debtor's (`party` debtor) or a contact's."""

    case_id: str
    agency_id: str
    party: str
    contact_id: str | None


@dataclass(frozen=True)
class TwilioResource:
    """A call or message created through the facade."""

    sid: str
    kind: str
    account_sid: str
    key_id: str
    agency_id: str
    case_id: str
    attempt_id: str
    to_number: str
    from_number: str
    status: str
    status_callback: str | None
    status_callback_method: str | None
    recording_callback: str | None
    recording_callback_method: str | None
    recording_id: str | None
    doc: dict[str, Any]
    created_at: str
    updated_at: str


def _resource(row: Any) -> TwilioResource:
    return TwilioResource(
        sid=row["sid"],
        kind=row["kind"],
        account_sid=row["account_sid"],
        key_id=row["key_id"],
        agency_id=row["agency_id"],
        case_id=row["case_id"],
        attempt_id=row["attempt_id"],
        to_number=row["to_number"],
        from_number=row["from_number"],
        status=row["status"],
        status_callback=row["status_callback"],
        status_callback_method=row["status_callback_method"],
        recording_callback=row["recording_callback"],
        recording_callback_method=row["recording_callback_method"],
        recording_id=row["recording_id"],
        doc=json.loads(row["doc"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def cases_for_number(db: Database, agency_id: str, number: str) -> list[CaseNumber]:
    """The agency's active cases that list `number` (E.164), debtor entries first."""
    rows = await db.fetchall(
        "SELECT DISTINCT n.case_id, n.agency_id, n.party, n.contact_id FROM case_numbers n"
        " JOIN cases c ON c.case_id = n.case_id"
        " WHERE n.agency_id = :agency AND n.number = :number AND c.agency_id = :agency"
        " AND c.status = 'active' ORDER BY n.party, n.case_id",
        {"agency": agency_id, "number": number},
    )
    return [CaseNumber(r["case_id"], r["agency_id"], r["party"], r["contact_id"]) for r in rows]


async def save_resource(
    db: Database,
    *,
    sid: str,
    kind: str,
    account_sid: str,
    key_id: str,
    agency_id: str,
    case_id: str,
    attempt_id: str,
    to_number: str,
    from_number: str,
    status: str,
    callbacks: dict[str, str | None],
    doc: dict[str, Any],
) -> None:
    """Record a call or message the upstream accepted, and its sid as the attempt's carrier
    reference, in one transaction. `callbacks` holds the dialer's own `status_callback`,
    `status_callback_method`, `recording_callback`, `recording_callback_method`."""
    now = to_ts(datetime.now(UTC))

    def write(conn: sqlite3.Connection) -> None:
        conn.execute(
            "INSERT INTO twilio_resources (sid, kind, account_sid, key_id, agency_id, case_id, attempt_id,"
            " to_number, from_number, status, status_callback, status_callback_method,"
            " recording_callback, recording_callback_method, doc, created_at, updated_at)"
            " VALUES (:sid, :kind, :account, :key, :agency, :case, :attempt, :to, :from, :status,"
            " :status_callback, :status_callback_method, :recording_callback, :recording_callback_method,"
            " :doc, :now, :now)",
            {
                "sid": sid,
                "kind": kind,
                "account": account_sid,
                "key": key_id,
                "agency": agency_id,
                "case": case_id,
                "attempt": attempt_id,
                "to": to_number,
                "from": from_number,
                "status": status,
                "status_callback": callbacks.get("status_callback"),
                "status_callback_method": callbacks.get("status_callback_method"),
                "recording_callback": callbacks.get("recording_callback"),
                "recording_callback_method": callbacks.get("recording_callback_method"),
                "doc": json.dumps(doc, ensure_ascii=False),
                "now": now,
            },
        )
        conn.execute(
            "UPDATE attempts SET carrier_ref = :sid WHERE attempt_id = :attempt",
            {"sid": sid, "attempt": attempt_id},
        )

    await db.write(write)


async def get_resource(
    db: Database, sid: str, kind: str | None = None, agency_id: str | None = None
) -> TwilioResource:
    """One resource; another agency's (or another kind's) is NotFound."""
    row = await db.fetchone("SELECT * FROM twilio_resources WHERE sid = :sid", {"sid": sid})
    if (
        row is None
        or (kind is not None and row["kind"] != kind)
        or (agency_id is not None and row["agency_id"] != agency_id)
    ):
        raise NotFound("call" if kind == "call" else "message" if kind == "message" else "resource", sid)
    return _resource(row)


async def resource_by_attempt(db: Database, attempt_id: str) -> TwilioResource | None:
    row = await db.fetchone(
        "SELECT * FROM twilio_resources WHERE attempt_id = :id ORDER BY created_at LIMIT 1",
        {"id": attempt_id},
    )
    return None if row is None else _resource(row)


async def list_resources(
    db: Database,
    *,
    agency_id: str,
    kind: str,
    to_number: str | None = None,
    from_number: str | None = None,
    status: str | None = None,
    page: int = 0,
    page_size: int = 50,
) -> tuple[list[TwilioResource], bool]:
    """The agency's resources of `kind`, newest first, one page; and whether a next page exists."""
    where, params = and_where(
        [
            ("to_number = :to", "to", to_number),
            ("from_number = :from", "from", from_number),
            ("status = :status", "status", status),
        ]
    )
    sql = "SELECT * FROM twilio_resources WHERE agency_id = :agency AND kind = :kind" + where
    params |= {"agency": agency_id, "kind": kind, "limit": page_size + 1, "offset": page * page_size}
    rows = await db.fetchall(sql + " ORDER BY created_at DESC, sid LIMIT :limit OFFSET :offset", params)
    return [_resource(r) for r in rows[:page_size]], len(rows) > page_size


async def update_resource(db: Database, sid: str, doc: dict[str, Any], status: str) -> None:
    """Store the upstream's latest JSON for a resource (after a fetch, an update or a callback)."""

    def write(conn: sqlite3.Connection) -> None:
        conn.execute(
            "UPDATE twilio_resources SET doc = :doc, status = :status, updated_at = :now WHERE sid = :sid",
            {
                "sid": sid,
                "doc": json.dumps(doc, ensure_ascii=False),
                "status": status,
                "now": to_ts(datetime.now(UTC)),
            },
        )

    await db.write(write)


async def set_recording(db: Database, sid: str, recording_id: str) -> None:
    def write(conn: sqlite3.Connection) -> None:
        conn.execute(
            "UPDATE twilio_resources SET recording_id = :rec WHERE sid = :sid",
            {"sid": sid, "rec": recording_id},
        )

    await db.write(write)


async def save_dialer_token(db: Database, key_id: str, master_key_id: str, wrapped: bytes) -> None:
    def write(conn: sqlite3.Connection) -> None:
        conn.execute(
            "INSERT INTO twilio_dialer_tokens (key_id, master_key_id, wrapped, updated_at)"
            " VALUES (:key, :master, :wrapped, :now)"
            " ON CONFLICT (key_id) DO UPDATE SET master_key_id = :master, wrapped = :wrapped,"
            " updated_at = :now",
            {"key": key_id, "master": master_key_id, "wrapped": wrapped, "now": to_ts(datetime.now(UTC))},
        )

    await db.write(write)


async def dialer_token(db: Database, key_id: str) -> tuple[str, bytes] | None:
    """(master key id, wrapped token) of a key that is not revoked, or None."""
    row = await db.fetchone(
        "SELECT t.master_key_id, t.wrapped FROM twilio_dialer_tokens t JOIN api_keys k USING (key_id)"
        " WHERE t.key_id = :key AND k.revoked_at IS NULL",
        {"key": key_id},
    )
    return None if row is None else (str(row["master_key_id"]), bytes(row["wrapped"]))
