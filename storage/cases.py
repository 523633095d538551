"""Cases: outsourced accounts, their assignment and the debtor's cease requests."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime
from typing import Any

import policies
from policies.parse import case_from_json, case_ids, case_to_json, parse_id
from policies.timefmt import rfc3339
from policies.types import Case, Cease, PolicyInputError
from policies.validation import PackError
from storage.agencies import agency_from_row
from storage.db import Database, NotFound, from_ts, to_ts

__all__ = [
    "add_cease",
    "case_packs",
    "get_case",
    "load_case_sync",
    "put_case",
    "put_case_sync",
    "refusals_sync",
]


def _load(case_row: Any, agency_row: Any, ceases: list[Any]) -> Case:
    doc = json.loads(case_row["doc"])
    doc["ceases"] = [
        {
            "channels": json.loads(c["channels"]),
            "at": from_ts(c["at"]).isoformat(),
            "reason": c["reason"],
            "contact_id": c["contact_id"],
            "number": c["number"],
        }
        for c in ceases
        if c["lifted_at"] is None  # a lifted stop (START reply, 0008) stays only as evidence
    ]
    return case_from_json(doc, agency_from_row(agency_row), case_row["case_id"])


def load_case_sync(conn: sqlite3.Connection, case_id: str) -> tuple[Case, int] | None:
    """The case with its agency and ceases, and its version (for caching), or None."""
    row = conn.execute("SELECT * FROM cases WHERE case_id = :id", {"id": case_id}).fetchone()
    if row is None:
        return None
    agency = conn.execute("SELECT * FROM agencies WHERE agency_id = :id", {"id": row["agency_id"]}).fetchone()
    ceases = conn.execute(
        "SELECT * FROM ceases WHERE case_id = :id ORDER BY cease_id", {"id": case_id}
    ).fetchall()
    return _load(row, agency, ceases), row["version"] * 1_000_003 + agency["version"]


def refusals_sync(conn: sqlite3.Connection, number: str, case_id: str) -> tuple[Cease, ...]:
    """The third parties' refusals recorded for `number` on the lender's other cases. Read for each
    third-party decision, not cached with the case: another case's refusal does not change this
    case's version."""
    rows = conn.execute(
        "SELECT channels, at, contact_id, number FROM ceases WHERE number = :number"
        " AND contact_id IS NOT NULL AND lifted_at IS NULL AND case_id <> :case ORDER BY cease_id",
        {"number": number, "case": case_id},
    ).fetchall()
    return tuple(
        Cease(
            frozenset(json.loads(r["channels"])),
            from_ts(r["at"]),
            contact_id=r["contact_id"],
            number=r["number"],
            elsewhere=True,
        )
        for r in rows
    )


def case_version_sync(conn: sqlite3.Connection, case_id: str) -> int | None:
    """A number that changes whenever the case, its ceases or its agency change."""
    row = conn.execute(
        "SELECT c.version * 1000003 + a.version FROM cases c JOIN agencies a USING (agency_id)"
        " WHERE c.case_id = :id",
        {"id": case_id},
    ).fetchone()
    return None if row is None else int(row[0])


def put_case_sync(
    conn: sqlite3.Connection,
    case_id: str,
    body: dict[str, Any],
    resolve_packs: Callable[[Sequence[str]], object] = policies.load_packs,
) -> tuple[dict[str, Any], bool]:
    """Validate and store a case inside the caller's write transaction (see `put_case`)."""
    # Here, not in the API's handler: a bulk import stored ids the API refuses (`../x`, a NUL, a
    # line break), cases no request could read, update or stop again (found by a probe).
    parse_id(case_id, "case_id")
    case_ids(body)
    agency_id = body.get("agency_id")
    agency = conn.execute("SELECT * FROM agencies WHERE agency_id = :id", {"id": agency_id}).fetchone()
    if agency is None:
        raise NotFound("agency", str(agency_id))
    case = case_from_json({**body, "ceases": []}, agency_from_row(agency), case_id)
    try:
        resolve_packs(case.packs)
    except PackError as exc:  # an operator pack that does not load: refuse the case, store nothing
        raise PolicyInputError("invalid_pack", "packs", f"packs: {exc}") from exc
    doc = case_to_json(case)
    doc.pop("ceases")
    now = to_ts(datetime.now(UTC))
    params = {
        "id": case_id,
        "agency": case.agency.agency_id,
        "debtor": case.debtor_id,
        "status": case.status,
        "region": case.region,
        "doc": json.dumps(doc, ensure_ascii=False, sort_keys=True),
        "now": now,
    }
    created = conn.execute("SELECT 1 FROM cases WHERE case_id = :id", params).fetchone() is None
    conn.execute(
        "INSERT INTO cases (case_id, agency_id, debtor_id, status, region, doc, created_at, updated_at)"
        " VALUES (:id, :agency, :debtor, :status, :region, :doc, :now, :now)"
        " ON CONFLICT (case_id) DO UPDATE SET agency_id = :agency, debtor_id = :debtor,"
        " status = :status, region = :region, doc = :doc, updated_at = :now, version = cases.version + 1",
        params,
    )
    loaded = load_case_sync(conn, case_id)
    assert loaded is not None
    return case_to_json(loaded[0]), created


