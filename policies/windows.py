"""Local-time windows: allowed contact hours (packs) and debtor-blocked hours (preferences).

Times are wall-clock seconds after local midnight, so DST days behave as people expect: a window
08:00–21:00 opens at 08:00 local on the day clocks change, whatever the UTC offset. Ends are
exclusive (21:00:00 is outside 08:00–21:00).

The ``next_*`` functions answer "the earliest instant ≥ t at which ..." exactly, in every
candidate zone at once, so `next_allowed_at` can be searched for rather than guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from policies.pack import Range
from policies.types import BlockedWindow
from policies.zones import wall_to_utc, zone

__all__ = [
    "Block",
    "blocks_from_preferences",
    "first_blocked",
    "in_ranges",
    "next_in_ranges",
    "next_unblocked",
    "seconds_of_day",
]

_MAX_STEPS = 64


def seconds_of_day(local: datetime) -> float:
    return local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1_000_000


def in_ranges(local: datetime, ranges: Sequence[Range]) -> bool:
    """Whether the local wall time is inside one of `ranges` (already filtered for kind/channel)."""
    wd = local.isoweekday()
    sec = seconds_of_day(local)
    return any(wd in r.days and r.start <= sec < r.end for r in ranges)


def _next_in_zone(t: datetime, zone_name: str, ranges: Sequence[Range]) -> datetime | None:
    tz = zone(zone_name)
    local = t.astimezone(tz)
    if in_ranges(local, ranges):
        return t
    today = local.date()
    # Days in order and ranges sorted by start give candidates in time order: the first that is
    # after t and really inside (a start in a DST gap maps past the gap) is the answer.
    for offset in range(8):
        day = today + timedelta(days=offset)
        wd = day.isoweekday()
        for r in ranges:
            if wd in r.days:
                at = wall_to_utc(day, r.start, tz)
                if at > t and in_ranges(at.astimezone(tz), ranges):
                    return at
    return None


def next_in_ranges(t: datetime, zones: Sequence[str], ranges: Sequence[Range]) -> datetime | None:
    """The earliest instant ≥ t inside `ranges` in every zone (None if none within ~8 weeks)."""
    if not ranges:
        return t
    at = t
    for _ in range(_MAX_STEPS):
        moved = False
        for name in zones:
            nxt = _next_in_zone(at, name, ranges)
            if nxt is None:
                return None
            if nxt != at:
                at, moved = nxt, True
        if not moved:
            return at
    return None


@dataclass(frozen=True)
class Block:
    """A debtor-blocked local range in seconds; `start > end` wraps past midnight into the next day."""

    days: frozenset[int]
    start: int
    end: int

    def covers(self, wd: int, sec: float) -> bool:
        if self.start < self.end:
            return wd in self.days and self.start <= sec < self.end
        prev = 7 if wd == 1 else wd - 1
        return (wd in self.days and sec >= self.start) or (prev in self.days and sec < self.end)

    def end_after(self, local: datetime) -> datetime:
        """The instant (UTC) this block, which covers `local`, ends."""
        tz = local.tzinfo
        assert tz is not None
        day = local.date()
        sec = seconds_of_day(local)
        if self.start >= self.end and sec >= self.start:
            day = day + timedelta(days=1)  # wrapped: it ends tomorrow
        return wall_to_utc(day, self.end, tz)


def _secs(t: time) -> int:
    if t == time.max:
        return 86400
    return t.hour * 3600 + t.minute * 60 + t.second


def blocks_from_preferences(windows: Sequence[BlockedWindow]) -> tuple[Block, ...]:
    """Preference windows as Blocks. start == end blocks the whole day (the protective reading)."""
    out = []
    for w in windows:
        start, end = _secs(w.start), _secs(w.end)
        if start == end:
            start, end = 0, 86400
        out.append(Block(frozenset(w.days), start, end))
    return tuple(out)


def first_blocked(local: datetime, blocks: Sequence[Block]) -> Block | None:
    wd = local.isoweekday()
    sec = seconds_of_day(local)
    for b in blocks:
        if b.covers(wd, sec):
            return b
    return None


def next_unblocked(t: datetime, zones: Sequence[str], blocks: Sequence[Block]) -> datetime | None:
    """The earliest instant ≥ t outside every block in every zone (None if blocked for weeks)."""
    at = t
    for _ in range(_MAX_STEPS):
        moved = False
        for name in zones:
            local = at.astimezone(zone(name))
            wd = local.isoweekday()
            sec = seconds_of_day(local)
            ends = [b.end_after(local) for b in blocks if b.covers(wd, sec)]
            if ends:
                at, moved = max(ends), True
        if not moved:
            return at
    return None


_DAY_NAMES = ("", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def clock(seconds: int) -> str:
    """Seconds after midnight as HH:MM (24:00 for the end of the day)."""
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def describe_days(days: frozenset[int]) -> str:
    if len(days) == 7:
        return "every day"
    if days == frozenset({1, 2, 3, 4, 5}):
        return "Mon–Fri"
    if days == frozenset({6, 7}):
        return "Sat–Sun"
    return ",".join(_DAY_NAMES[d] for d in sorted(days))


def describe_ranges(ranges: Sequence[Range]) -> str:
    """Ranges in words: ``08:00–21:00 every day``; several joined with ``; ``."""
    parts = []
    for r in ranges:
        text = f"{clock(r.start)}–{clock(r.end)} {describe_days(r.days)}"
        if r.kinds is not None:
            text += f" ({'/'.join(sorted(r.kinds))} numbers)"
        if len(r.channels) == 1:
            text += f" [{next(iter(r.channels))}]"
        parts.append(text)
    return "; ".join(parts)
