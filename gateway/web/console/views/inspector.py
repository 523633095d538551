"""Inspector pages: the flag queue, a recording (metadata, packs, audio, transcript with the
flagged phrases highlighted), and the review form.

The audio and the transcript need a reason, asked once per page: the recording page posts it,
the transcript is rendered with it (logged as `transcript.read`), and the audio element streams
from `/console/recordings/{id}/audio?reason=...` — the API's own Range handler, with the session's
key as the principal, so every range read is logged with the reason like an API read.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from aiohttp import web

from gateway.logs import mask_number
from gateway.web import keys as appkeys
from gateway.web.access import MAX_REASON, actor_of, log_access
from gateway.web.auth import principal
from gateway.web.bodies import json_response
from gateway.web.console.render import render
from gateway.web.console.views.common import field, need, redirect, safe_next
from gateway.web.routes import recordings as api_recordings
from gateway.web.routes.review import CATEGORIES, MAX_NOTE, SEVERITIES
from policies.errors import CallwardenError, InputError
from storage.audit import Access
from storage.cases import get_case
from storage.db import NotFound
from storage.recordings import get_recording, recording_to_json
from storage.retention import hold_history
from storage.review_queue import QueueFilters, decode_cursor, queue_counts, queue_page
from storage.transcription_jobs import get_job
from storage.transcripts import (
    DISPOSITIONS,
    FLAG_STATUSES,
    get_flag,
    get_transcript,
    recording_flags,
    review_flag,
)

__all__ = ["SOURCES", "routes", "transcript_view"]

routes = web.RouteTableDef()

SOURCES = ("lexicon", "privacy", "disclosure")
READERS = ("inspector", "security")


def _choice(raw: str | None, allowed: tuple[str, ...]) -> str | None:
    return raw if raw in allowed else None


def _day(raw: str | None, name: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InputError(name, f"{name}: a date YYYY-MM-DD") from None


def _filters(request: web.Request) -> QueueFilters:
    q = request.query
    return QueueFilters(
        status=_choice(q.get("status"), FLAG_STATUSES) or "open",
        agency_id=q.get("agency_id") or None,
        category=_choice(q.get("category"), CATEGORIES),
        severity=_choice(q.get("severity"), SEVERITIES),
        source=_choice(q.get("source"), SOURCES),
        day_from=_day(q.get("from"), "from"),
        day_to=_day(q.get("to"), "to"),
    )


@routes.get("/console/queue")
async def queue(request: web.Request) -> web.Response:
    session = need(request, "inspector")
    filters = _filters(request)
    raw_cursor = request.query.get("cursor")
    cursor = decode_cursor(raw_cursor) if raw_cursor else None
    if raw_cursor and cursor is None:
        raise InputError("cursor", "cursor: not a cursor from a previous page")
    db = request.app[appkeys.DB]
    size = int(request.app[appkeys.SETTINGS]["console.page_size"])
    page = await queue_page(db, filters, session.agency_id, cursor, size)
    counts = await queue_counts(db, filters, session.agency_id)
    for f in page.flags:
        f["age_hours"] = round(
            (datetime.now(UTC) - datetime.fromisoformat(f["created_at"])).total_seconds() / 3600, 1
        )
    base = {k: v for k, v in request.query.items() if k not in ("cursor", "lang", "done")}
    return await render(
        request,
        "queue.html",
        {
            "filters": filters,
            "query": base,
            "flags": page.flags,
            "next_cursor": page.next_cursor,
            "counts": counts,
            "total": sum(counts.values()),
            "categories": CATEGORIES,
            "severities": SEVERITIES,
            "sources": SOURCES,
            "statuses": FLAG_STATUSES,
            "done": request.query.get("done"),
        },
    )


@routes.get("/console/queue/counts")
async def queue_counts_json(request: web.Request) -> web.Response:
    """The queue's counts per category (the page refreshes them without reloading)."""
    session = need(request, "inspector")
    counts = await queue_counts(request.app[appkeys.DB], _filters(request), session.agency_id)
    return json_response({"counts": counts, "total": sum(counts.values())})


