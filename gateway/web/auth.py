"""API-key authentication, roles and agency scope, with throttling of failed attempts.

A valid, unrevoked key is always let in: failed attempts are counted per client address and,
for well-formed keys, per key id, and only *further failures* from a throttled client or on a
throttled key id are answered 429 instead of 401. One misbehaving client behind the same proxy
(or a PBX on the same host) can therefore never lock other dialers out. The client address is
the peer's, or — only when the peer is a configured trusted proxy — the right-most address of
`X-Forwarded-For` that is not itself a trusted proxy.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Middleware

from gateway.web.errors import ApiError
from storage.db import Database, NotFound
from storage.keys import ApiKey, Role, lookup_key, parse_key, verify_secret

__all__ = [
    "LENDER_WIDE",
    "PRINCIPAL_KEY",
    "Authenticator",
    "Principal",
    "TrustedProxies",
    "agency_scope",
    "auth_middleware_factory",
    "client_address",
    "principal",
    "require",
]

log = logging.getLogger("callwarden.auth")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Paths anyone may reach: probes for load balancers, the scraper, the API description, and the
# browser's icon (a browser asks for it unasked: it must not count as a failed authentication).
PUBLIC_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/", "/v1/openapi.json", "/favicon.ico"})
MAX_BUCKETS = 100_000  # bound memory under a spray of addresses or key ids
# Paths that authenticate themselves: the console (sessions), the Twilio-compatible facade (HTTP
# Basic, Twilio-shaped errors) and the upstream's webhooks (X-Twilio-Signature).
SELF_AUTHENTICATED = ("/static/", "/console", "/2010-04-01/", "/twilio/")
# Paths that authenticate themselves: the console (sessions), the Twilio-compatible facade (HTTP
# Basic, Twilio-shaped errors) and the upstream's webhooks (X-Twilio-Signature).
SELF_AUTHENTICATED = ("/static/", "/console", "/2010-04-01/", "/twilio/")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key id, its role, and for dialers the agency it is bound to."""

    key_id: str
    role: str
    agency_id: str | None


class TrustedProxies:
    """Addresses (or networks) whose `X-Forwarded-For` header is believed."""

    def __init__(self, spec: str | Iterable[str] = ()) -> None:
        items = spec.split(",") if isinstance(spec, str) else list(spec)
        self.networks = tuple(ipaddress.ip_network(i.strip(), strict=False) for i in items if i.strip())

    def __contains__(self, address: object) -> bool:
        try:
            ip = ipaddress.ip_address(str(address))
        except ValueError:
            return False
        return any(ip in net for net in self.networks)


def client_address(request: web.Request, trusted: TrustedProxies) -> str:
    """The client as far as it can be trusted (see the module docstring)."""
    peer = request.remote or "unknown"
    if peer not in trusted:
        return peer
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            # Not an address: whatever wrote it is not a proxy, so the chain is trusted no
            # further (free text must not reach the access log's `source` or name a throttle).
            return peer
        if hop not in trusted:
            return hop
    return peer


class _Failures:
    """Recent failure times per bucket (an address or a key id)."""

    def __init__(self, limit: int, window_s: float) -> None:
        self.limit = limit
        self.window_s = window_s
        self._times: dict[str, deque[float]] = {}

    def wait(self, bucket: str, now: float) -> float:
        """Seconds until `bucket` is below the limit again (0 when it is)."""
        times = self._times.get(bucket)
        if not times:
            return 0.0
        while times and now - times[0] > self.window_s:
            times.popleft()
        return self.window_s - (now - times[0]) if len(times) >= self.limit else 0.0

    def add(self, bucket: str, now: float) -> None:
        if len(self._times) > MAX_BUCKETS:
            self._times.clear()
        self._times.setdefault(bucket, deque(maxlen=self.limit * 2)).append(now)


class Authenticator:
    """Verifies presented keys against the database, with a short cache (one lookup in flight
    per key id) and a failure throttle."""

    def __init__(
        self,
        db: Database,
        max_failures: int = 10,
        window_s: float = 60.0,
        cache_s: float = 2.0,
        trusted_proxies: TrustedProxies | None = None,
    ) -> None:
        self.db = db
        self.cache_s = cache_s
        self.trusted = trusted_proxies or TrustedProxies()
        self._failures = _Failures(max_failures, window_s)
        self._cache: dict[str, tuple[float, ApiKey | None]] = {}
        self._inflight: dict[str, asyncio.Future[ApiKey | None]] = {}

    async def _key(self, key_id: str) -> ApiKey | None:
        now = time.monotonic()
        cached = self._cache.get(key_id)
        if cached is not None and now - cached[0] < self.cache_s:
            return cached[1]
        pending = self._inflight.get(key_id)
        if pending is not None:  # a burst of first requests shares one lookup
            return await asyncio.shield(pending)
        future: asyncio.Future[ApiKey | None] = asyncio.get_running_loop().create_future()
        self._inflight[key_id] = future
        try:
            key = await lookup_key(self.db, key_id)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters re-raise it, nobody logs it as lost
            raise
        finally:
            del self._inflight[key_id]
        if len(self._cache) > MAX_BUCKETS:
            self._cache.clear()
        self._cache[key_id] = (now, key)
        future.set_result(key)
        return key

    def _fail(self, source: str, why: str, key_id: str | None) -> ApiError:
        now = time.monotonic()
        buckets = [f"addr:{source}"] + ([f"key:{key_id}"] if key_id else [])
        wait = max(self._failures.wait(b, now) for b in buckets)
        for b in buckets:
            self._failures.add(b, now)
        log.warning(
            "authentication failed",
            extra={"fields": {"event": "auth_failed", "source": source, "why": why, "key_id": key_id}},
        )
        if wait > 0:
            return ApiError(
                429,
                "too_many_requests",
                "too many failed authentications from this client or for this key id; try again later",
                {"retry_after_s": round(wait, 1)},
            )
        return ApiError(401, "unauthenticated", "a valid API key is required (Authorization: Bearer <key>)")

    async def authenticate(self, request: web.Request) -> Principal:
        header = request.headers.get("Authorization", "")
        scheme, _, presented = header.partition(" ")
        if scheme.lower() != "bearer":
            presented = ""
        return await self.check_key(presented.strip(), client_address(request, self.trusted))

    async def check_key(self, presented: str, source: str) -> Principal:
        """The principal of a presented key (the console's sign-in uses this too, so both are
        throttled alike): 401 for anything else, 429 for a further failure from a throttled
        client or for a throttled key id."""
        if not presented:
            raise self._fail(source, "missing_bearer", None)
        parsed = parse_key(presented)
        if parsed is None:
            raise self._fail(source, "malformed_key", None)
        key_id, secret = parsed
        key = await self._key(key_id)
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


LENDER_WIDE = "the chain covers every agency's rows: a key bound to an agency cannot verify it"


def agency_scope(who: Principal, asked: str | None) -> str | None:
    """The agency a report may cover: an agency-bound key's own (another agency is 404, as if it
    did not exist), else the one asked for (None: every agency)."""
    if who.agency_id is None:
        return asked
    if asked is not None and asked != who.agency_id:
        raise NotFound("agency", asked)
    return who.agency_id


def require(request: web.Request, *roles: Role | str) -> Principal:
    """The caller, if its role is one of `roles`; else 403 `forbidden`."""
    who = principal(request)
    if who.role not in roles:
        raise ApiError(
            403, "forbidden", f"this needs one of the roles: {', '.join(roles)} (key has {who.role})"
        )
    return who
