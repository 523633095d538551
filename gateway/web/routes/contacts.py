"""Contact requests (dialer): authorize, place a call, send an SMS, report an outcome; an admin
corrects a reported outcome."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from gateway.logs import mask_number
from gateway.usecases.contacts import ContactServices, decide, place
from gateway.web import keys as appkeys
from gateway.web.access import actor_of, parse_reason
from gateway.web.auth import Principal, require
from gateway.web.bodies import json_response, read_json, require_str
from gateway.web.errors import ApiError
from policies.parse import normalise_phone, parse_instant, request_from_json
from policies.types import OUTCOME_RESULTS, ContactRequest, Decision
from storage.attempts import correct_outcome, get_attempt, record_outcome
from storage.audit import Access
from storage.cases import case_region
from storage.decisions import Reserved
from storage.keys import REVIEWERS, Role

__all__ = ["decision_json", "routes", "services"]

routes = web.RouteTableDef()


def services(request: web.Request) -> ContactServices:
    app = request.app
    return ContactServices(
        db=app[appkeys.DB],
        writer=app[appkeys.WRITER],
        carrier=app[appkeys.CARRIER],
        metrics=app[appkeys.METRICS],
        timeout_s=app[appkeys.SETTINGS]["policy.decision_timeout_ms"] / 1000,
        content=app[appkeys.CONTENT],
    )


async def _parse(
    request: web.Request, *, need_body: bool = False, need_from: bool = False, channel: str | None = None
) -> tuple[Principal, ContactRequest, str | None]:
    who = require(request, Role.DIALER)
    settings = request.app[appkeys.SETTINGS]
    body = await read_json(request, int(settings["server.max_json_bytes"]))
    if channel is not None and body.get("channel") is None:  # /v1/calls and /v1/messages say it
        body["channel"] = channel
    if need_body or body.get("channel") == "sms":
        # An SMS is screened for content before it is allowed, so its text is required even
        # when the dialer only asks (`/v1/authorize`) and sends it itself.
        require_str(body, "body")
    # Dialers normally send E.164, which parses without a region; a national-format number is
    # read in the region of the dialer's own case (another agency's case is not looked at: its
    # decision says only `case_not_assigned`), else the configured default region.
    to, from_raw = body.get("to"), body.get("from")
    national = not (isinstance(to, str) and to.lstrip().startswith("+"))
    national |= need_from and not (isinstance(from_raw, str) and from_raw.lstrip().startswith("+"))
    region = str(settings["policy.default_region"])
    if national and isinstance(body.get("case_id"), str):
        region = await case_region(request.app[appkeys.DB], body["case_id"], who.agency_id) or region
    creq = request_from_json(body, str(who.agency_id), region)
    from_number = normalise_phone(from_raw, region, "from") if need_from else None
    return who, creq, from_number


def decision_json(decision: Decision, reserved: Reserved | None) -> dict[str, Any]:
    """The decision as the API answers it. `reason` repeats the first reason's code at the top
    level, for clients that cannot read nested JSON (Asterisk's JSON_DECODE before 18.x)."""
    out = decision.to_json()
    out["reason"] = decision.reasons[0].code if decision.reasons else None
    out["attempt_id"] = reserved.attempt_id if reserved else None
    out["decision_id"] = reserved.decision_id if reserved else None
    return out


@routes.post("/v1/authorize")
async def authorize(request: web.Request) -> web.Response:
    """Decide and, when allowed, reserve an attempt. 200 whenever a decision was made."""
    who, creq, _ = await _parse(request)
    reserved, decision = await decide(
        services(request), creq, endpoint="authorize", key_id=who.key_id, from_number=None
    )
    return json_response(decision_json(decision, reserved))


async def _forward(request: web.Request, channel: str) -> web.Response:
    endpoint = "calls" if channel == "call" else "messages"
    who, creq, from_number = await _parse(
        request, need_body=channel == "sms", need_from=True, channel=channel
    )
    if creq.channel != channel:  # checked before anything is reserved
        raise ApiError(
            400, "invalid_field", f"channel must be {channel!r} on /v1/{endpoint}", {"field": "channel"}
        )
    svc = services(request)
    reserved, decision = await decide(
        svc, creq, endpoint=endpoint, key_id=who.key_id, from_number=from_number
    )
    body = decision_json(decision, reserved)
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
    placed = await place(svc, creq, reserved.attempt_id, str(from_number))
    if placed.error is not None:
        raise ApiError(
            502,
            "carrier_error",
            f"the carrier did not accept the {channel}: {placed.error}",
            {
                "attempt_id": reserved.attempt_id,
                "released": placed.released,
                "outcome_unknown": placed.error.outcome_unknown,
            },
        )
    assert placed.result is not None
    return json_response(
        {"attempt_id": reserved.attempt_id, "decision": body, "carrier_ref": placed.result.carrier_ref},
        status=201,
    )


@routes.post("/v1/calls")
async def place_call(request: web.Request) -> web.Response:
    return await _forward(request, "call")


@routes.post("/v1/messages")
async def send_message(request: web.Request) -> web.Response:
    return await _forward(request, "sms")


@routes.get("/v1/attempts/{attempt_id}")
async def get_attempt_handler(request: web.Request) -> web.Response:
    who = require(request, Role.ADMIN, Role.DIALER, Role.INSPECTOR, Role.SECURITY)
    attempt = await get_attempt(request.app[appkeys.DB], request.match_info["attempt_id"], who.agency_id)
    if who.role in REVIEWERS:  # reviewers see numbers masked, as on the case
        attempt["to"] = mask_number(str(attempt["to"]))
    return json_response(attempt)


def _outcome_fields(body: dict[str, Any]) -> tuple[str, str, Any, Any]:
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
    started = parse_instant(body["started_at"], "started_at") if body.get("started_at") is not None else None
    ended = parse_instant(body["ended_at"], "ended_at") if body.get("ended_at") is not None else None
    return result, str(spoke_with), started, ended


@routes.post("/v1/attempts/{attempt_id}/outcome")
async def outcome(request: web.Request) -> web.Response:
    """How the attempt ended; `connected` + `debtor` starts the cool-offs packs demand. Times are
    checked against the attempt's decision time (no backdating, nothing in the future)."""
    who = require(request, Role.DIALER)
    body = await read_json(request, int(request.app[appkeys.SETTINGS]["server.max_json_bytes"]))
    result, spoke_with, started, ended = _outcome_fields(body)
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


@routes.put("/v1/attempts/{attempt_id}/outcome")
async def correct(request: web.Request) -> web.Response:
    """An admin corrects a reported outcome, with a reason; the old value is kept and the change
    is logged in the access log."""
    who = require(request, Role.ADMIN)
    body = await read_json(request, int(request.app[appkeys.SETTINGS]["server.max_json_bytes"]))
    result, spoke_with, started, ended = _outcome_fields(body)
    reason = parse_reason(body.get("reason"))
    if reason is None:
        raise ApiError(
            400, "missing_field", "a reason is required to correct an outcome", {"field": "reason"}
        )
    attempt_id = request.match_info["attempt_id"]
    stored = await correct_outcome(
        request.app[appkeys.DB],
        attempt_id,
        result,
        spoke_with,
        started,
        ended,
        reason,
        Access(actor_of(request, who), "attempt.outcome.correct", "attempt", attempt_id, "ok"),
    )
    return json_response(stored)
