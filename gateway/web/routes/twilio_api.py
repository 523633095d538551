"""The Twilio-compatible facade: `/2010-04-01/Accounts/{AccountSid}/Calls.json` and `Messages.json`.

A dialer built on Twilio's SDK points its API base URL at callwarden and uses a callwarden dialer
key as its auth token. Each create is decided like `POST /v1/calls` / `/v1/messages` (the attempt
is reserved first); an allowed one is forwarded to the agency's upstream with callwarden's own
callback URLs, a denied one is answered 403 with the reasons. How the case is found, and every
answer: docs/api.md ("Twilio-compatible facade").
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from gateway.carriers import CarrierError, TwilioCarrier, mask_number
from gateway.carriers.twilio import TwilioAnswer, unplaced
from gateway.usecases.contacts import decide
from gateway.usecases.twilio_relay import CallbackRelay, CallbackTargets
from gateway.web import keys as appkeys
from gateway.web.routes.contacts import decision_json, services
from gateway.web.twilio_shape import (
    TwilioError,
    TwilioPrincipal,
    dialer_view,
    list_uri,
    read_form,
    twilio_carrier,
    twilio_endpoint,
    twilio_principal,
)
from policies.errors import CallwardenError
from policies.parse import normalise_phone, request_from_json
from policies.types import ContactRequest
from storage.attempts import release_attempt
from storage.cases import case_region
from storage.twilio import (
    TwilioResource,
    cases_for_number,
    get_resource,
    list_resources,
    save_resource,
    update_resource,
)

__all__ = ["CASE_HEADER", "RELAY", "relay_ctx", "routes"]

routes = web.RouteTableDef()
log = logging.getLogger("callwarden.twilio")

CASE_HEADER = "X-Callwarden-Case-Id"
PARTY_HEADER = "X-Callwarden-Party"
CONTACT_HEADER = "X-Callwarden-Contact-Id"
RELAY = web.AppKey("twilio_relay", CallbackRelay)
_BASE = "/2010-04-01/Accounts/{account_sid}"
_PAGE_SIZE_MAX = 1000
_PAGE_MAX = 10**9  # Page x PageSize stays far inside the database's 64-bit offsets
# Parameters callwarden sets itself on every forwarded create (the dialer's values are kept and
# used when the callback is forwarded to it).
_CALLBACK_URLS = ("RecordingStatusCallback", "StatusCallback")  # checked in this order
_OWN_CALL_PARAMS = frozenset(
    {"StatusCallback", "StatusCallbackMethod", "RecordingStatusCallback", "RecordingStatusCallbackMethod"}
)
# The fields a create's decision reads: each may be given once.
_DECIDED = ("To", "From", "Body", "MessagingServiceSid", "Url", "Twiml", "ApplicationSid")
# A message's parameters that are forwarded: content the decision cannot read (a template's
# `ContentSid` and `ContentVariables` replace `Body` upstream, `MediaUrl` attaches anything,
# `ApplicationSid` replaces callwarden's status callback) is refused, as is any parameter not
# known here (fail closed: found by a probe, a template's threat went out behind a screened Body).
_MESSAGE_PARAMS = frozenset(
    {
        "To",
        "From",
        "MessagingServiceSid",
        "Body",
        "StatusCallback",
        "StatusCallbackMethod",  # replaced by callwarden's, as on calls
        "MaxPrice",
        "ProvideFeedback",
        "Attempt",
        "ValidityPeriod",
        "ForceDelivery",
        "SmartEncoded",
        "ShortenUrls",
        "ContentRetention",
        "AddressRetention",
        "RiskCheck",
    }
)
# Twilio's own error codes for a missing parameter, so that dialers' handling keeps working.
_MISSING = {"To": 21201, "From": 21603, "Body": 21602, "Url": 21205}


async def relay_ctx(app: web.Application) -> Any:
    """cleanup_ctx: the callback relay (forwarding session, recording downloads)."""
    vault = app[appkeys.VAULT]
    networks = str(app[appkeys.SETTINGS]["carrier.callback_networks"])
    app[RELAY] = CallbackRelay(app[appkeys.DB], vault, vault.keyring, targets=CallbackTargets(networks))
    try:
        yield
    finally:
        await app[RELAY].close()


# --- finding the case -------------------------------------------------------------------------


async def _contact_request(
    request: web.Request, who: TwilioPrincipal, to_raw: str, channel: str, body: str | None
) -> tuple[ContactRequest, str]:
    """The contact request for a create: the case named by `X-Callwarden-Case-Id`, or else the
    one active case of the dialer's agency that lists `To` (refused when none or several do)."""
    db = request.app[appkeys.DB]
    settings = request.app[appkeys.SETTINGS]
    doc: dict[str, Any] = {"to": to_raw, "channel": channel}
    if body is not None:
        doc["body"] = body
    case_id = request.headers.get(CASE_HEADER, "").strip()
    how = "header"
    if case_id:
        doc["case_id"] = case_id
        party = request.headers.get(PARTY_HEADER, "").strip()
        if party:
            doc["party"] = party
        contact = request.headers.get(CONTACT_HEADER, "").strip()
        if contact:
            doc["contact_id"] = contact
        region = None if to_raw.lstrip().startswith("+") else await case_region(db, case_id)
    else:
        how = "to_number"
        region = str(settings["policy.default_region"])
        try:
            to = normalise_phone(to_raw, region, "To")
        except CallwardenError as exc:
            raise TwilioError(400, 21211, exc.message, {"error": exc.code}) from None
        found = await cases_for_number(db, who.agency_id, to)
        case_ids = sorted({c.case_id for c in found})
        if not case_ids:
            raise TwilioError(
                404,
                20404,
                f"no active case of agency {who.agency_id} lists {mask_number(to)}; "
                f"name the case with the {CASE_HEADER} header",
                {"error": "case_not_found", "to": mask_number(to)},
            )
        if len(case_ids) > 1:
            raise TwilioError(
                409,
                20409,
                f"{len(case_ids)} active cases of agency {who.agency_id} list {mask_number(to)}; "
                f"name the case with the {CASE_HEADER} header",
                {"error": "ambiguous_case", "case_ids": case_ids},
            )
        entry = next(c for c in found if c.case_id == case_ids[0])
        doc |= {"case_id": entry.case_id, "party": entry.party, "to": to}
        if entry.contact_id:
            doc["contact_id"] = entry.contact_id
    try:
        return request_from_json(doc, who.agency_id, region), how
    except CallwardenError as exc:
        raise TwilioError(
            400, 21211 if "to" in str(exc.details) else 21200, exc.message, {"error": exc.code}
        ) from None


