"""Sign-in with an API key (inspector, security or admin) → a server-side session; sign-out."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from gateway.web import keys as appkeys
from gateway.web.access import actor_of, log_access
from gateway.web.auth import Principal, client_address
from gateway.web.console.keys import LANG_KEY, SESSION_KEY, TOKEN_KEY
from gateway.web.console.render import render, sections_for
from gateway.web.console.session import CSRF_COOKIE, SESSION_COOKIE, new_csrf, set_cookie
from gateway.web.console.views.common import field, redirect, safe_next
from policies.errors import CallwardenError
from storage.console_sessions import end_session, open_session

__all__ = ["CONSOLE_ROLES", "routes"]

routes = web.RouteTableDef()

CONSOLE_ROLES = ("inspector", "security", "admin")


@routes.get("/console")
@routes.get("/console/")
async def home(request: web.Request) -> web.Response:
    sections = sections_for(request[SESSION_KEY].role)
    raise web.HTTPSeeOther(sections[0][1] if sections else "/console/sign-in")


async def _form(request: web.Request, status: int = 200, error: str | None = None) -> web.Response:
    csrf = request.cookies.get(CSRF_COOKIE) or new_csrf()
    resp = await render(
        request,
        "sign_in.html",
        {
            "csrf": csrf,
            "next": safe_next(request.query.get("next")),
            "why": request.query.get("why")
            if request.query.get("why") in ("expired", "revoked", "ended")
            else None,
            "error": error,
        },
        status=status,
    )
    set_cookie(request, resp, CSRF_COOKIE, csrf, None)
    return resp


@routes.get("/console/sign-in")
async def sign_in_page(request: web.Request) -> web.Response:
    return await _form(request)


@routes.post("/console/sign-in")
async def sign_in(request: web.Request) -> web.Response:
    presented = await field(request, "key")
    source = actor_of(request).source
    try:
        # The API's authenticator: the same throttle of failed attempts per client.
        auth = request.app[appkeys.AUTH]
        who = await auth.check_key(presented, client_address(request, auth.trusted))
    except CallwardenError as exc:
        return await _form(request, exc.status, "too_many" if exc.status == 429 else "bad_key")
    if who.role not in CONSOLE_ROLES:
        await log_access(
            request, who, "console.sign_in", who.key_id, "denied", object_type="console", why="role"
        )
        return await _form(request, 403, "role")
    db = request.app[appkeys.DB]
    token, _ = await open_session(
        db, who.key_id, who.role, who.agency_id, request[LANG_KEY], source, datetime.now(UTC)
    )
    await log_access(request, who, "console.sign_in", who.key_id, "ok", object_type="console")
    resp = redirect(safe_next(await field(request, "next")))
    set_cookie(request, resp, SESSION_COOKIE, token, None)
    resp.del_cookie(CSRF_COOKIE, path="/console")
    return resp


@routes.post("/console/sign-out")
async def sign_out(request: web.Request) -> web.Response:
    session = request[SESSION_KEY]
    await end_session(request.app[appkeys.DB], request[TOKEN_KEY], datetime.now(UTC))
    who = Principal(session.key_id, session.role, session.agency_id)
    await log_access(request, who, "console.sign_out", session.key_id, "ok", object_type="console")
    resp = redirect("/console/sign-in", why="ended")
    resp.del_cookie(SESSION_COOKIE, path="/console")
    return resp
