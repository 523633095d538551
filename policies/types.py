"""Frozen inputs and outputs of the decision core.

Everything `policies.evaluate` reads or returns is defined here, so that storage (which builds
these from rows) and the gateway (which builds them from JSON) agree on one shape. All datetimes
are timezone-aware; instants are compared in UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Literal, TypeAlias

from policies.errors import InputError
from policies.timefmt import rfc3339

# A dated case fact: a calendar date (the whole day, in every candidate zone) or an instant.
FactDate: TypeAlias = date | datetime  # datetime first in isinstance checks: it is a date too

__all__ = [
    "CHANNELS",
    "DATE_FACTS",
    "ESTATE_RELATIONS",
    "NOT_CONNECTED",
    "NUMBER_KINDS",
    "OUTCOME_RESULTS",
    "RELATIONS",
    "Address",
    "Agency",
    "Attempt",
    "BlockedWindow",
    "Case",
    "Cease",
    "Consent",
    "Contact",
    "ContactRequest",
    "ContentFinding",
    "ContentScores",
    "Decision",
    "FactDate",
    "LocalTime",
    "Note",
    "Phone",
    "PolicyInputError",
    "Preferences",
    "Reason",
]

Channel = Literal["call", "sms"]
Party = Literal["debtor", "third_party"]
NumberKind = Literal["mobile", "landline", "work"]
OutcomeResult = Literal["no_answer", "busy", "failed", "voicemail", "connected"]
SpokeWith = Literal["debtor", "third_party", "none"]
Direction = Literal["outbound", "inbound"]

CHANNELS: tuple[str, ...] = ("call", "sms")
NUMBER_KINDS: tuple[str, ...] = ("mobile", "landline", "work")
RELATIONS: tuple[str, ...] = (
    "emergency_contact",
    "spouse",
    "parent",
    "guarantor",
    "employer",
    "other",
    # The debtor's attorney (12 CFR 1006.6(b)(2)) and, for a deceased debtor, the persons with
    # authority over the estate (12 CFR 1006.6(a)(4)).
    "attorney",
    "executor",
    "estate_administrator",
)
ESTATE_RELATIONS: tuple[str, ...] = ("executor", "estate_administrator")
# Case facts that are dates (YYYY-MM-DD) or instants (RFC 3339) rather than true/false.
DATE_FACTS: tuple[str, ...] = (
    "bankruptcy_filed_at",
    "bankruptcy_closed_at",
    "disputed_at",
    "dispute_verified_at",
    "validation_notice_sent_at",
    "collection_suspended_until",
)
OUTCOME_RESULTS: tuple[str, ...] = ("no_answer", "busy", "failed", "voicemail", "connected")
# Reg F 1006.14(b)(3): a call that never connected to the dialed number (busy signal, network
# failure) is not counted; unanswered calls and voicemails are.
NOT_CONNECTED: frozenset[str] = frozenset({"busy", "failed"})


class PolicyInputError(InputError):
    """An input that cannot be turned into a decision input (bad number, missing field...).

    `code` is a stable error code from API.md (`invalid_phone`, `missing_field`, `invalid_field`,
    `unknown_pack`); `field` names the offending input path (e.g. ``debtor.phones[0].number``).
    """

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(field, message, code=code)


@dataclass(frozen=True)
class Phone:
    """A debtor phone number in E.164, with its kind and an optional explicit zone."""

    number: str
    kind: NumberKind = "mobile"
    timezone: str | None = None


@dataclass(frozen=True)
class Contact:
    """A third party registered on the case (emergency contact, spouse, employer...)."""

    contact_id: str
    relation: str
    number: str
    timezone: str | None = None


@dataclass(frozen=True)
class Address:
    """Where the debtor lives, as far as it decides time zones: an explicit `timezone`, else the
    zones of `state` (US) or of `country`. `postal_code` is kept for the record only."""

    country: str | None = None
    state: str | None = None
    postal_code: str | None = None
    timezone: str | None = None


@dataclass(frozen=True)
class BlockedWindow:
    """A debtor-blocked local time range; `days` are ISO weekdays (1 = Monday ... 7 = Sunday)."""

    days: tuple[int, ...]
    start: time
    end: time


@dataclass(frozen=True)
class Consent:
    """The debtor's direct prior consent to more contact on `channel` (to `number`, or any of the
    debtor's numbers when None), given at `given_at` and asked to last until `until`.

    Packs decide what it lifts and for how long (Reg F 1006.14(b)(3)(i): at most 7 consecutive
    days after it was given)."""

    channel: str
    given_at: datetime
    until: datetime
    number: str | None = None


@dataclass(frozen=True)
class Preferences:
    """The debtor's stated contact preferences (Reg F inconvenient times/places; Korea's blocks)
    and direct prior consents."""

    blocked_windows: tuple[BlockedWindow, ...] = ()
    blocked_channels: frozenset[str] = frozenset()
    no_work_calls: bool = False
    consents: tuple[Consent, ...] = ()


@dataclass(frozen=True)
class Cease:
    """A stop request. With `contact_id` it is a third party's refusal: it blocks that contact and,
    with `number` (the contact's, E.164), that person on every case of the lender. Without it, a
    `number` stops only contact to that number (a STOP reply to an SMS)."""

    channels: frozenset[str]
    at: datetime
    reason: str = ""
    contact_id: str | None = None
    number: str | None = None
    elsewhere: bool = False  # a refusal recorded on another case: it matches by number only


@dataclass(frozen=True)
class Agency:
    """A collection agency as the policies see it."""

    agency_id: str
    status: Literal["active", "suspended", "terminated"] = "active"
    contract_start: date | None = None
    contract_end: date | None = None


@dataclass(frozen=True)
class Case:
    """An outsourced account: who the debtor is, who may collect it, and under which packs.

    `debtor_id` links several cases of one person so that `debtor`-scoped caps pool across them
    (and across agencies); when the API gives none it is ``"case:" + case_id``.
    `debtor_timezone` is the zone of the debtor's address, a candidate zone for every number;
    `address` may give it as a state or country instead. `facts` are the true/false case facts
    (lexicon screening reads them); `fact_dates` the dated ones (`DATE_FACTS`): a `date` covers
    the whole day in every candidate zone, a `datetime` is an instant.
    """

    case_id: str
    agency: Agency
    packs: tuple[str, ...]
    debtor_id: str
    region: str = "US"
    assigned_from: datetime | None = None
    assigned_until: datetime | None = None
    overdue_days: int = 0
    debtor_name: str = ""
    debtor_timezone: str | None = None
    phones: tuple[Phone, ...] = ()
    contacts: tuple[Contact, ...] = ()
    language: str | None = None
    facts: Mapping[str, bool] = field(default_factory=dict)
    fact_dates: Mapping[str, FactDate] = field(default_factory=dict)
    address: Address | None = None
    preferences: Preferences = Preferences()
    status: Literal["active", "closed", "disputed"] = "active"
    ceases: tuple[Cease, ...] = ()


@dataclass(frozen=True)
class ContentScores:
    """The semantic model's verdict on an SMS body, computed by the gateway before the decision
    (the embedding needs a native model, which `policies` never runs) and passed in as data.

    `language`: the head that scored it (from the body's script); `scores`: (category,
    calibrated probability, threshold) for each category the model scored; `model`: the head
    file's tag (``flagger@<version>``); `lawful_suppresses_model`: the head file's rule that a
    lexicon's lawful reading of the same category vetoes the model, and `lawful_overrides`
    (category, score) the score at which the model outranks that reading (docs/speech.md);
    `rival_margins` (category, margin): a model-only finding dropped when a rival outscores it
    by its margin (`policies.semantic.combine.outscored`);
    `windows`: for a body long enough to be read in windows, (category, the window that scored
    it highest), where that lawful reading is looked for; `residual` (category, score): the body
    scored without the statements whose truth the case facts decide, when a score could outrank
    the facts' reading (`policies.semantic.combine.rests_on_settled`). The head file's vetoes are
    not carried: an SMS fails closed, every lexicon violation denies it."""

    language: str
    model: str
    scores: tuple[tuple[str, float, float], ...]
    lawful_suppresses_model: bool = True
    lawful_overrides: tuple[tuple[str, float], ...] = ()
    rival_margins: tuple[tuple[str, float], ...] = ()
    windows: tuple[tuple[str, str], ...] = ()
    residual: tuple[tuple[str, float], ...] = ()

    def as_mappings(self) -> tuple[dict[str, float], dict[str, float]]:
        """({category: score}, {category: threshold})."""
        return {c: s for c, s, _ in self.scores}, {c: t for c, _, t in self.scores}


@dataclass(frozen=True)
class ContactRequest:
    """One contact an agency asks to make. `to` is E.164; `agency_id` is the requester's agency.

    `content_scores`: the semantic model's scores of `body` (None: only the lexicons screen it)."""

    case_id: str
    agency_id: str
    to: str
    channel: Channel
    party: Party = "debtor"
    contact_id: str | None = None
    body: str | None = None
    content_scores: ContentScores | None = None


@dataclass(frozen=True)
class Attempt:
    """A prior allowed (reserved) contact attempt and, once reported, its outcome.

    An attempt with no reported outcome yet (`result is None`) is counted by every cap kind
    (attempts, conversations, unanswered): it may still turn out either way, so the strictest
    reading applies until the dialer reports.
    """

    attempt_id: str
    case_id: str
    debtor_id: str
    agency_id: str
    at: datetime
    channel: Channel
    to: str
    party: Party = "debtor"
    contact_id: str | None = None
    result: OutcomeResult | None = None
    spoke_with: SpokeWith | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    # "inbound": a conversation the debtor started (POST /v1/cases/{id}/inbound). It is not an
    # attempt: caps never count it; cool-offs and "unreachable" read it as a conversation.
    direction: Direction = "outbound"
    # The contact's relation for third-party attempts, as recorded when the attempt was made.
    relation: str | None = None

    @property
    def is_conversation(self) -> bool:
        """A live exchange with the right party (the debtor)."""
        return self.result == "connected" and self.spoke_with == "debtor"


@dataclass(frozen=True)
class ContentFinding:
    """One category an SMS body violates (`sms.content`): who raised it (`source` ``lexicon``,
    ``model`` or ``both``), the lexicon rule and words (None for the model alone), the model's
    score, threshold and version (None when it did not score the body) and the citation."""

    category: str
    severity: str
    source: str
    rule: str
    citation: str
    match: str | None = None
    score: float | None = None
    threshold: float | None = None
    model: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "severity": self.severity,
            "source": self.source,
            "rule": self.rule,
            "match": self.match,
            "score": None if self.score is None else round(self.score, 4),
            "threshold": self.threshold,
            "model": self.model,
            "citation": self.citation,
        }


