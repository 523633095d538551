"""Inbound SMS replies: which cases a reply belongs to, the number-scoped SMS cease a STOP makes,
lifting it on START, and the log of every reply (`sms_replies`, plus the access log)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from storage.audit import Access, Actor, append_sync
from storage.db import Database, to_ts

__all__ = [
    "REPLY_SOURCE",
    "ReplyCase",
    "Verdict",
    "log_reply",
    "reply_cases",
    "start_by_reply",
    "stop_by_reply",
]

REPLY_SOURCE = "sms_reply"
_ACTOR = Actor(None, "system", None, "carrier:sms_reply")


@dataclass(frozen=True)
class ReplyCase:
    """A case a reply from `number` belongs to, with the packs its decision needs."""

    case_id: str
    agency_id: str
    packs: tuple[str, ...]


@dataclass(frozen=True)
class Verdict:
    """What the policy says about a START on one case (`allowed`, the `rule` and `why`)."""

    case_id: str
    allowed: bool
    rule: str
    why: str


async def reply_cases(db: Database, from_number: str, to_number: str) -> tuple[list[ReplyCase], str]:
    """The cases a reply from `from_number` to the agency number `to_number` belongs to, and how
    they were found: the cases of the facade's messages sent from `to_number` to `from_number`
    (`messages`); failing that, every active case that lists `from_number` (`numbers`): a stop must
    never be lost because the message that prompted it was sent some other way."""
    rows = await db.fetchall(
        "SELECT DISTINCT c.case_id, c.agency_id, c.doc FROM twilio_resources r JOIN cases c USING (case_id)"
        " WHERE r.kind = 'message' AND r.to_number = :debtor AND r.from_number = :agency"
        " ORDER BY c.case_id",
        {"debtor": from_number, "agency": to_number},
    )
    how = "messages"
    if not rows:
        how = "numbers"
        rows = await db.fetchall(
            "SELECT DISTINCT c.case_id, c.agency_id, c.doc FROM case_numbers n JOIN cases c USING (case_id)"
            " WHERE n.number = :debtor AND c.status = 'active' ORDER BY c.case_id",
            {"debtor": from_number},
        )
    return [ReplyCase(r["case_id"], r["agency_id"], tuple(json.loads(r["doc"])["packs"])) for r in rows], how


def _log_sync(
    conn: sqlite3.Connection,
    *,
    at: datetime,
    message_sid: str | None,
    from_number: str,
    to_number: str,
    action: str,
    keyword: str | None,
    rule: str | None,
    result: str,
    case_ids: Sequence[str],
    detail: str,
) -> int:
    cur = conn.execute(
        "INSERT INTO sms_replies (at, message_sid, from_number, to_number, action, keyword, rule, result,"
        " case_ids, detail)"
        " VALUES (:at, :sid, :from, :to, :action, :keyword, :rule, :result, :cases, :detail)"
        " RETURNING reply_id",
        {
            "at": to_ts(at),
            "sid": message_sid,
            "from": from_number,
            "to": to_number,
            "action": action,
            "keyword": keyword,
            "rule": rule,
            "result": result,
            "cases": json.dumps(list(case_ids)),
            "detail": detail,
        },
    )
    row = cur.fetchone()
    return int(row[0]) if row else 0


async def log_reply(
    db: Database,
    *,
    message_sid: str | None,
    from_number: str,
    to_number: str,
    action: str,
    result: str,
    detail: str = "",
) -> int:
    """Log a reply that changed nothing (not a keyword, or no case to apply it to)."""
    return await db.write(
        lambda conn: _log_sync(
            conn,
            at=datetime.now(UTC),
            message_sid=message_sid,
            from_number=from_number,
            to_number=to_number,
            action=action,
            keyword=None,
            rule=None,
            result=result,
            case_ids=(),
            detail=detail,
        )
    )


async def stop_by_reply(
    db: Database,
    cases: Sequence[ReplyCase],
    *,
    number: str,
    to_number: str,
    keyword: str,
    rule: str,
    message_sid: str | None,
) -> dict[str, Any]:
    """Cease SMS to `number` on each case (once: a second STOP adds nothing), logged in
    `sms_replies` and the access log, in one transaction."""
    now = datetime.now(UTC)

    def write(conn: sqlite3.Connection) -> dict[str, Any]:
        ceased: list[str] = []
        for case in cases:
            active = conn.execute(
                "SELECT 1 FROM ceases WHERE case_id = :case AND number = :number AND lifted_at IS NULL"
                " AND channels = :channels AND contact_id IS NULL",
                {"case": case.case_id, "number": number, "channels": json.dumps(["sms"])},
            ).fetchone()
            if active is not None:
                continue
            conn.execute(
                "INSERT INTO ceases (case_id, channels, contact_id, reason, at, actor_key_id, number, source)"
                " VALUES (:case, :channels, NULL, :reason, :at, NULL, :number, :source)",
                {
                    "case": case.case_id,
                    "channels": json.dumps(["sms"]),
                    "reason": f"SMS reply {keyword!r} ({rule})",
                    "at": to_ts(now),
                    "number": number,
                    "source": REPLY_SOURCE,
                },
            )
            # Bumping the version invalidates cached copies of the case in every process.
            conn.execute(
                "UPDATE cases SET version = version + 1 WHERE case_id = :case", {"case": case.case_id}
            )
            append_sync(
                conn,
                Access(
                    _ACTOR,
                    "case.cease",
                    "case",
                    case.case_id,
                    "ok",
                    reason="sms_reply",
                    details={"channels": ["sms"], "number": number, "keyword": keyword, "rule": rule},
                ),
                now,
            )
            ceased.append(case.case_id)
        result = "ceased" if ceased else "already_ceased"
        reply_id = _log_sync(
            conn,
            at=now,
            message_sid=message_sid,
            from_number=number,
            to_number=to_number,
            action="stop",
            keyword=keyword,
            rule=rule,
            result=result,
            case_ids=[c.case_id for c in cases],
            detail="",
        )
        return {"reply_id": reply_id, "result": result, "ceased": ceased}

    return await db.write(write)


async def start_by_reply(
    db: Database,
    verdicts: Sequence[Verdict],
    *,
    number: str,
    to_number: str,
    keyword: str,
    rule: str,
    message_sid: str | None,
) -> dict[str, Any]:
    """Lift the reply-made SMS ceases on `number` of each case whose verdict allows it; a cease
    made any other way (the API, a letter) is never lifted by a text. Logged like a stop."""
    now = datetime.now(UTC)

    def write(conn: sqlite3.Connection) -> dict[str, Any]:
        lifted: list[str] = []
        kept: list[dict[str, str]] = []
        for verdict in verdicts:
            if not verdict.allowed:
                kept.append({"case_id": verdict.case_id, "rule": verdict.rule, "why": verdict.why})
                continue
            cur = conn.execute(
                "UPDATE ceases SET lifted_at = :at, lifted_reason = :reason WHERE case_id = :case"
                " AND number = :number AND source = :source AND lifted_at IS NULL",
                {
                    "at": to_ts(now),
                    "reason": f"SMS reply {keyword!r} ({verdict.rule})",
                    "case": verdict.case_id,
                    "number": number,
                    "source": REPLY_SOURCE,
                },
            )
            if cur.rowcount:
                conn.execute(
                    "UPDATE cases SET version = version + 1 WHERE case_id = :case", {"case": verdict.case_id}
                )
                append_sync(
                    conn,
                    Access(
                        _ACTOR,
                        "case.cease_lifted",
                        "case",
                        verdict.case_id,
                        "ok",
                        reason="sms_reply",
                        details={"number": number, "keyword": keyword, "rule": verdict.rule},
                    ),
                    now,
                )
                lifted.append(verdict.case_id)
        result = "lifted" if lifted else "kept"
        reply_id = _log_sync(
            conn,
            at=now,
            message_sid=message_sid,
            from_number=number,
            to_number=to_number,
            action="start",
            keyword=keyword,
            rule=rule,
            result=result,
            case_ids=[v.case_id for v in verdicts],
            detail=json.dumps(kept, ensure_ascii=False) if kept else "",
        )
        return {"reply_id": reply_id, "result": result, "lifted": lifted, "kept": kept}

    return await db.write(write)
