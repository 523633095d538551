"""Recordings: upload (dialer), search and metadata, audio with a reason and HTTP Range
(inspector, security), delete under the retention lock and legal hold (admin, security).

Every call, allowed or not, leaves an access-log row: a denied role, another agency's recording,
a missing reason and a refused delete are logged as such.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from aiohttp import BodyPartReader, web

from gateway.logs import mask_number
from gateway.web import keys as appkeys
from gateway.web.access import (
    actor_of,
    decode_cursor,
    encode_cursor,
    log_access,
    reason_of,
    require_logged,
    visible_recording,
)
from gateway.web.bodies import BROKEN_BODY, json_response, query_id, query_instant, query_limit, read_json
from gateway.web.errors import ApiError, error_response
from gateway.web.keys import VAULT
from policies.errors import CallwardenError, Forbidden, InputError, NotFound
from policies.parse import normalise_phone, parse_id
from storage.crypto import DecryptionError, KeyringError
from storage.keys import REVIEWERS, Role
from storage.recordings import recording_to_json, search_recordings
from storage.retention import get_tombstone, hold_history, request_delete, set_legal_hold
from storage.transcripts import recording_flags, transcription_status

__all__ = ["parse_range", "routes"]

routes = web.RouteTableDef()

READ_BYTES = 1 << 20
READERS = REVIEWERS
HOLDERS = (Role.ADMIN, Role.SECURITY)
_RAW_TYPES = ("audio/", "video/", "application/octet-stream")
# Content types a recording is stored and served back with; anything else is kept as evidence
# but labelled application/octet-stream (and every answer is an attachment with nosniff), so an
# upload can never be served back as a page or a script.
AUDIO_TYPES = frozenset(
    {
        "audio/wav",
        "audio/x-wav",
        "audio/wave",
        "audio/vnd.wave",
        "audio/mpeg",
        "audio/mp3",
        "audio/mp4",
        "audio/x-m4a",
        "audio/aac",
        "audio/ogg",
        "audio/opus",
        "audio/webm",
        "audio/flac",
        "audio/x-flac",
        "audio/gsm",
        "audio/x-gsm",
        "audio/basic",
        "audio/amr",
        "audio/l16",
        "audio/x-sln",
        "audio/x-alaw-basic",
        "application/octet-stream",
    }
)


_CTYPE = re.compile(r"[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+(\s*;\s*[a-z0-9_.-]+=[a-z0-9_.\"-]+){0,4}", re.I)


def stored_type(declared: str) -> str:
    """The declared content type (with its parameters, e.g. `audio/ogg; codecs=opus`) when it is
    a well-formed known audio type, else application/octet-stream."""
    text = declared.strip()
    base = text.split(";", 1)[0].strip().lower()
    return (
        text
        if base in AUDIO_TYPES and len(text) <= 200 and _CTYPE.fullmatch(text)
        else "application/octet-stream"
    )


# --- upload ----------------------------------------------------------------------------------------


def _unreadable(exc: Exception) -> ApiError:
    return ApiError(400, "invalid_body", f"multipart body cannot be read ({type(exc).__name__})")


async def _multipart_file(request: web.Request) -> tuple[AsyncIterator[bytes], str, str | None]:
    try:
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                raise ApiError(400, "missing_field", "multipart body has no `file` field", {"field": "file"})
            if isinstance(part, BodyPartReader) and part.name == "file":
                break
            await part.release()
        found: BodyPartReader = part
        filename = found.filename
    except BROKEN_BODY as exc:  # no boundary, no starting boundary, a broken part header
        raise _unreadable(exc) from None
    if filename is not None and (len(filename) > MAX_FILENAME or not filename.isprintable()):
        raise ApiError(
            400,
            "invalid_field",
            f"filename: printable text of at most {MAX_FILENAME} characters",
            {"field": "filename"},
        )

    async def chunks() -> AsyncIterator[bytes]:
        try:
            while chunk := await found.read_chunk(READ_BYTES):
                yield chunk
            # The part must end at its boundary and the body at the closing one, with no second
            # file: a body cut before them was stored as the whole recording, and a second file
            # silently dropped (found by a probe). Raised here, before the recording commits.
            if not found.at_eof():
                raise ApiError(400, "incomplete_body", "the `file` part ended without its boundary")
            while (extra := await reader.next()) is not None:
                if isinstance(extra, BodyPartReader) and extra.name == "file":
                    raise ApiError(400, "invalid_field", "one `file` part per recording", {"field": "file"})
                await extra.release()
            if not reader.at_eof():
                raise ApiError(
                    400, "incomplete_body", "the multipart body ended without its closing boundary"
                )
        except BROKEN_BODY as exc:  # the part broke off mid-way: nothing is stored
            raise _unreadable(exc) from None

    ctype = found.headers.get("Content-Type", "application/octet-stream")
    return chunks(), ctype, filename


MAX_FILENAME = 255  # a file name on every common filesystem


@routes.post("/v1/recordings")
async def upload_recording(request: web.Request) -> web.Response:
    who = await require_logged(request, "recording.upload", "-", Role.DIALER)
    vault = request.app[VAULT]
    attempt_id = request.query.get("attempt_id", "").strip()
    if not attempt_id:
        await log_access(request, who, "recording.upload", "-", "invalid", why="missing attempt_id")
        raise ApiError(400, "missing_field", "attempt_id is required (query)", {"field": "attempt_id"})
    try:
        parse_id(attempt_id, "attempt_id")
    except InputError:
        await log_access(request, who, "recording.upload", "-", "invalid", why="bad attempt_id")
        raise
    length = request.content_length
    if length is not None and length > vault.max_bytes:
        await log_access(request, who, "recording.upload", attempt_id, "too_large", bytes=length)
        raise ApiError(413, "too_large", f"recordings are limited to {vault.max_bytes} bytes")
    mime = request.content_type
    expected: int | None = None
    filename: str | None = None
    if mime.startswith("multipart/"):
        try:
            chunks, ctype, filename = await _multipart_file(request)
        except ApiError as exc:
            await log_access(request, who, "recording.upload", attempt_id, "invalid", why=exc.code)
            raise
    elif mime.startswith(_RAW_TYPES):
        chunks, ctype, expected = (
            request.content.iter_any(),
            request.headers.get("Content-Type", mime),
            length,
        )
    else:
        await log_access(request, who, "recording.upload", attempt_id, "invalid", content_type=mime[:100])
        raise ApiError(
            415,
            "unsupported_media_type",
            f"send audio/* (or application/octet-stream, multipart), not {mime[:100]}",
        )
    try:
        rec, created = await vault.ingest(
            attempt_id,
            chunks,
            content_type=stored_type(ctype),
            actor=actor_of(request, who),
            source="http",
            filename=filename,
            agency_scope=who.agency_id,
            expected_bytes=expected,
        )
    except NotFound:
        await log_access(request, who, "recording.upload", attempt_id, "not_found", object_type="attempt")
        raise
    except (asyncio.CancelledError, ConnectionError):
        # The client went away mid-body (aiohttp cancels the handler, or the body's read fails
        # with "Connection lost" where handlers are not cancelled, as under `serve`): nothing
        # was stored, and the refusal is still a row of the access log (found by a probe).
        await asyncio.shield(
            log_access(request, who, "recording.upload", attempt_id, "invalid", why="incomplete_body")
        )
        raise
    except CallwardenError as exc:  # too large, empty, incomplete: nothing was stored
        result = "too_large" if exc.status == 413 else "invalid"
        await log_access(request, who, "recording.upload", attempt_id, result, why=exc.code)
        raise
    return json_response(rec, status=201 if created else 200)


# --- search and metadata ------------------------------------------------------------------------


# The agency's dialers are whom the quality team reviews: they read neither the flags (403 on
# /v1/flags) nor, through a recording's metadata or a search filter, which calls were flagged and
# what the reviewers wrote (found by a probe).
DIALERS_NO_FLAGS = "flags are the quality team's: a dialer key reads and filters recordings without them"


def _masked_for(role: str, rec: dict[str, Any]) -> dict[str, Any]:
    """The recording as a reader sees it: inspectors and security staff review what was done and
    see its number masked, as on the case (found by a probe: the full number was shown here)."""
    if role in READERS and rec.get("number"):
        rec["number"] = mask_number(str(rec["number"]))
    return rec


@routes.get("/v1/recordings")
async def list_recordings(request: web.Request) -> web.Response:
    who = await require_logged(request, "recording.search", "-", "admin", "dialer", *READERS)
    q = request.query
    limit = query_limit(request)
    settings = request.app[appkeys.SETTINGS]
    number = (
        normalise_phone(q["number"], settings["policy.default_region"], "number") if q.get("number") else None
    )
    flagged = q.get("flagged")
    if flagged not in (None, "true", "false"):
        raise ApiError(400, "invalid_field", "flagged: true or false", {"field": "flagged"})
    if flagged is not None and who.role == Role.DIALER:
        await log_access(
            request, who, "recording.search", "-", "denied", object_type="recordings", why="role"
        )
        raise ApiError(403, "forbidden", DIALERS_NO_FLAGS)
    filters = {
        "case_id": query_id(request, "case_id"),
        "number": mask_number(number) if number else None,
        "agency_id": query_id(request, "agency_id"),
        "from": q.get("from"),
        "to": q.get("to"),
        "flagged": flagged,
    }
    page, nxt = await search_recordings(
        request.app[appkeys.DB],
        agency_scope=who.agency_id,
        case_id=filters["case_id"],
        number=number,
        agency_id=filters["agency_id"],
        since=query_instant(request, "from"),
        until=query_instant(request, "to"),
        flagged=None if flagged is None else flagged == "true",
        cursor=decode_cursor(q.get("cursor")),
        limit=limit,
    )
    await log_access(
        request,
        who,
        "recording.search",
        "-",
        "ok",
        object_type="recordings",
        filters={k: v for k, v in filters.items() if v is not None},
        results=len(page),
    )
    return json_response(
        {"recordings": [_masked_for(who.role, r) for r in page], "next_cursor": encode_cursor(nxt)}
    )


@routes.get("/v1/recordings/{recording_id}")
async def get_recording_handler(request: web.Request) -> web.Response:
    rid = request.match_info["recording_id"]
    who = await require_logged(request, "recording.metadata", rid, "admin", "dialer", *READERS)
    db = request.app[appkeys.DB]
    tomb = await get_tombstone(db, rid, who.agency_id)
    if tomb is not None:
        await log_access(request, who, "recording.metadata", rid, "ok", purged=True)
        return json_response({"recording_id": rid, "status": "purged", "tombstone": tomb})
    row = await visible_recording(request, who, "recording.metadata", rid, None)
    out = _masked_for(who.role, recording_to_json(row))
    out["transcript"] = await transcription_status(db, rid)
    # A dialer sees whether the recording is held, not the holds' reasons: they name complaints and
    # the lender's investigations of the agency (found by a probe; dialers cannot read complaints).
    if who.role != Role.DIALER:  # flags: without the words, as the transcript needs a reason
        out["legal_holds"] = await hold_history(db, rid)
        out["flags"] = await recording_flags(db, rid)
    await log_access(request, who, "recording.metadata", rid, "ok")
    return json_response(out)


# --- audio ------------------------------------------------------------------------------------------


class RangeNotSatisfiable(Exception):
    pass


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a single `bytes=` range, None for the whole body. Other units and
    multi-range requests are ignored (the whole body is sent, as RFC 9110 allows)."""
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first_s, dash, last_s = spec.strip().partition("-")
    if not dash:
        raise RangeNotSatisfiable(header)
    try:
        if first_s == "":
            n = int(last_s)
            if n <= 0:
                raise RangeNotSatisfiable(header)
            return max(size - n, 0), size - 1
        first = int(first_s)
        last = int(last_s) if last_s else size - 1
    except ValueError:
        raise RangeNotSatisfiable(header) from None
    if first < 0 or last < first or first >= size:
        raise RangeNotSatisfiable(header)
    return first, min(last, size - 1)


