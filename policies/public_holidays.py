"""Public holidays by callee-local date, from the `holidays` package.

Building a `holidays` calendar is slow (tens of milliseconds for some countries), so each
(country, subdivision, year) is built once per process and kept as a plain dict of date → name:
a pure memo of immutable data.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

__all__ = ["holiday_dates", "holiday_name"]

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
