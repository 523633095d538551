"""Public holidays in callee-local date (the `holidays` package)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from policies.public_holidays import holiday_dates
from policies.types import Phone
from tests.policies.builders import CN, NYC, at, codes, decide, make_case, make_request, pack_from_toml


def holiday_pack(country: str, subdiv: str | None = None, channels: str = "") -> str:
    sub = f'subdiv = "{subdiv}"\n' if subdiv else ""
    return f"""
name = "test-holidays"
version = "1"
jurisdiction = "{country}"
[window]
citation = "test"
[[window.ranges]]
start = "08:00"
end = "21:00"
[holidays]
country = "{country}"
{sub}{channels}
citation = "test"
"""


@pytest.mark.parametrize(
    ("country", "subdiv", "now", "holiday"),
    [
        # Thanksgiving, Thu 26 Nov 2026, 10:00 EST.
        pytest.param("US", None, "2026-11-26T15:00:00Z", True, id="us-thanksgiving"),
        pytest.param("US", None, "2026-11-27T15:00:00Z", False, id="us-day-after"),
        # 23:30 EST on Wed 25 Nov is already Thanksgiving in UTC: local date decides → not a holiday
        # (and outside the window anyway, so check the reasons only).
        pytest.param("US", None, "2026-11-26T04:30:00Z", False, id="us-local-date-not-utc"),
        # Patriots' Day (Mon 20 Apr 2026) is a Massachusetts holiday, not a federal one.
        pytest.param("US", "MA", "2026-04-20T14:00:00Z", True, id="us-ma-patriots-day"),
        pytest.param("US", None, "2026-04-20T14:00:00Z", False, id="us-federal-not-patriots-day"),
    ],
)
def test_holiday_denial(country: str, subdiv: str | None, now: str, holiday: bool) -> None:
    pack = pack_from_toml(holiday_pack(country, subdiv))
    d = decide(now, packs=[pack])
    assert ("holiday" in codes(d)) is holiday, d.reasons
    if holiday:
        assert d.reasons[0].rule == "test-holidays/holidays"
        nxt = d.next_allowed_at
        assert nxt is not None
        assert decide(nxt, packs=[pack]).allowed


def test_holiday_lifts_at_local_midnight_then_the_window_opens() -> None:
    pack = pack_from_toml(holiday_pack("US"))
    d = decide("2026-11-26T15:00:00Z", packs=[pack])
    assert d.reasons[0].lifts_at == at("2026-11-27T05:00:00Z")
    assert d.next_allowed_at == at("2026-11-27T13:00:00Z")


def test_consecutive_holidays_are_skipped() -> None:
    # Chinese New Year 2026: several public holidays in a row.
    pack = pack_from_toml(holiday_pack("CN"))
    case = make_case(phones=[Phone(CN)])
    d = decide("2026-02-17T02:00:00Z", packs=[pack], case=case, request=make_request(CN))
    assert codes(d) == ["holiday"]
    days = holiday_dates("CN", None, 2026)
    first_free = date(2026, 2, 17)
    while first_free in days:
        first_free += timedelta(days=1)
    assert first_free > date(2026, 2, 18)
    # 08:00 in Shanghai on the first working day = 00:00Z.
    assert d.next_allowed_at == at(f"{first_free.isoformat()}T00:00:00Z")


def test_holiday_rule_can_be_limited_to_calls() -> None:
    pack = pack_from_toml(holiday_pack("US", channels='channels = ["call"]'))
    assert codes(decide("2026-11-26T15:00:00Z", packs=[pack])) == ["holiday"]
    sms = make_request(NYC, "sms", body="hello")
    assert decide("2026-11-26T15:00:00Z", packs=[pack], request=sms).allowed
