"""Ingest into the vault: durable, encrypted, content-addressed, idempotent, replicated; nothing
left behind by a failed or crashed upload."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from storage.backends import open_db
from storage.blobs import BlobStore, verify_copy
from storage.crypto import rotate_master_key, seal_address
from storage.db import Database, NotFound, from_ts, migrate, to_ts
from storage.recordings import retain_until
from storage.vault import EmptyRecording, IncompleteUpload, TooLarge, Vault
from tests.pg_database import both_backends
from tests.storage.vault_helpers import T0, make_vault, put, seed, store_files, tmp_files

pytestmark = both_backends


def key_of(vault: Vault, rec: dict[str, object]) -> bytes:
    (row,) = vault.db.read_sync(
        "SELECT master_key_id, wrapped_key FROM recording_keys WHERE recording_id = :id",
        {"id": rec["recording_id"]},
    )
    kid, wrapped = row[0], row[1]
    return vault.keyring.unwrap(kid, wrapped, str(rec["recording_id"]))


@pytest.fixture
async def db(db_target: str | Path) -> Database:
    async with open_db(db_target) as db:
        await seed(db, [("att_1", "c1", "a1"), ("att_2", "c2", "a2"), ("att_3", "c3", "a1")])
        yield db  # type: ignore[misc]


async def test_ingest_stores_an_encrypted_copy_and_its_replica(tmp_path: Path, db: Database) -> None:
    vault = make_vault(tmp_path, db)
    await vault.open()
    data = b"RIFF\x00\x00WAVEfmt " + os.urandom(3_000_000) + b"the debtor said hello"
    rec, created = await put(vault, data)
    assert created
    assert len(rec["sha256"]) == 64
    assert rec["sha256"] == hashlib.sha256(data).hexdigest()
    assert rec["bytes"] == len(data)
    assert rec["replica"]["status"] == "ok"
    assert rec["status"] == "ingested"
    row = await db.fetchone("SELECT * FROM recordings")
    assert row is not None
    primary = vault.store.path(row["blob_sha256"])
    replica = vault.store.replica_path(row["blob_sha256"])
    assert replica is not None
    stored = primary.read_bytes()
    assert stored == replica.read_bytes()
    fd = os.open(primary, os.O_RDONLY)
    assert seal_address(fd) == row["blob_sha256"]  # the content address, computable without the key
    os.close(fd)
    verify_copy(replica, row["blob_sha256"], key_of(vault, rec))
    assert b"the debtor said hello" not in stored
    assert b"WAVEfmt" not in stored
    assert primary.stat().st_mode & 0o777 == 0o600
    assert tmp_files(tmp_path / "recordings") == []
    assert tmp_files(tmp_path / "replica") == []
    reader = await vault.reader(rec["recording_id"], row["blob_sha256"])  # type: ignore[arg-type]
    assert reader.read(0, len(data)) == data
    assert reader.read(len(data) - 21, len(data)) == b"the debtor said hello"
    reader.close()
    await vault.close()


async def test_same_bytes_same_attempt_is_idempotent_other_bytes_are_new(
    tmp_path: Path, db: Database
) -> None:
    vault = make_vault(tmp_path, db)
    await vault.open()
    first, created = await put(vault, b"a" * 1000)
    again, created_again = await put(vault, b"a" * 1000)
    assert created
    assert not created_again
    assert again["recording_id"] == first["recording_id"]
    other, created_other = await put(vault, b"b" * 1000)
    assert created_other
    assert other["recording_id"] != first["recording_id"]
    same_bytes_other_attempt, c = await put(vault, b"a" * 1000, attempt_id="att_3")
    assert c
    assert same_bytes_other_attempt["recording_id"] != first["recording_id"]
    assert len(store_files(tmp_path / "recordings")) == 3  # the duplicate's blob was removed
    assert len(store_files(tmp_path / "replica")) == 3
    log = await db.fetchall("SELECT result FROM access_log ORDER BY seq")
    assert [r["result"] for r in log] == ["ok", "duplicate", "ok", "ok"]
    await vault.close()


@pytest.mark.parametrize(
    ("kwargs", "data", "error"),
    [
        pytest.param({"attempt_id": "att_nope"}, b"x", NotFound, id="unknown-attempt"),
        pytest.param({"agency_scope": "a1", "attempt_id": "att_2"}, b"x", NotFound, id="other-agency"),
        pytest.param({}, b"", EmptyRecording, id="empty"),
        pytest.param({}, b"x" * 5001, TooLarge, id="too-large-while-streaming"),
        pytest.param({"expected_bytes": 10_000}, b"x" * 10, TooLarge, id="too-large-declared"),
        pytest.param({"expected_bytes": 100}, b"x" * 10, IncompleteUpload, id="incomplete"),
    ],
)
async def test_refused_uploads_leave_nothing(
    tmp_path: Path, db: Database, kwargs: dict[str, object], data: bytes, error: type[Exception]
) -> None:
    vault = make_vault(tmp_path, db, max_bytes=5000)
    await vault.open()
    with pytest.raises(error):
        await put(vault, data, **kwargs)  # type: ignore[arg-type]
    assert await db.fetchone("SELECT * FROM recordings") is None
    assert store_files(tmp_path / "recordings") == []
    assert store_files(tmp_path / "replica") == []
    assert tmp_files(tmp_path / "recordings") == []
    assert tmp_files(tmp_path / "replica") == []
    await vault.close()


async def test_retention_is_the_longest_of_default_and_packs(tmp_path: Path, db_target: str | Path) -> None:
    async with open_db(db_target) as db:
        await seed(db, [("att_us", "c_us", "a1")], packs=["us-regf", "cn-gbt45251"])
        await seed(db, [("att_none", "c_none", "a1")], packs=[])
        vault = make_vault(tmp_path, db)
        await vault.open()
        us, _ = await put(vault, b"us", attempt_id="att_us")
        plain, _ = await put(vault, b"plain", attempt_id="att_none")
        assert us["retention_days"] == 1096  # Reg F: 3 years
        assert plain["retention_days"] == 365
        assert from_ts(str(us["retain_until"])) == T0 + timedelta(days=1096)
        assert (
            us["recorded_at"] == plain["recorded_at"] == "2026-03-01T10:00:00.000000Z"
        )  # the call, not the upload
        await vault.close()


async def test_the_packs_that_decided_the_call_set_its_retention_too(
    tmp_path: Path, db_target: str | Path
) -> None:
    """A case moved from us-regf to cn-gbt45251 between the call and the upload kept its Reg F
    call for a year instead of three (found by a probe): the decision's packs count as well."""
    async with open_db(db_target) as db:
        await seed(db, [("att_moved", "c_moved", "a1")], packs=["cn-gbt45251"])
        await db.write(
            lambda conn: conn.execute(
                "INSERT INTO decisions (decision_id, at, endpoint, case_id, agency_id, channel, to_number,"
                " party, allowed, reasons, packs, attempt_id) VALUES ('dec', :at, 'authorize', 'c_moved',"
                " 'a1', 'call', '+12125550123', 'debtor', 1, '[]', :packs, 'att_moved')",
                {"at": to_ts(T0), "packs": json.dumps(["us-regf@2#sha256:" + "0" * 64])},
            )
        )
        vault = make_vault(tmp_path, db)
        await vault.open()
        rec, _ = await put(vault, b"moved", attempt_id="att_moved")
        assert rec["retention_days"] == 1096
        await vault.close()


