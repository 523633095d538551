"""Errors → HTTP, in one place, rendered in the single error shape of API.md:
`{"error": "<stable_code>", "message": "<human text>", "details": {...}}`.

Every `CallwardenError` carries its status and code; the few foreign exceptions that can escape a
handler (aiohttp's own HTTP errors, a vanished client) are found by walking the class hierarchy
in `FOREIGN`. Anything else is a bug: logged with its traceback and answered 500.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from policies.errors import CallwardenError

__all__ = ["ApiError", "error_middleware", "error_response", "render"]

log = logging.getLogger("callwarden.http")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ApiError(CallwardenError):
    """An error only the web layer knows (a route's own check), with an explicit status and code;
    `extra` adds top-level members to the body (a denied contact's decision)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, details, code=code, status=status)
        self.extra = extra or {}


def error_response(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> web.Response:
    body = {"error": code, "message": message, "details": details or {}, **(extra or {})}
    return web.Response(
        status=status, text=json.dumps(body, ensure_ascii=False), content_type="application/json"
    )


# aiohttp's own HTTP exceptions (unknown route, wrong method, body too large) keep their status
# but get our shape and a stable code.
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}


def _http_exception(exc: BaseException) -> web.Response:
    assert isinstance(exc, web.HTTPException)
    code = _HTTP_CODES.get(exc.status, "http_error")
    message = exc.reason if exc.status != 413 else "request body is larger than the configured limit"
    response = error_response(exc.status, code, message)
    if isinstance(exc, web.HTTPMethodNotAllowed):
        response.headers["Allow"] = ", ".join(sorted(exc.allowed_methods))
    return response


def _disconnected(exc: BaseException) -> web.Response:
    # The client went away mid-request: nothing will reach it, and it is not our error.
    return error_response(400, "client_disconnected", "the client closed the connection")


FOREIGN: dict[type[BaseException], Callable[[BaseException], web.Response]] = {
    web.HTTPException: _http_exception,
    ConnectionResetError: _disconnected,
}


def render(exc: CallwardenError) -> web.Response:
    return error_response(exc.status, exc.code, exc.message, exc.details, getattr(exc, "extra", None))


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except CallwardenError as exc:
        if exc.status >= 500:
            log.warning("%s on %s %s: %s", exc.code, request.method, request.path, exc.message)
        return render(exc)
    except Exception as exc:
        if isinstance(exc, web.HTTPException) and exc.status < 400:
            raise  # redirects and other successes travel as exceptions in aiohttp
        for cls in type(exc).__mro__:
            if cls in FOREIGN:
                return FOREIGN[cls](exc)
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", "internal error; see the server log")
