"""Contact windows: edges, candidate zones, DST days, per-kind ranges, fallbacks."""

from __future__ import annotations

import pytest

from policies.types import Phone
from tests.policies.builders import (
    BOISE,
    CN,
    KR,
    NYC,
    SATELLITE,
    at,
    codes,
    decide,
    make_case,
    make_request,
    refs,
)


@pytest.mark.parametrize(
    ("pack", "number", "now", "allowed"),
    [
        # America/New_York on 2026-11-24 is UTC-5.
        pytest.param("us-regf", NYC, "2026-11-24T12:59:59Z", False, id="us-regf-window-0759"),
        pytest.param("us-regf", NYC, "2026-11-24T13:00:00Z", True, id="us-regf-window-0800"),
        pytest.param("us-regf", NYC, "2026-11-25T01:59:59Z", True, id="us-regf-window-2059"),
        pytest.param("us-regf", NYC, "2026-11-25T02:00:00Z", False, id="us-regf-window-2100"),
        pytest.param("us-regf", NYC, "2026-11-24T12:59:59.999999Z", False, id="us-regf-window-0759-micro"),
        # Asia/Shanghai is UTC+8 all year.
        pytest.param("cn-gbt45251", CN, "2026-11-23T23:59:59Z", False, id="cn-window-0759"),
        pytest.param("cn-gbt45251", CN, "2026-11-24T00:00:00Z", True, id="cn-window-0800"),
        pytest.param("cn-gbt45251", CN, "2026-11-24T13:59:59Z", True, id="cn-window-2159"),
        pytest.param("cn-gbt45251", CN, "2026-11-24T14:00:00Z", False, id="cn-window-2200"),
        # Asia/Seoul is UTC+9.
        pytest.param("kr-fdca", KR, "2026-11-23T22:59:59Z", False, id="kr-window-0759"),
        pytest.param("kr-fdca", KR, "2026-11-23T23:00:00Z", True, id="kr-window-0800"),
        pytest.param("kr-fdca", KR, "2026-11-24T11:59:59Z", True, id="kr-window-2059"),
        pytest.param("kr-fdca", KR, "2026-11-24T12:00:00Z", False, id="kr-window-2100"),
    ],
)
def test_window_edges(pack: str, number: str, now: str, allowed: bool) -> None:
    case = make_case(phones=[Phone(number)], overdue_days=30)
    d = decide(now, packs=[pack], case=case, request=make_request(number))
    assert d.allowed is allowed, d.reasons
    if not allowed:
        assert codes(d) == ["outside_window"]
        assert d.reasons[0].rule == f"{pack}/window"
        assert d.next_allowed_at is not None
        assert d.next_allowed_at == d.reasons[0].lifts_at


@pytest.mark.parametrize(
    ("now", "allowed", "next_allowed"),
    [
        # Boise is UTC-7, Los Angeles UTC-8 in November: 08:00 in LA is 16:00Z.
        pytest.param("2026-11-28T15:30:00Z", False, "2026-11-28T16:00:00Z", id="boise-0830-la-0730"),
        pytest.param("2026-11-28T15:59:59Z", False, "2026-11-28T16:00:00Z", id="la-0759"),
        pytest.param("2026-11-28T16:00:00Z", True, None, id="la-0800"),
        # 21:00 in Boise is 04:00Z: already 21:00 in one zone → outside.
        pytest.param("2026-11-29T03:59:59Z", True, None, id="boise-2059"),
        pytest.param("2026-11-29T04:00:00Z", False, "2026-11-29T16:00:00Z", id="boise-2100"),
    ],
)
def test_two_zone_number_must_be_inside_in_every_zone(
    now: str, allowed: bool, next_allowed: str | None
) -> None:
    d = decide(now, case=make_case(phones=[Phone(BOISE)]), request=make_request(BOISE))
    # The prefix's zones and, since us-regf@2, the whole 208 area code's (Denver's rules are Boise's).
    assert [lt.zone for lt in d.local_times] == ["America/Boise", "America/Los_Angeles", "America/Denver"]
    assert d.allowed is allowed
    assert d.next_allowed_at == (at(next_allowed) if next_allowed else None)


