"""Transcripts and flags: what a transcription worker stores, what reprocessing re-flags, what
inspectors read and review.

A transcript is stored masked (numbers replaced by `[kind]` placeholders; the audio keeps the
evidence). Flags are rows of their own so the inspector's queue is a range scan. Storing a new
flagging of a recording (a re-transcription, or `callwarden reprocess` after a lexicon update)
merges by identity — the same rule on the same channel at the same time is the same flag — so a
review survives: a flag raised again keeps its id and status and takes the new lexicon version;
a flag no longer raised is kept, marked superseded (`active = 0`), never deleted, and becomes
current again, review and all, when a later flagging raises it again.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from policies.screening import rule_citation
from storage.audit import Access, append_sync
from storage.db import Database, NotFound, new_id, to_ts
from storage.transcription_jobs import job_to_json

__all__ = [
    "DISPOSITIONS",
    "FLAG_STATUSES",
    "FlagPage",
    "MergeCounts",
    "NewTranscript",
    "get_flag",
    "get_transcript",
    "list_flags",
    "merge_flags_sync",
    "recording_flags",
    "review_flag",
    "store_transcript_sync",
    "transcription_status",
    "transcripts_since",
    "update_flagging_sync",
]

FLAG_STATUSES = ("open", "confirmed", "dismissed")
DISPOSITIONS = ("confirmed", "dismissed")
_FLAG_FIELDS = (
    "category",
    "severity",
    "match",
    "sentence",
    "start",
    "end",
    "channel",
    "speaker",
    "rule",
    "lexicon_version",
    "confidence",
    "source",
    "model_score",
    "model_version",
)


@dataclass(frozen=True)
class NewTranscript:
    """A worker's result, as plain JSON-ready data (`speech.transcript.TranscriptResult.as_dict`
    shapes): segments `{channel, speaker, start, end, text, confidence, words}`, flags with the
    fields of `_FLAG_FIELDS`."""

    recording_id: str
    job_id: str
    language: str
    engine: str
    model: str
    duration: float
    channels: Sequence[Mapping[str, Any]]
    segments: Sequence[Mapping[str, Any]]
    masked: Sequence[Mapping[str, Any]]
    lexicon_versions: Sequence[str]
    warnings: Sequence[str]
    flags: Sequence[Mapping[str, Any]]


@dataclass(frozen=True)
class MergeCounts:
    added: int = 0
    updated: int = 0  # raised again (the lexicon version and wording may be new)
    superseded: int = 0
    kept: int = 0  # flags of sources this flagging did not redo

    def as_dict(self) -> dict[str, int]:
        return {
            "added": self.added,
            "updated": self.updated,
            "superseded": self.superseded,
            "kept": self.kept,
        }


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _key(rule: str, channel: str, start: float, end: float) -> tuple[str, str, int, int]:
    # Times to 10 ms: the same words give the same times; rounding absorbs float noise.
    return rule, channel, round(start * 100), round(end * 100)


def merge_flags_sync(
    conn: sqlite3.Connection,
    recording_id: str,
    flags: Iterable[Mapping[str, Any]],
    now: datetime,
    versions: Sequence[str],
    redo_sources: Collection[str] | None = None,
) -> MergeCounts:
    """Make `flags` the recording's current flags (see the module doc). `redo_sources`: the flag
    sources this flagging covers (None: all); current flags of other sources are kept as they are."""
    rec = conn.execute(
        "SELECT attempt_id, case_id, agency_id, recorded_at FROM recordings WHERE recording_id = :id",
        {"id": recording_id},
    ).fetchone()
    if rec is None:
        raise NotFound("recording", recording_id)
    # Current flags by identity; and superseded ones, so that a flag retired by an earlier flagging
    # (a trial `reprocess --lexicon`, a lexicon rolled back) and raised again is the same flag
    # again, its review with it: found by a probe, where a confirmed flag was detached for good and
    # a second, unreviewed one raised for the same words.
    current: dict[tuple[str, str, int, int], Any] = {}
    retired: dict[tuple[str, str, int, int], Any] = {}
    for r in conn.execute(
        "SELECT flag_id, rule, channel, start_s, end_s, source, active FROM flags"
        " WHERE recording_id = :id ORDER BY updated_at, flag_id",
        {"id": recording_id},
    ):
        (current if r["active"] else retired)[_key(r["rule"], r["channel"], r["start_s"], r["end_s"])] = r
    at = to_ts(now)
    added = updated = superseded = kept = 0
    seen: set[tuple[str, str, int, int]] = set()
    for f in flags:
        key = _key(str(f["rule"]), str(f["channel"]), float(f["start"]), float(f["end"]))
        if key in seen:
            continue
        seen.add(key)
        # Flags made before the semantic model have no model fields.
        params = {name: f.get(name) for name in _FLAG_FIELDS}
        params |= {"start_s": float(f["start"]), "end_s": float(f["end"]), "now": at}
        old = current.get(key) or retired.get(key)
        if old is not None:
            conn.execute(
                "UPDATE flags SET category = :category, severity = :severity, match = :match,"
                " sentence = :sentence, speaker = :speaker, lexicon_version = :lexicon_version,"
                " confidence = :confidence, source = :source, model_score = :model_score,"
                " model_version = :model_version, active = 1, superseded_at = NULL,"
                " superseded_by = NULL, updated_at = :now WHERE flag_id = :flag_id",
                {**params, "flag_id": old["flag_id"]},
            )
            updated += 1
            continue
        conn.execute(
            "INSERT INTO flags (flag_id, recording_id, attempt_id, case_id, agency_id, recorded_at,"
            " category, severity, match, sentence, start_s, end_s, channel, speaker, rule,"
            " lexicon_version, confidence, source, model_score, model_version, created_at, updated_at)"
            " VALUES (:flag_id, :rec, :attempt, :case, :agency, :recorded_at, :category, :severity,"
            " :match, :sentence, :start_s, :end_s, :channel, :speaker, :rule, :lexicon_version,"
            " :confidence, :source, :model_score, :model_version, :now, :now)",
            {
                **params,
                "flag_id": new_id("flg"),  # time-ordered: the queue lists a call's flags in order
                "rec": recording_id,
                "attempt": rec["attempt_id"],
                "case": rec["case_id"],
                "agency": rec["agency_id"],
                "recorded_at": rec["recorded_at"],
            },
        )
        added += 1
    for key, old in current.items():
        if key in seen:
            continue
        if redo_sources is not None and old["source"] not in redo_sources:
            kept += 1
            continue
        conn.execute(
            "UPDATE flags SET active = 0, superseded_at = :now, superseded_by = :by, updated_at = :now"
            " WHERE flag_id = :id",
            {"id": old["flag_id"], "now": at, "by": ",".join(versions)},
        )
        superseded += 1
    return MergeCounts(added, updated, superseded, kept)


def store_transcript_sync(conn: sqlite3.Connection, t: NewTranscript, now: datetime) -> MergeCounts:
    """Store (or replace) the recording's transcript and merge its flags (writer thread)."""
    at = to_ts(now)
    conn.execute(
        "INSERT INTO transcripts (recording_id, job_id, language, engine, model, duration, channels,"
        " segments, masked, lexicon_versions, warnings, created_at, flagged_at) VALUES (:id, :job,"
        " :language, :engine, :model, :duration, :channels, :segments, :masked, :versions,"
        " :warnings, :now, :now) ON CONFLICT (recording_id) DO UPDATE SET job_id = :job,"
        " language = :language, engine = :engine, model = :model, duration = :duration,"
        " channels = :channels, segments = :segments, masked = :masked, lexicon_versions = :versions,"
        " warnings = :warnings, created_at = :now, flagged_at = :now",
        {
            "id": t.recording_id,
            "job": t.job_id,
            "language": t.language,
            "engine": t.engine,
            "model": t.model,
            "duration": t.duration,
            "channels": _dumps(list(t.channels)),
            "segments": _dumps(list(t.segments)),
            "masked": _dumps(list(t.masked)),
            "versions": _dumps(list(t.lexicon_versions)),
            "warnings": _dumps(list(t.warnings)),
            "now": at,
        },
    )
    return merge_flags_sync(conn, t.recording_id, t.flags, now, t.lexicon_versions)


