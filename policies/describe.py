"""A pack's settings in words, each with its source — for `callwarden policy show` and the console."""

from __future__ import annotations

from dataclasses import dataclass

from policies.pack import CapRule, Pack, Source
from policies.windows import describe_ranges

__all__ = ["Setting", "describe_pack"]


@dataclass(frozen=True)
class Setting:
    """One rule of a pack: its name in reasons (``pack/rule``), what it says, and where it comes from."""

    rule: str
    summary: str
    source: Source


def _channels(channels: frozenset[str]) -> str:
    return "calls and SMS" if len(channels) > 1 else ("calls" if "call" in channels else "SMS")


def _cap_summary(cap: CapRule) -> str:
    channel = "" if cap.channel == "any" else f"{cap.channel} "
    kinds = f" to {'/'.join(sorted(cap.kinds))} numbers" if cap.kinds else ""
    party = "" if cap.party == "any" else f" ({cap.party} attempts)"
    relations = f", third parties: {', '.join(sorted(cap.relations))}" if cap.relations else ""
    consent = f"; direct prior consent lifts it for {cap.consent_days} local days" if cap.consent_days else ""
    counted = "attempts (busy and failed too)" if cap.counts == "all" else cap.counts
    return (
        f"at most {cap.max} {channel}{counted}{kinds} per {cap.scope}{party}{relations} in "
        f"{cap.window.spelling}{consent}"
    )


def describe_pack(pack: Pack) -> list[Setting]:
    out: list[Setting] = []
    n = pack.name

    def add(rule: str, summary: str, source: Source) -> None:
        out.append(Setting(f"{n}/{rule}", summary, source))

    if pack.timezone is not None:
        what = (
            "candidate zones: every number on the case (its own zone, else its prefix's and NANP area "
            "code's), debtor.timezone and debtor.address"
            if pack.timezone.candidates == "case"
            else "candidate zones: the dialled number's (plus debtor.timezone for the debtor's numbers)"
        )
        what += (
            f"; none known → use {pack.timezone.fallback}"
            if pack.timezone.fallback
            else "; none known → deny (timezone_unknown)"
        )
        add("timezone", what, pack.timezone.source)
    if pack.window is not None:
        add(
            "window",
            f"contact only {describe_ranges(pack.window.ranges)}, callee-local, in every candidate zone",
            pack.window.source,
        )
    if pack.holidays is not None:
        h = pack.holidays
        where = h.country + (f"-{h.subdiv}" if h.subdiv else "")
        add(
            "holidays",
            f"no {_channels(h.channels)} on public holidays of {where} (callee-local date)",
            h.source,
        )
    for cap in pack.caps:
        add(cap.rule, _cap_summary(cap), cap.source)
    if pack.after_conversation is not None:
        c = pack.after_conversation
        add(
            "after_conversation",
            f"after a conversation with the debtor, no {_channels(c.channels)} on the same "
            f"{'case' if c.scope == 'debtor_case' else 'debtor'} for {c.days} local days (its day = day 1); "
            f"a conversation the debtor started {'counts' if c.inbound else 'does not count'}"
            + (f"; direct prior consent lifts it for {c.consent_days} local days" if c.consent_days else ""),
            c.source,
        )
    if pack.third_party is not None:
        t = pack.third_party
        if t.allowed:
            what = (
                f"registered contacts only ({', '.join(sorted(t.relations))}); "
                f"SMS {'allowed' if t.sms else 'denied'}"
            )
        else:
            what = "no third-party contact"
        add("third_party", what, t.source)
        if t.unreachable is not None:
            u = t.unreachable
            add(
                "third_party.unreachable",
                f"third parties only after ≥ {u.min_unanswered} debtor {'/'.join(sorted(u.channels))} "
                f"attempts reported {'/'.join(sorted(u.results))} and no conversation in {u.window.spelling}",
                u.source,
            )
    if pack.sms_length is not None:
        add("sms.length", f"SMS at most {pack.sms_length.max_chars} characters", pack.sms_length.source)
    if pack.sms_opt_out is not None:
        phrases = " / ".join(repr(p) for p in pack.sms_opt_out.phrases)
        add("sms.opt_out", f"every SMS contains one of {phrases}", pack.sms_opt_out.source)
    if pack.sms_content is not None:
        langs = ", ".join(pack.sms_content.languages) if pack.sms_content.languages else "all languages"
        add("sms.content", f"SMS screened by lexicon and semantic model ({langs})", pack.sms_content.source)
    if pack.assignment is not None:
        add(
            "assignment",
            f"cases outsourced only after ≥ {pack.assignment.min_overdue_days} overdue days",
            pack.assignment.source,
        )
    holds = pack.holds
    if holds.attorney_represented is not None:
        add(
            "holds.attorney_represented",
            "facts.attorney_represented → no contact with the debtor or third parties; the attorney contact "
            "is allowed",
            holds.attorney_represented.source,
        )
    if holds.bankruptcy_stay is not None:
        add(
            "holds.bankruptcy_stay",
            "facts.bankruptcy_filed_at → no contact until facts.bankruptcy_closed_at "
            "(never after a discharge)",
            holds.bankruptcy_stay.source,
        )
    if holds.debtor_deceased is not None:
        d = holds.debtor_deceased
        others = "others as location contacts" if d.location_contacts else "no one else"
        add(
            "holds.debtor_deceased",
            f"facts.deceased → only {', '.join(sorted(d.relations))}; {others}",
            d.source,
        )
    if holds.dispute_pending is not None:
        dp = holds.dispute_pending
        add(
            "holds.dispute_pending",
            f"facts.disputed_at → no contact until facts.dispute_verified_at; validation period "
            f"{dp.validation_days} days after receipt ({dp.receipt_days} business days after sending"
            f"{', ' + dp.calendar + ' holidays excluded' if dp.calendar else ''}); disputes after it "
            f"{'hold too' if dp.late_disputes else 'do not hold'}",
            dp.source,
        )
    if holds.collection_suspended is not None:
        add(
            "holds.collection_suspended",
            "facts.collection_suspended_until → no contact until then",
            holds.collection_suspended.source,
        )
    if pack.notes.time_barred is not None:
        add(
            "notes.time_barred",
            "facts.time_barred → a note for the dialer: no suit or threat of suit",
            pack.notes.time_barred,
        )
    if pack.retention is not None:
        add("retention", f"keep call recordings {pack.retention.days} days", pack.retention.source)
    return out
