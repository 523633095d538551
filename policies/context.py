"""What one evaluation knows about the request, resolved once and shared by every rule."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from policies.candidates import Candidate, case_candidates, number_candidates
from policies.pack import Pack
from policies.types import Attempt, Case, Contact, ContactRequest, Phone

__all__ = ["Callee", "Context", "resolve_callee"]


@dataclass(frozen=True)
class Callee:
    """The number being contacted: its case entry (phone or contact), kind and the candidate
    zones of the "number" mode (`policies.candidates`), with why each is one.

    `kind` is the API's number kind (mobile/landline/work); a registered contact's number is
    ``work`` when the relation is employer, else ``mobile``; None when the number is not on the case.
    """

    number: str
    kind: str | None
    candidates: tuple[Candidate, ...]
    phone: Phone | None = None
    contact: Contact | None = None

    @property
    def zones(self) -> tuple[str, ...]:
        return tuple(c.zone for c in self.candidates)


def resolve_callee(request: ContactRequest, case: Case) -> Callee:
    if request.party == "third_party":
        contact = next((c for c in case.contacts if c.contact_id == request.contact_id), None)
        if contact is not None and contact.number == request.to:
            kind = "work" if contact.relation == "employer" else "mobile"
            # The debtor's address says nothing about where a third party is.
            label = f"contacts[{contact.contact_id}]"
            return Callee(
                request.to, kind, number_candidates(request.to, contact.timezone, label), None, contact
            )
        return Callee(
            request.to, None, number_candidates(request.to, None, "the dialled number"), None, contact
        )
    index = next((i for i, p in enumerate(case.phones) if p.number == request.to), None)
    phone = case.phones[index] if index is not None else None
    label = f"debtor.phones[{index}]" if index is not None else "the dialled number"
    cands = number_candidates(request.to, phone.timezone if phone else None, label, case.debtor_timezone)
    return Callee(request.to, phone.kind if phone else None, cands, phone, None)


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
    _case_candidates: tuple[Candidate, ...] | None = field(default=None, repr=False)

    def candidates(self, pack: Pack) -> tuple[Candidate, ...]:
        """The candidate zones `pack` judges this request in (its `[timezone] candidates`)."""
        if pack.candidates != "case":
            return self.callee.candidates
        if self._case_candidates is None:
            req = self.request
            third = req.party == "third_party"
            self._case_candidates = case_candidates(self.case, req.to, third, self.callee.contact)
        return self._case_candidates

    def relation_of(self, attempt: Attempt) -> str | None:
        """A third-party attempt's contact relation: as recorded, else from this case's contacts."""
        if attempt.relation is not None or attempt.party != "third_party":
            return attempt.relation
        if attempt.case_id != self.case.case_id:
            return None
        contact = next((c for c in self.case.contacts if c.contact_id == attempt.contact_id), None)
        return contact.relation if contact is not None else None

    def kind_of(self, number: str) -> str | None:
        """The kind of a number on the case (None when the case does not list it)."""
        if self._kinds is None:
            kinds = {c.number: ("work" if c.relation == "employer" else "mobile") for c in self.case.contacts}
            kinds.update({p.number: p.kind for p in self.case.phones})
            self._kinds = kinds
        return self._kinds.get(number)
