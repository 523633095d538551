"""Listings and administration for people (and scripts): agencies, cases and their decision
history, API keys, payments and bulk imports.

    GET    /v1/agencies                          admin, inspector, security (agency-bound: its own)
    GET    /v1/cases?agency_id=&q=&after=&limit= admin, inspector, security
    GET    /v1/cases/{case_id}/decisions         admin, inspector, security
    GET    /v1/keys · POST /v1/keys · DELETE /v1/keys/{key_id}        admin
    POST   /v1/cases/{case_id}/payments · GET ...                     admin (GET: + inspector, security)
    POST   /v1/cases/import · POST /v1/payments/import                admin
    GET    /v1/complaints?status=&agency_id=&case_id= · POST /v1/complaints/{id}/resolve
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from gateway.logs import mask_number, mask_numbers
from gateway.streams import read_capped
from gateway.usecases.import_files import FORMATS, KINDS, parse_import
from gateway.web import keys as appkeys
from gateway.web.access import actor_of, log_access
from gateway.web.auth import require
from gateway.web.bodies import json_response, query_id, query_limit, read_json, require_str
from gateway.web.errors import ApiError
from policies.parse import parse_id, parse_instant
from storage.complaints import COMPLAINT_STATUSES, list_complaints, resolve_complaint
from storage.finance import add_payment_sync, list_payments, parse_amount, parse_currency, parse_day
from storage.imports import import_case_rows, import_payment_rows
from storage.keys import ROLES, Role, create_key, list_keys, revoke_key
from storage.listings import case_decisions, list_agencies, search_cases

__all__ = ["AGENCY_CANNOT_RESOLVE", "mask_case_numbers", "mask_decisions", "masked_case", "routes"]

routes = web.RouteTableDef()

READERS = (Role.ADMIN, Role.INSPECTOR, Role.SECURITY)
MAX_IMPORT_BYTES = 32 << 20
MAX_NOTE = 4000


# Resolving a complaint lifts the legal holds it placed on the case's recordings, which an
# agency-bound key may not do by hand either: the lender decides (found by an adversarial probe).
AGENCY_CANNOT_RESOLVE = (
    "a complaint about an agency's case is resolved by the lender: a key bound to the agency cannot "
    "resolve it (the complaint's legal holds stay)"
)


def mask_decisions(decisions: list[dict[str, Any]]) -> None:
    """Mask the number of each decision, in place, and in its reasons' messages, which name the
    number they were about ("+8613… is not one of the debtor's numbers on the case")."""
    for d in decisions:
        d["to"] = mask_number(str(d["to"]))
        for reason in d.get("reasons") or ():
            if isinstance(reason.get("message"), str):
                reason["message"] = mask_numbers(reason["message"])


def mask_case_numbers(case: dict[str, Any]) -> dict[str, Any]:
    """Mask, in place, every number a full case names (the debtor's phones, the contacts', consents'
    and stop requests', and any number written into a stop request's reason): for readers who
    review contacts rather than make them."""
    numbered = [
        *case["debtor"]["phones"],
        *(case.get("contacts") or ()),
        *((case.get("preferences") or {}).get("consent") or ()),
        *(case.get("ceases") or ()),
    ]
    for item in numbered:
        if item.get("number"):
            item["number"] = mask_number(str(item["number"]))
    for cease in case.get("ceases") or ():
        if isinstance(cease.get("reason"), str):
            cease["reason"] = mask_numbers(cease["reason"])
    return case


def masked_case(case: dict[str, object]) -> dict[str, object]:
    numbers = case.get("numbers")
    return {**case, "numbers": [mask_number(str(n)) for n in numbers] if isinstance(numbers, list) else []}


@routes.get("/v1/agencies")
async def agencies(request: web.Request) -> web.Response:
    who = require(request, *READERS)
    return json_response({"agencies": await list_agencies(request.app[appkeys.DB], who.agency_id)})


@routes.get("/v1/cases")
async def cases(request: web.Request) -> web.Response:
    who = require(request, *READERS)
    q = request.query
    page, nxt = await search_cases(
        request.app[appkeys.DB],
        agency_scope=who.agency_id,
        agency_id=query_id(request, "agency_id"),
        q=_search_text(q.get("q")),
        after=q.get("after", ""),
        limit=query_limit(request, 50, 500),
    )
    return json_response({"cases": [masked_case(c) for c in page], "next_after": nxt})


def _search_text(value: str | None) -> str | None:
    text = (value or "").strip()
    if len(text) > 100:
        raise ApiError(400, "invalid_field", "q: at most 100 characters", {"field": "q"})
    return text or None


@routes.get("/v1/cases/{case_id}/decisions")
async def decisions(request: web.Request) -> web.Response:
    who = require(request, *READERS)
    before = request.query.get("before") or None
    if before is not None:
        parse_instant(before, "before")
    page, nxt = await case_decisions(
        request.app[appkeys.DB],
        request.match_info["case_id"],
        who.agency_id,
        before,
        query_limit(request, 100, 1000),
    )
    mask_decisions(page)
    return json_response({"decisions": page, "next_before": nxt})


# --- API keys ---------------------------------------------------------------------------------------


@routes.get("/v1/keys")
async def keys_list(request: web.Request) -> web.Response:
    require(request, Role.ADMIN)
    return json_response({"keys": [k.to_json() for k in await list_keys(request.app[appkeys.DB])]})


@routes.post("/v1/keys")
async def keys_create(request: web.Request) -> web.Response:
    who = require(request, Role.ADMIN)
    body = await read_json(request, int(request.app[appkeys.SETTINGS]["server.max_json_bytes"]))
    role = require_str(body, "role")
    if role not in ROLES:
        raise ApiError(400, "invalid_field", f"role: one of {', '.join(ROLES)}", {"field": "role"})
    agency_id, name = body.get("agency_id"), body.get("name") or ""
    if agency_id is not None:
        parse_id(agency_id, "agency_id")
    if not isinstance(name, str) or len(name) > 200 or not (name.isprintable() or not name):
        raise ApiError(400, "invalid_field", "name: text of at most 200 characters", {"field": "name"})
    key, full = await create_key(request.app[appkeys.DB], role, agency_id, name)
    await log_access(request, who, "key.create", key.key_id, "ok", object_type="api_key", role=role)
    return json_response({**key.to_json(), "key": full}, status=201)


@routes.delete("/v1/keys/{key_id}")
async def keys_revoke(request: web.Request) -> web.Response:
    who = require(request, Role.ADMIN)
    key_id = request.match_info["key_id"]
    if key_id == who.key_id:
        raise ApiError(409, "conflict", "a key cannot revoke itself (use another admin key)")
    key = await revoke_key(request.app[appkeys.DB], key_id)
    await log_access(request, who, "key.revoke", key_id, "ok", object_type="api_key")
    return json_response(key.to_json())


# --- payments and imports -----------------------------------------------------------------------------


@routes.post("/v1/cases/{case_id}/payments")
async def payment_add(request: web.Request) -> web.Response:
    who = require(request, Role.ADMIN)
    body = await read_json(request, int(request.app[appkeys.SETTINGS]["server.max_json_bytes"]))
    currency = parse_currency(body.get("currency"))
    amount = parse_amount(body.get("amount"), currency)
    now = datetime.now(UTC)
    paid_on = parse_day(body.get("paid_on"), "paid_on")
    if paid_on > now.date():
        raise ApiError(400, "invalid_field", "paid_on is in the future", {"field": "paid_on"})
    ref = body.get("reference")
    if ref is not None and (not isinstance(ref, str) or not ref or len(ref) > 200):
        raise ApiError(400, "invalid_field", "reference: text of 1 to 200 characters", {"field": "reference"})
    case_id = request.match_info["case_id"]
    payment, created = await request.app[appkeys.DB].write(
        lambda conn: add_payment_sync(
            conn, case_id, amount, currency, paid_on, ref, "api", who.key_id, None, now
        )
    )
    return json_response(payment, status=201 if created else 200)


@routes.get("/v1/cases/{case_id}/payments")
async def payment_list(request: web.Request) -> web.Response:
    who = require(request, *READERS)
    rows = await list_payments(request.app[appkeys.DB], request.match_info["case_id"], who.agency_id)
    return json_response({"payments": rows})


async def _import(request: web.Request, kind: str) -> web.Response:
    who = require(request, Role.ADMIN)
    fmt = request.query.get("format") or ("csv" if request.content_type == "text/csv" else "jsonl")
    if fmt not in FORMATS:
        raise ApiError(400, "invalid_field", f"format: one of {', '.join(FORMATS)}", {"field": "format"})
    if request.content_length is not None and request.content_length > MAX_IMPORT_BYTES:
        raise ApiError(413, "too_large", f"import files are limited to {MAX_IMPORT_BYTES} bytes")
    raw = await read_capped(request.content.read, MAX_IMPORT_BYTES)
    if raw is None:
        raise ApiError(413, "too_large", f"import files are limited to {MAX_IMPORT_BYTES} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_field", "the file is not UTF-8", {"field": "file"}) from None
    assert kind in KINDS
    rows = parse_import(text, kind, fmt)
    db = request.app[appkeys.DB]
    if kind == "cases":
        report = await import_case_rows(db, rows, request.app[appkeys.PACKS].resolve)
    else:
        report = await import_payment_rows(db, rows, who.key_id)
    out = report.as_dict()
    await log_access(
        request,
        who,
        f"{kind}.import",
        "-",
        "ok",
        object_type=kind,
        created=out["created"],
        updated=out["updated"],
        rejected=out["rejected"],
    )
    return json_response(out)


@routes.post("/v1/cases/import")
async def cases_import(request: web.Request) -> web.Response:
    return await _import(request, "cases")


@routes.post("/v1/payments/import")
async def payments_import(request: web.Request) -> web.Response:
    return await _import(request, "payments")


# --- complaints -----------------------------------------------------------------------------------------


@routes.get("/v1/complaints")
async def complaints_list(request: web.Request) -> web.Response:
    who = require(request, *READERS)
    q = request.query
    status = q.get("status") or None
    if status is not None and status not in COMPLAINT_STATUSES:
        raise ApiError(
            400, "invalid_field", f"status: one of {', '.join(COMPLAINT_STATUSES)}", {"field": "status"}
        )
    rows = await list_complaints(
        request.app[appkeys.DB],
        agency_scope=who.agency_id,
        agency_id=query_id(request, "agency_id"),
        case_id=query_id(request, "case_id"),
        status=status,
        limit=query_limit(request, 100, 1000),
    )
    return json_response({"complaints": rows})


@routes.post("/v1/complaints/{complaint_id}/resolve")
async def complaint_resolve(request: web.Request) -> web.Response:
    who = require(request, Role.ADMIN, Role.INSPECTOR)
    if who.agency_id is not None:
        raise ApiError(403, "forbidden", AGENCY_CANNOT_RESOLVE)
    body = await read_json(request, int(request.app[appkeys.SETTINGS]["server.max_json_bytes"]))
    note = require_str(body, "resolution").strip()
    if not note or len(note) > MAX_NOTE:
        raise ApiError(
            400, "invalid_field", f"resolution: 1 to {MAX_NOTE} characters", {"field": "resolution"}
        )
    out = await resolve_complaint(
        request.app[appkeys.DB],
        request.match_info["complaint_id"],
        note,
        actor_of(request, who),
        who.agency_id,
        datetime.now(UTC),
        store=request.app[appkeys.VAULT].store,
    )
    return json_response(out)
