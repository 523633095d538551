"""Contact holds and notes from case facts, per pack (`[holds.*]`, `[notes.*]`).

Each hold has its own reason code, rule (``<pack>/holds.<code>``) and citation:

- ``attorney_represented`` (`facts.attorney_represented`): no contact with the debtor or with
  third parties other than the debtor's attorney (a contact with relation ``attorney``);
- ``bankruptcy_stay`` (`facts.bankruptcy_filed_at`): no contact until
  `facts.bankruptcy_closed_at`; never again when `facts.bankruptcy_discharged`;
- ``debtor_deceased`` (`facts.deceased`): only the estate's representatives (relations the
  pack names); others only as location contacts when the pack allows them;
- ``dispute_pending`` (`facts.disputed_at`): no contact until `facts.dispute_verified_at`; a
  dispute after the validation period (from `facts.validation_notice_sent_at`) holds only when
  the pack says so;
- ``collection_suspended`` (`facts.collection_suspended_until`): no contact until then.

A dated fact given as a date covers the whole day in every candidate zone: a hold starts at the
earliest local midnight of its first day and lifts at the latest local midnight after its last.
Notes never deny: ``time_barred`` and an open ``validation_period`` tell the dialer what not to
say.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

from policies import reasons as rc
from policies.context import Context
from policies.pack import DisputeHold, Pack
from policies.public_holidays import holiday_name, us_legal_public_holiday
from policies.timefmt import rfc3339
from policies.types import FactDate, Note, Reason
from policies.zones import local_midnight, zone

__all__ = ["HoldCheck", "estate_representative", "hold_checks", "hold_notes", "validation_period_end"]


def _zones(zones: tuple[str, ...]) -> tuple[str, ...]:
    return zones or ("UTC",)


def starts(value: FactDate, zones: tuple[str, ...]) -> datetime:
    """The first instant a dated fact covers."""
    if isinstance(value, datetime):
        return value
    return min(local_midnight(value, zone(z)) for z in _zones(zones))


def ends(value: FactDate, zones: tuple[str, ...]) -> datetime:
    """The first instant after a dated fact (a date: after the whole day in every zone)."""
    if isinstance(value, datetime):
        return value
    return max(local_midnight(value + timedelta(days=1), zone(z)) for z in _zones(zones))


def _text(value: FactDate) -> str:
    if isinstance(value, datetime):
        return rfc3339(value)
    return value.isoformat()


class HoldCheck:
    """A hold over [start, end): None start = since ever, None end = until the facts change."""

    def __init__(
        self,
        code: str,
        rule: str,
        message: str,
        citation: str,
        now: datetime,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> None:
        self.start, self.end = start, end
        self.reason: Reason | None = None
        if self._holds(now):
            self.reason = Reason(code, rule, message, lifts_at=end, citation=citation)

    def _holds(self, t: datetime) -> bool:
        return (self.start is None or self.start <= t) and (self.end is None or t < self.end)

    def next_pass(self, t: datetime) -> datetime | None:
        return self.end if self._holds(t) else t


def _holiday(day: date, calendar: str | None) -> bool:
    if calendar is None:
        return False
    if calendar == "US":
        return us_legal_public_holiday(day) is not None
    return holiday_name(day, calendar, None) is not None


def _business_days_after(day: date, n: int, calendar: str | None) -> date:
    while n > 0:
        day += timedelta(days=1)
        if day.isoweekday() <= 5 and not _holiday(day, calendar):
            n -= 1
    return day


def validation_period_end(rule: DisputeHold, sent: FactDate, zones: tuple[str, ...]) -> datetime:
    """The end of the validation period that a notice sent at `sent` starts (12 CFR 1006.34(b)(5):
    it ends `validation_days` after the notice is received, and receipt may be assumed
    `receipt_days` business days after it was sent)."""
    if isinstance(sent, datetime):
        sent_day = max(sent.astimezone(zone(z)).date() for z in _zones(zones))
    else:
        sent_day = sent
    last = _business_days_after(sent_day, rule.receipt_days, rule.calendar) + timedelta(
        days=rule.validation_days
    )
    return ends(last, zones)


def estate_representative(pack: Pack, ctx: Context) -> bool:
    """Whether the request reaches the estate's representative of a deceased debtor, whom the pack
    treats as the consumer."""
    hold = pack.holds.debtor_deceased
    contact = ctx.callee.contact
    return (
        hold is not None
        and ctx.request.party == "third_party"
        and bool(ctx.case.facts.get("deceased"))
        and contact is not None
        and contact.relation in hold.relations
    )


def hold_checks(ctx: Context, pack: Pack, zones: tuple[str, ...]) -> list[HoldCheck]:
    """The pack's holds that apply to this request (each check objects while its hold lasts)."""
    holds, case, req, now = pack.holds, ctx.case, ctx.request, ctx.now
    facts, dates = case.facts, case.fact_dates
    relation = ctx.callee.contact.relation if ctx.callee.contact is not None else None
    third = req.party == "third_party"
    out: list[HoldCheck] = []
    n = pack.name

    attorney = holds.attorney_represented
    if attorney is not None and facts.get("attorney_represented") and (not third or relation != "attorney"):
        who = "other third parties" if third else "the debtor"
        out.append(
            HoldCheck(
                rc.ATTORNEY_REPRESENTED,
                f"{n}/holds.attorney_represented",
                f"the debtor is represented by an attorney: contact the attorney, not {who}",
                attorney.source.citation,
                now,
            )
        )

    if (b := holds.bankruptcy_stay) is not None and b.discharged_only:
        if facts.get("bankruptcy_discharged"):
            out.append(
                HoldCheck(
                    rc.BANKRUPTCY_STAY,
                    f"{n}/holds.bankruptcy_stay",
                    "the debt was discharged in insolvency proceedings; it may not be collected",
                    b.source.citation,
                    now,
                )
            )
    elif b is not None and (filed := dates.get("bankruptcy_filed_at")) is not None:
        start = starts(filed, zones)
        closed = dates.get("bankruptcy_closed_at")
        end = ends(closed, zones) if closed is not None else None
        if end is not None and end <= start:
            closed = end = None  # closed before this filing: an earlier case; this one is open
        if facts.get("bankruptcy_discharged"):
            message = f"bankruptcy filed {_text(filed)}: the debt was discharged; it may not be collected"
            end = None
        elif closed is not None:
            message = (
                f"bankruptcy filed {_text(filed)}: the automatic stay lasts until it closed ({_text(closed)})"
            )
        else:
            message = (
                f"bankruptcy filed {_text(filed)}: the automatic stay bars collection until the case closes"
            )
        out.append(
            HoldCheck(
                rc.BANKRUPTCY_STAY, f"{n}/holds.bankruptcy_stay", message, b.source.citation, now, start, end
            )
        )

    if (d := holds.debtor_deceased) is not None and facts.get("deceased"):
        estate = estate_representative(pack, ctx)
        location = third and d.location_contacts
        if not estate and not location:
            allowed = ", ".join(sorted(d.relations))
            out.append(
                HoldCheck(
                    rc.DEBTOR_DECEASED,
                    f"{n}/holds.debtor_deceased",
                    f"the debtor is deceased: contact only the estate's representative ({allowed})",
                    d.source.citation,
                    now,
                )
            )

    if (p := holds.dispute_pending) is not None and (disputed := dates.get("disputed_at")) is not None:
        start = starts(disputed, zones)
        sent = dates.get("validation_notice_sent_at")
        late = sent is not None and start >= validation_period_end(p, sent, zones)
        if not late or p.late_disputes:
            verified = dates.get("dispute_verified_at")
            end = ends(verified, zones) if verified is not None else None
            if end is not None and end <= start:
                end = None  # verified before this dispute: the new dispute is open
            out.append(
                HoldCheck(
                    rc.DISPUTE_PENDING,
                    f"{n}/holds.dispute_pending",
                    f"the debt was disputed on {_text(disputed)} and is not verified: collection "
                    "stops until verification is sent to the consumer",
                    p.source.citation,
                    now,
                    start,
                    end,
                )
            )

    if (s := holds.collection_suspended) is not None and (
        until := dates.get("collection_suspended_until")
    ) is not None:
        out.append(
            HoldCheck(
                rc.COLLECTION_SUSPENDED,
                f"{n}/holds.collection_suspended",
                f"collection is suspended until {_text(until)}",
                s.source.citation,
                now,
                None,
                ends(until, zones),
            )
        )
    return out


