"""The access log's hash chain: an edited, deleted, inserted or reordered row is found (by
editing the SQLite file directly, as an intruder would), and anchors catch a rebuilt chain."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from storage.audit import (
    GENESIS,
    Access,
    AccessFilters,
    Actor,
    append,
    chain_hash,
    list_access,
    verify,
    write_anchor,
)
from storage.backends import open_db
from storage.db import Database
from tests.pg_database import both_backends, run_as_superuser
from tests.storage.vault_helpers import T0

INSPECTOR = Actor("k_insp", "inspector", None, "10.1.1.1")


async def filled(target: str | Path, rows: int = 6) -> Database:
    db = open_db(target)
    await db.open()
    for i in range(rows):
        await append(
            db, Access(INSPECTOR, "recording.audio", "recording", f"rec_{i}", "ok", "dispute", {"n": i})
        )
    return db


def tamper(target: str | Path, *statements: str) -> None:
    """What someone with direct access to the database could do (triggers dropped or bypassed)."""
    if isinstance(target, str):
        run_as_superuser(target, "SET session_replication_role = replica", *statements)
        return
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS access_log_no_update")
    conn.execute("DROP TRIGGER IF EXISTS access_log_no_delete")
    for s in statements:
        conn.execute(s)
    conn.close()


@both_backends
async def test_a_clean_log_verifies(db_target: str | Path) -> None:
    db = await filled(db_target)
    result = await verify(db, None)
    assert result == {"ok": True, "rows": 6, "head": result["head"], "anchors": {"checked": 0, "ok": True}}
    rows = await list_access(db)
    assert rows[0]["prev_hash"] == GENESIS
    assert rows[1]["prev_hash"] == rows[0]["hash"]
    assert rows[0]["reason"] == "dispute"
    assert rows[0]["details"] == {"n": 0}
    assert result["head"] == {"seq": 6, "hash": rows[-1]["hash"]}
    await db.close()


@both_backends
async def test_the_log_refuses_updates_and_deletes(db_target: str | Path) -> None:
    db = await filled(db_target, 1)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        await db.write(lambda c: c.execute("UPDATE access_log SET reason = 'x'"))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        await db.write(lambda c: c.execute("DELETE FROM access_log"))
    await db.close()


@both_backends
@pytest.mark.parametrize(
    ("statements", "seq", "problem"),
    [
        pytest.param(
            ["UPDATE access_log SET reason = 'routine' WHERE seq = 3"], 3, "hash_mismatch", id="edited-reason"
        ),
        pytest.param(
            ["UPDATE access_log SET actor_key_id = 'k_other' WHERE seq = 4"],
            4,
            "hash_mismatch",
            id="edited-actor",
        ),
        pytest.param(["DELETE FROM access_log WHERE seq = 3"], 4, "sequence_gap", id="deleted-row"),
        pytest.param(
            [
                # swap rows 2 and 3 entirely, renumbering them so the sequence itself looks intact
                "UPDATE access_log SET seq = -2 WHERE seq = 2",
                "UPDATE access_log SET seq = 2 WHERE seq = 3",
                "UPDATE access_log SET seq = 3 WHERE seq = -2",
            ],
            2,
            "broken_link",
            id="reordered-pair",
        ),
        pytest.param(
            [
                "DELETE FROM access_log WHERE seq = 3",
                "UPDATE access_log SET seq = seq - 1 WHERE seq > 3",
            ],
            3,
            "broken_link",
            id="deleted-and-renumbered",
        ),
    ],
)
async def test_tampering_is_found_at_the_first_bad_row(
    db_target: str | Path, statements: list[str], seq: int, problem: str
) -> None:
    db = await filled(db_target)
    await db.close()
    tamper(db_target, *statements)
    db = open_db(db_target)
    await db.open()
    result = await verify(db, None)
    assert not result["ok"]
    assert result["first_bad_row"]["seq"] == seq
    assert result["first_bad_row"]["problem"] == problem
    await db.close()


@both_backends
async def test_an_inserted_row_with_a_forged_hash_breaks_the_next_link(db_target: str | Path) -> None:
    db = await filled(db_target)
    rows = await list_access(db)
    await db.close()
    # Forge a row 4 that links correctly to row 3, shifting the later rows up by one.
    forged = dict(rows[3]) | {"object_id": "rec_forged", "details": json.dumps({"n": 99})}
    forged["hash"] = chain_hash(rows[2]["hash"], forged)
    tamper(
        db_target,
        "UPDATE access_log SET seq = seq + 100 WHERE seq >= 4",
        "UPDATE access_log SET seq = seq - 99 WHERE seq >= 104",
        "INSERT INTO access_log (seq, at, actor_key_id, role, agency_id, action, object_type, object_id,"
        f" reason, source, result, details, prev_hash, hash) VALUES (4, '{forged['at']}', 'k_insp',"
        " 'inspector', NULL, 'recording.audio', 'recording', 'rec_forged', 'dispute', '10.1.1.1', 'ok',"
        f" '{forged['details']}', '{rows[2]['hash']}', '{forged['hash']}')",
    )
    db = open_db(db_target)
    await db.open()
    result = await verify(db, None)
    assert result["first_bad_row"]["seq"] == 5
    assert result["first_bad_row"]["problem"] == "broken_link"
    assert result["rows"] == 7
    await db.close()


@both_backends
async def test_two_instances_appending_at_once_keep_one_linear_chain(db_target: str | Path) -> None:
    # Two gateways on one database (two Database objects: separate connections, like two hosts).
    first, second = await filled(db_target, 0), open_db(db_target)
    await second.open()
    try:

        async def burst(db: Database, who: str) -> None:
            for i in range(40):
                await append(db, Access(INSPECTOR, "recording.audio", "recording", f"{who}_{i}", "ok"))

        await asyncio.gather(burst(first, "a"), burst(second, "b"), burst(first, "c"), burst(second, "d"))
        result = await verify(first, None)
        assert result["ok"], result
        assert result["rows"] == 160
        assert result["head"]["seq"] == 160
    finally:
        await first.close()
        await second.close()


async def test_anchors_catch_a_rebuilt_chain_and_a_truncated_log(tmp_path: Path) -> None:
    anchors = tmp_path / "audit-anchors.log"
    db = await filled(tmp_path / "cw.db")
    line = await write_anchor(db, anchors, T0)
    assert line is not None
    assert line["seq"] == 6
    assert await write_anchor(db, anchors, T0 + timedelta(minutes=1)) is None  # only when the head moved
    assert (await verify(db, anchors))["anchors"] == {"checked": 1, "ok": True}
    await db.close()
    # An intruder edits row 2 and recomputes every later hash: the chain verifies, the anchor does not.
    conn = sqlite3.connect(tmp_path / "cw.db", isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("DROP TRIGGER access_log_no_update")
    conn.execute("UPDATE access_log SET reason = 'routine' WHERE seq = 2")
    prev = conn.execute("SELECT hash FROM access_log WHERE seq = 1").fetchone()[0]
    for row in conn.execute("SELECT * FROM access_log WHERE seq >= 2 ORDER BY seq").fetchall():
        h = chain_hash(prev, row)
        conn.execute("UPDATE access_log SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, h, row["seq"]))
        prev = h
    conn.close()
    db = Database(tmp_path / "cw.db")
    await db.open()
    result = await verify(db, anchors)
    assert "first_bad_row" not in result
    assert not result["ok"]
    assert result["anchors"]["first_bad"]["problem"] == "anchor_mismatch"
    await db.close()
    tamper(tmp_path / "cw.db", "DELETE FROM access_log WHERE seq >= 5")
    db = Database(tmp_path / "cw.db")
    await db.open()
    result = await verify(db, anchors)
    assert result["anchors"]["first_bad"]["problem"] == "anchor_missing_row"
    assert anchors.stat().st_mode & 0o777 == 0o600
    await db.close()


async def test_list_filters(tmp_path: Path) -> None:
    db = await filled(tmp_path / "cw.db")
    await append(
        db, Access(Actor("k_sec", "security", None, "x"), "audit.read", "access_log", "access_log", "ok")
    )
    assert [r["seq"] for r in await list_access(db, AccessFilters(actor="k_sec"))] == [7]
    assert [r["object_id"] for r in await list_access(db, AccessFilters(object_id="rec_2"))] == ["rec_2"]
    assert len(await list_access(db, after_seq=4, limit=2)) == 2
    await db.close()


_T = "'2026-01-01T00:00:00.000000Z'"
EVIDENCE_ROWS = {
    "legal_holds": [
        "INSERT INTO legal_holds (recording_id, action, reason, actor_key_id, at)"
        f" VALUES ('rec_1', 'on', 'dispute', NULL, {_T})"
    ],
    "tombstones": [
        "INSERT INTO tombstones (recording_id, attempt_id, case_id, agency_id, sha256, bytes, blob_sha256,"
        f" recorded_at, retain_until, purged_at, job_id) VALUES ('rec_2', 'att_1', 'c1', 'a1', 'x', 1, 'y',"
        f" {_T}, {_T}, {_T}, 'job_1')"
    ],
    "flag_reviews": [
        "INSERT INTO flags (flag_id, recording_id, attempt_id, case_id, agency_id, recorded_at, category,"
        " severity, match, sentence, start_s, end_s, channel, speaker, rule, lexicon_version, confidence,"
        " source, created_at, updated_at) VALUES ('flg_1', 'rec_3', 'att_1', 'c1', 'a1',"
        f" {_T}, 'threat_violence', 'high', 'x', 'x', 0, 1, 'left', 'agent', 'en/x/y', 'en@1', 1.0,"
        f" 'lexicon', {_T}, {_T})",
        "INSERT INTO flag_reviews (flag_id, disposition, note, actor_key_id, at)"
        f" VALUES ('flg_1', 'confirmed', 'heard it', NULL, {_T})",
    ],
}


SOME_COLUMN = {"legal_holds": "reason", "tombstones": "job_id", "flag_reviews": "note"}


@both_backends
@pytest.mark.parametrize("table", sorted(EVIDENCE_ROWS))
async def test_reviews_holds_and_tombstones_refuse_updates_and_deletes(
    db_target: str | Path, table: str
) -> None:
    """Found by an adversarial probe: only the access log refused them; a review could be
    rewritten in place (the log's chain still held the original action, the table did not)."""
    db = await filled(db_target, 1)
    for insert in EVIDENCE_ROWS[table]:
        await db.write(lambda c, sql=insert: c.execute(sql))  # inserting stays possible
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        await db.write(lambda c: c.execute(f"UPDATE {table} SET {SOME_COLUMN[table]} = {SOME_COLUMN[table]}"))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        await db.write(lambda c: c.execute(f"DELETE FROM {table}"))
    row = await db.fetchone(f"SELECT count(*) AS n FROM {table}")
    assert row is not None
    assert row["n"] == 1
    await db.close()
