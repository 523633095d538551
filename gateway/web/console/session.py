"""Console sessions on the web side: the cookie, the middleware that finds the session of every
/console request, checks the CSRF token of every form post, sets the language, and renders errors
as pages.

The cookie (`cw_session`) holds a random token; the session itself is a database row
(`storage.console_sessions`). It is HttpOnly, SameSite=Strict, Path=/console, and Secure when the
request came over TLS — directly, or through a proxy in `auth.trusted_proxies` that says
`X-Forwarded-Proto: https`. The API's Bearer keys are not accepted here, and the session cookie is
not accepted by the API.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from urllib.parse import quote

from aiohttp import web

from gateway.web import keys as appkeys
from gateway.web.auth import PRINCIPAL_KEY, Principal
from gateway.web.bodies import form_fields
from gateway.web.console.i18n import LANGS, Translator, negotiate
from gateway.web.console.keys import LANG_KEY, SESSION_KEY, TOKEN_KEY
from gateway.web.console.render import render
from policies.errors import CallwardenError
from storage.console_sessions import resume_session, set_session_lang

__all__ = [
    "CSRF_COOKIE",
    "LANG_COOKIE",
    "PUBLIC",
    "SESSION_COOKIE",
    "console_middleware",
    "is_tls",
    "set_cookie",
]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SESSION_COOKIE = "cw_session"
LANG_COOKIE = "cw_lang"
CSRF_COOKIE = "cw_signin_csrf"  # the sign-in form's token, before there is a session
MULTIPART_PATHS = frozenset({"/console/admin/import"})
# Pages anyone may open (the sign-in page and the static files).
PUBLIC = ("/console/sign-in", "/console/static/")
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self';"
    " script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def is_tls(request: web.Request) -> bool:
    if request.secure:
        return True
    trusted = request.app[appkeys.AUTH].trusted  # auth.trusted_proxies, as for X-Forwarded-For
    return request.remote in trusted and request.headers.get("X-Forwarded-Proto", "").lower() == "https"


def set_cookie(
    request: web.Request, resp: web.StreamResponse, name: str, value: str, max_age: int | None
) -> None:
    resp.set_cookie(
        name,
        value,
        path="/console",
        httponly=True,
        samesite="Strict",
        secure=is_tls(request),
        max_age=max_age,
    )


def _lang(request: web.Request, session_lang: str | None) -> tuple[str, str | None]:
    """(the language for this request, a language just chosen with ?lang= or None)."""
    asked = request.query.get("lang")
    if asked in LANGS:
        return str(asked), str(asked)
    if session_lang in LANGS:
        return str(session_lang), None
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in LANGS:
        return str(cookie), None
    return negotiate(request.headers.get("Accept-Language")), None


def _sign_in_redirect(request: web.Request, why: str | None) -> web.Response:
    target = request.path_qs if request.method == "GET" else "/console/"
    location = f"/console/sign-in?next={quote(target, safe='')}" + (f"&why={why}" if why else "")
    raise web.HTTPSeeOther(location)


async def _csrf_ok(request: web.Request, expected: str) -> bool:
    if request.content_type == "multipart/form-data":
        # File uploads stream: their handler checks the token, the form's first field, before it
        # reads the file (views/admin.py). Nowhere else is a multipart post accepted.
        return request.path in MULTIPART_PATHS
    form = await form_fields(request)
    presented = str(form.get("csrf", ""))
    return bool(presented) and hmac.compare_digest(presented, expected)


# Requests a page makes on a timer (the queue's counts every 15 s): an open tab polling them kept
# an unattended workstation's session alive for ever (found by a probe).
BACKGROUND = frozenset({"/console/queue/counts"})


@web.middleware
async def console_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    path = request.path
    if path == "/":
        raise web.HTTPFound("/console/")
    if path == "/favicon.ico":
        return web.Response(status=204)
    if not path.startswith("/console"):
        return await handler(request)
    if path.startswith("/console/static/"):
        return await handler(request)
    settings = request.app[appkeys.SETTINGS]
    db = request.app[appkeys.DB]
    now = datetime.now(UTC)
    token = request.cookies.get(SESSION_COOKIE)
    session, why = (None, None)
    if token:
        session, why = await resume_session(
            db, token, float(settings["console.idle_timeout_s"]), now, activity=path not in BACKGROUND
        )
    lang, chosen = _lang(request, session.lang if session else None)
    request[LANG_KEY] = lang
    try:
        if not path.startswith(PUBLIC):
            if session is None or token is None:
                _sign_in_redirect(request, why)
            assert session is not None
            assert token is not None
            request[SESSION_KEY] = session
            request[TOKEN_KEY] = token
            request[PRINCIPAL_KEY] = Principal(session.key_id, session.role, session.agency_id)
            if chosen is not None and chosen != session.lang:
                await set_session_lang(db, token, chosen)
            if request.method not in ("GET", "HEAD") and not await _csrf_ok(request, session.csrf_token):
                raise CallwardenError(
                    "the form's security token is missing or stale; reload the page and try again",
                    code="csrf_rejected",
                    status=403,
                )
        elif request.method == "POST" and path == "/console/sign-in":
            cookie = request.cookies.get(CSRF_COOKIE, "")
            if not cookie or not await _csrf_ok(request, cookie):
                raise CallwardenError(
                    "the form's security token is missing or stale; reload the page and try again",
                    code="csrf_rejected",
                    status=403,
                )
        resp = await handler(request)
    except web.HTTPException as exc:
        if exc.status >= 400:
            resp = await _error_page(request, exc.status, "http_error", exc.reason)
        else:
            for name, value in SECURITY_HEADERS.items():
                exc.headers.setdefault(name, value)
            raise
    except CallwardenError as exc:
        resp = await _error_page(request, exc.status, exc.code, exc.message)
    if chosen is not None and not resp.prepared:
        set_cookie(request, resp, LANG_COOKIE, chosen, 365 * 86400)
    if not resp.prepared:
        for name, value in SECURITY_HEADERS.items():
            resp.headers.setdefault(name, value)
        resp.headers.setdefault("Cache-Control", "no-store")
    return resp


async def _error_page(request: web.Request, status: int, code: str, message: str) -> web.Response:
    t = Translator(request.get(LANG_KEY, "en"))
    label = f"error.{code}"
    return await render(
        request,
        "error.html",
        {
            "status": status,
            "code": code,
            "title": t(label) if t.has(label) else t("error.generic"),
            "detail": message,
        },
        status=status,
    )


def new_csrf() -> str:
    return secrets.token_urlsafe(32)
