"""Supervision: complaints and the agency scorecard.

    POST /v1/complaints               {case_id, attempt_id?, received_at, channel, summary}
    GET  /v1/reports/scorecard?agency_id=&month=YYYY-MM

Admin and inspector keys record complaints; admin, inspector and security keys read scorecards.
A key bound to an agency works on its own agency only (another agency's case or scorecard is 404).
"""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from gateway.web import keys as appkeys
from gateway.web.access import actor_of
from gateway.web.auth import agency_scope, require
from gateway.web.bodies import json_response, query_id, read_json, require_str
from gateway.web.errors import ApiError
from policies.parse import month_bounds, parse_id, parse_instant
from policies.timefmt import rfc3339
from storage.agencies import agency_ids
from storage.assessment import assessment
from storage.db import NotFound
from storage.keys import Role
from storage.supervision import COMPLAINT_CHANNELS, add_complaint

__all__ = ["routes"]

routes = web.RouteTableDef()

MAX_SUMMARY = 4000


@routes.post("/v1/complaints")
async def complaint(request: web.Request) -> web.Response:
    who = require(request, Role.ADMIN, Role.INSPECTOR)
    body = await read_json(request, int(request.app[appkeys.SETTINGS]["server.max_json_bytes"]))
    case_id = parse_id(require_str(body, "case_id"), "case_id")
    attempt_id = body.get("attempt_id")
    if attempt_id is not None:
        parse_id(attempt_id, "attempt_id")
    received_at = parse_instant(require_str(body, "received_at"), "received_at")
    channel = require_str(body, "channel")
    if channel not in COMPLAINT_CHANNELS:
        raise ApiError(
            400, "invalid_field", f"channel: one of {', '.join(COMPLAINT_CHANNELS)}", {"field": "channel"}
        )
    summary = require_str(body, "summary").strip()
    if not summary or len(summary) > MAX_SUMMARY:
        raise ApiError(400, "invalid_field", f"summary: 1 to {MAX_SUMMARY} characters", {"field": "summary"})
    now = datetime.now(UTC)
    if received_at > now:
        raise ApiError(400, "invalid_field", "received_at is in the future", {"field": "received_at"})
    row = await add_complaint(
        request.app[appkeys.DB],
        case_id,
        attempt_id,
        received_at,
        channel,
        summary,
        who.key_id,
        who.agency_id,
        now,
        actor_of(request, who),
        store=request.app[appkeys.VAULT].store,
    )
    return json_response(row, status=201)


@routes.get("/v1/reports/scorecard")
async def scorecard_report(request: web.Request) -> web.Response:
    who = require(request, Role.ADMIN, Role.INSPECTOR, Role.SECURITY)
    now = datetime.now(UTC)
    month = request.query.get("month") or now.strftime("%Y-%m")
    month_bounds(month)  # 400 naming the field for a malformed or out-of-range month
    asked = agency_scope(who, query_id(request, "agency_id"))
    db = request.app[appkeys.DB]
    agencies = [who.agency_id] if who.agency_id is not None else await agency_ids(db, asked)
    if asked is not None and not agencies:
        raise NotFound("agency", asked)
    cards = [await assessment(db, agency, month, now) for agency in agencies]
    generated = rfc3339(now)
    return json_response({"month": month, "generated_at": generated, "scorecards": cards})
