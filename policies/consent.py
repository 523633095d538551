"""The debtor's direct prior consent to more contact (`preferences.consent`).

Reg F 1006.14(b)(3)(i): telephone calls placed with the person's direct prior consent, within a
period of no more than seven consecutive days after the consent was given, do not count toward
the call frequencies of 1006.14(b)(2)(i). A pack opts a cap or cool-off in with `consent_days`;
the consent's day is day 1 and the window closes at the earliest candidate zone's local midnight
after day N (or at the consent's `until`, whichever is first).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from policies.types import Attempt, Case, Consent
from policies.zones import local_midnight, zone

__all__ = ["ConsentWindow", "consent_windows"]


@dataclass(frozen=True)
class ConsentWindow:
    """When one consent lifts a rule: [start, end) for `channel` to `number` (None: any number)."""

    consent: Consent
    start: datetime
    end: datetime

    def covers(self, channel: str, number: str, at: datetime) -> bool:
        c = self.consent
        return (
            c.channel == channel and (c.number is None or c.number == number) and self.start <= at < self.end
        )

    def covers_attempt(self, a: Attempt) -> bool:
        """A debtor attempt placed under this consent (it does not count)."""
        return a.direction == "outbound" and a.party == "debtor" and self.covers(a.channel, a.to, a.at)


def consent_windows(case: Case, days: int, zones: Sequence[str]) -> tuple[ConsentWindow, ...]:
    """The windows in which the case's consents lift a rule that honours them for `days` days."""
    out = []
    for c in case.preferences.consents:
        ends = [
            local_midnight(c.given_at.astimezone(zone(z)).date() + timedelta(days=days), zone(z))
            for z in (zones or ("UTC",))
        ]
        end = min(min(ends), c.until.astimezone(UTC))
        if end > c.given_at:
            out.append(ConsentWindow(c, c.given_at, end))
    return tuple(out)
