"""What makes the facade look like Twilio's REST API to a dialer's SDK: HTTP Basic auth mapped to a
dialer key, form bodies, Twilio's error shape `{code, message, more_info, status}` (plus our
`callwarden` object), resource JSON shown under the dialer's own AccountSid, and list pages."""

from __future__ import annotations

import base64
import binascii
import functools
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from gateway.carriers import TwilioCarrier
from gateway.carriers.twilio import API_VERSION
from gateway.web import keys as appkeys
from gateway.web.auth import Principal, client_address
from gateway.web.bodies import form_fields
from gateway.web.errors import ApiError
from policies.errors import CallwardenError

__all__ = [
    "TwilioError",
    "TwilioPrincipal",
    "dialer_view",
    "read_form",
    "twilio_carrier",
    "twilio_endpoint",
    "twilio_principal",
]

log = logging.getLogger("callwarden.twilio")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# callwarden's own errors → the Twilio error code a dialer's SDK and code already know.
_CODES_BY_STATUS = {
    400: 21200,  # invalid parameter / request
    401: 20003,  # authentication error
    403: 20403,  # forbidden
    404: 20404,  # the requested resource was not found
    405: 20004,  # method not allowed
    409: 20409,  # conflict
    413: 21200,
    415: 21200,
    429: 20429,  # too many requests
    502: 20500,
    503: 20503,  # service unavailable
}


class TwilioError(Exception):
    """An answer in Twilio's error shape; `callwarden` is our extension object (reasons, ids)."""

    def __init__(
        self, status: int, code: int, message: str, callwarden: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.callwarden = callwarden or {}

    def response(self) -> web.Response:
        body: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "more_info": f"https://www.twilio.com/docs/errors/{self.code}",
            "status": self.status,
        }
        if self.callwarden:
            body["callwarden"] = self.callwarden
        headers = {"WWW-Authenticate": 'Basic realm="callwarden"'} if self.status == 401 else None
        return web.Response(
            status=self.status,
            text=json.dumps(body, ensure_ascii=False),
            content_type="application/json",
            headers=headers,
        )


def _from_callwarden(exc: CallwardenError) -> TwilioError:
    status = exc.status if exc.status in _CODES_BY_STATUS else 500
    code = _CODES_BY_STATUS.get(status, 20500)
    extra: dict[str, Any] = {"error": exc.code}
    if exc.details:
        extra["details"] = exc.details
    return TwilioError(status, code, exc.message, extra)


def twilio_endpoint(handler: Handler) -> Handler:
    """Render every failure of a facade handler in Twilio's error shape."""

    @functools.wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except TwilioError as exc:
            return exc.response()
        except CallwardenError as exc:
            if exc.status >= 500:
                log.warning("%s on %s %s: %s", exc.code, request.method, request.path, exc.message)
            return _from_callwarden(exc).response()
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            code = _CODES_BY_STATUS.get(exc.status, 20500)
            return TwilioError(exc.status, code, exc.reason).response()

    return wrapped


@dataclass(frozen=True)
class TwilioPrincipal:
    """A dialer authenticated on the facade: its key, its AccountSid and its token (the key itself,
    which also signs the callbacks forwarded to it)."""

    principal: Principal
    account_sid: str
    token: str

    @property
    def agency_id(self) -> str:
        return str(self.principal.agency_id)


async def twilio_principal(request: web.Request) -> TwilioPrincipal:
    """HTTP Basic: the user is the AccountSid in the URL, the password a callwarden dialer key.
    Failures count against the same per-address throttle as Bearer keys."""
    account_sid = request.match_info["account_sid"]
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    user = password = None
    if scheme.lower() == "basic":
        try:
            user, sep, password = (
                base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
            )
        except (binascii.Error, UnicodeDecodeError):
            user = None
        else:
            if not sep:
                user = None
    auth = request.app[appkeys.AUTH]
    source = client_address(request, auth.trusted)
    try:
        who = await auth.check_key(password or "" if user is not None else "", source)
    except CallwardenError as exc:
        if exc.status == 429:
            raise TwilioError(429, 20429, exc.message) from None
        raise TwilioError(
            401, 20003, "Authenticate: use your AccountSid and a callwarden dialer key as the auth token"
        ) from None
    if user != account_sid:
        raise TwilioError(401, 20003, "Authenticate: the Basic auth user must be the AccountSid in the URL")
    if who.role != "dialer" or not who.agency_id:
        raise TwilioError(403, 20403, f"the facade needs a dialer key (this key has the role {who.role})")
    assert password is not None
    return TwilioPrincipal(who, account_sid, password)


def twilio_carrier(request: web.Request) -> TwilioCarrier:
    carrier = request.app[appkeys.CARRIER]
    if not isinstance(carrier, TwilioCarrier):
        raise TwilioError(
            503,
            20503,
            f'the Twilio-compatible facade needs [carrier] kind = "twilio" (configured: {carrier.kind})',
            {"error": "carrier_not_twilio"},
        )
    return carrier


async def read_form(request: web.Request) -> MultiDictProxy[str]:
    """The form body (`application/x-www-form-urlencoded`), as Twilio's API takes it."""
    if request.body_exists and request.content_type not in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        raise TwilioError(
            415,
            21200,
            f"expected a form body (application/x-www-form-urlencoded), got {request.content_type}",
        )
    try:
        form = await form_fields(request)
    except ApiError as exc:
        raise TwilioError(400, 21200, str(exc)) from None
    if any(not isinstance(v, str) for v in form.values()):
        raise TwilioError(400, 21200, "file uploads are not accepted")
    return MultiDictProxy(form)  # type: ignore[arg-type]


def dialer_view(doc: dict[str, Any], upstream_sid: str, dialer_sid: str) -> dict[str, Any]:
    """The upstream's resource JSON as the dialer should see it: under its own AccountSid."""
    upstream_path = f"/Accounts/{upstream_sid}/"
    dialer_path = f"/Accounts/{dialer_sid}/"

    def fix(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace(upstream_path, dialer_path)
        if isinstance(value, dict):
            return {k: fix(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fix(v) for v in value]
        return value

    out = {k: fix(v) for k, v in doc.items()}
    if "account_sid" in out:
        out["account_sid"] = dialer_sid
    return out


def list_uri(account_sid: str, resource: str) -> str:
    return f"/{API_VERSION}/Accounts/{account_sid}/{resource}"
