"""The store's legal holds kept in step with the rows (an S3 legal hold on every version in both
buckets: a backstop the database cannot lift by itself)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from storage.db import Database
from storage.store import RecordingStore

__all__ = ["sync_store_holds"]


async def sync_store_holds(
    db: Database,
    store: RecordingStore,
    *,
    recording_ids: Sequence[str] = (),
    case_id: str | None = None,
) -> None:
    """Make the store's legal hold on each recording (those named, or every one of the case) say
    what its row says. It runs as a write, so two changes racing (a hold and a lift from two
    instances) end with the store as the row that won: the lift used to set the objects' hold
    OFF after a hold committed between its write and its call (found by a probe)."""

    if store.kind == "local":  # the hold lives in the database only: nothing to set
        return

    def write(conn: sqlite3.Connection) -> None:
        sql = "SELECT blob_sha256, legal_hold FROM recordings WHERE status = 'ingested' AND "
        rows = (
            conn.execute(sql + "case_id = :case", {"case": case_id}).fetchall()
            if case_id is not None
            else [
                r
                for rid in recording_ids
                for r in conn.execute(sql + "recording_id = :id", {"id": rid}).fetchall()
            ]
        )
        for r in rows:
            store.set_legal_hold(r["blob_sha256"], bool(r["legal_hold"]))

    await db.write(write)
