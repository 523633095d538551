"""A policy pack as frozen data: the rules of one jurisdiction (or lender), each with its source.

Packs are parsed and validated once, by `policies.loader`, from TOML under `policies/packs/`.
Every rule section carries the citation it encodes (`Source`). Rule names used in reasons are
``<pack>/<section>`` (``us-regf/window``, ``cn-gbt45251/caps.conversations-per-day``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from policies.spans import Span
from policies.types import Attempt, Case, ContactRequest

__all__ = [
    "AssignmentRule",
    "AttorneyHold",
    "BankruptcyHold",
    "CapRule",
    "CoolOffRule",
    "DeceasedHold",
    "DisputeHold",
    "Example",
    "Expectation",
    "Holds",
    "HolidayRule",
    "Notes",
    "OptOutRule",
    "Pack",
    "Range",
    "RetentionRule",
    "SmsContentRule",
    "SmsLengthRule",
    "SmsRepliesRule",
    "Source",
    "SuspensionHold",
    "ThirdPartyRule",
    "TimezoneRule",
    "UnreachableRule",
    "WindowRule",
]

Scope = Literal["debtor", "debtor_case", "number", "contact"]
CapChannel = Literal["call", "sms", "any"]
CapParty = Literal["debtor", "third_party", "any"]
Counts = Literal["attempts", "all", "conversations", "unanswered"]

ALL_DAYS: frozenset[int] = frozenset(range(1, 8))
ALL_CHANNELS: frozenset[str] = frozenset({"call", "sms"})


@dataclass(frozen=True)
class Source:
    """Where a setting comes from: the citation, a confidence (H/M/L, RULES.md) and a note."""

    citation: str
    confidence: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Range:
    """Allowed local hours on some weekdays: [start, end) in seconds after local midnight.

    `kinds` limits the range to number kinds (mobile/landline/work; None = every kind);
    `channels` to call/sms.
    """

    days: frozenset[int]
    start: int
    end: int
    kinds: frozenset[str] | None = None
    channels: frozenset[str] = ALL_CHANNELS

    def applies(self, kind: str | None, channel: str) -> bool:
        return channel in self.channels and (self.kinds is None or kind is None or kind in self.kinds)


@dataclass(frozen=True)
class WindowRule:
    """Contact only inside one of the applicable ranges, in every candidate zone."""

    ranges: tuple[Range, ...]
    source: Source


@dataclass(frozen=True)
class HolidayRule:
    """No contact on a public holiday of `country` (and `subdiv`) in callee-local date."""

    country: str
    subdiv: str | None
    channels: frozenset[str]
    source: Source


@dataclass(frozen=True)
class CapRule:
    """At most `max` counted attempts in `window`, within `scope`, for `channel` and `party`.

    `relations` limits third-party requests and attempts to contacts of those relations (debtor
    ones are unaffected); `consent_days` (when set) lets the debtor's direct prior consent lift
    the cap for at most that many local days after it was given (Reg F 1006.14(b)(3)(i)).
    """

    id: str
    scope: Scope
    channel: CapChannel
    party: CapParty
    counts: Counts
    max: int
    window: Span
    kinds: frozenset[str] | None
    source: Source
    relations: frozenset[str] | None = None
    consent_days: int | None = None

    @property
    def rule(self) -> str:
        return f"caps.{self.id}"


@dataclass(frozen=True)
class CoolOffRule:
    """After a conversation with the debtor, no contact on `channels` for `days` local days.

    `inbound`: whether a telephone conversation the debtor started counts too; `consent_days`
    as for caps.
    """

    days: int
    channels: frozenset[str]
    scope: Literal["debtor_case", "debtor"]
    source: Source
    inbound: bool = True
    consent_days: int | None = None


@dataclass(frozen=True)
class UnreachableRule:
    """Third parties only after `min_unanswered` unanswered debtor attempts within `window`.

    Only attempts on `channels` whose reported result is one of `results` count (a call that
    rang out unanswered, by default): an SMS or a busy signal says nothing about reachability.
    """

    min_unanswered: int
    window: Span
    source: Source
    channels: frozenset[str] = frozenset({"call"})
    results: frozenset[str] = frozenset({"no_answer"})


@dataclass(frozen=True)
class ThirdPartyRule:
    """Whether registered contacts may be contacted, which relations, and by SMS."""

    allowed: bool
    relations: frozenset[str]
    sms: bool
    unreachable: UnreachableRule | None
    source: Source


@dataclass(frozen=True)
class SmsLengthRule:
    max_chars: int
    source: Source


@dataclass(frozen=True)
class OptOutRule:
    """The SMS body must contain one of `phrases` (compared case-insensitively, spaces collapsed)."""

    phrases: tuple[str, ...]
    source: Source


@dataclass(frozen=True)
class SmsContentRule:
    """Screen SMS bodies with the shared lexicon matcher (`policies.screening.screen`)."""

    languages: tuple[str, ...] | None
    source: Source


@dataclass(frozen=True)
class SmsRepliesRule:
    """What a reply to an SMS means under this pack: `stop` words cease SMS to the number they
    came from (besides callwarden's own list, `policies/replies.toml`); `start` words lift such a
    cease only when `start_lifts` is true (and no other pack of the case says false)."""

    stop: tuple[str, ...]
    start: tuple[str, ...]
    start_lifts: bool
    source: Source


@dataclass(frozen=True)
class AssignmentRule:
    min_overdue_days: int
    source: Source


@dataclass(frozen=True)
class RetentionRule:
    days: int
    source: Source


@dataclass(frozen=True)
class TimezoneRule:
    """Which zones are candidates (`candidates`: ``"number"`` or ``"case"``, see
    `policies.candidates`) and what to do when none is known: use `fallback`, or fail closed."""

    fallback: str | None
    source: Source
    candidates: Literal["number", "case"] = "number"


@dataclass(frozen=True)
class AttorneyHold:
    """`facts.attorney_represented`: no contact with the debtor or third parties; contacts with
    relation ``attorney`` stay allowed."""

    source: Source


@dataclass(frozen=True)
class BankruptcyHold:
    """`facts.bankruptcy_filed_at`: no contact until `facts.bankruptcy_closed_at`; never again
    when `facts.bankruptcy_discharged` is true. With `discharged_only`, only the discharge holds
    (where a filing stays nothing by itself: Korea's stay is a court order, entered as a
    suspension), and `bankruptcy_discharged` holds without a filing date."""

    source: Source
    discharged_only: bool = False


@dataclass(frozen=True)
class DeceasedHold:
    """`facts.deceased`: only contacts with `relations` (the estate's representatives); other
    contacts only as location contacts under the pack's [third_party] rules when
    `location_contacts` is true."""

    relations: frozenset[str]
    location_contacts: bool
    source: Source


@dataclass(frozen=True)
class DisputeHold:
    """`facts.disputed_at`: no contact until `facts.dispute_verified_at`.

    The validation period starts when `facts.validation_notice_sent_at` was sent: the notice is
    taken as received `receipt_days` business days later (weekends and `calendar`'s public
    holidays excluded) and the period ends `validation_days` days after that. A dispute after
    the period holds contact only when `late_disputes` is true.
    """

    validation_days: int
    receipt_days: int
    calendar: str | None
    late_disputes: bool
    source: Source


@dataclass(frozen=True)
class SuspensionHold:
    """`facts.collection_suspended_until`: no contact until then (the whole day for a date)."""

    source: Source


@dataclass(frozen=True)
class Holds:
    """The contact holds a pack takes from case facts (a missing one: the pack has no say)."""

    attorney_represented: AttorneyHold | None = None
    bankruptcy_stay: BankruptcyHold | None = None
    debtor_deceased: DeceasedHold | None = None
    dispute_pending: DisputeHold | None = None
    collection_suspended: SuspensionHold | None = None

    def __bool__(self) -> bool:
        return any(
            h is not None
            for h in (
                self.attorney_represented,
                self.bankruptcy_stay,
                self.debtor_deceased,
                self.dispute_pending,
                self.collection_suspended,
            )
        )


@dataclass(frozen=True)
class Notes:
    """Notes for the dialer a pack attaches from case facts (they never deny)."""

    time_barred: Source | None = None


@dataclass(frozen=True)
class Expectation:
    """What an example's decision must be. None: not checked. `next_allowed_at` is checked when
    `check_next` (None then means "no next_allowed_at")."""

    allowed: bool
    codes: tuple[str, ...] | None = None
    rules: tuple[str, ...] | None = None
    notes: tuple[str, ...] | None = None
    zones: tuple[str, ...] | None = None
    check_next: bool = False
    next_allowed_at: datetime | None = None


@dataclass(frozen=True)
class Example:
    """A worked case with its expected decision (`[[examples]]`), run by `callwarden policy test`
    and by the test suite (`policies.examples.run_example`)."""

    name: str
    at: datetime
    request: ContactRequest
    case: Case
    history: tuple[Attempt, ...]
    expect: Expectation


@dataclass(frozen=True)
class Pack:
    """One validated pack. `ref` (``name@version``) is what decisions list."""

    name: str
    version: str
    jurisdiction: str
    title: str = ""
    description: str = ""
    file: str = ""
    timezone: TimezoneRule | None = None
    retention: RetentionRule | None = None
    window: WindowRule | None = None
    holidays: HolidayRule | None = None
    caps: tuple[CapRule, ...] = ()
    after_conversation: CoolOffRule | None = None
    third_party: ThirdPartyRule | None = None
    sms_length: SmsLengthRule | None = None
    sms_opt_out: OptOutRule | None = None
    sms_content: SmsContentRule | None = None
    sms_replies: SmsRepliesRule | None = None
    assignment: AssignmentRule | None = None
    holds: Holds = Holds()
    notes: Notes = Notes()
    # Packs this one relies on (loaded with it; a decision without them fails closed).
    requires: tuple[str, ...] = ()
    examples: tuple[Example, ...] = ()
    # SHA-256 (hex) of the pack file's bytes: which text decided.
    digest: str = ""
    # Derived at load: the longest look-back any rule needs, in days (None if only "ever" caps).
    lookback_days: float = field(default=0.0)

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def pinned(self) -> str:
        """``name@version#sha256:<digest>``: what decisions record."""
        return f"{self.ref}#sha256:{self.digest}" if self.digest else self.ref

    @property
    def candidates(self) -> str:
        return self.timezone.candidates if self.timezone else "number"

    @property
    def retention_days(self) -> int:
        """Days to keep recordings of cases under this pack (0 when the pack sets none)."""
        return self.retention.days if self.retention else 0

    @property
    def fallback_zone(self) -> str | None:
        return self.timezone.fallback if self.timezone else None
