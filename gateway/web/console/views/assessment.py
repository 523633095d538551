"""The agency assessment (scorecard with charts, trend and ranking) and complaints (form, list,
resolution)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from gateway.web import keys as appkeys
from gateway.web.access import actor_of
from gateway.web.auth import principal
from gateway.web.console.charts import bars, columns
from gateway.web.console.i18n import Translator
from gateway.web.console.keys import LANG_KEY
from gateway.web.console.render import notice, render
from gateway.web.console.views.common import field, need, redirect
from gateway.web.routes.directory import AGENCY_CANNOT_RESOLVE
from gateway.web.routes.supervision import MAX_SUMMARY
from policies.errors import CallwardenError, InputError
from policies.parse import month_bounds, parse_instant
from storage.assessment import ranking, trend
from storage.complaints import COMPLAINT_STATUSES, list_complaints, resolve_complaint
from storage.db import NotFound
from storage.supervision import COMPLAINT_CHANNELS, add_complaint

__all__ = ["routes"]

routes = web.RouteTableDef()


def _month(request: web.Request) -> str:
    month = request.query.get("month") or datetime.now(UTC).strftime("%Y-%m")
    try:
        month_bounds(month)
    except InputError:
        raise InputError("month", "month: YYYY-MM") from None
    return month


def _charts(t: Translator, card: dict[str, Any], history: list[dict[str, Any]]) -> dict[str, Any]:
    def series(fn: Any) -> list[tuple[str, float | None]]:
        return [(c["month"], fn(c)) for c in history]

    return {
        "attempts": columns(series(lambda c: c["attempts"]["made"]), t("score.attempts")),
        "denials": bars(
            [
                (t.opt("reason", code) if t.has(f"reason.{code}") else code, n)
                for code, n in card["contact_requests"]["denials_by_reason"].items()
            ],
            t("score.denials_by_reason"),
        ),
        "rpc": columns(series(lambda c: c["rates"]["right_party_contact_rate"]), t("score.rpc_rate")),
        "flags": bars(
            [(t.opt("category", cat), v) for cat, v in card["rates"]["flags_per_100_conversations"].items()],
            t("score.flags_per_100"),
        ),
        "confirmed": columns(series(lambda c: c["confirmed_violations"]["total"]), t("score.confirmed")),
        "complaints": columns(
            series(lambda c: c["rates"]["complaints_per_1000_cases"]), t("score.complaints_rate")
        ),
        "latency": columns(series(lambda c: c["review_latency_hours"]["median"]), t("score.latency")),
    }


@routes.get("/console/scorecard")
async def scorecard(request: web.Request) -> web.Response:
    session = need(request, "inspector", "security", "admin")
    month = _month(request)
    now = datetime.now(UTC)
    db = request.app[appkeys.DB]
    ranked = await ranking(db, month, now, session.agency_id)
    asked = request.query.get("agency_id") or (ranked[0]["agency_id"] if ranked else None)
    card = next((c for c in ranked if c["agency_id"] == asked), None)
    if asked is not None and card is None:
        raise NotFound("agency", asked)
    history = await trend(db, asked, month, now) if asked else []
    t = Translator(request[LANG_KEY])
    return await render(
        request,
        "scorecard.html",
        {
            "month": month,
            "ranked": ranked,
            "card": card,
            "history": history,
            "charts": _charts(t, card, history) if card else {},
        },
    )


@routes.get("/console/complaints")
async def complaints(request: web.Request) -> web.Response:
    session = need(request, "inspector", "admin")
    status = request.query.get("status") or "open"
    if status not in (*COMPLAINT_STATUSES, "all"):
        raise InputError("status", "status: open, resolved or all")
    rows = await list_complaints(
        request.app[appkeys.DB],
        agency_scope=session.agency_id,
        status=None if status == "all" else status,
        case_id=request.query.get("case_id") or None,
        limit=int(request.app[appkeys.SETTINGS]["console.page_size"]),
    )
    return await render(
        request,
        "complaints.html",
        {
            "complaints": rows,
            "status": status,
            "channels": COMPLAINT_CHANNELS,
            "msg": notice(request, "recorded", "resolved"),
            "now": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M"),
        },
    )


@routes.post("/console/complaints")
async def complaint_add(request: web.Request) -> web.Response:
    need(request, "inspector", "admin")
    who = principal(request)
    case_id = await field(request, "case_id")
    channel = await field(request, "channel")
    summary = await field(request, "summary")
    raw_at = await field(request, "received_at")
    if not case_id:
        raise InputError("case_id", "case_id is required")
    if channel not in COMPLAINT_CHANNELS:
        raise InputError("channel", f"channel: one of {', '.join(COMPLAINT_CHANNELS)}")
    if not summary or len(summary) > MAX_SUMMARY:
        raise InputError("summary", f"summary: 1 to {MAX_SUMMARY} characters")
    received = parse_instant(raw_at if len(raw_at) > 16 else raw_at + ":00Z", "received_at")
    now = datetime.now(UTC)
    if received > now:
        raise InputError("received_at", "received_at is in the future")
    await add_complaint(
        request.app[appkeys.DB],
        case_id,
        None,
        received,
        channel,
        summary,
        who.key_id,
        who.agency_id,
        now,
        actor_of(request, who),
        store=request.app[appkeys.VAULT].store,
    )
    return redirect("/console/complaints", msg="recorded")


@routes.post("/console/complaints/{complaint_id}/resolve")
async def complaint_resolve(request: web.Request) -> web.Response:
    need(request, "inspector", "admin")
    who = principal(request)
    if who.agency_id is not None:
        raise CallwardenError(AGENCY_CANNOT_RESOLVE, code="forbidden", status=403)
    note = await field(request, "resolution")
    if not note or len(note) > MAX_SUMMARY:
        raise InputError("resolution", f"a resolution note of 1 to {MAX_SUMMARY} characters is required")
    await resolve_complaint(
        request.app[appkeys.DB],
        request.match_info["complaint_id"],
        note,
        actor_of(request, who),
        who.agency_id,
        datetime.now(UTC),
        store=request.app[appkeys.VAULT].store,
    )
    return redirect("/console/complaints", msg="resolved")
