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
from gateway.web.auth import require
from gateway.web.bodies import json_response, read_json, require_str
from gateway.web.errors import ApiError
from gateway.web.routes.recordings import actor_of
from policies.parse import parse_instant
from storage.assessment import assessment
from storage.db import NotFound
from storage.supervision import COMPLAINT_CHANNELS, add_complaint, month_bounds

__all__ = ["routes"]

routes = web.RouteTableDef()

MAX_SUMMARY = 4000


@routes.post("/v1/complaints")
async def complaint(request: web.Request) -> web.Response:
    who = require(request, "admin", "inspector")
    body = await read_json(request, int(request.app[appkeys.SETTINGS]["server.max_json_bytes"]))
    case_id = require_str(body, "case_id")
    attempt_id = body.get("attempt_id")
    if attempt_id is not None and (not isinstance(attempt_id, str) or not attempt_id):
        raise ApiError(400, "invalid_field", "attempt_id: a string", {"field": "attempt_id"})
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
    )
    return json_response(row, status=201)


@routes.get("/v1/reports/scorecard")
async def scorecard_report(request: web.Request) -> web.Response:
    who = require(request, "admin", "inspector", "security")
    now = datetime.now(UTC)
    month = request.query.get("month") or now.strftime("%Y-%m")
    try:
        month_bounds(month)
    except ValueError:
        raise ApiError(400, "invalid_field", "month: YYYY-MM", {"field": "month"}) from None
    asked = request.query.get("agency_id") or None
    db = request.app[appkeys.DB]
    if who.agency_id is not None:
        if asked is not None and asked != who.agency_id:
            raise NotFound("agency", asked)
        agencies = [who.agency_id]
    elif asked is not None:
        if await db.fetchone("SELECT 1 FROM agencies WHERE agency_id = :id", {"id": asked}) is None:
            raise NotFound("agency", asked)
        agencies = [asked]
    else:
        agencies = [
            str(r["agency_id"]) for r in await db.fetchall("SELECT agency_id FROM agencies ORDER BY 1")
        ]
    cards = [await assessment(db, agency, month, now) for agency in agencies]
    generated = now.isoformat().replace("+00:00", "Z")
    return json_response({"month": month, "generated_at": generated, "scorecards": cards})
