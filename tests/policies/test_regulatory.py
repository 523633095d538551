"""Issue 11's scenarios, one row each, named by the provision they test (docs/policies.md).

Times are in November 2026 (after the DST change): New York UTC-5, Chicago UTC-6, Denver UTC-7,
Los Angeles UTC-8; Tuesday 24 November is "today". Every row checks allowed/denied, the exact
rules that object, and when the decision says it lifts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import pytest

from policies.pack import Pack
from policies.types import Attempt, Case, Consent, Contact, ContactRequest, Phone, Preferences
from tests.policies.builders import CN, KR, NYC, at, attempt, decide, make_case, make_request, pack_from_toml

NY212 = "+12125550123"  # New York
DEN303 = "+13035550100"  # Denver
TLH850 = "+18506811234"  # Tallahassee (Eastern) — phonenumbers maps the 850-681 prefix to Chicago
BLM812 = "+18123321234"  # Bloomington, IN (Eastern) — area code 812 reaches Central Indiana too
LA415 = "+14155550100"
SPOUSE = Contact("k1", "spouse", "+16175550133")
ATTORNEY = Contact("k9", "attorney", "+16175550199")
EXECUTOR = Contact("k3", "executor", "+16175550144")
CN_CONTACT = Contact("k1", "emergency_contact", "+8613900139000")
KR_RELATIVE = Contact("k1", "parent", "+821098765432")
WA_SPOUSE = Contact("k1", "spouse", "+14155550133")
NOW = "2026-11-24T15:00:00Z"  # Tue 10:00 in New York

# An operator pack: inbound conversations do not start its wait, late disputes do not hold.
LENDER = pack_from_toml(
    """
