"""Audit (security): the access log, its chain verification, and the retention report."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from gateway.settings import anchor_path
from gateway.web import keys as appkeys
from gateway.web.access import log_access, require_logged
from gateway.web.auth import LENDER_WIDE, agency_scope
from gateway.web.bodies import json_response, query_id, query_instant, query_int, query_limit
from gateway.web.errors import ApiError
from policies.parse import month_bounds
from policies.timefmt import rfc3339
from storage.audit import AccessFilters, list_access, verify
from storage.retention import report_csv, retention_report

__all__ = ["routes"]

routes = web.RouteTableDef()


@routes.get("/v1/audit/access-log")
async def access_log(request: web.Request) -> web.Response:
    who = await require_logged(request, "audit.read", "access_log", "security")
    q = request.query
    after = query_int(request, "after", 0, 0, 2**62)
    limit = query_limit(request)
    since = query_instant(request, "from")
    until = query_instant(request, "to")
    # The read is logged first, so the answer includes it when the filters match it.
    await log_access(
        request,
        who,
        "audit.read",
        "access_log",
        "ok",
        object_type="access_log",
        filters={k: q[k] for k in ("actor", "object", "action", "result", "from", "to", "after") if k in q},
    )
    filters = AccessFilters(
        actor=q.get("actor") or None,
        object_id=q.get("object") or None,
        action=q.get("action") or None,
        result=q.get("result") or None,
        since=since,
        until=until,
        agency_id=who.agency_id,
    )
    rows = await list_access(request.app[appkeys.DB], filters, after, limit)
    return json_response({"entries": rows, "next_after": rows[-1]["seq"] if len(rows) == limit else None})


@routes.get("/v1/audit/verify")
async def verify_chain(request: web.Request) -> web.Response:
    who = await require_logged(request, "audit.verify", "access_log", "security")
    if who.agency_id is not None:
        await log_access(request, who, "audit.verify", "access_log", "denied", why="agency-bound key")
        raise ApiError(403, "forbidden", LENDER_WIDE)
    result = await verify(request.app[appkeys.DB], anchor_path(request.app[appkeys.SETTINGS]))
    await log_access(
        request,
        who,
        "audit.verify",
        "access_log",
        "ok" if result["ok"] else "broken",
        object_type="access_log",
    )
    return json_response(result)


@routes.get("/v1/retention/report")
async def report(request: web.Request) -> web.Response:
    who = await require_logged(request, "retention.report", "report", "security")
    q = request.query
    month = q.get("month") or None
    if month is not None:
        month_bounds(month)  # 400 naming the field for a malformed or out-of-range month
    agency = agency_scope(who, query_id(request, "agency_id"))
    rows = await retention_report(request.app[appkeys.DB], datetime.now(UTC), agency, month)
    await log_access(
        request,
        who,
        "retention.report",
        "report",
        "ok",
        object_type="report",
        filters={k: q[k] for k in ("agency_id", "month") if k in q},
    )
    if "text/csv" in request.headers.get("Accept", ""):
        return web.Response(text=report_csv(rows), content_type="text/csv", charset="utf-8")
    return json_response({"generated_at": rfc3339(datetime.now(UTC)), "rows": rows})
