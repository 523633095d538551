"""The `twilio` carrier: the agency's upstream speaking Twilio's REST API (Twilio itself, or a
carrier with a Twilio-compatible API), reached with its Account SID and Auth Token.

Two users: `POST /v1/calls` / `POST /v1/messages` (`place_call`, `send_sms`), and the
Twilio-compatible facade (`gateway.web.routes.twilio_api`), which forwards a dialer's allowed
requests with `api()`. Every call and message is given callwarden's own status (and recording)
callback URL under `public_url`, so that outcomes and recordings reach callwarden first.
"""

from __future__ import annotations

import base64
import json
import math
import os
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
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
from gateway.carriers.httpjson import MAX_RESPONSE_BYTES, SessionFactory
from gateway.carriers.twilio_signature import valid_twilio_signature
from gateway.streams import read_capped

__all__ = ["API_VERSION", "DEFAULT_BASE_URL", "TwilioAnswer", "TwilioCarrier", "callback_path", "unplaced"]

API_VERSION = "2010-04-01"
DEFAULT_BASE_URL = "https://api.twilio.com"
_DNS_ERRORS: tuple[type[BaseException], ...] = tuple(
    cls for cls in (getattr(aiohttp, "ClientConnectorDNSError", None),) if cls is not None
)
Form = Sequence[tuple[str, str]]


def callback_path(attempt_id: str, what: str) -> str:
    """The path of callwarden's callback for one attempt: `what` is call-status, recording-status
    or message-status."""
    return f"/twilio/callbacks/{attempt_id}/{what}"


@dataclass(frozen=True)
class TwilioAnswer:
    """The upstream's HTTP answer: its status and its JSON object (empty when it sent none)."""

    status: int
    body: dict[str, Any]

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def unplaced(answer: TwilioAnswer, what: str) -> CarrierError | None:
    """Why the upstream's answer to a create is not a placed call or message (None when it is: a
    2xx with a sid). Any other status is a refusal, the attempt released; a 2xx without a usable
    sid may have been placed (`outcome_unknown`). `POST /v1/calls` and the facade read it alike."""
    if not answer.ok:
        message = answer.body.get("message") if isinstance(answer.body.get("message"), str) else ""
        return CarrierError(
            f"the upstream refused the {what}: HTTP {answer.status}" + (f" ({message})" if message else ""),
            status=answer.status,
            retryable=answer.status in (408, 425, 429) or answer.status >= 500,
        )
    sid = answer.body.get("sid")
    if not isinstance(sid, str) or not sid:
        return CarrierError(
            f"the upstream accepted the {what} without a sid", status=answer.status, outcome_unknown=True
        )
    return None


class _Secret:
    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<secret>"


def _absolute(name: str, value: Any, *, required: bool) -> str:
    if not isinstance(value, str) or (required and not value):
        raise CarrierConfigError(f"twilio carrier: {name} is required")
    if not value:
        return ""
    parsed = URL(value)
    if parsed.scheme not in ("http", "https") or not parsed.host or parsed.query_string or parsed.fragment:
        raise CarrierConfigError(f"twilio carrier: {name} must be an absolute http(s) URL without a query")
    return value.rstrip("/")


def _seconds(name: str, value: Any) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise CarrierConfigError(
            f"twilio carrier: {name} must be a positive number of seconds, got {value!r}"
        )
    return float(value)


