"""Several instances on one PostgreSQL, as real processes: `callwarden serve` on three "hosts"
(three data dirs with the same config and master key), caps exact across them, an instance killed
with SIGKILL mid-load leaving no answered-allowed decision without its attempt and no duplicate,
and a transcription worker killed mid-job whose job another worker claims after its lease."""

from __future__ import annotations

import asyncio
import shutil
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from storage.backends import open_db
from storage.transcription_jobs import claim, get_job
from tests.gateway.helpers import app_settings, case_body, hdr
from tests.gateway.test_serve import Server, cli
from tests.storage.vault_helpers import T0, seed

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("backend", ["postgresql"], indirect=True)]

DEBTORS = 20
CAP = 3  # the test pack: 3 attempts per debtor per rolling 24 hours


def _hosts(data_dir: Path, n: int) -> list[Path]:
    """`n` data dirs as separate hosts would have them: the same callwarden.toml (database.url)
    and master key, nothing else shared."""
    out = []
    for i in range(n):
        host = data_dir.parent / f"host{i}"
        host.mkdir()
        for name in ("callwarden.toml", "master.key"):
            shutil.copy2(data_dir / name, host / name)
        (host / "master.key").chmod(0o600)
        out.append(host)
    return out


@pytest.fixture
def cluster(data_dir: Path) -> tuple[list[Path], dict[str, str], str, str]:
    settings = app_settings(data_dir)  # writes the test pack
    env = {
        "CALLWARDEN_POLICY_PACKS_DIR": str(settings["policy.packs_dir"]),
        # This checks exactness, not latency: three servers and 600 requests share 2 cores.
        "CALLWARDEN_POLICY_DECISION_TIMEOUT_MS": "10000",
        "CALLWARDEN_SCHEDULER_ENABLED": "false",
    }
    admin = cli("keys", "create", "--data-dir", str(data_dir), "--role", "admin").strip().splitlines()[-1]
    return _hosts(data_dir, 3), env, admin, str(data_dir)


async def _setup(http: aiohttp.ClientSession, url: str, admin: str, data_dir: str) -> str:
    r = await http.put(f"{url}/v1/agencies/a1", json={"name": "A1"}, headers=hdr(admin))
    assert r.status == 201, await r.text()
    for i in range(DEBTORS):
        phones = [{"number": f"+1212555{i:04d}", "kind": "mobile"}]
        body = case_body(debtor={"name": "D", "timezone": "America/New_York", "phones": phones})
        r = await http.put(f"{url}/v1/cases/c{i}", json=body, headers=hdr(admin))
        assert r.status == 201, await r.text()
    return cli("keys", "create", "--data-dir", data_dir, "--role", "dialer", "--agency", "a1").split()[-1]


def _request(i: int) -> dict[str, str]:
    d = i % DEBTORS
    return {"case_id": f"c{d}", "to": f"+1212555{d:04d}", "channel": "call"}


async def test_three_instances_allow_exactly_the_cap_per_debtor(
    cluster: tuple[list[Path], dict[str, str], str, str],
) -> None:
    hosts, env, admin, data_dir = cluster
    servers = [Server(h, env) for h in hosts]
    try:
        for s in servers:
            s.wait_ready()
        async with aiohttp.ClientSession() as http:
            key = await _setup(http, servers[0].url, admin, data_dir)

            async def ask(i: int) -> dict[str, Any]:
                url = servers[i % 3].url + "/v1/authorize"
                async with http.post(url, json=_request(i), headers=hdr(key)) as resp:
                    assert resp.status == 200, await resp.text()
                    return dict(await resp.json())

            answers = await asyncio.gather(*(ask(i) for i in range(600)))
    finally:
        for s in servers:
            s.stop()
    allowed = [
        (q, a) for q, a in zip((_request(i) for i in range(600)), answers, strict=True) if a["allowed"]
    ]
    assert Counter(q["case_id"] for q, _ in allowed) == {f"c{d}": CAP for d in range(DEBTORS)}
    assert all(a["attempt_id"] for _, a in allowed)
    assert {r["code"] for a in answers if not a["allowed"] for r in a["reasons"]} == {"cap_exceeded"}


