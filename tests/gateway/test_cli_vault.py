"""`callwarden ingest`, `scrub`, `audit verify`, `retention report`, `keys rotate-master` on a
real data dir, and the retention floor that stops start-up."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sqlite3
from pathlib import Path

import pytest

from gateway.cli.main import main as cli_main
from gateway.settings import ConfigError, load_settings
from speech.audio import decode, merge_legs
from storage.db import Database
from tests.storage.vault_helpers import seed


@pytest.fixture
def vault_dir(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "replica").mkdir()
    monkeypatch.setenv("CALLWARDEN_RECORDINGS_REPLICA_DIR", str(tmp_path / "replica"))

    async def prepare() -> None:
        async with Database(data_dir / "callwarden.db") as db:
            await seed(db, [("att_1", "c1", "a1"), ("att_2", "c2", "a1"), ("att_3", "c3", "a2")])

    asyncio.run(prepare())
    return data_dir


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli_main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def db_rows(data_dir: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(data_dir / "callwarden.db")
    try:
        return [tuple(r) for r in conn.execute(sql)]
    finally:
        conn.close()


def test_ingest_files_and_folders_with_names_and_sidecars(
    vault_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "export"
    (src / "day2" / ".hidden").mkdir(parents=True)
    (src / "att_1.wav").write_bytes(b"RIFF" + os.urandom(2000))
    (src / "day2" / "call-77.ogg").write_bytes(b"OggS" + os.urandom(3000))
    (src / "day2" / "call-77.ogg.json").write_text(json.dumps({"attempt_id": "att_2"}))
    (src / "day2" / ".hidden" / "att_3.wav").write_bytes(b"skipped")
    (src / "att_nope.wav").write_bytes(b"RIFF")
    (src / "no attempt.wav").write_bytes(b"RIFF")
    single = tmp_path / "att_3.mp3"
    single.write_bytes(b"ID3" + os.urandom(100))
    code, out, err = run(capsys, "ingest", str(src), str(single), "--data-dir", str(vault_dir))
    assert code == 1  # two files were rejected
    assert "ingested 3 (" in out
    assert "duplicates 0, rejected 2" in out
    assert "rejected" in out
    assert "att_nope.wav: not_found" in out
    assert "no attempt.wav: no_attempt" in out
    assert "files" in err
    assert "MB/s" in err
    rows = db_rows(
        vault_dir, "SELECT attempt_id, source, content_type, filename, replica_status FROM recordings"
    )
    assert sorted(rows) == [
        ("att_1", "cli", "audio/wav", "att_1.wav", "ok"),
        ("att_2", "cli", "audio/ogg", "call-77.ogg", "ok"),
        ("att_3", "cli", "audio/mpeg", "att_3.mp3", "ok"),
    ]
    log = db_rows(vault_dir, "SELECT role, source, result FROM access_log ORDER BY seq")
    assert {r[0] for r in log} == {"operator"}
    assert all(str(r[1]).startswith("cli:") for r in log)
    assert sorted(r[2] for r in log) == ["ok", "ok", "ok", "rejected", "rejected"]
    code, out, _ = run(
        capsys, "ingest", str(src / "att_1.wav"), "--data-dir", str(vault_dir), "--json", "--quiet"
    )
    doc = json.loads(out)
    assert code == 0
    assert doc["summary"]["duplicate"] == 1
    assert doc["files"][0]["result"] == "duplicate"
    code, out, _ = run(
        capsys, "ingest", str(tmp_path / "missing.wav"), "--data-dir", str(vault_dir), "--quiet"
    )
    assert code == 1
    assert "missing" in out


def test_scrub_heals_from_the_replica_and_reports_what_it_cannot(
    vault_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for att in ("att_1", "att_2"):
        (tmp_path / f"{att}.wav").write_bytes(os.urandom(100_000))
        assert (
            run(capsys, "ingest", str(tmp_path / f"{att}.wav"), "--data-dir", str(vault_dir), "--quiet")[0]
            == 0
        )
    blobs = sorted(vault_dir.glob("recordings/store/*/*.cwb"))
    raw = bytearray(blobs[0].read_bytes())
    raw[5000] ^= 1
    blobs[0].write_bytes(bytes(raw))
    code, out, _ = run(capsys, "scrub", "--data-dir", str(vault_dir), "--deep")
    summary = json.loads(out)
    assert code == 0
    assert (summary["checked"], summary["healed"], summary["bad"]) == (2, 1, 0)
    replica = tmp_path / "replica" / blobs[1].relative_to(vault_dir / "recordings")
    blobs[1].unlink()
    replica.unlink()
    code, out, _ = run(capsys, "scrub", "--data-dir", str(vault_dir))
    assert code == 1
    assert json.loads(out)["bad"] == 1
    findings = db_rows(vault_dir, "SELECT copy, problem, action FROM scrub_findings ORDER BY finding_id")
    assert findings == [
        ("primary", "corrupt", "healed"),
        ("primary", "missing", "none"),
        ("replica", "missing", "none"),
    ]


def test_audit_verify_and_retention_report(
    vault_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "att_1.wav").write_bytes(b"a" * 100)
    (tmp_path / "att_3.wav").write_bytes(b"b" * 30)
    run(
        capsys,
        "ingest",
        str(tmp_path / "att_1.wav"),
        str(tmp_path / "att_3.wav"),
        "--data-dir",
        str(vault_dir),
    )
    code, out, _ = run(capsys, "retention", "report", "--data-dir", str(vault_dir))
    rows = json.loads(out)["rows"]
    assert code == 0
    assert [(r["agency_id"], r["recordings"], r["bytes"]) for r in rows] == [
        ("a1", 1, 100),
        ("a2", 1, 30),
    ]
    code, out, _ = run(
        capsys, "retention", "report", "--agency", "a2", "--format", "csv", "--data-dir", str(vault_dir)
    )
    assert code == 0
    assert out.splitlines()[1].startswith("a2,2026-03,1,30,")
    assert run(capsys, "retention", "report", "--month", "2026", "--data-dir", str(vault_dir))[0] == 2
    code, out, _ = run(capsys, "audit", "verify", "--data-dir", str(vault_dir))
    assert code == 0
    assert json.loads(out)["ok"] is True
    assert json.loads(out)["rows"] == 4
    conn = sqlite3.connect(vault_dir / "callwarden.db", isolation_level=None)
    conn.execute("DROP TRIGGER access_log_no_delete")
    conn.execute("DELETE FROM access_log WHERE seq = 2")
    conn.close()
    code, out, err = run(capsys, "audit", "verify", "--data-dir", str(vault_dir))
    assert code == 1
    assert json.loads(out)["first_bad_row"] == {
        "seq": 3,
        "problem": "sequence_gap",
        "detail": "row 3 follows row 1: rows were deleted",
    }
    assert "BROKEN" in err


def test_rotate_master_key(vault_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "att_1.wav").write_bytes(b"before")
    run(capsys, "ingest", str(tmp_path / "att_1.wav"), "--data-dir", str(vault_dir))
    code, out, err = run(capsys, "keys", "rotate-master", "--data-dir", str(vault_dir))
    assert code == 0
    assert out.strip() == "mk2"
    assert "back up master.key" in err
    assert [line.split(":")[0] for line in (vault_dir / "master.key").read_text().splitlines()] == [
        "mk1",
        "mk2",
    ]
    (tmp_path / "att_2.wav").write_bytes(b"after")
    run(capsys, "ingest", str(tmp_path / "att_2.wav"), "--data-dir", str(vault_dir))
    keys = db_rows(
        vault_dir,
        "SELECT r.attempt_id, k.master_key_id FROM recordings r JOIN recording_keys k USING (recording_id)",
    )
    assert sorted(keys) == [("att_1", "mk1"), ("att_2", "mk2")]
    code, out, _ = run(capsys, "scrub", "--deep", "--data-dir", str(vault_dir))
    assert code == 0
    assert json.loads(out)["ok"] == 2


def test_retention_below_365_days_stops_start_up(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(
        ConfigError, match=r"recordings.retention_days must be at least 365.*12 months.*got 200"
    ):
        load_settings(data_dir, env={"CALLWARDEN_RECORDINGS_RETENTION_DAYS": "200"})
    (data_dir / "callwarden.toml").write_text("[recordings]\nretention_days = 364\n")
    code, _, err = run(capsys, "serve", "--data-dir", str(data_dir))
    assert code == 2
    assert "retention_days must be at least 365" in err


def _tone(path: Path, hz: int, seconds: float, rate: int = 8000) -> None:
    import subprocess

    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi",
         "-i", f"sine=frequency={hz}:duration={seconds}", "-ar", str(rate), "-ac", "1", str(path)],
        check=True,
    )  # fmt: skip


def test_ingest_left_right_merges_two_legs_into_one_stereo_recording(
    vault_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    agent, debtor = tmp_path / "att_1.agent.wav", tmp_path / "att_1.debtor.wav"
    _tone(agent, 440, 2.0)
    _tone(debtor, 880, 1.5, rate=16000)  # another rate and length: resampled and padded
    code, out, err = run(
        capsys, "ingest", "--left", str(agent), "--right", str(debtor), "--remove-legs", "--json",
        "--data-dir", str(vault_dir),
    )  # fmt: skip
    assert code == 0, err
    (result,) = json.loads(out)["files"]
    assert (result["result"], result["attempt_id"]) == ("ingested", "att_1")
    assert not agent.exists()
    assert not debtor.exists()
    ((sha, ctype),) = db_rows(
        vault_dir, "SELECT sha256, content_type FROM recordings WHERE attempt_id = 'att_1'"
    )
    assert ctype == "audio/wav"
    # What was stored is the two legs merged: the same merge of copies gives the same bytes.
    _tone(agent, 440, 2.0)
    _tone(debtor, 880, 1.5, rate=16000)
    again = tmp_path / "again.wav"
    merge_legs(agent, debtor, again)
    assert hashlib.sha256(again.read_bytes()).hexdigest() == sha
    audio = decode(again, rate=8000)
    assert [c.name for c in audio.channels] == ["left", "right"]
    assert abs(audio.duration - 2.0) < 0.05


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--left", "a.wav"], id="left-alone"),
        pytest.param(["--left", "a.wav", "--right", "b.wav", "extra.wav"], id="legs-and-paths"),
        pytest.param([], id="nothing"),
    ],
)
def test_ingest_usage_errors_exit_2(
    vault_dir: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, _out, err = run(capsys, "ingest", *args, "--data-dir", str(vault_dir))
    assert code == 2
    assert "ingest:" in err
