"""Recordings: upload (dialer), search and metadata, audio with a reason and HTTP Range
(inspector, security), delete under the retention lock and legal hold (admin, security).

Every call, allowed or not, leaves an access-log row: a denied role, another agency's recording,
a missing reason and a refused delete are logged as such.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from aiohttp import BodyPartReader, web

from gateway.logs import mask_number
from gateway.web import keys as appkeys
from gateway.web.auth import Principal, principal, require
from gateway.web.bodies import json_response, query_limit, read_json
from gateway.web.errors import ApiError, error_response
from gateway.web.keys import VAULT
from policies.parse import normalise_phone, parse_instant
from storage.audit import Access, Actor, append
from storage.crypto import DecryptionError, KeyringError
from storage.db import NotFound
from storage.recordings import get_recording, recording_to_json, search_recordings
from storage.retention import RetentionLocked, get_tombstone, hold_history, request_delete, set_legal_hold
from storage.transcripts import recording_flags, transcription_status
from storage.vault import EmptyRecording, IncompleteUpload, TooLarge

__all__ = ["actor_of", "log_access", "parse_range", "require_logged", "routes"]

routes = web.RouteTableDef()

READ_BYTES = 1 << 20
MAX_REASON = 500
READERS = ("inspector", "security")
HOLDERS = ("admin", "security")
_CTYPE = re.compile(r"^[\x21-\x7e][\x20-\x7e]{0,199}$")
_RAW_TYPES = ("audio/", "video/", "application/octet-stream")


def actor_of(request: web.Request, who: Principal | None = None) -> Actor:
    """The actor for the access log: the key, and the peer (with the client nginx saw, when the
    peer is the local TLS front)."""
    source = request.remote or "unknown"
    forwarded = request.headers.get("X-Forwarded-For")
    if forwarded and source in ("127.0.0.1", "::1"):
        source = f"{forwarded.split(',')[-1].strip()} via {source}"
    if who is None:
        return Actor(None, "unknown", None, source)
    return Actor(who.key_id, who.role, who.agency_id, source)


async def log_access(
    request: web.Request,
    who: Principal | None,
    action: str,
    object_id: str,
    result: str,
    reason: str | None = None,
    object_type: str = "recording",
    **details: Any,
) -> None:
    await append(
        request.app[appkeys.DB],
        Access(actor_of(request, who), action, object_type, object_id, result, reason, details),
    )


async def require_logged(request: web.Request, action: str, object_id: str, *roles: str) -> Principal:
    """The caller if its role may act; a denial is logged before the 403."""
    try:
        return require(request, *roles)
    except ApiError as exc:
        if exc.status == 403:
            await log_access(request, principal(request), action, object_id, "denied", why="role")
        raise


def _reason(request: web.Request, doc: dict[str, Any] | None = None) -> str | None:
    raw = request.query.get("reason")
    if raw is None and doc is not None:
        raw = doc.get("reason") if isinstance(doc.get("reason"), str) else None
    raw = (raw or "").strip()
    if not raw:
        return None
    if len(raw) > MAX_REASON:
        raise ApiError(400, "invalid_field", f"reason: at most {MAX_REASON} characters", {"field": "reason"})
    return raw


async def _visible(
    request: web.Request, who: Principal, action: str, recording_id: str, reason: str | None
) -> Any:
    """The recording row; another agency's is logged as denied and answered 404 like a missing one."""
    db = request.app[appkeys.DB]
    try:
        row = await get_recording(db, recording_id)
    except NotFound:
        await log_access(request, who, action, recording_id, "not_found", reason)
        raise
    if who.agency_id is not None and row["agency_id"] != who.agency_id:
        await log_access(request, who, action, recording_id, "denied", reason, why="other_agency")
        raise NotFound("recording", recording_id)
    return row


# --- upload ----------------------------------------------------------------------------------------


async def _multipart_file(request: web.Request) -> tuple[AsyncIterator[bytes], str, str | None]:
    reader = await request.multipart()
    while True:
        part = await reader.next()
        if part is None:
            raise ApiError(400, "missing_field", "multipart body has no `file` field", {"field": "file"})
        if isinstance(part, BodyPartReader) and part.name == "file":
            break
        await part.release()
    found: BodyPartReader = part

    async def chunks() -> AsyncIterator[bytes]:
        while chunk := await found.read_chunk(READ_BYTES):
            yield chunk

    ctype = found.headers.get("Content-Type", "application/octet-stream")
    return chunks(), ctype, found.filename


@routes.post("/v1/recordings")
async def upload_recording(request: web.Request) -> web.Response:
    who = await require_logged(request, "recording.upload", "-", "dialer")
    vault = request.app[VAULT]
    attempt_id = request.query.get("attempt_id", "").strip()
    if not attempt_id:
        await log_access(request, who, "recording.upload", "-", "invalid", why="missing attempt_id")
        raise ApiError(400, "missing_field", "attempt_id is required (query)", {"field": "attempt_id"})
    length = request.content_length
    if length is not None and length > vault.max_bytes:
        await log_access(request, who, "recording.upload", attempt_id, "too_large", bytes=length)
        raise ApiError(413, "too_large", f"recordings are limited to {vault.max_bytes} bytes")
    mime = request.content_type
    expected: int | None = None
    filename: str | None = None
    if mime.startswith("multipart/"):
        chunks, ctype, filename = await _multipart_file(request)
    elif mime.startswith(_RAW_TYPES):
        chunks, ctype, expected = (
            request.content.iter_any(),
            request.headers.get("Content-Type", mime),
            length,
        )
    else:
        await log_access(request, who, "recording.upload", attempt_id, "invalid", content_type=mime)
        raise ApiError(
            415,
            "unsupported_media_type",
            f"send audio/* (or application/octet-stream, multipart), not {mime}",
        )
    if not _CTYPE.match(ctype):
        ctype = "application/octet-stream"
    try:
        rec, created = await vault.ingest(
            attempt_id,
            chunks,
            content_type=ctype,
            actor=actor_of(request, who),
            source="http",
            filename=filename,
            agency_scope=who.agency_id,
            expected_bytes=expected,
        )
    except NotFound:
        await log_access(request, who, "recording.upload", attempt_id, "not_found", object_type="attempt")
        raise
    except TooLarge as exc:
        await log_access(request, who, "recording.upload", attempt_id, "too_large")
        raise ApiError(413, "too_large", str(exc)) from None
    except EmptyRecording:
        await log_access(request, who, "recording.upload", attempt_id, "invalid", why="empty")
        raise ApiError(400, "empty_body", "the recording is empty: send the audio bytes") from None
    except IncompleteUpload as exc:
        await log_access(request, who, "recording.upload", attempt_id, "invalid", why="incomplete")
        raise ApiError(400, "incomplete_body", str(exc)) from None
    return json_response(rec, status=201 if created else 200)


