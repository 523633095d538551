"""Console sessions: a signed-in person's server-side session, found by the SHA-256 of the random
token in their cookie. A session lapses after the idle timeout, at sign-out, or when its key is
revoked; each request that finds it alive moves `last_seen_at`."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from storage.db import Database, to_ts

__all__ = ["ConsoleSession", "end_session", "open_session", "resume_session", "set_session_lang"]


@dataclass(frozen=True)
class ConsoleSession:
    """A live session: who (the API key it was opened with) and its CSRF token and language."""

    token_hash: str
    key_id: str
    role: str
    agency_id: str | None
    csrf_token: str
    lang: str
    created_at: str
    last_seen_at: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _session(row: Any) -> ConsoleSession:
    return ConsoleSession(
        token_hash=row["token_hash"],
        key_id=row["key_id"],
        role=row["role"],
        agency_id=row["agency_id"],
        csrf_token=row["csrf_token"],
        lang=row["lang"],
        created_at=row["created_at"],
        last_seen_at=row["last_seen_at"],
    )


async def open_session(
    db: Database, key_id: str, role: str, agency_id: str | None, lang: str, source: str, now: datetime
) -> tuple[str, ConsoleSession]:
    """A new session; returns (the token for the cookie, the session). The token is never stored."""
    token = secrets.token_urlsafe(32)
    params = {
        "hash": token_hash(token),
        "key": key_id,
        "role": role,
        "agency": agency_id,
        "csrf": secrets.token_urlsafe(32),
        "lang": lang,
        "source": source,
        "now": to_ts(now),
    }

    def write(conn: sqlite3.Connection) -> ConsoleSession:
        conn.execute(
            "INSERT INTO console_sessions (token_hash, key_id, role, agency_id, csrf_token, lang, source,"
            " created_at, last_seen_at) VALUES (:hash, :key, :role, :agency, :csrf, :lang, :source, :now,"
            " :now)",
            params,
        )
        row = conn.execute("SELECT * FROM console_sessions WHERE token_hash = :hash", params).fetchone()
        return _session(row)

    return token, await db.write(write)


async def resume_session(
    db: Database,
    token: str,
    idle_timeout_s: float,
    now: datetime,
    touch_after_s: float = 15.0,
    activity: bool = True,
) -> tuple[ConsoleSession | None, str | None]:
    """The live session of `token` and None, or None and why not (`unknown`, `ended`, `expired`,
    `revoked`). An expired or revoked session is ended on the spot. `last_seen_at` is written at
    most every `touch_after_s` (a page loads several assets; one write is enough), and not for a
    request a page makes by itself (`activity=False`): it is not someone at the screen."""
    h = token_hash(token)
    row = await db.fetchone(
        "SELECT s.*, k.revoked_at FROM console_sessions s JOIN api_keys k ON k.key_id = s.key_id"
        " WHERE s.token_hash = :hash",
        {"hash": h},
    )
    if row is None:
        return None, "unknown"
    if row["ended_at"] is not None:
        return None, "ended"
    why = None
    if row["revoked_at"] is not None:
        why = "revoked"
    elif row["last_seen_at"] < to_ts(now - timedelta(seconds=idle_timeout_s)):
        why = "expired"
    if why is not None:
        await end_session(db, token, now, why)
        return None, why
    session = _session(row)
    touch_after_s = min(touch_after_s, idle_timeout_s / 4)
    if activity and row["last_seen_at"] < to_ts(now - timedelta(seconds=touch_after_s)):

        def touch(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE console_sessions SET last_seen_at = :now"
                " WHERE token_hash = :hash AND ended_at IS NULL",
                {"hash": h, "now": to_ts(now)},
            )

        await db.write(touch)
    return session, None


async def end_session(db: Database, token: str, now: datetime, reason: str = "signed_out") -> bool:
    """End the session (idempotent); True if it was live."""

    def write(conn: sqlite3.Connection) -> bool:
        cur = conn.execute(
            "UPDATE console_sessions SET ended_at = :now, end_reason = :reason"
            " WHERE token_hash = :hash AND ended_at IS NULL",
            {"hash": token_hash(token), "now": to_ts(now), "reason": reason},
        )
        return cur.rowcount > 0

    return await db.write(write)


async def set_session_lang(db: Database, token: str, lang: str) -> None:
    def write(conn: sqlite3.Connection) -> None:
        conn.execute(
            "UPDATE console_sessions SET lang = :lang WHERE token_hash = :hash",
            {"hash": token_hash(token), "lang": lang},
        )

    await db.write(write)