@pytest.mark.parametrize(
    ("now", "allowed", "next_allowed"),
    [
        # DST starts Sun 2026-03-08 02:00 EST → 03:00 EDT (UTC-4 from then on).
        pytest.param("2026-03-08T11:59:59Z", False, "2026-03-08T12:00:00Z", id="dst-start-0759-edt"),
        pytest.param("2026-03-08T12:00:00Z", True, None, id="dst-start-0800-edt"),
        pytest.param("2026-03-08T06:30:00Z", False, "2026-03-08T12:00:00Z", id="dst-start-0130-est"),
        pytest.param("2026-03-08T07:30:00Z", False, "2026-03-08T12:00:00Z", id="dst-start-0330-edt"),
        pytest.param("2026-03-07T13:00:00Z", True, None, id="day-before-0800-est"),
        pytest.param("2026-03-09T00:59:59Z", True, None, id="dst-start-2059-edt"),
        pytest.param("2026-03-09T01:00:00Z", False, "2026-03-09T12:00:00Z", id="dst-start-2100-edt"),
        # DST ends Sun 2026-11-01 02:00 EDT → 01:00 EST (UTC-5 from then on).
        pytest.param("2026-11-01T12:59:59Z", False, "2026-11-01T13:00:00Z", id="dst-end-0759-est"),
        pytest.param("2026-11-01T13:00:00Z", True, None, id="dst-end-0800-est"),
        pytest.param("2026-11-01T05:30:00Z", False, "2026-11-01T13:00:00Z", id="dst-end-0130-edt"),
        pytest.param("2026-11-01T06:30:00Z", False, "2026-11-01T13:00:00Z", id="dst-end-0130-est"),
        pytest.param("2026-11-02T01:59:59Z", True, None, id="dst-end-2059-est"),
        pytest.param("2026-11-02T02:00:00Z", False, "2026-11-02T13:00:00Z", id="dst-end-2100-est"),
        pytest.param("2026-11-01T01:30:00Z", False, "2026-11-01T13:00:00Z", id="eve-2130-edt-to-0800-est"),
    ],
)
def test_dst_days_in_new_york(now: str, allowed: bool, next_allowed: str | None) -> None:
    d = decide(now)
    assert d.allowed is allowed, d.reasons
    assert d.next_allowed_at == (at(next_allowed) if next_allowed else None)
    assert d.local_times[0].zone == "America/New_York"


def test_debtor_address_zone_is_a_candidate_too() -> None:
    case = make_case(debtor_timezone="America/Los_Angeles")
    # 08:30 in New York, 05:30 in Los Angeles.
    d = decide("2026-11-24T13:30:00Z", case=case)
    assert [lt.zone for lt in d.local_times] == ["America/New_York", "America/Los_Angeles"]
    assert codes(d) == ["outside_window"]
    assert "05:30 in America/Los_Angeles" in d.reasons[0].message
    assert d.next_allowed_at == at("2026-11-24T16:00:00Z")


def test_explicit_phone_zone_replaces_the_number_zones() -> None:
    case = make_case(phones=[Phone(BOISE, timezone="America/Boise")])
    d = decide("2026-11-28T15:30:00Z", case=case, request=make_request(BOISE))
    assert [lt.zone for lt in d.local_times] == ["America/Boise"]
    assert d.allowed


def test_unknown_zone_fails_closed_unless_the_pack_has_a_fallback() -> None:
    case = make_case(phones=[Phone(SATELLITE)])
    d = decide("2026-11-24T13:30:00Z", case=case, request=make_request(SATELLITE))
    assert codes(d) == ["timezone_unknown"]
    assert d.reasons[0].rule == "us-regf/timezone"
    assert d.next_allowed_at is None
    assert d.local_times == ()

    # kr-fdca falls back to Asia/Seoul: 13:30Z is 22:30 in Seoul.
    d = decide("2026-11-24T13:30:00Z", packs=["kr-fdca"], case=case, request=make_request(SATELLITE))
    assert [lt.zone for lt in d.local_times] == ["Asia/Seoul"]
    assert codes(d) == ["outside_window"]
    d = decide("2026-11-24T03:30:00Z", packs=["kr-fdca"], case=case, request=make_request(SATELLITE))
    assert d.allowed


def test_an_explicit_zone_rescues_an_unknown_number() -> None:
    case = make_case(phones=[Phone(SATELLITE, timezone="America/Chicago")])
    d = decide("2026-11-24T15:00:00Z", case=case, request=make_request(SATELLITE))
    assert d.allowed
    assert [lt.zone for lt in d.local_times] == ["America/Chicago"]


@pytest.mark.parametrize(
    ("kind", "now", "expected"),
    [
        # 07:45 in Los Angeles: us-wa allows home/mobile from 07:30, us-regf only from 08:00.
        pytest.param("landline", "2026-11-24T15:45:00Z", ["us-regf/window"], id="wa-home-0745"),
        pytest.param(
            "mobile", "2026-11-24T15:29:59Z", ["us-regf/window", "us-wa/window"], id="wa-mobile-0729"
        ),
        # us-wa's window is for home/mobile numbers only; work numbers get us-regf's.
        pytest.param("work", "2026-11-24T15:29:59Z", ["us-regf/window"], id="wa-work-0729"),
        pytest.param(
            "landline", "2026-11-25T05:00:00Z", ["us-regf/window", "us-wa/window"], id="wa-home-2100"
        ),
        pytest.param("landline", "2026-11-24T16:00:00Z", [], id="wa-home-0800"),
    ],
)
def test_per_kind_windows_and_strictest_merge(kind: str, now: str, expected: list[str]) -> None:
    from tests.policies.builders import LA

    case = make_case(phones=[Phone(LA, kind)])  # type: ignore[arg-type]
    d = decide(now, packs=["us-regf", "us-wa"], case=case, request=make_request(LA))
    assert [r.rule for r in d.reasons] == expected
    assert refs(d) == ("us-regf@2", "us-wa@3")


def test_sms_is_held_to_the_window_too() -> None:
    d = decide("2026-11-24T12:00:00Z", request=make_request(channel="sms", body=None))
    assert codes(d) == ["outside_window"]
