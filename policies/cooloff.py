"""The cool-off after a conversation (Reg F 1006.14(b)(2)(i)(B)).

After a conversation with the debtor about a case, no call on that case for N consecutive
callee-local days, the conversation's local day being day 1: calls are allowed again from local
midnight of day N+1, in every candidate zone. Only reported telephone conversations (a call,
`connected` + `spoke_with: debtor`, whichever number it reached) start a cool-off; an SMS is not a
telephone conversation. The conversation's instant is `started_at` if reported,
else the attempt's `at`. A telephone conversation the debtor started (inbound) starts it too
when the pack says `inbound = true` — Reg F counts a conversation whoever placed the call. With
`consent_days`, the debtor's direct prior consent lifts the cool-off for the calls it covers
(1006.14(b)(3)(i)).

For a deceased debtor the estate's representative (a contact whose relation the pack's
`holds.debtor_deceased` names) is the consumer (1006.6(a)(4)): calls to that contact wait after a
conversation with that contact, as the debtor's would (found by a compliance officer's probe: six
conversations with the executor in a day, and a seventh call allowed).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from policies import reasons as rc
from policies.consent import consent_windows
from policies.context import Context
from policies.pack import CoolOffRule, Pack
from policies.timefmt import rfc3339
from policies.types import Note, Reason
from policies.zones import local_midnight, zone

__all__ = ["CoolOffCheck"]


class CoolOffCheck:
    """No contact on the rule's channels until local midnight of day N+1 after a conversation
    (the conversation's local day is day 1), in every candidate zone."""

    def __init__(self, pack: Pack, rule: CoolOffRule, ctx: Context, zones: tuple[str, ...]) -> None:
        self.reason: Reason | None = None
        self.notes: list[Note] = []
        self.threshold: datetime | None = None
        case, now, req = ctx.case, ctx.now, ctx.request
        oldest = now - timedelta(days=rule.days + 1)
        last: datetime | None = None
        self.cover = []
        if rule.consent_days is not None and case.preferences.consents:
            windows = consent_windows(case, rule.consent_days, zones)
            self.cover = [w for w in windows if w.covers(req.channel, req.to, w.start)]
        # The person the wait is for: the debtor, or the estate's representative being called.
        person = req.contact_id if req.party == "third_party" else None
        for a in ctx.history:
            # A telephone conversation with the debtor, whichever number the call reached (a call
            # to a relative the debtor answered is one); a text exchange is not one (a probe).
            if a.result != "connected" or a.channel != "call":
                continue
            if person is None and a.spoke_with != "debtor":
                continue
            if person is not None and (a.spoke_with != "third_party" or a.contact_id != person):
                continue
            if a.direction == "inbound" and not rule.inbound:
                continue  # the debtor's own call, only where the pack says so
            if (
                (a.case_id != case.case_id)
                if rule.scope == "debtor_case"
                else (a.debtor_id != case.debtor_id)
            ):
                continue
            at = a.started_at or a.at
            if at < oldest:
                continue
            end = max(
                local_midnight(at.astimezone(zone(z)).date() + timedelta(days=rule.days), zone(z))
                for z in zones
            )
            if end > now and (self.threshold is None or end > self.threshold):
                self.threshold, last = end, at
        if self.threshold is None or last is None:
            return
        name = f"{pack.name}/after_conversation"
        who = "the debtor" if person is None else f"the estate's representative ({person})"
        covering = next((w for w in self.cover if w.start <= now < w.end), None)
        if covering is not None:
            self.notes.append(
                Note(
                    rc.NOTE_CONSENT,
                    name,
                    f"the debtor's direct prior consent (given {rfc3339(covering.consent.given_at)}) "
                    f"lifts the wait after a conversation until {rfc3339(covering.end)} "
                    f"(12 CFR 1006.14(b)(3)(i); {rule.source.citation})",
                    until=covering.end,
                )
            )
            return
        self.reason = Reason(
            rc.COOLOFF,
            name,
            f"{pack.name}: no {'/'.join(sorted(rule.channels))} for {rule.days} days after a "
            f"conversation with {who} (conversation at {rfc3339(last)}, its local day is day 1)",
            lifts_at=self.next_pass(now),
            citation=rule.source.citation,
        )

    def next_pass(self, t: datetime) -> datetime | None:
        if self.threshold is None or t >= self.threshold:
            return t
        if any(w.start <= t < w.end for w in self.cover):
            return t
        later = [w.start for w in self.cover if t < w.start < self.threshold]
        return min(later) if later else self.threshold
