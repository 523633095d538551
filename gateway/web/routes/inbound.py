"""Conversations the debtor started: POST /v1/cases/{case_id}/inbound.

    {"channel": "call"|"sms", "number": "+12125550123", "started_at": RFC 3339, "ended_at"?: RFC 3339}

The case's dialer (or an admin) records a call or text exchange the debtor began. It is not an
attempt: no cap counts it; the packs decide whether it starts their cool-off (a telephone
conversation does under Reg F) and it shows the debtor is reachable. docs/api.md.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp import web

from gateway.web import keys as appkeys
from gateway.web.auth import require
from gateway.web.bodies import json_response, read_json, require_str
from gateway.web.errors import ApiError
from policies.errors import NotFound
from policies.parse import normalise_phone, parse_instant
from policies.types import CHANNELS
from storage.cases import case_region
from storage.inbound import record_inbound
from storage.keys import Role

__all__ = ["routes"]

routes = web.RouteTableDef()

# A PBX clock slightly ahead of ours is not an error; a conversation an hour from now is.
CLOCK_SKEW = timedelta(seconds=60)


@routes.post("/v1/cases/{case_id}/inbound")
async def inbound(request: web.Request) -> web.Response:
    who = require(request, Role.ADMIN, Role.DIALER)
    body = await read_json(request, int(request.app[appkeys.SETTINGS]["server.max_json_bytes"]))
    case_id = request.match_info["case_id"]
    channel = require_str(body, "channel")
    if channel not in CHANNELS:
        raise ApiError(400, "invalid_field", f"channel: one of {', '.join(CHANNELS)}", {"field": "channel"})
    started = parse_instant(require_str(body, "started_at"), "started_at")
    ended = parse_instant(body["ended_at"], "ended_at") if body.get("ended_at") is not None else None
    if ended is not None and ended < started:
        raise ApiError(400, "invalid_field", "ended_at is before started_at", {"field": "ended_at"})
    now = datetime.now(UTC)
    for field, at in (("started_at", started), ("ended_at", ended)):
        if at is not None and at > now + CLOCK_SKEW:
            raise ApiError(400, "invalid_field", f"{field} is in the future", {"field": field})
    db = request.app[appkeys.DB]
    region = await case_region(db, case_id, who.agency_id)  # another agency's case: 404
    if region is None:
        raise NotFound("case", case_id)
    number = normalise_phone(body.get("number"), region, "number")
    stored = await record_inbound(db, case_id, channel, number, started, ended, who.key_id, who.agency_id)
    return json_response(stored, status=201)
