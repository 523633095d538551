"""The S3 store on a real S3 server (SeaweedFS, started by the fixture): Object Lock in COMPLIANCE
mode enforced by the server, legal holds, purge and crypto-shredding, scrub and healing, replica
retry, duplicates, recovery. Where the point is what the *server* refuses, the test calls the S3
API directly with its own client, past every check callwarden makes.

Short retention: each attempt is seeded as a call that took place 365 days minus a few seconds ago,
so the real rule (365 days, at least 12 calendar months) ends its retention seconds from now; S3
takes any future retain-until date (SeaweedFS refuses a past one), so nothing is shortened."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from storage.audit import Actor
from storage.backends import open_db
from storage.complaints import resolve_complaint
from storage.crypto import MAGIC
from storage.db import Database, from_ts
from storage.objectstore import S3BlobStore
from storage.retention import hold_history, purge_expired, set_legal_hold
from storage.scrub import scrub
from storage.store import ObjectLock, StoreLocked, StoreMisconfigured
from storage.supervision import add_complaint
from storage.vault import Vault
from tests.pg_database import both_backends
from tests.s3_server import SeaweedS3
from tests.storage.s3_helpers import make_s3_vault, retain_until_of, seed_expiring, versions, wait_until
from tests.storage.vault_helpers import T0, put, seed

pytestmark = [pytest.mark.slow, both_backends]

ADMIN = Actor("k_admin", "admin", None, "127.0.0.1")
AUDIO = b"RIFF-plaintext-marker-" + os.urandom(200_000) + b"-end-of-call"


@pytest.fixture
async def db(db_target: str | Path) -> Any:
    async with open_db(db_target) as database:
        yield database


def store_of(vault: Vault) -> S3BlobStore:
    assert isinstance(vault.store, S3BlobStore)
    return vault.store


def whole_seconds(at: datetime) -> datetime:
    return at.replace(microsecond=0) + timedelta(seconds=1) if at.microsecond else at


def denied(call: Any) -> str:
    """Run a direct S3 call that must be refused; the server's error code."""
    with pytest.raises(ClientError) as info:
        call()
    return str(info.value.response["Error"]["Code"])


async def test_objects_are_ciphertext_locked_in_compliance_mode_until_retain_until(
    tmp_path: Path, db: Database, s3: SeaweedS3
) -> None:
    await seed(db)
    vault = make_s3_vault(tmp_path, db, s3)
    await vault.open()
    rec, created = await put(vault, AUDIO)
    assert created
    assert rec["replica"]["status"] == "ok"
    store, client = store_of(vault), s3.client()
    key = store.key(str((await db.fetchone("SELECT blob_sha256 FROM recordings"))["blob_sha256"]))
    until = whole_seconds(retain_until_of(rec))
    assert until > datetime.now(UTC) + timedelta(days=60)  # the call was on T0: a year's lock
    for bucket in ("cw-primary", "cw-replica"):
        head = client.head_object(Bucket=bucket, Key=key)
        assert head["ObjectLockMode"] == "COMPLIANCE"
        assert head["ObjectLockRetainUntilDate"] == until
        assert head.get("ObjectLockLegalHoldStatus", "OFF") == "OFF"
        body = client.get_object(Bucket=bucket, Key=key)["Body"].read()
        # The object store holds the sealed format: never the plaintext, not even a piece of it.
        assert body.startswith(MAGIC)
        assert b"plaintext-marker" not in body
        assert b"end-of-call" not in body
        assert len(body) > len(AUDIO)
        # Shortening the lock or switching it to GOVERNANCE is refused by the server.
        vid = head["VersionId"]
        shorter = {"Mode": "COMPLIANCE", "RetainUntilDate": datetime.now(UTC) + timedelta(days=1)}
        assert (
            denied(
                lambda b=bucket, v=vid, r=shorter: client.put_object_retention(
                    Bucket=b, Key=key, VersionId=v, Retention=r
                )
            )
            == "AccessDenied"
        )
    row = await db.fetchone("SELECT blob_sha256 FROM recordings")
    assert row is not None
    reader = await vault.reader(str(rec["recording_id"]), str(row["blob_sha256"]))
    assert reader.size == len(AUDIO)
    assert reader.read(0, len(AUDIO)) == AUDIO
    assert reader.read(70_000, 140_001) == AUDIO[70_000:140_001]  # a range across segments
    await vault.close()


