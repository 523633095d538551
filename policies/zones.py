"""Callee time zones: which zones a contact must be convenient in, and local-time arithmetic.

Candidate zones for a number (Reg F 1006.6(b)(1): with conflicting location data, a time must be
convenient in every zone the callee may be in):

1. the zone given explicitly on the case's phone (or contact) entry, else every zone
   ``phonenumbers.timezone.time_zones_for_number`` gives for the number
   (``+1 208`` → ``America/Boise`` and ``America/Los_Angeles``);
2. plus, for the debtor's own numbers, the zone of the debtor's address (`Case.debtor_timezone`).

``Etc/Unknown`` is dropped; no zone left means "unknown" and the packs fail closed
(`timezone_unknown`) unless they name a fallback zone. This is the "number" mode; packs that judge
time in every zone on the case (``[timezone] candidates = "case"``) use `policies.candidates`.

All caches here are pure memoisation of immutable answers (zone data, number → zones).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

import phonenumbers
from phonenumbers import timezone as pn_timezone

__all__ = [
    "UNKNOWN_ZONE",
    "candidate_zones",
    "checked_zone",
    "local_midnight",
    "number_zones",
    "wall_to_utc",
    "zone",
]

UNKNOWN_ZONE = "Etc/Unknown"

_ZONES: dict[str, ZoneInfo] = {}

# Names the zone database answers that are no place: `Factory` is UTC, `localtime` the server's own
# zone, and `posix/`, `right/` copies (the latter counting leap seconds). A phone given one of them
# was judged in UTC or wherever the server runs, in place of its area code's zones (a probe).
_NOT_PLACES = frozenset({"Factory", "localtime", "posixrules"})


def checked_zone(name: str) -> ZoneInfo:
    """The zone of an IANA name a client or a pack gives; ValueError for an unknown name or one
    that is no place (ZoneInfo's own errors for the rest)."""
    if name in _NOT_PLACES or name.startswith(("posix/", "right/")):
        raise ValueError(f"{name!r} is not a place's time zone")
    return ZoneInfo(name)


def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name, memoised (ZoneInfo's own cache costs a lock per lookup)."""
    tz = _ZONES.get(name)
    if tz is None:
        tz = _ZONES[name] = ZoneInfo(name)
    return tz


@lru_cache(maxsize=65536)
def number_zones(e164: str) -> tuple[str, ...]:
    """The zones phonenumbers places a number in, without ``Etc/Unknown`` (empty when unknown)."""
    try:
        num = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return ()
    return tuple(z for z in pn_timezone.time_zones_for_number(num) if z != UNKNOWN_ZONE)


def candidate_zones(number: str, explicit: str | None, address: str | None) -> tuple[str, ...]:
    """Every zone the callee may be in: the explicit zone or the number's zones, plus `address`."""
    base = (explicit,) if explicit and explicit != UNKNOWN_ZONE else number_zones(number)
    if address and address != UNKNOWN_ZONE and address not in base:
        return (*base, address)
    return base


@lru_cache(maxsize=16384)
def local_midnight(day: date, tz: tzinfo) -> datetime:
    """The first instant (UTC) of local `day` in `tz` (a skipped midnight maps past the gap)."""
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


def wall_to_utc(day: date, seconds: float, tz: tzinfo) -> datetime:
    """The instant (UTC) of local wall-clock `seconds` after midnight on `day` (86400 = next midnight).

    A wall time inside a DST gap maps to the instant after the gap (fold=0 semantics).
    """
    if seconds >= 86400:
        return local_midnight(day + timedelta(days=1), tz)
    whole = int(seconds)
    wall = datetime.combine(day, time(whole // 3600, whole % 3600 // 60, whole % 60), tzinfo=tz)
    return wall.astimezone(UTC)
