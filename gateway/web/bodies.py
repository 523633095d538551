"""Small helpers shared by the route modules: JSON bodies and JSON answers."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from gateway.web.errors import ApiError

__all__ = ["json_response", "query_limit", "read_json", "require_str"]


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.Response(
        status=status, text=json.dumps(data, ensure_ascii=False), content_type="application/json"
    )


async def read_json(request: web.Request, max_bytes: int) -> dict[str, Any]:
    """The request body as a JSON object, or a clear 400/413/415."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise ApiError(413, "too_large", f"JSON bodies are limited to {max_bytes} bytes")
    ctype = request.content_type
    if ctype not in ("application/json", "application/octet-stream", "text/plain") and request.body_exists:
        raise ApiError(415, "unsupported_media_type", f"expected application/json, got {ctype}")
    raw = await request.content.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise ApiError(413, "too_large", f"JSON bodies are limited to {max_bytes} bytes")
    if not raw.strip():
        raise ApiError(400, "invalid_json", "a JSON object body is required")
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, "invalid_json", f"body is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise ApiError(400, "invalid_json", "body must be a JSON object")
    return doc


def require_str(doc: dict[str, Any], key: str) -> str:
    value = doc.get(key)
    if value is None:
        raise ApiError(400, "missing_field", f"{key} is required", {"field": key})
    if not isinstance(value, str) or not value:
        raise ApiError(400, "invalid_field", f"{key}: expected a non-empty string", {"field": key})
    return value


def query_limit(request: web.Request, default: int = 100, maximum: int = 1000) -> int:
    """The `limit` query parameter of a paged list: an integer in 1..maximum, else 400."""
    try:
        limit = int(request.query.get("limit", str(default)))
    except ValueError:
        raise ApiError(400, "invalid_field", "limit: an integer", {"field": "limit"}) from None
    if not 1 <= limit <= maximum:
        raise ApiError(400, "invalid_field", f"limit: 1..{maximum}", {"field": "limit"})
    return limit
