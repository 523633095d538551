"""What the routes that touch evidence share: who the actor is, logging every access (allowed or
not) in the hash-chained access log, the reason a reader must give, paging cursors, and looking
up a recording the caller may see.
"""

from __future__ import annotations

import base64
import binascii
import logging
from typing import Any

from aiohttp import web

from gateway.web import keys as appkeys
from gateway.web.auth import Principal, client_address, principal, require
from gateway.web.errors import ApiError
from policies.errors import InputError, NotFound
from policies.parse import parse_instant
from storage.audit import Access, Actor, append
from storage.keys import Role
from storage.recordings import get_recording

__all__ = [
    "MAX_REASON",
    "MIN_REASON",
    "actor_of",
    "decode_cursor",
    "encode_cursor",
    "log_access",
    "parse_reason",
    "reason_of",
    "require_logged",
    "visible_recording",
]

MIN_REASON, MAX_REASON = 3, 500


log = logging.getLogger("callwarden.access")


def actor_of(request: web.Request, who: Principal | None = None) -> Actor:
    """The actor for the access log: the key, and the client (`client via proxy` when the request
    came through a trusted proxy)."""
    peer = request.remote or "unknown"
    client = client_address(request, request.app[appkeys.AUTH].trusted)
    source = client if client == peer else f"{client} via {peer}"
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


async def log_other_agency(
    request: web.Request,
    who: Principal,
    action: str,
    object_id: str,
    owner: str,
    reason: str | None = None,
    object_type: str = "recording",
) -> None:
    """Log an agency-bound key reaching for another agency's object exactly as an id that does not
    exist: `not_found`, what it was answered. The agency's security staff read their keys' rows, and
    a `denied` there told them the id exists elsewhere (found by a probe); a second, lender-only
    row did too, by the gap it left in `seq` and the chain (a second probe). The lender reads the
    owner from the object id; the service log warns."""
    await log_access(request, who, action, object_id, "not_found", reason, object_type)
    log.warning(
        "an agency-bound key reached for another agency's object",
        extra={
            "fields": {"key_id": who.key_id, "agency_id": who.agency_id, "owner": owner, "object": object_id}
        },
    )


async def require_logged(request: web.Request, action: str, object_id: str, *roles: Role | str) -> Principal:
    """The caller if its role may act; a denial is logged before the 403."""
    try:
        return require(request, *roles)
    except ApiError as exc:
        if exc.status == 403:
            await log_access(request, principal(request), action, object_id, "denied", why="role")
        raise


def parse_reason(raw: object, field: str = "reason") -> str | None:
    """A reason given for reading or changing evidence: printable text of 3..500 characters
    (None when absent or blank)."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise InputError(field, f"{field}: text of {MIN_REASON}..{MAX_REASON} characters")
    text = raw.strip()
    if not text:
        return None
    if not text.isprintable() or not MIN_REASON <= len(text) <= MAX_REASON:
        raise InputError(field, f"{field}: printable text of {MIN_REASON}..{MAX_REASON} characters")
    return text


async def reason_of(
    request: web.Request,
    who: Principal,
    action: str,
    object_id: str,
    doc: dict[str, Any] | None = None,
    object_type: str = "recording",
) -> str | None:
    """The request's reason (`?reason=` or the body's `reason`, not both); a refused one is logged."""
    raw = request.query.get("reason")
    both = raw is not None and doc is not None and doc.get("reason") is not None
    if raw is None and doc is not None:
        raw = doc.get("reason")
    try:
        if both:  # one of them would be dropped silently (found by a probe)
            raise InputError("reason", "reason: give it in the query or in the body, not both")
        return parse_reason(raw)
    except InputError:
        shown = raw[:80] if isinstance(raw, str) else type(raw).__name__
        await log_access(
            request, who, action, object_id, "invalid", object_type=object_type, why="bad reason", given=shown
        )
        raise


def encode_cursor(nxt: tuple[str, str] | None) -> str | None:
    """A paging cursor for (time, id) of the last row returned."""
    return base64.urlsafe_b64encode(f"{nxt[0]}|{nxt[1]}".encode()).decode().rstrip("=") if nxt else None


def decode_cursor(raw: str | None) -> tuple[str, str] | None:
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
    except (binascii.Error, UnicodeError, ValueError, InputError):
        raise InputError("cursor", "cursor: not a cursor from a previous page") from None
    return at, rid


async def visible_recording(
    request: web.Request, who: Principal, action: str, recording_id: str, reason: str | None
) -> Any:
    """The recording row; another agency's is logged as denied and answered 404 like a missing one."""
    try:
        row = await get_recording(request.app[appkeys.DB], recording_id)
    except NotFound:
        await log_access(request, who, action, recording_id, "not_found", reason)
        raise
    if who.agency_id is not None and row["agency_id"] != who.agency_id:
        await log_other_agency(request, who, action, recording_id, row["agency_id"], reason)
        raise NotFound("recording", recording_id)
    return row
