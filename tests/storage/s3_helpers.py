"""Builders for S3 store tests: a Vault on the real S3 server with its own key prefix in the
`cw-primary` / `cw-replica` buckets, attempts whose retention ends a few seconds from now, and
direct looks at the buckets."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from storage.crypto import MasterKeyring
from storage.db import Database, from_ts
from storage.objectstore import S3BlobStore
from storage.recordings import retain_until
from storage.s3client import S3Location, S3Options
from storage.vault import Vault
from tests.s3_server import SeaweedS3
from tests.storage.vault_helpers import bundled_retention, seed, write_master_key


def s3_store(
    tmp_path: Path, server: SeaweedS3, prefix: str, replica: bool = True, replica_bucket: str = "cw-replica"
) -> S3BlobStore:
    options = S3Options(endpoint=server.endpoint, region="us-east-1")
    return S3BlobStore(
        tmp_path / "recordings",
        S3Location("cw-primary", prefix),
        options,
        S3Location(replica_bucket, prefix) if replica else None,
    )


def make_s3_vault(
    tmp_path: Path, db: Database, server: SeaweedS3, replica: bool = True, replica_bucket: str = "cw-replica"
) -> Vault:
    key_file = tmp_path / "master.key"
    if not key_file.exists():
        write_master_key(key_file)
    prefix = f"t-{secrets.token_hex(6)}/"
    return Vault(
        db,
        s3_store(tmp_path, server, prefix, replica, replica_bucket),
        MasterKeyring(key_file),
        default_retention_days=365,
        retention_days_for=bundled_retention,
        max_bytes=1 << 30,
    )


def call_time_for(remaining_s: float, now: datetime | None = None) -> datetime:
    """When a call must have taken place for the real retention rule (365 days, never less than 12
    calendar months) to end `remaining_s` seconds from now: how the tests get a retain-until date
    a few seconds away without shortening any rule."""
    target = (now or datetime.now(UTC)) + timedelta(seconds=remaining_s)
    at = target - timedelta(days=365)
    for _ in range(4):
        at -= retain_until(at, 365) - target
    assert abs((retain_until(at, 365) - target).total_seconds()) < 1e-3
    return at


async def seed_expiring(db: Database, attempt_id: str, remaining_s: float) -> None:
    await seed(db, [(attempt_id, f"case-{attempt_id}", "a1")], at=call_time_for(remaining_s))


def versions(server: SeaweedS3, bucket: str, key: str) -> list[dict[str, Any]]:
    """Every version and delete marker of exactly `key`, as the server lists them."""
    r = server.client().list_object_versions(Bucket=bucket, Prefix=key)
    out = [{**v, "marker": False} for v in r.get("Versions", []) if v["Key"] == key]
    return out + [{**v, "marker": True} for v in r.get("DeleteMarkers", []) if v["Key"] == key]


def wait_until(moment: datetime, margin_s: float = 0.5) -> None:
    """Sleep until `moment` (plus a margin) has passed on the wall clock the server also uses."""
    delay = (moment - datetime.now(UTC)).total_seconds() + margin_s
    if delay > 0:
        time.sleep(delay)


def retain_until_of(rec: dict[str, Any]) -> datetime:
    return from_ts(str(rec["retain_until"]))
