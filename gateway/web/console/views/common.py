"""What the console's views share: role checks, form fields, flash messages, safe redirects."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from gateway.web.access import MAX_REASON, MIN_REASON, parse_reason
from gateway.web.bodies import form_fields
from gateway.web.console.keys import SESSION_KEY
from policies.errors import CallwardenError, InputError
from storage.console_sessions import ConsoleSession

__all__ = ["field", "need", "redirect", "safe_next"]


def need(request: web.Request, *roles: str) -> ConsoleSession:
    """The session, if its role is one of `roles`; else a 403 page."""
    session = request[SESSION_KEY]
    if session.role not in roles:
        raise CallwardenError(
            f"this page needs one of the roles: {', '.join(roles)} (signed in as {session.role})",
            code="forbidden",
            status=403,
        )
    return session


async def field(request: web.Request, name: str, default: str = "") -> str:
    form = await form_fields(request)
    value = form.get(name, default)
    return value.strip() if isinstance(value, str) else default


def safe_next(raw: str | None, default: str = "/console/") -> str:
    """A same-site console path to go to after a form (never another host, never a character a
    header cannot carry: a CR LF or NUL in it made the answer fail after the session was made)."""
    if (
        raw
        and raw.startswith("/console")
        and not raw.startswith("//")
        and "\\" not in raw
        and raw.isprintable()
        and raw.isascii()
    ):
        return raw
    return default


def required_reason(raw: str | None, what: str) -> str:
    """A reason for reading or changing evidence, by the API's rule (printable, 3..500 characters)."""
    reason = parse_reason(raw)
    if reason is None:
        raise InputError("reason", f"a reason of {MIN_REASON} to {MAX_REASON} characters is required {what}")
    return reason


def redirect(path: str, **query: Any) -> web.Response:
    """A 303 to `path` with `query` (a response, so cookies can be set on it)."""
    clean = {k: v for k, v in query.items() if v not in (None, "")}
    sep = "&" if "?" in path else "?"
    return web.Response(status=303, headers={"Location": path + (sep + urlencode(clean) if clean else "")})
