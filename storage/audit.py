"""The access log: every read, write, hold, delete attempt and denied access of evidence.

Rows are append-only and hash-chained: `hash = SHA-256(prev_hash || canonical row)`, where the
canonical row is the row's fields (its `seq` included) as compact JSON with sorted keys and
`prev_hash` is the previous row's hash (64 zeros for the first). Editing a row breaks its hash;
deleting, inserting or reordering rows breaks a link or the sequence. Whoever can rewrite the
whole database could rebuild the chain, so the chain head is also written once a day to an
append-only file outside the database (`audit-anchors.log`), and `verify` checks those anchors.

Rows are appended on the writer thread inside the caller's transaction, so an action and its
log row commit together (or not at all).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from storage.db import Database, and_where, to_ts
from storage.dialect import LOCK_ACCESS_LOG, dialect_of

__all__ = [
    "GENESIS",
    "Access",
    "AccessFilters",
    "Actor",
    "access_where",
    "append",
    "append_sync",
    "canonical_row",
    "list_access",
    "read_anchors",
    "verify",
    "verify_rows",
    "write_anchor",
]

GENESIS = "0" * 64
_FIELDS = (
    "seq",
    "at",
    "actor_key_id",
    "role",
    "agency_id",
    "action",
    "object_type",
    "object_id",
    "reason",
    "source",
    "result",
    "details",
)


@dataclass(frozen=True)
class Actor:
    """Who acts: an API key (id, role, agency) from an address, or a job / the CLI."""

    key_id: str | None
    role: str
    agency_id: str | None
    source: str

    @classmethod
    def system(cls, job_id: str) -> Actor:
        return cls(None, "system", None, f"job:{job_id}")


@dataclass(frozen=True)
class Access:
    """One access-log entry to append."""

    actor: Actor
    action: str  # e.g. recording.audio, recording.upload, recording.hold, recording.delete
    object_type: str
    object_id: str
    result: str  # ok | duplicate | denied | not_found | invalid | error
    reason: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


def _details_json(details: Mapping[str, Any]) -> str:
    return json.dumps(dict(details), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def canonical_row(row: Mapping[str, Any]) -> bytes:
    """The bytes a row's hash covers: its fields as compact JSON with sorted keys."""
    doc = {name: row[name] for name in _FIELDS}
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def chain_hash(prev_hash: str, row: Mapping[str, Any]) -> str:
    return hashlib.sha256(bytes.fromhex(prev_hash) + canonical_row(row)).hexdigest()


def append_sync(conn: sqlite3.Connection, entry: Access, at: datetime | None = None) -> int:
    """Append `entry` (inside the caller's write transaction); returns its seq."""
    counter = None
    if dialect_of(conn) == "postgresql":
        # One appender at a time across every instance, held to the commit: the chain stays
        # linear (SQLite gets this from its single write lock).
        conn.execute("SELECT pg_advisory_xact_lock(:k)", {"k": LOCK_ACCESS_LOG})
    else:
        counter = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'access_log'").fetchone()
    last = conn.execute("SELECT seq, hash FROM access_log ORDER BY seq DESC LIMIT 1").fetchone()
    seq = max(int(last[0]) if last else 0, int(counter[0]) if counter else 0) + 1
    row: dict[str, Any] = {
        "seq": seq,
        "at": to_ts(at or datetime.now(UTC)),
        "actor_key_id": entry.actor.key_id,
        "role": entry.actor.role,
        "agency_id": entry.actor.agency_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "reason": entry.reason,
        "source": entry.actor.source,
        "result": entry.result,
        "details": _details_json(entry.details),
    }
    row["prev_hash"] = last[1] if last else GENESIS
    row["hash"] = chain_hash(row["prev_hash"], row)
    conn.execute(
        "INSERT INTO access_log (seq, at, actor_key_id, role, agency_id, action, object_type, object_id,"
        " reason, source, result, details, prev_hash, hash) VALUES (:seq, :at, :actor_key_id, :role,"
        " :agency_id, :action, :object_type, :object_id, :reason, :source, :result, :details,"
        " :prev_hash, :hash)",
        row,
    )
    return seq


async def append(db: Database, entry: Access) -> int:
    """Append one entry in its own transaction (for reads and denials)."""
    return await db.write(lambda conn: append_sync(conn, entry))


def _row_json(row: Any) -> dict[str, Any]:
    out = {name: row[name] for name in _FIELDS}
    out["details"] = json.loads(row["details"])
    out["prev_hash"], out["hash"] = row["prev_hash"], row["hash"]
    return out


@dataclass(frozen=True)
class AccessFilters:
    """What the access log can be filtered by (every field optional)."""

    actor: str | None = None
    object_id: str | None = None
    action: str | None = None
    result: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    agency_id: str | None = None  # an agency-bound reader's own agency: rows of its own keys only


def access_where(f: AccessFilters) -> tuple[str, dict[str, Any]]:
    """`" AND ..."` clauses and their named parameters for `f`."""
    return and_where(
        [
            ("actor_key_id = :actor", "actor", f.actor),
            ("object_id = :object", "object", f.object_id),
            ("action = :action", "action", f.action),
            ("result = :result", "result", f.result),
            ("at >= :since", "since", to_ts(f.since) if f.since else None),
            ("at < :until", "until", to_ts(f.until) if f.until else None),
            ("agency_id = :agency", "agency", f.agency_id),
        ]
    )


