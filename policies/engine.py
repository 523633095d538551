"""The decision: request + case + history + packs + now → Decision. Pure and deterministic.

Every pack applies; a request is allowed only when no rule of any pack (nor any built-in rule)
objects, and every objection is reported. When only time-based rules object (window, holiday,
cap, cool-off, debtor-blocked hours) the decision also says when the same request, with the same
history, would next pass every rule (`next_allowed_at`), found by iterating each rule's
"next instant I pass" to a fixed point.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from policies import reasons as rc
from policies.caps import CapCheck, cap_applies
from policies.checks import BlockedCheck, Check, HolidayCheck, WindowCheck
from policies.content import content_reasons
from policies.context import Context, resolve_callee
from policies.cooloff import CoolOffCheck
from policies.holds import estate_representative, hold_checks, hold_notes, unapplied_fact_notes
from policies.pack import Pack
from policies.parties import party_reasons
from policies.preferences import preference_reasons
from policies.standing import standing_reasons
from policies.types import Attempt, Case, ContactRequest, Decision, LocalTime, Note, Reason
from policies.windows import blocks_from_preferences
from policies.zones import zone

__all__ = [
    "SEARCH_DAYS",
    "evaluate",
    "history_horizon",
    "needs_contact_history",
    "not_assigned",
    "retention_days",
]


def not_assigned(request: ContactRequest, now: datetime) -> Decision:
    """The answer for a case the requesting agency may not work — another agency's, or none at
    all: the same words either way, so the answer does not tell whether the case exists."""
    reason = Reason(
        rc.CASE_NOT_ASSIGNED,
        "callwarden/assignment",
        f"case {request.case_id} is not assigned to agency {request.agency_id}",
    )
    return Decision(allowed=False, reasons=(reason,), packs=(), local_times=(), evaluated_at=now)


# `next_allowed_at` is searched this far ahead; beyond it the decision says None.
SEARCH_DAYS = 400
_MAX_ROUNDS = 1000


def _zones(
    ctx: Context, packs: Sequence[Pack]
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Each pack judges time in its own candidate zones ("number" or "case"): returns why each
    zone any pack used is a candidate (the decision lists them all) and each pack's zones."""
    why: dict[str, tuple[str, ...]] = {}
    pack_zones: dict[str, tuple[str, ...]] = {}
    merged: list[object] = []
    for pack in packs:
        cands = ctx.candidates(pack)
        if not any(cands is m for m in merged):  # packs of one mode share one tuple
            merged.append(cands)
            for c in cands:
                known = why.get(c.zone)
                why[c.zone] = c.why if known is None else known + tuple(w for w in c.why if w not in known)
        zones = tuple(c.zone for c in cands)
        if not zones and pack.fallback_zone:
            zones = (pack.fallback_zone,)
            why[pack.fallback_zone] = (
                *why.get(pack.fallback_zone, ()),
                f"{pack.name} fallback zone (no zone known)",
            )
        pack_zones[pack.name] = zones
    return why, pack_zones