@dataclass(frozen=True)
class Reason:
    """One rule the request violates. `rule` is ``pack/rule``; caps also carry max/window/used;
    pack rules carry the `citation` of the text they encode; `sms.content` carries its `findings`."""

    code: str
    rule: str
    message: str
    max: int | None = None
    window: str | None = None
    used: int | None = None
    lifts_at: datetime | None = None
    citation: str | None = None
    findings: tuple[ContentFinding, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "rule": self.rule, "message": self.message}
        if self.max is not None:
            out["max"] = self.max
            out["window"] = self.window
            out["used"] = self.used
        if self.lifts_at is not None:
            out["lifts_at"] = rfc3339(self.lifts_at)
        if self.citation is not None:
            out["citation"] = self.citation
        if self.findings:
            out["findings"] = [f.to_json() for f in self.findings]
        return out


@dataclass(frozen=True)
class Note:
    """Something the dialer must know that does not deny the contact (a consent that lifted a
    presumption, a time-barred debt, an open validation period), with the rule that says so."""

    code: str
    rule: str
    message: str
    until: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "rule": self.rule, "message": self.message}
        if self.until is not None:
            out["until"] = rfc3339(self.until)
        return out


@dataclass(frozen=True)
class LocalTime:
    """The callee's wall-clock time in one candidate zone, and why the zone is a candidate."""

    zone: str
    at: datetime
    why: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"zone": self.zone, "local_time": self.at.isoformat(), "why": list(self.why)}


@dataclass(frozen=True)
class Decision:
    """The answer to a ContactRequest: allowed, every applicable reason, and when a denial lifts.

    `next_allowed_at` is set only when time alone lifts every reason (window, holiday, cap,
    cool-off); it is None for allowed decisions and for denials nothing but a human can lift.
    `packs` are the pinned pack references (``name@version#sha256:<digest>``).
    """

    allowed: bool
    reasons: tuple[Reason, ...]
    packs: tuple[str, ...]
    local_times: tuple[LocalTime, ...]
    evaluated_at: datetime
    next_allowed_at: datetime | None = None
    notes: tuple[Note, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The decision in the API.md shape (`local_time` is the first candidate zone's)."""
        return {
            "allowed": self.allowed,
            "reasons": [r.to_json() for r in self.reasons],
            "next_allowed_at": rfc3339(self.next_allowed_at) if self.next_allowed_at else None,
            "local_time": self.local_times[0].at.isoformat() if self.local_times else None,
            "local_times": [lt.to_json() for lt in self.local_times],
            "packs": list(self.packs),
            "notes": [n.to_json() for n in self.notes],
            "evaluated_at": rfc3339(self.evaluated_at),
        }