class TwilioCarrier(Carrier):
    """Form-encoded requests with HTTP Basic auth to `<base_url>/2010-04-01/Accounts/<sid>/...`."""

    kind: ClassVar[str] = "twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        public_url: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        call_url: str = "",
        connect_timeout: float = 2.0,
        read_timeout: float = 5.0,
        session_factory: SessionFactory | None = None,
    ) -> None:
        if not isinstance(account_sid, str) or not account_sid.strip() or "/" in account_sid:
            raise CarrierConfigError("twilio carrier: account_sid is required (the upstream's Account SID)")
        if not isinstance(auth_token, str) or not auth_token:
            raise CarrierConfigError(
                "twilio carrier: auth_token is required (set CALLWARDEN_CARRIER_AUTH_TOKEN)"
            )
        self.account_sid = account_sid.strip()
        self._token = _Secret(auth_token)
        self.base_url = _absolute("base_url", base_url, required=True)
        self.public_url = _absolute("public_url", public_url, required=True)
        self.call_url = _absolute("call_url", call_url, required=False)
        self.connect_timeout = _seconds("connect_timeout", connect_timeout)
        self.read_timeout = _seconds("read_timeout", read_timeout)
        self._timeout = aiohttp.ClientTimeout(
            total=self.connect_timeout + 2 * self.read_timeout,
            sock_connect=self.connect_timeout,
            sock_read=self.read_timeout,
        )
        self._session_factory = session_factory or self._default_session
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    def __repr__(self) -> str:
        return (
            f"TwilioCarrier(base_url={self.base_url!r}, account_sid={self.account_sid!r}, "
            f"public_url={self.public_url!r}, auth_token=<hidden>)"
        )

    # --- plumbing -----------------------------------------------------------------------------

    def _default_session(self) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(
            timeout=self._timeout, headers={"User-Agent": "callwarden-twilio/1"}, raise_for_status=False
        )

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = self._session_factory()
        return self._session

    async def close(self) -> None:
        self._closed = True
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    @property
    def _auth(self) -> dict[str, str]:
        """The Authorization header (aiohttp's BasicAuth is deprecated from 3.13 on)."""
        pair = f"{self.account_sid}:{self._token.get()}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}

    def resource_url(self, resource: str) -> str:
        """`Calls.json` → `<base_url>/2010-04-01/Accounts/<sid>/Calls.json`."""
        return f"{self.base_url}/{API_VERSION}/Accounts/{self.account_sid}/{resource}"

    def callback_url(self, attempt_id: str, what: str) -> str:
        return self.public_url + callback_path(attempt_id, what)

    def signature_ok(self, url: str, params: Form, header: str) -> bool:
        """Whether a webhook came from the upstream (signed with its Auth Token)."""
        return valid_twilio_signature(self._token.get(), url, params, header)

    def _transport_error(self, exc: BaseException, what: str, sent: bool) -> CarrierError:
        if isinstance(exc, aiohttp.ConnectionTimeoutError):
            return CarrierError(
                f"could not connect to the upstream within {self.connect_timeout:g}s; {what} not sent",
                retryable=True,
            )
        if isinstance(exc, aiohttp.ClientConnectorError) and not isinstance(
            exc, aiohttp.ClientSSLError | aiohttp.ClientConnectorCertificateError
        ):
            if isinstance(exc, _DNS_ERRORS):
                reason = "name lookup failed"
            elif exc.errno and exc.errno > 0:
                reason = os.strerror(exc.errno)
            else:
                reason = type(exc).__name__
            return CarrierError(
                f"could not connect to the upstream ({reason}); {what} not sent", retryable=True
            )
        if isinstance(exc, aiohttp.ClientSSLError | aiohttp.ClientConnectorCertificateError):
            return CarrierError(
                f"TLS failure talking to the upstream ({type(exc).__name__}); {what} not sent"
            )
        if not sent:
            return CarrierError(f"upstream request failed ({type(exc).__name__}); {what} not sent")
        return CarrierError(
            f"the upstream did not answer properly ({type(exc).__name__}); "
            f"{what} may or may not have been placed",
            outcome_unknown=True,
        )

    async def api(
        self, method: str, resource: str, form: Form | None = None, *, what: str = "request"
    ) -> TwilioAnswer:
        """One REST request to the upstream; any HTTP answer is returned (the facade passes the
        upstream's own errors on). Transport failures raise `CarrierError`: `outcome_unknown`
        when a state-changing request may have been acted on."""
        if self._closed:
            raise CarrierError(f"twilio carrier is closed; {what} not sent")
        session = self._get_session()
        changes = method != "GET"
        try:
            async with session.request(
                method,
                self.resource_url(resource),
                data=list(form) if form is not None and changes else None,
                params=list(form) if form is not None and not changes else None,
                headers={"Accept": "application/json", **self._auth},
                timeout=self._timeout,
                allow_redirects=False,
            ) as resp:
                # The http-json kind's limit: a Call or Message resource is a few KiB.
                raw = await read_capped(resp.content.read, MAX_RESPONSE_BYTES)
                status = resp.status
        except TimeoutError:
            if not changes:
                raise CarrierError(
                    f"the upstream did not answer within {self.read_timeout:g}s", retryable=True
                ) from None
            raise CarrierError(
                f"the upstream did not answer within {self.read_timeout:g}s; "
                f"{what} may or may not have been placed",
                outcome_unknown=True,
            ) from None
        except aiohttp.ClientError as exc:
            sent = changes and not isinstance(exc, aiohttp.ClientConnectorError)
            raise self._transport_error(exc, what, sent) from None
        try:
            body = json.loads(raw) if raw is not None and raw.strip() else {}
        except (UnicodeDecodeError, ValueError):
            body = None
        if raw is None or not isinstance(body, dict):
            if 200 <= status < 300:
                raise CarrierError(
                    f"the upstream answered the {what} with HTTP {status} but "
                    + (f"more than {MAX_RESPONSE_BYTES} bytes" if raw is None else "no JSON object"),
                    status=status,
                    outcome_unknown=changes,
                )
            body = {}
        return TwilioAnswer(status, body)

    async def recording_audio(self, recording_sid: str) -> AsyncIterator[bytes]:
        """The recording's WAV bytes (Twilio serves `<Recordings/sid>.wav`; dual-channel when the
        call was recorded with `RecordingChannels=dual`). The URL is built from the SID, never
        taken from a callback, so the credentials only ever go to `base_url`."""
        if not recording_sid.isalnum():
            raise CarrierError("invalid recording SID")
        session = self._get_session()
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=self.connect_timeout, sock_read=30.0)
        try:
            async with session.get(
                self.resource_url(f"Recordings/{recording_sid}.wav"),
                headers=self._auth,
                timeout=timeout,
                allow_redirects=True,
            ) as resp:
                if resp.status != 200:
                    raise CarrierError(
                        f"the upstream answered HTTP {resp.status} for recording {recording_sid}",
                        status=resp.status,
                    )
                async for chunk in resp.content.iter_chunked(1 << 16):
                    yield chunk
        except TimeoutError:
            raise CarrierError(
                f"recording {recording_sid}: the upstream stopped sending", retryable=True
            ) from None
        except aiohttp.ClientError as exc:
            raise self._transport_error(exc, f"recording {recording_sid}", False) from None

    # --- the Carrier interface (POST /v1/calls, /v1/messages) ------------------------------------

    async def _create(self, resource: str, form: Form, what: str) -> CarrierResult:
        answer = await self.api("POST", resource, form, what=what)
        if (error := unplaced(answer, what)) is not None:
            raise error
        return CarrierResult(carrier_ref=str(answer.body["sid"]))

    async def place_call(self, req: OutboundCall) -> CarrierResult:
        what = f"call to {mask_number(req.to)} (attempt {req.attempt_id})"
        if not self.call_url:
            raise CarrierError(
                f"twilio carrier: set carrier.call_url (the call's TwiML) to place calls; {what} not sent"
            )
        form = [
            ("To", req.to),
            ("From", req.from_),
            ("Url", self.call_url),
            ("StatusCallback", self.callback_url(req.attempt_id, "call-status")),
            ("StatusCallbackMethod", "POST"),
            ("Record", "true"),
            ("RecordingChannels", "dual"),
            ("RecordingStatusCallback", self.callback_url(req.attempt_id, "recording-status")),
            ("RecordingStatusCallbackMethod", "POST"),
        ]
        return await self._create("Calls.json", form, what)

    async def send_sms(self, req: OutboundMessage) -> CarrierResult:
        what = f"sms to {mask_number(req.to)} (attempt {req.attempt_id})"
        form = [
            ("To", req.to),
            ("From", req.from_),
            ("Body", req.body),
            ("StatusCallback", self.callback_url(req.attempt_id, "message-status")),
        ]
        return await self._create("Messages.json", form, what)