async def put_case(
    db: Database,
    case_id: str,
    body: dict[str, Any],
    resolve_packs: Callable[[Sequence[str]], object] = policies.load_packs,
) -> tuple[dict[str, Any], bool]:
    """Validate and store a case (create or replace). Ceases already recorded are kept.
    `resolve_packs` raises UnknownPack (400 `unknown_pack`) before anything is stored."""
    return await db.write(lambda conn: put_case_sync(conn, case_id, body, resolve_packs))


async def case_packs(db: Database, case_id: str) -> list[str]:
    """The policy packs a case names (one read: what a page that shows them needs, no more)."""
    row = await db.fetchone(
        "SELECT json_extract(doc, '$.packs') AS packs FROM cases WHERE case_id = :id", {"id": case_id}
    )
    if row is None:
        raise NotFound("case", case_id)
    return [str(p) for p in json.loads(row["packs"] or "[]")]


async def get_case(db: Database, case_id: str, agency_id: str | None = None) -> dict[str, Any]:
    """The stored case as JSON; with `agency_id`, cases of other agencies are NotFound."""
    row = await db.fetchone("SELECT * FROM cases WHERE case_id = :id", {"id": case_id})
    if row is None or (agency_id is not None and row["agency_id"] != agency_id):
        raise NotFound("case", case_id)
    agency = await db.fetchone("SELECT * FROM agencies WHERE agency_id = :id", {"id": row["agency_id"]})
    ceases = await db.fetchall("SELECT * FROM ceases WHERE case_id = :id ORDER BY cease_id", {"id": case_id})
    out = case_to_json(_load(row, agency, ceases))
    out["created_at"], out["updated_at"] = row["created_at"], row["updated_at"]
    return out


async def case_region(db: Database, case_id: str, agency_id: str | None = None) -> str | None:
    """The case's region (the default region for parsing numbers), or None if there is no such
    case (of `agency_id`, when given: another agency's case is not even looked at)."""
    row = await db.fetchone(
        "SELECT region FROM cases WHERE case_id = :id"
        " AND (CAST(:agency AS TEXT) IS NULL OR agency_id = :agency)",
        {"id": case_id, "agency": agency_id},
    )
    return None if row is None else str(row["region"])


async def add_cease(
    db: Database,
    case_id: str,
    channels: Collection[str],
    reason: str,
    contact_id: str | None,
    actor_key_id: str | None,
    agency_id: str | None = None,
) -> dict[str, Any]:
    """Record a stop request (the debtor's, or with `contact_id` a third party's refusal)."""

    def write(conn: sqlite3.Connection) -> dict[str, Any]:
        row = conn.execute("SELECT agency_id, doc FROM cases WHERE case_id = :id", {"id": case_id}).fetchone()
        if row is None or (agency_id is not None and row["agency_id"] != agency_id):
            raise NotFound("case", case_id)
        number = None
        if contact_id is not None:
            contacts = {c["contact_id"]: c.get("number") for c in json.loads(row["doc"]).get("contacts", [])}
            if contact_id not in contacts:
                raise NotFound("contact", contact_id)
            number = contacts[contact_id]  # the refusal is the person's: see `refusals_sync`
        now = datetime.now(UTC)
        conn.execute(
            "INSERT INTO ceases (case_id, channels, contact_id, reason, at, actor_key_id, number)"
            " VALUES (:id, :channels, :contact, :reason, :at, :actor, :number)",
            {
                "id": case_id,
                "channels": json.dumps(sorted(channels)),
                "contact": contact_id,
                "reason": reason,
                "at": to_ts(now),
                "actor": actor_key_id,
                "number": number,
            },
        )
        # Bumping the version invalidates cached copies of the case in every process.
        conn.execute("UPDATE cases SET version = version + 1 WHERE case_id = :id", {"id": case_id})
        return {
            "case_id": case_id,
            "channels": sorted(channels),
            "contact_id": contact_id,
            "reason": reason,
            "at": rfc3339(now),
        }

    return await db.write(write)
