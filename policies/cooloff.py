"""The cool-off after a conversation (Reg F 1006.14(b)(2)(i)(B)).

After a conversation with the debtor about a case, no call on that case for N consecutive
callee-local days, the conversation's local day being day 1: calls are allowed again from local
midnight of day N+1, in every candidate zone. Only reported conversations (`connected` +
`spoke_with: debtor`) start a cool-off; the conversation's instant is `started_at` if reported,
else the attempt's `at`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from policies import reasons as rc
from policies.context import Context
from policies.pack import CoolOffRule, Pack
from policies.types import Reason
from policies.zones import local_midnight, zone

__all__ = ["CoolOffCheck"]


class CoolOffCheck:
    """No contact on the rule's channels until local midnight of day N+1 after a conversation
    (the conversation's local day is day 1), in every candidate zone."""

    def __init__(self, pack: Pack, rule: CoolOffRule, ctx: Context, zones: tuple[str, ...]) -> None:
        self.reason = None
        self.threshold: datetime | None = None
        case, now = ctx.case, ctx.now
        oldest = now - timedelta(days=rule.days + 1)
        last: datetime | None = None
        for a in ctx.history:
            if a.result != "connected" or a.spoke_with != "debtor" or a.party != "debtor":
                continue
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
        if self.threshold is not None and last is not None:
            self.reason = Reason(
                rc.COOLOFF,
                f"{pack.name}/after_conversation",
                f"{pack.name}: no {'/'.join(sorted(rule.channels))} for {rule.days} days after a "
                f"conversation with the debtor (conversation at {_rfc3339(last)}, its local day is day 1)",
                lifts_at=self.threshold,
            )

    def next_pass(self, t: datetime) -> datetime | None:
        return t if self.threshold is None else max(t, self.threshold)


def _rfc3339(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")
