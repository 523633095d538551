"""Compliance admin pages: agencies (status, contract dates, commission rate), cases (search,
decision history with each reason, payments), bulk imports of cases and payments with a per-row
report, and API keys (create — shown once —, list, revoke)."""

from __future__ import annotations

import hmac
from datetime import UTC, date, datetime
from typing import Any, cast

from aiohttp import BodyPartReader, web

from gateway.streams import read_capped
from gateway.usecases.import_files import FORMATS, KINDS, parse_import
from gateway.web import keys as appkeys
from gateway.web.access import log_access
from gateway.web.auth import principal
from gateway.web.bodies import BROKEN_BODY
from gateway.web.console.keys import SESSION_KEY
from gateway.web.console.render import notice, render
from gateway.web.console.views.common import field, need, redirect
from gateway.web.routes.directory import MAX_IMPORT_BYTES, mask_case_numbers, mask_decisions, masked_case
from policies.errors import CallwardenError, InputError
from policies.types import Agency
from storage.agencies import put_agency
from storage.cases import get_case
from storage.complaints import list_complaints
from storage.finance import (
    add_payment_sync,
    list_contracts,
    list_payments,
    parse_amount,
    parse_currency,
    parse_day,
    parse_rate,
    put_contract_sync,
)
from storage.imports import import_case_rows, import_payment_rows
from storage.keys import ROLES, create_key, list_keys, revoke_key
from storage.listings import case_decisions, list_agencies, search_cases

__all__ = ["routes"]

routes = web.RouteTableDef()

STATUSES = ("active", "suspended", "terminated")


@routes.get("/console/admin/agencies")
async def agencies(request: web.Request) -> web.Response:
    need(request, "admin")
    db = request.app[appkeys.DB]
    rows = await list_agencies(db)
    for a in rows:
        a["contracts"] = await list_contracts(db, a["agency_id"])
    return await render(
        request, "agencies.html", {"agencies": rows, "statuses": STATUSES, "msg": notice(request, "saved")}
    )


def _opt_day(raw: str, name: str) -> date | None:
    return parse_day(raw, name) if raw else None


@routes.post("/console/admin/agencies")
async def agency_save(request: web.Request) -> web.Response:
    need(request, "admin")
    agency_id = await field(request, "agency_id")
    name = await field(request, "name")
    status = await field(request, "status")
    if not agency_id or not name:
        raise InputError("agency_id", "agency id and name are required")
    if status not in STATUSES:
        raise InputError("status", f"status: one of {', '.join(STATUSES)}")
    start = _opt_day(await field(request, "contract_start"), "contract_start")
    end = _opt_day(await field(request, "contract_end"), "contract_end")
    if start and end and end < start:
        raise InputError("contract_end", "contract_end is before contract_start")
    raw_rate = await field(request, "commission_rate")
    rate = parse_rate(raw_rate) if raw_rate else None
    if rate is not None and start is None:
        raise InputError("contract_start", "a commission rate belongs to a contract: give its start date")
    db = request.app[appkeys.DB]
    # Suspending takes effect on the next decision: the agency's version is in every cached case's key.
    agency = Agency(agency_id=agency_id, status=cast(Any, status), contract_start=start, contract_end=end)
    await put_agency(db, agency, name)
    if rate is not None and start is not None:
        await db.write(lambda conn: put_contract_sync(conn, agency_id, start, end, rate, datetime.now(UTC)))
    await log_access(
        request, principal(request), "agency.update", agency_id, "ok", object_type="agency", status=status
    )
    return redirect("/console/admin/agencies", msg="saved")


@routes.get("/console/admin/cases")
async def cases(request: web.Request) -> web.Response:
    need(request, "admin")
    q = (request.query.get("q") or "").strip()
    agency = request.query.get("agency_id") or None
    page, nxt = await search_cases(
        request.app[appkeys.DB],
        agency_id=agency,
        q=q or None,
        after=request.query.get("after", ""),
        limit=int(request.app[appkeys.SETTINGS]["console.page_size"]),
    )
    query = {k: v for k, v in request.query.items() if k not in ("after", "lang")}
    return await render(
        request,
        "cases.html",
        {
            "cases": [masked_case(c) for c in page],
            "next_after": nxt,
            "query": query,
            "q": q,
            "agency_id": agency,
        },
    )


@routes.get("/console/admin/cases/{case_id}")
async def case_detail(request: web.Request) -> web.Response:
    need(request, "admin")
    db = request.app[appkeys.DB]
    case_id = request.match_info["case_id"]
    case = await get_case(db, case_id)
    decisions, _ = await case_decisions(db, case_id, None, None, 200)
    mask_decisions(decisions)
    mask_case_numbers(case)
    return await render(
        request,
        "case.html",
        {
            "case": case,
            "decisions": decisions,
            "payments": await list_payments(db, case_id),
            "complaints": await list_complaints(db, case_id=case_id),
            "msg": notice(request, "payment"),
            "today": datetime.now(UTC).date().isoformat(),
        },
    )


