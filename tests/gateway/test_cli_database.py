"""`callwarden migrate`, `doctor` and `db copy` on both engines."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from gateway.cli.main import main as cli_main
from gateway.settings import Settings
from storage.audit import Access, Actor, append, verify
from storage.backends import open_db
from storage.cases import add_cease
from storage.db import Database, _migrations
from tests.pg_database import both_backends, fresh_database
from tests.storage.vault_helpers import make_vault, put, seed

OPERATOR = Actor(None, "operator", None, "cli:test")


@both_backends
def test_migrate_reports_the_schema_version_on_either_engine(
    data_dir: Path, backend: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["migrate", "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    latest = max(version for version, _, _ in _migrations())
    assert f"schema at version {latest} (nothing to apply)" in out  # init already migrated
    assert out.startswith("postgresql://" if backend == "postgresql" else "sqlite:")


@both_backends
def test_doctor_checks_the_configured_database(
    data_dir: Path, backend: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_main(["doctor", "--data-dir", str(data_dir)])
    lines = [x for x in capsys.readouterr().out.splitlines() if "database" in x]
    engine = "postgresql://" if backend == "postgresql" else "sqlite:"
    assert lines[0].startswith(f"[ok  ] database {engine}"), lines
    assert lines[0].endswith("(migrated, writable)")


def test_doctor_says_how_to_fix_an_unreachable_postgresql(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    d = tmp_path / "var"
    assert cli_main(["init", "--data-dir", str(d)]) == 0
    monkeypatch.setenv("CALLWARDEN_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/nowhere")
    assert cli_main(["doctor", "--data-dir", str(d)]) == 1
    out = capsys.readouterr().out
    assert "[FAIL] database postgresql://postgres@127.0.0.1:1/nowhere" in out
    assert "the server is up and is the primary" in out


async def _installation(tmp_path: Path, db: Database) -> dict[str, Any]:
    """A small but complete installation: agencies, cases, attempts, a recording with its wrapped
    key, a cease (an identity id) and access-log rows."""
    await seed(db, [("att_1", "c1", "a1"), ("att_2", "c2", "a2")])
    vault = make_vault(tmp_path, db)
    await vault.open()
    try:
        rec, _ = await put(vault, b"RIFF" + bytes(range(256)) * 40)
    finally:
        await vault.close()
    await add_cease(db, "c1", ["sms"], "asked by letter", None, None)
    for _ in range(5):
        await append(
            db, Access(OPERATOR, "recording.audio", "recording", str(rec["recording_id"]), "ok", "qa")
        )
    key = await db.fetchone("SELECT wrapped_key FROM recording_keys")
    assert key is not None
    return {"recording_id": rec["recording_id"], "wrapped": bytes(key["wrapped_key"])}


async def _counts(db: Database) -> dict[str, int]:
    out = {}
    for table in ("agencies", "cases", "ceases", "attempts", "recordings", "recording_keys", "access_log",
                  "transcription_jobs", "case_numbers"):  # fmt: skip
        row = await db.fetchone(f"SELECT count(*) AS n FROM {table}")
        assert row is not None
        out[table] = int(row["n"])
    return out


async def test_db_copy_moves_an_installation_with_its_chain_intact(
    tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    async with open_db(settings.db_path) as src:
        facts = await _installation(tmp_path, src)
        before = await _counts(src)
        head = await src.fetchone("SELECT seq, hash FROM access_log ORDER BY seq DESC LIMIT 1")
        assert head is not None
    with fresh_database() as url:
        argv = ["db", "copy", "--from", f"sqlite:{settings.db_path}", "--to", url]
        # The command runs its own event loop: on a thread of its own, as from a shell.
        assert await asyncio.to_thread(cli_main, [*argv, "--data-dir", str(settings.data_dir)]) == 0
        out = capsys.readouterr().out
        assert '"ok": true' in out
        async with open_db(url) as dest:
            assert await _counts(dest) == before
            assert before["access_log"] >= 6
            row = await dest.fetchone("SELECT wrapped_key FROM recording_keys")
            assert row is not None
            assert bytes(row["wrapped_key"]) == facts["wrapped"]
            result = await verify(dest, None)
            assert result["ok"]
            assert result["head"] == {"seq": head["seq"], "hash": head["hash"]}
            # The moved installation carries on: the chain grows from the copied head, ids continue.
            seq = await append(dest, Access(OPERATOR, "audit.read", "access_log", "access_log", "ok"))
            assert seq == head["seq"] + 1
            assert (await verify(dest, None))["ok"]
            await add_cease(dest, "c2", ["call"], "asked again", None, None)
        # A second copy into the now non-empty database is refused, and changes nothing.
        assert await asyncio.to_thread(cli_main, argv) != 0
        assert "not empty" in capsys.readouterr().err


def test_db_copy_refuses_what_is_not_sqlite_to_postgresql(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["db", "copy", "--from", str(tmp_path / "x.db"), "--to", "postgresql://h/x"]) == 2
    assert cli_main(["db", "copy", "--from", f"sqlite:{tmp_path / 'x.db'}", "--to", "mysql://h/x"]) == 2
    assert "--to must be a postgresql:// URL" in capsys.readouterr().err


async def test_db_copy_refuses_a_source_whose_chain_is_broken_and_copies_nothing(
    tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """The copy used to run, leave its rows in the destination and then say "differs from the
    source" with the same head on both sides (a probe): the source is checked first now."""
    async with open_db(settings.db_path) as src:
        await _installation(tmp_path, src)
    conn = sqlite3.connect(settings.db_path)
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'access_log'"
    ):
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("UPDATE access_log SET reason = 'edited' WHERE seq = 2")
    conn.commit()
    conn.close()
    with fresh_database() as url:
        argv = ["db", "copy", "--from", f"sqlite:{settings.db_path}", "--to", url]
        assert await asyncio.to_thread(cli_main, [*argv, "--data-dir", str(settings.data_dir)]) != 0
        err = capsys.readouterr().err
        assert "does not verify (row 2" in err, err
        async with open_db(url) as dest:
            assert set((await _counts(dest)).values()) == {0}
