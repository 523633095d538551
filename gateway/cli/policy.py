"""`callwarden policy ...`: ask "would this contact be allowed, and why?" without a server.

    callwarden policy check --pack us-regf [--pack us-ma] --to +12085550100 --at 2026-11-28T15:30:00Z
        [--case FILE.json] [--history FILE.jsonl] [--channel call|sms] [--body TEXT] [--json]
    callwarden policy list [--json]
    callwarden policy show NAME|FILE
    callwarden policy validate FILE [FILE ...]
    callwarden policy test [NAME|FILE ...]

`gateway.cli.main` calls `add_commands(subparsers)`; every handler takes the parsed args and
returns the exit status (`check`: 0 allowed, 1 denied, 2 bad input; `validate`: 0 valid, 1 not;
`test`: 0 every example as expected, 1 not).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

import phonenumbers

import policies
from policies.describe import describe_pack
from policies.examples import run_example
from policies.pack import Pack
from policies.parse import agency_from_json, attempt_from_json, case_from_json, normalise_phone, parse_instant
from policies.timefmt import rfc3339
from policies.types import (
    NUMBER_KINDS,
    RELATIONS,
    Agency,
    Attempt,
    Case,
    Contact,
    ContactRequest,
    Decision,
    Phone,
    PolicyInputError,
)
from policies.zones import checked_zone

__all__ = ["add_commands"]

CLI_AGENCY = "cli-agency"
CLI_CASE = "cli-case"


class _InputError(Exception):
    """A problem with the command's input files or flags (exit status 2)."""


def add_commands(subparsers: Any) -> None:
    """Add the ``policy`` command (check, list, show, validate) to a main parser's subparsers."""
    p = subparsers.add_parser(
        "policy", help="check contacts against policy packs; list, show, validate packs"
    )
    sub = p.add_subparsers(dest="policy_command", required=True, metavar="ACTION")

    c = sub.add_parser(
        "check",
        help="would this contact be allowed, and why?",
        description="Evaluate one contact request against policy packs and print the decision. "
        "Exit status: 0 allowed, 1 denied, 2 bad input.",
    )
    c.add_argument("--pack", action="append", default=[], metavar="NAME", help="bundled pack (repeatable)")
    c.add_argument(
        "--pack-file", action="append", default=[], metavar="FILE", help="pack TOML file (repeatable)"
    )
    c.add_argument("--to", required=True, help="number to contact (E.164, or national with the case region)")
    c.add_argument("--at", help="instant to decide at, RFC 3339 (default: now)")
    c.add_argument("--case", metavar="FILE.json", help="case in the API shape (PUT /v1/cases/{id} body)")
    c.add_argument("--history", metavar="FILE.jsonl", help="prior attempts, one JSON object per line")
    c.add_argument("--channel", choices=["call", "sms"], default="call")
    c.add_argument("--body", help="SMS text (screened when --channel sms)")
    c.add_argument("--party", choices=["debtor", "third_party"], default="debtor")
    c.add_argument("--contact", metavar="CONTACT_ID", help="contact_id for --party third_party")
    c.add_argument("--agency", help="requesting agency (default: the case's)")
    c.add_argument("--kind", choices=NUMBER_KINDS, default="mobile", help="number kind when no --case")
    c.add_argument("--relation", choices=RELATIONS, default="other", help="contact relation when no --case")
    c.add_argument("--debtor-timezone", metavar="ZONE", help="debtor's address zone when no --case")
    c.add_argument("--overdue-days", type=int, default=30, help="overdue days when no --case (default 30)")
    c.add_argument("--json", action="store_true", help="print the decision as JSON (Decision.to_json())")
    c.set_defaults(func=cmd_check)

    lst = sub.add_parser("list", help="list the bundled packs")
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.set_defaults(func=cmd_list)

    s = sub.add_parser("show", help="a pack's settings with their citations")
    s.add_argument("pack", metavar="NAME|FILE", help="bundled pack name or a pack TOML file")
    s.set_defaults(func=cmd_show)

    v = sub.add_parser("validate", help="validate pack files (exit 1 on the first problem of each)")
    v.add_argument("files", nargs="+", metavar="FILE")
    v.set_defaults(func=cmd_validate)

    t = sub.add_parser(
        "test",
        help="run the packs' [[examples]] and compare each decision with the expected one",
        description="Run every [[examples]] entry of the named packs (default: all bundled packs). "
        "Exit status: 0 all as expected, 1 a difference or a bad pack.",
    )
    t.add_argument("packs", nargs="*", metavar="NAME|FILE", help="bundled pack name or a pack TOML file")
    t.set_defaults(func=cmd_test)


# --- check ------------------------------------------------------------------------------------


