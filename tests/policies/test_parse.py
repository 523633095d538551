"""API JSON → decision inputs for the facts, address and consent issue 11 adds (400s name the field)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from policies.parse import attempt_from_json, case_from_json, case_to_json
from policies.types import Address, Agency, Consent, PolicyInputError
from tests.policies.builders import at


def body(**extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "packs": ["us-regf"],
        "region": "US",
        "debtor": {"name": "Dana", "phones": [{"number": "(212) 555-0123"}]},
    }
    doc.update(extra)
    return doc


def test_dated_facts_address_and_consent_round_trip() -> None:
    doc = body(
        facts={
            "attorney_represented": True,
            "bankruptcy_filed_at": "2026-11-02",
            "disputed_at": "2026-11-20T15:00:00-05:00",
            "dispute_verified_at": None,
        },
        preferences={
            "consent": [
                {
                    "channel": "call",
                    "number": "212 555 0123",
                    "given_at": "2026-11-24T14:00:00Z",
                    "until": "2026-11-27T00:00:00Z",
                }
            ]
        },
    )
    doc["debtor"]["address"] = {"state": "fl", "postal_code": "32301"}
    case = case_from_json(doc, Agency("a1"), "c1")
    assert case.facts == {"attorney_represented": True}
    assert case.fact_dates == {
        "bankruptcy_filed_at": date(2026, 11, 2),
        "disputed_at": at("2026-11-20T20:00:00Z"),
    }
    assert case.address == Address(state="FL", postal_code="32301")
    assert case.preferences.consents == (
        Consent("call", at("2026-11-24T14:00:00Z"), at("2026-11-27T00:00:00Z"), "+12125550123"),
    )
    out = case_to_json(case)
    assert out["facts"] == {
        "attorney_represented": True,
        "bankruptcy_filed_at": "2026-11-02",
        "disputed_at": "2026-11-20T20:00:00Z",
    }
    assert out["debtor"]["address"] == {
        "country": None,
        "state": "FL",
        "postal_code": "32301",
        "timezone": None,
    }
    again = case_from_json({**out, "ceases": []}, Agency("a1"), "c1")
    assert (again.fact_dates, again.address, again.preferences) == (
        case.fact_dates,
        case.address,
        case.preferences,
    )


@pytest.mark.parametrize(
    ("start", "end"), [("00:00", "24:00"), ("21:30", "24:00"), ("08:00:15", "08:30:45"), ("12:00", "13:00")]
)
def test_a_blocked_window_reads_back_as_written(start: str, end: str) -> None:
    """Found by a probe: "24:00" was stored as "23:59", so a whole-day block, read again for every
    decision, opened for the last minute of each day (and seconds were dropped)."""
    doc = body(preferences={"blocked_windows": [{"days": ["mon"], "start": start, "end": end}]})
    once = case_to_json(case_from_json(doc, Agency("a1"), "c1"))
    assert once["preferences"]["blocked_windows"] == [{"days": [1], "start": start, "end": end}]
    twice = case_to_json(case_from_json(once, Agency("a1"), "c1"))
    assert twice["preferences"] == once["preferences"]


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        pytest.param(
            {"facts": {"bankruptcy_filed_at": "yesterday"}},
            "invalid_field",
            "facts.bankruptcy_filed_at",
            id="fact-date-not-a-date",
        ),
        pytest.param(
            {"facts": {"collection_suspended_until": 20261201}},
            "invalid_field",
            "facts.collection_suspended_until",
            id="fact-date-a-number",
        ),
        pytest.param(
            {"preferences": {"consent": [{"until": "2026-11-27T00:00:00Z"}]}},
            "missing_field",
            "preferences.consent[0].given_at",
            id="consent-without-given-at",
        ),
        pytest.param(
            {
                "preferences": {
                    "consent": [{"given_at": "2026-11-27T00:00:00Z", "until": "2026-11-26T00:00:00Z"}]
                }
            },
            "invalid_field",
            "preferences.consent[0].until",
            id="consent-ends-before-it-starts",
        ),
        pytest.param(
            {
                "preferences": {
                    "consent": [
                        {
                            "channel": "fax",
                            "given_at": "2026-11-24T00:00:00Z",
                            "until": "2026-11-26T00:00:00Z",
                        }
                    ]
                }
            },
            "invalid_field",
            "preferences.consent[0].channel",
            id="consent-channel",
        ),
        pytest.param(
            {
                "preferences": {
                    "consent": [
                        {"number": "12", "given_at": "2026-11-24T00:00:00Z", "until": "2026-11-26T00:00:00Z"}
                    ]
                }
            },
            "invalid_phone",
            "preferences.consent[0].number",
            id="consent-number",
        ),
        pytest.param(
            {"address": {"state": "ZZ"}}, "invalid_field", "debtor.address.state", id="unknown-state"
        ),
        pytest.param(
            {"address": {"timezone": "Mars/Olympus"}},
            "invalid_field",
            "debtor.address.timezone",
            id="unknown-address-zone",
        ),
        *(
            pytest.param({"address": {"timezone": name}}, "invalid_field", "debtor.address.timezone", id=name)
            for name in ("Factory", "localtime", "posix/America/New_York", "right/America/New_York")
        ),
        pytest.param(
            {"phones": [{"number": "+12125550177", "kind": "mobile", "timezone": "Factory"}]},
            "invalid_field",
            "debtor.phones[0].timezone",
            id="phone-zone-factory",
        ),
        pytest.param({"address": "Main St"}, "invalid_field", "debtor.address", id="address-not-an-object"),
        pytest.param(
            {"contacts": [{"contact_id": "k", "relation": "lawyer", "number": "+12125550199"}]},
            "invalid_field",
            "contacts[0].relation",
            id="relation-spelling",
        ),
    ],
)
def test_bad_inputs_name_the_field(change: dict[str, Any], code: str, field: str) -> None:
    doc = body()
    change = dict(change)
    for key in ("address", "phones"):
        if key in change:
            doc["debtor"][key] = change.pop(key)
    doc.update(change)
    with pytest.raises(PolicyInputError) as err:
        case_from_json(doc, Agency("a1"), "c1")
    assert (err.value.code, err.value.field) == (code, field)


def test_new_relations_are_accepted() -> None:
    contacts = [
        {"contact_id": "k1", "relation": "attorney", "number": "+12125550199"},
        {"contact_id": "k2", "relation": "executor", "number": "+12125550198"},
        {"contact_id": "k3", "relation": "estate_administrator", "number": "+12125550197"},
    ]
    case = case_from_json(body(contacts=contacts), Agency("a1"), "c1")
    assert [c.relation for c in case.contacts] == ["attorney", "executor", "estate_administrator"]


def test_an_inbound_history_line_is_a_conversation_the_debtor_started() -> None:
    a = attempt_from_json({"at": "2026-11-23T15:00:00Z", "to": "+12125550123", "direction": "inbound"})
    assert (a.direction, a.result, a.spoke_with, a.is_conversation) == (
        "inbound",
        "connected",
        "debtor",
        True,
    )
    with pytest.raises(PolicyInputError) as err:
        attempt_from_json({"at": "2026-11-23T15:00:00Z", "to": "+12125550123", "direction": "sideways"})
    assert err.value.field == "direction"
