"""Frequency caps: Reg F 7-in-7 in local days, CN conversations vs unanswered, MA per kind,
rolling/calendar/ever windows, pending outcomes, pooling across agencies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest

from policies.types import Attempt, Phone
from tests.policies.builders import (
    BOISE,
    CN,
    NYC,
    at,
    attempt,
    codes,
    decide,
    make_case,
    make_request,
    pack_from_toml,
)

# Tue 2026-11-24 09:00 in New York (UTC-5). The 7 local days are Wed 18 .. Tue 24 November.
NOW = "2026-11-24T14:00:00Z"
SIX_DAYS = [f"2026-11-{d}T15:00:00Z" for d in (18, 19, 20, 21, 22, 23)]


def seven(results: Sequence[str | None] | None = None, **kw: Any) -> list[Attempt]:
    results = results or [None] * 7
    whens = [*SIX_DAYS, "2026-11-24T13:30:00Z"]
    return [attempt(w, result=r, **kw) for w, r in zip(whens, results, strict=True)]


@pytest.mark.parametrize(
    ("history", "allowed"),
    [
        pytest.param(seven()[:6], True, id="regf-6-in-7-allowed"),
        pytest.param(seven(), False, id="regf-7-in-7-denied"),
        pytest.param(
            seven(["no_answer"] * 6 + ["voicemail"]), False, id="regf-unanswered-and-voicemail-count"
        ),
        pytest.param(seven(["no_answer"] * 6 + ["busy"]), True, id="regf-busy-not-counted"),
        pytest.param(seven(["failed"] + ["no_answer"] * 6), True, id="regf-failed-not-counted"),
        pytest.param(seven(agency_id="a2"), False, id="regf-other-agency-same-case-counts"),
        pytest.param(seven(case_id="c2"), True, id="regf-other-debt-not-counted"),
        pytest.param(seven(channel="sms"), True, id="regf-sms-not-a-call"),
        pytest.param(seven(to="+16175550199"), False, id="regf-per-person-all-numbers"),
    ],
)
def test_regf_seven_in_seven(history: list[Attempt], allowed: bool) -> None:
    case = make_case(phones=[Phone(NYC), Phone("+16175550199")])
    d = decide(NOW, case=case, history=history)
    assert d.allowed is allowed, d.reasons
    if not allowed:
        (r,) = d.reasons
        assert (r.code, r.rule, r.max, r.window, r.used) == (
            "cap_exceeded",
            "us-regf/caps.calls-7-in-7-days",
            7,
            "local_days:7",
            7,
        )


def test_regf_counts_local_days_not_168_hours() -> None:
    # 23:30 EST on Tue 17 Nov is within 168 hours of now but on the 8th local day back: not counted.
    before = attempt("2026-11-18T04:30:00Z")
    d = decide(NOW, history=[before, *seven()[1:]])
    assert d.allowed
    # 00:30 EST on Wed 18 Nov is local day 1 of 7: counted; it leaves at local midnight of Wed 25.
    first = attempt("2026-11-18T05:30:00Z")
    d = decide(NOW, history=[first, *seven()[1:]])
    assert codes(d) == ["cap_exceeded"]
    assert d.reasons[0].lifts_at == at("2026-11-25T05:00:00Z")
    # ... and the window opens at 08:00 that day.
    assert d.next_allowed_at == at("2026-11-25T13:00:00Z")
    assert decide(d.next_allowed_at, history=[first, *seven()[1:]]).allowed


def test_next_allowed_needs_enough_attempts_to_leave() -> None:
    # 8 counted, two of them on Wed 18: leaving at midnight Wed 25 drops them (8 → 6 < 7).
    history = [
        attempt("2026-11-18T15:00:00Z"),
        attempt("2026-11-18T16:00:00Z"),
        attempt("2026-11-19T15:00:00Z"),
        *seven()[2:],
    ]
    d = decide(NOW, history=history)
    assert d.reasons[0].used == 8
    assert d.reasons[0].lifts_at == at("2026-11-25T05:00:00Z")
    # 9 counted, two on Wed 18 and two on Thu 19: after Wed 18 leaves 7 remain; lifts a day later.
    history.append(attempt("2026-11-19T16:00:00Z"))
    d = decide(NOW, history=history)
    assert d.reasons[0].used == 9
    assert d.reasons[0].lifts_at == at("2026-11-26T05:00:00Z")
    assert "cap_exceeded" in codes(decide("2026-11-26T04:59:59Z", history=history))


CN_NOW = "2026-11-24T06:00:00Z"  # 14:00 in Shanghai


def cn(when: str, result: str | None, spoke: str | None = None, to: str = CN, **kw: Any) -> Attempt:
    return attempt(when, to=to, result=result, spoke_with=spoke, **kw)


CN_MORNING = ["2026-11-24T01:00:00Z", "2026-11-24T02:00:00Z", "2026-11-24T03:00:00Z"]


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        pytest.param([cn(w, "connected", "debtor") for w in CN_MORNING[:2]], [], id="cn-2-conversations"),
        pytest.param(
            [cn(w, "connected", "debtor") for w in CN_MORNING],
            ["cn-gbt45251/caps.conversations-3-a-day"],
            id="cn-3-conversations",
        ),
        pytest.param(
            [cn(w, "connected", "debtor", agency_id="a2", case_id="c2") for w in CN_MORNING],
            ["cn-gbt45251/caps.conversations-3-a-day"],
            id="cn-conversations-pooled-across-agencies-and-cases",
        ),
        pytest.param(
            [cn(w, "connected", "third_party") for w in CN_MORNING],
            [],
            id="cn-third-party-answered-not-conversation",
        ),
        pytest.param(
            [cn(w, None) for w in CN_MORNING],
            ["cn-gbt45251/caps.conversations-3-a-day"],
            id="cn-pending-counts-as-conversation",
        ),
        # Found by a probe: the debtor answering a relative's phone is an effective call with the
        # debtor; a relative answering is not (the case above).
        pytest.param(
            [cn(w, "connected", "debtor") for w in CN_MORNING[:2]]
            + [
                cn(
                    CN_MORNING[2],
                    "connected",
                    "debtor",
                    to="+8613700137000",
                    party="third_party",
                    contact_id="k1",
                )
            ],
            ["cn-gbt45251/caps.conversations-3-a-day"],
            id="cn-debtor-answered-a-relatives-phone",
        ),
        pytest.param(
            [cn(f"2026-11-24T0{h}:00:00Z", "no_answer") for h in range(5)], [], id="cn-5-unanswered"
        ),
        pytest.param(
            [cn(f"2026-11-24T0{h}:00:00Z", "no_answer") for h in range(6)],
            ["cn-gbt45251/caps.unanswered-6-a-day-per-number"],
            id="cn-6-unanswered",
        ),
        pytest.param(
            [cn(f"2026-11-24T0{h}:00:00Z", r) for h, r in enumerate(["busy", "failed"] + ["no_answer"] * 4)],
            ["cn-gbt45251/caps.unanswered-6-a-day-per-number"],
            id="cn-busy-and-failed-are-unanswered-dials",
        ),
        pytest.param(
            [cn(f"2026-11-24T0{h}:00:00Z", "no_answer", to="+8613900139000") for h in range(6)],
            [],
            id="cn-unanswered-per-number",
        ),
        pytest.param(
            [
                cn(f"2026-11-24T0{h}:00:00Z", "no_answer", case_id="other", debtor_id="other")
                for h in range(6)
            ],
            ["cn-gbt45251/caps.unanswered-6-a-day-per-number"],
            id="cn-unanswered-same-number-other-debtor",
        ),
        pytest.param(
            [cn(w, "connected", "debtor") for w in CN_MORNING[:2]]
            + [cn(f"2026-11-24T0{h}:30:00Z", "no_answer") for h in range(5)],
            [],
            id="cn-2-conversations-5-unanswered",
        ),
        pytest.param(
            [cn(f"2026-11-23T{h}:00:00Z", "connected", "debtor") for h in (13, 14, 15)],
            [],
            id="cn-yesterday-local-does-not-count",
        ),
    ],
)
def test_cn_conversations_vs_unanswered(history: list[Attempt], expected: list[str]) -> None:
    case = make_case(packs=["cn-gbt45251"], phones=[Phone(CN), Phone("+8613900139000")])
    d = decide(CN_NOW, packs=["cn-gbt45251"], case=case, request=make_request(CN), history=history)
    assert [r.rule for r in d.reasons] == expected
    if expected:
        # A local-day cap lifts at the next local midnight (16:00Z); the window opens at 08:00 (00:00Z).
        assert d.reasons[0].lifts_at == at("2026-11-24T16:00:00Z")
        assert d.next_allowed_at == at("2026-11-25T00:00:00Z")


LOCAL_DAY_PACK = """
name = "test-local-day"
version = "1"
jurisdiction = "XX"
[[caps]]
id = "one-a-day"
scope = "debtor"
max = 1
window = "local_day"
citation = "test"
"""


@pytest.mark.parametrize(
    ("now", "allowed"),
    [
        # Prior attempt at 23:59 EST on Mon 23 Nov.
        pytest.param("2026-11-24T04:59:30Z", False, id="local-day-2359-30-denied"),
        pytest.param("2026-11-24T04:59:59.999999Z", False, id="local-day-last-microsecond-denied"),
        pytest.param("2026-11-24T05:00:00Z", True, id="local-day-midnight-allowed"),
    ],
)
def test_local_day_cap_resets_at_local_midnight(now: str, allowed: bool) -> None:
    pack = pack_from_toml(LOCAL_DAY_PACK)
    d = decide(now, packs=[pack], history=[attempt("2026-11-24T04:59:00Z")])
    assert d.allowed is allowed
    if not allowed:
        assert d.next_allowed_at == at("2026-11-24T05:00:00Z")


def test_calendar_cap_counts_an_attempt_inside_the_day_of_any_zone() -> None:
    # 00:30 Sat in Boise = 23:30 Fri in Los Angeles: inside Saturday in Boise, so it counts on Saturday.
    pack = pack_from_toml(LOCAL_DAY_PACK)
    case = make_case(phones=[Phone(BOISE)])
    history = [attempt("2026-11-28T07:30:00Z", to=BOISE)]
    d = decide("2026-11-28T17:00:00Z", packs=[pack], case=case, request=make_request(BOISE), history=history)
    assert codes(d) == ["cap_exceeded"]
    # It leaves Boise's Saturday at 07:00Z Sunday (Los Angeles' Friday ended long before).
    assert d.reasons[0].lifts_at == at("2026-11-29T07:00:00Z")


@pytest.mark.parametrize(
    ("window", "prior", "now", "lifts"),
    [
        pytest.param("24h", "2026-11-23T14:00:01Z", NOW, "2026-11-24T14:00:01Z", id="rolling-24h-inside"),
        pytest.param("24h", "2026-11-23T14:00:00Z", NOW, None, id="rolling-24h-exact-edge-excluded"),
        pytest.param("90m", "2026-11-24T13:00:00Z", NOW, "2026-11-24T14:30:00Z", id="rolling-90m"),
        # local_week: Mon 23 .. Sun 29 Nov in New York; an attempt on Mon 00:00 EST counts until Mon 30 00:00.
        pytest.param("local_week", "2026-11-23T05:00:00Z", NOW, "2026-11-30T05:00:00Z", id="local-week"),
        pytest.param("local_week", "2026-11-23T04:59:59Z", NOW, None, id="local-week-last-sunday"),
        pytest.param("local_days:3", "2026-11-22T05:00:00Z", NOW, "2026-11-25T05:00:00Z", id="local-days-3"),
        pytest.param("local_days:3", "2026-11-22T04:59:59Z", NOW, None, id="local-days-3-outside"),
    ],
)
def test_cap_window_spellings(window: str, prior: str, now: str, lifts: str | None) -> None:
    pack = pack_from_toml(LOCAL_DAY_PACK.replace('"local_day"', f'"{window}"'))
    d = decide(now, packs=[pack], history=[attempt(prior)])
    if lifts is None:
        assert d.allowed, d.reasons
    else:
        assert codes(d) == ["cap_exceeded"]
        assert d.reasons[0].window == window
        assert d.reasons[0].lifts_at == at(lifts)
        assert d.next_allowed_at == at(lifts)


def test_cap_of_zero_never_lifts() -> None:
    pack = pack_from_toml(LOCAL_DAY_PACK.replace("max = 1", "max = 0"))
    d = decide(NOW, packs=[pack])
    assert codes(d) == ["cap_exceeded"]
    assert d.reasons[0].lifts_at is None
    assert d.next_allowed_at is None


MA_NOW = "2026-11-24T15:00:00Z"  # 10:00 in Boston


@pytest.mark.parametrize(
    ("to", "prior", "expected"),
    [
        pytest.param(
            NYC,
            [(NYC, "2026-11-20T15:00:00Z"), ("+16175550111", "2026-11-21T15:00:00Z")],
            ["us-ma/caps.personal-numbers-2-in-7-days"],
            id="ma-2-personal-in-7",
        ),
        pytest.param(
            NYC,
            [(NYC, "2026-11-17T15:00:00Z"), (NYC, "2026-11-21T15:00:00Z")],
            [],
            id="ma-oldest-outside-7-days",
        ),
        pytest.param(
            NYC,
            [("+16175550122", "2026-11-20T15:00:00Z"), ("+16175550122", "2026-11-21T15:00:00Z")],
            [],
            id="ma-work-calls-not-counted-for-personal",
        ),
        pytest.param(
            "+16175550122",
            [("+16175550122", "2026-11-01T15:00:00Z"), ("+16175550122", "2026-11-21T15:00:00Z")],
            ["us-ma/caps.other-numbers-2-in-30-days"],
            id="ma-2-work-in-30",
        ),
        pytest.param(
            "+16175550122",
            [(NYC, "2026-11-20T15:00:00Z"), (NYC, "2026-11-21T15:00:00Z")],
            [],
            id="ma-personal-calls-not-counted-for-work",
        ),
    ],
)
def test_ma_caps_by_number_kind(to: str, prior: list[tuple[str, str]], expected: list[str]) -> None:
    case = make_case(
        packs=["us-regf", "us-ma"],
        phones=[Phone(NYC, "mobile"), Phone("+16175550111", "landline"), Phone("+16175550122", "work")],
    )
    history = [
        attempt(w, to=n, result="no_answer", channel="sms" if i else "call") for i, (n, w) in enumerate(prior)
    ]
    d = decide(MA_NOW, packs=["us-regf", "us-ma"], case=case, request=make_request(to), history=history)
    assert [r.rule for r in d.reasons] == expected


def test_caps_ignore_history_older_than_the_horizon() -> None:
    history = [attempt(at(NOW) - timedelta(days=40 + i)) for i in range(50)]
    assert decide(NOW, history=history).allowed