async def test_an_early_delete_is_refused_by_the_server_itself(
    tmp_path: Path, db: Database, s3: SeaweedS3
) -> None:
    await seed_expiring(db, "att_early", 30)
    vault = make_s3_vault(tmp_path, db, s3)
    await vault.open()
    rec, _ = await put(vault, AUDIO, attempt_id="att_early")
    store, client = store_of(vault), s3.client()
    sha = str((await db.fetchone("SELECT blob_sha256 FROM recordings"))["blob_sha256"])
    key = store.key(sha)
    for bucket in ("cw-primary", "cw-replica"):
        [version] = versions(s3, bucket, key)
        vid = version["VersionId"]
        # Straight to the S3 API, no callwarden code in between: the server says no, also when
        # asked to bypass governance retention, and also in a batch delete.
        assert (
            denied(lambda b=bucket, v=vid: client.delete_object(Bucket=b, Key=key, VersionId=v))
            == "AccessDenied"
        )
        assert (
            denied(
                lambda b=bucket, v=vid: client.delete_object(
                    Bucket=b, Key=key, VersionId=v, BypassGovernanceRetention=True
                )
            )
            == "AccessDenied"
        )
        batch = client.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": key, "VersionId": vid}]})
        assert not batch.get("Deleted")
        assert batch["Errors"][0]["Code"] == "AccessDenied"
        assert client.get_object(Bucket=bucket, Key=key, VersionId=vid)["Body"].read().startswith(MAGIC)
    # callwarden's own delete meets the same refusal, and says why (read back from the server).
    with pytest.raises(StoreLocked) as info:
        store.delete(sha)
    assert info.value.retain_until is not None
    assert not info.value.legal_hold
    assert len(versions(s3, "cw-primary", key)) == 1
    assert rec["retain_until"]
    await vault.close()


async def test_legal_hold_blocks_delete_after_retain_until_then_purge_shreds(
    tmp_path: Path, db: Database, s3: SeaweedS3
) -> None:
    await seed_expiring(db, "att_hold", 4)
    vault = make_s3_vault(tmp_path, db, s3)
    await vault.open()
    rec, _ = await put(vault, AUDIO, attempt_id="att_hold")
    rid = str(rec["recording_id"])
    store, client = store_of(vault), s3.client()
    sha = str((await db.fetchone("SELECT blob_sha256 FROM recordings"))["blob_sha256"])
    key = store.key(sha)
    held = await set_legal_hold(db, rid, True, "dispute 42", ADMIN, store=store)
    assert held["legal_hold"] is True
    for bucket in ("cw-primary", "cw-replica"):
        [v] = versions(s3, bucket, key)
        status = client.get_object_legal_hold(Bucket=bucket, Key=key, VersionId=v["VersionId"])
        assert status["LegalHold"]["Status"] == "ON"
    wait_until(whole_seconds(retain_until_of(rec)))
    # Past retain-until, the hold alone still stops the server from deleting it.
    for bucket in ("cw-primary", "cw-replica"):
        [v] = versions(s3, bucket, key)
        assert (
            denied(
                lambda b=bucket, vid=v["VersionId"]: client.delete_object(Bucket=b, Key=key, VersionId=vid)
            )
            == "AccessDenied"
        )
    summary = await purge_expired(db, store, datetime.now(UTC))
    assert summary["purged"] == 0
    assert summary["expired_but_held"] == 1
    await set_legal_hold(db, rid, False, "dispute settled", ADMIN, store=store)
    for bucket in ("cw-primary", "cw-replica"):
        [v] = versions(s3, bucket, key)
        assert (
            client.get_object_legal_hold(Bucket=bucket, Key=key, VersionId=v["VersionId"])["LegalHold"][
                "Status"
            ]
            == "OFF"
        )
    summary = await purge_expired(db, store, datetime.now(UTC))
    assert summary["recording_ids"] == [rid]
    assert versions(s3, "cw-primary", key) == []
    assert versions(s3, "cw-replica", key) == []
    # Crypto-shredded: the wrapped data key is gone with the row; the tombstone stays.
    assert await db.fetchone("SELECT 1 FROM recording_keys WHERE recording_id = :id", {"id": rid}) is None
    tomb = await db.fetchone("SELECT * FROM tombstones WHERE recording_id = :id", {"id": rid})
    assert tomb is not None
    assert tomb["sha256"] == rec["sha256"]
    await vault.close()


