"""Runs of the vault's jobs (purge, scrub, replica retry, anchor): id, times and a summary."""

from __future__ import annotations

import json
import secrets
import sqlite3
from datetime import datetime
from typing import Any

from storage.db import Database, to_ts

__all__ = ["finish_job", "last_job", "new_job_id", "start_job"]


def new_job_id(kind: str, now: datetime) -> str:
    return f"{kind}-{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


async def start_job(db: Database, kind: str, now: datetime) -> str:
    job_id = new_job_id(kind, now)

    def write(conn: sqlite3.Connection) -> None:
        conn.execute(
            "INSERT INTO job_runs (job_id, kind, started_at) VALUES (:id, :kind, :at)",
            {"id": job_id, "kind": kind, "at": to_ts(now)},
        )

    await db.write(write)
    return job_id


async def finish_job(db: Database, job_id: str, now: datetime, summary: dict[str, Any]) -> None:
    def write(conn: sqlite3.Connection) -> None:
        conn.execute(
            "UPDATE job_runs SET finished_at = :at, summary = :summary WHERE job_id = :id",
            {"id": job_id, "at": to_ts(now), "summary": json.dumps(summary, sort_keys=True, default=str)},
        )

    await db.write(write)


async def last_job(db: Database, kind: str) -> dict[str, Any] | None:
    row = await db.fetchone(
        "SELECT * FROM job_runs WHERE kind = :kind AND finished_at IS NOT NULL"
        " ORDER BY started_at DESC LIMIT 1",
        {"kind": kind},
    )
    if row is None:
        return None
    return {
        "job_id": row["job_id"],
        "started_at": row["started_at"],
        "finished_at": row["finished_at"],
        "summary": json.loads(row["summary"]),
    }
