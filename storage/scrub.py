"""The scrub: re-read every stored copy, check it against its content address, heal a bad copy
from the good one, and record every finding.

Each copy is read in full: every segment must authenticate under the recording's data key and
the header and tags must hash to the file's address (storage/crypto.py), which catches any
flipped, missing or appended byte. A bad primary is rewritten from a good replica and vice
versa, through a tmp file that is verified before it replaces anything. `deep` also re-hashes the
decrypted primary and compares it with the SHA-256 taken at upload. A recording whose data key
cannot be unwrapped (master key missing or wrong) is a finding of its own; its copies are then
checked by header and tags only and not healed. Reads are rate-limited so a scrub never starves
the gateway of disk bandwidth, and run in a worker thread so the event loop never waits on them.
The copies are read through the store (local files, or whole-object GETs from the buckets).
Files in the store that no recording names (older than an hour, so uploads in flight are not
counted) are reported as orphans, never deleted: after a database restore they may be the only
copy of evidence.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from storage.audit import Access, Actor, append_sync
from storage.blobs import BlobIntegrityError
from storage.crypto import DecryptionError, KeyringError, MasterKeyring
from storage.db import NO_LIMIT, Database, from_ts, to_ts
from storage.recordings import get_recording_key
from storage.scheduled_runs import finish_job, start_job
from storage.store import COPIES, Copy, ObjectLock, RecordingStore, StoreMisconfigured, StoreUnavailable

__all__ = ["Throttle", "scrub"]

ORPHAN_MIN_AGE_S = 3600
_SCRUB = Actor(None, "system", None, "scrub")


class Throttle:
    """Sleep as needed to keep reads at or below `rate` bytes per second (0: unlimited)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.start = time.monotonic()
        self.done = 0

    def __call__(self, n: int) -> None:
        if self.rate <= 0:
            return
        self.done += n
        delay = self.start + self.done / self.rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)


@dataclass(frozen=True)
class Finding:
    recording_id: str | None
    blob_sha256: str
    copy: str
    problem: str
    action: str
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {
            "recording_id": self.recording_id,
            "blob_sha256": self.blob_sha256,
            "copy": self.copy,
            "problem": self.problem,
            "action": self.action,
            "detail": self.detail,
        }


def _scrub_one(
    store: RecordingStore, row: dict[str, Any], data_key: bytes | None, deep: bool, throttle: Throttle
) -> tuple[str, list[Finding]]:
    rid, sha = row["recording_id"], row["blob_sha256"]
    findings: list[Finding] = []
    status = "ok"
    # The store's lock cannot be shortened; the row can, by whoever can write the database. The
    # longer date wins, and the row is put back (found by a probe: an edited row went unnoticed and
    # the retention report repeated it).
    until = store.lock_until(sha)
    if until is not None and until > from_ts(row["retain_until"]) + timedelta(seconds=1):
        detail = f"the row said {row['retain_until']}, the object is locked until {to_ts(until)}"
        findings.append(
            Finding(rid, sha, "primary", "retention_shortened", "healed", detail + "; row restored")
        )
        row["restore_until"] = to_ts(until)
        status = "healed"
    replica_expected = store.replica_configured and row["replica_status"] == "ok"
    plain = hashlib.sha256() if deep and data_key is not None else None
    p_bad = store.check("primary", sha, data_key, throttle, plain)
    r_bad = store.check("replica", sha, data_key, throttle) if replica_expected else None
    lock = ObjectLock(from_ts(row.get("restore_until") or row["retain_until"]), bool(row["legal_hold"]))
    copy: Copy
    for copy, bad, source_good in (
        ("primary", p_bad, replica_expected and r_bad is None),
        ("replica", r_bad, p_bad is None),
    ):
        if bad is None:
            continue
        problem, detail = bad
        if data_key is None or (not source_good and not store.keeps_versions):
            why = "no good copy to heal from" if data_key is not None else "no data key to verify a copy with"
            findings.append(Finding(rid, sha, copy, problem, "none", f"{detail}; {why}"))
            status = "bad"
            continue
        # Without a good other copy a versioned store may still hold the locked original.
        try:
            source = store.heal(copy, sha, data_key, lock, throttle)
            findings.append(Finding(rid, sha, copy, problem, "healed", detail + f"; rewritten from {source}"))
            if status == "ok":
                status = "healed"
        except (OSError, BlobIntegrityError, StoreUnavailable, StoreMisconfigured) as exc:
            findings.append(Finding(rid, sha, copy, problem, "heal_failed", f"{detail}; {exc}"))
            status = "bad"
    if row["legal_hold"]:
        # The store's hold is the backstop the database cannot lift by itself: put back where a
        # race, a failed call or someone at the bucket left a version unheld.
        try:
            gaps = store.hold_again(sha)
        except (StoreUnavailable, StoreMisconfigured) as exc:
            findings.append(Finding(rid, sha, "primary", "legal_hold_unknown", "none", str(exc)))
            gaps, status = [], "bad"
        for copy in gaps:
            findings.append(
                Finding(rid, sha, copy, "legal_hold_off", "healed", "held in the database; hold placed again")
            )
            if status == "ok":
                status = "healed"
    if plain is not None and p_bad is None and plain.hexdigest() != row["sha256"]:
        findings.append(Finding(rid, sha, "primary", "plaintext_mismatch", "none", "decrypts to other bytes"))
        status = "bad"
    return status, findings


