"""Frequency caps: count the prior attempts a cap sees, and when enough leave its window.

Counting (per cap `counts`):

- ``attempts``: every allowed attempt except those reported as not connected (busy, failed —
  Reg F 1006.14(b)(3)); unanswered calls and voicemails count;
- ``conversations``: connected attempts in which the intended party spoke (the debtor for debtor
  attempts, the contact for third-party attempts);
- ``unanswered``: attempts without such a conversation (busy and failed dials included).

An attempt without a reported outcome (`result is None`) counts for every kind: the strictest
reading holds until the dialer reports. A conversation the debtor started (an inbound one) is not
an attempt and never counts. A cap with `relations` counts third-party attempts only to contacts
of those relations (an attempt whose relation is unknown counts). A cap with `consent_days` does
not count debtor attempts placed under the debtor's direct prior consent, and does not object
while a consent covers the request (Reg F 1006.14(b)(3)(i)); the decision notes it.
"""

from __future__ import annotations

from datetime import datetime

from policies import reasons as rc
from policies.consent import ConsentWindow, consent_windows
from policies.context import Context
from policies.pack import CapRule, Pack
from policies.spans import FOREVER
from policies.timefmt import rfc3339
from policies.types import Attempt, Note, Reason

__all__ = ["CapCheck", "cap_applies", "count", "is_conversation"]


_SCOPE_WORDS = {
    "debtor": "this debtor (all cases, all agencies)",
    "debtor_case": "this case",
    "number": "this number",
    "contact": "this contact",
}


def _counted_words(cap: CapRule) -> str:
    """What a cap counts, in words: "7 call attempts", "6 unanswered call attempts", "1 conversation"."""
    channel = "" if cap.channel == "any" else f"{cap.channel} "
    noun = {
        "attempts": f"{channel}attempt",
        "all": f"{channel}attempt",
        "conversations": f"{channel}conversation",
        "unanswered": f"unanswered {channel}attempt",
    }[cap.counts]
    return noun if cap.max == 1 else noun + "s"


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
        self.reason: Reason | None = None
        self.notes: list[Note] = []
        self.threshold: datetime | None = None
        req, now = ctx.request, ctx.now
        windows: tuple[ConsentWindow, ...] = ()
        if cap.consent_days is not None and req.party == "debtor" and ctx.case.preferences.consents:
            windows = consent_windows(ctx.case, cap.consent_days, zones)
        # Consents that can lift the cap for this request (same channel and number).
        self.cover = [w for w in windows if w.covers(req.channel, req.to, w.start)]
        counted = count(cap, ctx, zones, windows)
        used = len(counted)
        rule = f"{pack.name}/{cap.rule}"
        covering = next((w for w in self.cover if w.covers(req.channel, req.to, now)), None)
        excluded = len(count(cap, ctx, zones)) - used if windows else 0
        if covering is not None or excluded:
            self.notes.append(_consent_note(rule, covering, excluded, cap.source.citation))
        if used < cap.max:
            return
        if cap.max == 0 or cap.window.kind == "ever":
            self.threshold = FOREVER
        else:
            exits = cap.window.exits((a.at for a in counted), zones)
            self.threshold = exits[used - cap.max]
        if covering is not None:
            return  # the consent lifts the presumption now; it applies again after the consent
        self.reason = Reason(
            rc.CAP_EXCEEDED,
            rule,
            f"{pack.name} allows at most {cap.max} {_counted_words(cap)} to {_SCOPE_WORDS[cap.scope]} in "
            f"{_window_words(cap.window.spelling)}; {used} already",
            max=cap.max,
            window=cap.window.spelling,
            used=used,
            lifts_at=self.next_pass(now),
            citation=cap.source.citation,
        )

    def _covered(self, t: datetime) -> bool:
        return any(w.start <= t < w.end for w in self.cover)

    def next_pass(self, t: datetime) -> datetime | None:
        if self.threshold is None or self._covered(t):
            return t
        options = [w.start for w in self.cover if w.start > t]
        if self.threshold != FOREVER:
            options.append(max(t, self.threshold))
        return min(options) if options else None


def _consent_note(rule: str, covering: ConsentWindow | None, excluded: int, citation: str) -> Note:
    parts = []
    if covering is not None:
        c = covering.consent
        parts.append(
            f"the debtor's direct prior consent (given {rfc3339(c.given_at)}) lifts this presumption "
            f"for {c.channel} until {rfc3339(covering.end)}"
        )
    if excluded:
        parts.append(f"{excluded} attempt(s) placed under consent are not counted")
    return Note(
        rc.NOTE_CONSENT,
        rule,
        "; ".join(parts) + f" (12 CFR 1006.14(b)(3)(i); {citation})",
        until=covering.end if covering is not None else None,
    )


def cap_applies(cap: CapRule, ctx: Context) -> bool:
    """Whether a cap governs this request (channel, party, number kind, scope)."""
    req = ctx.request
    if cap.channel != "any" and cap.channel != req.channel:
        return False
    if cap.party != "any" and cap.party != req.party:
        return False
    if cap.scope == "contact" and (req.party != "third_party" or req.contact_id is None):
        return False
    if cap.relations is not None and req.party == "third_party":
        contact = ctx.callee.contact
        if contact is None or contact.relation not in cap.relations:
            return False
    kind = ctx.callee.kind
    return cap.kinds is None or kind is None or kind in cap.kinds


def count(
    cap: CapRule, ctx: Context, zones: tuple[str, ...], consents: tuple[ConsentWindow, ...] = ()
) -> list[Attempt]:
    """The prior attempts this cap counts at `ctx.now` (none placed under `consents`)."""
    req, case = ctx.request, ctx.case
    start = cap.window.start(ctx.now, zones)
    rolling = cap.window.kind == "rolling"
    scope, channel, party, counts, kinds = cap.scope, cap.channel, cap.party, cap.counts, cap.kinds
    relations = cap.relations
    if scope == "debtor":
        key: str | None = case.debtor_id
    elif scope == "debtor_case":
        key = case.case_id
    else:
        key = req.to
    out = []
    for a in ctx.all_history if start is None else ctx.history:
        if a.direction != "outbound":
            continue  # a conversation the debtor started is not an attempt
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
        else:  # contact: the person, by this case's contact id or by number on any case
            mine = a.party == "third_party" and a.case_id == case.case_id and a.contact_id == req.contact_id
            if not (mine or a.to == key):
                continue
            # An attempt to the number as the debtor's counts only as a conversation the person
            # at the number had (the debtor's line answered by someone else: a probe).
            if a.party != "third_party" and not (a.result == "connected" and a.spoke_with == "third_party"):
                continue
        if channel != "any" and a.channel != channel:
            continue
        result = a.result
        # A conversation is with whoever spoke: the debtor answering a relative's phone is a
        # conversation with the debtor (CN's effective calls), not with the relative (a probe).
        spoken = counts == "conversations" and result == "connected"
        if party != "any" and (a.spoke_with if spoken else a.party) != party:
            continue
        if result is not None:
            if counts == "attempts":
                if result == "busy" or result == "failed":
                    continue
            elif counts == "conversations":
                if not (result == "connected" and a.spoke_with == (a.party if party == "any" else party)):
                    continue
            elif result == "connected" and a.spoke_with == a.party:
                continue
        if kinds is not None:
            kind = ctx.kind_of(a.to)
            if kind is not None and kind not in kinds:
                continue
        if relations is not None and a.party == "third_party":
            relation = ctx.relation_of(a)
            if relation is not None and relation not in relations:
                continue
        if consents and any(w.covers_attempt(a) for w in consents):
            continue
        out.append(a)
    return out
