"""Reg F cool-off: 7 days after a conversation, the conversation's local day being day 1."""

from __future__ import annotations

from typing import Any

import pytest

from policies.types import Attempt, Phone
from tests.policies.builders import BOISE, NYC, at, attempt, codes, decide, make_case, make_request


def conversation(when: str, **kw: Any) -> Attempt:
    fields: dict[str, Any] = {"result": "connected", "spoke_with": "debtor"}
    fields.update(kw)
    return attempt(when, **fields)


@pytest.mark.parametrize(
    ("history", "lifts"),
    [
        # 20:30 EST Tue 17 Nov: day 1 = 17th, days 1..7 = 17..23, calls again from 00:00 EST Tue 24.
        pytest.param([conversation("2026-11-18T01:30:00Z")], "2026-11-24T05:00:00Z", id="cooloff-evening"),
        # 23:30 EST Tue 17 Nov (already the 18th in UTC): still day 1 = 17th.
        pytest.param([conversation("2026-11-18T04:30:00Z")], "2026-11-24T05:00:00Z", id="cooloff-2330-local"),
        # 00:30 EST Wed 18 Nov: day 1 = 18th → from 00:00 EST Wed 25.
        pytest.param([conversation("2026-11-18T05:30:00Z")], "2026-11-25T05:00:00Z", id="cooloff-0030-local"),
        # The conversation's own start (started_at) decides its day, not when the call was placed.
        pytest.param(
            [conversation("2026-11-18T04:50:00Z", started_at=at("2026-11-18T05:10:00Z"))],
            "2026-11-25T05:00:00Z",
            id="cooloff-started-after-midnight",
        ),
        pytest.param([conversation("2026-11-18T05:30:00Z", result="no_answer")], None, id="no-conversation"),
        pytest.param(
            [conversation("2026-11-18T05:30:00Z", spoke_with="third_party")], None, id="spoke-with-other"
        ),
        pytest.param(
            [conversation("2026-11-18T05:30:00Z", result=None, spoke_with=None)], None, id="pending"
        ),
        pytest.param([conversation("2026-11-18T05:30:00Z", case_id="c2")], None, id="other-debt"),
        pytest.param(
            [conversation("2026-11-18T05:30:00Z", agency_id="a2")], "2026-11-25T05:00:00Z", id="other-agency"
        ),
        pytest.param(
            [conversation("2026-11-18T05:30:00Z", to="+16175550199")],
            "2026-11-25T05:00:00Z",
            id="other-number",
        ),
        # Found by a probe: the debtor answering a relative's phone is a telephone conversation
        # with the debtor (1006.14(b)(2)(i)(B) counts it whichever number the call reached) ...
        pytest.param(
            [conversation("2026-11-18T05:30:00Z", party="third_party", contact_id="k1", to="+16175550177")],
            "2026-11-25T05:00:00Z",
            id="debtor-answered-a-relatives-phone",
        ),
        # ... and a text exchange reported as `connected` is not a telephone conversation.
        pytest.param(
            [conversation("2026-11-18T05:30:00Z", channel="sms")], None, id="sms-is-no-conversation"
        ),
    ],
)
def test_cooloff_day_counting(history: list[Attempt], lifts: str | None) -> None:
    # Evaluate on Mon 23 Nov 20:59 EST (inside the window) and Tue 24 Nov 08:00 EST.
    case = make_case(phones=[Phone(NYC), Phone("+16175550199")])
    d = decide("2026-11-24T01:59:00Z", case=case, history=history)
    if lifts is None:
        assert d.allowed, d.reasons
        return
    assert codes(d) == ["cooloff_after_conversation"]
    assert d.reasons[0].rule == "us-regf/after_conversation"
    assert d.reasons[0].lifts_at == at(lifts)
    # Calls resume at 08:00 local on the day the cool-off ends.
    day = at(lifts).date().isoformat()
    assert d.next_allowed_at == at(f"{day}T13:00:00Z")
    assert decide(at(lifts), case=case, history=history).reasons[0].code == "outside_window"
    assert decide(d.next_allowed_at, case=case, history=history).allowed


def test_cooloff_is_for_calls_only_in_regf() -> None:
    d = decide(
        "2026-11-20T15:00:00Z",
        request=make_request(channel="sms"),
        history=[conversation("2026-11-19T15:00:00Z")],
    )
    assert d.allowed


def test_cooloff_in_two_zones_ends_in_the_later_one() -> None:
    # 00:30 Sat 28 Nov in Boise is 23:30 Fri 27 Nov in Los Angeles: Boise's day 1 is later.
    case = make_case(phones=[Phone(BOISE)])
    history = [conversation("2026-11-28T07:30:00Z", to=BOISE)]
    d = decide("2026-12-01T18:00:00Z", case=case, request=make_request(BOISE), history=history)
    assert d.reasons[0].lifts_at == at("2026-12-05T07:00:00Z")  # 00:00 Sat 5 Dec in Boise
    assert d.next_allowed_at == at("2026-12-05T16:00:00Z")  # 08:00 in Los Angeles
