"""Property tests: allowed means inside every window in every candidate zone; next_allowed_at is
exactly the first instant at which the same request passes every rule."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import policies
from policies.pack import Pack
from policies.reasons import TIME_CODES
from policies.types import Attempt, BlockedWindow, Case, ContactRequest, Decision, Phone, Preferences
from tests.policies.builders import BOISE, CN, KR, LA, NYC, make_case, make_request, pack_from_toml

HOLIDAY_PACK = pack_from_toml(
    """
name = "test-us-holidays"
version = "1"
jurisdiction = "US"
[holidays]
country = "US"
citation = "test"
[[caps]]
id = "two-a-day"
scope = "number"
max = 2
window = "local_day"
citation = "test"
"""
)

US_NUMBERS = [NYC, BOISE, LA, "+18085550100", "+19075550100"]  # NY, ID/CA, HI, AK
SCENARIOS: list[tuple[tuple[str | Pack, ...], list[str], list[str | None]]] = [
    (("us-regf",), US_NUMBERS, [None, "America/Chicago"]),
    (("us-regf", "us-ma"), US_NUMBERS, [None, "America/New_York"]),
    (("us-regf", "us-wa"), US_NUMBERS, [None, "America/Los_Angeles"]),
    (("us-regf", "us-ma", "us-wa", HOLIDAY_PACK), US_NUMBERS, [None, "America/Denver"]),
    (("cn-gbt45251",), [CN], [None]),
    (("kr-fdca",), [KR], [None, "Asia/Seoul"]),
]
RESULTS = [None, "no_answer", "busy", "failed", "voicemail", "connected"]


@st.composite
def inputs(draw: st.DrawFn) -> tuple[ContactRequest, Case, list[Attempt], tuple[Pack, ...], datetime]:
    names, numbers, addresses = draw(st.sampled_from(SCENARIOS))
    packs = tuple(p if isinstance(p, Pack) else policies.load_packs([p])[0] for p in names)
    number = draw(st.sampled_from(numbers))
    other = number[:-1] + ("1" if number[-1] != "1" else "2")
    kind = draw(st.sampled_from(["mobile", "landline", "work"]))
    blocked: tuple[BlockedWindow, ...] = ()
    if draw(st.booleans()):
        start = draw(st.integers(0, 23))
        end = draw(st.integers(0, 23))
        days = tuple(sorted(draw(st.sets(st.integers(1, 7), min_size=1))))
        blocked = (BlockedWindow(days, time(start), time(end)),)
    case = make_case(
        packs=[p.name for p in packs],
        phones=[Phone(number, kind), Phone(other, "mobile")],  # type: ignore[arg-type]
        debtor_timezone=draw(st.sampled_from(addresses)),
        preferences=Preferences(blocked_windows=blocked),
        overdue_days=30,
    )
    now = draw(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31))).replace(
        tzinfo=UTC
    )
    history = []
    for i in range(draw(st.integers(0, 14))):
        result = draw(st.sampled_from(RESULTS))
        history.append(
            Attempt(
                attempt_id=f"h{i}",
                case_id=draw(st.sampled_from(["c1", "c1", "c2"])),
                debtor_id="d1",
                agency_id=draw(st.sampled_from(["a1", "a2"])),
                at=now - timedelta(seconds=draw(st.integers(1, 35 * 86400))),
                channel=draw(st.sampled_from(["call", "call", "sms"])),
                to=draw(st.sampled_from([number, number, other])),
                result=result,  # type: ignore[arg-type]
                spoke_with=draw(st.sampled_from(["debtor", "none"])) if result == "connected" else None,
            )
        )
    request = make_request(number, draw(st.sampled_from(["call", "sms"])))
    return request, case, history, packs, now


def _inside(pack: Pack, kind: str, channel: str, local: datetime) -> bool:
    assert pack.window is not None
    sec = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
    return any(
        local.isoweekday() in r.days and r.start <= sec < r.end
        for r in pack.window.ranges
        if r.applies(kind, channel)
    )


def _blocked(case: Case, local: datetime) -> bool:
    for w in case.preferences.blocked_windows:
        start = w.start.hour * 3600
        end = w.end.hour * 3600 or (86400 if w.start == w.end else 0)
        if w.start == w.end:
            start, end = 0, 86400
        sec = local.hour * 3600 + local.minute * 60 + local.second
        wd = local.isoweekday()
        prev = 7 if wd == 1 else wd - 1
        if start < end and wd in w.days and start <= sec < end:
            return True
        if start > end and ((wd in w.days and sec >= start) or (prev in w.days and sec < end)):
            return True
    return False


def _evaluate(
    request: ContactRequest, case: Case, history: list[Attempt], packs: tuple[Pack, ...], now: datetime
) -> Decision:
    return policies.evaluate(request, case, history, packs, now)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inputs())
def test_allowed_is_inside_every_window_in_every_candidate_zone(
    data: tuple[ContactRequest, Case, list[Attempt], tuple[Pack, ...], datetime],
) -> None:
    request, case, history, packs, now = data
    d = _evaluate(request, case, history, packs, now)
    assert d.local_times, "every scenario has a known zone"
    if not d.allowed:
        return
    phone = next(p for p in case.phones if p.number == request.to)
    for lt in d.local_times:
        local = now.astimezone(ZoneInfo(lt.zone))
        assert lt.at == local
        for pack in packs:
            if pack.window is not None and any(
                r.applies(phone.kind, request.channel) for r in pack.window.ranges
            ):
                assert _inside(pack, phone.kind, request.channel, local), (pack.name, lt)
        assert not _blocked(case, local)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inputs())
def test_next_allowed_at_is_the_first_instant_that_passes(
    data: tuple[ContactRequest, Case, list[Attempt], tuple[Pack, ...], datetime],
) -> None:
    request, case, history, packs, now = data
    d = _evaluate(request, case, history, packs, now)
    event("allowed" if d.allowed else "denied, next_allowed_at " + ("set" if d.next_allowed_at else "None"))
    if d.allowed:
        assert d.next_allowed_at is None
        return
    only_time = all(r.code in TIME_CODES and r.lifts_at is not None for r in d.reasons)
    for r in d.reasons:
        if r.lifts_at is not None:
            assert r.lifts_at > now
            # Each reason is gone at its own lifts_at (other rules may still object).
            later = _evaluate(request, case, history, packs, r.lifts_at)
            assert r.rule not in [x.rule for x in later.reasons], (r, later.reasons)
    if d.next_allowed_at is None:
        # Only when something time cannot lift applies, or nothing passes within the search bound.
        assert not only_time or all(r.lifts_at for r in d.reasons)
        return
    assert only_time
    assert d.next_allowed_at >= max(r.lifts_at for r in d.reasons if r.lifts_at)
    at_next = _evaluate(request, case, history, packs, d.next_allowed_at)
    assert at_next.allowed, at_next.reasons
    # ... and it is the first such instant: a microsecond earlier something still objects.
    before = _evaluate(request, case, history, packs, d.next_allowed_at - timedelta(microseconds=1))
    assert not before.allowed


# --- every zone of every number and address on the case (issue 11) -----------------------------

CASE_NUMBERS = [
    "+12125550123",  # New York
    "+13035550100",  # Denver
    "+18506811234",  # Tallahassee, a prefix phonenumbers puts in Chicago; area code 850 spans both
    "+18123321234",  # Bloomington IN (Eastern); area code 812 reaches Central too
    "+18124221234",  # Evansville IN (Central)
    BOISE,
    LA,
    "+16025550100",  # Phoenix (no DST)
    "+19075550100",  # Alaska
    "+18085550100",  # Hawaii
]
CASE_PACKS = [("us-regf",), ("us-regf", "us-ma"), ("us-regf", "us-wa"), ("us-nyc",), ("us-ma",)]
STATES = [None, "FL", "IN", "TX", "AZ", "NY", "AK"]


def _oracle_zones(case: Case) -> set[str]:
    """Every zone a number or address on the case may be in, worked out independently of
    policies.candidates: each phone's own zone, else its prefix's zones and all of its NANP area
    code's; the debtor's zone; the address state's zones."""
    import phonenumbers
    from phonenumbers.timezone import time_zones_for_number
    from phonenumbers.tzdata import TIMEZONE_DATA

    from policies.regions import US_STATE_ZONES

    zones: set[str] = set()
    for phone in case.phones:
        if phone.timezone:
            zones.add(phone.timezone)
            continue
        zones.update(time_zones_for_number(phonenumbers.parse(phone.number)))
        area = "1" + phone.number[2:5]
        for prefix, names in TIMEZONE_DATA.items():
            if prefix.startswith(area):
                zones.update(names)
    if case.debtor_timezone:
        zones.add(case.debtor_timezone)
    if case.address is not None and case.address.state:
        zones.update(US_STATE_ZONES[case.address.state])
    return zones - {"Etc/Unknown"}


