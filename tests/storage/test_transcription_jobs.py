"""The transcription job queue on a real SQLite file: enqueue with the recording, atomic claims
under concurrency, leases, backoff, failure, lease tokens, purge."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from policies.screening import warm_citations
from storage.audit import Access, Actor, verify
from storage.backends import open_db
from storage.db import Database, connect_sync, migrate, to_ts, transaction
from storage.pg import PgDatabase
from storage.retention import purge_recording
from storage.transcription_jobs import (
    LeaseLost,
    backoff_delay,
    claim,
    claim_sync,
    complete,
    enqueue_sync,
    fail,
    get_job,
    job_counts,
    release,
    renew,
    requeue_failed,
)
from storage.transcripts import NewTranscript, recording_flags, store_transcript_sync
from storage.vault import Vault
from tests.pg_database import both_backends
from tests.storage.vault_helpers import T0, make_vault, put, seed

pytestmark = both_backends

SYSTEM = Actor(None, "system", None, "worker:test")


@pytest.fixture
async def db(db_target: str | Path) -> AsyncIterator[Database]:
    async with open_db(db_target) as database:
        await seed(database, [(f"att_{i}", "c1", "a1") for i in range(1, 4)] + [("att_9", "c9", "a2")])
        yield database


@pytest.fixture
async def vault(tmp_path: Path, db: Database) -> AsyncIterator[Vault]:
    v = make_vault(tmp_path, db)
    await v.open()
    yield v
    await v.close()


def _access(rid: str, result: str = "ok") -> Access:
    return Access(SYSTEM, "recording.transcribe", "recording", rid, result)


async def test_every_stored_recording_is_queued_once_with_its_row(vault: Vault, db: Database) -> None:
    rec, created = await put(vault, b"RIFF" + b"\x01" * 5000)
    again, created_again = await put(vault, b"RIFF" + b"\x01" * 5000)
    assert created
    assert not created_again
    assert again["recording_id"] == rec["recording_id"]
    job = await get_job(db, str(rec["recording_id"]))
    assert job is not None
    assert job["status"] == "queued"
    assert job["attempts"] == 0
    assert await job_counts(db) == {"queued": 1, "running": 0, "done": 0, "failed": 0}


def test_migration_queues_recordings_stored_before_it(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    conn.row_factory = sqlite3.Row
    migrate(conn, upto=2)
    ts = to_ts(T0)
    conn.execute(
        "INSERT INTO agencies (agency_id, name, status, created_at, updated_at)"
        " VALUES ('a1', 'A', 'active', :t, :t)",
        {"t": ts},
    )
    conn.execute(
        "INSERT INTO cases (case_id, agency_id, debtor_id, status, region, doc, created_at, updated_at)"
        " VALUES ('c1', 'a1', 'd1', 'active', 'US', '{}', :t, :t)",
        {"t": ts},
    )
    conn.execute(
        "INSERT INTO attempts (attempt_id, decision_id, case_id, debtor_id, agency_id, channel, to_number,"
        " party, at) VALUES ('att_1', 'dec', 'c1', 'd1', 'a1', 'call', '+12125550123', 'debtor', :t)",
        {"t": ts},
    )
    conn.execute(
        "INSERT INTO recordings (recording_id, attempt_id, case_id, agency_id, to_number, sha256, bytes,"
        " content_type, source, blob_sha256, blob_bytes, recorded_at, received_at, retention_days,"
        " retain_until, replica_status) VALUES ('rec_old', 'att_1', 'c1', 'a1', '+12125550123', 'x', 1,"
        " 'audio/wav', 'http', 'b', 1, :t, :t, 365, :t, 'disabled')",
        {"t": ts},
    )
    assert migrate(conn)[0].startswith("0003")
    row = conn.execute(
        "SELECT status, not_before FROM transcription_jobs WHERE recording_id = 'rec_old'"
    ).fetchone()
    assert (row["status"], row["not_before"]) == ("queued", ts)
    conn.close()


async def _queue_unlocked(db: PgDatabase) -> None:
    """One due job written without the cluster-wide write lock (held elsewhere by the test)."""

    def write(conn: sqlite3.Connection) -> None:
        conn.execute(
            "INSERT INTO recordings (recording_id, attempt_id, case_id, agency_id, to_number, sha256,"
            " bytes, content_type, source, blob_sha256, blob_bytes, recorded_at, received_at,"
            " retention_days, retain_until, replica_status) VALUES ('rec_x', 'att_1', 'c1', 'a1', '+1',"
            " 'x', 1, 'audio/wav', 'http', 'x', 1, :t, :t, 365, '2099', 'disabled')",
            {"t": to_ts(T0)},
        )
        enqueue_sync(conn, "rec_x", T0)

    await db.write(write, exclusive=False)


async def _queue(db: Database, n: int) -> list[str]:
    """`n` recordings rows (no blobs needed for the queue) with their jobs."""

    def write(conn: sqlite3.Connection) -> list[str]:
        ids = []
        for i in range(n):
            rid = f"rec_{i:04d}"
            conn.execute(
                "INSERT INTO recordings (recording_id, attempt_id, case_id, agency_id, to_number, sha256,"
                " bytes, content_type, source, blob_sha256, blob_bytes, recorded_at, received_at,"
                " retention_days, retain_until, replica_status) VALUES (:id, 'att_1', 'c1', 'a1', '+1',"
                " :id, 1, 'audio/wav', 'http', :id, 1, :t, :t, 365, '2099', 'disabled')",
                {"id": rid, "t": to_ts(T0)},
            )
            enqueue_sync(conn, rid, T0)
            ids.append(rid)
        return ids

    return await db.write(write)


async def test_two_concurrent_claimers_never_get_the_same_job(db: Database, tmp_path: Path) -> None:
    await _queue(db, 300)
    barrier = threading.Barrier(2)
    claimed: dict[str, list[str]] = {"A": [], "B": []}
    errors: list[BaseException] = []
    pg = isinstance(db, PgDatabase)

    def claimer(name: str) -> None:
        # Each claimer has its own connection, like a worker process. SQLite: its write lock is
        # the only thing between them; PostgreSQL: FOR UPDATE SKIP LOCKED, no global lock.
        conn = None if pg else connect_sync(db.path)
        try:
            barrier.wait()
            while True:
                if isinstance(db, PgDatabase):
                    job = db.write_sync(lambda c: claim_sync(c, f"w{name}", T0, 60), exclusive=False)
                else:
                    assert conn is not None
                    job = transaction(conn, lambda c: claim_sync(c, f"w{name}", T0, 60))
                if job is None:
                    return
                claimed[name].append(job.recording_id)
                time.sleep(0.002)  # "work" outside the transaction: the other claimer gets turns
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            if conn is not None:
                conn.close()

    threads = [threading.Thread(target=claimer, args=(n,)) for n in "AB"]
    for t in threads:
        t.start()
    for t in threads:
        await asyncio.to_thread(t.join, 60)
    assert not errors
    a, b = claimed["A"], claimed["B"]
    assert a, "the first claimer got work"
    assert b, "the second claimer got work"
    assert not set(a) & set(b)
    assert sorted(a + b) == sorted(f"rec_{i:04d}" for i in range(300))
    row = await db.fetchone("SELECT count(*) AS n FROM transcription_jobs WHERE attempts != 1")
    assert row is not None
    assert row["n"] == 0


async def test_a_dead_workers_job_is_claimed_again_after_its_lease(db: Database) -> None:
    (rid,) = await _queue(db, 1)
    first = await claim(db, "host:1", T0, lease_s=30)
    assert first is not None
    assert first.attempt == 1
    assert first.recording_id == rid
    assert await claim(db, "host:2", T0 + timedelta(seconds=29), lease_s=30) is None  # still leased
    assert await renew(db, first, T0 + timedelta(seconds=20), lease_s=30)  # until T0 + 50 s
    assert await claim(db, "host:2", T0 + timedelta(seconds=45), lease_s=30) is None
    # host:1 dies (stops renewing): after the lease, host:2 takes the job over.
    second = await claim(db, "host:2", T0 + timedelta(seconds=51), lease_s=30)
    assert second is not None
    assert second.job_id == first.job_id
    assert second.attempt == 2
    job = await get_job(db, rid)
    assert job is not None
    assert job["worker"] == "host:2"
    assert job["status"] == "running"
    assert [e["kind"] for e in job["errors"]] == ["worker_died"]
    assert "host:1 stopped during attempt 1" in job["errors"][0]["error"]
    # The dead worker's late result is refused; its lease is gone.
    assert not await renew(db, first, T0 + timedelta(seconds=52), lease_s=30)
    with pytest.raises(LeaseLost):
        await complete(db, first, T0, {}, lambda conn: None, _access(rid))
    with pytest.raises(LeaseLost):
        await fail(db, first, T0, "x", "decode", backoff_s=1, backoff_max_s=1, access=_access(rid))
    await complete(
        db, second, T0 + timedelta(seconds=60), {"engine": "whisper"}, lambda c: None, _access(rid)
    )
    job = await get_job(db, rid)
    assert job is not None
    assert job["status"] == "done"
    assert job["engine"] == "whisper"
    assert job["error"] is None


async def test_a_job_whose_workers_keep_dying_fails_after_max_attempts(db: Database) -> None:
    (rid,) = await _queue(db, 1)
    at = T0
    for n in (1, 2, 3):
        job = await claim(db, f"host:{n}", at, lease_s=10, max_attempts=3)
        assert job is not None
        assert job.attempt == n
        at += timedelta(seconds=11)
    assert await claim(db, "host:4", at, lease_s=10, max_attempts=3) is None
    job_row = await get_job(db, rid)
    assert job_row is not None
    assert job_row["status"] == "failed"
    assert job_row["error_kind"] == "worker_died"
    assert "attempt 3 of 3" in job_row["error"]


async def test_failures_back_off_exponentially_then_fail_with_the_last_error(db: Database) -> None:
    (rid,) = await _queue(db, 1)
    at = T0
    waits = []
    for n in (1, 2, 3):
        job = await claim(db, "host:1", at, lease_s=60, max_attempts=3)
        assert job is not None
        assert job.attempt == n
        state = await fail(
            db,
            job,
            at,
            f"cannot decode ({n})",
            "decode",
            backoff_s=10,
            backoff_max_s=25,
            access=_access(rid, "error"),
        )
        if n < 3:
            assert state["status"] == "queued"
            wait = timedelta(seconds=backoff_delay(n, 10, 25))
            waits.append(wait.total_seconds())
            assert await claim(db, "host:1", at + wait - timedelta(seconds=1), lease_s=60) is None
            at += wait
        else:
            assert state == {"status": "failed", "not_before": None}
    assert waits == [10.0, 20.0]
    assert backoff_delay(3, 10, 25) == 25.0
    job_row = await get_job(db, rid)
    assert job_row is not None
    assert (job_row["status"], job_row["attempts"], job_row["error"]) == ("failed", 3, "cannot decode (3)")
    assert [e["error"] for e in job_row["errors"]] == [f"cannot decode ({n})" for n in (1, 2, 3)]
    assert await claim(db, "host:1", at + timedelta(days=1), lease_s=60) is None
    # An operator queues it again (a model was installed, say): fresh attempts.
    assert await requeue_failed(db, at, None) == 1
    again = await claim(db, "host:1", at, lease_s=60)
    assert again is not None
    assert again.attempt == 1


async def test_a_stopping_worker_gives_the_job_back_uncounted(db: Database) -> None:
    await _queue(db, 1)
    job = await claim(db, "host:1", T0, lease_s=60)
    assert job is not None
    assert await release(db, job, T0)
    again = await claim(db, "host:2", T0, lease_s=60)
    assert again is not None
    assert again.attempt == 1


def _transcript(rid: str, job_id: str) -> NewTranscript:
    flag = {
        "category": "threat_violence",
        "severity": "high",
        "match": "break your legs",
        "sentence": "we will break your legs",
        "start": 12.5,
        "end": 13.4,
        "channel": "left",
        "speaker": "agent",
        "rule": "en/threat_violence/break-bones",
        "lexicon_version": "en@1",
        "confidence": 0.9,
        "source": "lexicon",
    }
    return NewTranscript(
        recording_id=rid,
        job_id=job_id,
        language="en",
        engine="whisper",
        model="m",
        duration=16.0,
        channels=[{"channel": "left", "role": "agent", "audience": "debtor", "words": 5}],
        segments=[
            {
                "channel": "left",
                "speaker": "agent",
                "start": 11.0,
                "end": 13.4,
                "text": "we will break your legs",
                "confidence": 0.9,
                "words": [{"w": "we", "start": 11.0, "end": 11.2, "conf": 0.9}],
            }
        ],
        masked=[],
        lexicon_versions=["en@1"],
        warnings=[],
        flags=[flag],
    )


async def test_purge_takes_the_transcript_and_job_and_keeps_flags_without_words(
    vault: Vault, db: Database, tmp_path: Path
) -> None:
    # The citations a flag's answer carries are read from the lexicons once, before serving (the
    # server warms them at start); read lazily here they were a blocking file read on the loop.
    await asyncio.to_thread(warm_citations)
    rec, _ = await put(vault, b"RIFF" + b"\x02" * 4000)
    rid = str(rec["recording_id"])
    now = datetime.now(UTC)  # the vault queued the job at its own clock
    job = await claim(db, "host:1", now, lease_s=60)
    assert job is not None
    store = _transcript(rid, job.job_id)
    await complete(db, job, now, {}, lambda c: store_transcript_sync(c, store, now), _access(rid))
    (flag,) = await recording_flags(db, rid, with_text=True)
    assert flag["match"] == "break your legs"
    later = T0 + timedelta(days=365 * 4)
    assert await purge_recording(db, vault.store, rid, later, "purge-test") is not None
    assert await get_job(db, rid) is None
    assert await db.fetchone("SELECT 1 FROM transcripts WHERE recording_id = :id", {"id": rid}) is None
    (kept,) = await recording_flags(db, rid, with_text=True)
    assert (kept["category"], kept["start"], kept["match"], kept["sentence"]) == (
        "threat_violence",
        12.5,
        "",
        "",
    )
    assert (await verify(db, None))["ok"]
    row = await db.fetchone(
        "SELECT details FROM access_log WHERE action = 'recording.transcribe' AND object_id = :id",
        {"id": rid},
    )
    assert row is not None
    assert json.loads(row["details"]) == {}


async def test_an_idle_worker_never_takes_the_write_lock(db: Database) -> None:
    # Another process (the gateway deciding, say) holds the write lock: looking for work with
    # nothing due answers at once instead of queueing behind it. (PostgreSQL: the cluster-wide
    # lock of ordinary writes, held by another transaction.)
    entered, done = threading.Event(), threading.Event()
    if isinstance(db, PgDatabase):
        holder = asyncio.create_task(db.write(lambda conn: (entered.set(), done.wait(10))))
        await asyncio.to_thread(entered.wait, 10)
    else:
        other = connect_sync(db.path)
        other.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        assert await claim(db, "host:1", T0, lease_s=60) is None
        assert time.monotonic() - started < 0.5
        if isinstance(db, PgDatabase):
            await _queue_unlocked(db)
            assert await claim(db, "host:1", T0, lease_s=60) is not None  # claims skip that lock
    finally:
        if isinstance(db, PgDatabase):
            done.set()
            await holder
        else:
            other.execute("ROLLBACK")
            other.close()
    await _queue(db, 1)
    assert await claim(db, "host:1", T0, lease_s=60) is not None