def _one_of_each(form: MultiDictProxy[str], kind: str) -> None:
    """Refuse what the decision would not see: a second value of a field it reads (the first is
    decided, and every value was forwarded: a second `Body` went out unscreened, a second `To` to
    a number never checked), and a message scheduled for later (decided now, sent at any hour)."""
    for name in _DECIDED:
        if len(form.getall(name, [])) > 1:
            raise TwilioError(
                400,
                21200,
                f"'{name}' is given more than once; callwarden decides on one value",
                {"error": "invalid_field", "field": name},
            )
    if kind != "call" and any(form.get(k) for k in ("SendAt", "ScheduleType")):
        raise TwilioError(
            400,
            21200,
            "scheduled messages are not accepted: a contact is decided for the moment it is sent",
            {"error": "invalid_field", "field": "SendAt"},
        )
    own = {name.lower(): name for name in _OWN_CALL_PARAMS}
    for name in form:
        if name.lower() in own and name not in own.values():
            # Another spelling of a callback parameter callwarden sets itself: forwarded as it
            # was, unchecked, beside callwarden's own (a re-probe).
            raise TwilioError(
                400,
                21200,
                f"'{name}': write it '{own[name.lower()]}'",
                {"error": "invalid_field", "field": name},
            )
    if kind == "call" and form.get("ApplicationSid"):
        # Twilio then uses the application's URLs and ignores every other: callwarden's status
        # and recording callbacks too, so neither the outcome nor the recording would arrive.
        raise TwilioError(
            400,
            21200,
            "'ApplicationSid' is not accepted: the application's URLs would replace callwarden's"
            " status and recording callbacks; give Url or Twiml",
            {"error": "invalid_field", "field": "ApplicationSid"},
        )
    if kind != "call":
        for name in form:
            if name not in _MESSAGE_PARAMS:
                raise TwilioError(
                    400,
                    21200,
                    f"'{name}' is not accepted: callwarden screens a message's Body and forwards only "
                    "parameters that cannot change what is sent",
                    {"error": "invalid_field", "field": name},
                )


