"""Frequency caps: count the prior attempts a cap sees, and when enough leave its window.

Counting (per cap `counts`):

- ``attempts``: every allowed attempt except those reported as not connected (busy, failed —
  Reg F 1006.14(b)(3)); unanswered calls and voicemails count;
- ``conversations``: connected attempts in which the intended party spoke (the debtor for debtor
  attempts, the contact for third-party attempts);
- ``unanswered``: attempts without such a conversation (busy and failed dials included).

An attempt without a reported outcome (`result is None`) counts for every kind: the strictest
reading holds until the dialer reports.
"""

from __future__ import annotations

from datetime import datetime

from policies import reasons as rc
from policies.context import Context
from policies.pack import CapRule, Pack
from policies.spans import FOREVER
from policies.types import Attempt, Reason

__all__ = ["CapCheck", "cap_applies", "count", "is_conversation"]


_SCOPE_WORDS = {
    "debtor": "this debtor (all cases, all agencies)",
    "debtor_case": "this case",
    "number": "this number",
    "contact": "this contact",
}


def _window_words(spelling: str) -> str:
    if spelling == "local_day":
        return "the callee-local day"
    if spelling == "local_week":
        return "the callee-local week (Mon–Sun)"
    if spelling == "ever":
        return "all time"
    if spelling.startswith("local_days:"):
        return f"{spelling.split(':')[1]} consecutive callee-local days"
    unit = {"m": "minutes", "h": "hours", "d": "days"}[spelling[-1]]
    return f"the last {spelling[:-1]} {unit}"


def is_conversation(a: Attempt) -> bool:
    """A connected attempt in which the intended party (debtor, or the contacted third party) spoke."""
    return a.result == "connected" and a.spoke_with == a.party


class CapCheck:
    """At most `max` counted attempts in the cap's window; lifts when enough leave the window."""

    def __init__(self, pack: Pack, cap: CapRule, ctx: Context, zones: tuple[str, ...]) -> None:
        self.reason = None
        self.threshold: datetime | None = None
        counted = count(cap, ctx, zones)
        used = len(counted)
        if used < cap.max:
            return
        if cap.max == 0 or cap.window.kind == "ever":
            self.threshold = FOREVER
        else:
            exits = cap.window.exits((a.at for a in counted), zones)
            self.threshold = exits[used - cap.max]
        what = cap.counts if cap.channel == "any" else f"{cap.channel} {cap.counts}"
        self.reason = Reason(
            rc.CAP_EXCEEDED,
            f"{pack.name}/{cap.rule}",
            f"{pack.name} allows at most {cap.max} {what} to {_SCOPE_WORDS[cap.scope]} in "
            f"{_window_words(cap.window.spelling)}; {used} already",
            max=cap.max,
            window=cap.window.spelling,
            used=used,
            lifts_at=self.next_pass(ctx.now),
        )

    def next_pass(self, t: datetime) -> datetime | None:
        if self.threshold is None:
            return t
        if self.threshold == FOREVER:
            return None
        return max(t, self.threshold)


def cap_applies(cap: CapRule, ctx: Context) -> bool:
    """Whether a cap governs this request (channel, party, number kind, scope)."""
    req = ctx.request
    if cap.channel != "any" and cap.channel != req.channel:
        return False
    if cap.party != "any" and cap.party != req.party:
        return False
    if cap.scope == "contact" and (req.party != "third_party" or req.contact_id is None):
        return False
    kind = ctx.callee.kind
    return cap.kinds is None or kind is None or kind in cap.kinds


def count(cap: CapRule, ctx: Context, zones: tuple[str, ...]) -> list[Attempt]:
    """The prior attempts this cap counts at `ctx.now`."""
    req, case = ctx.request, ctx.case
    start = cap.window.start(ctx.now, zones)
    rolling = cap.window.kind == "rolling"
    scope, channel, party, counts, kinds = cap.scope, cap.channel, cap.party, cap.counts, cap.kinds
    if scope == "debtor":
        key: str | None = case.debtor_id
    elif scope == "debtor_case":
        key = case.case_id
    else:
        key = req.to
    out = []
    for a in ctx.all_history if start is None else ctx.history:
        if start is not None and (a.at <= start if rolling else a.at < start):
            continue
        if scope == "debtor":
            if a.debtor_id != key:
                continue
        elif scope == "debtor_case":
            if a.case_id != key:
                continue
        elif scope == "number":
            if a.to != key:
                continue
        elif a.party != "third_party" or (
            a.to != key and (a.case_id != case.case_id or a.contact_id != req.contact_id)
        ):
            continue
        if channel != "any" and a.channel != channel:
            continue
        if party != "any" and a.party != party:
            continue
        result = a.result
        if result is not None:
            if counts == "attempts":
                if result == "busy" or result == "failed":
                    continue
            elif counts == "conversations":
                if not (result == "connected" and a.spoke_with == a.party):
                    continue
            elif result == "connected" and a.spoke_with == a.party:
                continue
        if kinds is not None:
            kind = ctx.kind_of(a.to)
            if kind is not None and kind not in kinds:
                continue
        out.append(a)
    return out