async def test_purge_after_retain_until_removes_every_version_and_marker(
    tmp_path: Path, db: Database, s3: SeaweedS3
) -> None:
    await seed_expiring(db, "att_purge", 4)
    vault = make_s3_vault(tmp_path, db, s3)
    await vault.open()
    rec, _ = await put(vault, AUDIO, attempt_id="att_purge")
    store, client = store_of(vault), s3.client()
    sha = str((await db.fetchone("SELECT blob_sha256 FROM recordings"))["blob_sha256"])
    key = store.key(sha)
    # A plain DELETE (no version) is allowed by S3 even under a lock: it only adds a delete marker
    # that hides the object. The purge must remove the marker and the version behind it.
    client.delete_object(Bucket="cw-replica", Key=key)
    assert [v["marker"] for v in versions(s3, "cw-replica", key)].count(True) == 1
    early = await purge_expired(db, store, datetime.now(UTC))
    assert early["purged"] == 0  # callwarden's own lock (the row's retain_until) comes first
    wait_until(whole_seconds(retain_until_of(rec)))
    summary = await purge_expired(db, store, datetime.now(UTC))
    assert summary["purged"] == 1
    assert summary["store_refused"] == []
    assert versions(s3, "cw-primary", key) == []
    assert versions(s3, "cw-replica", key) == []
    assert await db.fetchone("SELECT 1 FROM recording_keys") is None
    assert await db.fetchone("SELECT 1 FROM recordings") is None
    await vault.close()


async def test_a_hold_placed_in_the_bucket_itself_is_obeyed(
    tmp_path: Path, db: Database, s3: SeaweedS3
) -> None:
    await seed_expiring(db, "att_bucket_hold", 3)
    vault = make_s3_vault(tmp_path, db, s3, replica=False)
    await vault.open()
    rec, _ = await put(vault, AUDIO, attempt_id="att_bucket_hold")
    store, client = store_of(vault), s3.client()
    sha = str((await db.fetchone("SELECT blob_sha256 FROM recordings"))["blob_sha256"])
    key = store.key(sha)
    [v] = versions(s3, "cw-primary", key)
    # A legal team holds it in the bucket directly; callwarden's row knows nothing of it.
    client.put_object_legal_hold(
        Bucket="cw-primary", Key=key, VersionId=v["VersionId"], LegalHold={"Status": "ON"}
    )
    wait_until(whole_seconds(retain_until_of(rec)))
    summary = await purge_expired(db, store, datetime.now(UTC))
    assert summary["purged"] == 0
    [refused] = summary["store_refused"]
    assert refused["code"] == "store_locked"
    assert "legal hold" in refused["error"]
    row = await db.fetchone("SELECT status FROM recordings")
    assert row is not None
    assert row["status"] == "ingested"
    assert await db.fetchone("SELECT 1 FROM recording_keys") is not None
    client.put_object_legal_hold(
        Bucket="cw-primary", Key=key, VersionId=v["VersionId"], LegalHold={"Status": "OFF"}
    )
    assert (await purge_expired(db, store, datetime.now(UTC)))["purged"] == 1
    assert versions(s3, "cw-primary", key) == []
    await vault.close()


