"""The vault's jobs, called directly with `now` as the scheduler calls them: purge, anchor, replica
retry, scrub; one process at a time; the scheduler starts and stops with the app; /readyz."""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from gateway.web.app import create_app
from gateway.web.keys import DB, JOBS
from tests.gateway.helpers import hdr, setup_world
from tests.gateway.vault_world import make_vault_world, vault_settings

LATER = datetime.now(UTC) + timedelta(days=400)


async def test_jobs_purge_anchor_scrub_with_a_moved_clock(
    aiohttp_client: Any, data_dir: Path, make_key: Any
) -> None:
    vw = await make_vault_world(aiohttp_client, data_dir, make_key)
    jobs = vw.client.server.app[JOBS]
    _, kept = await vw.upload(await vw.attempt(), b"kept: on hold")
    _, gone = await vw.upload(await vw.attempt(), b"expires")
    r = await vw.client.post(
        f"/v1/recordings/{kept['recording_id']}/legal-hold",
        json={"reason": "dispute"},
        headers=hdr(vw.security),
    )
    assert r.status == 200
    assert (await jobs.purge(datetime.now(UTC)))["purged"] == 0
    summary = await jobs.purge(LATER)
    assert summary["recording_ids"] == [gone["recording_id"]]
    assert summary["expired_but_held"] == 1
    scrubbed = await jobs.scrub(LATER, rate_mb_s=0)
    assert (scrubbed["checked"], scrubbed["ok"]) == (1, 1)
    line = await jobs.anchor(LATER)
    assert line is not None
    assert await jobs.anchor(LATER + timedelta(minutes=5)) is None
    anchors = (data_dir / "audit-anchors.log").read_text().splitlines()
    assert [json.loads(a)["seq"] for a in anchors] == [line["seq"]]
    r = await vw.client.get("/v1/audit/verify", headers=hdr(vw.security))
    result = await r.json()
    assert result["ok"]
    assert result["anchors"] == {"checked": 1, "ok": True}


async def test_replica_retry_job(aiohttp_client: Any, data_dir: Path, make_key: Any) -> None:
    vw = await make_vault_world(aiohttp_client, data_dir, make_key)
    jobs = vw.client.server.app[JOBS]
    replica_store = data_dir.parent / "replica" / "store"
    replica_store.rename(replica_store.with_name("away"))
    replica_store.write_text("the mount is gone")
    _, rec = await vw.upload(await vw.attempt(), os.urandom(70_000))
    assert rec["replica"]["status"] == "pending"
    assert (await jobs.retry_replicas())["failed"] == 1
    replica_store.unlink()
    replica_store.with_name("away").rename(replica_store)
    assert (await jobs.retry_replicas())["ok"] == 1
    r = await vw.client.get(f"/v1/recordings/{rec['recording_id']}", headers=hdr(vw.w.inspector))
    assert (await r.json())["replica"]["status"] == "ok"
    assert await jobs.retry_replicas() == {"retried": 0, "ok": 0, "failed": 0}


async def test_a_job_running_in_another_process_is_skipped(
    aiohttp_client: Any, data_dir: Path, make_key: Any
) -> None:
    vw = await make_vault_world(aiohttp_client, data_dir, make_key)
    jobs = vw.client.server.app[JOBS]
    jobs.lock_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(jobs.lock_dir / "purge.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another serve worker is purging
        assert await jobs.purge(LATER) is None
    finally:
        os.close(fd)
    assert (await jobs.purge(LATER))["purged"] == 0


async def test_the_scheduler_runs_inside_serve_and_stops_with_it(
    aiohttp_client: Any, data_dir: Path, make_key: Any
) -> None:
    spool = data_dir.parent / "spool"
    spool.mkdir()
    settings = vault_settings(
        data_dir,
        **{
            "scheduler.enabled": True,
            "recordings.spool_dir": str(spool),
            "recordings.spool_scan_s": 0.05,
            "recordings.spool_settle_s": 0.1,
        },
    )
    client = await aiohttp_client(create_app(settings))
    w = await setup_world(client, make_key)
    jobs = client.server.app[JOBS]
    assert jobs._scheduler is not None
    assert len(jobs._scheduler.get_jobs()) == 5  # purge, anchor, scrub, replica retry, spool
    r = await client.post(
        "/v1/authorize",
        json={"case_id": "c1", "to": "+12125550123", "channel": "call"},
        headers=hdr(w.dialer),
    )
    att = (await r.json())["attempt_id"]
    (spool / f"{att}.wav").write_bytes(b"RIFF" + os.urandom(1000))
    db = client.server.app[DB]
    for _ in range(100):  # the scheduled spool scan takes it within a few scan intervals
        if await db.fetchone("SELECT 1 FROM recordings"):
            break
        await asyncio.sleep(0.05)
    row = await db.fetchone("SELECT source FROM recordings")
    assert row is not None
    assert row["source"] == "spool"
    r = await client.get("/readyz")
    assert (await r.json())["checks"] == {"database": "ok", "recordings": "ok"}
