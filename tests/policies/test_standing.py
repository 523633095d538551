"""Cease, case status, agency status and contract, assignment, overdue days, missing packs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

import policies
from policies.types import Agency, Case, Cease, Phone
from tests.policies.builders import CN, NYC, at, decide, make_case, make_request

NOW = "2026-11-24T15:00:00Z"  # Tue 10:00 in New York

NYC_2 = "+16175550177"  # Boston: America/New_York too


@pytest.mark.parametrize(
    ("case_kw", "request_kw", "expected"),
    [
        pytest.param({}, {}, [], id="baseline-allowed"),
        pytest.param(
            {"ceases": (Cease(frozenset({"call", "sms"}), at("2026-11-20T00:00:00Z")),)},
            {},
            [("ceased", "callwarden/cease")],
            id="ceased-all-channels",
        ),
        pytest.param(
            {"ceases": (Cease(frozenset({"call"}), at("2026-11-20T00:00:00Z")),)},
            {},
            [("ceased", "callwarden/cease")],
            id="ceased-calls",
        ),
        pytest.param(
            {"ceases": (Cease(frozenset({"call"}), at("2026-11-20T00:00:00Z")),)},
            {"channel": "sms", "body": "Reply STOP to opt out"},
            [],
            id="ceased-calls-sms-ok",
        ),
        pytest.param(
            {
                "ceases": (
                    Cease(frozenset({"sms"}), at("2026-11-20T00:00:00Z")),
                    Cease(frozenset({"sms"}), at("2026-11-21T00:00:00Z")),
                )
            },
            {"channel": "sms", "body": "Reply STOP to opt out"},
            [("ceased", "callwarden/cease")],
            id="ceased-sms-reported-once",
        ),
        pytest.param(
            {"ceases": (Cease(frozenset({"sms"}), at("2026-11-20T00:00:00Z"), number=NYC),)},
            {"channel": "sms", "body": "Reply STOP to opt out"},
            [("ceased", "callwarden/cease")],
            id="ceased-sms-this-number",
        ),
        pytest.param(
            {
                # A second New York number: the row is about the cease, not about zones.
                "phones": (Phone(NYC, "mobile"), Phone(NYC_2, "mobile")),
                "ceases": (Cease(frozenset({"sms"}), at("2026-11-20T00:00:00Z"), number=NYC_2),),
            },
            {"channel": "sms", "body": "Reply STOP to opt out"},
            [],
            id="ceased-sms-other-number-ok",
        ),
        pytest.param(
            {"ceases": (Cease(frozenset({"sms"}), at("2026-11-20T00:00:00Z"), number=NYC),)},
            {},
            [],
            id="ceased-sms-number-calls-ok",
        ),
        pytest.param(
            {"status": "closed"}, {}, [("case_inactive", "callwarden/case_status")], id="case-closed"
        ),
        pytest.param(
            {"status": "disputed"}, {}, [("case_inactive", "callwarden/case_status")], id="case-disputed"
        ),
        pytest.param(
            {"agency": Agency("a1", "suspended")},
            {},
            [("agency_inactive", "callwarden/agency")],
            id="agency-suspended",
        ),
        pytest.param(
            {"agency": Agency("a1", "terminated")},
            {},
            [("agency_inactive", "callwarden/agency")],
            id="agency-terminated",
        ),
        pytest.param(
            {"agency": Agency("a1", contract_end=date(2026, 11, 23))},
            {},
            [("agency_inactive", "callwarden/agency.contract")],
            id="contract-ended-yesterday",
        ),
        pytest.param(
            {"agency": Agency("a1", contract_end=date(2026, 11, 24))}, {}, [], id="contract-ends-today"
        ),
        pytest.param(
            {"agency": Agency("a1", contract_start=date(2026, 11, 25))},
            {},
            [("agency_inactive", "callwarden/agency.contract")],
            id="contract-starts-tomorrow",
        ),
        pytest.param(
            {"agency": Agency("a1", contract_start=date(2026, 11, 24))}, {}, [], id="contract-starts-today"
        ),
        pytest.param(
            {}, {"agency_id": "a2"}, [("case_not_assigned", "callwarden/assignment")], id="other-agency"
        ),
        pytest.param(
            {"assigned_from": at("2026-11-24T15:00:01Z")},
            {},
            [("case_not_assigned", "callwarden/assignment.period")],
            id="assignment-not-started",
        ),
        pytest.param({"assigned_from": at(NOW)}, {}, [], id="assignment-starts-now"),
        pytest.param(
            {"assigned_until": at(NOW)},
            {},
            [("case_not_assigned", "callwarden/assignment.period")],
            id="assignment-ends-now",
        ),
        pytest.param({"assigned_until": at("2026-11-24T15:00:01Z")}, {}, [], id="assignment-ends-later"),
    ],
)
def test_standing(
    case_kw: dict[str, Any], request_kw: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    d = decide(NOW, case=make_case(**case_kw), request=make_request(**request_kw))
    assert [(r.code, r.rule) for r in d.reasons] == expected
    assert d.allowed is (not expected)
    if expected:
        assert d.next_allowed_at is None


@pytest.mark.parametrize(
    ("overdue", "allowed"),
    [pytest.param(10, False, id="cn-overdue-10"), pytest.param(11, True, id="cn-overdue-11")],
)
def test_minimum_overdue_days(overdue: int, allowed: bool) -> None:
    case = make_case(phones=[Phone(CN)], overdue_days=overdue)
    d = decide("2026-11-24T06:00:00Z", packs=["cn-gbt45251"], case=case, request=make_request(CN))
    assert d.allowed is allowed
    if not allowed:
        assert [(r.code, r.rule) for r in d.reasons] == [("overdue_too_short", "cn-gbt45251/assignment")]


def test_missing_pack_is_policy_unavailable() -> None:
    packs = policies.load_packs(["us-regf"])
    case: Case = replace(make_case(), packs=("us-regf", "us-ma"))
    d = policies.evaluate(make_request(), case, (), packs, at(NOW))
    assert [(r.code, r.rule) for r in d.reasons] == [("policy_unavailable", "callwarden/packs")]
    assert "us-ma" in d.reasons[0].message
    d = policies.evaluate(make_request(), case, (), (), at(NOW))
    assert [r.code for r in d.reasons] == ["policy_unavailable"]
    assert not d.allowed
    assert d.next_allowed_at is None


def test_every_reason_is_listed_and_nothing_lifts_it() -> None:
    case = make_case(
        status="closed",
        agency=Agency("a1", "suspended"),
        ceases=(Cease(frozenset({"call"}), at("2026-11-20T00:00:00Z")),),
    )
    d = decide("2026-11-24T08:00:00Z", case=case)  # 03:00 local
    assert sorted(r.code for r in d.reasons) == sorted(
        ["agency_inactive", "case_inactive", "ceased", "outside_window"]
    )
    assert d.next_allowed_at is None
    # The time-based reason still says when it would lift on its own.
    (window,) = [r for r in d.reasons if r.code == "outside_window"]
    assert window.lifts_at == at("2026-11-24T13:00:00Z")


def test_another_agency_learns_only_that_the_case_is_not_assigned_to_it() -> None:
    case = make_case(
        status="closed",
        agency=Agency("a1", "suspended"),
        ceases=(Cease(frozenset({"call"}), at("2026-11-20T00:00:00Z")),),
    )
    d = decide("2026-11-24T08:00:00Z", case=case, request=make_request(agency_id="a9"))
    assert [r.code for r in d.reasons] == ["case_not_assigned"]
    assert (d.packs, d.local_times, d.next_allowed_at) == ((), (), None)
    assert "a1" not in d.reasons[0].message
    assert "closed" not in d.reasons[0].message


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        policies.evaluate(
            make_request(), make_case(), (), policies.load_packs(["us-regf"]), at(NOW).replace(tzinfo=None)
        )
