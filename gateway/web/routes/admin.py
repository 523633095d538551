"""Agencies and cases (admin), and the debtor's cease requests."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from gateway.web import keys as appkeys
from gateway.web.auth import require
from gateway.web.bodies import json_response, read_json
from gateway.web.errors import ApiError
from gateway.web.routes.directory import mask_case_numbers
from policies.parse import agency_from_json, parse_agency_name, parse_id
from policies.types import CHANNELS
from storage.agencies import get_agency, put_agency
from storage.cases import add_cease, get_case, put_case
from storage.finance import (
    format_minor,
    list_contracts,
    parse_amount,
    parse_currency,
    parse_rate,
    put_contract_sync,
    set_balance_sync,
)
from storage.keys import REVIEWERS, Role

routes = web.RouteTableDef()


def _max_json(request: web.Request) -> int:
    return int(request.app[appkeys.SETTINGS]["server.max_json_bytes"])


@routes.put("/v1/agencies/{agency_id}")
async def put_agency_handler(request: web.Request) -> web.Response:
    require(request, Role.ADMIN)
    agency_id = request.match_info["agency_id"]
    body = await read_json(request, _max_json(request))
    name = body.get("name")
    if name is None:
        raise ApiError(400, "missing_field", "name is required", {"field": "name"})
    name = parse_agency_name(name)
    agency = agency_from_json(body, agency_id)
    if agency.contract_start and agency.contract_end and agency.contract_end < agency.contract_start:
        raise ApiError(
            400, "invalid_field", "contract_end is before contract_start", {"field": "contract_end"}
        )
    rate = parse_rate(body["commission_rate"]) if body.get("commission_rate") is not None else None
    if rate is not None and agency.contract_start is None:
        raise ApiError(
            400,
            "missing_field",
            "a commission_rate belongs to a contract: contract_start is required",
            {"field": "contract_start"},
        )
    db = request.app[appkeys.DB]
    stored, created = await put_agency(db, agency, name)
    if rate is not None and agency.contract_start is not None:
        start, end = agency.contract_start, agency.contract_end
        await db.write(lambda conn: put_contract_sync(conn, agency_id, start, end, rate, datetime.now(UTC)))
    stored["contracts"] = await list_contracts(db, agency_id)
    return json_response(stored, status=201 if created else 200)


@routes.get("/v1/agencies/{agency_id}")
async def get_agency_handler(request: web.Request) -> web.Response:
    who = require(request, Role.ADMIN, Role.DIALER, Role.INSPECTOR, Role.SECURITY)
    agency_id = request.match_info["agency_id"]
    if who.agency_id is not None and who.agency_id != agency_id:
        raise ApiError(404, "not_found", f"agency {agency_id!r} not found")
    return json_response(await get_agency(request.app[appkeys.DB], agency_id))


# "import" is not a case id: /v1/cases/import is the bulk import (POST only, so its 405 says so).
@routes.put("/v1/cases/{case_id:(?!import$)[^{}/]+}")
async def put_case_handler(request: web.Request) -> web.Response:
    require(request, Role.ADMIN)
    body = await read_json(request, _max_json(request))
    if body.get("agency_id") is None:
        raise ApiError(400, "missing_field", "agency_id is required", {"field": "agency_id"})
    balance = body.get("balance")
    parsed = None
    if balance is not None:  # the assigned balance: the denominator of the recovery rate
        if not isinstance(balance, dict):
            raise ApiError(400, "invalid_field", "balance: {amount, currency}", {"field": "balance"})
        currency = parse_currency(balance.get("currency"), "balance.currency")
        parsed = (parse_amount(balance.get("amount"), currency, "balance.amount", allow_zero=True), currency)
    db = request.app[appkeys.DB]
    case_id = request.match_info["case_id"]
    stored, created = await put_case(db, case_id, body, request.app[appkeys.PACKS].resolve)
    if parsed is not None:
        amount, cur = parsed
        await db.write(lambda conn: set_balance_sync(conn, case_id, amount, cur, datetime.now(UTC)))
        stored["balance"] = {"amount": format_minor(amount, cur), "currency": cur}
    return json_response(stored, status=201 if created else 200)


@routes.get("/v1/cases/{case_id:(?!import$)[^{}/]+}")
async def get_case_handler(request: web.Request) -> web.Response:
    who = require(request, Role.ADMIN, Role.DIALER, Role.INSPECTOR, Role.SECURITY)
    case = await get_case(request.app[appkeys.DB], request.match_info["case_id"], who.agency_id)
    # Admins keep the case and dialers dial it; inspectors and security staff review what was done
    # and see numbers masked, as in every listing (found by a review: the list masked, this did not).
    if who.role in REVIEWERS:
        mask_case_numbers(case)
    return json_response(case)


@routes.post("/v1/cases/{case_id}/cease")
async def cease_handler(request: web.Request) -> web.Response:
    """A stop request. Admins record written requests; a dialer records one heard on a call."""
    who = require(request, Role.ADMIN, Role.DIALER)
    body = await read_json(request, _max_json(request))
    channels = body.get("channels", list(CHANNELS))
    if not isinstance(channels, list) or not channels or any(c not in CHANNELS for c in channels):
        raise ApiError(
            400,
            "invalid_field",
            f"channels: a non-empty list of {', '.join(CHANNELS)}",
            {"field": "channels"},
        )
    reason = body.get("reason", "")
    if not isinstance(reason, str) or len(reason) > 2000:
        raise ApiError(400, "invalid_field", "reason: text of at most 2000 characters", {"field": "reason"})
    contact_id = body.get("contact_id")
    if contact_id is not None:
        parse_id(contact_id, "contact_id")
    stored = await add_cease(
        request.app[appkeys.DB],
        request.match_info["case_id"],
        channels,
        reason,
        contact_id,
        who.key_id,
        who.agency_id,
    )
    return json_response(stored, status=201)