def update_flagging_sync(
    conn: sqlite3.Connection,
    recording_id: str,
    flags: Iterable[Mapping[str, Any]],
    versions: Sequence[str],
    redo_sources: Collection[str],
    now: datetime,
) -> MergeCounts:
    """Re-flagging of a stored transcript (`reprocess`): merge the flags, record the versions."""
    counts = merge_flags_sync(conn, recording_id, flags, now, versions, redo_sources)
    conn.execute(
        "UPDATE transcripts SET lexicon_versions = :versions, flagged_at = :now WHERE recording_id = :id",
        {"id": recording_id, "versions": _dumps(list(versions)), "now": to_ts(now)},
    )
    return counts


def _transcript_json(row: Any) -> dict[str, Any]:
    return {
        "recording_id": row["recording_id"],
        "job_id": row["job_id"],
        "language": row["language"],
        "engine": row["engine"],
        "model": row["model"],
        "duration": row["duration"],
        "channels": json.loads(row["channels"]),
        "segments": json.loads(row["segments"]),
        "masked": json.loads(row["masked"]),
        "lexicon_versions": json.loads(row["lexicon_versions"]),
        "warnings": json.loads(row["warnings"]),
        "created_at": row["created_at"],
        "flagged_at": row["flagged_at"],
    }


