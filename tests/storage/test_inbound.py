"""Migration 0006 on a database made by the previous version (0001–0004), and the history the
decision writer reads: reserved attempts (with the contact's relation) plus inbound conversations."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from policies.types import ContactRequest
from storage.attempts import history_sync
from storage.db import Database, migrate, to_ts
from storage.inbound import record_inbound

T0 = "2026-01-01T00:00:00.000000Z"


def _old_database(path: Path, at: datetime) -> None:
    """A database as the previous release left it: migrations up to 0004, one case and attempt."""
    conn = sqlite3.connect(path, isolation_level=None)
    assert [name[:4] for name in migrate(conn, upto=4)] == ["0001", "0002", "0003", "0004"]
    conn.execute(
        "INSERT INTO agencies (agency_id, name, status, created_at, updated_at)"
        " VALUES ('a1', 'A', 'active', :t, :t)",
        {"t": T0},
    )
    conn.execute(
        "INSERT INTO cases (case_id, agency_id, debtor_id, status, region, doc, created_at, updated_at)"
        " VALUES ('c1', 'a1', 'd1', 'active', 'US', '{}', :t, :t)",
        {"t": T0},
    )
    conn.execute(
        "INSERT INTO attempts (attempt_id, decision_id, case_id, debtor_id, agency_id, channel, to_number,"
        " party, contact_id, at, result, spoke_with) VALUES ('att_old', 'dec_old', 'c1', 'd1', 'a1', 'call',"
        " '+12125550177', 'third_party', 'k1', :at, 'no_answer', 'none')",
        {"at": to_ts(at)},
    )
    conn.execute(
        "INSERT INTO decisions (decision_id, at, endpoint, case_id, agency_id, channel, to_number, party,"
        " allowed, reasons, packs) VALUES ('dec_old', :at, 'authorize', 'c1', 'a1', 'call', '+12125550177',"
        " 'third_party', 1, '[]', '[\"us-regf@1\"]')",
        {"at": to_ts(at)},
    )
    conn.close()


async def test_upgrade_keeps_rows_and_history_gains_inbound_conversations(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    now = datetime.now(UTC)
    _old_database(path, now - timedelta(hours=2))
    async with Database(path) as db:
        names = [r["name"] for r in await db.fetchall("SELECT name FROM schema_migrations ORDER BY version")]
        assert "0006_regulatory.sql" in names
        assert names == sorted(names)
        old = await db.fetchone(
            "SELECT relation, packs, notes FROM decisions d JOIN attempts a USING (decision_id)"
        )
        assert old is not None
        assert (old["relation"], old["packs"], old["notes"]) == (
            None,
            '["us-regf@1"]',
            None,
        )

        stored = await record_inbound(
            db,
            "c1",
            "call",
            "+12125550123",
            now - timedelta(hours=1),
            now - timedelta(minutes=55),
            "key1",
            "a1",
        )
        assert stored["agency_id"] == "a1"
        assert stored["ended_at"] is not None

        request = ContactRequest("c1", "a1", "+12125550123", "call")
        history = await db.run_on_writer(
            lambda conn: history_sync(conn, request, "d1", now - timedelta(days=8), False, False)
        )
        assert [(a.attempt_id, a.direction, a.relation) for a in history] == [
            ("att_old", "outbound", None),
            (stored["inbound_id"], "inbound", None),
        ]
        inbound = history[1]
        assert (inbound.result, inbound.spoke_with, inbound.is_conversation) == ("connected", "debtor", True)
        assert inbound.started_at == now - timedelta(hours=1)
        assert inbound.to == "+12125550123"
        # Outside the horizon it is not read.
        later = await db.run_on_writer(
            lambda conn: history_sync(conn, request, "d1", now - timedelta(minutes=30), False, False)
        )
        assert later == []
