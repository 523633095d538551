"""Domain exceptions → HTTP statuses, rendered in the single error shape of API.md:
`{"error": "<stable_code>", "message": "<human text>", "details": {...}}`."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from policies.types import PolicyInputError
from storage.db import Conflict, NotFound

__all__ = ["ApiError", "error_middleware", "error_response"]

log = logging.getLogger("callwarden.http")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ApiError(Exception):
    """An error the gateway answers with a stable code."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}
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


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as exc:
        return error_response(exc.status, exc.code, exc.message, exc.details, exc.extra)
    except PolicyInputError as exc:
        return error_response(400, exc.code, exc.message, {"field": exc.field})
    except NotFound as exc:
        # Also for other agencies' objects: their existence is not disclosed.
        return error_response(
            404,
            "not_found",
            f"{exc.kind} {exc.object_id!r} not found",
            {"kind": exc.kind, "id": exc.object_id},
        )
    except Conflict as exc:
        return error_response(409, "conflict", str(exc))
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = _HTTP_CODES.get(exc.status, "http_error")
        message = exc.reason if exc.status != 413 else "request body is larger than the configured limit"
        return error_response(exc.status, code, message)
    except ConnectionResetError:
        # The client went away mid-request: nothing will reach it, and it is not our error.
        return error_response(400, "client_disconnected", "the client closed the connection")
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", "internal error; see the server log")