async def get_transcript(db: Database, recording_id: str) -> dict[str, Any] | None:
    row = await db.fetchone("SELECT * FROM transcripts WHERE recording_id = :id", {"id": recording_id})
    return None if row is None else _transcript_json(row)


async def transcripts_since(
    db: Database, since: datetime, until: datetime | None, after: str = "", limit: int = 100
) -> list[dict[str, Any]]:
    """Transcripts of recordings recorded in [since, until), by recording id after `after`, with
    the case's current facts and language and who the agent called."""
    rows = await db.fetchall(
        "SELECT t.*, r.case_id, c.doc AS case_doc, a.party FROM transcripts t"
        " JOIN recordings r ON r.recording_id = t.recording_id JOIN cases c ON c.case_id = r.case_id"
        " JOIN attempts a ON a.attempt_id = r.attempt_id WHERE r.recorded_at >= :since"
        " AND r.recorded_at < :until AND t.recording_id > :after ORDER BY t.recording_id LIMIT :limit",
        {
            "since": to_ts(since),
            "until": to_ts(until) if until else "9999",
            "after": after,
            "limit": limit,
        },
    )
    out = []
    for r in rows:
        doc = json.loads(r["case_doc"])
        t = _transcript_json(r)
        t["case"] = {"case_id": r["case_id"], "language": doc.get("language"), "facts": doc.get("facts")}
        t["party"] = r["party"]
        out.append(t)
    return out


# --- flags -----------------------------------------------------------------------------------------


