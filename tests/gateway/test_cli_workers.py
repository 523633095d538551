"""Transcription workers as real processes: `kill -9` of a worker in the middle of a job, then a
second worker takes the job over when the lease expires and finishes it; `callwarden serve`
starts its workers (speech.workers), a recording uploaded to it is transcribed, and killing the
server with `kill -9` takes the workers down with it. Real speech (espeak-ng, 8 kHz µ-law
stereo) through Whisper base from PyPI, assembled in the data dir and loaded by each worker process."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from gateway.cli.main import main as cli_main
from speech.chinese import is_simplified
from tests.gateway.helpers import DEBTOR_NUMBER, case_body, hdr
from tests.gateway.test_serve import Server, cli, initialised  # noqa: F401 - the fixture
from tests.gateway.vault_world import make_vault_world
from tests.speech.conftest import Call, make_call, mix_call

pytestmark = pytest.mark.slow

FAST_JOBS = {"CALLWARDEN_SPEECH_JOB_LEASE_S": "2", "CALLWARDEN_SPEECH_JOB_POLL_S": "0.1"}


@pytest.fixture(scope="module")
def call(tmp_path_factory: pytest.TempPathFactory) -> Call:
    return make_call(
        tmp_path_factory.mktemp("workers"),
        "threat",
        left=[(0.3, "Hello, this is Jordan calling about your account."), (9.0, "We will break your legs.")],
        right=[(5.0, "I cannot pay anything this month.")],
        total=12.0,
    )


def job_row(data_dir: Path) -> dict[str, Any] | None:
    conn = sqlite3.connect(f"file:{data_dir / 'callwarden.db'}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute("SELECT * FROM transcription_jobs").fetchone()
        return None if row is None else dict(row)
    finally:
        conn.close()


async def wait_for(what: str, check: Any, timeout: float = 60.0, every: float = 0.02) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        await asyncio.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


async def test_kill_9_mid_job_then_another_worker_finishes_it(
    aiohttp_client: Any, data_dir: Path, make_key: Any, call: Call
) -> None:
    vw = await make_vault_world(aiohttp_client, data_dir, make_key)
    status, rec = await vw.upload(await vw.attempt(), call.path.read_bytes())
    assert status == 201
    env = {**os.environ, **FAST_JOBS}
    log = (data_dir / "worker-a.log").open("w")
    first = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli", "workers", "--data-dir", str(data_dir), "--child"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    second: subprocess.Popen[bytes] | None = None
    try:
        # Mid-job: claimed by the first worker, the recording decrypted into its work dir, the
        # model loading or the audio being transcribed.
        def decrypted() -> list[Path]:
            row = job_row(data_dir)
            if row is None or row["status"] != "running" or not row["worker"].endswith(f":{first.pid}"):
                return []
            return list((data_dir / "speech-work").glob(f"{first.pid}-*/*.audio"))

        (plaintext,) = await wait_for("the first worker to start the job", decrypted)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        row = job_row(data_dir)
        assert row is not None
        assert row["status"] == "running"
        assert row["attempts"] == 1
        assert plaintext.exists()  # what a dead worker leaves behind

        second = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", "workers", "--data-dir", str(data_dir), "--workers", "1"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        done = await wait_for(
            "the second worker to finish the job",
            lambda: (r := job_row(data_dir)) is not None and r["status"] in ("done", "failed") and r,
            timeout=90,
            every=0.1,
        )
        assert done["status"] == "done", done
        assert done["attempts"] == 2
        assert not done["worker"].endswith(f":{first.pid}")
        (died,) = json.loads(done["errors"])
        assert died["kind"] == "worker_died"
        assert f":{first.pid} stopped during attempt 1" in died["error"]
        assert not plaintext.exists()
        assert not plaintext.parent.exists()
        second_worker = int(done["worker"].rsplit(":", 1)[1])
        assert second_worker in children(second.pid)
    finally:
        if first.poll() is None:
            first.kill()
        if second is not None and second.poll() is None:
            second.send_signal(signal.SIGTERM)
            assert second.wait(20) == 0
        log.close()
    assert not alive(second_worker), "the supervisor stops its worker"
    r = await vw.client.get("/v1/flags", params={"category": "threat_violence"}, headers=hdr(vw.w.inspector))
    (flag,) = (await r.json())["flags"]
    assert flag["recording_id"] == rec["recording_id"]
    assert flag["channel"] == "left"
    assert call.span("break your legs")[1] <= flag["start"]
    r = await vw.client.get("/v1/audit/verify", headers=hdr(vw.security))
    assert (await r.json())["ok"] is True


async def test_the_supervisor_removes_a_killed_workers_audio_and_gives_its_job_back_at_once(
    aiohttp_client: Any, data_dir: Path, make_key: Any, call: Call
) -> None:
    """A probe's killed workers left their decrypted audio on disk for as long as the server
    ran (it was removed only at the next start), and their job showed `running` until its lease
    ran out: the supervisor removes the audio and ends the lease when it sees one die."""
    vw = await make_vault_world(aiohttp_client, data_dir, make_key)
    status, _ = await vw.upload(await vw.attempt(), call.path.read_bytes())
    assert status == 201
    log = (data_dir / "workers.log").open("w")
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli", "workers", "--data-dir", str(data_dir), "--workers", "1"],
        env={**os.environ, **FAST_JOBS, "CALLWARDEN_SPEECH_JOB_LEASE_S": "60"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:

        def decrypted() -> list[tuple[int, Path]]:
            return [
                (pid, path)
                for pid in children(supervisor.pid)
                for path in (data_dir / "speech-work").glob(f"{pid}-*/*.audio")
            ]

        ((worker, plaintext),) = await wait_for("a worker to start the job", decrypted)
        os.kill(worker, signal.SIGKILL)
        killed = time.monotonic()
        await wait_for("the dead worker's audio to go", lambda: not plaintext.parent.exists(), timeout=10)
        # The lease is 60 s: the restarted worker takes the job again long before it would run out.
        retaken = await wait_for(
            "the job to be taken again",
            lambda: (r := job_row(data_dir)) is not None and r["attempts"] == 2 and r,
            timeout=30,
            every=0.1,
        )
        assert time.monotonic() - killed < 30
        assert not retaken["worker"].endswith(f":{worker}")
        (died,) = json.loads(retaken["errors"])
        assert died["kind"] == "worker_died"
        assert died["worker"].endswith(f":{worker}")
    finally:
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(20) == 0
        log.close()


async def test_a_mandarin_recording_gets_whisper_base_assembled_in_the_data_dir(
    aiohttp_client: Any, data_dir: Path, make_key: Any, tmp_path: Path
) -> None:
    """A worker process learns the data dir from its command line: its first Mandarin job
    assembles Whisper base from the two PyPI packages into DATA/models/whisper-base (not the
    user's cache: XDG_CACHE_HOME points at an empty folder), offline, and the transcript of real
    recorded Mandarin is stored in Simplified characters."""
    vw = await make_vault_world(aiohttp_client, data_dir, make_key)
    r = await vw.client.put("/v1/cases/czh", json=case_body(language="zh"), headers=hdr(vw.w.admin))
    assert r.status == 201, await r.text()
    clips = Path(__file__).resolve().parents[1] / "data" / "speech" / "zh"
    zh_call = mix_call(
        tmp_path,
        "zh",
        left=[(0.3, clips / "funasr_asr_example.wav", "欢迎大家来体验达摩院推出的语音识别模型")],
        right=[],  # silence: the voice-activity filter skips it, the job stays short
        total=7.0,
    )
    status, rec = await vw.upload(await vw.attempt("czh"), zh_call.path.read_bytes())
    assert status == 201
    user_cache = tmp_path / "user-cache"
    env = {**os.environ, **FAST_JOBS, "HF_HUB_OFFLINE": "1", "XDG_CACHE_HOME": str(user_cache)}
    log = (data_dir / "worker-zh.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli", "workers", "--data-dir", str(data_dir), "--child"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        done = await wait_for(
            "the worker to finish the Mandarin job",
            lambda: (r := job_row(data_dir)) is not None and r["status"] in ("done", "failed") and r,
            timeout=100,
            every=0.1,
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(20)
        log.close()
    assert done["status"] == "done", (done, (data_dir / "worker-zh.log").read_text())
    folder = data_dir / "models" / "whisper-base"
    assert (done["language"], done["engine"], done["model"]) == ("zh", "whisper", str(folder))
    assert (folder / "model.bin").stat().st_size == 145217532
    assert not (user_cache / "callwarden").exists()  # (onnxruntime keeps a device id there)
    r = await vw.client.get(
        f"/v1/recordings/{rec['recording_id']}/transcript",
        params={"reason": "quality review"},
        headers=hdr(vw.w.inspector),
    )
    text = "".join(seg["text"] for seg in (await r.json())["segments"])
    assert "欢迎" in text, text
    assert "识别" in text, text
    assert is_simplified(text), text


async def test_serve_starts_workers_that_transcribe_and_die_with_it(
    initialised: tuple[Path, dict[str, str]],  # noqa: F811
    call: Call,
) -> None:
    data_dir, env = initialised
    server = Server(data_dir, {**env, **FAST_JOBS, "CALLWARDEN_SPEECH_WORKERS": "1"})
    try:
        server.wait_ready()
        admin = cli("keys", "create", "--data-dir", str(data_dir), "--role", "admin").split()[-1]
        inspector = cli("keys", "create", "--data-dir", str(data_dir), "--role", "inspector").split()[-1]
        async with aiohttp.ClientSession() as http:
            r = await http.put(f"{server.url}/v1/agencies/a1", json={"name": "A"}, headers=hdr(admin))
            assert r.status == 201
            r = await http.put(f"{server.url}/v1/cases/c1", json=case_body(), headers=hdr(admin))
            assert r.status == 201
            dialer = cli(
                "keys", "create", "--data-dir", str(data_dir), "--role", "dialer", "--agency", "a1"
            ).split()[-1]
            r = await http.post(
                f"{server.url}/v1/authorize",
                json={"case_id": "c1", "to": DEBTOR_NUMBER, "channel": "call"},
                headers=hdr(dialer),
            )
            decision = await r.json()
            attempt = decision["attempt_id"]
            assert attempt, decision
            r = await http.post(
                f"{server.url}/v1/recordings?attempt_id={attempt}",
                data=call.path.read_bytes(),
                headers={**hdr(dialer), "Content-Type": "audio/wav"},
            )
            assert r.status == 201
            rid = (await r.json())["recording_id"]

            async def status() -> dict[str, Any]:
                r = await http.get(f"{server.url}/v1/recordings/{rid}", headers=hdr(inspector))
                return dict((await r.json())["transcript"])

            deadline = time.monotonic() + 90
            while (t := await status())["status"] not in ("done", "failed") and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
            assert t["status"] == "done", (t, server.log.read_text())
            r = await http.get(f"{server.url}/v1/flags", headers=hdr(inspector))
            assert "threat_violence" in {f["category"] for f in (await r.json())["flags"]}
        (supervisor,) = children(server.proc.pid)
        workers = children(supervisor)
        assert len(workers) == 1
        assert t["worker"].endswith(f":{workers[0]}")
        os.kill(server.proc.pid, signal.SIGKILL)
        server.proc.wait(10)
        deadline = time.monotonic() + 15
        while (alive(supervisor) or alive(workers[0])) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        assert not alive(supervisor), "the supervisor outlived the killed server"
        assert not alive(workers[0]), "workers outlived the killed server"
    finally:
        server.stop()


def test_workers_count_setting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from gateway.jobs.supervisor import default_workers, resolve_workers
    from gateway.settings import ConfigError

    assert resolve_workers("auto") == default_workers() == max(1, (os.cpu_count() or 1) - 1)
    assert resolve_workers("0") == 0
    assert resolve_workers(" 3 ") == 3
    for bad in ("many", "-1"):
        with pytest.raises(ConfigError, match=r"speech\.workers"):
            resolve_workers(bad)
    assert cli_main(["workers", "--data-dir", str(tmp_path / "nothing")]) == 2
    assert "callwarden init" in capsys.readouterr().err
