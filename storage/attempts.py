"""Contact attempts: the history the caps count, outcomes, carrier references and releases."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, NotRequired, TypedDict

from policies.outcomes import check_outcome_times
from policies.types import Attempt, ContactRequest
from storage.audit import Access, append_sync
from storage.db import Conflict, Database, NotFound, from_ts, new_id, to_ts

__all__ = [
    "attempt_to_json",
    "correct_outcome",
    "get_attempt",
    "history_sync",
    "record_outcome",
    "release_attempt",
    "set_carrier_ref",
]

_COLUMNS = (
    "attempt_id, case_id, debtor_id, agency_id, at, channel, to_number, party, contact_id,"
    " result, spoke_with, started_at, ended_at, 'outbound', relation"
)
# A conversation the debtor started, in the attempts' shape: what the cool-offs and the
# "unreachable" rule read (caps never count it).
_INBOUND_COLUMNS = (
    "inbound_id, case_id, debtor_id, agency_id, started_at, channel, number, 'debtor', NULL,"
    " 'connected', 'debtor', started_at, ended_at, 'inbound', NULL"
)


def _attempt(row: Sequence[Any]) -> Attempt:
    return Attempt(
        attempt_id=row[0],
        case_id=row[1],
        debtor_id=row[2],
        agency_id=row[3],
        at=from_ts(row[4]),
        channel=row[5],
        to=row[6],
        party=row[7],
        contact_id=row[8],
        result=row[9],
        spoke_with=row[10],
        started_at=from_ts(row[11]) if row[11] else None,
        ended_at=from_ts(row[12]) if row[12] else None,
        direction=row[13],
        relation=row[14],
    )


def history_sync(
    conn: sqlite3.Connection,
    request: ContactRequest,
    debtor_id: str,
    since: datetime,
    with_contact_history: bool,
    with_number_history: bool = True,
) -> list[Attempt]:
    """The reserved attempts the caps need: this debtor's since `since`; this number's too when a
    pack caps per number (a number may be shared, or belong to another debtor); and, when a pack
    caps a third party for ever, every attempt to the requested contact and to its number.
    Conversations the debtor started since `since` come along as inbound "attempts"
    (`Attempt.direction`).

    Each branch is a range scan on its own index, so cost follows the rows inside the window,
    not the size of the table.
    """
    params = {"debtor": debtor_id, "to": request.to, "since": to_ts(since)}
    sql = (
        f"SELECT {_COLUMNS} FROM attempts WHERE debtor_id = :debtor AND at >= :since AND status = 'reserved'"
        f" UNION SELECT {_INBOUND_COLUMNS} FROM inbound_contacts WHERE debtor_id = :debtor"
        " AND started_at >= :since"
    )
    if with_number_history:
        sql += (
            f" UNION SELECT {_COLUMNS} FROM attempts WHERE to_number = :to AND at >= :since"
            " AND status = 'reserved'"
        )
    if with_contact_history and request.contact_id is not None:
        # The person, not only the case's contact id: a re-keyed contact, or the same relative on
        # the debtor's other case, was a first contact again once the first left the window (a probe).
        sql += (
            f" UNION SELECT {_COLUMNS} FROM attempts WHERE case_id = :case AND contact_id = :contact"
            " AND status = 'reserved'"
            f" UNION SELECT {_COLUMNS} FROM attempts WHERE to_number = :to"
            " AND (party = 'third_party' OR spoke_with = 'third_party') AND status = 'reserved'"
        )
        params |= {"case": request.case_id, "contact": request.contact_id}
    rows = conn.execute(sql + " ORDER BY 5", params).fetchall()
    return [_attempt(r) for r in rows]


class OutcomeJson(TypedDict):
    result: str
    spoke_with: str | None
    started_at: str | None
    ended_at: str | None
    reported_at: str | None


# The attempt as the API answers it ("from" is a keyword, hence the functional form).
AttemptJson = TypedDict(
    "AttemptJson",
    {
        "attempt_id": str,
        "decision_id": str,
        "case_id": str,
        "agency_id": str,
        "channel": str,
        "to": str,
        "from": str | None,
        "party": str,
        "contact_id": str | None,
        "relation": str | None,
        "at": str,
        "status": str,
        "released_reason": str | None,
        "carrier_ref": str | None,
        "outcome": OutcomeJson | None,
        "corrections": NotRequired[list[dict[str, Any]]],
    },
)


def attempt_to_json(row: Any) -> AttemptJson:
    return {
        "attempt_id": row["attempt_id"],
        "decision_id": row["decision_id"],
        "case_id": row["case_id"],
        "agency_id": row["agency_id"],
        "channel": row["channel"],
        "to": row["to_number"],
        "from": row["from_number"],
        "party": row["party"],
        "contact_id": row["contact_id"],
        "relation": row["relation"],
        "at": row["at"],
        "status": row["status"],
        "released_reason": row["released_reason"],
        "carrier_ref": row["carrier_ref"],
        "outcome": None
        if row["result"] is None
        else {
            "result": row["result"],
            "spoke_with": row["spoke_with"],
            "started_at": row["started_at"],
            "ended_at": row["ended_at"],
            "reported_at": row["outcome_at"],
        },
    }


async def get_attempt(db: Database, attempt_id: str, agency_id: str | None = None) -> AttemptJson:
    """One attempt; with `agency_id`, other agencies' attempts are NotFound."""
    row = await db.fetchone("SELECT * FROM attempts WHERE attempt_id = :id", {"id": attempt_id})
    if row is None or (agency_id is not None and row["agency_id"] != agency_id):
        raise NotFound("attempt", attempt_id)
    return attempt_to_json(row)


