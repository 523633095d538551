"""Review (inspector): the flag queue, transcripts with a reason, dispositions.

    GET  /v1/flags?status=&category=&severity=&agency_id=&case_id=&recording_id=&since=&limit=&cursor=
    GET  /v1/flags/{flag_id}
    POST /v1/flags/{flag_id}/review      {"disposition": "confirmed"|"dismissed", "note": "..."}
    GET  /v1/recordings/{recording_id}/transcript?reason=...

Agency-bound keys see their agency's flags and transcripts only; another agency's are 404, like
missing ones. Every call, allowed or not, leaves an access-log row (a transcript read with its
reason, a review with its disposition and note, a listing with its filters).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from gateway.web import keys as appkeys
from gateway.web.access import (
    actor_of,
    decode_cursor,
    encode_cursor,
    log_access,
    log_other_agency,
    reason_of,
    require_logged,
    visible_recording,
)
from gateway.web.bodies import json_response, query_id, query_instant, query_limit, read_json
from gateway.web.errors import ApiError
from gateway.web.routes.recordings import READERS
from policies.screening import LEXICON_CATEGORIES
from storage.audit import Access
from storage.db import NotFound
from storage.keys import Role
from storage.transcription_jobs import get_job
from storage.transcripts import DISPOSITIONS, FLAG_STATUSES, get_flag, get_transcript, list_flags, review_flag

__all__ = ["routes"]

routes = web.RouteTableDef()

FLAG_REVIEWERS = (Role.INSPECTOR,)
MAX_NOTE = 2000
CATEGORIES = (*LEXICON_CATEGORIES, "missing_disclosure")
SEVERITIES = ("info", "low", "medium", "high", "critical")


def _choice(request: web.Request, name: str, allowed: tuple[str, ...]) -> str | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return None
    if raw not in allowed:
        raise ApiError(400, "invalid_field", f"{name}: one of {', '.join(allowed)}", {"field": name})
    return raw


@routes.get("/v1/flags")
async def flags_queue(request: web.Request) -> web.Response:
    who = await require_logged(request, "flags.list", "-", *FLAG_REVIEWERS)
    q = request.query
    limit = query_limit(request)
    filters = {
        "status": _choice(request, "status", FLAG_STATUSES),
        "category": _choice(request, "category", CATEGORIES),
        "severity": _choice(request, "severity", SEVERITIES),
        "agency_id": query_id(request, "agency_id"),
        "case_id": query_id(request, "case_id"),
        "recording_id": query_id(request, "recording_id"),
    }
    since = query_instant(request, "since")
    page = await list_flags(
        request.app[appkeys.DB],
        agency_scope=who.agency_id,
        since=since,
        cursor=decode_cursor(q.get("cursor")),
        limit=limit,
        **filters,
    )
    await log_access(
        request,
        who,
        "flags.list",
        "-",
        "ok",
        object_type="flags",
        filters={k: v for k, v in {**filters, "since": q.get("since")}.items() if v is not None},
        results=len(page.flags),
    )
    return json_response({"flags": page.flags, "next_cursor": encode_cursor(page.next_cursor)})


async def _flag(request: web.Request, action: str, flag_id: str, who: Any) -> dict[str, Any]:
    db = request.app[appkeys.DB]
    try:
        flag = await get_flag(db, flag_id)
    except NotFound:
        await log_access(request, who, action, flag_id, "not_found", object_type="flag")
        raise
    if who.agency_id is not None and flag["agency_id"] != who.agency_id:
        await log_other_agency(request, who, action, flag_id, flag["agency_id"], object_type="flag")
        raise NotFound("flag", flag_id)
    return flag


@routes.get("/v1/flags/{flag_id}")
async def flag_detail(request: web.Request) -> web.Response:
    flag_id = request.match_info["flag_id"]
    who = await require_logged(request, "flag.read", flag_id, *FLAG_REVIEWERS)
    flag = await _flag(request, "flag.read", flag_id, who)
    await log_access(request, who, "flag.read", flag_id, "ok", object_type="flag")
    return json_response(flag)


@routes.post("/v1/flags/{flag_id}/review")
async def review(request: web.Request) -> web.Response:
    flag_id = request.match_info["flag_id"]
    who = await require_logged(request, "flag.review", flag_id, *FLAG_REVIEWERS)
    body = await read_json(request, int(request.app[appkeys.SETTINGS]["server.max_json_bytes"]))
    disposition = body.get("disposition")
    if disposition is None:
        raise ApiError(400, "missing_field", "disposition is required", {"field": "disposition"})
    if disposition not in DISPOSITIONS:
        raise ApiError(
            400, "invalid_field", f"disposition: one of {', '.join(DISPOSITIONS)}", {"field": "disposition"}
        )
    note = body.get("note", "")
    if note is None:
        note = ""
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        raise ApiError(
            400, "invalid_field", f"note: text of at most {MAX_NOTE} characters", {"field": "note"}
        )
    await _flag(request, "flag.review", flag_id, who)
    out = await review_flag(
        request.app[appkeys.DB],
        flag_id,
        str(disposition),
        note.strip(),
        Access(actor_of(request, who), "flag.review", "flag", flag_id, "ok"),
        who.agency_id,
        datetime.now(UTC),
    )
    return json_response(out)


@routes.get("/v1/recordings/{recording_id}/transcript")
async def transcript(request: web.Request) -> web.Response:
    rid = request.match_info["recording_id"]
    action = "transcript.read"
    who = await require_logged(request, action, rid, *READERS)
    reason = await reason_of(request, who, action, rid, object_type="transcript")
    if reason is None:
        await log_access(request, who, action, rid, "denied", object_type="transcript", why="no reason")
        raise ApiError(
            400,
            "missing_field",
            "a reason is required to read a transcript: ?reason=...",
            {"field": "reason"},
        )
    await visible_recording(request, who, action, rid, reason)
    db = request.app[appkeys.DB]
    doc = await get_transcript(db, rid)
    if doc is None:
        job = await get_job(db, rid)
        status = job["status"] if job else "none"
        await log_access(
            request, who, action, rid, "not_ready", reason, object_type="transcript", status=status
        )
        raise ApiError(
            409,
            "transcript_not_ready",
            f"recording {rid!r} has no transcript yet (transcription {status})",
            {"status": status, "error": job["error"] if job else None},
        )
    await log_access(request, who, action, rid, "ok", reason, object_type="transcript")
    return json_response(doc)