def _known_blobs(db: Database, lo: str) -> set[str]:
    """Addresses the database knows that start with the two hex digits `lo` (on this thread's
    own connection: the scrub walks the store off the event loop)."""
    hi = lo[:-1] + chr(ord(lo[-1]) + 1) if lo else "~"
    rows = db.read_sync(
        "SELECT blob_sha256 FROM recordings WHERE blob_sha256 >= :lo AND blob_sha256 < :hi",
        {"lo": lo, "hi": hi},
    )
    return {r[0] for r in rows}


def _orphans(store: RecordingStore, db: Database, now_epoch: float) -> list[Finding]:
    out: list[Finding] = []
    copies: tuple[Copy, ...] = COPIES if store.replica_configured else ("primary",)
    for copy in copies:
        # Listed in address order: one question to the database per two-hex-digit group.
        for lo, group in itertools.groupby(store.list_blobs(copy), key=lambda item: item[0][:2]):
            known = _known_blobs(db, lo)
            for sha, mtime in group:
                if sha not in known and now_epoch - mtime > ORPHAN_MIN_AGE_S:
                    where = store.describe(copy, sha)
                    out.append(
                        Finding(None, sha, copy, "orphan", "none", f"{where} is named by no recording")
                    )
    return out


async def scrub(
    db: Database,
    store: RecordingStore,
    keyring: MasterKeyring | None,
    now: datetime,
    rate_bytes_s: float = 0,
    deep: bool = False,
    limit: int | None = None,
    orphans: bool = True,
) -> dict[str, Any]:
    """Scrub the least recently scrubbed recordings first (all of them unless `limit`)."""
    job_id = await start_job(db, "scrub", now)
    throttle = Throttle(rate_bytes_s)
    rows = await db.fetchall(
        "SELECT recording_id, blob_sha256, sha256, replica_status, retain_until, legal_hold FROM recordings"
        " WHERE status = 'ingested' ORDER BY scrubbed_at IS NOT NULL, scrubbed_at, recording_id LIMIT :limit",
        {"limit": NO_LIMIT if limit is None else limit},
    )
    counts = {"checked": 0, "ok": 0, "healed": 0, "bad": 0, "orphans": 0}
    all_findings: list[Finding] = []
    for r in rows:
        row = dict(r)
        data_key = None
        key_problem: Finding | None = None
        if keyring is not None:
            try:
                kid, wrapped = await get_recording_key(db, row["recording_id"])
                data_key = await asyncio.to_thread(keyring.unwrap, kid, wrapped, row["recording_id"])
            except (KeyringError, DecryptionError, LookupError) as exc:
                key_problem = Finding(
                    row["recording_id"], row["blob_sha256"], "primary", "key_unavailable", "none", str(exc)
                )
        hold_problem = await _hold_mismatch(db, row)
        if hold_problem is not None:
            row["legal_hold"] = 1  # its copies are held again below
        status, findings = await asyncio.to_thread(_scrub_one, store, row, data_key, deep, throttle)
        if hold_problem is not None:
            findings.insert(0, hold_problem)
            status = "healed" if status == "ok" else status
        if key_problem is not None:
            findings.append(key_problem)
            status = "bad"
        counts["checked"] += 1
        counts[status] += 1
        all_findings += findings
        await _record(db, job_id, now, row["recording_id"], status, findings, _restored(row, hold_problem))
    if orphans:
        found = await asyncio.to_thread(_orphans, store, db, time.time())
        counts["orphans"] = len(found)
        all_findings += found
        if found:
            await _record(db, job_id, now, None, None, found)
    summary: dict[str, Any] = {
        "job_id": job_id,
        **counts,
        "findings": [f.to_json() for f in all_findings[:200]],
    }
    await finish_job(db, job_id, now, {k: v for k, v in summary.items() if k != "findings"})
    return summary


