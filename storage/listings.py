"""Listings for people: every agency, cases found by id or the tail of a debtor number, a case's
decision history with each reason. Numbers are returned in E.164; the web layer masks them."""

from __future__ import annotations

import json
from typing import Any

from storage.agencies import agency_to_json
from storage.db import Database, NotFound, and_where
from storage.dialect import json_array_items, json_field

__all__ = ["case_decisions", "list_agencies", "search_cases"]


async def list_agencies(db: Database, agency_scope: str | None = None) -> list[dict[str, Any]]:
    """Every agency (an agency-bound caller: its own) with its case count and current contract."""
    where, params = and_where([("a.agency_id = :scope", "scope", agency_scope)])
    rows = await db.fetchall(
        "SELECT a.*, (SELECT count(*) FROM cases c WHERE c.agency_id = a.agency_id) AS cases,"
        " (SELECT commission_rate FROM agency_contracts k WHERE k.agency_id = a.agency_id"
        "  ORDER BY starts_on DESC LIMIT 1) AS commission_rate"
        " FROM agencies a WHERE 1 = 1" + where + " ORDER BY a.agency_id",
        params,
    )
    out = []
    for r in rows:
        doc = agency_to_json(r)
        doc["cases"] = int(r["cases"])
        doc["commission_rate"] = r["commission_rate"]
        out.append(doc)
    return out


def _case_summary(row: Any) -> dict[str, Any]:
    doc = json.loads(row["doc"])
    phones = [p.get("number") for p in (doc.get("debtor") or {}).get("phones", [])]
    return {
        "case_id": row["case_id"],
        "agency_id": row["agency_id"],
        "status": row["status"],
        "region": row["region"],
        "packs": doc.get("packs", []),
        "overdue_days": doc.get("overdue_days"),
        "numbers": [str(n) for n in phones if n],  # E.164: the web layer masks them
        "updated_at": row["updated_at"],
    }


async def search_cases(
    db: Database,
    *,
    agency_scope: str | None = None,
    agency_id: str | None = None,
    q: str | None = None,
    after: str = "",
    limit: int = 50,
) -> tuple[list[dict[str, Any]], str | None]:
    """Cases by id order, filtered by agency and `q`: a case id (prefix) or the last digits of a
    debtor number (at least 4, as shown masked). Returns (page, the id to continue after)."""
    where, params = and_where(
        [
            ("agency_id = :scope", "scope", agency_scope),
            ("agency_id = :agency", "agency", agency_id),
        ]
    )
    params |= {"after": after, "limit": limit + 1}
    sql = "SELECT * FROM cases WHERE case_id > :after" + where
    digits = "".join(ch for ch in q or "" if ch.isdigit())
    if q:
        # The id prefix uses the primary key; the number's tail is looked up in the stored body.
        phones = json_array_items(db.dialect, "doc", ("debtor", "phones"), "p")
        number = json_field(db.dialect, "p", "number")
        sql += (
            " AND (case_id >= :q AND case_id < :q_end OR EXISTS (SELECT 1 FROM"
            f" {phones} WHERE :digits != '' AND {number} LIKE '%' || :digits))"
        )
        params |= {"q": q, "q_end": q + "\U0010ffff", "digits": digits if len(digits) >= 4 else ""}
    rows = await db.fetchall(sql + " ORDER BY case_id LIMIT :limit", params)
    page = [_case_summary(r) for r in rows[:limit]]
    return page, (page[-1]["case_id"] if len(rows) > limit else None)


async def case_decisions(
    db: Database, case_id: str, agency_scope: str | None = None, before: str | None = None, limit: int = 100
) -> tuple[list[dict[str, Any]], str | None]:
    """The decisions made on a case, newest first, each with its reasons and packs; NotFound for
    an unknown (or another agency's) case. With `agency_scope`, only that agency's decisions: a case
    reassigned to it keeps the agency before's history, which is not its to read. Returns (page,
    the `before` of the next page)."""
    case = await db.fetchone("SELECT agency_id FROM cases WHERE case_id = :id", {"id": case_id})
    if case is None or (agency_scope is not None and case["agency_id"] != agency_scope):
        raise NotFound("case", case_id)
    rows = await db.fetchall(
        "SELECT * FROM decisions WHERE case_id = :id AND (CAST(:before AS TEXT) IS NULL OR at < :before)"
        " AND (CAST(:agency AS TEXT) IS NULL OR agency_id = :agency)"
        " ORDER BY at DESC, decision_id DESC LIMIT :limit",
        {"id": case_id, "before": before, "agency": agency_scope, "limit": limit + 1},
    )
    page = [
        {
            "decision_id": r["decision_id"],
            "at": r["at"],
            "endpoint": r["endpoint"],
            "key_id": r["key_id"],
            "agency_id": r["agency_id"],
            "channel": r["channel"],
            "to": r["to_number"],
            "party": r["party"],
            "contact_id": r["contact_id"],
            "allowed": bool(r["allowed"]),
            "reasons": json.loads(r["reasons"]),
            "packs": json.loads(r["packs"]),
            "next_allowed_at": r["next_allowed_at"],
            "attempt_id": r["attempt_id"],
        }
        for r in rows[:limit]
    ]
    return page, (page[-1]["at"] if len(rows) > limit else None)