def flag_to_json(row: Any, with_text: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "flag_id": row["flag_id"],
        "recording_id": row["recording_id"],
        "attempt_id": row["attempt_id"],
        "case_id": row["case_id"],
        "agency_id": row["agency_id"],
        "recorded_at": row["recorded_at"],
        "category": row["category"],
        "severity": row["severity"],
        "violation": row["severity"] != "info",
        "start": row["start_s"],
        "end": row["end_s"],
        "channel": row["channel"],
        "speaker": row["speaker"],
        "rule": row["rule"],
        # the provision the lexicon entry cites (null for a model-only, privacy or disclosure flag)
        "citation": rule_citation(row["rule"]) or None,
        "lexicon_version": row["lexicon_version"],
        "confidence": row["confidence"],
        "source": row["source"],
        "model_score": row["model_score"],
        "model_version": row["model_version"],
        "status": row["status"],
        "review": None
        if row["reviewed_at"] is None
        else {
            "disposition": row["status"],
            "note": row["review_note"],
            "reviewer_key_id": row["reviewer_key_id"],
            "at": row["reviewed_at"],
        },
        "active": bool(row["active"]),
        "superseded_at": row["superseded_at"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }
    if with_text:
        out["match"] = row["match"]
        out["sentence"] = row["sentence"]
    return out


async def recording_flags(db: Database, recording_id: str, with_text: bool = False) -> list[dict[str, Any]]:
    rows = await db.fetchall(
        "SELECT * FROM flags WHERE recording_id = :id AND active = 1 ORDER BY start_s, flag_id",
        {"id": recording_id},
    )
    return [flag_to_json(r, with_text) for r in rows]


async def get_flag(db: Database, flag_id: str, agency_scope: str | None = None) -> dict[str, Any]:
    row = await db.fetchone("SELECT * FROM flags WHERE flag_id = :id", {"id": flag_id})
    if row is None or (agency_scope is not None and row["agency_id"] != agency_scope):
        raise NotFound("flag", flag_id)
    return flag_to_json(row)


@dataclass(frozen=True)
class FlagPage:
    flags: list[dict[str, Any]]
    next_cursor: tuple[str, str] | None


async def list_flags(
    db: Database,
    *,
    agency_scope: str | None = None,
    status: str | None = None,
    category: str | None = None,
    severity: str | None = None,
    agency_id: str | None = None,
    recording_id: str | None = None,
    case_id: str | None = None,
    since: datetime | None = None,
    cursor: tuple[str, str] | None = None,
    limit: int = 100,
) -> FlagPage:
    """Current flags, oldest first (the inspector's queue), filtered; `since` is when the flag
    was raised. Returns a page and the cursor of the next one."""
    sql = "SELECT * FROM flags WHERE active = 1"
    params: dict[str, Any] = {"limit": limit + 1}
    for column, value in (
        ("agency_id", agency_scope),
        ("agency_id", agency_id),
        ("status", status),
        ("category", category),
        ("severity", severity),
        ("recording_id", recording_id),
        ("case_id", case_id),
    ):
        if value is not None:
            name = f"p{len(params)}"
            sql += f" AND {column} = :{name}"
            params[name] = value
    if since is not None:
        sql += " AND created_at >= :since"
        params["since"] = to_ts(since)
    if cursor is not None:
        sql += " AND (created_at > :c_at OR (created_at = :c_at AND flag_id > :c_id))"
        params["c_at"], params["c_id"] = cursor
    rows = await db.fetchall(sql + " ORDER BY created_at, flag_id LIMIT :limit", params)
    page = [flag_to_json(r) for r in rows[:limit]]
    more = len(rows) > limit
    return FlagPage(page, (page[-1]["created_at"], page[-1]["flag_id"]) if more else None)


async def review_flag(
    db: Database,
    flag_id: str,
    disposition: str,
    note: str,
    access: Access,
    agency_scope: str | None,
    now: datetime,
) -> dict[str, Any]:
    """Record an inspector's disposition (a later review replaces the status; every review is
    kept in `flag_reviews`) with its access-log row, in one transaction."""
    if disposition not in DISPOSITIONS:
        raise ValueError(f"disposition must be one of {', '.join(DISPOSITIONS)}")

    def write(conn: sqlite3.Connection) -> dict[str, Any]:
        row = conn.execute("SELECT * FROM flags WHERE flag_id = :id", {"id": flag_id}).fetchone()
        if row is None or (agency_scope is not None and row["agency_id"] != agency_scope):
            raise NotFound("flag", flag_id)
        at = to_ts(now)
        conn.execute(
            "UPDATE flags SET status = :d, reviewed_at = :at, reviewer_key_id = :actor, review_note = :note,"
            " updated_at = :at WHERE flag_id = :id",
            {"id": flag_id, "d": disposition, "at": at, "actor": access.actor.key_id, "note": note},
        )
        conn.execute(
            "INSERT INTO flag_reviews (flag_id, disposition, note, actor_key_id, at)"
            " VALUES (:id, :d, :note, :actor, :at)",
            {"id": flag_id, "d": disposition, "note": note, "actor": access.actor.key_id, "at": at},
        )
        append_sync(
            conn,
            Access(
                access.actor,
                access.action,
                "flag",
                flag_id,
                "ok",
                access.reason,
                {
                    **access.details,
                    "disposition": disposition,
                    "previous": row["status"],
                    "recording_id": row["recording_id"],
                    "category": row["category"],
                    "note": note,
                },
            ),
            now,
        )
        updated = conn.execute("SELECT * FROM flags WHERE flag_id = :id", {"id": flag_id}).fetchone()
        out = flag_to_json(updated)
        out["reviews"] = [
            dict(r)
            for r in conn.execute(
                "SELECT disposition, note, actor_key_id, at FROM flag_reviews WHERE flag_id = :id"
                " ORDER BY review_id",
                {"id": flag_id},
            )
        ]
        return out

    return await db.write(write)


async def transcription_status(db: Database, recording_id: str) -> dict[str, Any] | None:
    """The recording's transcription for its metadata: the job's state and record, and whether
    a transcript is stored (None when the recording never had a job)."""
    job = await db.fetchone(
        "SELECT j.*, t.recording_id IS NOT NULL AS available, t.lexicon_versions, t.flagged_at"
        " FROM transcription_jobs j LEFT JOIN transcripts t ON t.recording_id = j.recording_id"
        " WHERE j.recording_id = :id",
        {"id": recording_id},
    )
    if job is None:
        return None
    out = job_to_json(job)
    out["transcript_available"] = bool(job["available"])
    out["lexicon_versions"] = json.loads(job["lexicon_versions"]) if job["lexicon_versions"] else []
    out["flagged_at"] = job["flagged_at"]
    return out
