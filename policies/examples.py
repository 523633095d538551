"""Worked examples inside packs (`[[examples]]`): a case, a request, history and the expected
decision. `callwarden policy test` and the test suite run them, so a pack's text and its intended
behaviour cannot drift apart (in the spirit of `opa test`).

```toml
[[examples]]
name = "a 212 number is also judged in Denver when the debtor has a 303 landline"
at = "2026-11-24T14:30:00Z"          # when the request is decided (RFC 3339)
to = "+12125550123"                   # the request: to, channel (call), party (debtor),
channel = "call"                      # contact_id, body
case = { debtor = { phones = [{ number = "+12125550123" }, { number = "+13035550100" }] } }
history = [{ at = "2026-11-23T15:00:00Z", to = "+12125550123", result = "no_answer" }]
expect = { allowed = false, codes = ["outside_window"], next_allowed_at = "2026-11-24T15:00:00Z" }
```

`case` is a case in the API shape over these defaults: case and agency ids, the pack (with the
packs it requires), the region of `to`, 365 overdue days, and — when it lists none — the debtor's
only phone (or, for a third-party request, the only contact) is `to`. `history` lines are as in
`policy check --history`. `expect`: `allowed` (required); optionally `codes` (the reason codes,
in any order), `rules` (the rules that object, any order), `notes` (note codes that must be
present), `zones` (zones that must be candidates) and `next_allowed_at` (an instant, or "none").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import phonenumbers

from policies.pack import Example, Expectation, Pack
from policies.parse import attempt_from_json, case_from_json, normalise_phone, parse_instant
from policies.types import Agency, ContactRequest, Decision, PolicyInputError
from policies.validation import PackError, Table

__all__ = ["ExampleResult", "parse_examples", "run_example"]

EXAMPLE_AGENCY = "example-agency"
EXAMPLE_CASE = "example-case"
_REQUEST_KEYS = ("to", "channel", "party", "contact_id", "body")


def _codes(t: Table, name: str) -> tuple[str, ...] | None:
    values = t.strings(name)
    if values is None and t.has(name) and t.raw.get(name) == []:
        return ()
    return tuple(values) if values is not None else None


def _expectation(t: Table) -> Expectation:
    allowed = t.get("allowed")
    if not isinstance(allowed, bool):
        raise t.error("allowed", "is required: true or false")
    check_next = t.has("next_allowed_at")
    nxt: datetime | None = None
    raw = t.get("next_allowed_at")
    if check_next and raw != "none":
        try:
            nxt = parse_instant(raw, "next_allowed_at")
        except PolicyInputError as exc:
            raise t.error("next_allowed_at", f'{exc.message} (or "none")') from None
    out = Expectation(
        allowed=allowed,
        codes=_codes(t, "codes"),
        rules=_codes(t, "rules"),
        notes=_codes(t, "notes"),
        zones=_codes(t, "zones"),
        check_next=check_next,
        next_allowed_at=nxt,
    )
    t.done()
    return out


def _case_doc(
    pack: Pack, raw: Mapping[str, Any], to: str, party: str, contact_id: str | None
) -> dict[str, Any]:
    region = phonenumbers.region_code_for_number(phonenumbers.parse(to, None)) or "US"
    doc: dict[str, Any] = {
        "agency_id": EXAMPLE_AGENCY,
        "packs": [pack.name],
        "region": region,
        "overdue_days": 365,
    }
    doc.update({k: v for k, v in raw.items() if k != "debtor"})
    debtor = dict(raw.get("debtor") or {})
    if party == "debtor" and not debtor.get("phones"):
        debtor["phones"] = [{"number": to}]
    doc["debtor"] = debtor
    if party == "third_party" and not doc.get("contacts"):
        doc["contacts"] = [{"contact_id": contact_id or "k1", "relation": "other", "number": to}]
    return doc


def _example(pack: Pack, t: Table) -> Example:
    name = t.string("name", required=True)
    assert name is not None
    try:
        at = parse_instant(t.get("at"), "at")
    except PolicyInputError as exc:
        raise t.error("at", exc.message) from None
    fields = {k: t.get(k) for k in _REQUEST_KEYS}
    try:
        to = normalise_phone(fields["to"], None, "to")
    except PolicyInputError as exc:
        raise t.error("to", exc.message + " (use E.164)") from None
    party = fields["party"] or "debtor"
    channel = fields["channel"] or "call"
    if party not in ("debtor", "third_party"):
        raise t.error("party", f"{party!r} is not one of debtor, third_party")
    if channel not in ("call", "sms"):
        raise t.error("channel", f"{channel!r} is not one of call, sms")
    raw_case = t.get("case") or {}
    if not isinstance(raw_case, Mapping):
        raise t.error("case", "expected a table (a case in the API shape)")
    contact_id = fields["contact_id"]
    doc = _case_doc(pack, raw_case, to, party, contact_id if isinstance(contact_id, str) else None)
    try:
        case = case_from_json(doc, Agency(EXAMPLE_AGENCY), EXAMPLE_CASE)
    except PolicyInputError as exc:
        raise t.error(f"case.{exc.field}", exc.message) from None
    if party == "third_party" and contact_id is None:
        contact_id = next((c.contact_id for c in case.contacts if c.number == to), None)
    history = []
    for i, line in enumerate(t.get("history") or []):
        if not isinstance(line, Mapping):
            raise t.error(f"history[{i}]", "expected a table (an attempt)")
        ids = {"case_id": case.case_id, "debtor_id": case.debtor_id, "agency_id": EXAMPLE_AGENCY}
        try:
            history.append(attempt_from_json({**ids, **line}, case.region))
        except PolicyInputError as exc:
            raise t.error(f"history[{i}].{exc.field}", exc.message) from None
    expect = t.table("expect")
    if expect is None:
        raise t.error("expect", "is required: { allowed = true|false, ... }")
    request = ContactRequest(
        case_id=case.case_id,
        agency_id=EXAMPLE_AGENCY,
        to=to,
        channel=cast(Any, channel),
        party=cast(Any, party),
        contact_id=cast(Any, contact_id),
        body=cast(Any, fields["body"]),
    )
    t.done()
    return Example(name, at, request, case, tuple(history), _expectation(expect))


def parse_examples(pack: Pack, tables: Sequence[Table]) -> tuple[Example, ...]:
    """Build a pack's `[[examples]]` (PackError names the example's key on any problem)."""
    out = []
    names: set[str] = set()
    for t in tables:
        example = _example(pack, t)
        if example.name in names:
            raise PackError(t.file, t.key("name"), f"duplicate example name {example.name!r}")
        names.add(example.name)
        out.append(example)
    return tuple(out)


@dataclass(frozen=True)
class ExampleResult:
    """One example run: `problems` is empty when the decision is as expected."""

    pack: str
    example: Example
    decision: Decision
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.problems


def _iso(at: datetime | None) -> str:
    return "none" if at is None else at.isoformat().replace("+00:00", "Z")


def run_example(pack: Pack, example: Example, packs: Sequence[Pack]) -> ExampleResult:
    """Evaluate an example with `packs` (the pack and those it requires) and compare."""
    from dataclasses import replace

    from policies.engine import evaluate

    case = replace(example.case, packs=tuple(p.name for p in packs))
    d = evaluate(example.request, case, example.history, packs, example.at)
    e = example.expect
    problems = []
    if d.allowed != e.allowed:
        problems.append(f"allowed: expected {e.allowed}, got {d.allowed}")
    if e.codes is not None and sorted(e.codes) != sorted(r.code for r in d.reasons):
        problems.append(f"codes: expected {sorted(e.codes)}, got {sorted(r.code for r in d.reasons)}")
    if e.rules is not None and sorted(e.rules) != sorted(r.rule for r in d.reasons):
        problems.append(f"rules: expected {sorted(e.rules)}, got {sorted(r.rule for r in d.reasons)}")
    if e.notes is not None:
        got = {n.code for n in d.notes}
        missing = [n for n in e.notes if n not in got]
        if missing or (not e.notes and got):
            problems.append(f"notes: expected {list(e.notes)}, got {sorted(got)}")
    if e.zones is not None:
        got_zones = [lt.zone for lt in d.local_times]
        missing = [z for z in e.zones if z not in got_zones]
        if missing:
            problems.append(f"zones: {missing} not among the candidates {got_zones}")
    if e.check_next and d.next_allowed_at != e.next_allowed_at:
        problems.append(f"next_allowed_at: expected {_iso(e.next_allowed_at)}, got {_iso(d.next_allowed_at)}")
    return ExampleResult(pack.name, example, d, tuple(problems))