async def release_attempt(db: Database, attempt_id: str, reason: str) -> None:
    """Stop an attempt from counting (the carrier did not place it, or nobody got the answer)."""

    def write(conn: sqlite3.Connection) -> None:
        conn.execute(
            "UPDATE attempts SET status = 'released', released_reason = :reason WHERE attempt_id = :id",
            {"id": attempt_id, "reason": reason},
        )

    await db.write(write)


async def set_carrier_ref(db: Database, attempt_id: str, carrier_ref: str) -> None:
    def write(conn: sqlite3.Connection) -> None:
        conn.execute(
            "UPDATE attempts SET carrier_ref = :ref WHERE attempt_id = :id",
            {"id": attempt_id, "ref": carrier_ref},
        )

    await db.write(write)


async def record_outcome(
    db: Database,
    attempt_id: str,
    agency_id: str | None,
    result: str,
    spoke_with: str,
    started_at: datetime | None,
    ended_at: datetime | None,
) -> AttemptJson:
    """Record how an attempt ended. Reporting the same outcome again is a no-op; a different
    one is a Conflict (history that caps were counted on is not rewritten silently: an admin
    corrects it with `correct_outcome`). Times must be believable (`check_outcome_times`)."""

    def write(conn: sqlite3.Connection) -> AttemptJson:
        now = datetime.now(UTC)
        row = conn.execute("SELECT * FROM attempts WHERE attempt_id = :id", {"id": attempt_id}).fetchone()
        if row is None or (agency_id is not None and row["agency_id"] != agency_id):
            raise NotFound("attempt", attempt_id)
        check_outcome_times(from_ts(row["at"]), started_at, ended_at, now)
        if row["result"] is not None:
            same = (row["result"], row["spoke_with"]) == (result, spoke_with)
            if not same:
                raise Conflict(
                    f"attempt {attempt_id} already has outcome {row['result']}/{row['spoke_with']}"
                    " (an admin can correct it: PUT /v1/attempts/{id}/outcome)"
                )
            return attempt_to_json(row)
        _set_outcome(conn, attempt_id, result, spoke_with, started_at, ended_at, now)
        return _get(conn, attempt_id)

    return await db.write(write)


async def correct_outcome(
    db: Database,
    attempt_id: str,
    result: str,
    spoke_with: str,
    started_at: datetime | None,
    ended_at: datetime | None,
    reason: str,
    access: Access,
) -> AttemptJson:
    """Replace an attempt's outcome (admin): the old value is kept in `outcome_corrections` and
    the change is logged in the access log, in the same transaction."""

    def write(conn: sqlite3.Connection) -> AttemptJson:
        now = datetime.now(UTC)
        row = conn.execute("SELECT * FROM attempts WHERE attempt_id = :id", {"id": attempt_id}).fetchone()
        if row is None:
            raise NotFound("attempt", attempt_id)
        check_outcome_times(from_ts(row["at"]), started_at, ended_at, now)
        conn.execute(
            "INSERT INTO outcome_corrections (correction_id, attempt_id, corrected_at, actor_key_id,"
            " reason, old_result, old_spoke_with, old_started_at, old_ended_at, new_result,"
            " new_spoke_with, new_started_at, new_ended_at) VALUES (:cid, :id, :now, :key, :reason,"
            " :old_result, :old_spoke, :old_start, :old_end, :result, :spoke, :start, :end)",
            {
                "cid": new_id("cor"),
                "id": attempt_id,
                "now": to_ts(now),
                "key": access.actor.key_id,
                "reason": reason,
                "old_result": row["result"],
                "old_spoke": row["spoke_with"],
                "old_start": row["started_at"],
                "old_end": row["ended_at"],
                "result": result,
                "spoke": spoke_with,
                "start": to_ts(started_at) if started_at else None,
                "end": to_ts(ended_at) if ended_at else None,
            },
        )
        _set_outcome(conn, attempt_id, result, spoke_with, started_at, ended_at, now)
        old = {"result": row["result"], "spoke_with": row["spoke_with"]}
        new = {"result": result, "spoke_with": spoke_with}
        append_sync(conn, replace(access, reason=reason, details={"old": old, "new": new}), now)
        out = _get(conn, attempt_id)
        out["corrections"] = [
            dict(r)
            for r in conn.execute(
                "SELECT corrected_at, actor_key_id, reason, old_result, old_spoke_with, old_started_at,"
                " old_ended_at FROM outcome_corrections WHERE attempt_id = :id ORDER BY corrected_at",
                {"id": attempt_id},
            )
        ]
        return out

    return await db.write(write)


def _set_outcome(
    conn: sqlite3.Connection,
    attempt_id: str,
    result: str,
    spoke_with: str,
    started_at: datetime | None,
    ended_at: datetime | None,
    now: datetime,
) -> None:
    conn.execute(
        "UPDATE attempts SET result = :result, spoke_with = :spoke, started_at = :start,"
        " ended_at = :end, outcome_at = :now WHERE attempt_id = :id",
        {
            "id": attempt_id,
            "result": result,
            "spoke": spoke_with,
            "start": to_ts(started_at) if started_at else None,
            "end": to_ts(ended_at) if ended_at else None,
            "now": to_ts(now),
        },
    )


def _get(conn: sqlite3.Connection, attempt_id: str) -> AttemptJson:
    return attempt_to_json(
        conn.execute("SELECT * FROM attempts WHERE attempt_id = :id", {"id": attempt_id}).fetchone()
    )