@pytest.mark.parametrize(
    ("recorded", "days", "until"),
    [
        pytest.param("2026-03-01", 365, "2027-03-01", id="plain-year"),
        pytest.param("2027-03-01", 365, "2028-03-01", id="leap-day-inside-gets-366"),
        pytest.param("2028-02-29", 365, "2029-02-28", id="from-leap-day"),
        pytest.param("2026-03-01", 1096, "2029-03-01", id="reg-f"),
    ],
)
def test_retain_until_is_never_less_than_twelve_months(recorded: str, days: int, until: str) -> None:
    start = from_ts(recorded + "T00:00:00+00:00")
    assert retain_until(start, days).date().isoformat() == until


async def test_replica_failure_keeps_the_primary_and_the_retry_recovers(tmp_path: Path, db: Database) -> None:
    vault = make_vault(tmp_path, db)
    await vault.open()
    replica = tmp_path / "replica"
    # The replica's store cannot be written (tests run as root, so permissions would not stop it:
    # a file where the directory should be does).
    (replica / "store").rename(replica / "store.away")
    (replica / "store").write_text("not a directory")
    try:
        rec, _ = await put(vault, os.urandom(200_000))
        assert rec["replica"]["status"] == "pending"
        assert rec["replica"]["error"]
        assert len(store_files(tmp_path / "recordings")) == 1
        summary = await vault.retry_replicas(T0)
        assert summary["failed"] == 1
    finally:
        (replica / "store").unlink()
        (replica / "store.away").rename(replica / "store")
    summary = await vault.retry_replicas(T0)
    assert summary["ok"] == 1
    row = await db.fetchone("SELECT replica_status, replica_error, blob_sha256 FROM recordings")
    assert row is not None
    assert row["replica_status"] == "ok"
    assert row["replica_error"] is None
    rp = vault.store.replica_path(row["blob_sha256"])
    assert rp is not None
    assert rp.read_bytes() == vault.store.path(row["blob_sha256"]).read_bytes()
    await vault.close()


