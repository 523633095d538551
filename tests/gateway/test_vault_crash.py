"""`kill -9` of `callwarden serve` while a 200 MB recording is streaming in, then a restart: no row
and no visible blob for the unfinished upload, the earlier recording intact, temp files gone."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.gateway.helpers import DEBTOR_NUMBER, app_settings, case_body, hdr
from tests.gateway.test_serve import Server, cli

pytestmark = pytest.mark.slow

MiB = 1 << 20


def part_files(root: Path) -> list[Path]:
    return [p for p in (root / "tmp").rglob("*") if p.is_file() and not p.name.endswith(".lock")]


def blobs(root: Path) -> list[Path]:
    return sorted((root / "store").rglob("*.cwb"))


async def test_kill_9_mid_upload_leaves_no_trace_and_loses_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    replica = tmp_path / "replica"
    replica.mkdir()
    cli("init", "--data-dir", str(data_dir))
    settings = app_settings(data_dir)
    env = {
        "CALLWARDEN_POLICY_PACKS_DIR": str(settings["policy.packs_dir"]),
        "CALLWARDEN_RECORDINGS_REPLICA_DIR": str(replica),
        "CALLWARDEN_SCHEDULER_ENABLED": "false",
    }
    admin = cli("keys", "create", "--data-dir", str(data_dir), "--role", "admin").strip().splitlines()[-1]
    inspector = cli("keys", "create", "--data-dir", str(data_dir), "--role", "inspector").split()[-1]
    first = os.urandom(MiB) * 2
    block = os.urandom(MiB)
    sent = 0
    server = Server(data_dir, env)
    try:
        server.wait_ready()
        async with aiohttp.ClientSession() as http:
            assert (
                await http.put(f"{server.url}/v1/agencies/a1", json={"name": "A"}, headers=hdr(admin))
            ).status == 201
            assert (
                await http.put(f"{server.url}/v1/cases/c1", json=case_body(), headers=hdr(admin))
            ).status == 201
            dialer = cli(
                "keys", "create", "--data-dir", str(data_dir), "--role", "dialer", "--agency", "a1"
            ).split()[-1]
            attempts = []
            for _ in range(2):
                r = await http.post(
                    f"{server.url}/v1/authorize",
                    json={"case_id": "c1", "to": DEBTOR_NUMBER, "channel": "call"},
                    headers=hdr(dialer),
                )
                attempts.append((await r.json())["attempt_id"])
            r = await http.post(
                f"{server.url}/v1/recordings?attempt_id={attempts[0]}",
                data=io.BytesIO(first),
                headers={**hdr(dialer), "Content-Type": "audio/wav"},
            )
            assert r.status == 201
            kept = await r.json()

            async def body() -> AsyncIterator[bytes]:
                nonlocal sent
                for _ in range(200):
                    yield block
                    sent += MiB
                    if sent >= 64 * MiB:
                        await asyncio.sleep(0.05)  # slow down so the kill lands mid-stream

            upload = asyncio.ensure_future(
                http.post(
                    f"{server.url}/v1/recordings?attempt_id={attempts[1]}",
                    data=body(),
                    headers={**hdr(dialer), "Content-Type": "audio/wav", "Content-Length": str(200 * MiB)},
                )
            )
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                parts = part_files(data_dir / "recordings")
                if parts and max(p.stat().st_size for p in parts) > 50 * MiB:
                    break
                await asyncio.sleep(0.05)
            else:
                raise AssertionError("the upload never reached 50 MB on disk")
            os.kill(server.proc.pid, signal.SIGKILL)
            server.proc.wait(10)
            with pytest.raises((aiohttp.ClientError, asyncio.TimeoutError)):
                await upload
    finally:
        server.stop()
    assert 50 * MiB < sent < 200 * MiB
    # What the killed process left: its partial (encrypted) upload and replica copy in tmp/.
    assert part_files(data_dir / "recordings")
    assert part_files(replica)
    assert len(blobs(data_dir / "recordings")) == 1
    assert len(blobs(replica)) == 1

    restarted = Server(data_dir, env)
    try:
        restarted.wait_ready()
        async with aiohttp.ClientSession() as http:
            r = await http.get(f"{restarted.url}/v1/recordings", headers=hdr(inspector))
            listed = (await r.json())["recordings"]
            assert [x["recording_id"] for x in listed] == [kept["recording_id"]]
            r = await http.get(
                f"{restarted.url}/v1/recordings/{kept['recording_id']}/audio?reason=crash-test",
                headers=hdr(inspector),
            )
            assert r.status == 200
            assert (
                hashlib.sha256(await r.read()).hexdigest()
                == kept["sha256"]
                == hashlib.sha256(first).hexdigest()
            )
            r = await http.get(
                f"{restarted.url}/v1/recordings/{kept['recording_id']}", headers=hdr(inspector)
            )
            assert (await r.json())["replica"]["status"] == "ok"
    finally:
        restarted.stop()
    assert part_files(data_dir / "recordings") == []
    assert part_files(replica) == []
    assert len(blobs(data_dir / "recordings")) == 1
    assert len(blobs(replica)) == 1
    assert "vault_recovered" in restarted.log.read_text()