@routes.get("/v1/recordings/{recording_id}/audio")
async def get_audio(request: web.Request) -> web.StreamResponse:
    rid = request.match_info["recording_id"]
    who = await require_logged(request, "recording.audio", rid, *READERS)
    reason = await reason_of(request, who, "recording.audio", rid)
    if reason is None:
        await log_access(request, who, "recording.audio", rid, "denied", why="no reason")
        raise ApiError(
            400, "missing_field", "a reason is required to listen: ?reason=...", {"field": "reason"}
        )
    row = await visible_recording(request, who, "recording.audio", rid, reason)
    size = int(row["bytes"])
    etag = f'"{row["sha256"]}"'
    header = request.headers.get("Range")
    if_range = request.headers.get("If-Range")
    if header and if_range is not None and if_range.strip() != etag:
        # RFC 9110 13.1.5: a client holding another version (or naming a date: no Last-Modified
        # is sent) gets the whole body, not a piece to splice into what it has (found by a probe).
        header = None
    try:
        span = parse_range(header, size)
    except RangeNotSatisfiable:
        await log_access(request, who, "recording.audio", rid, "invalid", reason, range=header)
        refused = error_response(416, "range_not_satisfiable", f"range {header!r} is outside 0..{size - 1}")
        refused.headers["Content-Range"] = f"bytes */{size}"
        return refused
    vault = request.app[VAULT]
    try:
        reader = await vault.reader(rid, row["blob_sha256"])
    except (KeyringError, DecryptionError) as exc:
        await log_access(request, who, "recording.audio", rid, "error", reason, error=str(exc))
        raise
    first, last = span if span is not None else (0, size - 1)
    try:
        await log_access(
            request, who, "recording.audio", rid, "ok", reason, range=header, bytes=max(last - first + 1, 0)
        )
        resp = web.StreamResponse(status=206 if span is not None else 200)
        resp.headers["Content-Type"] = stored_type(row["content_type"])
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Accept-Ranges"] = "bytes"
        resp.headers["Cache-Control"] = "no-store"
        resp.headers["ETag"] = etag
        resp.headers["Content-Disposition"] = f'attachment; filename="{rid}"'
        if span is not None:
            resp.headers["Content-Range"] = f"bytes {first}-{last}/{size}"
        resp.content_length = last - first + 1
        await resp.prepare(request)
        if request.method != "HEAD":
            loop = asyncio.get_running_loop()
            pos = first
            while pos <= last:
                n = min(READ_BYTES, last + 1 - pos)
                data = await loop.run_in_executor(None, reader.read, pos, pos + n)
                await resp.write(data)
                pos += n
        await resp.write_eof()
        return resp
    finally:
        await asyncio.to_thread(reader.close)


