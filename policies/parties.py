"""Who may be contacted: the debtor's own numbers, and registered third parties per the packs.

- A debtor request must go to one of the case's phones (else `unknown_number`).
- A third-party request must name a contact registered on the case (`contact_id`) and go to that
  contact's number. At least one pack must allow third parties (a ``[third_party]`` section with
  ``allowed = true``); a pack without the section has no say. Each pack with the section decides
  which relations, whether by SMS (denied unless it says ``sms = true``), and whether the debtor
  must first be unreachable (N unanswered debtor attempts within a window, no conversation).
- A contact's refusal is recorded as a Cease with its `contact_id` (see `policies.standing`).
"""

from __future__ import annotations

from collections.abc import Sequence

from policies import reasons as rc
from policies.context import Context
from policies.pack import Pack, UnreachableRule
from policies.types import Reason
from policies.zones import candidate_zones

__all__ = ["debtor_zones", "party_reasons"]

_B = rc.BUILTIN


def debtor_zones(ctx: Context) -> tuple[str, ...]:
    """Every zone any of the debtor's numbers (or address) may be in — for debtor-wide windows."""
    out: list[str] = []
    case = ctx.case
    for phone in case.phones:
        for z in candidate_zones(phone.number, phone.timezone, case.debtor_timezone):
            if z not in out:
                out.append(z)
    if not out and case.debtor_timezone:
        out.append(case.debtor_timezone)
    return tuple(out)


def _unreachable(ctx: Context, rule: UnreachableRule, zones: tuple[str, ...]) -> tuple[int, bool]:
    """(debtor attempts in the window that rang out unanswered — on the rule's channels, with one
    of its results — and whether a conversation with the debtor happened, whoever started it)."""
    case = ctx.case
    start = rule.window.start(ctx.now, zones or ("UTC",))
    unanswered = 0
    for a in ctx.history:
        if a.party != "debtor" or a.debtor_id != case.debtor_id or a.result is None:
            continue
        if not rule.window.counts_at(a.at, start):
            continue
        if a.result == "connected" and a.spoke_with == "debtor":
            return unanswered, True
        if a.direction == "outbound" and a.channel in rule.channels and a.result in rule.results:
            unanswered += 1
    return unanswered, False


def party_reasons(ctx: Context, packs: Sequence[Pack]) -> list[Reason]:
    req, callee = ctx.request, ctx.callee
    out: list[Reason] = []
    if req.party == "debtor":
        if callee.phone is None:
            out.append(
                Reason(
                    rc.UNKNOWN_NUMBER,
                    f"{_B}/number",
                    f"{req.to} is not one of the debtor's numbers on the case",
                )
            )
        return out

    contact = callee.contact
    if contact is None:
        what = f"contact {req.contact_id!r}" if req.contact_id else "no contact_id"
        out.append(
            Reason(
                rc.THIRD_PARTY_NOT_ALLOWED,
                f"{_B}/contact",
                f"third-party contact needs a contact registered on the case ({what} is not)",
            )
        )
    elif contact.number != req.to:
        out.append(
            Reason(
                rc.UNKNOWN_NUMBER,
                f"{_B}/number",
                f"{req.to} is not the registered number of contact {contact.contact_id}",
            )
        )

    if not any(p.third_party is not None and p.third_party.allowed for p in packs):
        out.append(
            Reason(
                rc.THIRD_PARTY_NOT_ALLOWED,
                f"{_B}/third_party",
                "no pack of this case allows third-party contact",
            )
        )
    zones: tuple[str, ...] | None = None
    for pack in packs:
        rule = pack.third_party
        name = f"{pack.name}/third_party"
        if rule is None:
            continue  # this pack has no third-party rules (e.g. a state pack over a federal one)
        cite = rule.source.citation
        if not rule.allowed:
            out.append(
                Reason(
                    rc.THIRD_PARTY_NOT_ALLOWED,
                    name,
                    f"{pack.name} allows no third-party contact",
                    citation=cite,
                )
            )
            continue
        if contact is not None and contact.relation not in rule.relations:
            out.append(
                Reason(
                    rc.THIRD_PARTY_NOT_ALLOWED,
                    name,
                    f"{pack.name} does not allow contacting a debtor's {contact.relation}",
                    citation=cite,
                )
            )
        if req.channel == "sms" and not rule.sms:
            out.append(
                Reason(
                    rc.THIRD_PARTY_NOT_ALLOWED,
                    name,
                    f"{pack.name} allows no SMS to third parties",
                    citation=cite,
                )
            )
        if rule.unreachable is not None:
            if zones is None:
                zones = debtor_zones(ctx) or ((pack.fallback_zone,) if pack.fallback_zone else ())
            need = rule.unreachable
            unanswered, spoke = _unreachable(ctx, need, zones)
            if spoke or unanswered < need.min_unanswered:
                why = "a conversation with the debtor" if spoke else f"{unanswered} that rang out unanswered"
                what = "/".join(sorted(need.channels))
                out.append(
                    Reason(
                        rc.THIRD_PARTY_NOT_ALLOWED,
                        f"{name}.unreachable",
                        f"{pack.name} allows third parties only when the debtor is unreachable "
                        f"(≥ {need.min_unanswered} debtor {what} attempts reported "
                        f"{'/'.join(sorted(need.results))} and no conversation in "
                        f"{need.window.spelling}); found {why}",
                        citation=need.source.citation,
                    )
                )
    return out
