"""The scrub finds a flipped byte or a missing copy, heals it from the good copy, records every
finding, and reports orphans and copies it cannot heal."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from storage.backends import open_db
from storage.db import Database
from storage.scrub import Throttle, scrub
from storage.vault import Vault
from tests.pg_database import both_backends
from tests.storage.vault_helpers import T0, make_vault, put, seed, write_master_key

pytestmark = both_backends


@pytest.fixture
async def db(db_target: str | Path) -> Database:
    async with open_db(db_target) as db:
        await seed(db, [("att_1", "c1", "a1"), ("att_2", "c2", "a1")])
        yield db  # type: ignore[misc]


async def stored(vault: Vault, db: Database, data: bytes, attempt: str = "att_1") -> tuple[str, Path, Path]:
    rec, _ = await put(vault, data, attempt_id=attempt)
    row = await db.fetchone(
        "SELECT blob_sha256 FROM recordings WHERE recording_id = :id", {"id": rec["recording_id"]}
    )
    assert row is not None
    rp = vault.store.replica_path(row["blob_sha256"])
    assert rp is not None
    return str(rec["recording_id"]), vault.store.path(row["blob_sha256"]), rp


def flip(path: Path, offset: int) -> None:
    raw = bytearray(path.read_bytes())
    raw[offset] ^= 0x01
    path.write_bytes(bytes(raw))


async def findings(db: Database) -> list[tuple[str, str, str]]:
    rows = await db.fetchall("SELECT copy, problem, action FROM scrub_findings ORDER BY finding_id")
    return [tuple(r) for r in rows]  # type: ignore[misc]


@pytest.mark.parametrize("copy", ["primary", "replica"])
async def test_a_flipped_byte_is_found_and_healed_from_the_other_copy(
    tmp_path: Path, db: Database, copy: str
) -> None:
    vault = make_vault(tmp_path, db)
    await vault.open()
    rid, primary, replica = await stored(vault, db, os.urandom(500_000))
    good = primary.read_bytes()
    flip(primary if copy == "primary" else replica, 200_000)
    summary = await scrub(db, vault.store, vault.keyring, T0, deep=True)
    assert (summary["checked"], summary["healed"], summary["bad"]) == (1, 1, 0)
    assert await findings(db) == [(copy, "corrupt", "healed")]
    assert primary.read_bytes() == good
    assert replica.read_bytes() == good
    row = await db.fetchone(
        "SELECT scrub_status, scrubbed_at FROM recordings WHERE recording_id = :id", {"id": rid}
    )
    assert row is not None
    assert row["scrub_status"] == "healed"
    assert row["scrubbed_at"].startswith("2026-03-01")
    again = await scrub(db, vault.store, vault.keyring, T0)
    assert (again["ok"], again["healed"]) == (1, 0)
    await vault.close()


async def test_a_missing_primary_is_restored_and_both_bad_is_reported(tmp_path: Path, db: Database) -> None:
    vault = make_vault(tmp_path, db)
    await vault.open()
    _, primary, replica = await stored(vault, db, b"first")
    rid2, primary2, replica2 = await stored(vault, db, b"second", "att_2")
    primary.unlink()
    flip(primary2, 30)
    flip(replica2, 30)
    summary = await scrub(db, vault.store, vault.keyring, T0)
    assert (summary["healed"], summary["bad"]) == (1, 1)
    assert primary.read_bytes() == replica.read_bytes()
    got = {(f["recording_id"], f["copy"], f["problem"], f["action"]) for f in summary["findings"]}
    assert (rid2, "primary", "corrupt", "none") in got
    assert (
        rid2,
        "replica",
        "corrupt",
        "none",
    ) in got
    row = await db.fetchone("SELECT scrub_status FROM recordings WHERE recording_id = :id", {"id": rid2})
    assert row is not None
    assert row["scrub_status"] == "bad"
    await vault.close()


async def test_a_master_key_that_no_longer_opens_the_data_key_is_a_finding(
    tmp_path: Path, db: Database
) -> None:
    vault = make_vault(tmp_path, db)
    await vault.open()
    _, primary, _ = await stored(vault, db, b"needs its key")
    write_master_key(tmp_path / "master.key")  # the wrong key file was restored
    summary = await scrub(db, vault.store, vault.keyring, T0, deep=True)
    assert summary["bad"] == 1
    assert [f["problem"] for f in summary["findings"]] == ["key_unavailable"]
    # Without the key the header and tags are still checked: a flipped tag byte is found (not healed).
    flip(primary, primary.stat().st_size - 3)
    summary = await scrub(db, vault.store, vault.keyring, T0)
    assert [(f["copy"], f["problem"], f["action"]) for f in summary["findings"]] == [
        ("primary", "corrupt", "none"),
        ("primary", "key_unavailable", "none"),
    ]
    await vault.close()


async def test_orphans_are_reported_never_deleted(tmp_path: Path, db: Database) -> None:
    vault = make_vault(tmp_path, db)
    await vault.open()
    await stored(vault, db, b"known")
    orphan = vault.store.path("ab" + "0" * 62)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"left over")
    young = vault.store.path("ab" + "1" * 62)
    young.write_bytes(b"an upload in flight")
    old = time.time() - 7200
    os.utime(orphan, (old, old))
    summary = await scrub(db, vault.store, vault.keyring, T0)
    assert summary["orphans"] == 1
    assert orphan.exists()
    assert young.exists()
    assert await findings(db) == [("primary", "orphan", "none")]
    await vault.close()


def test_throttle_keeps_the_rate() -> None:
    t = Throttle(10e6)
    start = time.monotonic()
    for _ in range(5):
        t(1_000_000)
    assert time.monotonic() - start >= 0.45
    unlimited = Throttle(0)
    start = time.monotonic()
    unlimited(10**9)
    assert time.monotonic() - start < 0.05