def _callbacks_allowed(form: MultiDictProxy[str], targets: CallbackTargets) -> None:
    """The dialer's callback URLs, which callwarden will request later: http(s) to a public address
    or one of `carrier.callback_networks` (Twilio's 21609 for a bad callback URL)."""
    for name in _CALLBACK_URLS:
        url = form.get(name, "")
        if url and (why := targets.refusal(url)) is not None:
            raise TwilioError(400, 21609, f"{name}: {why}", {"error": "invalid_field", "field": name})


def _required(form: MultiDictProxy[str], name: str) -> str:
    value = form.get(name, "").strip()
    if not value:
        raise TwilioError(
            400,
            _MISSING.get(name, 21200),
            f"A '{name}' parameter is required",
            {"error": "missing_field", "field": name},
        )
    return value


def _upstream_error(answer: TwilioAnswer, extra: dict[str, Any]) -> TwilioError:
    """The upstream's own error, passed on (its code and message), with our object added."""
    code = answer.body.get("code")
    message = answer.body.get("message")
    return TwilioError(
        answer.status,
        code if isinstance(code, int) else 20500,
        message if isinstance(message, str) else f"the upstream answered HTTP {answer.status}",
        extra,
    )


# --- create -------------------------------------------------------------------------------------


async def _create(request: web.Request, kind: str) -> web.Response:
    who = await twilio_principal(request)
    carrier = twilio_carrier(request)
    form = await read_form(request)
    _one_of_each(form, kind)
    _callbacks_allowed(form, request.app[RELAY].targets)
    to_raw = _required(form, "To")
    if kind == "call":
        from_raw = _required(form, "From")
        if not any(form.get(k) for k in ("Url", "Twiml")):
            _required(form, "Url")
        body = None
    else:
        from_raw = form.get("From", "").strip() or _required(form, "MessagingServiceSid")
        body = _required(form, "Body")
    channel = "call" if kind == "call" else "sms"
    creq, how = await _contact_request(request, who, to_raw, channel, body)
    from_number = from_raw
    if from_raw.startswith("+"):
        try:
            from_number = normalise_phone(from_raw, None, "From")
        except CallwardenError as exc:
            raise TwilioError(400, 21212, exc.message, {"error": exc.code}) from None
    endpoint = "twilio.calls" if kind == "call" else "twilio.messages"
    reserved, decision = await decide(
        services(request), creq, endpoint=endpoint, key_id=who.principal.key_id, from_number=from_number
    )
    decided = decision_json(decision, reserved)
    ours: dict[str, Any] = {"case_id": creq.case_id, "case_found_by": how, "decision": decided}
    if reserved is None:
        raise TwilioError(
            503,
            20503,
            "no decision could be recorded in time; the contact is denied",
            {"error": "unavailable", **ours},
        )
    if not decision.allowed or reserved.attempt_id is None:
        codes = [r.code for r in decision.reasons]
        # 21610 is Twilio's own code for a recipient who replied STOP.
        code = 21610 if channel == "sms" and "ceased" in codes else 20403
        raise TwilioError(
            403,
            code,
            "callwarden: the contact is not allowed: "
            + "; ".join(f"{r.code} ({r.rule}): {r.message}" for r in decision.reasons),
            {"error": "contact_denied", **ours},
        )
    attempt_id = reserved.attempt_id
    ours["attempt_id"] = attempt_id
    await request.app[RELAY].remember_token(who.principal.key_id, who.token)
    outbound, callbacks = _rewrite(form, carrier, attempt_id, kind, creq.to)
    resource = "Calls.json" if kind == "call" else "Messages.json"
    what = f"{channel} to {mask_number(creq.to)} (attempt {attempt_id})"
    db = request.app[appkeys.DB]
    try:
        answer = await carrier.api("POST", resource, outbound, what=what)
    except CarrierError as exc:
        request.app[appkeys.METRICS].carrier_errors.labels(channel).inc()
        if not exc.outcome_unknown:
            await release_attempt(db, attempt_id, "carrier_error")
        log.warning("upstream error", extra={"fields": {"attempt_id": attempt_id, "why": str(exc)}})
        raise TwilioError(
            502,
            20500,
            f"the upstream did not take the {channel}: {exc}",
            {
                "error": "carrier_error",
                "released": not exc.outcome_unknown,
                "outcome_unknown": exc.outcome_unknown,
                **ours,
            },
        ) from None
    if (refused := unplaced(answer, what)) is not None:
        request.app[appkeys.METRICS].carrier_errors.labels(channel).inc()
        if not refused.outcome_unknown:
            await release_attempt(db, attempt_id, "carrier_error")
        if 400 <= answer.status < 600:  # the upstream's own Twilio error, passed on
            raise _upstream_error(answer, {"error": "carrier_error", "released": True, **ours})
        # A 2xx without a sid may be a call ringing (kept, as on /v1/calls); a 3xx passed on
        # would read as neither success nor error to an SDK: both are the facade's 502.
        raise TwilioError(
            502,
            20500,
            str(refused),
            {
                "error": "carrier_error",
                "released": not refused.outcome_unknown,
                "outcome_unknown": refused.outcome_unknown,
                **ours,
            },
        )
    sid = str(answer.body["sid"])
    await save_resource(
        db,
        sid=sid,
        kind=kind,
        account_sid=who.account_sid,
        key_id=who.principal.key_id,
        agency_id=who.agency_id,
        case_id=creq.case_id,
        attempt_id=attempt_id,
        to_number=creq.to,
        from_number=from_number,
        status=str(answer.body.get("status") or "queued"),
        callbacks=callbacks,
        doc=answer.body,
    )
    out = dialer_view(answer.body, carrier.account_sid, who.account_sid)
    out["callwarden"] = ours
    return web.json_response(out, status=answer.status)


