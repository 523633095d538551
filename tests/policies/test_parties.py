"""Who may be called: the debtor's numbers; registered third parties per pack."""

from __future__ import annotations

from typing import Any

import pytest

from policies.types import Attempt, Cease, Contact, ContactRequest, Phone
from tests.policies.builders import CN, at, attempt, decide, make_case, make_request

SPOUSE = Contact("k1", "spouse", "+16175550133")
BOSS = Contact("k2", "employer", "+16175550144")
NOW = "2026-11-24T15:00:00Z"  # 10:00 in New York


def third(contact: Contact = SPOUSE, channel: str = "call", **kw: Any) -> ContactRequest:
    fields: dict[str, Any] = {
        "to": contact.number,
        "party": "third_party",
        "contact_id": contact.contact_id,
    }
    fields.update(kw)
    return make_request(channel=channel, **fields)


def test_debtor_request_to_a_number_not_on_the_case() -> None:
    d = decide(NOW, request=make_request("+16175550177"))
    assert [(r.code, r.rule) for r in d.reasons] == [("unknown_number", "callwarden/number")]
    assert d.next_allowed_at is None


@pytest.mark.parametrize(
    ("request_kw", "history", "ceases", "expected"),
    [
        pytest.param({}, [], [], [], id="regf-spouse-call-allowed"),
        pytest.param({"contact": BOSS}, [], [], [], id="regf-employer-call-allowed"),
        pytest.param(
            {"contact_id": None},
            [],
            [],
            [("third_party_not_allowed", "callwarden/contact")],
            id="no-contact-id",
        ),
        pytest.param(
            {"contact_id": "k9"},
            [],
            [],
            [("third_party_not_allowed", "callwarden/contact")],
            id="unregistered-contact",
        ),
        pytest.param(
            {"to": "+16175550177"},
            [],
            [],
            [("unknown_number", "callwarden/number")],
            id="contact-other-number",
        ),
        pytest.param(
            {"channel": "sms", "body": "Please call us. Reply STOP to opt out"},
            [],
            [],
            [("third_party_not_allowed", "us-regf/third_party")],
            id="sms-to-third-party-denied",
        ),
        pytest.param(
            {},
            [
                attempt(
                    "2026-01-05T15:00:00Z",
                    to=SPOUSE.number,
                    party="third_party",
                    contact_id="k1",
                    result="connected",
                    spoke_with="third_party",
                )
            ],
            [],
            [("cap_exceeded", "us-regf/caps.location-contact-once")],
            id="once-per-person",
        ),
        pytest.param(
            {},
            [
                attempt(
                    "2026-01-05T15:00:00Z",
                    to=SPOUSE.number,
                    party="third_party",
                    contact_id="k1",
                    result="no_answer",
                )
            ],
            [],
            [],
            id="unanswered-is-not-a-communication",
        ),
        pytest.param(
            {},
            [attempt("2026-01-05T15:00:00Z", to=SPOUSE.number, party="third_party", contact_id="k1")],
            [],
            [("cap_exceeded", "us-regf/caps.location-contact-once")],
            id="pending-counts",
        ),
        pytest.param(
            {},
            [
                attempt(
                    "2025-06-05T15:00:00Z",
                    to=SPOUSE.number,
                    party="third_party",
                    contact_id="x",
                    case_id="c7",
                    debtor_id="d7",
                    result="connected",
                    spoke_with="third_party",
                )
            ],
            [],
            [("cap_exceeded", "us-regf/caps.location-contact-once")],
            id="same-person-other-case",
        ),
        # Found by a probe: the person answered a call made to the number as another debtor's.
        pytest.param(
            {},
            [
                attempt(
                    "2025-06-05T15:00:00Z",
                    to=SPOUSE.number,
                    case_id="c7",
                    debtor_id="d7",
                    result="connected",
                    spoke_with="third_party",
                )
            ],
            [],
            [("cap_exceeded", "us-regf/caps.location-contact-once")],
            id="person-answered-a-debtor-call-to-the-number",
        ),
        pytest.param(
            {},
            [
                attempt(
                    "2025-06-05T15:00:00Z", to=SPOUSE.number, case_id="c7", debtor_id="d7", result="no_answer"
                )
            ],
            [],
            [],
            id="an-unanswered-debtor-call-to-the-number-is-no-contact",
        ),
        pytest.param(
            {},
            [],
            [Cease(frozenset({"call"}), at("2026-11-20T12:00:00Z"), "refused", "k1")],
            [("ceased", "callwarden/cease.contact")],
            id="contact-refused",
        ),
        pytest.param(
            {},
            [],
            [Cease(frozenset({"sms"}), at("2026-11-20T12:00:00Z"), "refused", "k1")],
            [("ceased", "callwarden/cease.contact")],
            id="contact-refusal-blocks-every-channel",
        ),
        pytest.param(
            {},
            [],
            [Cease(frozenset({"call"}), at("2026-11-20T12:00:00Z"), "refused", "k2")],
            [],
            id="other-contact-refused",
        ),
    ],
)
def test_regf_third_parties(
    request_kw: dict[str, Any],
    history: list[Attempt],
    ceases: list[Cease],
    expected: list[tuple[str, str]],
) -> None:
    case = make_case(contacts=(SPOUSE, BOSS), ceases=tuple(ceases))
    contact = request_kw.pop("contact", SPOUSE)
    d = decide(NOW, case=case, request=third(contact, **request_kw), history=history)
    assert [(r.code, r.rule) for r in d.reasons] == expected
    if expected:
        assert d.next_allowed_at is None