async def _hold_mismatch(db: Database, row: dict[str, Any]) -> Finding | None:
    """A row that says "not held" against its own hold history (the last hold placed and not
    lifted, or an open complaint's): edited in the database."""
    if row["legal_hold"]:
        return None
    params = {"id": row["recording_id"]}
    last = await db.fetchone(
        "SELECT action FROM legal_holds WHERE recording_id = :id ORDER BY hold_id DESC LIMIT 1", params
    )
    open_complaint = await db.fetchone(
        "SELECT complaint_id FROM complaint_holds WHERE recording_id = :id AND released_at IS NULL", params
    )
    if (last is None or last["action"] != "on") and open_complaint is None:
        return None
    why = (
        f"complaint {open_complaint['complaint_id']} is open"
        if open_complaint
        else "its last hold was not lifted"
    )
    return Finding(
        row["recording_id"], row["blob_sha256"], "primary", "hold_mismatch", "healed",
        f"the row said not held, but {why}; held again",
    )  # fmt: skip


def _restored(row: dict[str, Any], hold_problem: Finding | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if row.get("restore_until"):
        out["retain_until"] = row["restore_until"]
    if hold_problem is not None:
        out["legal_hold"] = 1
    return out


async def _record(
    db: Database,
    job_id: str,
    now: datetime,
    recording_id: str | None,
    status: str | None,
    findings: list[Finding],
    restore: dict[str, Any] | None = None,
) -> None:
    def write(conn: sqlite3.Connection) -> None:
        at = to_ts(now)
        if recording_id is not None and restore:
            # Only ever longer, or held: the safe side of what the row was edited to. Each change
            # is in the access log (and a hold in its history) like one a person makes.
            if "retain_until" in restore:
                conn.execute(
                    "UPDATE recordings SET retain_until = :until WHERE recording_id = :id"
                    " AND retain_until < :until",
                    {"until": restore["retain_until"], "id": recording_id},
                )
                append_sync(
                    conn,
                    Access(
                        _SCRUB,
                        "recording.retention",
                        "recording",
                        recording_id,
                        "ok",
                        "restored from the bucket's lock",
                        {"retain_until": restore["retain_until"]},
                    ),
                    now,
                )
            if "legal_hold" in restore:
                reason = "held again by the scrub: the row had been cleared against its history"
                conn.execute(
                    "UPDATE recordings SET legal_hold = 1 WHERE recording_id = :id", {"id": recording_id}
                )
                conn.execute(
                    "INSERT INTO legal_holds (recording_id, action, reason, actor_key_id, at)"
                    " VALUES (:id, 'on', :reason, NULL, :at)",
                    {"id": recording_id, "reason": reason, "at": at},
                )
                append_sync(
                    conn,
                    Access(
                        _SCRUB, "recording.hold", "recording", recording_id, "ok", reason, {"automatic": True}
                    ),
                    now,
                )
        if recording_id is not None and status is not None:
            conn.execute(
                "UPDATE recordings SET scrubbed_at = :at, scrub_status = :status"
                " WHERE recording_id = :id AND status = 'ingested'",
                {"at": at, "status": status, "id": recording_id},
            )
        for f in findings:
            conn.execute(
                "INSERT INTO scrub_findings (at, job_id, recording_id, blob_sha256, copy, problem, action,"
                " detail) VALUES (:at, :job, :rid, :sha, :copy, :problem, :action, :detail)",
                {
                    "at": at,
                    "job": job_id,
                    "rid": f.recording_id,
                    "sha": f.blob_sha256,
                    "copy": f.copy,
                    "problem": f.problem,
                    "action": f.action,
                    "detail": f.detail,
                },
            )

    await db.write(write)