def _rewrite(
    form: MultiDictProxy[str], carrier: TwilioCarrier, attempt_id: str, kind: str, to: str
) -> tuple[list[tuple[str, str]], dict[str, str | None]]:
    """The form for the upstream: `To` as the E.164 number decided (not as the dialer wrote it:
    a national form or a `,,,9` suffix could dial another number); callwarden's callbacks instead
    of the dialer's (which are returned, to forward to later); a recorded call is recorded in two
    channels, so that the agent and the debtor can be told apart."""
    callbacks = {
        "status_callback": form.get("StatusCallback") or None,
        "status_callback_method": form.get("StatusCallbackMethod") or None,
        "recording_callback": form.get("RecordingStatusCallback") or None,
        "recording_callback_method": form.get("RecordingStatusCallbackMethod") or None,
    }
    dropped = _OWN_CALL_PARAMS | (
        {"RecordingChannels"} if form.get("Record", "").lower() == "true" else set()
    )
    out = [(k, to if k == "To" else v) for k, v in form.items() if k not in dropped]
    if kind == "call":
        out += [
            ("StatusCallback", carrier.callback_url(attempt_id, "call-status")),
            ("StatusCallbackMethod", "POST"),
            ("RecordingStatusCallback", carrier.callback_url(attempt_id, "recording-status")),
            ("RecordingStatusCallbackMethod", "POST"),
        ]
        if form.get("Record", "").lower() == "true":
            out.append(("RecordingChannels", "dual"))
    else:
        out.append(("StatusCallback", carrier.callback_url(attempt_id, "message-status")))
    return out, callbacks


@routes.post(_BASE + "/Calls.json")
@twilio_endpoint
async def create_call(request: web.Request) -> web.Response:
    return await _create(request, "call")


@routes.post(_BASE + "/Messages.json")
@twilio_endpoint
async def create_message(request: web.Request) -> web.Response:
    return await _create(request, "message")


# --- fetch, update, list ------------------------------------------------------------------------


async def _owned(request: web.Request, kind: str) -> tuple[TwilioPrincipal, TwilioCarrier, TwilioResource]:
    who = await twilio_principal(request)
    carrier = twilio_carrier(request)
    sid = request.match_info["sid"]
    try:
        resource = await get_resource(request.app[appkeys.DB], sid, kind, who.agency_id)
    except CallwardenError:
        raise TwilioError(404, 20404, f"The requested resource /{kind}s/{sid} was not found") from None
    return who, carrier, resource


async def _refresh(
    request: web.Request,
    carrier: TwilioCarrier,
    resource: TwilioResource,
    method: str,
    form: list[tuple[str, str]] | None,
) -> web.Response:
    path = ("Calls/" if resource.kind == "call" else "Messages/") + resource.sid + ".json"
    try:
        answer = await carrier.api(method, path, form, what=f"{resource.kind} {resource.sid}")
    except CarrierError as exc:
        raise TwilioError(
            502, 20500, f"the upstream did not answer: {exc}", {"error": "carrier_error"}
        ) from None
    if not answer.ok:
        raise _upstream_error(answer, {"error": "carrier_error"})
    await update_resource(
        request.app[appkeys.DB], resource.sid, answer.body, str(answer.body.get("status") or resource.status)
    )
    out = dialer_view(answer.body, carrier.account_sid, resource.account_sid)
    out["callwarden"] = {
        "case_id": resource.case_id,
        "attempt_id": resource.attempt_id,
        "recording_id": resource.recording_id,
    }
    return web.json_response(out)