@routes.post("/console/admin/cases/{case_id}/payments")
async def payment(request: web.Request) -> web.Response:
    session = need(request, "admin")
    case_id = request.match_info["case_id"]
    currency = parse_currency(await field(request, "currency"))
    amount = parse_amount(await field(request, "amount"), currency)
    paid_on = parse_day(await field(request, "paid_on"), "paid_on")
    now = datetime.now(UTC)
    if paid_on > now.date():
        raise InputError("paid_on", "paid_on is in the future")
    ref = await field(request, "reference") or None
    await request.app[appkeys.DB].write(
        lambda conn: add_payment_sync(
            conn, case_id, amount, currency, paid_on, ref, "api", session.key_id, None, now
        )
    )
    return redirect(f"/console/admin/cases/{case_id}", msg="payment")


@routes.get("/console/admin/import")
async def import_page(request: web.Request) -> web.Response:
    need(request, "admin")
    return await render(request, "import.html", {"kinds": KINDS, "formats": FORMATS, "report": None})


async def _import_form(request: web.Request) -> tuple[dict[str, str], bytes]:
    """The import form's fields and file; the file is read only after the form's token."""
    reader = await request.multipart()
    fields: dict[str, str] = {}
    data = b""
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "file":
            if not hmac.compare_digest(fields.get("csrf", ""), request[SESSION_KEY].csrf_token):
                break  # the token comes first; without it the file is not read
            read = await read_capped(part.read_chunk, MAX_IMPORT_BYTES)  # never more in memory
            if read is None:
                raise CallwardenError("the file is too large", code="too_large", status=413)
            data = read
        else:
            fields[str(part.name)] = (await part.text())[:100]
    return fields, data


@routes.post("/console/admin/import")
async def import_file(request: web.Request) -> web.Response:
    session = need(request, "admin")
    try:
        fields, data = await _import_form(request)
    except BROKEN_BODY as exc:
        raise InputError("file", f"the form cannot be read ({type(exc).__name__})") from None
    if not hmac.compare_digest(fields.get("csrf", ""), request[SESSION_KEY].csrf_token):
        raise CallwardenError(
            "the form's security token is missing or stale", code="csrf_rejected", status=403
        )
    kind, fmt = fields.get("kind", ""), fields.get("format", "")
    if kind not in KINDS or fmt not in FORMATS:
        raise InputError("kind", "choose what to import and the file's format")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("file", "the file is not UTF-8") from None
    rows = parse_import(text, kind, fmt)
    db = request.app[appkeys.DB]
    if kind == "cases":
        report = await import_case_rows(db, rows, request.app[appkeys.PACKS].resolve)
    else:
        report = await import_payment_rows(db, rows, session.key_id)
    out = report.as_dict()
    await log_access(
        request,
        principal(request),
        f"{kind}.import",
        "-",
        "ok",
        object_type=kind,
        created=out["created"],
        updated=out["updated"],
        rejected=out["rejected"],
        via="console",
    )
    return await render(
        request, "import.html", {"kinds": KINDS, "formats": FORMATS, "report": out, "kind": kind}
    )


@routes.get("/console/admin/keys")
async def keys(request: web.Request) -> web.Response:
    need(request, "admin")
    db = request.app[appkeys.DB]
    return await render(
        request,
        "keys.html",
        {
            "keys": [k.to_json() for k in await list_keys(db)],
            "roles": ROLES,
            "agencies": await list_agencies(db),
            "created": None,
            "msg": notice(request, "revoked"),
        },
    )


@routes.post("/console/admin/keys")
async def key_create(request: web.Request) -> web.Response:
    need(request, "admin")
    role = await field(request, "role")
    agency = await field(request, "agency_id") or None
    name = (await field(request, "name"))[:200]
    db = request.app[appkeys.DB]
    key, full = await create_key(db, role, agency, name)
    await log_access(
        request, principal(request), "key.create", key.key_id, "ok", object_type="api_key", role=role
    )
    # Shown once, in this answer only (never stored, never in a URL).
    return await render(
        request,
        "keys.html",
        {
            "keys": [k.to_json() for k in await list_keys(db)],
            "roles": ROLES,
            "agencies": await list_agencies(db),
            "created": {**key.to_json(), "key": full},
            "msg": None,
        },
        status=201,
    )


@routes.post("/console/admin/keys/{key_id}/revoke")
async def key_revoke(request: web.Request) -> web.Response:
    session = need(request, "admin")
    key_id = request.match_info["key_id"]
    if key_id == session.key_id:
        raise CallwardenError("you cannot revoke the key you are signed in with", code="conflict", status=409)
    await revoke_key(request.app[appkeys.DB], key_id)
    await log_access(request, principal(request), "key.revoke", key_id, "ok", object_type="api_key")
    return redirect("/console/admin/keys", msg="revoked")
