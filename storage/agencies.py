"""Agencies: the collection agencies working for the lender."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from typing import Any

from policies.parse import parse_agency_name, parse_id
from policies.types import Agency
from storage.db import Database, NotFound, to_ts

__all__ = ["agency_from_row", "agency_ids", "agency_to_json", "get_agency", "put_agency"]


def agency_from_row(row: Any) -> Agency:
    """An agencies row (from either connection) as the policies' Agency."""
    start, end = row["contract_start"], row["contract_end"]
    return Agency(
        agency_id=row["agency_id"],
        status=row["status"],
        contract_start=date.fromisoformat(start) if start else None,
        contract_end=date.fromisoformat(end) if end else None,
    )


def agency_to_json(row: Any) -> dict[str, Any]:
    return {
        "agency_id": row["agency_id"],
        "name": row["name"],
        "status": row["status"],
        "contract_start": row["contract_start"],
        "contract_end": row["contract_end"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


async def put_agency(db: Database, agency: Agency, name: str) -> tuple[dict[str, Any], bool]:
    """Create or replace an agency; returns (stored JSON, created?). The id and name are checked
    here, where every way in (the API, the console, a migration) passes."""
    parse_id(agency.agency_id, "agency_id")
    parse_agency_name(name)

    def write(conn: sqlite3.Connection) -> tuple[dict[str, Any], bool]:
        now = to_ts(datetime.now(UTC))
        params = {
            "id": agency.agency_id,
            "name": name,
            "status": agency.status,
            "start": agency.contract_start.isoformat() if agency.contract_start else None,
            "end": agency.contract_end.isoformat() if agency.contract_end else None,
            "now": now,
        }
        created = conn.execute("SELECT 1 FROM agencies WHERE agency_id = :id", params).fetchone() is None
        conn.execute(
            "INSERT INTO agencies (agency_id, name, status, contract_start, contract_end,"
            " created_at, updated_at) VALUES (:id, :name, :status, :start, :end, :now, :now)"
            " ON CONFLICT (agency_id) DO UPDATE SET name = :name, status = :status,"
            " contract_start = :start, contract_end = :end, updated_at = :now,"
            " version = agencies.version + 1",
            params,
        )
        row = conn.execute("SELECT * FROM agencies WHERE agency_id = :id", params).fetchone()
        return agency_to_json(row), created

    return await db.write(write)


async def get_agency(db: Database, agency_id: str) -> dict[str, Any]:
    row = await db.fetchone("SELECT * FROM agencies WHERE agency_id = :id", {"id": agency_id})
    if row is None:
        raise NotFound("agency", agency_id)
    return agency_to_json(row)


async def agency_ids(db: Database, agency_id: str | None = None) -> list[str]:
    """Every agency's id in order, or just `agency_id` when it exists (else none)."""
    rows = await db.fetchall(
        "SELECT agency_id FROM agencies WHERE CAST(:id AS TEXT) IS NULL OR agency_id = :id ORDER BY 1",
        {"id": agency_id},
    )
    return [str(r["agency_id"]) for r in rows]