name = "lender"
version = "1"
jurisdiction = "US"
[[caps]]
id = "calls-7-in-7-days"
scope = "debtor_case"
channel = "call"
party = "debtor"
max = 7
window = "local_days:7"
citation = "lender policy 3.1"
[after_conversation]
days = 7
inbound = false
citation = "lender policy 3.2"
[holds.dispute_pending]
late_disputes = false
business_calendar = "US"
citation = "lender policy 4: 15 U.S.C. 1692g(b) only"
"""
)


@dataclass
class Row:
    now: str
    packs: tuple[str | Pack, ...] = ("us-regf",)
    case: dict[str, Any] = field(default_factory=dict)
    request: dict[str, Any] = field(default_factory=dict)
    history: list[Attempt] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)  # the rules that object, in order; [] = allowed
    next_allowed: str | None = None
    notes: list[str] = field(default_factory=list)
    zones: list[str] = field(default_factory=list)  # zones that must be candidates


def third(contact: Contact, **kw: Any) -> dict[str, Any]:
    return {"to": contact.number, "party": "third_party", "contact_id": contact.contact_id, **kw}


def calls(*whens: str, to: str = NYC, **kw: Any) -> list[Attempt]:
    return [attempt(w, to=to, result=kw.pop("result", "no_answer"), **kw) for w in whens]


def tp_calls(contact: Contact, n: int, day: str = "2026-11-24", hour: int = 14) -> list[Attempt]:
    return [
        attempt(
            f"{day}T{hour:02d}:{m:02d}:00Z",
            to=contact.number,
            party="third_party",
            contact_id=contact.contact_id,
            result="no_answer",
        )
        for m in range(n)
    ]


WEEK_OF_CALLS = calls(*(f"2026-11-{d}T16:00:00Z" for d in (18, 19, 20, 21, 22, 23)), "2026-11-23T18:00:00Z")
TWO_NUMBERS = {"phones": (Phone(NY212, "mobile"), Phone(DEN303, "landline"))}

ROWS = [
    # 1. Zones of every number on the case, both directions (12 CFR 1006.6(b)(1)(i), comment 6(b)(1)(i)-2).
    pytest.param(
        Row(
            "2026-11-24T14:30:00Z",
            case=TWO_NUMBERS,
            request={"to": NY212},
            rules=["us-regf/window"],
            next_allowed="2026-11-24T15:00:00Z",
            zones=["America/New_York", "America/Denver"],
        ),
        id="regf-1006.6(b)(1)(i)-cmt-6(b)(1)(i)-2:212-dialled-0930-NY-is-0730-Denver",
    ),
    pytest.param(
        Row(
            "2026-11-25T02:30:00Z",
            case=TWO_NUMBERS,
            request={"to": DEN303},
            rules=["us-regf/window"],
            next_allowed="2026-11-25T15:00:00Z",
        ),
        id="regf-1006.6(b)(1)(i)-cmt-6(b)(1)(i)-2:303-dialled-1930-Denver-is-2130-NY",
    ),
    pytest.param(
        Row("2026-11-24T15:00:00Z", case=TWO_NUMBERS, request={"to": NY212}),
        id="regf-1006.6(b)(1)(i):212-dialled-1000-NY-0800-Denver-allowed",
    ),
    pytest.param(
        Row(
            "2026-11-24T13:30:00Z",
            case={"phones": (Phone(NY212),), "debtor_timezone": "America/Chicago"},
            request={"to": NY212},
            rules=["us-regf/window"],
            next_allowed="2026-11-24T14:00:00Z",
        ),
        id="regf-1006.6(b)(1)(i):debtor.timezone-Chicago-counts",
    ),
    # 2. Per-person caps for third parties (1006.14(b)(2)(i)(A), comment 14(b)(2)(i)-1.iii).
    pytest.param(
        Row(
            NOW,
            case={"contacts": (SPOUSE,)},
            request=third(SPOUSE),
            history=tp_calls(SPOUSE, 10),
            rules=["us-regf/caps.third-party-calls-7-in-7-days"],
            next_allowed="2026-12-01T13:00:00Z",
        ),
        id="regf-1006.14(b)(2)(i)(A)-cmt-14(b)(2)(i)-1.iii:11th-call-to-one-third-party",
    ),
    pytest.param(
        Row(NOW, case={"contacts": (SPOUSE,)}, request=third(SPOUSE), history=tp_calls(SPOUSE, 6)),
        id="regf-1006.14(b)(2)(i)(A):7th-call-to-a-third-party-allowed",
    ),
    pytest.param(
        Row(NOW, case={"contacts": (ATTORNEY,)}, request=third(ATTORNEY), history=tp_calls(ATTORNEY, 10)),
        id="regf-1006.14(b)(3)(iii):calls-to-the-debtor's-attorney-not-counted",
    ),
    # 3. Holds from case facts.
    pytest.param(
        Row(
            NOW,
            case={"facts": {"attorney_represented": True}, "contacts": (SPOUSE, ATTORNEY)},
            rules=["us-regf/holds.attorney_represented"],
        ),
        id="regf-1006.6(b)(2):attorney-represented-debtor-denied",
    ),
    pytest.param(
        Row(
            NOW,
            case={"facts": {"attorney_represented": True}, "contacts": (SPOUSE, ATTORNEY)},
            request=third(SPOUSE),
            rules=["us-regf/holds.attorney_represented"],
        ),
        id="regf-1006.10(b)(5):attorney-represented-third-party-denied",
    ),
    pytest.param(
        Row(
            NOW,
            case={"facts": {"attorney_represented": True}, "contacts": (SPOUSE, ATTORNEY)},
            request=third(ATTORNEY),
        ),
        id="regf-1006.6(b)(2):the-attorney-may-be-called",
    ),
    pytest.param(
        Row(
            NOW,
            packs=("us-ma",),
            case={"facts": {"attorney_represented": True}},
            rules=["us-ma/holds.attorney_represented"],
        ),
        id="ma-209-CMR-18.16(1)(b):attorney-represented-us-ma-alone",
    ),
    pytest.param(
        Row(
            NOW,
            case={"fact_dates": {"bankruptcy_filed_at": date(2026, 11, 2)}},
            rules=["us-regf/holds.bankruptcy_stay"],
        ),
        id="11-USC-362(a)(6):bankruptcy-open-denied",
    ),
    pytest.param(
        Row(
            NOW,
            case={
                "fact_dates": {
                    "bankruptcy_filed_at": date(2026, 10, 1),
                    "bankruptcy_closed_at": date(2026, 11, 20),
                }
            },
        ),
        id="11-USC-362(c)(2):bankruptcy-closed-allowed",
    ),
    pytest.param(
        Row(
            NOW,
            case={
                "fact_dates": {
                    "bankruptcy_filed_at": date(2026, 10, 1),
                    "bankruptcy_closed_at": date(2026, 11, 25),
                }
            },
            rules=["us-regf/holds.bankruptcy_stay"],
            next_allowed="2026-11-26T13:00:00Z",
        ),
        id="11-USC-362(c)(2):bankruptcy-closing-tomorrow-lifts-after-that-day",
    ),
    pytest.param(
        Row(
            NOW,
            case={
                "facts": {"bankruptcy_discharged": True},
                "fact_dates": {
                    "bankruptcy_filed_at": date(2026, 6, 1),
                    "bankruptcy_closed_at": date(2026, 10, 1),
                },
            },
            rules=["us-regf/holds.bankruptcy_stay"],
        ),
        id="11-USC-524(a)(2):discharged-never-again",
    ),
    pytest.param(
        Row(
            NOW,
            case={"facts": {"deceased": True}, "contacts": (EXECUTOR, SPOUSE)},
            rules=["us-regf/holds.debtor_deceased"],
        ),
        id="regf-1006.6(a)(4):deceased-debtor's-numbers-denied",
    ),
    pytest.param(
        Row(NOW, case={"facts": {"deceased": True}, "contacts": (EXECUTOR, SPOUSE)}, request=third(EXECUTOR)),
        id="regf-1006.6(a)(4):deceased-executor-allowed",
    ),
    pytest.param(
        Row(NOW, case={"facts": {"deceased": True}, "contacts": (EXECUTOR, SPOUSE)}, request=third(SPOUSE)),
        id="regf-1006.10:deceased-location-contact-as-the-pack-allows",
    ),
    pytest.param(
        Row(
            NOW,
            case={"fact_dates": {"disputed_at": date(2026, 11, 20)}},
            rules=["us-regf/holds.dispute_pending"],
        ),
        id="15-USC-1692g(b):dispute-pending-denied",
    ),
    pytest.param(
        Row(
            NOW,
            case={
                "fact_dates": {"disputed_at": date(2026, 11, 20), "dispute_verified_at": date(2026, 11, 23)}
            },
        ),
        id="15-USC-1692g(b):dispute-verified-allowed",
    ),
    pytest.param(
        # Sent Fri 20 Nov: received (5 business days, Thanksgiving excluded) Mon 30 Nov; period ends 30 Dec.
        Row(
            NOW,
            case={"fact_dates": {"validation_notice_sent_at": date(2026, 11, 20)}},
            notes=["validation_period"],
        ),
        id="regf-1006.34(b)(5):validation-period-open-note",
    ),
    pytest.param(
        Row(
            NOW,
            packs=(LENDER,),
            case={
                "fact_dates": {
                    "validation_notice_sent_at": date(2026, 9, 1),
                    "disputed_at": date(2026, 11, 20),
                }
            },
        ),
        id="15-USC-1692g(b):late-dispute-holds-only-where-the-pack-says",
    ),
    pytest.param(
        Row(
            NOW,
            case={
                "fact_dates": {
                    "validation_notice_sent_at": date(2026, 9, 1),
                    "disputed_at": date(2026, 11, 20),
                }
            },
            rules=["us-regf/holds.dispute_pending"],
        ),
        id="15-USC-1692g(b):late-dispute-holds-under-us-regf-product-setting",
    ),
    pytest.param(
        Row(
            "2026-11-24T01:00:00Z",
            packs=("kr-fdca",),
            case={"phones": (Phone(KR),), "fact_dates": {"collection_suspended_until": date(2026, 12, 1)}},
            request={"to": KR},
            rules=["kr-fdca/holds.collection_suspended"],
            next_allowed="2026-12-01T23:00:00Z",
        ),
        id="kr-개인채무자보호법-추심유예:suspended-until-a-date",
    ),
    pytest.param(
        Row(NOW, case={"facts": {"time_barred": True}}, notes=["time_barred"]),
        id="regf-1006.26(b):time-barred-note-for-the-dialer",
    ),
    pytest.param(
        Row(
            NOW,
            case={"facts": {"time_barred": True}},
            request={"channel": "sms", "body": "If you do not pay we will sue you. Reply STOP"},
            rules=["us-regf/sms.content"],
            notes=["time_barred"],
        ),
        id="regf-1006.26(b):time-barred-suit-threat-by-sms-denied",
    ),
    # 4. Inbound conversations and consent.
    pytest.param(
        Row(
            NOW,
            history=calls(
                "2026-11-23T15:00:00Z", direction="inbound", result="connected", spoke_with="debtor"
            ),
            rules=["us-regf/after_conversation"],
            next_allowed="2026-11-30T13:00:00Z",
        ),
        id="regf-1006.14(b)(2)(i)(B)-FAQ:inbound-telephone-conversation-starts-the-wait",
    ),
    pytest.param(
        Row(
            NOW,
            history=[
                *WEEK_OF_CALLS[:6],
                *calls(
                    "2026-11-23T20:00:00Z",
                    channel="sms",
                    direction="inbound",
                    result="connected",
                    spoke_with="debtor",
                ),
            ],
        ),
        id="regf-cmt-14(b)(2)(i)-1.ii:inbound-not-counted-toward-7-in-7",
    ),
    pytest.param(
        Row(
            NOW,
            packs=(LENDER,),
            history=[
                *WEEK_OF_CALLS[:6],
                *calls("2026-11-23T15:00:00Z", direction="inbound", result="connected", spoke_with="debtor"),
            ],
        ),
        id="cmt-14(b)(2)(i)-1.ii:inbound-conversation-not-starting-the-cool-off-where-the-pack-says",
    ),
    pytest.param(
        Row(
            NOW,
            history=WEEK_OF_CALLS,
            rules=["us-regf/caps.calls-7-in-7-days"],
            next_allowed="2026-11-25T13:00:00Z",
        ),
        id="regf-1006.14(b)(2)(i)(A):8th-call-without-consent-denied",
    ),
    pytest.param(
        Row(
            NOW,
            history=WEEK_OF_CALLS,
            notes=["consent"],
            case={
                "preferences": Preferences(
                    consents=(Consent("call", at("2026-11-24T14:00:00Z"), at("2026-11-27T00:00:00Z"), NYC),)
                )
            },
        ),
        id="regf-1006.14(b)(3)(i):consent-window-lifts-the-presumption",
    ),
    pytest.param(
        Row(
            NOW,
            history=WEEK_OF_CALLS,
            rules=["us-regf/caps.calls-7-in-7-days"],
            next_allowed="2026-11-25T13:00:00Z",
            case={
                "preferences": Preferences(
                    consents=(Consent("call", at("2026-11-10T14:00:00Z"), at("2026-12-31T00:00:00Z"), NYC),)
                )
            },
        ),
        id="regf-1006.14(b)(3)(i):consent-older-than-7-days-lifts-nothing",
    ),
    pytest.param(
        Row(
            NOW,
            history=WEEK_OF_CALLS,
            rules=["us-regf/caps.calls-7-in-7-days"],
            next_allowed="2026-11-25T13:00:00Z",
            case={
                "preferences": Preferences(
                    consents=(Consent("sms", at("2026-11-24T14:00:00Z"), at("2026-11-27T00:00:00Z")),)
                )
            },
        ),
        id="regf-1006.14(b)(3)(i):consent-to-texts-does-not-lift-calls",
    ),
    # 5. Split area codes at 07:30 Central (08:30 Eastern), and 850-681 in the evening.
    pytest.param(
        Row(
            "2026-11-24T13:30:00Z",
            case={"phones": (Phone(TLH850),)},
            request={"to": TLH850},
            rules=["us-regf/window"],
            next_allowed="2026-11-24T14:00:00Z",
            zones=["America/Chicago", "America/New_York"],
        ),
        id="regf-cmt-6(b)(1)(i)-2:850-681-at-0730-Central",
    ),
    pytest.param(
        Row(
            "2026-11-25T02:30:00Z",
            case={"phones": (Phone(TLH850),)},
            request={"to": TLH850},
            rules=["us-regf/window"],
            next_allowed="2026-11-25T14:00:00Z",
        ),
        id="regf-cmt-6(b)(1)(i)-2:850-681-at-2030-Central-is-2130-Eastern",
    ),
    pytest.param(
        Row(
            "2026-11-24T13:30:00Z",
            case={"phones": (Phone(BLM812),)},
            request={"to": BLM812},
            rules=["us-regf/window"],
            next_allowed="2026-11-24T14:00:00Z",
            zones=["America/New_York", "America/Chicago"],
        ),
        id="regf-cmt-6(b)(1)(i)-2:812-at-0730-Central",
    ),
    # 6. Pack fixes.
    pytest.param(
        Row(
            "2026-11-24T08:00:00Z",
            packs=("us-ma",),
            rules=["us-ma/window"],
            next_allowed="2026-11-24T13:00:00Z",
        ),
        id="ma-209-CMR-18.16(1)(a):us-ma-alone-at-0300",
    ),
    pytest.param(
        Row(
            "2026-11-24T18:00:00Z",
            packs=("us-regf", "us-wa"),
            case={"phones": (Phone(LA415, "landline"),), "contacts": (WA_SPOUSE,)},
            request=third(WA_SPOUSE),
            history=calls("2026-11-21T18:00:00Z", "2026-11-22T18:00:00Z", "2026-11-23T18:00:00Z", to=LA415),
            rules=["us-wa/caps.communications-3-a-week"],
            next_allowed="2026-11-28T16:00:00Z",
        ),
        id="wa-RCW-19.16.250(13)(a):spouse-as-4th-communication",
    ),
    pytest.param(
        Row(
            "2026-11-24T18:00:00Z",
            packs=("us-regf", "us-wa"),
            case={"phones": (Phone(LA415, "landline"),), "contacts": (WA_SPOUSE,)},
            request={"to": LA415},
            history=[
                *calls("2026-11-21T18:00:00Z", "2026-11-22T18:00:00Z", to=LA415),
                *tp_calls(WA_SPOUSE, 1, "2026-11-23", 18),
            ],
            rules=["us-wa/caps.communications-3-a-week"],
            next_allowed="2026-11-28T16:00:00Z",
        ),
        id="wa-RCW-19.16.250(13)(a):debtor-after-2-debtor-and-1-spouse-communications",
    ),
    pytest.param(
        Row(
            "2026-11-24T06:00:00Z",
            packs=("cn-gbt45251",),
            case={"phones": (Phone(CN),), "contacts": (CN_CONTACT,)},
            request=third(CN_CONTACT),
            history=calls(
                "2026-11-23T02:00:00Z", "2026-11-23T03:00:00Z", "2026-11-24T02:00:00Z", to=CN, channel="sms"
            ),
            rules=["cn-gbt45251/third_party.unreachable"],
        ),
        id="cn-GB/T-45251:sms-no_answer-does-not-make-the-debtor-unreachable",
    ),
    pytest.param(
        Row(
            "2026-11-24T06:00:00Z",
            packs=("cn-gbt45251",),
            case={"phones": (Phone(CN),), "contacts": (CN_CONTACT,)},
            request=third(CN_CONTACT),
            history=calls(
                "2026-11-24T02:00:00Z", "2026-11-24T02:00:20Z", "2026-11-24T02:00:40Z", to=CN, result="busy"
            ),
            rules=["cn-gbt45251/third_party.unreachable"],
        ),
        id="cn-GB/T-45251:three-busy-signals-in-a-minute-are-not-unreachable",
    ),
    pytest.param(
        Row(
            "2026-11-24T06:00:00Z",
            packs=("cn-gbt45251",),
            case={"phones": (Phone(CN),), "contacts": (CN_CONTACT,)},
            request=third(CN_CONTACT),
            history=calls("2026-11-22T02:00:00Z", "2026-11-23T03:00:00Z", "2026-11-24T02:00:00Z", to=CN),
        ),
        id="cn-GB/T-45251:three-calls-that-rang-out-make-the-debtor-unreachable",
    ),
    pytest.param(
        Row(
            "2026-11-24T06:00:00Z",
            packs=("cn-gbt45251",),
            case={"phones": (Phone(CN),), "contacts": (CN_CONTACT,)},
            request=third(CN_CONTACT),
            history=[
                *calls("2026-11-22T02:00:00Z", "2026-11-23T03:00:00Z", "2026-11-24T02:00:00Z", to=CN),
                *calls(
                    "2026-11-24T04:00:00Z",
                    to=CN,
                    direction="inbound",
                    result="connected",
                    spoke_with="debtor",
                ),
            ],
            rules=["cn-gbt45251/third_party.unreachable"],
        ),
        id="cn-GB/T-45251:a-conversation-the-debtor-started-shows-reachable",
    ),
    pytest.param(
        Row(
            NOW,
            packs=("us-nyc",),
            history=calls("2026-11-21T16:00:00Z", "2026-11-22T16:00:00Z", "2026-11-23T16:00:00Z"),
            rules=["us-nyc/caps.attempts-3-in-7-days"],
            next_allowed="2026-11-28T13:00:00Z",
        ),
        id="nyc-6-RCNY-5-77:4th-attempt-in-7-days",
    ),
    pytest.param(
        Row(
            NOW,
            packs=("us-nyc",),
            case={"facts": {"attorney_represented": True}},
            rules=["us-regf/holds.attorney_represented"],
        ),
        id="nyc-6-RCNY-5-77:us-regf-rules-come-along",
    ),
    pytest.param(
        Row(
            "2026-11-24T01:00:00Z",
            packs=("kr-fdca",),
            case={"phones": (Phone(KR),), "contacts": (KR_RELATIVE,)},
            request=third(KR_RELATIVE),
            history=tp_calls(KR_RELATIVE, 7, "2026-11-24", 0),
            rules=["kr-fdca/caps.related-person-7-in-7-days"],
            next_allowed="2026-11-30T23:00:00Z",
        ),
        id="kr-채권추심법-9조-3호:8th-contact-with-a-related-person",
    ),
]


def _case(row: Row) -> Case:
    return make_case(**row.case)


@pytest.mark.parametrize("row", ROWS)
def test_issue_11_scenarios(row: Row) -> None:
    request: ContactRequest = make_request(**row.request)
    d = decide(row.now, packs=row.packs, case=_case(row), request=request, history=row.history)
    assert [r.rule for r in d.reasons] == row.rules, [(r.rule, r.message) for r in d.reasons]
    assert d.allowed is (not row.rules)
    assert d.next_allowed_at == (at(row.next_allowed) if row.next_allowed else None)
    assert [n.code for n in d.notes] == row.notes, d.notes
    zones = [lt.zone for lt in d.local_times]
    assert all(z in zones for z in row.zones), zones
    for r in d.reasons:
        if "/" in r.rule and not r.rule.startswith("callwarden/"):
            assert r.citation, r  # every pack rule says which text it encodes


def test_each_candidate_zone_says_why() -> None:
    case = make_case(phones=[Phone(NY212), Phone(TLH850, "landline")], debtor_timezone="America/Denver")
    d = decide("2026-11-24T16:00:00Z", case=case, request=make_request(NY212))
    why = {lt.zone: lt.why for lt in d.local_times}
    assert why["America/New_York"][0] == "debtor.phones[0] +12125550123 (dialled): number prefix"
    assert "debtor.phones[1] +18506811234: number prefix" in why["America/Chicago"]
    assert "debtor.phones[1] +18506811234: NANP area code 850" in why["America/New_York"]
    assert why["America/Denver"] == ("debtor.timezone",)
    assert d.to_json()["local_times"][2] == {
        "zone": "America/Denver",
        "local_time": "2026-11-24T09:00:00-07:00",
        "why": ["debtor.timezone"],
    }


def test_consent_note_is_on_the_decision_and_calls_under_consent_never_count() -> None:
    consent = Consent("call", at("2026-11-20T14:00:00Z"), at("2026-11-22T23:00:00Z"), NYC)
    case = make_case(preferences=Preferences(consents=(consent,)))
    history = calls(
        *(f"2026-11-2{d}T{h}:00:00Z" for d in (0, 1) for h in (15, 16, 17, 18))
    )  # 8 under consent
    d = decide(NOW, case=case, history=history)
    assert d.allowed
    (note,) = d.notes
    assert note.code == "consent"
    assert note.rule == "us-regf/caps.calls-7-in-7-days"
    assert "8 attempt(s) placed under consent are not counted" in note.message
    assert "1006.14(b)(3)(i)" in note.message
    assert note.until is None
    assert d.to_json()["notes"][0]["code"] == "consent"


def test_consent_lifts_the_wait_after_a_conversation_for_its_days_only() -> None:
    consent = Consent("call", at("2026-11-23T16:00:00Z"), at("2026-12-31T00:00:00Z"), NYC)
    case = make_case(preferences=Preferences(consents=(consent,)))
    talk = calls("2026-11-23T15:00:00Z", result="connected", spoke_with="debtor")
    d = decide(NOW, case=case, history=talk)
    assert d.allowed
    # Both presumptions the consent lifts are recorded: the 7-in-7 count and the 7-day wait.
    assert [(n.code, n.rule) for n in d.notes] == [
        ("consent", "us-regf/after_conversation"),
        ("consent", "us-regf/caps.calls-7-in-7-days"),
    ]
    # Day 1 is Mon 23 Nov: the consent stops lifting at the midnight ending Sun 29 Nov (New York).
    assert {n.until for n in d.notes} == {at("2026-11-30T05:00:00Z")}
    without = decide(NOW, history=talk)
    assert [r.rule for r in without.reasons] == ["us-regf/after_conversation"]


def test_holds_from_api_json_dates_and_instants() -> None:
    from policies.parse import case_from_json
    from policies.types import Agency

    doc = {
        "packs": ["us-regf"],
        "debtor": {"phones": [{"number": NYC}]},
        "facts": {"bankruptcy_filed_at": "2026-11-02", "bankruptcy_closed_at": "2026-11-24T16:30:00Z"},
    }
    case = case_from_json(doc, Agency("a1"), "c1")
    assert case.fact_dates == {
        "bankruptcy_filed_at": date(2026, 11, 2),
        "bankruptcy_closed_at": at("2026-11-24T16:30:00Z"),
    }
    d = decide(NOW, case=case)
    assert [r.code for r in d.reasons] == ["bankruptcy_stay"]
    assert d.reasons[0].lifts_at == at("2026-11-24T16:30:00Z") == d.next_allowed_at
    assert decide("2026-11-24T16:30:00Z", case=case).allowed


def test_a_pack_without_the_pack_it_requires_fails_closed() -> None:
    import policies

    (nyc,) = [p for p in policies.load_packs(["us-nyc"]) if p.name == "us-nyc"]
    case = make_case(packs=["us-nyc"])
    d = policies.evaluate(make_request(), case, (), (nyc,), at(NOW))
    assert [(r.code, r.message) for r in d.reasons] == [
        ("policy_unavailable", "us-nyc requires us-regf, which is not loaded")
    ]


def test_dates_in_the_validation_period_skip_weekends_and_5_usc_6103a_holidays() -> None:
    import holidays

    from policies.public_holidays import us_legal_public_holiday

    federal = holidays.US(years=range(2020, 2036), observed=False)  # the statute's own dates
    day = date(2020, 1, 1)
    while day.year < 2036:
        assert (us_legal_public_holiday(day) is not None) == (day in federal), day
        day = date.fromordinal(day.toordinal() + 1)


def test_a_deceased_debtors_executor_gets_the_consumers_wait_after_a_conversation() -> None:
    """A compliance officer's probe: for a deceased debtor the executor is the consumer (12 CFR
    1006.6(a)(4)), yet after a conversation with the executor a call the same day was allowed (the
    7-day wait of 1006.14(b)(2)(i)(B) was applied to the debtor only)."""
    spoke = attempt(
        "2026-11-23T16:00:00Z",
        to=EXECUTOR.number,
        party="third_party",
        contact_id=EXECUTOR.contact_id,
        result="connected",
        spoke_with="third_party",
    )
    deceased = make_case(facts={"deceased": True}, contacts=(EXECUTOR, SPOUSE))
    d = decide(NOW, case=deceased, request=make_request(**third(EXECUTOR)), history=[spoke])
    assert [r.rule for r in d.reasons] == ["us-regf/after_conversation"], d.reasons
    assert "estate's representative" in d.reasons[0].message
    # The conversation's local day (Boston) is day 1: calls resume at 08:00 on day 8.
    assert d.next_allowed_at == at("2026-11-30T13:00:00Z")
    call = make_request(**third(EXECUTOR))
    later = decide("2026-11-30T13:00:00Z", case=deceased, request=call, history=[spoke])
    assert later.allowed, later.reasons
    # A living debtor's executor is not the consumer, and the spouse's conversation is not the
    # executor's: neither waits.
    living = make_case(facts={"deceased": False}, contacts=(EXECUTOR, SPOUSE))
    for case, history in ((living, [spoke]), (deceased, [replace(spoke, contact_id=SPOUSE.contact_id)])):
        d = decide(NOW, case=case, request=make_request(**third(EXECUTOR)), history=history)
        assert "us-regf/after_conversation" not in [r.rule for r in d.reasons], d.reasons
