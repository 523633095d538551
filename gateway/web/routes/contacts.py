"""Contact requests (dialer): authorize, place a call, send an SMS, report an outcome."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from gateway.carriers import CarrierError, OutboundCall, OutboundMessage
from gateway.logs import Throttled, mask_number
from gateway.usecases.content_scores import ContentScoringUnavailable
from gateway.web import keys as appkeys
from gateway.web.auth import Principal, require
from gateway.web.bodies import json_response, read_json, require_str
from gateway.web.errors import ApiError
from policies.parse import normalise_phone, parse_instant, request_from_json
from policies.types import OUTCOME_RESULTS, ContactRequest, Decision, Reason
from storage.attempts import get_attempt, record_outcome, release_attempt, set_carrier_ref
from storage.cases import case_region
from storage.db import NotFound
from storage.decisions import DecisionTimeout, Reserved

routes = web.RouteTableDef()
log = logging.getLogger("callwarden.contacts")
unavailable_log = Throttled(log)


def _unavailable(why: str) -> Decision:
    return Decision(
        allowed=False,
        reasons=(Reason("policy_unavailable", "callwarden/gateway", why),),
        packs=(),
        local_times=(),
        evaluated_at=datetime.now(UTC),
    )


async def _decide(
    request: web.Request, endpoint: str, *, need_body: bool = False, need_from: bool = False
) -> tuple[Principal, ContactRequest, Reserved | None, Decision, str | None]:
    """Parse, then check-and-reserve. Returns the decision (a `policy_unavailable` denial when it
    could not be recorded in time) and, when recorded, the reservation."""
    who = require(request, "dialer")
    settings = request.app[appkeys.SETTINGS]
    body = await read_json(request, int(settings["server.max_json_bytes"]))
    case_id = require_str(body, "case_id")
    if need_body or body.get("channel") == "sms":
        # An SMS is screened for content before it is allowed, so its text is required even
        # when the dialer only asks (`/v1/authorize`) and sends it itself.
        require_str(body, "body")
    db = request.app[appkeys.DB]
    # Dialers normally send E.164, which parses without a region; only a national-format number
    # needs the case's region (an extra read). An unknown case is reported by the decision itself.
    to = body.get("to")
    needs_region = not (isinstance(to, str) and to.lstrip().startswith("+"))
    from_raw = body.get("from")
    if need_from and not (isinstance(from_raw, str) and from_raw.lstrip().startswith("+")):
        needs_region = True
    region: str | None = None
    if needs_region:
        region = await case_region(db, case_id)
        if region is None:
            raise NotFound("case", case_id)
    creq = request_from_json(body, str(who.agency_id), region)
    from_number = normalise_phone(body.get("from"), region, "from") if need_from else None
    metrics = request.app[appkeys.METRICS]
    started = time.perf_counter()
    try:
        creq = await request.app[appkeys.CONTENT].attach(creq)  # SMS: the model's scores, off the loop
    except ContentScoringUnavailable as exc:
        metrics.unavailable.inc()
        unavailable_log.warning("content scoring unavailable", {"case_id": case_id, "why": str(exc)})
        decision = _unavailable(str(exc))
        metrics.observe(decision, creq.channel)
        return who, creq, None, decision, from_number
    try:
        reserved = await request.app[appkeys.WRITER].decide(
            creq,
            endpoint=endpoint,
            key_id=who.key_id,
            from_number=from_number,
            timeout=settings["policy.decision_timeout_ms"] / 1000,
        )
    except DecisionTimeout as exc:
        metrics.unavailable.inc()
        unavailable_log.warning("decision unavailable", {"case_id": case_id, "why": str(exc)})
        decision = _unavailable(str(exc))
        metrics.observe(decision, creq.channel)
        return who, creq, None, decision, from_number
    metrics.latency.labels(endpoint).observe(time.perf_counter() - started)
    metrics.observe(reserved.decision, creq.channel)
    if log.isEnabledFor(logging.DEBUG):
        log.debug(
            "decision",
            extra={
                "fields": {
                    "case_id": case_id,
                    "to": mask_number(creq.to),
                    "allowed": reserved.decision.allowed,
                    "reasons": [r.code for r in reserved.decision.reasons],
                    "attempt_id": reserved.attempt_id,
                }
            },
        )
    return who, creq, reserved, reserved.decision, from_number


def _decision_json(decision: Decision, reserved: Reserved | None) -> dict[str, Any]:
    out = decision.to_json()
    out["attempt_id"] = reserved.attempt_id if reserved else None
    out["decision_id"] = reserved.decision_id if reserved else None
    return out


@routes.post("/v1/authorize")
async def authorize(request: web.Request) -> web.Response:
    """Decide and, when allowed, reserve an attempt. 200 whenever a decision was made."""
    _, _, reserved, decision, _ = await _decide(request, "authorize")
    return json_response(_decision_json(decision, reserved))


async def _forward(request: web.Request, channel: str) -> web.Response:
    endpoint = "calls" if channel == "call" else "messages"
    _who, creq, reserved, decision, from_number = await _decide(
        request, endpoint, need_body=channel == "sms", need_from=True
    )
    if creq.channel != channel:
        if reserved is not None and reserved.attempt_id:
            await release_attempt(request.app[appkeys.DB], reserved.attempt_id, "wrong_endpoint")
        raise ApiError(
            400, "invalid_field", f"channel must be {channel!r} on /v1/{endpoint}", {"field": "channel"}
        )
    body = _decision_json(decision, reserved)
    if reserved is None:
        raise ApiError(
            503,
            "unavailable",
            "no decision could be recorded; the contact is denied",
            extra={"decision": body},
        )
    if not decision.allowed or reserved.attempt_id is None:
        raise ApiError(
            403,
            "contact_denied",
            "the contact is not allowed: " + ", ".join(r.code for r in decision.reasons),
            extra={"decision": body},
        )
    carrier = request.app[appkeys.CARRIER]
    try:
        if channel == "call":
            result = await carrier.place_call(
                OutboundCall(
                    attempt_id=reserved.attempt_id,
                    to=creq.to,
                    from_=str(from_number),
                    case_id=creq.case_id,
                    agency_id=creq.agency_id,
                )
            )
        else:
            result = await carrier.send_sms(
                OutboundMessage(
                    attempt_id=reserved.attempt_id,
                    to=creq.to,
                    from_=str(from_number),
                    body=str(creq.body),
                    case_id=creq.case_id,
                    agency_id=creq.agency_id,
                )
            )
    except CarrierError as exc:
        request.app[appkeys.METRICS].carrier_errors.labels(channel).inc()
        if exc.outcome_unknown:
            # The carrier may be dialling already (read timeout, no usable answer): the attempt
            # keeps counting, so a cap can never be exceeded by an unlucky timeout.
            released = False
        else:
            # The carrier refused it: it was not placed and must not count against caps.
            await release_attempt(request.app[appkeys.DB], reserved.attempt_id, "carrier_error")
            released = True
        log.warning(
            "carrier error",
            extra={"fields": {"attempt_id": reserved.attempt_id, "why": str(exc), "released": released}},
        )
        raise ApiError(
            502,
            "carrier_error",
            f"the carrier did not accept the {channel}: {exc}",
            {"attempt_id": reserved.attempt_id, "released": released, "outcome_unknown": exc.outcome_unknown},
        ) from None
    await set_carrier_ref(request.app[appkeys.DB], reserved.attempt_id, result.carrier_ref)
    return json_response(
        {"attempt_id": reserved.attempt_id, "decision": body, "carrier_ref": result.carrier_ref}, status=201
    )


@routes.post("/v1/calls")
async def place_call(request: web.Request) -> web.Response:
    return await _forward(request, "call")


@routes.post("/v1/messages")
async def send_message(request: web.Request) -> web.Response:
    return await _forward(request, "sms")


@routes.get("/v1/attempts/{attempt_id}")
async def get_attempt_handler(request: web.Request) -> web.Response:
    who = require(request, "admin", "dialer", "inspector", "security")
    return json_response(
        await get_attempt(request.app[appkeys.DB], request.match_info["attempt_id"], who.agency_id)
    )


@routes.post("/v1/attempts/{attempt_id}/outcome")
async def outcome(request: web.Request) -> web.Response:
    """How the attempt ended; `connected` + `debtor` starts the cool-offs packs demand."""
    who = require(request, "dialer")
    body = await read_json(request, int(request.app[appkeys.SETTINGS]["server.max_json_bytes"]))
    result = require_str(body, "result")
    if result not in OUTCOME_RESULTS:
        raise ApiError(
            400, "invalid_field", f"result must be one of {', '.join(OUTCOME_RESULTS)}", {"field": "result"}
        )
    spoke_with = body.get("spoke_with", "debtor" if result == "connected" else "none")
    if spoke_with not in ("debtor", "third_party", "none"):
        raise ApiError(
            400, "invalid_field", "spoke_with must be debtor, third_party or none", {"field": "spoke_with"}
        )
    if result != "connected" and spoke_with != "none":
        raise ApiError(
            400,
            "invalid_field",
            "spoke_with must be none unless result is connected",
            {"field": "spoke_with"},
        )
    started = parse_instant(body["started_at"], "started_at") if body.get("started_at") else None
    ended = parse_instant(body["ended_at"], "ended_at") if body.get("ended_at") else None
    if started and ended and ended < started:
        raise ApiError(400, "invalid_field", "ended_at is before started_at", {"field": "ended_at"})
    stored = await record_outcome(
        request.app[appkeys.DB],
        request.match_info["attempt_id"],
        who.agency_id,
        result,
        spoke_with,
        started,
        ended,
    )
    return json_response(stored)
