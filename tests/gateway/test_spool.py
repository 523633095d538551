"""The spool watcher with real files: a file is taken only when finished (size stable, nobody
writing), then moved to done/ or to rejected/ with a reason file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from gateway.jobs.spool import MAX_TRIES, SpoolWatcher
from gateway.web.keys import DB, JOBS
from tests.gateway.helpers import hdr
from tests.gateway.vault_world import VaultWorld, make_spool_world

SETTLE = 5.0


@pytest.fixture
async def vw(aiohttp_client: Any, data_dir: Path, make_key: Any) -> VaultWorld:
    return await make_spool_world(aiohttp_client, data_dir, make_key, **{"recordings.spool_settle_s": SETTLE})


def watcher(vw: VaultWorld) -> SpoolWatcher:
    spool = vw.client.server.app[JOBS].spool
    assert spool is not None
    return spool


async def scan_twice(vw: VaultWorld, t: float = 1000.0) -> list[dict[str, Any]]:
    w = watcher(vw)
    first = await w.scan(t)
    return first + await w.scan(t + SETTLE)


async def test_a_finished_file_is_ingested_and_moved_to_done(vw: VaultWorld) -> None:
    att = await vw.attempt()
    spool = watcher(vw).dir
    (spool / f"{att}.wav").write_bytes(b"RIFF" + os.urandom(50_000))
    assert await watcher(vw).scan(0.0) == []  # first sight: not yet known to be stable
    assert await watcher(vw).scan(SETTLE - 1) == []
    results = await watcher(vw).scan(SETTLE + 0.1)
    assert [(r["file"], r["result"]) for r in results] == [(f"{att}.wav", "ingested")]
    assert (spool / "done" / f"{att}.wav").exists()
    assert not (spool / f"{att}.wav").exists()
    r = await vw.client.get(f"/v1/recordings/{results[0]['recording_id']}", headers=hdr(vw.w.inspector))
    meta = await r.json()
    assert (meta["source"], meta["filename"], meta["content_type"]) == ("spool", f"{att}.wav", "audio/wav")
    # The PBX drops the same file again: a duplicate, moved to done/ under another name.
    (spool / f"{att}.wav").write_bytes((spool / "done" / f"{att}.wav").read_bytes())
    again = await scan_twice(vw, 100.0)
    assert [r["result"] for r in again] == ["duplicate"]
    assert len(list((spool / "done").iterdir())) == 2


async def test_a_growing_or_open_file_is_not_taken(vw: VaultWorld) -> None:
    att = await vw.attempt()
    spool = watcher(vw).dir
    path = spool / f"{att}.wav"
    with open(path, "wb") as fh:
        fh.write(b"a" * 1000)
        fh.flush()
        assert await watcher(vw).scan(0.0) == []
        fh.write(b"b" * 1000)  # still growing
        fh.flush()
        assert await watcher(vw).scan(SETTLE + 1) == []
        # Stable now, but the recorder still has it open for writing.
        assert await watcher(vw).scan(2 * SETTLE + 2) == []
        assert path.exists()
    results = await watcher(vw).scan(2 * SETTLE + 3)
    assert [r["result"] for r in results] == ["ingested"]
    db = vw.client.server.app[DB]
    row = await db.fetchone("SELECT bytes FROM recordings")
    assert row is not None
    assert row["bytes"] == 2000


async def test_a_file_held_open_by_another_process_is_not_taken(vw: VaultWorld) -> None:
    att = await vw.attempt()
    path = watcher(vw).dir / f"{att}.wav"
    path.write_bytes(b"x" * 100)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import sys, time; f = open({str(path)!r}, 'ab'); print('open', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "open"
        assert await scan_twice(vw) == []
    finally:
        holder.kill()
        holder.wait(10)
        if holder.stdout is not None:
            holder.stdout.close()
    assert [r["result"] for r in await watcher(vw).scan(1000.0 + 2 * SETTLE)] == ["ingested"]


async def test_dotfiles_partial_and_sidecars(vw: VaultWorld) -> None:
    att = await vw.attempt()
    spool = watcher(vw).dir
    (spool / ".partial" / f"{att}.wav").write_bytes(b"still recording")
    (spool / f".{att}.wav").write_bytes(b"hidden")
    (spool / "call-0001.ogg").write_bytes(b"OggS" + b"\x00" * 500)
    (spool / "call-0001.ogg.json").write_text(json.dumps({"attempt_id": att, "content_type": "audio/ogg"}))
    results = await scan_twice(vw)
    assert [(r["file"], r["result"]) for r in results] == [("call-0001.ogg", "ingested")]
    assert (spool / ".partial" / f"{att}.wav").exists()
    assert (spool / f".{att}.wav").exists()
    assert (spool / "done" / "call-0001.ogg.json").exists()
    r = await vw.client.get(f"/v1/recordings/{results[0]['recording_id']}", headers=hdr(vw.w.inspector))
    assert (await r.json())["content_type"] == "audio/ogg"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        pytest.param("att_0000000000000000deadbeef.wav", b"RIFF", "not_found", id="unknown-attempt"),
        pytest.param("EMPTY.wav", b"", "empty_body", id="empty"),
        pytest.param("not an attempt id.wav", b"RIFF", "no_attempt", id="bad-name"),
    ],
)
async def test_rejected_files_get_a_reason_file(vw: VaultWorld, name: str, data: bytes, reason: str) -> None:
    att = await vw.attempt()
    spool = watcher(vw).dir
    name = name.replace("EMPTY", att)
    (spool / name).write_bytes(data)
    results = await scan_twice(vw)
    assert [(r["result"], r["reason"]) for r in results] == [("rejected", reason)]
    assert (spool / "rejected" / name).exists()
    assert not (spool / name).exists()
    why = json.loads((spool / "rejected" / f"{name}.reason.json").read_text())
    assert why["reason"] == reason
    assert why["file"] == name
    assert why["detail"]
    r = await vw.client.get("/v1/audit/access-log", headers=hdr(vw.security))
    rows = [e for e in (await r.json())["entries"] if e["action"] == "recording.upload"]
    assert rows[-1]["result"] == "rejected"
    assert rows[-1]["details"]["reason"] == reason


async def test_done_files_are_removed_after_the_keep_period(vw: VaultWorld) -> None:
    att = await vw.attempt()
    spool = watcher(vw).dir
    (spool / f"{att}.mp3").write_bytes(b"ID3" + os.urandom(100))
    await scan_twice(vw)
    kept = spool / "done" / f"{att}.mp3"
    assert kept.exists()
    old = time.time() - 2 * 86400
    os.utime(kept, (old, old))
    await watcher(vw).scan(5000.0)
    assert not kept.exists()


async def test_a_poisoned_sidecar_is_rejected_and_the_other_files_keep_flowing(vw: VaultWorld) -> None:
    """Found by an adversarial probe: a sidecar of "[" nested 100,000 deep raised RecursionError
    out of the scan, so no later file was ingested and done/ never expired."""
    att = await vw.attempt()
    spool = watcher(vw).dir
    (spool / "aaa.wav").write_bytes(b"RIFF" + os.urandom(500))
    (spool / "aaa.json").write_text("[" * 30_000)  # under the size cap, past the recursion limit
    (spool / "bbb.wav").write_bytes(b"RIFF" + os.urandom(500))
    (spool / "bbb.json").write_text(json.dumps({"attempt_id": att, "pad": "x" * 70_000}))
    (spool / f"{att}.wav").write_bytes(b"RIFF" + os.urandom(5000))
    results = {r["file"]: r for r in await scan_twice(vw)}
    assert results[f"{att}.wav"]["result"] == "ingested"
    assert (results["aaa.wav"]["result"], results["aaa.wav"]["reason"]) == ("rejected", "no_attempt")
    assert "RecursionError" in results["aaa.wav"]["detail"]
    assert "over 65536 bytes" in results["bbb.wav"]["detail"]
    assert (spool / "rejected" / "aaa.wav").exists()


async def test_a_file_name_that_is_not_utf8_is_ingested_under_a_readable_name(vw: VaultWorld) -> None:
    """Found by an adversarial probe: the name could not be stored, and the file was retried (and
    re-encrypted) every scan for ever."""
    att = await vw.attempt()
    spool = watcher(vw).dir
    raw = os.fsencode(spool) + b"/" + att.encode() + b".\xff.wav"
    with open(raw, "wb") as fh:
        fh.write(b"RIFF" + os.urandom(3000))
    results = await scan_twice(vw)
    assert [r["result"] for r in results] == ["ingested"], results
    r = await vw.client.get(f"/v1/recordings/{results[0]['recording_id']}", headers=hdr(vw.w.inspector))
    assert (await r.json())["filename"] == f"{att}.\ufffd.wav"
    assert not os.path.exists(raw)


async def test_a_file_that_keeps_failing_is_set_aside_not_retried_for_ever(
    vw: VaultWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    att = await vw.attempt()
    spool = watcher(vw).dir
    (spool / f"{att}.wav").write_bytes(b"RIFF" + os.urandom(3000))

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the store is broken for this one")

    monkeypatch.setattr("gateway.jobs.spool.ingest_file", broken)
    results: list[dict[str, Any]] = []
    for n in range(MAX_TRIES + 1):
        results += await watcher(vw).scan(1000.0 + n * SETTLE)
    assert [(r["result"], r["reason"]) for r in results] == [("rejected", "ingest_error")]
    assert (spool / "rejected" / f"{att}.wav").exists()
    why = json.loads((spool / "rejected" / f"{att}.wav.reason.json").read_text())
    assert "RuntimeError" in why["detail"]