_HOLDS = "it does not hold this contact (add a pack that does, or an operator pack)"

# Each fact a hold or note reads: whether a pack applies it, and what its absence means. A
# discharge-only bankruptcy hold (kr-fdca) reads the discharge, not the filing (a probe).
_FACT_READERS: tuple[tuple[str, Callable[[Pack], bool], str], ...] = (
    ("attorney_represented", lambda p: p.holds.attorney_represented is not None, _HOLDS),
    (
        "bankruptcy_filed_at",
        lambda p: p.holds.bankruptcy_stay is not None and not p.holds.bankruptcy_stay.discharged_only,
        _HOLDS,
    ),
    ("bankruptcy_discharged", lambda p: p.holds.bankruptcy_stay is not None, _HOLDS),
    ("deceased", lambda p: p.holds.debtor_deceased is not None, _HOLDS),
    ("disputed_at", lambda p: p.holds.dispute_pending is not None, _HOLDS),
    ("collection_suspended_until", lambda p: p.holds.collection_suspended is not None, _HOLDS),
    ("time_barred", lambda p: p.notes.time_barred is not None, ""),
)


def unapplied_fact_notes(ctx: Context, packs: Sequence[Pack]) -> list[Note]:
    """A note for each fact set on the case that none of its packs applies: a suspension entered
    on a us-regf case held nothing and said nothing (a probe). The contact is not held by it."""
    case = ctx.case
    names = ", ".join(p.name for p in packs)
    return [
        Note(
            rc.NOTE_FACT_NOT_APPLIED,
            "callwarden/facts",
            f"facts.{fact} is set, but none of the case's packs ({names}) "
            + (f"applies it: {consequence}" if consequence else "reads it"),
        )
        for fact, applies, consequence in _FACT_READERS
        if (case.facts.get(fact) or fact in case.fact_dates) and not any(applies(p) for p in packs)
    ]


def hold_notes(ctx: Context, pack: Pack, zones: tuple[str, ...]) -> list[Note]:
    """Notes the pack attaches from the case facts (time-barred debt, open validation period)."""
    case, now = ctx.case, ctx.now
    out: list[Note] = []
    if (tb := pack.notes.time_barred) is not None and case.facts.get("time_barred"):
        out.append(
            Note(
                rc.NOTE_TIME_BARRED,
                f"{pack.name}/notes.time_barred",
                "the debt is time-barred: do not sue or threaten to sue; SMS and transcripts treat a "
                f"suit threat as false_legal_threat ({tb.citation})",
            )
        )
    p = pack.holds.dispute_pending
    sent = case.fact_dates.get("validation_notice_sent_at")
    if p is not None and sent is not None and starts(sent, zones) <= now:
        end = validation_period_end(p, sent, zones)
        if now < end:
            out.append(
                Note(
                    rc.NOTE_VALIDATION_PERIOD,
                    f"{pack.name}/holds.dispute_pending",
                    "validation period open: the consumer may dispute the debt; nothing said may "
                    f"overshadow the validation notice ({p.source.citation})",
                    until=end,
                )
            )
    return out
