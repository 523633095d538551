"""API-key authentication, roles and agency scope, with throttling of failed attempts."""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Middleware

from gateway.web.errors import ApiError
from storage.db import Database
from storage.keys import ApiKey, lookup_key, parse_key, verify_secret

__all__ = ["Authenticator", "Principal", "auth_middleware_factory", "principal", "require"]

log = logging.getLogger("callwarden.auth")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Paths anyone may reach: probes for load balancers and the scraper.
PUBLIC_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/"})
# Paths that authenticate themselves: the Twilio-compatible facade (HTTP Basic, Twilio-shaped
# errors) and the upstream's webhooks (X-Twilio-Signature).
SELF_AUTHENTICATED = ("/static/", "/2010-04-01/", "/twilio/")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key id, its role, and for dialers the agency it is bound to."""

    key_id: str
    role: str
    agency_id: str | None


class Authenticator:
    """Verifies presented keys against the database, with a short cache and a failure throttle."""

    def __init__(self, db: Database, max_failures: int = 10, window_s: float = 60.0, cache_s: float = 2.0):
        self.db = db
        self.max_failures = max_failures
        self.window_s = window_s
        self.cache_s = cache_s
        self._cache: dict[str, tuple[float, ApiKey]] = {}
        self._failures: dict[str, deque[float]] = {}

    def throttled(self, source: str) -> float:
        """Seconds until `source` may try again (0 when not throttled)."""
        now = time.monotonic()
        fails = self._failures.get(source)
        if not fails:
            return 0.0
        while fails and now - fails[0] > self.window_s:
            fails.popleft()
        if len(fails) >= self.max_failures:
            return self.window_s - (now - fails[0])
        return 0.0

    def _fail(self, source: str, why: str, key_id: str | None) -> ApiError:
        fails = self._failures.setdefault(source, deque(maxlen=self.max_failures * 2))
        fails.append(time.monotonic())
        if len(self._failures) > 100_000:  # bound memory under a spray of addresses
            self._failures.clear()
        log.warning(
            "authentication failed",
            extra={"fields": {"event": "auth_failed", "source": source, "why": why, "key_id": key_id}},
        )
        return ApiError(401, "unauthenticated", "a valid API key is required (Authorization: Bearer <key>)")

    async def authenticate(self, request: web.Request) -> Principal:
        header = request.headers.get("Authorization", "")
        scheme, _, presented = header.partition(" ")
        bearer = scheme.lower() == "bearer" and presented.strip()
        return await self.verify(request.remote or "unknown", presented.strip() if bearer else None)

    async def verify(self, source: str, presented: str | None) -> Principal:
        """The principal of a presented key (None: no key was presented), throttled per `source`.
        Used for the Bearer header and for the Twilio facade's Basic auth password."""
        wait = self.throttled(source)
        if wait > 0:
            raise ApiError(
                429,
                "too_many_requests",
                "too many failed authentications from this address; try again later",
                {"retry_after_s": round(wait, 1)},
            )
        if presented is None:
            raise self._fail(source, "missing_bearer", None)
        parsed = parse_key(presented)
        if parsed is None:
            raise self._fail(source, "malformed_key", None)
        key_id, secret = parsed
        now = time.monotonic()
        cached = self._cache.get(key_id)
        if cached is not None and now - cached[0] < self.cache_s:
            key: ApiKey | None = cached[1]
        else:
            key = await lookup_key(self.db, key_id)
            if key is not None:
                self._cache[key_id] = (now, key)
        if key is None or not verify_secret(key, secret):
            raise self._fail(source, "unknown_key", key_id)
        if key.revoked_at is not None:
            raise self._fail(source, "revoked_key", key_id)
        return Principal(key.key_id, key.role, key.agency_id)


PRINCIPAL_KEY = web.RequestKey("callwarden.principal", Principal)


def auth_middleware_factory(auth: Authenticator) -> Middleware:
    @web.middleware
    async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path not in PUBLIC_PATHS and not request.path.startswith(SELF_AUTHENTICATED):
            request[PRINCIPAL_KEY] = await auth.authenticate(request)
        return await handler(request)

    return auth_middleware


def principal(request: web.Request) -> Principal:
    if PRINCIPAL_KEY not in request:
        raise ApiError(401, "unauthenticated", "a valid API key is required")
    return request[PRINCIPAL_KEY]


def require(request: web.Request, *roles: str) -> Principal:
    """The caller, if its role is one of `roles`; else 403 `forbidden`."""
    who = principal(request)
    if who.role not in roles:
        raise ApiError(
            403, "forbidden", f"this needs one of the roles: {', '.join(roles)} (key has {who.role})"
        )
    return who