def test_once_per_person_reason_carries_the_cap() -> None:
    case = make_case(contacts=(SPOUSE,))
    prior = attempt(
        "2026-01-05T15:00:00Z",
        to=SPOUSE.number,
        party="third_party",
        contact_id="k1",
        result="connected",
        spoke_with="third_party",
    )
    (r,) = decide(NOW, case=case, request=third(), history=[prior]).reasons
    assert (r.max, r.window, r.used, r.lifts_at) == (1, "ever", 1, None)


def test_packs_without_third_party_rules_have_no_say() -> None:
    case = make_case(contacts=(SPOUSE,))
    assert decide(NOW, packs=["us-regf", "us-ma", "us-wa"], case=case, request=third()).allowed
    d = decide(NOW, packs=["us-ma"], case=case, request=third())
    assert [(r.code, r.rule) for r in d.reasons] == [("third_party_not_allowed", "callwarden/third_party")]


CN_NOW = "2026-11-24T06:00:00Z"  # 14:00 in Shanghai
CN_SPOUSE = Contact("k1", "spouse", "+8613900139001")
CN_BOSS = Contact("k2", "employer", "+8613900139002")


def debtor_dial(when: str, result: str | None = "no_answer", **kw: Any) -> Attempt:
    return attempt(when, to=CN, result=result, **kw)


THREE_UNANSWERED = [debtor_dial(f"2026-11-2{d}T02:00:00Z") for d in (2, 3, 4)]


@pytest.mark.parametrize(
    ("contact", "history", "expected"),
    [
        pytest.param(
            CN_SPOUSE, [], ["cn-gbt45251/third_party.unreachable"], id="cn-debtor-not-yet-unreachable"
        ),
        pytest.param(CN_SPOUSE, THREE_UNANSWERED, [], id="cn-debtor-unreachable"),
        pytest.param(
            CN_SPOUSE, THREE_UNANSWERED[1:], ["cn-gbt45251/third_party.unreachable"], id="cn-only-2"
        ),
        pytest.param(
            CN_SPOUSE,
            [*THREE_UNANSWERED, debtor_dial("2026-11-23T03:00:00Z", "connected", spoke_with="debtor")],
            ["cn-gbt45251/third_party.unreachable"],
            id="cn-debtor-spoke-recently",
        ),
        pytest.param(
            CN_SPOUSE,
            [*THREE_UNANSWERED[1:], debtor_dial("2026-11-24T03:00:00Z", None)],
            ["cn-gbt45251/third_party.unreachable"],
            id="cn-pending-does-not-prove-unreachable",
        ),
        pytest.param(
            CN_SPOUSE,
            [debtor_dial(f"2026-11-{d}T02:00:00Z") for d in (20, 21, 24)],
            ["cn-gbt45251/third_party.unreachable"],
            id="cn-older-than-3-local-days",
        ),
        pytest.param(
            CN_BOSS, THREE_UNANSWERED, ["cn-gbt45251/third_party"], id="cn-employer-not-a-contact-person"
        ),
    ],
)
def test_cn_third_parties_only_when_debtor_unreachable(
    contact: Contact, history: list[Attempt], expected: list[str]
) -> None:
    case = make_case(phones=[Phone(CN)], contacts=(CN_SPOUSE, CN_BOSS))
    d = decide(CN_NOW, packs=["cn-gbt45251"], case=case, request=third(contact), history=history)
    assert [r.rule for r in d.reasons] == expected
    assert all(r.code == "third_party_not_allowed" for r in d.reasons)


def test_third_party_zone_ignores_the_debtors_address() -> None:
    # The debtor lives in Los Angeles (05:00 there); the spouse's number is in New York (08:00).
    case = make_case(contacts=(SPOUSE,), debtor_timezone="America/Los_Angeles")
    d = decide("2026-11-24T13:00:00Z", case=case, request=third())
    assert [lt.zone for lt in d.local_times] == ["America/New_York"]
    assert d.allowed
    assert not decide("2026-11-24T13:00:00Z", case=case).allowed  # the debtor: 05:00 in LA
