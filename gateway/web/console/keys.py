"""Request keys the console sets: the live session, its token and the page's language."""

from __future__ import annotations

from aiohttp import web

from storage.console_sessions import ConsoleSession

__all__ = ["LANG_KEY", "SESSION_KEY", "TOKEN_KEY"]

SESSION_KEY = web.RequestKey("callwarden.console.session", ConsoleSession)
TOKEN_KEY = web.RequestKey("callwarden.console.token", str)
LANG_KEY = web.RequestKey("callwarden.console.lang", str)