# --- retention: delete and legal hold ---------------------------------------------------------------


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.body_exists:
        return {}
    return await read_json(request, int(request.app[appkeys.SETTINGS]["server.max_json_bytes"]))


@routes.delete("/v1/recordings/{recording_id}")
async def delete_recording(request: web.Request) -> web.Response:
    rid = request.match_info["recording_id"]
    who = await require_logged(request, "recording.delete", rid, *HOLDERS)
    reason = await reason_of(request, who, "recording.delete", rid, await _body(request))
    db = request.app[appkeys.DB]
    try:
        tomb = await request_delete(
            db,
            request.app[VAULT].store,
            rid,
            actor_of(request, who),
            reason,
            who.agency_id,
            datetime.now(UTC),
        )
    except NotFound:
        await log_access(request, who, "recording.delete", rid, "not_found", reason)
        raise
    return json_response({"recording_id": rid, "status": "purged", "tombstone": tomb})


async def _hold(request: web.Request, on: bool) -> web.Response:
    rid = request.match_info["recording_id"]
    action = "recording.hold" if on else "recording.release"
    who = await require_logged(request, action, rid, *HOLDERS)
    reason = await reason_of(request, who, action, rid, await _body(request))
    if reason is None:
        await log_access(request, who, action, rid, "invalid", why="no reason")
        raise ApiError(400, "missing_field", "a reason is required for a legal hold", {"field": "reason"})
    try:
        rec = await set_legal_hold(
            request.app[appkeys.DB],
            rid,
            on,
            reason,
            actor_of(request, who),
            who.agency_id,
            datetime.now(UTC),
            store=request.app[VAULT].store,
        )
    except NotFound:
        await log_access(request, who, action, rid, "not_found", reason)
        raise
    except Forbidden:
        await log_access(request, who, action, rid, "denied", reason, why="lender_hold")
        raise
    return json_response(_masked_for(who.role, rec))


@routes.post("/v1/recordings/{recording_id}/legal-hold")
async def place_hold(request: web.Request) -> web.Response:
    return await _hold(request, True)


@routes.delete("/v1/recordings/{recording_id}/legal-hold")
async def lift_hold(request: web.Request) -> web.Response:
    return await _hold(request, False)
