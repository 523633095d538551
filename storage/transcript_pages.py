"""Reading a long recording one page at a time: its transcript's segments and its current flags.

A transcript's segments are one JSON array in time order (the pipeline sorts them by start, then
channel), so a segment's position is its index in the array: a page is a keyset range of indexes
cut out by SQLite (`json_each`), and only that page is decoded in Python. A page can also be
opened at a flag: it then starts at the first segment the flag's phrase lies in, so the phrase
is on it. Flags are paged by (start, id) on the `flags_recording_active` index (migration 0010).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from storage.db import Database
from storage.transcripts import flag_to_json

__all__ = [
    "FlagsPage",
    "TranscriptPage",
    "decode_position",
    "encode_position",
    "flags_between",
    "has_transcript",
    "recording_flags_page",
    "transcript_page",
]


def encode_position(*parts: object) -> str:
    """An opaque cursor for a position (URL-safe, no padding)."""
    text = "|".join(str(p) for p in parts)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_position(raw: str, kinds: tuple[type, ...]) -> tuple[Any, ...] | None:
    """The position a cursor names, its parts converted by `kinds`; None for anything else."""
    try:
        text = base64.urlsafe_b64decode(raw.encode("ascii") + b"=" * (-len(raw) % 4)).decode("utf-8")
        parts = text.split("|")
        if len(parts) != len(kinds):
            return None
        values = tuple(kind(p) for kind, p in zip(kinds, parts, strict=True))
    except (binascii.Error, UnicodeError, ValueError):
        return None
    # An index beyond SQLite's integers would fail to bind: not a position of ours either.
    if any(isinstance(v, int) and not 0 <= v < 2**62 for v in values):
        return None
    return values


@dataclass(frozen=True)
class TranscriptPage:
    """One page of a transcript: `segments` are `(index, segment)` in order; `before`/`after`
    the keyset positions of the pages around it (None at either end)."""

    language: str
    duration: float
    segments: list[tuple[int, dict[str, Any]]]
    before: int | None  # the first index of this page, when there are segments before it
    after: int | None  # the last index of this page, when there are segments after it


# The transcript's facts and the page's rows, cut out of the JSON array by SQLite (`j.key` is the
# array index): the array is parsed in C, once per page, and only the page's segments reach Python.
# A transcript with no segment on the page still answers one row (its facts, a NULL index).
_ROWS = (
    "SELECT t.language, t.duration, j.key AS idx, j.value AS seg FROM transcripts t"
    " LEFT JOIN json_each(t.segments) j ON j.key >= :lo AND j.key < :hi"
    " WHERE t.recording_id = :id ORDER BY j.key LIMIT :limit"
)
# The first segment a flag's phrase lies in: it overlaps the flag's time on the flag's channel (a
# mono flag: any channel), as the console groups the highlighted words.
_ANCHOR = (
    "SELECT min(j.key) AS idx FROM transcripts t, json_each(t.segments) j WHERE t.recording_id = :id"
    " AND json_extract(j.value, '$.start') < :f_end AND json_extract(j.value, '$.end') > :f_start"
    " AND (:channel = 'mono' OR json_extract(j.value, '$.channel') IN (:channel, 'mono'))"
)


async def has_transcript(db: Database, recording_id: str) -> bool:
    row = await db.fetchone("SELECT 1 AS x FROM transcripts WHERE recording_id = :id", {"id": recording_id})
    return row is not None


async def transcript_page(
    db: Database,
    recording_id: str,
    *,
    after: int | None = None,
    before: int | None = None,
    flag: dict[str, Any] | None = None,
    limit: int = 50,
) -> TranscriptPage | None:
    """The page of `limit` segments after index `after`, or before index `before`, or starting
    at the segment of `flag`'s phrase (`start`, `end`, `channel`), else the first page; None
    when the recording has no transcript."""
    lo, hi = 0, None
    if after is not None:
        lo = after + 1
    elif before is not None:
        lo, hi = max(before - limit, 0), max(before, 0)
    elif flag is not None:
        row = await db.fetchone(
            _ANCHOR,
            {
                "id": recording_id,
                "f_start": float(flag["start"]),
                "f_end": float(flag["end"]),
                "channel": flag["channel"],
            },
        )
        lo = int(row["idx"]) if row is not None and row["idx"] is not None else 0
    lo = max(lo, 0)
    rows = await db.fetchall(
        _ROWS,
        # One more than a page (when reading forward): whether a page follows, without a count.
        {"id": recording_id, "lo": lo, "hi": hi if hi is not None else lo + limit + 1, "limit": limit + 1},
    )
    if not rows:
        return None
    segments = [(int(r["idx"]), json.loads(r["seg"])) for r in rows[:limit] if r["idx"] is not None]
    more = len(rows) > limit or (hi is not None and bool(segments))
    return TranscriptPage(
        language=str(rows[0]["language"]),
        duration=float(rows[0]["duration"]),
        segments=segments,
        before=segments[0][0] if segments and segments[0][0] > 0 else None,
        after=segments[-1][0] if more and segments else None,
    )


async def flags_between(
    db: Database, recording_id: str, start: float, end: float, with_text: bool = True
) -> list[dict[str, Any]]:
    """The recording's current flags overlapping [start, end] seconds (a transcript page's span),
    in time order."""
    rows = await db.fetchall(
        "SELECT * FROM flags WHERE recording_id = :id AND active = 1 AND start_s < :end AND end_s > :start"
        " ORDER BY start_s, flag_id",
        {"id": recording_id, "start": start, "end": end},
    )
    return [flag_to_json(r, with_text) for r in rows]


@dataclass(frozen=True)
class FlagsPage:
    flags: list[dict[str, Any]]
    first: bool  # no current flag comes before this page
    after: tuple[float, str] | None  # (start, flag id) of the last row, when more follow


# Keyset conditions spelled with OR, not row values: SQLite seeks the index on this form
# (EXPLAIN QUERY PLAN), and scans it on `(start_s, flag_id) > (...)`.
_AFTER = " AND (start_s > :p_start OR (start_s = :p_start AND flag_id {op} :p_id))"
_BEFORE = " AND (start_s < :p_start OR (start_s = :p_start AND flag_id < :p_id))"


async def recording_flags_page(
    db: Database,
    recording_id: str,
    *,
    after: tuple[float, str] | None = None,
    at: tuple[float, str] | None = None,
    with_text: bool = False,
    limit: int = 50,
) -> FlagsPage:
    """The recording's current flags by time, `limit` at a time: after the position `after`
    (exclusive), or from `at` (inclusive: the page a link to one flag opens), else from the first."""
    params: dict[str, Any] = {"id": recording_id, "limit": limit + 1}
    sql = "SELECT * FROM flags WHERE recording_id = :id AND active = 1"
    position = after or at
    if position is not None:
        sql += _AFTER.format(op=">" if after is not None else ">=")
        params["p_start"], params["p_id"] = position
    rows = await db.fetchall(sql + " ORDER BY start_s, flag_id LIMIT :limit", params)
    page = [flag_to_json(r, with_text) for r in rows[:limit]]
    first = True
    if position is not None and page:
        earlier = await db.fetchone(
            "SELECT 1 AS x FROM flags WHERE recording_id = :id AND active = 1" + _BEFORE + " LIMIT 1",
            {"id": recording_id, "p_start": page[0]["start"], "p_id": page[0]["flag_id"]},
        )
        first = earlier is None
    more = len(rows) > limit
    return FlagsPage(page, first, (float(page[-1]["start"]), str(page[-1]["flag_id"])) if more else None)
