"""Debtor preferences: blocked hours (in every candidate zone), blocked channels, work numbers."""

from __future__ import annotations

from datetime import time

import pytest

from policies.types import BlockedWindow, Contact, Phone, Preferences
from tests.policies.builders import NYC, at, codes, decide, make_case, make_request

WORKDAY = BlockedWindow(days=(1, 2, 3, 4, 5), start=time(9), end=time(17))
OVERNIGHT = BlockedWindow(days=(2,), start=time(20), end=time(9))  # Tue 20:00 → Wed 09:00
MORNING = BlockedWindow(days=(1, 2, 3, 4, 5, 6, 7), start=time(6), end=time(12))


@pytest.mark.parametrize(
    ("blocks", "now", "lifts"),
    [
        pytest.param([WORKDAY], "2026-11-24T15:00:00Z", "2026-11-24T22:00:00Z", id="workday-tue-1000"),
        pytest.param([WORKDAY], "2026-11-24T13:59:59Z", None, id="workday-tue-0859"),
        pytest.param([WORKDAY], "2026-11-24T22:00:00Z", None, id="workday-end-exclusive"),
        pytest.param([WORKDAY], "2026-11-28T15:00:00Z", None, id="workday-saturday-free"),
        pytest.param([OVERNIGHT], "2026-11-25T01:30:00Z", "2026-11-25T14:00:00Z", id="overnight-tue-2030"),
        pytest.param([OVERNIGHT], "2026-11-25T13:30:00Z", "2026-11-25T14:00:00Z", id="overnight-wed-0830"),
        pytest.param([OVERNIGHT], "2026-11-26T13:30:00Z", None, id="overnight-thu-0830-free"),
    ],
)
def test_blocked_hours(blocks: list[BlockedWindow], now: str, lifts: str | None) -> None:
    case = make_case(preferences=Preferences(blocked_windows=tuple(blocks)))
    d = decide(now, case=case)
    if lifts is None:
        assert d.allowed, d.reasons
        return
    assert codes(d) == ["time_blocked_by_debtor"]
    assert d.reasons[0].rule == "callwarden/preferences.hours"
    assert d.reasons[0].lifts_at == at(lifts)
    assert d.next_allowed_at == at(lifts)


def test_blocked_hours_and_window_combine() -> None:
    # 07:00 EST: outside us-regf's window and inside the debtor's 06–12 block → both; next at 12:00.
    case = make_case(preferences=Preferences(blocked_windows=(MORNING,)))
    d = decide("2026-11-24T12:00:00Z", case=case)
    assert codes(d) == ["time_blocked_by_debtor", "outside_window"]
    assert d.next_allowed_at == at("2026-11-24T17:00:00Z")


def test_blocked_channel() -> None:
    case = make_case(preferences=Preferences(blocked_channels=frozenset({"sms"})))
    d = decide(
        "2026-11-24T15:00:00Z",
        case=case,
        request=make_request(channel="sms", body="Hi. Reply STOP to opt out"),
    )
    assert codes(d) == ["channel_blocked"]
    assert d.next_allowed_at is None
    assert decide("2026-11-24T15:00:00Z", case=case).allowed


def test_no_work_calls() -> None:
    case = make_case(
        phones=[Phone(NYC), Phone("+16175550122", "work")],
        preferences=Preferences(no_work_calls=True),
    )
    d = decide("2026-11-24T15:00:00Z", case=case, request=make_request("+16175550122"))
    assert codes(d) == ["work_number_blocked"]
    assert d.next_allowed_at is None
    assert decide("2026-11-24T15:00:00Z", case=case).allowed


def test_preferences_are_the_debtors_not_third_parties() -> None:
    case = make_case(
        contacts=(Contact("k1", "spouse", "+16175550133"),),
        preferences=Preferences(blocked_windows=(MORNING,), blocked_channels=frozenset({"call"})),
    )
    req = make_request("+16175550133", party="third_party", contact_id="k1")
    assert decide("2026-11-24T15:00:00Z", case=case, request=req).allowed