def evaluate(
    request: ContactRequest,
    case: Case,
    history: Sequence[Attempt],
    packs: Sequence[Pack],
    now: datetime,
) -> Decision:
    """Decide one contact request. `now` must be timezone-aware; `history` = prior allowed attempts."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    if request.agency_id != case.agency.agency_id:
        # Nothing else about another agency's case is evaluated or told: not its zones, packs,
        # numbers, ceases or conversations (the decision is still recorded).
        return not_assigned(request, now)
    callee = resolve_callee(request, case)
    # Rules look back at most `history_horizon`; dropping older attempts once keeps every later
    # scan proportional to the attempts inside the windows ("ever" caps still see everything).
    horizon = history_horizon(packs, now)
    recent = [a for a in history if a.at >= horizon]
    ctx = Context(request, case, recent, now, callee, history)

    why, pack_zones = _zones(ctx, packs)
    reasons: list[Reason] = standing_reasons(ctx, packs)
    reasons += party_reasons(ctx, packs)

    holds: list[Check] = []
    notes: list[Note] = []
    if case.facts or case.fact_dates:  # holds and notes all come from case facts
        for pack in packs:
            if pack.holds or pack.notes.time_barred is not None:
                holds += hold_checks(ctx, pack, pack_zones[pack.name])
                notes += hold_notes(ctx, pack, pack_zones[pack.name])
        notes += unapplied_fact_notes(ctx, packs)
    reasons += [h.reason for h in holds if h.reason is not None]
    reasons += preference_reasons(ctx)

    checks: list[Check] = []
    prefs = case.preferences
    if request.party == "debtor" and prefs.blocked_windows and why:
        checks.append(BlockedCheck(blocks_from_preferences(prefs.blocked_windows), tuple(why), now))

    for pack in packs:
        zones = pack_zones[pack.name]
        if not zones:
            reasons.append(
                Reason(
                    rc.TIMEZONE_UNKNOWN,
                    f"{pack.name}/timezone",
                    f"no time zone is known for {request.to} and {pack.name} names no fallback zone",
                    citation=pack.timezone.source.citation if pack.timezone else None,
                )
            )
        else:
            if pack.window is not None:
                ranges = [r for r in pack.window.ranges if r.applies(callee.kind, request.channel)]
                if ranges:
                    checks.append(WindowCheck(pack, ranges, zones, now))
            hol = pack.holidays
            if hol is not None and request.channel in hol.channels:
                checks.append(HolidayCheck(pack, hol, zones, now))
            cool = pack.after_conversation
            if (
                cool is not None
                and request.channel in cool.channels
                and (request.party == "debtor" or estate_representative(pack, ctx))
            ):
                cooloff = CoolOffCheck(pack, cool, ctx, zones)
                notes += cooloff.notes
                checks.append(cooloff)
        for cap in pack.caps:
            calendar = cap.window.kind in ("local_days", "local_week")
            if cap_applies(cap, ctx) and (zones or not calendar):
                capcheck = CapCheck(pack, cap, ctx, zones)
                notes += capcheck.notes
                checks.append(capcheck)

    reasons += [c.reason for c in checks if c.reason is not None]
    reasons += content_reasons(ctx, packs)

    next_allowed = None
    if reasons and all(r.code in rc.TIME_CODES and r.lifts_at is not None for r in reasons):
        next_allowed = _search([*holds, *checks], now, max(r.lifts_at for r in reasons if r.lifts_at))

    return Decision(
        allowed=not reasons,
        reasons=tuple(reasons),
        packs=tuple(p.pinned for p in packs),
        local_times=tuple(LocalTime(z, now.astimezone(zone(z)), w) for z, w in why.items()),
        evaluated_at=now,
        next_allowed_at=next_allowed,
        notes=tuple(notes),
    )


def _search(checks: Sequence[Check], now: datetime, start: datetime) -> datetime | None:
    """The earliest instant ≥ start at which every check passes (None past SEARCH_DAYS)."""
    limit = now + timedelta(days=SEARCH_DAYS)
    at = start
    for _ in range(_MAX_ROUNDS):
        moved = False
        for check in checks:
            nxt = check.next_pass(at)
            if nxt is None or nxt > limit:
                return None
            if nxt != at:
                at, moved = nxt, True
        if not moved:
            return at
    return None


def history_horizon(packs: Sequence[Pack], now: datetime) -> datetime:
    """The earliest instant `evaluate` needs history from, for these packs at `now`.

    Covers every rolling and calendar cap window (calendar ones padded by a day for zone offsets
    and DST), the cool-off days and the "debtor unreachable" window. Caps on an ``ever`` window
    are not covered: see `needs_contact_history`.
    """
    days = max((p.lookback_days for p in packs), default=0.0)
    return now - timedelta(days=days)


def needs_contact_history(packs: Sequence[Pack], request: ContactRequest) -> bool:
    """Whether the caller must also pass every prior attempt to the requested contact (all time).

    True for third-party requests when a pack caps contacts over an ``ever`` window (FDCPA:
    location contact once per person). The storage layer then adds all attempts with this case's
    `contact_id` to the history.
    """
    if request.party != "third_party" or request.contact_id is None:
        return False
    return any(c.scope == "contact" and c.window.kind == "ever" for p in packs for c in p.caps)


def retention_days(packs: Iterable[Pack]) -> int:
    """Days to keep a recording of a case under these packs: the longest any pack demands."""
    return max((p.retention_days for p in packs), default=0)
