"""The `http-json` carrier: POSTs each call/SMS as signed JSON to a URL the carrier (or a bridge
in front of it) serves.

Request body (UTF-8 JSON, compact)::

    {"type": "call"|"sms", "attempt_id": ..., "to": "+1...", "from": "+1...",
     "body": ... (sms only), "case_id": ..., "agency_id": ..., "timestamp": <unix seconds>}

Headers: ``Content-Type: application/json``, ``Idempotency-Key: <attempt_id>`` and
``X-Callwarden-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + raw body)>``
(the Stripe scheme). A 2xx JSON answer's ``carrier_ref`` (else ``id``, else ``sid``) becomes the
attempt's carrier reference; anything else is a `CarrierError`. See docs/carriers.md.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import time
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import aiohttp
from yarl import URL

from gateway.carriers.base import (
    Carrier,
    CarrierConfigError,
    CarrierError,
    CarrierResult,
    OutboundCall,
    OutboundMessage,
    mask_number,
)
from gateway.streams import read_capped

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_READ_TIMEOUT",
    "MAX_RESPONSE_BYTES",
    "SIGNATURE_HEADER",
    "HttpJsonCarrier",
    "SessionFactory",
    "sign",
    "verify_signature",
]

SIGNATURE_HEADER = "X-Callwarden-Signature"
DEFAULT_CONNECT_TIMEOUT = 2.0
DEFAULT_READ_TIMEOUT = 5.0
MAX_RESPONSE_BYTES = 64 * 1024
_REF_KEYS = ("carrier_ref", "id", "sid")
_MAX_REF_LENGTH = 200
# Headers the adapter sets itself; configured `headers` cannot replace them.
_RESERVED_HEADERS = frozenset({"content-type", "idempotency-key", SIGNATURE_HEADER.lower()})

SessionFactory = Callable[[], aiohttp.ClientSession]
_DNS_ERRORS: tuple[type[BaseException], ...] = tuple(
    cls for cls in (getattr(aiohttp, "ClientConnectorDNSError", None),) if cls is not None
)


def sign(secret: bytes, timestamp: int, raw_body: bytes) -> str:
    """The ``X-Callwarden-Signature`` value for `raw_body` sent at `timestamp` (unix seconds)."""
    mac = hmac.new(secret, str(timestamp).encode("ascii") + b"." + raw_body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(
    secret: bytes,
    header: str,
    raw_body: bytes,
    *,
    tolerance: float = 300.0,
    now: float | None = None,
) -> bool:
    """Check a received ``X-Callwarden-Signature`` header (for receivers written in Python).

    True when one of the header's ``v1`` signatures matches and ``t`` is within `tolerance`
    seconds of `now` (replay protection). Compares in constant time.
    """
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, raw_body).rpartition("v1=")[2]
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)


class _Secret:
    """Holds the signing secret; never shows it in repr/str."""

    __slots__ = ("_value",)

    def __init__(self, value: bytes) -> None:
        self._value = value

    def get(self) -> bytes:
        return self._value

    def __repr__(self) -> str:
        return "<secret>"

    __str__ = __repr__


def _redacted_url(url: URL) -> str:
    """The URL without user info, query or fragment (they may carry credentials)."""
    return str(url.with_user(None).with_password(None).with_query(None).with_fragment(None))


def _positive_seconds(name: str, value: Any) -> float:
    valid = isinstance(value, int | float) and not isinstance(value, bool)
    if not valid or not math.isfinite(value) or value <= 0:
        raise CarrierConfigError(
            f"http-json carrier: {name} must be a positive number of seconds, got {value!r}"
        )
    return float(value)


class HttpJsonCarrier(Carrier):
    """Signed JSON over HTTP(S) with connect/read timeouts; one lazily created ClientSession."""

    kind: ClassVar[str] = "http-json"

    def __init__(
        self,
        url: str,
        secret: str | bytes,
        *,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        headers: Mapping[str, str] | None = None,
        session_factory: SessionFactory | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not isinstance(url, str) or not url:
            raise CarrierConfigError("http-json carrier: url is required")
        parsed = URL(url)
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise CarrierConfigError("http-json carrier: url must be an absolute http:// or https:// URL")
        if isinstance(secret, str):
            secret = secret.encode("utf-8")
        if not isinstance(secret, bytes) or not secret:
            raise CarrierConfigError("http-json carrier: secret is required (used to sign every request)")
        extra: dict[str, str] = {}
        for name, value in (headers or {}).items():
            if not isinstance(name, str) or not isinstance(value, str):
                raise CarrierConfigError("http-json carrier: headers must map strings to strings")
            if any(ch in name + value for ch in "\r\n\0") or not name.strip():
                raise CarrierConfigError(f"http-json carrier: invalid header {name!r}")
            if name.lower() in _RESERVED_HEADERS:
                raise CarrierConfigError(f"http-json carrier: header {name!r} is set by callwarden itself")
            extra[name] = value
        self._url = parsed
        self._secret = _Secret(secret)
        self.connect_timeout = _positive_seconds("connect_timeout", connect_timeout)
        self.read_timeout = _positive_seconds("read_timeout", read_timeout)
        self._headers = extra
        # sock_connect bounds the TCP/TLS connect, sock_read the wait for each chunk of the answer;
        # total caps a carrier that trickles bytes so that no request can hang on forever.
        self._timeout = aiohttp.ClientTimeout(
            total=self.connect_timeout + 2 * self.read_timeout,
            sock_connect=self.connect_timeout,
            sock_read=self.read_timeout,
        )
        self._session_factory = session_factory or self._default_session
        self._session: aiohttp.ClientSession | None = None
        self._clock = clock
        self._closed = False

    def __repr__(self) -> str:
        return (
            f"HttpJsonCarrier(url={_redacted_url(self._url)!r}, connect_timeout={self.connect_timeout}, "
            f"read_timeout={self.read_timeout}, headers={sorted(self._headers)!r}, secret=<hidden>)"
        )

    @property
    def url(self) -> str:
        """The configured URL without credentials or query (safe to log)."""
        return _redacted_url(self._url)

    def _default_session(self) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(
            timeout=self._timeout,
            headers={"User-Agent": "callwarden-carrier/1"},
            raise_for_status=False,
        )

    def _get_session(self) -> aiohttp.ClientSession:
        # No await between the check and the assignment: concurrent first requests share one session.
        if self._session is None:
            self._session = self._session_factory()
        return self._session

    async def close(self) -> None:
        self._closed = True
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    async def place_call(self, req: OutboundCall) -> CarrierResult:
        payload: dict[str, Any] = {
            "type": "call",
            "attempt_id": req.attempt_id,
            "to": req.to,
            "from": req.from_,
            "case_id": req.case_id,
            "agency_id": req.agency_id,
        }
        return await self._post(payload, what=f"call to {mask_number(req.to)} (attempt {req.attempt_id})")

    async def send_sms(self, req: OutboundMessage) -> CarrierResult:
        payload: dict[str, Any] = {
            "type": "sms",
            "attempt_id": req.attempt_id,
            "to": req.to,
            "from": req.from_,
            "body": req.body,
            "case_id": req.case_id,
            "agency_id": req.agency_id,
        }
        return await self._post(payload, what=f"sms to {mask_number(req.to)} (attempt {req.attempt_id})")

    async def _post(self, payload: dict[str, Any], *, what: str) -> CarrierResult:
        if self._closed:
            raise CarrierError(f"http-json carrier is closed; {what} not sent")
        timestamp = int(self._clock())
        payload["timestamp"] = timestamp
        raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        headers = {
            **self._headers,
            "Content-Type": "application/json",
            "Idempotency-Key": str(payload["attempt_id"]),
            SIGNATURE_HEADER: sign(self._secret.get(), timestamp, raw),
        }
        session = self._get_session()
        try:
            async with session.post(
                self._url, data=raw, headers=headers, timeout=self._timeout, allow_redirects=False
            ) as resp:
                status = resp.status
                if not 200 <= status < 300:
                    raise CarrierError(
                        f"carrier refused the {what}: HTTP {status}",
                        status=status,
                        retryable=status in (408, 425, 429) or status >= 500,
                    )
                body = await self._read_limited(resp, what=what)
        except CarrierError:
            raise
        except aiohttp.ConnectionTimeoutError:
            raise CarrierError(
                f"could not connect to the carrier within {self.connect_timeout:g}s; {what} not sent",
                retryable=True,
            ) from None
        except (aiohttp.ClientSSLError, aiohttp.ClientConnectorCertificateError) as exc:
            raise CarrierError(
                f"TLS failure talking to the carrier ({type(exc).__name__}); {what} not sent"
            ) from None
        except aiohttp.ClientConnectorError as exc:
            # os.strerror, not exc.strerror: the latter names the carrier's address.
            if isinstance(exc, _DNS_ERRORS):
                reason = "name lookup failed"
            elif exc.errno and exc.errno > 0:
                reason = os.strerror(exc.errno)
            else:
                reason = type(exc).__name__
            raise CarrierError(
                f"could not connect to the carrier ({reason}); {what} not sent", retryable=True
            ) from None
        except TimeoutError:
            raise CarrierError(
                f"carrier did not answer within {self.read_timeout:g}s; "
                f"{what} may or may not have been placed",
                retryable=False,
                outcome_unknown=True,
            ) from None
        except aiohttp.ClientError as exc:
            raise CarrierError(
                f"carrier broke off the exchange ({type(exc).__name__}); "
                f"{what} may or may not have been placed",
                outcome_unknown=True,
            ) from None
        return CarrierResult(carrier_ref=self._extract_ref(body, status=status, what=what))

    @staticmethod
    async def _read_limited(resp: aiohttp.ClientResponse, *, what: str) -> bytes:
        body = await read_capped(resp.content.read, MAX_RESPONSE_BYTES)
        if body is None:
            raise CarrierError(
                f"carrier answered the {what} with more than {MAX_RESPONSE_BYTES} bytes",
                status=resp.status,
                outcome_unknown=True,
            )
        return body

    @staticmethod
    def _extract_ref(body: bytes, *, status: int, what: str) -> str:
        try:
            answer = json.loads(body)
        except (UnicodeDecodeError, ValueError):
            raise CarrierError(
                f"carrier answered the {what} with HTTP {status} but not JSON",
                status=status,
                outcome_unknown=True,
            ) from None
        if isinstance(answer, dict):
            for key in _REF_KEYS:
                value = answer.get(key)
                if isinstance(value, bool) or not isinstance(value, str | int):
                    continue
                ref = str(value).strip()
                if ref and len(ref) <= _MAX_REF_LENGTH and ref.isprintable():
                    return ref
        raise CarrierError(
            f"carrier answered the {what} with HTTP {status} but no usable carrier_ref, id or sid",
            status=status,
            outcome_unknown=True,
        )
