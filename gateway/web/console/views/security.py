"""Security pages: the access log (filters, CSV export), the chain's verification status, the
retention dashboard and legal holds."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from aiohttp import web

from gateway.settings import anchor_path
from gateway.web import keys as appkeys
from gateway.web.access import actor_of, log_access
from gateway.web.auth import LENDER_WIDE, agency_scope, principal
from gateway.web.console.render import notice, render
from gateway.web.console.views.common import field, need, redirect, required_reason, safe_next
from policies.errors import CallwardenError, InputError
from policies.parse import parse_date, parse_instant
from storage.access_search import access_csv, held_recordings, recent_tombstones, search_access
from storage.audit import AccessFilters, verify
from storage.retention import retention_report, set_legal_hold
from storage.scheduled_runs import finish_job, last_job, start_job

__all__ = ["routes"]

routes = web.RouteTableDef()


def _instant(raw: str | None, name: str, end_of_day: bool = False) -> datetime | None:
    """A date (YYYY-MM-DD, the whole day) or an RFC 3339 instant."""
    if not raw:
        return None
    if len(raw) == 10:
        return datetime.combine(parse_date(raw, name), time.max if end_of_day else time.min, UTC)
    # With an offset and a bounded year: a time without one was read in the server's zone.
    return parse_instant(raw, name)


def _filters(request: web.Request) -> AccessFilters:
    """The page's filters; a key bound to an agency reads the rows of its own agency's keys only."""
    q = request.query
    return AccessFilters(
        agency_id=principal(request).agency_id,
        actor=q.get("actor") or None,
        object_id=q.get("object") or None,
        action=q.get("action") or None,
        result=q.get("result") or None,
        since=_instant(q.get("from"), "from"),
        until=_instant(q.get("to"), "to", end_of_day=True),
    )


async def _lender_chain(request: web.Request) -> dict[str, Any] | None:
    """The last verification, for lender-wide readers (it counts every agency's rows)."""
    if principal(request).agency_id is not None:
        return None
    return await _chain_status(request)


async def _chain_status(request: web.Request) -> dict[str, Any] | None:
    run = await last_job(request.app[appkeys.DB], "verify")
    return None if run is None else {"at": run["finished_at"], **run["summary"]}


@routes.get("/console/security/access-log")
async def access_log(request: web.Request) -> web.Response:
    need(request, "security")
    filters = _filters(request)
    before = request.query.get("before")
    if before is not None and not (before.isascii() and before.isdigit() and len(before) <= 18):
        raise InputError("before", "before: a row number")
    db = request.app[appkeys.DB]
    await log_access(
        request,
        principal(request),
        "audit.read",
        "access_log",
        "ok",
        object_type="access_log",
        filters={
            k: v
            for k, v in request.query.items()
            if k in ("actor", "object", "action", "result", "from", "to")
        },
        via="console",
    )
    rows, nxt = await search_access(
        db, filters, int(before) if before else None, int(request.app[appkeys.SETTINGS]["console.page_size"])
    )
    query = {k: v for k, v in request.query.items() if k not in ("before", "lang")}
    return await render(
        request,
        "access_log.html",
        {"rows": rows, "next_before": nxt, "query": query, "chain": await _lender_chain(request)},
    )


@routes.get("/console/security/access-log.csv")
async def access_log_csv(request: web.Request) -> web.StreamResponse:
    need(request, "security")
    filters = _filters(request)
    await log_access(
        request,
        principal(request),
        "audit.export",
        "access_log",
        "ok",
        object_type="access_log",
        filters={
            k: v
            for k, v in request.query.items()
            if k in ("actor", "object", "action", "result", "from", "to")
        },
    )
    resp = web.StreamResponse(
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": 'attachment; filename="access-log.csv"',
            "Cache-Control": "no-store",
        }
    )
    await resp.prepare(request)
    async for chunk in access_csv(request.app[appkeys.DB], filters):
        await resp.write(chunk.encode("utf-8"))
    await resp.write_eof()
    return resp


@routes.post("/console/security/verify")
async def verify_now(request: web.Request) -> web.Response:
    need(request, "security")
    if principal(request).agency_id is not None:
        await log_access(
            request, principal(request), "audit.verify", "access_log", "denied", why="agency-bound key"
        )
        raise CallwardenError(LENDER_WIDE, code="forbidden", status=403)
    db = request.app[appkeys.DB]
    now = datetime.now(UTC)
    job = await start_job(db, "verify", now)
    result = await verify(db, anchor_path(request.app[appkeys.SETTINGS]))
    summary = {
        "ok": result["ok"],
        "rows": result["rows"],
        "head": result["head"],
        "first_bad_row": result.get("first_bad_row"),
        "anchors": result["anchors"],
    }
    await finish_job(db, job, datetime.now(UTC), summary)
    await log_access(
        request,
        principal(request),
        "audit.verify",
        "access_log",
        "ok" if result["ok"] else "broken",
        object_type="access_log",
        via="console",
    )
    return redirect(safe_next(await field(request, "next"), "/console/security/access-log"))


@routes.get("/console/security/retention")
async def retention(request: web.Request) -> web.Response:
    need(request, "security")
    db = request.app[appkeys.DB]
    agency = agency_scope(principal(request), request.query.get("agency_id") or None)
    month = request.query.get("month") or None
    try:
        rows = await retention_report(db, datetime.now(UTC), agency, month)
    except ValueError:
        raise InputError("month", "month: YYYY-MM") from None
    await log_access(
        request,
        principal(request),
        "retention.report",
        "report",
        "ok",
        object_type="report",
        filters={"agency_id": agency, "month": month},
        via="console",
    )
    totals = {
        k: sum(int(r[k] or 0) for r in rows)
        for k in ("recordings", "bytes", "expiring_30d", "held", "purged", "replica_pending", "scrub_bad")
    }
    return await render(
        request,
        "retention.html",
        {
            "rows": rows,
            "totals": totals,
            "tombstones": await recent_tombstones(db, agency),
            "held": await held_recordings(db, agency),
            "chain": await _lender_chain(request),
            "query": {"agency_id": agency or "", "month": month or ""},
            "msg": notice(request, "hold_on", "hold_off"),
        },
    )


@routes.post("/console/security/hold")
async def hold(request: web.Request) -> web.Response:
    need(request, "security")
    rid = await field(request, "recording_id")
    action = await field(request, "action")
    reason = await field(request, "reason")
    if action not in ("on", "off"):
        raise InputError("action", "action: on or off")
    if not rid:
        raise InputError("recording_id", "recording_id is required")
    who = principal(request)
    name = "recording.hold" if action == "on" else "recording.release"
    try:
        reason = required_reason(reason, "for a legal hold")
    except InputError:
        await log_access(request, who, name, rid, "invalid", why="no reason")
        raise
    try:
        await set_legal_hold(
            request.app[appkeys.DB],
            rid,
            action == "on",
            reason,
            actor_of(request, who),
            who.agency_id,
            datetime.now(UTC),
            store=request.app[appkeys.VAULT].store,
        )
    except CallwardenError as exc:
        if exc.status == 404:
            await log_access(request, who, name, rid, "not_found", reason)
        raise  # the error page says why; no text of it travels in a URL a page would show
    return redirect("/console/security/retention", msg=f"hold_{action}")
