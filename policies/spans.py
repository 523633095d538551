"""Counting windows ("spans") for caps and preconditions, and the instants they move at.

A span is written in a pack as one of:

- a rolling duration: ``"90m"``, ``"24h"``, ``"7d"``, ``"30d"`` — counts attempts with
  ``at > now - duration``; an attempt leaves the span exactly ``duration`` after it was made;
- ``"local_day"`` — the callee-local calendar day of the new contact (same as ``local_days:1``);
- ``"local_days:N"`` — N consecutive callee-local days: the day of the new contact and the N-1
  days before it (Reg F's "seven consecutive days" is ``local_days:7``);
- ``"local_week"`` — the callee-local ISO week (Monday 00:00 to the next Monday 00:00);
- ``"ever"`` — no time limit (lifetime caps such as FDCPA's "once per person").

With several candidate zones a calendar span starts at the earliest of the zones' starts, so an
attempt counts while it is inside the span in any zone (the strictest reading).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from policies.zones import local_midnight, zone

__all__ = ["FOREVER", "Span", "parse_span"]

SpanKind = Literal["rolling", "local_days", "local_week", "ever"]

# An instant later than anything the engine searches; "never leaves the span".
FOREVER = datetime.max.replace(tzinfo=UTC)

_ROLLING = re.compile(r"^([1-9][0-9]{0,5})(m|h|d)$")
_LOCAL_DAYS = re.compile(r"^local_days:([1-9][0-9]{0,3})$")
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Span:
    """A parsed span; `spelling` is what the pack wrote (shown in reasons as `window`)."""

    spelling: str
    kind: SpanKind
    seconds: int = 0  # rolling
    days: int = 0  # local_days

    @property
    def reach(self) -> timedelta | None:
        """How far back from `now` the span can reach (None for ``ever``), padded for zones/DST."""
        if self.kind == "rolling":
            return timedelta(seconds=self.seconds)
        if self.kind == "local_days":
            return timedelta(days=self.days + 1)
        if self.kind == "local_week":
            return timedelta(days=8)
        return None

    def start(self, now: datetime, zones: tuple[str, ...]) -> datetime | None:
        """The earliest instant counted at `now` (rolling: exclusive; calendar: inclusive).

        None means "since ever". Calendar spans need at least one zone.
        """
        if self.kind == "rolling":
            return now - timedelta(seconds=self.seconds)
        if self.kind == "ever":
            return None
        best: datetime | None = None
        for name in zones:
            tz = zone(name)
            today = now.astimezone(tz).date()
            first = _first_day(self, today)
            at = local_midnight(first, tz)
            if best is None or at < best:
                best = at
        return best

    def counts_at(self, at: datetime, start: datetime | None) -> bool:
        """Whether an attempt made at `at` is inside the span whose start is `start`."""
        if start is None:
            return True
        if self.kind == "rolling":
            return at > start
        return at >= start

    def exit(self, at: datetime, zones: tuple[str, ...]) -> datetime:
        """The first instant at which an attempt made at `at` no longer counts (FOREVER for ever).

        Calendar spans: the latest of the zones' exits (an attempt counts while inside any zone's span).
        """
        if self.kind == "rolling":
            return at + timedelta(seconds=self.seconds)
        if self.kind == "ever":
            return FOREVER
        best: datetime | None = None
        for name in zones:
            tz = zone(name)
            day = at.astimezone(tz).date()
            if self.kind == "local_days":
                last = day + timedelta(days=self.days)
            else:
                last = day + timedelta(days=7 - day.weekday())
            out = local_midnight(last, tz)
            if best is None or out > best:
                best = out
        assert best is not None, "calendar spans need a zone"
        return best

    def exits(self, ats: Iterable[datetime], zones: tuple[str, ...]) -> list[datetime]:
        """`exit` for many attempts at once (zones resolved once), sorted ascending."""
        if self.kind != "local_days" and self.kind != "local_week":
            return sorted(self.exit(at, zones) for at in ats)
        tzs = [zone(name) for name in zones]
        week = self.kind == "local_week"
        span = timedelta(days=self.days)
        out = []
        for at in ats:
            best: datetime | None = None
            for tz in tzs:
                day = at.astimezone(tz).date()
                end = local_midnight(day + (timedelta(days=7 - day.weekday()) if week else span), tz)
                if best is None or end > best:
                    best = end
            assert best is not None, "calendar spans need a zone"
            out.append(best)
        out.sort()
        return out


def _first_day(span: Span, today: date) -> date:
    if span.kind == "local_days":
        return today - timedelta(days=span.days - 1)
    return today - timedelta(days=today.weekday())


def parse_span(raw: object) -> Span:
    """Parse a span spelling; ValueError with a short problem statement when it is not one."""
    if not isinstance(raw, str):
        raise ValueError('expected a string such as "24h", "7d", "local_day", "local_days:7"')
    text = raw.strip()
    if text == "ever":
        return Span(text, "ever")
    if text == "local_day":
        return Span(text, "local_days", days=1)
    if text == "local_week":
        return Span(text, "local_week")
    m = _LOCAL_DAYS.match(text)
    if m:
        return Span(text, "local_days", days=int(m.group(1)))
    m = _ROLLING.match(text)
    if m:
        return Span(text, "rolling", seconds=int(m.group(1)) * _UNIT_SECONDS[m.group(2)])
    raise ValueError(
        f'{raw!r} is not a window: use a rolling duration ("90m", "24h", "7d"), '
        '"local_day", "local_days:N", "local_week" or "ever"'
    )
