"""The upstream's webhooks: call, message and recording status callbacks for each attempt, and
inbound SMS (STOP / START replies). Each must carry a valid `X-Twilio-Signature` made with the
upstream's Auth Token over callwarden's public URL (`carrier.public_url`); anything else is 403."""

from __future__ import annotations

import logging

from aiohttp import web

from gateway.carriers import TwilioCarrier, mask_number
from gateway.carriers.twilio_signature import SIGNATURE_HEADER
from gateway.usecases.twilio_relay import call_outcome
from gateway.web import keys as appkeys
from gateway.web.bodies import form_fields
from gateway.web.errors import ApiError
from gateway.web.routes.twilio_api import RELAY
from policies.errors import CallwardenError, InputError
from policies.parse import normalise_phone
from policies.replies import classify_reply, start_lift
from storage.attempts import get_attempt, record_outcome
from storage.audit import Access, Actor, append
from storage.db import Conflict, Database
from storage.replies import Verdict, log_reply, reply_cases, start_by_reply, stop_by_reply
from storage.twilio import TwilioResource, resource_by_attempt, update_resource

__all__ = ["routes"]

routes = web.RouteTableDef()
log = logging.getLogger("callwarden.twilio")

_UPSTREAM = Actor(None, "system", None, "carrier:twilio")
_SAID = ("CallStatus", "MessageStatus", "CallDuration", "AnsweredBy")
_EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
# Message statuses that mean the SMS never reached the phone: it is not a contact.
_UNDELIVERED = frozenset({"failed", "undelivered"})


async def _signed(request: web.Request) -> tuple[TwilioCarrier, dict[str, str], list[tuple[str, str]]]:
    carrier = request.app[appkeys.CARRIER]
    if not isinstance(carrier, TwilioCarrier):
        raise ApiError(404, "not_found", "no twilio carrier is configured")
    form = await form_fields(request)
    params = [(k, v) for k, v in form.items() if isinstance(v, str)]
    url = carrier.public_url + request.path_qs
    if not carrier.signature_ok(url, params, request.headers.get(SIGNATURE_HEADER, "")):
        log.warning("webhook with a bad X-Twilio-Signature refused", extra={"fields": {"path": request.path}})
        raise ApiError(
            403,
            "invalid_signature",
            "X-Twilio-Signature does not match (carrier.auth_token, carrier.public_url)",
        )
    return carrier, dict(params), params


@routes.post("/twilio/callbacks/{attempt_id}/{what}")
async def callback(request: web.Request) -> web.Response:
    what = request.match_info["what"]
    if what not in ("call-status", "message-status", "recording-status"):
        raise ApiError(404, "not_found", f"no callback {what!r}")
    carrier, values, params = await _signed(request)
    attempt_id = request.match_info["attempt_id"]
    db = request.app[appkeys.DB]
    attempt = await get_attempt(db, attempt_id)  # 404 for an unknown attempt
    sid_field = "MessageSid" if what == "message-status" else "CallSid"
    sid = values.get(sid_field) or (values.get("SmsSid") if what == "message-status" else None)
    if attempt["carrier_ref"] and sid != attempt["carrier_ref"]:
        # Signed, so the upstream's own mistake (a callback URL reused for another call, or one
        # without its sid): another call's outcome must not become this attempt's (a probe).
        log.warning(
            "webhook for another call refused",
            extra={"fields": {"attempt_id": attempt_id, "what": what, "sid": sid}},
        )
        raise ApiError(
            409,
            "conflict",
            f"{sid_field} {sid or '(none)'} is not attempt {attempt_id}'s"
            f" (its carrier_ref is {attempt['carrier_ref']})",
        )
    resource = await resource_by_attempt(db, attempt_id)
    relay = request.app[RELAY]
    if what == "call-status":
        outcome = call_outcome(values)
        if outcome is not None:
            result, spoke, started, ended = outcome
            try:
                try:
                    await record_outcome(db, attempt_id, None, result, spoke, started, ended)
                except InputError as exc:
                    # The upstream's clock disagrees with ours beyond the allowed skew: the result
                    # still counts, its times do not (they could move cool-offs and retention).
                    log.warning("call times from the upstream not believed (%s); recorded without", exc)
                    await record_outcome(db, attempt_id, None, result, spoke, None, None)
            except Conflict as exc:
                # The dialer reported it first (POST /v1/attempts/{id}/outcome): its word stands,
                # and the upstream's differing word is kept as evidence.
                await _disputed(db, attempt_id, result, values, exc)
        await _keep_status(request, resource, values, "CallStatus")
    elif what == "message-status":
        if values.get("MessageStatus") in _UNDELIVERED:
            try:
                await record_outcome(db, attempt_id, None, "failed", "none", None, None)
            except Conflict as exc:
                await _disputed(db, attempt_id, "failed", values, exc)
        await _keep_status(request, resource, values, "MessageStatus")
    elif values.get("RecordingStatus", "completed") == "completed" and values.get("RecordingSid"):
        relay.fetch_recording(carrier, attempt_id, values["RecordingSid"], resource)
    if resource is not None:
        relay.forward(resource, "recording" if what == "recording-status" else "status", params)
    return web.Response(status=204)


