"""Small helpers shared by the route modules: JSON bodies and JSON answers."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from multidict import MultiDictProxy

from gateway.streams import read_capped
from gateway.web.errors import ApiError
from gateway.web.openapi import query_names
from policies.errors import InputError
from policies.parse import parse_id, parse_instant

__all__ = [
    "BROKEN_BODY",
    "form_fields",
    "json_response",
    "path_ids_middleware",
    "query_id",
    "query_instant",
    "query_int",
    "query_limit",
    "read_json",
    "require_str",
    "text_problem",
]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_QUERY_NAMES = query_names()  # documented query parameters per operation (gateway.web.openapi)


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.Response(
        status=status, text=json.dumps(data, ensure_ascii=False), content_type="application/json"
    )


# What aiohttp raises on a body it cannot parse: no boundary, a part header with a raw CR LF, a
# text field that is not UTF-8 (UnicodeDecodeError is a ValueError), a charset Python does not
# know (LookupError).
BROKEN_BODY = (ValueError, AssertionError, KeyError, LookupError, HttpProcessingError)


async def form_fields(request: web.Request) -> MultiDictProxy[str | bytes | bytearray | web.FileField]:
    """The request's form fields, or a clear 400 `invalid_body`: a multipart text field that is
    not UTF-8 or a broken part made `request.post()` raise, which was a 500."""
    try:
        form = await request.post()
    except BROKEN_BODY as exc:
        raise ApiError(400, "invalid_body", f"form body cannot be read ({type(exc).__name__})") from None
    for name, value in form.items():
        problem = text_problem(name) or (text_problem(value) if isinstance(value, str) else None)
        if problem is not None:
            raise ApiError(400, "invalid_body", f"form field {name[:40]!r} holds {problem}")
    return form


async def read_json(request: web.Request, max_bytes: int) -> dict[str, Any]:
    """The request body as a JSON object, or a clear 400/413/415."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise ApiError(413, "too_large", f"JSON bodies are limited to {max_bytes} bytes")
    ctype = request.content_type
    if ctype not in ("application/json", "application/octet-stream", "text/plain") and request.body_exists:
        raise ApiError(415, "unsupported_media_type", f"expected application/json, got {ctype}")
    raw = await read_capped(request.content.read, max_bytes)
    if raw is None:
        raise ApiError(413, "too_large", f"JSON bodies are limited to {max_bytes} bytes")
    if not raw.strip():
        raise ApiError(400, "invalid_json", "a JSON object body is required")
    try:
        doc = json.loads(raw, parse_constant=_no_constant)
    except RecursionError:
        raise ApiError(400, "invalid_json", f"body is nested deeper than {MAX_DEPTH} levels") from None
    except (UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError, NaN, over-long integers
        raise ApiError(400, "invalid_json", f"body is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise ApiError(400, "invalid_json", "body must be a JSON object")
    if _depth(doc) > MAX_DEPTH:
        raise ApiError(400, "invalid_json", f"body is nested deeper than {MAX_DEPTH} levels")
    problem = _untextual(doc)
    if problem is not None:
        raise ApiError(400, "invalid_json", f"body holds {problem}")
    return doc


def _untextual(doc: Any) -> str | None:
    """What in the document's strings no database column takes as text, if anything: "\\ud800"
    and "\\u0000" are valid JSON, but a lone UTF-16 surrogate cannot be stored, logged or hashed
    into the access log's chain (UTF-8 everywhere), and PostgreSQL refuses NUL in text (SQLite
    took it, so the same request answered differently by back end)."""
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str):
            problem = text_problem(node)
            if problem is not None:
                return problem
    return None


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored as text (None: it can)."""
    if "\x00" in text:
        return "a NUL character (\\u0000)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "a lone UTF-16 surrogate (\\ud800-\\udfff)"
    return None


MAX_DEPTH = 32  # no request of the API nests deeper than a few levels


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _depth(doc: Any) -> int:
    """How deep containers nest (iteratively: a hostile document cannot exhaust the stack)."""
    deepest, stack = 0, [(doc, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, level)
            if deepest > MAX_DEPTH:
                return deepest
            stack.extend((child, level + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def require_str(doc: dict[str, Any], key: str) -> str:
    value = doc.get(key)
    if value is None:
        raise ApiError(400, "missing_field", f"{key} is required", {"field": key})
    if not isinstance(value, str) or not value:
        raise ApiError(400, "invalid_field", f"{key}: expected a non-empty string", {"field": key})
    return value


def query_int(request: web.Request, name: str, default: int, minimum: int, maximum: int) -> int:
    """An integer query parameter in minimum..maximum, else 400 naming it."""
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.lstrip("-").isdigit() or len(raw) > 20:
        raise InputError(name, f"{name}: an integer")
    value = int(raw)
    if not minimum <= value <= maximum:
        raise InputError(name, f"{name}: {minimum}..{maximum}")
    return value


def query_limit(request: web.Request, default: int = 100, maximum: int = 1000) -> int:
    """The `limit` query parameter of a paged list: an integer in 1..maximum, else 400."""
    return query_int(request, "limit", default, 1, maximum)


def query_id(request: web.Request, name: str) -> str | None:
    """An optional id query parameter (empty = not given); a malformed one is a 400."""
    raw = request.query.get(name)
    return None if raw is None or raw == "" else parse_id(raw, name)


def query_instant(request: web.Request, name: str) -> datetime | None:
    """An optional RFC 3339 query parameter (400 naming it when malformed)."""
    raw = request.query.get(name)
    return None if raw is None or raw == "" else parse_instant(raw, name)


@web.middleware
async def path_ids_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every `{..._id}` of a route path is an object id (`policies.parse.parse_id`): anything else
    is a 400 naming it before a handler, a query or a file name ever sees it; so is a query
    parameter given twice."""
    for name, value in request.match_info.items():
        if name.endswith("_id"):
            parse_id(value, name)
    for name, value in request.query.items():
        # A `reason` is refused by its own parser, which logs the refused read as evidence.
        problem = text_problem(name) or (text_problem(value) if name != "reason" else None)
        if problem is not None:
            raise InputError(name, f"{name[:40]!r}: holds {problem}")
    if not request.path.startswith("/v1/"):
        return await handler(request)  # the console and the Twilio facade read their own forms
    resource = request.match_info.route.resource
    allowed = _QUERY_NAMES.get((request.method, resource.canonical)) if resource is not None else None
    if allowed is not None:
        unknown = sorted(set(request.query) - allowed)
        if unknown:
            raise InputError(unknown[0], f"{unknown[0]}: not a parameter of this endpoint")
    if len(request.query) != len(set(request.query)):
        # Every query parameter of the API takes one value; which of several would count is a
        # guess no client should depend on.
        twice = next(k for k in request.query if len(request.query.getall(k)) > 1)
        raise InputError(twice, f"{twice}: given more than once")
    return await handler(request)
