"""Several packs: all apply, every violated rule is reported, the latest lift wins."""

from __future__ import annotations

from datetime import date

import pytest

from policies.types import Attempt, Phone
from tests.policies.builders import LA, NYC, at, attempt, decide, make_case, make_request, refs

PACKS = ["us-regf", "us-ma", "us-wa"]


def history() -> list[Attempt]:
    # Three calls this week on the case (no_answer): over MA's 2/7 and WA's 3/7.
    return [attempt(f"2026-11-2{d}T17:00:00Z", to=LA, result="no_answer") for d in (1, 2, 3)]


def test_strictest_merge_reports_every_rule() -> None:
    case = make_case(packs=PACKS, phones=[Phone(LA, "landline")])
    # Tue 24 Nov 07:45 in Los Angeles: outside us-regf's and us-ma's windows (08:00), inside us-wa's
    # (07:30). us-ma@2 has hours of its own (209 CMR 18.16(1)(a)).
    d = decide("2026-11-24T15:45:00Z", packs=PACKS, case=case, request=make_request(LA), history=history())
    assert refs(d) == ("us-regf@2", "us-ma@2", "us-wa@3")
    assert [(r.code, r.rule) for r in d.reasons] == [
        ("outside_window", "us-regf/window"),
        ("outside_window", "us-ma/window"),
        ("cap_exceeded", "us-ma/caps.personal-numbers-2-in-7-days"),
        ("cap_exceeded", "us-wa/caps.communications-3-a-week"),
    ]
    ma, wa = d.reasons[2], d.reasons[3]
    assert (ma.max, ma.used, ma.window) == (2, 3, "local_days:7")
    assert (wa.max, wa.used, wa.window) == (3, 3, "local_days:7")
    # MA needs two of the three to leave (Sun 22 ends at 08:00Z Sun 29); WA one (Sat 21 → 08:00Z Sat 28).
    assert wa.lifts_at == at("2026-11-28T08:00:00Z")
    assert ma.lifts_at == at("2026-11-29T08:00:00Z")
    # The request passes every rule at 08:00 local on Sun 29 (16:00Z), not before.
    assert d.next_allowed_at == at("2026-11-29T16:00:00Z")
    later = decide(d.next_allowed_at, packs=PACKS, case=case, request=make_request(LA), history=history())
    assert later.allowed
    just_before = decide(
        at("2026-11-29T15:59:59Z"), packs=PACKS, case=case, request=make_request(LA), history=history()
    )
    assert [r.rule for r in just_before.reasons] == ["us-regf/window", "us-ma/window"]


def test_one_pack_alone_is_less_strict() -> None:
    case = make_case(packs=["us-regf"], phones=[Phone(LA, "landline")])
    d = decide("2026-11-24T17:00:00Z", case=case, request=make_request(LA), history=history())
    assert d.allowed


@pytest.mark.parametrize(
    ("packs", "facts", "dates", "unapplied"),
    [
        pytest.param(
            ("us-regf",),
            {},
            {"collection_suspended_until": date(2026, 12, 20)},
            ["collection_suspended_until"],
            id="us-suspension",
        ),
        pytest.param(
            ("kr-fdca",),
            {},
            {"collection_suspended_until": date(2026, 12, 20)},
            [],
            id="kr-suspension-applied",
        ),
        pytest.param(
            ("cn-gbt45251",),
            {"attorney_represented": True, "deceased": True},
            {},
            ["attorney_represented", "deceased"],
            id="cn-attorney-deceased",
        ),
        pytest.param(
            ("us-regf", "cn-gbt45251"), {"attorney_represented": True}, {}, [], id="one-pack-applies-it"
        ),
        pytest.param(("cn-gbt45251",), {"time_barred": True}, {}, ["time_barred"], id="cn-time-barred"),
        pytest.param(("cn-gbt45251",), {"attorney_represented": False}, {}, [], id="false-is-not-set"),
        pytest.param(
            ("kr-fdca",),
            {},
            {"bankruptcy_filed_at": date(2026, 11, 1)},
            ["bankruptcy_filed_at"],
            id="kr-filing-alone",
        ),
        pytest.param(("kr-fdca",), {"bankruptcy_discharged": True}, {}, [], id="kr-discharge-applied"),
    ],
)
def test_a_fact_no_pack_applies_is_a_note_not_silence(
    packs: tuple[str, ...], facts: dict[str, bool], dates: dict[str, date], unapplied: list[str]
) -> None:
    """Found by a regulatory probe: a suspension entered on a us-regf case held nothing and said
    nothing; the dialer must be told the fact did not hold the contact."""
    to = "+8613800138000" if packs[0] == "cn-gbt45251" else "+821012345678" if packs[0] == "kr-fdca" else NYC
    case = make_case(packs=packs, phones=[Phone(to, "mobile")], facts=facts, fact_dates=dates)
    d = decide("2026-11-24T03:00:00Z", packs=list(packs), case=case, request=make_request(to))
    said = [n.message.split()[0] for n in d.notes if n.code == "fact_not_applied"]
    assert said == [f"facts.{f}" for f in unapplied]