@st.composite
def whole_cases(draw: st.DrawFn) -> tuple[ContactRequest, Case, tuple[Pack, ...], datetime]:
    from policies.types import Address

    names = draw(st.sampled_from(CASE_PACKS))
    packs = policies.load_packs(names)
    numbers = draw(st.lists(st.sampled_from(CASE_NUMBERS), min_size=1, max_size=3, unique=True))
    phones = []
    for number in numbers:
        explicit = draw(st.sampled_from([None, None, None, "America/Chicago", "America/Los_Angeles"]))
        phones.append(Phone(number, draw(st.sampled_from(["mobile", "landline", "work"])), explicit))  # type: ignore[arg-type]
    state = draw(st.sampled_from(STATES))
    case = make_case(
        packs=[p.name for p in packs],
        phones=phones,
        debtor_timezone=draw(st.sampled_from([None, None, "America/New_York", "America/Denver"])),
        address=Address(state=state) if state else None,
    )
    now = draw(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31))).replace(
        tzinfo=UTC
    )
    channel = draw(st.sampled_from(["call", "sms"]))
    body = "Please call us back. Reply STOP to opt out" if channel == "sms" else None
    request = make_request(draw(st.sampled_from(numbers)), channel, body=body)
    return request, case, packs, now


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(whole_cases())
def test_allowed_is_inside_the_window_in_every_zone_of_every_number_and_address_on_the_case(
    data: tuple[ContactRequest, Case, tuple[Pack, ...], datetime],
) -> None:
    request, case, packs, now = data
    d = _evaluate(request, case, [], packs, now)
    event("allowed" if d.allowed else "denied")
    oracle = _oracle_zones(case)
    listed = {lt.zone for lt in d.local_times}
    assert oracle <= listed, oracle - listed  # every such zone is a candidate, with its reasons
    assert all(lt.why for lt in d.local_times)
    if not d.allowed:
        return
    phone = next(p for p in case.phones if p.number == request.to)
    for zone_name in oracle:
        local = now.astimezone(ZoneInfo(zone_name))
        for pack in packs:
            if pack.window is not None and any(
                r.applies(phone.kind, request.channel) for r in pack.window.ranges
            ):
                assert _inside(pack, phone.kind, request.channel, local), (pack.name, zone_name, local)
