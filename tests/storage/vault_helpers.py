"""Builders for vault tests: a database with agencies, cases and attempts, and a Vault over real
files in tmp_path (master key file, primary store, replica)."""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import policies
from storage.audit import Actor
from storage.blobs import BlobStore
from storage.crypto import MasterKeyring, master_key_line
from storage.db import Database, to_ts
from storage.vault import Vault

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
DIALER = Actor("k_dialer", "dialer", "a1", "127.0.0.1")


def write_master_key(path: Path, key_id: str = "mk1") -> None:
    path.write_text(master_key_line(key_id, secrets.token_bytes(32)))
    os.chmod(path, 0o600)


async def seed(
    db: Database,
    attempts: Sequence[tuple[str, str, str]] = (("att_1", "c1", "a1"),),
    packs: Sequence[str] = (),
    at: datetime = T0,
) -> None:
    """Agencies a1, a2; one case per (case, agency) named; attempts (attempt_id, case, agency)."""

    def write(conn: sqlite3.Connection) -> None:
        ts = to_ts(at)
        for agency in ("a1", "a2"):
            conn.execute(
                "INSERT INTO agencies (agency_id, name, status, created_at, updated_at)"
                " VALUES (:a, :a, 'active', :ts, :ts) ON CONFLICT DO NOTHING",
                {"a": agency, "ts": ts},
            )
        for attempt_id, case_id, agency in attempts:
            conn.execute(
                "INSERT INTO cases (case_id, agency_id, debtor_id, status, region, doc, created_at,"
                " updated_at) VALUES (:c, :a, :d, 'active', 'US', :doc, :ts, :ts) ON CONFLICT DO NOTHING",
                {
                    "c": case_id,
                    "a": agency,
                    "d": f"case:{case_id}",
                    "doc": json.dumps({"packs": list(packs)}),
                    "ts": ts,
                },
            )
            # The call was placed at once and reported: recordings of it are dated T0 (the start).
            conn.execute(
                "INSERT INTO attempts (attempt_id, decision_id, case_id, debtor_id, agency_id, channel,"
                " to_number, party, at, result, spoke_with, started_at, ended_at, outcome_at)"
                " VALUES (:id, 'dec', :c, :d, :a, 'call', '+12125550123', 'debtor', :ts, 'connected',"
                " 'debtor', :start, :end, :end)",
                {
                    "id": attempt_id,
                    "c": case_id,
                    "d": f"case:{case_id}",
                    "a": agency,
                    "ts": ts,
                    "start": ts,
                    "end": to_ts(at + timedelta(minutes=3)),
                },
            )

    await db.write(write)


def bundled_retention(names: Sequence[str]) -> int:
    return policies.retention_days(policies.load_packs(names))


def make_vault(
    tmp_path: Path,
    db: Database,
    replica: bool = True,
    max_bytes: int = 1 << 30,
    default_days: int = 365,
) -> Vault:
    key_file = tmp_path / "master.key"
    if replica:
        (tmp_path / "replica").mkdir(exist_ok=True)  # a replica folder is never created by the vault
    if not key_file.exists():
        write_master_key(key_file)
    return Vault(
        db,
        BlobStore(tmp_path / "recordings", tmp_path / "replica" if replica else None),
        MasterKeyring(key_file),
        default_retention_days=default_days,
        retention_days_for=bundled_retention,
        max_bytes=max_bytes,
    )


async def chunks_of(data: bytes, size: int = 100_000) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


async def put(
    vault: Vault, data: bytes, attempt_id: str = "att_1", **kw: object
) -> tuple[dict[str, object], bool]:
    return await vault.ingest(
        attempt_id,
        chunks_of(data),
        content_type=str(kw.pop("content_type", "audio/wav")),
        actor=DIALER,
        source="http",
        **kw,  # type: ignore[arg-type]
    )


def store_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "store").rglob("*") if p.is_file())


def tmp_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "tmp").rglob("*") if p.is_file() and not p.name.endswith(".lock"))