def transcript_view(doc: dict[str, Any], flags: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Segments as rows of tokens; the words inside a flag's span on its channel are grouped into
    one highlighted phrase that carries the flag (its id, category, severity and start)."""
    rows = []
    for seg in doc.get("segments", []):
        words = seg.get("words") or [{"w": seg.get("text", ""), "start": seg["start"], "end": seg["end"]}]
        tokens: list[dict[str, Any]] = []
        for w in words:
            hit = next(
                (
                    f
                    for f in flags
                    if f["channel"] in (seg["channel"], "mono")
                    and float(w["start"]) < float(f["end"])
                    and float(w["end"]) > float(f["start"])
                    and f["source"] != "disclosure"
                ),
                None,
            )
            word = {"w": str(w["w"]).strip(), "start": round(float(w["start"]), 2)}
            if hit is not None and tokens and tokens[-1].get("flag") is hit:
                tokens[-1]["words"].append(word)
            elif hit is not None:
                tokens.append({"flag": hit, "words": [word]})
            else:
                tokens.append({"flag": None, "words": [word]})
        rows.append(
            {
                "speaker": seg.get("speaker", ""),
                "channel": seg["channel"],
                "start": round(float(seg["start"]), 2),
                "end": round(float(seg["end"]), 2),
                "tokens": tokens,
            }
        )
    return rows


async def _recording_page(request: web.Request, reason: str | None) -> web.Response:
    session = need(request, *READERS)
    rid = request.match_info["recording_id"]
    db = request.app[appkeys.DB]
    who = principal(request)
    try:
        row = await get_recording(db, rid, session.agency_id)
    except NotFound:
        await log_access(request, who, "recording.metadata", rid, "not_found", reason)
        raise
    rec = recording_to_json(row)
    rec["number"] = mask_number(rec["number"])
    holds = await hold_history(db, rid)
    job = await get_job(db, rid)
    case = await get_case(db, rec["case_id"])
    packs = []
    for name in case["packs"]:
        try:
            (pack,) = request.app[appkeys.PACKS].resolve([name])
            packs.append({"name": name, "version": pack.version, "title": pack.title})
        except CallwardenError:
            packs.append({"name": name, "version": "?", "title": ""})
    flags = await recording_flags(db, rid, with_text=reason is not None)
    transcript = None
    if reason is not None:
        doc = await get_transcript(db, rid)
        if doc is None:
            await log_access(
                request, who, "transcript.read", rid, "not_ready", reason, object_type="transcript"
            )
        else:
            await log_access(
                request, who, "transcript.read", rid, "ok", reason, object_type="transcript", via="console"
            )
            transcript = {
                "duration": doc["duration"],
                "language": doc["language"],
                "rows": transcript_view(doc, flags),
            }
    else:
        await log_access(request, who, "recording.metadata", rid, "ok", via="console")
    return await render(
        request,
        "recording.html",
        {
            "rec": rec,
            "holds": holds,
            "job": job,
            "case": case,
            "packs": packs,
            "flags": flags,
            "reason": reason,
            "transcript": transcript,
            "dispositions": DISPOSITIONS,
            "can_review": session.role == "inspector",
            "back": safe_next(request.query.get("back"), "/console/queue"),
        },
    )


@routes.get("/console/recordings/{recording_id}")
async def recording(request: web.Request) -> web.Response:
    return await _recording_page(request, None)


@routes.post("/console/recordings/{recording_id}")
async def recording_with_reason(request: web.Request) -> web.Response:
    reason = await field(request, "reason")
    if not reason or len(reason) > MAX_REASON:
        raise InputError("reason", f"a reason of 1 to {MAX_REASON} characters is required to listen or read")
    return await _recording_page(request, reason)


@routes.get("/console/recordings/{recording_id}/audio")
async def audio(request: web.Request) -> web.StreamResponse:
    need(request, *READERS)
    return await api_recordings.get_audio(request)


@routes.post("/console/flags/{flag_id}/review")
async def review(request: web.Request) -> web.Response:
    session = need(request, "inspector")
    flag_id = request.match_info["flag_id"]
    disposition = await field(request, "disposition")
    note = await field(request, "note")
    if disposition not in DISPOSITIONS:
        raise InputError("disposition", f"disposition: one of {', '.join(DISPOSITIONS)}")
    if len(note) > MAX_NOTE:
        raise InputError("note", f"note: at most {MAX_NOTE} characters")
    db = request.app[appkeys.DB]
    who = principal(request)
    try:
        await get_flag(db, flag_id, session.agency_id)
    except NotFound:
        await log_access(request, who, "flag.review", flag_id, "not_found", object_type="flag")
        raise
    await review_flag(
        db,
        flag_id,
        disposition,
        note,
        Access(actor_of(request, who), "flag.review", "flag", flag_id, "ok", details={"via": "console"}),
        session.agency_id,
        datetime.now(UTC),
    )
    return redirect(safe_next(await field(request, "next"), "/console/queue"), done=flag_id)
