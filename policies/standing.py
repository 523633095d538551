"""Whether the agency may work this case at all: packs, agency, assignment, case status, cease.

These rules hold whatever the packs say and are named ``callwarden/<rule>``; only the minimum
overdue days before outsourcing is pack data (``<pack>/assignment``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC

from policies import reasons as rc
from policies.context import Context
from policies.pack import Pack
from policies.timefmt import rfc3339
from policies.types import Reason

__all__ = ["standing_reasons"]

_B = rc.BUILTIN


def standing_reasons(ctx: Context, packs: Sequence[Pack]) -> list[Reason]:
    case, req, now = ctx.case, ctx.request, ctx.now
    out: list[Reason] = []

    names = {p.name for p in packs}
    missing = [n for n in case.packs if n not in names]
    if not packs or missing:
        what = ", ".join(missing) if missing else "no pack"
        out.append(
            Reason(rc.POLICY_UNAVAILABLE, f"{_B}/packs", f"policy pack unavailable for this case: {what}")
        )
    for pack in packs:
        # A pack that relies on another (us-nyc on us-regf) never decides without it.
        for required in pack.requires:
            if required not in names:
                out.append(
                    Reason(
                        rc.POLICY_UNAVAILABLE,
                        f"{_B}/packs",
                        f"{pack.name} requires {required}, which is not loaded",
                    )
                )

    agency = case.agency
    if agency.status != "active":
        out.append(
            Reason(rc.AGENCY_INACTIVE, f"{_B}/agency", f"agency {agency.agency_id} is {agency.status}")
        )
    today = now.astimezone(UTC).date()  # contract dates are UTC dates
    if agency.contract_start is not None and today < agency.contract_start:
        out.append(
            Reason(
                rc.AGENCY_INACTIVE,
                f"{_B}/agency.contract",
                f"agency {agency.agency_id}'s contract starts {agency.contract_start.isoformat()} (UTC date)",
            )
        )
    if agency.contract_end is not None and today > agency.contract_end:
        out.append(
            Reason(
                rc.AGENCY_INACTIVE,
                f"{_B}/agency.contract",
                f"agency {agency.agency_id}'s contract ended {agency.contract_end.isoformat()} (UTC date)",
            )
        )

    if req.agency_id != agency.agency_id:
        out.append(
            Reason(
                rc.CASE_NOT_ASSIGNED,
                f"{_B}/assignment",
                f"case {case.case_id} is assigned to another agency, not {req.agency_id}",
            )
        )
    if case.assigned_from is not None and now < case.assigned_from:
        out.append(
            Reason(
                rc.CASE_NOT_ASSIGNED,
                f"{_B}/assignment.period",
                f"assignment of case {case.case_id} starts {rfc3339(case.assigned_from)}",
            )
        )
    if case.assigned_until is not None and now >= case.assigned_until:
        out.append(
            Reason(
                rc.CASE_NOT_ASSIGNED,
                f"{_B}/assignment.period",
                f"assignment of case {case.case_id} ended {rfc3339(case.assigned_until)}",
            )
        )

    for pack in packs:
        rule = pack.assignment
        if rule is not None and case.overdue_days < rule.min_overdue_days:
            out.append(
                Reason(
                    rc.OVERDUE_TOO_SHORT,
                    f"{pack.name}/assignment",
                    f"case is {case.overdue_days} days overdue; {pack.name} outsources only after "
                    f"{rule.min_overdue_days}",
                    citation=rule.source.citation,
                )
            )

    if case.status != "active":
        out.append(Reason(rc.CASE_INACTIVE, f"{_B}/case_status", f"case {case.case_id} is {case.status}"))

    debtor_cease = next(
        (
            c
            for c in case.ceases
            if c.contact_id is None and req.channel in c.channels and c.number in (None, req.to)
        ),
        None,
    )
    # A refusal is the person's: it follows their number to a re-keyed contact and to another
    # agency's case (GB/T 45251: stop when a contact refuses; found by a probe).
    contact_cease = next(
        (
            c
            for c in case.ceases
            if c.contact_id is not None
            and (c.number == req.to or (not c.elsewhere and c.contact_id == req.contact_id))
        ),
        None,
    )
    for cease in (debtor_cease, contact_cease):
        if cease is None:
            continue
        if cease.contact_id is None:
            out.append(
                Reason(
                    rc.CEASED,
                    f"{_B}/cease",
                    f"the debtor asked to stop {req.channel} contact"
                    + (" to this number" if cease.number else "")
                    + f" on {rfc3339(cease.at)}",
                )
            )
        elif req.party == "third_party":
            # A third party's refusal blocks that contact for good, on every channel.
            whom = (
                "the person at this number"  # another case's contact: named by nothing of it
                if cease.elsewhere
                else f"contact {cease.contact_id}"
            )
            out.append(
                Reason(
                    rc.CEASED,
                    f"{_B}/cease.contact",
                    f"{whom} refused further contact on {rfc3339(cease.at)}",
                )
            )
    return out
