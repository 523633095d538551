"""Retention lock, legal hold, purge with a clock moved past retain_until, tombstones,
crypto-shredding, and the retention report."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from policies.errors import InputError
from storage.audit import Actor
from storage.backends import open_db
from storage.db import Conflict, Database, NotFound
from storage.retention import (
    REPORT_COLUMNS,
    RetentionLocked,
    purge_expired,
    report_csv,
    request_delete,
    retention_report,
    set_legal_hold,
)
from tests.pg_database import both_backends
from tests.storage.vault_helpers import T0, make_vault, put, seed, store_files

pytestmark = both_backends

ADMIN = Actor("k_admin", "admin", None, "10.0.0.9")
AFTER = T0 + timedelta(days=366)  # past retain_until of a 365-day recording made at T0


@pytest.fixture
async def db(db_target: str | Path) -> Database:
    async with open_db(db_target) as db:
        await seed(db, [("att_1", "c1", "a1"), ("att_2", "c2", "a2")])
        await seed(db, [("att_us", "c_us", "a1")], packs=["us-regf"])
        yield db  # type: ignore[misc]


async def test_purge_waits_for_retain_until_then_leaves_a_tombstone(tmp_path: Path, db: Database) -> None:
    vault = make_vault(tmp_path, db)
    await vault.open()
    rec, _ = await put(vault, b"short-lived")
    us, _ = await put(vault, b"reg f keeps me 3 years", attempt_id="att_us")
    early = await purge_expired(db, vault.store, T0 + timedelta(days=364))
    assert early["purged"] == 0
    summary = await purge_expired(db, vault.store, AFTER)
    assert summary["recording_ids"] == [rec["recording_id"]]
    assert (
        await db.fetchone("SELECT * FROM recordings WHERE recording_id = :id", {"id": rec["recording_id"]})
        is None
    )
    assert (
        await db.fetchone(
            "SELECT * FROM recording_keys WHERE recording_id = :id", {"id": rec["recording_id"]}
        )
        is None
    )
    tomb = await db.fetchone("SELECT * FROM tombstones")
    assert tomb is not None
    assert dict(tomb) == {
        "recording_id": rec["recording_id"],
        "attempt_id": "att_1",
        "case_id": "c1",
        "agency_id": "a1",
        "sha256": rec["sha256"],
        "bytes": len(b"short-lived"),
        "blob_sha256": tomb["blob_sha256"],
        "recorded_at": rec["recorded_at"],
        "retain_until": rec["retain_until"],
        "purged_at": "2027-03-02T10:00:00.000000Z",
        "job_id": summary["job_id"],
    }
    assert len(store_files(tmp_path / "recordings")) == 1  # only the Reg F recording is left
    assert len(store_files(tmp_path / "replica")) == 1
    log = await db.fetchone("SELECT * FROM access_log WHERE action = 'recording.purge'")
    assert log is not None
    assert log["role"] == "system"
    assert summary["job_id"] in log["source"]
    job = await db.fetchone("SELECT * FROM job_runs WHERE job_id = :id", {"id": summary["job_id"]})
    assert job is not None
    assert json.loads(job["summary"])["purged"] == 1
    later = await purge_expired(db, vault.store, T0 + timedelta(days=1097))
    assert later["recording_ids"] == [us["recording_id"]]
    await vault.close()


async def test_legal_hold_blocks_purge_until_lifted(tmp_path: Path, db: Database) -> None:
    vault = make_vault(tmp_path, db)
    await vault.open()
    rec, _ = await put(vault, b"disputed call")
    rid = str(rec["recording_id"])
    held = await set_legal_hold(db, rid, True, "dispute #42", ADMIN)
    assert held["legal_hold"] is True
    summary = await purge_expired(db, vault.store, AFTER)
    assert summary["purged"] == 0
    assert summary["expired_but_held"] == 1
    with pytest.raises(RetentionLocked) as err:
        await request_delete(db, vault.store, rid, ADMIN, "cleanup", None, AFTER)
    assert err.value.legal_hold
    await set_legal_hold(db, rid, False, "dispute closed", ADMIN)
    assert (await purge_expired(db, vault.store, AFTER))["purged"] == 1
    holds = await db.fetchall("SELECT action, reason, actor_key_id FROM legal_holds ORDER BY hold_id")
    assert [tuple(h) for h in holds] == [
        ("on", "dispute #42", "k_admin"),
        ("off", "dispute closed", "k_admin"),
    ]
    actions = [r["action"] for r in await db.fetchall("SELECT action FROM access_log ORDER BY seq")]
    assert actions == [
        "recording.upload",
        "recording.hold",
        "recording.delete",
        "recording.release",
        "recording.purge",
    ]
    await vault.close()


async def test_early_delete_is_refused_and_logged(tmp_path: Path, db: Database) -> None:
    vault = make_vault(tmp_path, db)
    await vault.open()
    rec, _ = await put(vault, b"evidence")
    rid = str(rec["recording_id"])
    with pytest.raises(RetentionLocked) as err:
        await request_delete(db, vault.store, rid, ADMIN, "tidy up", None, T0 + timedelta(days=10))
    assert err.value.retain_until == rec["retain_until"]
    assert not err.value.legal_hold
    assert await db.fetchone("SELECT * FROM recordings WHERE recording_id = :id", {"id": rid}) is not None
    log = await db.fetchone("SELECT * FROM access_log WHERE action = 'recording.delete'")
    assert log is not None
    assert (log["result"], log["actor_key_id"], log["reason"], log["source"]) == (
        "denied",
        "k_admin",
        "tidy up",
        "10.0.0.9",
    )
    tomb = await request_delete(db, vault.store, rid, ADMIN, "expired", None, AFTER)
    assert tomb["recording_id"] == rid
    assert tomb["job_id"].startswith("delete-")
    assert store_files(tmp_path / "recordings") == []
    with pytest.raises(NotFound):
        await request_delete(db, vault.store, rid, ADMIN, "again", None, AFTER)
    await vault.close()


async def test_other_agency_cannot_hold_or_delete(tmp_path: Path, db: Database) -> None:
    vault = make_vault(tmp_path, db)
    await vault.open()
    rec, _ = await put(vault, b"a2 evidence", attempt_id="att_2")
    rid = str(rec["recording_id"])
    bound = Actor("k_sec_a1", "security", "a1", "10.0.0.1")
    with pytest.raises(NotFound):
        await set_legal_hold(db, rid, True, "x", bound, agency_scope="a1")
    with pytest.raises(NotFound):
        await request_delete(db, vault.store, rid, bound, "x", "a1", AFTER)
    await vault.close()


async def test_a_purge_interrupted_after_deleting_files_is_finished_and_hold_refused(
    tmp_path: Path, db: Database
) -> None:
    vault = make_vault(tmp_path, db)
    await vault.open()
    rec, _ = await put(vault, b"halfway")
    rid = str(rec["recording_id"])
    await db.write(lambda conn: conn.execute("UPDATE recordings SET status = 'purging'"))
    with pytest.raises(Conflict):
        await set_legal_hold(db, rid, True, "too late", ADMIN)
    # Even before retain_until: the purge was decided (and the files may be gone) already.
    summary = await purge_expired(db, vault.store, T0 + timedelta(days=1))
    assert summary["recording_ids"] == [rid]
    await vault.close()


async def test_retention_report_per_agency_and_month(tmp_path: Path, db: Database) -> None:
    vault = make_vault(tmp_path, db)
    await vault.open()
    a, _ = await put(vault, b"x" * 100)
    await put(vault, b"y" * 50)
    await put(vault, b"z" * 7, attempt_id="att_2")
    us, _ = await put(vault, b"w" * 10, attempt_id="att_us")
    await set_legal_hold(db, str(us["recording_id"]), True, "dispute", ADMIN)
    await request_delete(db, vault.store, str(a["recording_id"]), ADMIN, "expired", None, AFTER)
    rows = await retention_report(db, T0 + timedelta(days=350))
    by_agency = {r["agency_id"]: r for r in rows}
    a1 = by_agency["a1"]
    assert (a1["month"], a1["recordings"], a1["bytes"], a1["held"], a1["purged"], a1["purged_bytes"]) == (
        "2026-03",
        2,
        60,
        1,
        1,
        100,
    )
    assert a1["next_expiry"] == "2027-03-01T10:00:00.000000Z"
    assert a1["expiring_30d"] == 1
    assert a1["replica_ok"] == 2
    assert a1["never_scrubbed"] == 2
    assert a1["last_scrubbed_at"] is None
    assert by_agency["a2"]["recordings"] == 1
    assert await retention_report(db, AFTER, agency_id="a2", month="2026-04") == []
    only = await retention_report(db, AFTER, agency_id="a2", month="2026-03")
    assert [r["agency_id"] for r in only] == ["a2"]
    csv_text = report_csv(rows)
    lines = csv_text.splitlines()
    assert lines[0] == ",".join(REPORT_COLUMNS)
    assert len(lines) == 3
    assert lines[1].startswith("a1,2026-03,2,60,")
    for bad in ("March", "2026-13", "9999-12"):
        with pytest.raises(InputError):
            await retention_report(db, AFTER, month=bad)
    await vault.close()
