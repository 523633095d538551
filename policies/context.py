"""What one evaluation knows about the request, resolved once and shared by every rule."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from policies.types import Attempt, Case, Contact, ContactRequest, Phone
from policies.zones import candidate_zones

__all__ = ["Callee", "Context", "resolve_callee"]


@dataclass(frozen=True)
class Callee:
    """The number being contacted: its case entry (phone or contact), kind and candidate zones.

    `kind` is the API's number kind (mobile/landline/work); a registered contact's number is
    ``work`` when the relation is employer, else ``mobile``; None when the number is not on the case.
    """

    number: str
    kind: str | None
    zones: tuple[str, ...]
    phone: Phone | None = None
    contact: Contact | None = None


def resolve_callee(request: ContactRequest, case: Case) -> Callee:
    if request.party == "third_party":
        contact = next((c for c in case.contacts if c.contact_id == request.contact_id), None)
        if contact is not None and contact.number == request.to:
            kind = "work" if contact.relation == "employer" else "mobile"
            # The debtor's address says nothing about where a third party is.
            return Callee(
                request.to, kind, candidate_zones(request.to, contact.timezone, None), None, contact
            )
        return Callee(request.to, None, candidate_zones(request.to, None, None), None, contact)
    phone = next((p for p in case.phones if p.number == request.to), None)
    explicit = phone.timezone if phone else None
    zones = candidate_zones(request.to, explicit, case.debtor_timezone)
    return Callee(request.to, phone.kind if phone else None, zones, phone, None)


@dataclass
class Context:
    """The inputs of one evaluation plus derived lookups (built lazily, used by several rules).

    `history` holds the attempts since the packs' history horizon; `all_history` everything the
    caller passed (only caps on an ``ever`` window read it).
    """

    request: ContactRequest
    case: Case
    history: Sequence[Attempt]
    now: datetime
    callee: Callee
    all_history: Sequence[Attempt]
    _kinds: dict[str, str] | None = field(default=None, repr=False)

    def kind_of(self, number: str) -> str | None:
        """The kind of a number on the case (None when the case does not list it)."""
        if self._kinds is None:
            kinds = {c.number: ("work" if c.relation == "employer" else "mobile") for c in self.case.contacts}
            kinds.update({p.number: p.kind for p in self.case.phones})
            self._kinds = kinds
        return self._kinds.get(number)