@routes.get(_BASE + "/Calls/{sid}.json")
@twilio_endpoint
async def fetch_call(request: web.Request) -> web.Response:
    _who, carrier, resource = await _owned(request, "call")
    return await _refresh(request, carrier, resource, "GET", None)


@routes.post(_BASE + "/Calls/{sid}.json")
@twilio_endpoint
async def update_call(request: web.Request) -> web.Response:
    """Redirect, cancel or complete a call. Callback parameters are dropped: the upstream keeps
    calling callwarden's, which forwards to the dialer's URLs given at create."""
    _who, carrier, resource = await _owned(request, "call")
    form = await read_form(request)
    if form.get("To") or form.get("From"):
        raise TwilioError(400, 21200, "a call's To and From cannot be changed", {"error": "invalid_field"})
    out = [(k, v) for k, v in form.items() if k not in _OWN_CALL_PARAMS]
    if any(form.get(k) for k in _OWN_CALL_PARAMS):
        log.info("call %s: callback parameters of an update dropped", resource.sid)
    return await _refresh(request, carrier, resource, "POST", out)


@routes.get(_BASE + "/Messages/{sid}.json")
@twilio_endpoint
async def fetch_message(request: web.Request) -> web.Response:
    _who, carrier, resource = await _owned(request, "message")
    return await _refresh(request, carrier, resource, "GET", None)


async def _list(request: web.Request, kind: str) -> web.Response:
    """The agency's own calls/messages made through the facade (from callwarden's records, which
    the callbacks keep current), in Twilio's page format."""
    who = await twilio_principal(request)
    carrier = twilio_carrier(request)
    q = request.query
    try:
        page_size = int(q.get("PageSize", "50"))
        page = int(q.get("Page", "0"))
    except ValueError:
        raise TwilioError(400, 21200, "PageSize and Page must be integers") from None
    if not 1 <= page_size <= _PAGE_SIZE_MAX or not 0 <= page <= _PAGE_MAX:
        raise TwilioError(400, 21200, f"PageSize must be 1..{_PAGE_SIZE_MAX} and Page 0..{_PAGE_MAX}")
    region = str(request.app[appkeys.SETTINGS]["policy.default_region"])
    filters: dict[str, str | None] = {}
    for name in ("To", "From"):
        raw = q.get(name)
        filters[name] = normalise_phone(raw, region, name) if raw else None
    rows, more = await list_resources(
        request.app[appkeys.DB],
        agency_id=who.agency_id,
        kind=kind,
        to_number=filters["To"],
        from_number=filters["From"],
        status=q.get("Status") or None,
        page=page,
        page_size=page_size,
    )
    resource = "Calls.json" if kind == "call" else "Messages.json"
    base = list_uri(who.account_sid, resource)

    def uri(n: int) -> str:
        return f"{base}?PageSize={page_size}&Page={n}"

    key = "calls" if kind == "call" else "messages"
    items = [dialer_view(r.doc, carrier.account_sid, who.account_sid) for r in rows]
    return web.json_response(
        {
            key: items,
            "end": page * page_size + max(len(items) - 1, 0),
            "first_page_uri": uri(0),
            "next_page_uri": uri(page + 1) if more else None,
            "page": page,
            "page_size": page_size,
            "previous_page_uri": uri(page - 1) if page > 0 else None,
            "start": page * page_size,
            "uri": uri(page),
        }
    )


@routes.get(_BASE + "/Calls.json")
@twilio_endpoint
async def list_calls(request: web.Request) -> web.Response:
    return await _list(request, "call")


@routes.get(_BASE + "/Messages.json")
@twilio_endpoint
async def list_messages(request: web.Request) -> web.Response:
    return await _list(request, "message")


@routes.route("*", "/2010-04-01/{tail:.*}")
@twilio_endpoint
async def not_in_facade(request: web.Request) -> web.Response:
    raise TwilioError(
        404, 20404, f"The requested resource {request.path} was not found (not in callwarden's facade)"
    )