async def list_access(
    db: Database, filters: AccessFilters = AccessFilters(), after_seq: int = 0, limit: int = 100
) -> list[dict[str, Any]]:
    """Log rows in seq order after `after_seq`, filtered."""
    where, params = access_where(filters)
    params |= {"after": after_seq, "limit": limit}
    rows = await db.fetchall(
        "SELECT * FROM access_log WHERE seq > :after" + where + " ORDER BY seq LIMIT :limit", params
    )
    return [_row_json(r) for r in rows]


# --- verification --------------------------------------------------------------------------------


def read_anchors(path: Path) -> list[dict[str, Any]]:
    """The anchor lines written so far (unparseable lines are reported as such)."""
    if not path.exists():
        return []
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
            out.append({"line": n, "at": doc["at"], "seq": int(doc["seq"]), "hash": str(doc["hash"])})
        except (ValueError, KeyError, TypeError):
            out.append({"line": n, "at": None, "seq": -1, "hash": ""})
    return out


def verify_rows(
    rows: Iterable[Mapping[str, Any]], anchors: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Walk the chain in seq order; report the first row whose sequence, link or hash is wrong,
    and the first anchor the rows contradict."""
    prev_hash, prev_seq, count = GENESIS, 0, 0
    first_bad: dict[str, Any] | None = None
    by_seq = {a["seq"]: a for a in anchors or []}
    anchor_bad: dict[str, Any] | None = None
    for row in rows:
        count += 1
        seq = int(row["seq"])
        anchor = by_seq.get(seq)
        if anchor is not None and anchor["hash"] != row["hash"] and anchor_bad is None:
            anchor_bad = {
                "line": anchor["line"],
                "seq": seq,
                "problem": "anchor_mismatch",
                "detail": f"row {seq} hashes to {row['hash'][:16]}…, the anchor of {anchor['at']} says"
                f" {anchor['hash'][:16]}…: the log was rewritten after that anchor",
            }
        if first_bad is None:
            problem = detail = None
            if seq != prev_seq + 1:
                problem = "sequence_gap"
                detail = (
                    f"row {seq} follows row {prev_seq}: rows were deleted"
                    if seq > prev_seq + 1
                    else f"row {seq} follows row {prev_seq}: rows are out of order"
                )
            elif row["prev_hash"] != prev_hash:
                problem = "broken_link"
                detail = (
                    f"row {seq} does not link to row {prev_seq}: a row before it was edited,"
                    " deleted, inserted or moved"
                )
            elif chain_hash(prev_hash, row) != row["hash"]:
                problem = "hash_mismatch"
                detail = f"row {seq} does not match its hash: it was edited"
            if problem is not None:
                first_bad = {"seq": seq, "problem": problem, "detail": detail}
        prev_hash, prev_seq = str(row["hash"]), seq
    for anchor in anchors or []:
        if anchor_bad is not None:
            break
        if anchor["seq"] < 0:
            anchor_bad = {"line": anchor["line"], "problem": "anchor_unreadable", "detail": "not JSON"}
        elif anchor["seq"] > prev_seq:
            anchor_bad = {
                "line": anchor["line"],
                "seq": anchor["seq"],
                "problem": "anchor_missing_row",
                "detail": f"the anchor of {anchor['at']} names row {anchor['seq']}, but the log ends at"
                f" row {prev_seq}: rows were removed",
            }
    ok = first_bad is None and anchor_bad is None
    out: dict[str, Any] = {
        "ok": ok,
        "rows": count,
        "head": {"seq": prev_seq, "hash": prev_hash},
        "anchors": {"checked": len(anchors or []), "ok": anchor_bad is None},
    }
    if first_bad is not None:
        out["first_bad_row"] = first_bad
    if anchor_bad is not None:
        out["anchors"]["first_bad"] = anchor_bad
    return out


def verify_file(db_path: Path, anchors_path: Path | None) -> dict[str, Any]:
    """Verify on a separate read-only connection (run it in a thread: it reads every row)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        cur = conn.execute("SELECT * FROM access_log ORDER BY seq")
        return verify_rows(cur, read_anchors(anchors_path) if anchors_path else [])
    finally:
        conn.close()


async def verify(db: Database, anchors_path: Path | None) -> dict[str, Any]:
    if db.dialect == "sqlite":
        return await asyncio.to_thread(verify_file, db.path, anchors_path)
    rows = await db.fetchall("SELECT * FROM access_log ORDER BY seq")
    anchors = await asyncio.to_thread(read_anchors, anchors_path) if anchors_path else []
    return await asyncio.to_thread(verify_rows, [dict(r) for r in rows], anchors)


async def write_anchor(db: Database, path: Path, now: datetime) -> dict[str, Any] | None:
    """Append the chain head to the anchors file (fsync'd) when it moved since the last anchor,
    also when several processes run the job. Run every minute, it bounds what a truncation of
    the newest rows can hide to the last minute's rows. Returns the line written, or None."""
    head = await db.fetchone("SELECT seq, hash FROM access_log ORDER BY seq DESC LIMIT 1")
    line: dict[str, Any] = {
        "at": to_ts(now),
        "seq": int(head["seq"]) if head else 0,
        "hash": str(head["hash"]) if head else GENESIS,
    }

    def write() -> dict[str, Any] | None:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            anchors = read_anchors(path)
            if anchors and (anchors[-1]["seq"], anchors[-1]["hash"]) == (line["seq"], line["hash"]):
                return None  # nothing appended since
            if anchors and anchors[-1]["seq"] > line["seq"]:
                # The log is shorter than an anchor says: leave the evidence as it is (verify
                # reports it) rather than anchoring the truncated head.
                return None
            os.write(fd, (json.dumps(line, sort_keys=True) + "\n").encode("utf-8"))
            os.fsync(fd)
            return line
        finally:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    return await asyncio.to_thread(write)
