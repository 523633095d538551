"""Public holidays by callee-local date, from the `holidays` package.

Building a `holidays` calendar is slow (tens of milliseconds for some countries), so each
(country, subdivision, year) is built once per process and kept as a plain dict of date → name:
a pure memo of immutable data.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

__all__ = ["holiday_dates", "holiday_name", "us_legal_public_holiday"]

_CACHE: dict[tuple[str, str | None, int], dict[date, str]] = {}


def holiday_dates(country: str, subdiv: str | None, year: int) -> Mapping[date, str]:
    """The public holidays of `country` (and `subdiv`) in `year`, with their names."""
    key = (country, subdiv, year)
    found = _CACHE.get(key)
    if found is None:
        import holidays  # imported on first use: it is large and most packs need none

        cal = holidays.country_holidays(country, subdiv=subdiv, years=year)
        found = _CACHE[key] = {d: str(n) for d, n in cal.items() if d.year == year}
    return found


def holiday_name(day: date, country: str, subdiv: str | None) -> str | None:
    """The holiday's name, or None when `day` is not a public holiday."""
    return holiday_dates(country, subdiv, day.year).get(day)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th `weekday` (Monday = 0) of a month; n = -1 for the last."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def us_legal_public_holiday(day: date) -> str | None:
    """The name of a legal public holiday of 5 U.S.C. 6103(a) on `day`, else None.

    The dates the statute names, not the Friday/Monday a federal office closes instead
    (6103(b)): 12 CFR 1006.34(b)(5) excludes "legal public holidays identified in 5 U.S.C.
    6103(a)". Computed here rather than with the `holidays` package, which is neither needed
    for eleven rules nor free of network imports.
    """
    y = day.year
    fixed = {
        date(y, 1, 1): "New Year's Day",
        date(y, 7, 4): "Independence Day",
        date(y, 11, 11): "Veterans Day",
        date(y, 12, 25): "Christmas Day",
    }
    if y >= 2021:
        fixed[date(y, 6, 19)] = "Juneteenth National Independence Day"
    floating = {
        _nth_weekday(y, 1, 0, 3): "Birthday of Martin Luther King, Jr.",
        _nth_weekday(y, 2, 0, 3): "Washington's Birthday",
        _nth_weekday(y, 5, 0, -1): "Memorial Day",
        _nth_weekday(y, 9, 0, 1): "Labor Day",
        _nth_weekday(y, 10, 0, 2): "Columbus Day",
        _nth_weekday(y, 11, 3, 4): "Thanksgiving Day",
    }
    return fixed.get(day) or floating.get(day)