async def _two_recordings(
    tmp_path: Path, db: Database, s3: SeaweedS3, first: str, second: str
) -> tuple[Vault, tuple[dict[str, Any], dict[str, Any]], dict[str, str]]:
    """An open vault with two recordings of case c1 (AUDIO, and AUDIO + `second`'s name), and
    each recording's content address."""
    await seed(db, [(f"att_{first}", "c1", "a1"), (f"att_{second}", "c1", "a1")])
    vault = make_s3_vault(tmp_path, db, s3)
    await vault.open()
    one, _ = await put(vault, AUDIO, attempt_id=f"att_{first}")
    two, _ = await put(vault, AUDIO + second.encode(), attempt_id=f"att_{second}")
    shas = {
        str(r["recording_id"]): str(r["blob_sha256"])
        for r in await db.fetchall("SELECT recording_id, blob_sha256 FROM recordings")
    }
    return vault, (one, two), shas


async def test_reads_fall_back_to_the_replica_and_the_scrub_heals_both_ways(
    tmp_path: Path, db: Database, s3: SeaweedS3
) -> None:
    vault, (a, b), shas = await _two_recordings(tmp_path, db, s3, "a", "b")
    store, client = store_of(vault), s3.client()
    key_a, key_b = store.key(shas[a["recording_id"]]), store.key(shas[b["recording_id"]])
    # The locked version cannot be changed, but anyone with write access can put a newer version
    # over the key (what a GET returns) or hide it behind a delete marker.
    good = client.get_object(Bucket="cw-primary", Key=key_a)["Body"].read()
    client.put_object(Bucket="cw-primary", Key=key_a, Body=good[:-1] + bytes([good[-1] ^ 1]))
    client.delete_object(Bucket="cw-replica", Key=key_b)
    reader = await vault.reader(str(a["recording_id"]), shas[a["recording_id"]])
    assert reader.read(0, len(AUDIO)) == AUDIO
    assert reader.fell_back
    summary = await scrub(db, store, vault.keyring, T0, deep=True, orphans=False)
    assert summary["healed"] == 2, summary
    assert summary["bad"] == 0, summary
    problems = {(f["recording_id"], f["copy"], f["problem"], f["action"]) for f in summary["findings"]}
    assert problems == {
        (a["recording_id"], "primary", "corrupt", "healed"),
        (b["recording_id"], "replica", "missing", "healed"),
    }
    # The healed copies are new versions, locked like the first ones.
    for bucket, key, rec in (("cw-primary", key_a, a), ("cw-replica", key_b, b)):
        head = client.head_object(Bucket=bucket, Key=key)
        assert head["ObjectLockMode"] == "COMPLIANCE"
        assert head["ObjectLockRetainUntilDate"] == whole_seconds(retain_until_of(rec))
    again = await scrub(db, store, vault.keyring, T0, orphans=False)
    assert again["ok"] == 2
    assert again["healed"] == 0
    reader = await vault.reader(str(a["recording_id"]), shas[a["recording_id"]])
    assert reader.read(0, len(AUDIO)) == AUDIO
    assert not reader.fell_back
    await vault.close()


