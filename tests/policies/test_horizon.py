"""What the storage layer must pass: history horizon, contact history, retention."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

import policies
from policies.spans import parse_span
from policies.types import Contact
from policies.zones import local_midnight, zone
from tests.policies.builders import at, make_request

NOW = at("2026-11-24T15:00:00Z")


def test_history_horizon_per_pack() -> None:
    regf, ma, cn, kr = policies.load_packs(["us-regf", "us-ma", "cn-gbt45251", "kr-fdca"])
    # us-regf: 7 local days (+1 day padding) for the cap and the cool-off.
    assert policies.history_horizon([regf], NOW) == NOW - timedelta(days=8)
    # us-ma: 30 local days.
    assert policies.history_horizon([regf, ma], NOW) == NOW - timedelta(days=31)
    # cn: local day caps and the 3-local-day "unreachable" window.
    assert policies.history_horizon([cn], NOW) == NOW - timedelta(days=4)
    assert policies.history_horizon([kr], NOW) == NOW - timedelta(days=8)
    assert policies.history_horizon([], NOW) == NOW


def test_needs_contact_history() -> None:
    regf, cn = policies.load_packs(["us-regf", "cn-gbt45251"])
    spouse = Contact("k1", "spouse", "+16175550133")
    third = make_request(spouse.number, party="third_party", contact_id="k1")
    assert policies.needs_contact_history([regf], third)
    assert not policies.needs_contact_history([cn], third)
    assert not policies.needs_contact_history([regf], make_request())


ZONES = [
    "America/New_York",
    "America/Los_Angeles",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Asia/Shanghai",
    "Australia/Lord_Howe",
    "America/St_Johns",
    "Europe/London",
]
SPANS = ["local_day", "local_days:7", "local_days:30", "local_week", "24h", "7d"]


@settings(max_examples=300, deadline=None)
@given(
    now=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31)),
    zones=st.lists(st.sampled_from(ZONES), min_size=1, max_size=3, unique=True),
    spelling=st.sampled_from(SPANS),
)
def test_horizon_covers_every_span_in_every_zone(now: datetime, zones: list[str], spelling: str) -> None:
    from datetime import UTC

    now = now.replace(tzinfo=UTC)
    span = parse_span(spelling)
    reach = span.reach
    assert reach is not None
    start = span.start(now, tuple(zones))
    assert start is not None
    assert start >= now - reach
    # Cool-off of N days: a conversation before the horizon has always ended by now.
    days = 7
    horizon = now - timedelta(days=days + 1)
    for z in zones:
        tz = zone(z)
        just_before = horizon - timedelta(microseconds=1)
        assert local_midnight(just_before.astimezone(tz).date() + timedelta(days=days), tz) <= now
