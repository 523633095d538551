"""Builders for decision inputs: a case, a request, attempts, and packs from TOML text."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import policies
from policies.loader import parse_pack
from policies.pack import Pack
from policies.types import Agency, Attempt, Case, ContactRequest, Decision, Phone

BOISE = "+12085550100"  # America/Boise and America/Los_Angeles
NYC = "+16175550100"  # America/New_York
LA = "+14155550100"  # America/Los_Angeles
CN = "+8613800138000"  # Asia/Shanghai
KR = "+821012345678"  # Asia/Seoul
SATELLITE = "+870772001799"  # Inmarsat: no zone (Etc/Unknown)


def at(text: str) -> datetime:
    """'2026-11-28T15:30:00Z' (or with an offset) as an aware UTC datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def make_case(
    packs: Sequence[str] = ("us-regf",),
    phones: Sequence[Phone] | None = None,
    **kw: Any,
) -> Case:
    fields: dict[str, Any] = {
        "case_id": "c1",
        "agency": Agency("a1"),
        "packs": tuple(packs),
        "debtor_id": "d1",
        "phones": tuple(phones) if phones is not None else (Phone(NYC, "mobile"),),
        "overdue_days": 30,
    }
    fields.update(kw)
    return Case(**fields)


def make_request(to: str = NYC, channel: str = "call", **kw: Any) -> ContactRequest:
    fields: dict[str, Any] = {"case_id": "c1", "agency_id": "a1", "to": to, "channel": channel}
    fields.update(kw)
    return ContactRequest(**fields)


def attempt(when: str | datetime, to: str = NYC, **kw: Any) -> Attempt:
    """A prior attempt on case c1 of debtor d1 (override anything with keywords)."""
    fields: dict[str, Any] = {
        "attempt_id": f"att-{when}-{to}-{kw.get('result')}",
        "case_id": "c1",
        "debtor_id": "d1",
        "agency_id": "a1",
        "at": at(when) if isinstance(when, str) else when,
        "channel": "call",
        "to": to,
    }
    fields.update(kw)
    return Attempt(**fields)


def pack_from_toml(text: str, file: str = "test-pack.toml") -> Pack:
    return parse_pack(tomllib.loads(text), file)


def decide(
    now: str | datetime,
    *,
    packs: Sequence[str | Pack] = ("us-regf",),
    case: Case | None = None,
    request: ContactRequest | None = None,
    history: Iterable[Attempt] = (),
) -> Decision:
    """Evaluate with bundled pack names and/or Pack objects; the case names the same packs."""
    loaded: list[Pack] = []
    for p in packs:  # a bundled name brings the packs it requires (us-nyc: us-regf first)
        for pack in (p,) if isinstance(p, Pack) else policies.load_packs([p]):
            if pack.name not in [x.name for x in loaded]:
                loaded.append(pack)
    case = case or make_case()
    case = replace(case, packs=tuple(p.name for p in loaded))
    return policies.evaluate(
        request or make_request(),
        case,
        tuple(history),
        tuple(loaded),
        at(now) if isinstance(now, str) else now,
    )


def refs(d: Decision) -> tuple[str, ...]:
    """The decision's pack references without their digests (``us-regf@2``)."""
    return tuple(p.split("#", 1)[0] for p in d.packs)


def codes(d: Decision) -> list[str]:
    return [r.code for r in d.reasons]


def rules(d: Decision) -> list[str]:
    return [r.rule for r in d.reasons]