async def test_a_missing_replica_bucket_leaves_the_replica_pending_until_the_retry(
    tmp_path: Path, db: Database, s3: SeaweedS3
) -> None:
    await seed(db)
    bucket = f"cw-late-{os.urandom(4).hex()}"
    vault = make_s3_vault(tmp_path, db, s3, replica_bucket=bucket)
    await vault.open()
    rec, created = await put(vault, AUDIO)
    assert created
    assert rec["replica"]["status"] == "pending"
    assert "does not exist" in str(rec["replica"]["error"])
    s3.client().create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    summary = await vault.retry_replicas(datetime.now(UTC))
    assert summary["ok"] == 1, summary
    row = await db.fetchone("SELECT replica_status, blob_sha256 FROM recordings")
    assert row is not None
    assert row["replica_status"] == "ok"
    head = s3.client().head_object(Bucket=bucket, Key=store_of(vault).key(row["blob_sha256"]))
    assert head["ObjectLockMode"] == "COMPLIANCE"
    await vault.close()


async def test_a_retried_upload_stores_nothing_twice(tmp_path: Path, db: Database, s3: SeaweedS3) -> None:
    await seed(db)
    vault = make_s3_vault(tmp_path, db, s3, replica=False)
    await vault.open()
    first, created = await put(vault, AUDIO)
    again, created_again = await put(vault, AUDIO)
    assert created
    assert not created_again
    assert again["recording_id"] == first["recording_id"]
    prefix = store_of(vault).locations["primary"].prefix
    listed = s3.client().list_object_versions(Bucket="cw-primary", Prefix=prefix)
    assert len(listed.get("Versions", [])) == 1  # the retry was sealed, found, and never uploaded
    await vault.close()


async def test_a_bucket_without_object_lock_fails_closed(tmp_path: Path, db: Database, s3: SeaweedS3) -> None:
    await seed(db)
    vault = make_s3_vault(tmp_path, db, s3, replica=False)
    store = store_of(vault)
    store.locations["primary"] = type(store.locations["primary"])(
        "cw-plain", store.locations["primary"].prefix
    )
    await vault.open()
    with pytest.raises(StoreMisconfigured, match="Object Lock"):
        await put(vault, AUDIO)
    assert await db.fetchone("SELECT 1 FROM recordings") is None
    await vault.close()


async def test_recovery_deletes_an_unrecorded_upload_or_reports_it_locked(
    tmp_path: Path, db: Database, s3: SeaweedS3
) -> None:
    vault = make_s3_vault(tmp_path, db, s3, replica=False)
    store = store_of(vault)
    store.open()
    locked, unlocked = store.writer(os.urandom(32)), store.writer(os.urandom(32))
    for w in (locked, unlocked):
        w.write(AUDIO)
    until = datetime.now(UTC) + timedelta(days=2)
    sha_locked = locked.publish(ObjectLock(until)).blob_sha256
    sha_unlocked = unlocked.publish(ObjectLock(None)).blob_sha256
    store.abandon()  # the process dies between the upload and the database row
    other = make_s3_vault(tmp_path, db, s3, replica=False)
    other_store = store_of(other)
    other_store.locations = store.locations
    other_store.open()
    report = other_store.recover(lambda sha: False)
    assert report.locked_orphans == [sha_locked]
    assert report.removed_unrecorded_blobs == [sha_unlocked]
    assert report.removed_tmp_files == 2
    assert versions(s3, "cw-primary", store.key(sha_unlocked)) == []
    assert len(versions(s3, "cw-primary", store.key(sha_locked))) == 1
    other_store.close()


# --- what a scale-out probe found (2026-12-07) -----------------------------------------------------


def _holds(s3: SeaweedS3, key: str) -> list[str]:
    client = s3.client()
    return [
        client.get_object_legal_hold(Bucket=bucket, Key=key, VersionId=v["VersionId"])["LegalHold"]["Status"]
        for bucket in ("cw-primary", "cw-replica")
        for v in versions(s3, bucket, key)
        if not v["marker"]
    ]