# --- search and metadata ------------------------------------------------------------------------


def _instant(request: web.Request, name: str) -> datetime | None:
    raw = request.query.get(name)
    return None if raw is None else parse_instant(raw, name)


def _cursor(raw: str | None) -> tuple[str, str] | None:
    if not raw:
        return None
    try:
        padded = raw.encode("ascii") + b"=" * (-len(raw) % 4)
        # validate=True: characters outside the alphabet are an error, not silently dropped.
        decoded = base64.b64decode(padded, altchars=b"-_", validate=True).decode("utf-8")
        at, sep, rid = decoded.partition("|")
        if not sep or not rid:
            raise ValueError(decoded)
        parse_instant(at, "cursor")
    except (binascii.Error, UnicodeError, ValueError):
        raise ApiError(
            400, "invalid_field", "cursor: not a cursor from a previous page", {"field": "cursor"}
        ) from None
    return at, rid


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
    filters = {
        "case_id": q.get("case_id"),
        "number": mask_number(number) if number else None,
        "agency_id": q.get("agency_id"),
        "from": q.get("from"),
        "to": q.get("to"),
        "flagged": flagged,
    }
    page, nxt = await search_recordings(
        request.app[appkeys.DB],
        agency_scope=who.agency_id,
        case_id=q.get("case_id"),
        number=number,
        agency_id=q.get("agency_id"),
        since=_instant(request, "from"),
        until=_instant(request, "to"),
        flagged=None if flagged is None else flagged == "true",
        cursor=_cursor(q.get("cursor")),
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
    cursor = base64.urlsafe_b64encode(f"{nxt[0]}|{nxt[1]}".encode()).decode().rstrip("=") if nxt else None
    return json_response({"recordings": page, "next_cursor": cursor})


@routes.get("/v1/recordings/{recording_id}")
async def get_recording_handler(request: web.Request) -> web.Response:
    rid = request.match_info["recording_id"]
    who = await require_logged(request, "recording.metadata", rid, "admin", "dialer", *READERS)
    db = request.app[appkeys.DB]
    tomb = await get_tombstone(db, rid, who.agency_id)
    if tomb is not None:
        await log_access(request, who, "recording.metadata", rid, "ok", purged=True)
        return json_response({"recording_id": rid, "status": "purged", "tombstone": tomb})
    row = await _visible(request, who, "recording.metadata", rid, None)
    out = recording_to_json(row)
    out["legal_holds"] = await hold_history(db, rid)
    out["transcript"] = await transcription_status(db, rid)
    out["flags"] = await recording_flags(db, rid)  # without the words: the transcript needs a reason
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
    reason = _reason(request)
    if reason is None:
        await log_access(request, who, "recording.audio", rid, "denied", why="no reason")
        raise ApiError(
            400, "missing_field", "a reason is required to listen: ?reason=...", {"field": "reason"}
        )
    row = await _visible(request, who, "recording.audio", rid, reason)
    size = int(row["bytes"])
    header = request.headers.get("Range")
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
        raise ApiError(500, "decryption_failed", f"the recording cannot be decrypted: {exc}") from None
    first, last = span if span is not None else (0, size - 1)
    try:
        await log_access(
            request, who, "recording.audio", rid, "ok", reason, range=header, bytes=max(last - first + 1, 0)
        )
        resp = web.StreamResponse(status=206 if span is not None else 200)
        resp.headers["Content-Type"] = row["content_type"]
        resp.headers["Accept-Ranges"] = "bytes"
        resp.headers["Cache-Control"] = "no-store"
        resp.headers["ETag"] = f'"{row["sha256"]}"'
        resp.headers["Content-Disposition"] = f'inline; filename="{rid}"'
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
    reason = _reason(request, await _body(request))
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
    except RetentionLocked as exc:
        raise ApiError(
            403,
            "retention_locked",
            str(exc),
            {"retain_until": exc.retain_until, "legal_hold": exc.legal_hold},
        ) from None
    return json_response({"recording_id": rid, "status": "purged", "tombstone": tomb})


async def _hold(request: web.Request, on: bool) -> web.Response:
    rid = request.match_info["recording_id"]
    action = "recording.hold" if on else "recording.release"
    who = await require_logged(request, action, rid, *HOLDERS)
    reason = _reason(request, await _body(request))
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
    return json_response(rec)


@routes.post("/v1/recordings/{recording_id}/legal-hold")
async def place_hold(request: web.Request) -> web.Response:
    return await _hold(request, True)


@routes.delete("/v1/recordings/{recording_id}/legal-hold")
async def lift_hold(request: web.Request) -> web.Response:
    return await _hold(request, False)
