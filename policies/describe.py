"""A pack's settings in words, each with its source — for `callwarden policy show` and the console."""

from __future__ import annotations

from dataclasses import dataclass

from policies.pack import Pack, Source
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


def describe_pack(pack: Pack) -> list[Setting]:
    out: list[Setting] = []
    n = pack.name

    def add(rule: str, summary: str, source: Source) -> None:
        out.append(Setting(f"{n}/{rule}", summary, source))

    if pack.timezone is not None:
        what = (
            f"no zone known for a number → use {pack.timezone.fallback}"
            if pack.timezone.fallback
            else "no zone known for a number → deny (timezone_unknown)"
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
        channel = "" if cap.channel == "any" else f"{cap.channel} "
        kinds = f" to {'/'.join(sorted(cap.kinds))} numbers" if cap.kinds else ""
        party = "" if cap.party == "any" else f" ({cap.party} attempts)"
        add(
            cap.rule,
            f"at most {cap.max} {channel}{cap.counts}{kinds} per {cap.scope}{party} in {cap.window.spelling}",
            cap.source,
        )
    if pack.after_conversation is not None:
        c = pack.after_conversation
        add(
            "after_conversation",
            f"after a conversation with the debtor, no {_channels(c.channels)} on the same "
            f"{'case' if c.scope == 'debtor_case' else 'debtor'} for {c.days} local days (its day = day 1)",
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
                f"third parties only after ≥ {u.min_unanswered} reported unanswered debtor attempts and no "
                f"conversation in {u.window.spelling}",
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
    if pack.retention is not None:
        add("retention", f"keep call recordings {pack.retention.days} days", pack.retention.source)
    return out