async def test_a_hold_and_a_lift_racing_leave_the_bucket_as_the_row_says(
    tmp_path: Path, db: Database, s3: SeaweedS3
) -> None:
    """The lift set the objects' hold OFF after its write, so a hold committed in between was
    left held in the database and unheld in the buckets (26 rounds of 30 in the probe)."""
    await seed(db, [("att_race", "c_race", "a1")])
    vault = make_s3_vault(tmp_path, db, s3)
    await vault.open()
    rec, _ = await put(vault, AUDIO, attempt_id="att_race")
    rid, store = str(rec["recording_id"]), store_of(vault)
    key = store.key(str((await db.fetchone("SELECT blob_sha256 FROM recordings"))["blob_sha256"]))
    for n in range(8):
        await asyncio.gather(
            set_legal_hold(db, rid, True, f"dispute {n}", ADMIN, store=store),
            set_legal_hold(db, rid, False, f"settled {n}", ADMIN, store=store),
        )
        row = await db.fetchone("SELECT legal_hold FROM recordings WHERE recording_id = :id", {"id": rid})
        assert _holds(s3, key) == ["ON" if row["legal_hold"] else "OFF"] * 2, n
    await set_legal_hold(db, rid, False, "done", ADMIN, store=store)
    await vault.close()


async def test_a_complaint_holds_the_objects_and_the_scrub_puts_back_a_hold_lifted_at_the_bucket(
    tmp_path: Path, db: Database, s3: SeaweedS3
) -> None:
    """A complaint's holds were rows only: its recordings (and one stored while it was open) stayed
    unheld in the buckets. And a hold lifted at the bucket went unnoticed by the scrub."""
    await seed(db, [("att_c1", "c_comp", "a1"), ("att_c2", "c_comp", "a1")])
    vault = make_s3_vault(tmp_path, db, s3)
    await vault.open()
    store, client = store_of(vault), s3.client()
    first, _ = await put(vault, AUDIO, attempt_id="att_c1")
    complaint = await add_complaint(
        db, "c_comp", None, datetime.now(UTC), "call", "rude agent", "k_admin", None, datetime.now(UTC),
        ADMIN, store=store,
    )  # fmt: skip
    second, _ = await put(vault, AUDIO + b"2", attempt_id="att_c2")
    assert second["legal_hold"] is True
    keys = [
        store.key(str(r["blob_sha256"]))
        for r in await db.fetchall("SELECT blob_sha256 FROM recordings ORDER BY recorded_at, recording_id")
    ]
    for key in keys:
        assert _holds(s3, key) == ["ON", "ON"], key
    # Lifted at the bucket, behind callwarden's back: the scrub places it again.
    v = versions(s3, "cw-replica", keys[0])[0]
    client.put_object_legal_hold(
        Bucket="cw-replica", Key=keys[0], VersionId=v["VersionId"], LegalHold={"Status": "OFF"}
    )
    summary = await scrub(db, store, vault.keyring, datetime.now(UTC), orphans=False)
    assert [(f["problem"], f["copy"], f["action"]) for f in summary["findings"]] == [
        ("legal_hold_off", "replica", "healed")
    ]
    assert all(_holds(s3, key) == ["ON", "ON"] for key in keys)
    await resolve_complaint(
        db, complaint["complaint_id"], "apologised", ADMIN, None, datetime.now(UTC), store=store
    )
    assert all(_holds(s3, key) == ["OFF", "OFF"] for key in keys)
    assert first["recording_id"] != second["recording_id"]
    await vault.close()