async def test_an_instance_killed_mid_load_leaves_no_allowed_decision_without_its_attempt(
    cluster: tuple[list[Path], dict[str, str], str, str], db_target: str
) -> None:
    hosts, env, admin, data_dir = cluster
    servers = [Server(h, env) for h in hosts]
    answered: list[dict[str, Any]] = []
    try:
        for s in servers:
            s.wait_ready()
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
            key = await _setup(http, servers[0].url, admin, data_dir)

            async def ask(i: int) -> None:
                url = servers[i % 3].url + "/v1/authorize"
                try:
                    async with http.post(url, json=_request(i), headers=hdr(key)) as resp:
                        if resp.status == 200:
                            answered.append(dict(await resp.json()))
                except (TimeoutError, aiohttp.ClientError):
                    pass  # the killed instance's requests: no answer, so nothing may count for them

            async def kill_soon() -> None:
                await asyncio.sleep(0.3)
                servers[2].proc.send_signal(signal.SIGKILL)

            await asyncio.gather(kill_soon(), *(ask(i) for i in range(600)))
            assert servers[2].proc.wait(10) == -signal.SIGKILL
    finally:
        for s in servers:
            s.stop()
    assert answered, "the surviving instances answered"
    async with open_db(db_target) as db:
        attempts = await db.fetchall("SELECT attempt_id, decision_id, debtor_id FROM attempts")
        decisions = await db.fetchall("SELECT decision_id, attempt_id FROM decisions WHERE allowed = 1")
    by_id = {r["attempt_id"]: r for r in attempts}
    # Every allowed answer a dialer got has its attempt row (it counts), from its own decision.
    for a in answered:
        if a["allowed"]:
            assert a["attempt_id"] in by_id
            assert by_id[a["attempt_id"]]["decision_id"] == a["decision_id"]
    # Every allowed decision recorded has exactly one attempt, and no debtor went over the cap.
    assert sorted(r["attempt_id"] for r in decisions) == sorted(by_id)
    assert len({r["decision_id"] for r in attempts}) == len(attempts)
    assert max(Counter(r["debtor_id"] for r in attempts).values()) <= CAP


WORKER = """
import asyncio, sys
from datetime import datetime
from storage.backends import open_db
from storage.transcription_jobs import claim

async def main() -> None:
    async with open_db(sys.argv[1]) as db:
        job = await claim(db, "doomed:1", datetime.fromisoformat(sys.argv[2]), lease_s=30)
        print(job.job_id if job else "none", flush=True)
        await asyncio.sleep(600)  # "transcribing" until killed

asyncio.run(main())
"""


async def test_a_killed_workers_job_is_claimed_again_after_its_lease(db_target: str) -> None:
    async with open_db(db_target) as db:
        await seed(db, [("att_1", "c1", "a1")])

        def write(conn: Any) -> None:
            conn.execute(
                "INSERT INTO recordings (recording_id, attempt_id, case_id, agency_id, to_number, sha256,"
                " bytes, content_type, source, blob_sha256, blob_bytes, recorded_at, received_at,"
                " retention_days, retain_until, replica_status) VALUES ('rec_1', 'att_1', 'c1', 'a1', '+1',"
                " 'x', 1, 'audio/wav', 'http', 'x', 1, :t, :t, 365, '2099', 'disabled')",
                {"t": T0.strftime("%Y-%m-%dT%H:%M:%S.%fZ")},
            )
            from storage.transcription_jobs import enqueue_sync

            enqueue_sync(conn, "rec_1", T0)

        await db.write(write)
        worker = subprocess.Popen(
            [sys.executable, "-c", WORKER, db_target, T0.isoformat()], stdout=subprocess.PIPE, text=True
        )
        try:
            assert worker.stdout is not None
            job_id = (await asyncio.to_thread(worker.stdout.readline)).strip()
            assert job_id.startswith("tj_")
            worker.send_signal(signal.SIGKILL)
            assert await asyncio.to_thread(worker.wait, 10) == -signal.SIGKILL
        finally:
            if worker.stdout is not None:
                worker.stdout.close()
        # Still leased: nobody else takes it; once the lease has passed, another worker does.
        assert await claim(db, "survivor:2", T0 + timedelta(seconds=10), lease_s=30) is None
        again = await claim(db, "survivor:2", T0 + timedelta(seconds=31), lease_s=30)
        assert again is not None
        assert (again.job_id, again.attempt) == (job_id, 2)
        job = await get_job(db, "rec_1")
        assert job is not None
        assert [e["kind"] for e in job["errors"]] == ["worker_died"]
        assert "doomed:1" in job["errors"][0]["error"]
