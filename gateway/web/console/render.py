"""Rendering a console page: the template with the translator, the session, its CSRF token, the
navigation for the signed-in role, and the language switch."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from gateway.web.console.i18n import LANGS, Translator
from gateway.web.console.keys import LANG_KEY, SESSION_KEY

__all__ = ["NAV", "render", "sections_for"]

# (section, path, roles): what each role may open; the middleware's role checks use the same table.
NAV: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("queue", "/console/queue", ("inspector",)),
    ("complaints", "/console/complaints", ("inspector", "admin")),
    ("scorecard", "/console/scorecard", ("inspector", "security", "admin")),
    ("access_log", "/console/security/access-log", ("security",)),
    ("retention", "/console/security/retention", ("security",)),
    ("agencies", "/console/admin/agencies", ("admin",)),
    ("cases", "/console/admin/cases", ("admin",)),
    ("import", "/console/admin/import", ("admin",)),
    ("keys", "/console/admin/keys", ("admin",)),
)


def notice(request: web.Request, *codes: str) -> str | None:
    """The page's `?msg=` when it is one of the notices the page's own redirects set: any other
    text would show in a trusted banner (found by a probe: "session expired, sign in at ...")."""
    msg = request.query.get("msg")
    return msg if msg in codes else None


def sections_for(role: str) -> list[tuple[str, str]]:
    return [(name, path) for name, path, roles in NAV if role in roles]


async def render(
    request: web.Request, template: str, context: dict[str, Any], status: int = 200
) -> web.Response:
    lang = request.get(LANG_KEY, "en")
    session = request.get(SESSION_KEY)
    ctx = {
        "t": Translator(lang),
        "lang": lang,
        "langs": LANGS,
        "session": session,
        "csrf": session.csrf_token if session else context.get("csrf", ""),
        "nav": sections_for(session.role) if session else [],
        "path": request.path,
        "path_qs": request.path_qs,
        "lang_links": {code: str(request.rel_url.update_query(lang=code)) for code in LANGS},
        **context,
    }
    resp = aiohttp_jinja2.render_template(template, request, ctx, status=status)
    resp.headers["Content-Language"] = "zh-Hans" if lang == "zh" else "en"
    return resp