async def test_a_delete_marker_in_both_buckets_hides_nothing_and_the_scrub_restores_the_original(
    tmp_path: Path, db: Database, s3: SeaweedS3
) -> None:
    """A plain DELETE in both buckets (or a delete marker beside an overwrite), which Object Lock
    allows, made the recording unreadable (a 500) and the scrub gave up with "no good copy",
    while the locked originals stood behind the markers."""
    vault, (d, e), shas = await _two_recordings(tmp_path, db, s3, "d", "e")
    store, client = store_of(vault), s3.client()
    key_d, key_e = store.key(shas[d["recording_id"]]), store.key(shas[e["recording_id"]])
    for bucket in ("cw-primary", "cw-replica"):
        client.delete_object(Bucket=bucket, Key=key_d)
    client.delete_object(Bucket="cw-primary", Key=key_e)
    client.put_object(Bucket="cw-replica", Key=key_e, Body=b"not the recording")
    for rec, audio in ((d, AUDIO), (e, AUDIO + b"e")):
        reader = await vault.reader(str(rec["recording_id"]), shas[rec["recording_id"]])
        assert reader.read(0, len(audio)) == audio
        assert reader.fell_back
    summary = await scrub(db, store, vault.keyring, T0, deep=True, orphans=False)
    assert (summary["healed"], summary["bad"]) == (2, 0), summary
    assert {(f["recording_id"], f["copy"], f["action"]) for f in summary["findings"]} == {
        (rid, copy, "healed")
        for rid in (d["recording_id"], e["recording_id"])
        for copy in ("primary", "replica")
    }
    again = await scrub(db, store, vault.keyring, T0, orphans=False)
    assert (again["ok"], again["healed"], again["bad"]) == (2, 0, 0), again
    for rec, audio in ((d, AUDIO), (e, AUDIO + b"e")):
        reader = await vault.reader(str(rec["recording_id"]), shas[rec["recording_id"]])
        assert reader.read(0, len(audio)) == audio
        assert not reader.fell_back
        for bucket in ("cw-primary", "cw-replica"):
            head = client.head_object(Bucket=bucket, Key=store.key(shas[rec["recording_id"]]))
            assert head["ObjectLockMode"] == "COMPLIANCE"
    await vault.close()


async def test_the_scrub_puts_back_a_row_edited_shorter_or_unheld_in_the_database(
    tmp_path: Path, db: Database, s3: SeaweedS3
) -> None:
    """Whoever can write the database could shorten a row's retain_until or clear its hold, and
    verify, scrub and doctor said nothing (the retention report repeated the edit). The bucket's
    lock and the hold history say otherwise: the scrub restores the row."""
    await seed(db, [("att_edit", "c_edit", "a1")])
    vault = make_s3_vault(tmp_path, db, s3)
    await vault.open()
    rec, _ = await put(vault, AUDIO, attempt_id="att_edit")
    rid, store = str(rec["recording_id"]), store_of(vault)
    await set_legal_hold(db, rid, True, "dispute 7", ADMIN, store=store)
    await db.write(
        lambda conn: conn.execute(
            "UPDATE recordings SET retain_until = '2020-01-01T00:00:00.000000Z', legal_hold = 0"
            " WHERE recording_id = :id",
            {"id": rid},
        )
    )
    summary = await scrub(db, store, vault.keyring, datetime.now(UTC), orphans=False)
    assert sorted((f["problem"], f["action"]) for f in summary["findings"]) == [
        ("hold_mismatch", "healed"),
        ("retention_shortened", "healed"),
    ], summary
    row = await db.fetchone(
        "SELECT retain_until, legal_hold FROM recordings WHERE recording_id = :id", {"id": rid}
    )
    assert row["legal_hold"] == 1
    assert from_ts(row["retain_until"]) >= from_ts(str(rec["retain_until"]))
    # Each restoration is evidence too: an access-log row (and the hold in its history).
    logged = await db.fetchall(
        "SELECT action, source FROM access_log WHERE object_id = :id AND role = 'system' ORDER BY seq",
        {"id": rid},
    )
    assert sorted((r["action"], r["source"]) for r in logged) == [
        ("recording.hold", "scrub"),
        ("recording.retention", "scrub"),
    ]
    assert [h["action"] for h in await hold_history(db, rid)] == ["on", "on"]
    again = await scrub(db, store, vault.keyring, datetime.now(UTC), orphans=False)
    assert (again["ok"], again["findings"]) == (1, []), again
    await set_legal_hold(db, rid, False, "done", ADMIN, store=store)
    await vault.close()