async def test_a_missing_replica_folder_is_never_created_and_does_not_stop_ingest(
    tmp_path: Path, db: Database
) -> None:
    vault = make_vault(tmp_path, db)
    (tmp_path / "replica").rmdir()  # the replica disk is not mounted
    await vault.open()
    rec, created = await put(vault, b"evidence")
    assert created
    assert rec["replica"]["status"] == "pending"
    assert "not mounted" in str(rec["replica"]["error"])
    assert not (tmp_path / "replica").exists()  # no "backup" silently written to the primary disk
    (tmp_path / "replica").mkdir()  # mounted again
    assert (await vault.retry_replicas(T0))["ok"] == 1
    await vault.close()


async def test_no_replica_configured_is_disabled(tmp_path: Path, db: Database) -> None:
    vault = make_vault(tmp_path, db, replica=False)
    await vault.open()
    rec, _ = await put(vault, b"evidence")
    assert rec["replica"]["status"] == "disabled"
    assert (await vault.retry_replicas(T0))["retried"] == 0
    await vault.close()


async def test_rotated_master_key_new_recordings_use_it_old_ones_stay_readable(
    tmp_path: Path, db: Database
) -> None:
    vault = make_vault(tmp_path, db)
    await vault.open()
    old, _ = await put(vault, b"old recording")
    rotate_master_key(tmp_path / "master.key")
    new, _ = await put(vault, b"new recording", attempt_id="att_3")
    keys = {r["recording_id"]: r["master_key_id"] for r in await db.fetchall("SELECT * FROM recording_keys")}
    assert keys == {old["recording_id"]: "mk1", new["recording_id"]: "mk2"}
    for rec, data in ((old, b"old recording"), (new, b"new recording")):
        row = await db.fetchone(
            "SELECT blob_sha256 FROM recordings WHERE recording_id = :id", {"id": rec["recording_id"]}
        )
        assert row is not None
        reader = await vault.reader(str(rec["recording_id"]), row["blob_sha256"])
        assert reader.read(0, len(data)) == data
        reader.close()
    await vault.close()


async def test_primary_damage_is_read_around_from_the_replica(tmp_path: Path, db: Database) -> None:
    vault = make_vault(tmp_path, db)
    await vault.open()
    data = os.urandom(300_000)
    rec, _ = await put(vault, data)
    row = await db.fetchone("SELECT blob_sha256 FROM recordings")
    assert row is not None
    primary = vault.store.path(row["blob_sha256"])
    raw = bytearray(primary.read_bytes())
    raw[100_000] ^= 0xFF
    os.chmod(primary, 0o600)
    primary.write_bytes(bytes(raw))
    reader = await vault.reader(str(rec["recording_id"]), row["blob_sha256"])
    assert reader.read(0, len(data)) == data
    assert reader.fell_back
    reader.close()
    await vault.close()


def _crash_between_publish_and_commit(tmp_path: Path, store: BlobStore) -> tuple[str, Path]:
    """What a process killed after linking its blob into the store, before the DB row, leaves:
    a dead work dir whose tmp file is also the published store file, and the replica copy."""
    w = store.writer(os.urandom(32))
    w.write(os.urandom(100_000))
    sealed = w.finish()
    store.abandon()  # the process dies: its work-dir locks go, its files stay
    return sealed.blob_sha256, w.tmp


async def test_recovery_removes_a_published_blob_without_a_row(tmp_path: Path, db: Database) -> None:
    vault = make_vault(tmp_path, db)
    await vault.open()
    kept, _ = await put(vault, b"kept")
    blob_sha, tmp = _crash_between_publish_and_commit(tmp_path, vault.store)
    assert vault.store.path(blob_sha).exists()
    assert tmp.exists()
    assert tmp.stat().st_nlink == 2
    rp = vault.store.replica_path(blob_sha)
    assert rp is not None
    assert rp.exists()
    # A live process's work dir (this second store's) is left alone by the recovery.
    other = BlobStore(tmp_path / "recordings", tmp_path / "replica")
    other.open()
    live = other._work.new_path(".part")  # a live process's upload
    live.write_bytes(b"in flight")
    restarted = make_vault(tmp_path, db)
    report = await restarted.open()
    assert report.removed_unrecorded_blobs == [blob_sha]
    assert not vault.store.path(blob_sha).exists()
    assert not rp.exists()
    assert not tmp.exists()
    assert live.exists()
    assert len(store_files(tmp_path / "recordings")) == 1
    row = await db.fetchone("SELECT recording_id FROM recordings")
    assert row is not None
    assert row["recording_id"] == kept["recording_id"]
    other.close()
    await restarted.close()


def test_a_database_at_version_1_gains_the_vault_tables(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    migrate(conn, upto=1)
    conn.execute(
        "INSERT INTO agencies (agency_id, name, status, created_at, updated_at)"
        " VALUES ('a1', 'A', 'active', 'x', 'x')"
    )
    applied = migrate(conn)
    assert "0002_recordings.sql" in applied
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {
        "recordings",
        "recording_keys",
        "legal_holds",
        "tombstones",
        "access_log",
        "scrub_findings",
    } <= tables
    assert conn.execute("SELECT COUNT(*) FROM agencies").fetchone()[0] == 1
    conn.close()