def _read_json(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise _InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise _InputError(f"{path}: not valid JSON: {exc}") from None


def _load_case(path: str) -> Case:
    doc = _read_json(path)
    if not isinstance(doc, dict):
        raise _InputError(f"{path}: expected a JSON object")
    agency_doc = doc.get("agency")
    agency_id = str(doc.get("agency_id") or (agency_doc or {}).get("agency_id") or CLI_AGENCY)
    agency = agency_from_json(agency_doc, agency_id) if isinstance(agency_doc, dict) else Agency(agency_id)
    try:
        return case_from_json(doc, agency, str(doc.get("case_id") or CLI_CASE))
    except PolicyInputError as exc:
        raise _InputError(f"{path}: {exc.message}") from None


def _load_history(path: str, case: Case) -> list[Attempt]:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise _InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            doc = json.loads(line)
            if not isinstance(doc, dict):
                raise _InputError(f"{path}:{n}: expected a JSON object")
            # Lines without ids belong to the case being checked.
            doc = {
                "case_id": case.case_id,
                "debtor_id": case.debtor_id,
                "agency_id": case.agency.agency_id,
            } | doc
            out.append(attempt_from_json(doc, case.region))
        except json.JSONDecodeError as exc:
            raise _InputError(f"{path}:{n}: not valid JSON: {exc}") from None
        except PolicyInputError as exc:
            raise _InputError(f"{path}:{n}: {exc.message}") from None
    return out


def _packs(args: argparse.Namespace, case: Case | None) -> tuple[Pack, ...]:
    packs: list[Pack] = []
    try:
        if args.pack:
            packs.extend(policies.load_packs(args.pack))
        for f in args.pack_file:
            packs.append(policies.load_pack_file(f))
        if not packs and case is not None:
            packs.extend(policies.load_packs(case.packs))
    except policies.UnknownPack as exc:
        raise _InputError(f"{exc.message} (bundled: {', '.join(policies.available_packs())})") from None
    except policies.PackError as exc:
        raise _InputError(str(exc)) from None
    if not packs:
        raise _InputError("name at least one --pack (or --pack-file, or a --case that names packs)")
    return tuple(packs)


def _synthetic_case(args: argparse.Namespace, to: str, packs: Sequence[Pack]) -> Case:
    num = phonenumbers.parse(to, None)
    region = phonenumbers.region_code_for_number(num) or "US"
    contacts: tuple[Contact, ...] = ()
    phones: tuple[Phone, ...] = (Phone(to, args.kind),)
    if args.party == "third_party":
        contacts = (Contact(args.contact or "cli-contact", args.relation, to),)
        phones = ()
    return Case(
        case_id=CLI_CASE,
        agency=Agency(CLI_AGENCY),
        packs=tuple(p.name for p in packs),
        debtor_id="cli-debtor",
        region=region,
        overdue_days=args.overdue_days,
        debtor_timezone=args.debtor_timezone,
        phones=phones,
        contacts=contacts,
    )


def _build(
    args: argparse.Namespace,
) -> tuple[ContactRequest, Case, list[Attempt], tuple[Pack, ...], datetime]:
    case = _load_case(args.case) if args.case else None
    try:
        now = parse_instant(args.at, "--at") if args.at else datetime.now(UTC)
        to = normalise_phone(args.to, case.region if case else None, "--to")
    except PolicyInputError as exc:
        raise _InputError(exc.message) from None
    packs = _packs(args, case)
    if args.debtor_timezone:
        try:
            checked_zone(args.debtor_timezone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise _InputError(f"--debtor-timezone: unknown time zone {args.debtor_timezone!r}") from None
    if case is None:
        case = _synthetic_case(args, to, packs)
    else:
        case = replace(case, packs=tuple(p.name for p in packs))
    history = _load_history(args.history, case) if args.history else []
    contact_id = args.contact
    if args.party == "third_party" and contact_id is None:
        contact_id = next((c.contact_id for c in case.contacts if c.number == to), None)
    request = ContactRequest(
        case_id=case.case_id,
        agency_id=args.agency or case.agency.agency_id,
        to=to,
        channel=args.channel,
        party=args.party,
        contact_id=contact_id,
        body=args.body,
    )
    return request, case, history, packs, now


def _locally(at: datetime, decision: Decision) -> str:
    """An instant as wall-clock time in each candidate zone: 'Sat 08:00 America/Boise, ...'."""
    parts = [f"{at.astimezone(lt.at.tzinfo).strftime('%a %H:%M')} {lt.zone}" for lt in decision.local_times]
    return ", ".join(parts)


def format_decision(request: ContactRequest, decision: Decision) -> str:
    """The decision in plain words (what `policy check` prints without --json)."""
    verdict = "ALLOWED" if decision.allowed else "DENIED"
    who = "" if request.party == "debtor" else f" (third party {request.contact_id or '?'})"
    lines = [
        f"{verdict}: {request.channel} to {request.to}{who} at {rfc3339(decision.evaluated_at)}",
        f"packs: {', '.join(decision.packs) or '(none)'}",
    ]
    if decision.local_times:
        lines.append("callee local time:")
        width = max(len(lt.zone) for lt in decision.local_times)
        for lt in decision.local_times:
            lines.append(f"  {lt.zone:<{width}}  {lt.at.strftime('%a %Y-%m-%d %H:%M:%S %Z (UTC%z)')}")
            if lt.why:
                lines.append(f"  {'':<{width}}  candidate: {'; '.join(lt.why)}")
    else:
        lines.append("callee local time: unknown (no time zone known for this number)")
    if decision.reasons:
        lines.append("reasons:")
        for i, r in enumerate(decision.reasons, 1):
            lines.append(f"  {i}. {r.code} [{r.rule}]")
            lines.append(f"     {r.message}")
            if r.max is not None:
                lines.append(f"     cap: {r.used} used of max {r.max} in window {r.window}")
            if r.lifts_at is not None:
                lines.append(f"     lifts at {rfc3339(r.lifts_at)} ({_locally(r.lifts_at, decision)})")
            elif r.code in ("outside_window", "holiday", "cap_exceeded", "time_blocked_by_debtor"):
                lines.append("     does not lift with time")
    if decision.notes:
        lines.append("notes:")
        for note in decision.notes:
            until = f" (until {rfc3339(note.until)})" if note.until is not None else ""
            lines.append(f"  - {note.code} [{note.rule}]{until}")
            lines.append(f"    {note.message}")
    if decision.allowed:
        return "\n".join(lines)
    if decision.next_allowed_at is not None:
        nxt = decision.next_allowed_at
        lines.append(f"next allowed: {rfc3339(nxt)} ({_locally(nxt, decision)})")
    else:
        lines.append("next allowed: not by waiting — a reason above needs a person or a change of data")
    return "\n".join(lines)


def cmd_check(args: argparse.Namespace) -> int:
    try:
        request, case, history, packs, now = _build(args)
    except _InputError as exc:
        print(f"callwarden policy check: {exc}", file=sys.stderr)
        return 2
    decision = policies.evaluate(request, case, history, packs, now)
    if args.json:
        print(json.dumps(decision.to_json(), ensure_ascii=False, indent=2))
    else:
        print(format_decision(request, decision))
    return 0 if decision.allowed else 1


# --- list, show, validate ---------------------------------------------------------------------


def cmd_list(args: argparse.Namespace) -> int:
    packs = [policies.load_packs([name])[-1] for name in policies.available_packs()]
    if args.json:
        rows = [
            {
                "name": p.name,
                "version": p.version,
                "jurisdiction": p.jurisdiction,
                "title": p.title,
                "retention_days": p.retention_days,
                "requires": list(p.requires),
                "sha256": p.digest,
            }
            for p in packs
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    width = max(len(p.ref) for p in packs)
    for p in packs:
        print(f"{p.ref:<{width}}  {p.jurisdiction:<6} {p.title}")
    return 0


def _pack_arg(value: str) -> Pack:
    if value.endswith(".toml") or "/" in value:
        return policies.load_pack_file(value)
    return policies.load_packs([value])[-1]  # after the packs it requires


def cmd_show(args: argparse.Namespace) -> int:
    try:
        pack = _pack_arg(args.pack)
    except (policies.PackError, policies.UnknownPack) as exc:
        print(f"callwarden policy show: {exc}", file=sys.stderr)
        return 1
    print(f"{pack.ref} — {pack.title or pack.name} ({pack.jurisdiction})")
    if pack.description:
        print(pack.description)
    print(f"file: {pack.file}")
    print(f"sha256: {pack.digest}")
    if pack.requires:
        print(f"requires: {', '.join(pack.requires)}")
    if pack.examples:
        print(f"examples: {len(pack.examples)} (callwarden policy test {pack.name})")
    for s in describe_pack(pack):
        print()
        print(f"{s.rule}: {s.summary}")
        conf = f" [confidence {s.source.confidence}]" if s.source.confidence else ""
        print(f"  source: {s.source.citation}{conf}")
        if s.source.note:
            print(f"  note: {s.source.note}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    status = 0
    for f in args.files:
        try:
            pack = policies.load_pack_file(f)
        except policies.PackError as exc:
            print(str(exc), file=sys.stderr)
            status = 1
            continue
        print(f"{f}: ok ({pack.ref}, {len(describe_pack(pack))} settings)")
    return status


def cmd_test(args: argparse.Namespace) -> int:
    """Run the examples of each named pack (all bundled packs by default) with its requirements."""
    status = 0
    total = failed = 0
    for value in args.packs or policies.available_packs():
        try:
            pack = _pack_arg(value)
            packs = (*policies.load_packs(pack.requires), pack)
        except (policies.PackError, policies.UnknownPack) as exc:
            print(f"callwarden policy test: {exc}", file=sys.stderr)
            status = 1
            continue
        if not pack.examples:
            print(f"{pack.ref}: no examples")
            continue
        for example in pack.examples:
            result = run_example(pack, example, packs)
            total += 1
            if result.passed:
                print(f"ok    {pack.ref}: {example.name}")
                continue
            failed += 1
            status = 1
            print(f"FAIL  {pack.ref}: {example.name}")
            for problem in result.problems:
                print(f"        {problem}")
            for r in result.decision.reasons:
                print(f"        got {r.code} [{r.rule}]: {r.message}")
    print(f"{total - failed} passed, {failed} failed")
    return status
