"""A policy pack as frozen data: the rules of one jurisdiction (or lender), each with its source.

Packs are parsed and validated once, by `policies.loader`, from TOML under `policies/packs/`.
Every rule section carries the citation it encodes (`Source`). Rule names used in reasons are
``<pack>/<section>`` (``us-regf/window``, ``cn-gbt45251/caps.conversations-per-day``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from policies.spans import Span

__all__ = [
    "AssignmentRule",
    "CapRule",
    "CoolOffRule",
    "HolidayRule",
    "OptOutRule",
    "Pack",
    "Range",
    "RetentionRule",
    "SmsContentRule",
    "SmsLengthRule",
    "SmsRepliesRule",
    "Source",
    "ThirdPartyRule",
    "TimezoneRule",
    "UnreachableRule",
    "WindowRule",
]

Scope = Literal["debtor", "debtor_case", "number", "contact"]
CapChannel = Literal["call", "sms", "any"]
CapParty = Literal["debtor", "third_party", "any"]
Counts = Literal["attempts", "conversations", "unanswered"]

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
    """At most `max` counted attempts in `window`, within `scope`, for `channel` and `party`."""

    id: str
    scope: Scope
    channel: CapChannel
    party: CapParty
    counts: Counts
    max: int
    window: Span
    kinds: frozenset[str] | None
    source: Source

    @property
    def rule(self) -> str:
        return f"caps.{self.id}"


@dataclass(frozen=True)
class CoolOffRule:
    """After a conversation with the debtor, no contact on `channels` for `days` local days."""

    days: int
    channels: frozenset[str]
    scope: Literal["debtor_case", "debtor"]
    source: Source


@dataclass(frozen=True)
class UnreachableRule:
    """Third parties only after `min_unanswered` unanswered debtor attempts within `window`."""

    min_unanswered: int
    window: Span
    source: Source


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
    """What to do when no candidate zone is known: use `fallback`, or fail closed (None)."""

    fallback: str | None
    source: Source


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
    # Derived at load: the longest look-back any rule needs, in days (None if only "ever" caps).
    lookback_days: float = field(default=0.0)

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def retention_days(self) -> int:
        """Days to keep recordings of cases under this pack (0 when the pack sets none)."""
        return self.retention.days if self.retention else 0

    @property
    def fallback_zone(self) -> str | None:
        return self.timezone.fallback if self.timezone else None
