"""API keys: stored only as a SHA-256 hash of a 32-byte random secret, shown once at creation."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from policies.errors import InputError
from storage.db import Database, NotFound, to_ts

__all__ = [
    "REVIEWERS",
    "ROLES",
    "ApiKey",
    "Role",
    "create_key",
    "list_keys",
    "lookup_key",
    "parse_key",
    "revoke_key",
]


class Role(StrEnum):
    """What a key may do (docs/api.md, "Roles")."""

    ADMIN = "admin"  # agencies, cases, keys, retention; not bound to an agency
    DIALER = "dialer"  # contact requests and recordings of its agency
    INSPECTOR = "inspector"  # flags, transcripts, reviews
    SECURITY = "security"  # access log, retention, legal holds


ROLES: tuple[Role, ...] = tuple(Role)
# Those who review what was done: they read recordings, transcripts and flags, and see every
# phone number masked (admins keep the cases and dialers dial them, with the numbers whole).
REVIEWERS: tuple[Role, ...] = (Role.INSPECTOR, Role.SECURITY)
PREFIX = "cw"
# `cw_<12 hex>_<43 url-safe base64>`: anything else is malformed before any lookup, so a
# non-ASCII or over-long secret is an ordinary 401 (never an error, never a key-id oracle).
_KEY_RE = re.compile(r"cw_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")


@dataclass(frozen=True)
class ApiKey:
    """A stored key (never the secret): who it is and what it may do."""

    key_id: str
    role: str
    agency_id: str | None
    name: str
    created_at: str
    revoked_at: str | None
    secret_hash: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id,
            "role": self.role,
            "agency_id": self.agency_id,
            "name": self.name,
            "created_at": self.created_at,
            "revoked_at": self.revoked_at,
        }


def _hash(secret: str) -> str:
    # The secret carries 256 bits of entropy, so a fast hash is enough (no password stretching).
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def parse_key(presented: str) -> tuple[str, str] | None:
    """Split a presented key `cw_<key_id>_<secret>` into (key_id, secret); None if malformed."""
    m = _KEY_RE.fullmatch(presented)
    return (m.group(1), m.group(2)) if m else None


def verify_secret(key: ApiKey, secret: str) -> bool:
    """Constant-time comparison of a presented secret with the stored hash."""
    return hmac.compare_digest(key.secret_hash, _hash(secret))


def _row_to_key(row: Any) -> ApiKey:
    return ApiKey(
        key_id=row["key_id"],
        role=row["role"],
        agency_id=row["agency_id"],
        name=row["name"],
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
        secret_hash=row["secret_hash"],
    )


async def create_key(
    db: Database, role: str, agency_id: str | None = None, name: str = ""
) -> tuple[ApiKey, str]:
    """Create a key; returns (stored key, the full key string to show once)."""
    if role not in ROLES:
        raise InputError("role", f"role must be one of {', '.join(ROLES)}")
    if role == Role.DIALER and not agency_id:
        raise InputError("agency_id", "a dialer key must be bound to an agency (--agency)")
    if role == Role.ADMIN and agency_id:
        raise InputError("agency_id", "an admin key is not bound to an agency")
    key_id = secrets.token_hex(6)
    secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode("ascii")

    def write(conn: sqlite3.Connection) -> ApiKey:
        if (
            agency_id is not None
            and conn.execute("SELECT 1 FROM agencies WHERE agency_id = :id", {"id": agency_id}).fetchone()
            is None
        ):
            raise NotFound("agency", agency_id)
        conn.execute(
            "INSERT INTO api_keys (key_id, secret_hash, role, agency_id, name, created_at)"
            " VALUES (:id, :hash, :role, :agency, :name, :now)",
            {
                "id": key_id,
                "hash": _hash(secret),
                "role": role,
                "agency": agency_id,
                "name": name,
                "now": to_ts(datetime.now(UTC)),
            },
        )
        row = conn.execute("SELECT * FROM api_keys WHERE key_id = :id", {"id": key_id}).fetchone()
        return _row_to_key(row)

    key = await db.write(write)
    return key, f"{PREFIX}_{key_id}_{secret}"


async def lookup_key(db: Database, key_id: str) -> ApiKey | None:
    row = await db.fetchone("SELECT * FROM api_keys WHERE key_id = :id", {"id": key_id})
    return None if row is None else _row_to_key(row)


async def list_keys(db: Database) -> list[ApiKey]:
    rows = await db.fetchall("SELECT * FROM api_keys ORDER BY created_at, key_id")
    return [_row_to_key(r) for r in rows]


async def revoke_key(db: Database, key_id: str) -> ApiKey:
    """Revoke a key (idempotent); NotFound if there is no such key."""

    def write(conn: sqlite3.Connection) -> ApiKey:
        params = {"id": key_id, "now": to_ts(datetime.now(UTC))}
        conn.execute(
            "UPDATE api_keys SET revoked_at = :now WHERE key_id = :id AND revoked_at IS NULL", params
        )
        row = conn.execute("SELECT * FROM api_keys WHERE key_id = :id", params).fetchone()
        if row is None:
            raise NotFound("key", key_id)
        return _row_to_key(row)

    return await db.write(write)