async def _disputed(
    db: Database, attempt_id: str, result: str, values: dict[str, str], exc: Conflict
) -> None:
    """The upstream's outcome where the dialer already reported another: the dialer's stands (the
    API's rule), and the upstream's goes into the access log, where an audit finds a dialer that
    reported `no_answer` for a call the carrier says lasted thirty seconds."""
    log.warning("outcome from the upstream not recorded: %s", exc)
    said = {k: values[k] for k in _SAID if values.get(k)}
    await append(
        db,
        Access(
            _UPSTREAM,
            "attempt.outcome",
            "attempt",
            attempt_id,
            "conflict",
            details={"carrier": result, **said},
        ),
    )


async def _keep_status(
    request: web.Request, resource: TwilioResource | None, values: dict[str, str], field: str
) -> None:
    if resource is None or not values.get(field):
        return
    doc = dict(resource.doc)
    doc["status"] = values[field]
    if values.get("CallDuration"):
        doc["duration"] = values["CallDuration"]
    if values.get("AnsweredBy"):
        doc["answered_by"] = values["AnsweredBy"]
    await update_resource(request.app[appkeys.DB], resource.sid, doc, values[field])


@routes.post("/twilio/inbound/sms")
async def inbound_sms(request: web.Request) -> web.Response:
    """An SMS to one of the agency's numbers. A stop word ceases SMS from the agency to the sender's
    number on every case it belongs to; a start word lifts such a stop where the case's packs
    allow. Answered with empty TwiML (the upstream sends its own STOP confirmation)."""
    _carrier, values, _params = await _signed(request)
    db = request.app[appkeys.DB]
    packs = request.app[appkeys.PACKS]
    sid = values.get("MessageSid") or values.get("SmsSid")
    to = values.get("To", "")
    try:
        sender = normalise_phone(values.get("From"), None, "From")
    except CallwardenError:
        await log_reply(
            db,
            message_sid=sid,
            from_number=values.get("From", "")[:32],
            to_number=to,
            action="none",
            result="ignored",
            detail="From is not an E.164 number",
        )
        return _twiml()
    cases, how = await reply_cases(db, sender, to)
    resolved = {}
    for case in cases:
        try:
            resolved[case.case_id] = await packs.resolve_off_loop(case.packs)
        except CallwardenError:
            resolved[case.case_id] = ()
    union = tuple({p.ref: p for ps in resolved.values() for p in ps}.values())
    intent = classify_reply(values.get("Body", ""), union)
    fields = {"from": mask_number(sender), "cases": [c.case_id for c in cases], "found_by": how}
    if intent is None:
        await log_reply(
            db, message_sid=sid, from_number=sender, to_number=to, action="none", result="ignored"
        )
        return _twiml()
    if not cases:
        await log_reply(
            db, message_sid=sid, from_number=sender, to_number=to, action=intent.action, result="no_case"
        )
        log.warning("sms %s from a number on no case", intent.action, extra={"fields": fields})
        return _twiml()
    if intent.action == "stop":
        done = await stop_by_reply(
            db, cases, number=sender, to_number=to, keyword=intent.keyword, rule=intent.rule, message_sid=sid
        )
    else:
        verdicts = []
        for case in cases:
            lift = start_lift(resolved[case.case_id])
            verdicts.append(Verdict(case.case_id, lift.allowed, lift.rule, lift.why))
        done = await start_by_reply(
            db,
            verdicts,
            number=sender,
            to_number=to,
            keyword=intent.keyword,
            rule=intent.rule,
            message_sid=sid,
        )
    log.info(
        "sms reply",
        extra={
            "fields": {**fields, "action": intent.action, "keyword": intent.keyword, "result": done["result"]}
        },
    )
    return _twiml()


def _twiml() -> web.Response:
    return web.Response(text=_EMPTY_TWIML, content_type="text/xml")
