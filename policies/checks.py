"""Time-based rule checks: each knows whether it objects now and when it next stops objecting.

Every check has `reason` (the Reason at `now`, or None when it passes) and `next_pass(t)`: the
earliest instant ≥ t at which the rule passes given the same history (None = not within the
search bound, or never). `policies.engine` iterates these to a fixed point for `next_allowed_at`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from policies import reasons as rc
from policies.pack import HolidayRule, Pack, Range
from policies.public_holidays import holiday_name
from policies.types import Reason
from policies.windows import Block, describe_ranges, in_ranges, next_in_ranges, next_unblocked
from policies.zones import local_midnight, zone

__all__ = ["BlockedCheck", "Check", "HolidayCheck", "WindowCheck"]

_MAX_HOLIDAY_STEPS = 400


class Check(Protocol):
    reason: Reason | None

    def next_pass(self, t: datetime) -> datetime | None: ...


def _local_list(now: datetime, zones: Sequence[str]) -> str:
    return ", ".join(f"{now.astimezone(zone(z)).strftime('%a %H:%M')} in {z}" for z in zones)


class WindowCheck:
    """Inside one of the pack's applicable ranges in every candidate zone."""

    def __init__(self, pack: Pack, ranges: Sequence[Range], zones: tuple[str, ...], now: datetime) -> None:
        self.ranges = ranges
        self.zones = zones
        self.reason = None
        outside = [z for z in zones if not in_ranges(now.astimezone(zone(z)), ranges)]
        if outside:
            self.reason = Reason(
                rc.OUTSIDE_WINDOW,
                f"{pack.name}/window",
                f"outside {pack.name} contact hours {describe_ranges(ranges)} (local): it is "
                + _local_list(now, zones),
                lifts_at=self.next_pass(now),
                citation=pack.window.source.citation if pack.window else None,
            )

    def next_pass(self, t: datetime) -> datetime | None:
        return next_in_ranges(t, self.zones, self.ranges)


class HolidayCheck:
    """Not a public holiday (of the pack's country/subdivision) in any candidate zone's local date."""

    def __init__(self, pack: Pack, rule: HolidayRule, zones: tuple[str, ...], now: datetime) -> None:
        self.rule = rule
        self.zones = zones
        self.reason = None
        for z in zones:
            day = now.astimezone(zone(z)).date()
            name = holiday_name(day, rule.country, rule.subdiv)
            if name is not None:
                where = rule.country + (f"-{rule.subdiv}" if rule.subdiv else "")
                self.reason = Reason(
                    rc.HOLIDAY,
                    f"{pack.name}/holidays",
                    f"{day.isoformat()} is a public holiday in {where} ({name}) in {z}",
                    lifts_at=self.next_pass(now),
                    citation=rule.source.citation,
                )
                break

    def next_pass(self, t: datetime) -> datetime | None:
        at = t
        for _ in range(_MAX_HOLIDAY_STEPS):
            moved = False
            for z in self.zones:
                tz = zone(z)
                day = at.astimezone(tz).date()
                if holiday_name(day, self.rule.country, self.rule.subdiv) is not None:
                    at, moved = local_midnight(day + timedelta(days=1), tz), True
            if not moved:
                return at
        return None


class BlockedCheck:
    """Outside every debtor-blocked range in every candidate zone (the debtor's preferences)."""

    def __init__(self, blocks: Sequence[Block], zones: tuple[str, ...], now: datetime) -> None:
        self.blocks = blocks
        self.zones = zones
        self.reason = None
        nxt = self.next_pass(now)
        if nxt != now:
            self.reason = Reason(
                rc.TIME_BLOCKED_BY_DEBTOR,
                f"{rc.BUILTIN}/preferences.hours",
                "the debtor asked not to be contacted at this time: it is " + _local_list(now, zones),
                lifts_at=nxt,
            )

    def next_pass(self, t: datetime) -> datetime | None:
        return next_unblocked(t, self.zones, self.blocks)
