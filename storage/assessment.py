"""The agency assessment: the supervision scorecard (efficiency, quality, complaints) with money
(recovery and cost), the rates that compare agencies of different sizes, the month-over-month
trend and the ranking across agencies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from policies.parse import month_bounds
from storage.db import Database
from storage.finance import money_card
from storage.supervision import scorecard

__all__ = ["agency_ids", "assessment", "previous_months", "ranking", "trend"]


def _ratio(num: float, den: float, scale: float = 1.0, digits: int = 4) -> float | None:
    return round(scale * num / den, digits) if den else None


async def agency_ids(db: Database) -> list[str]:
    return [str(r["agency_id"]) for r in await db.fetchall("SELECT agency_id FROM agencies ORDER BY 1")]


async def assessment(db: Database, agency_id: str, month: str, now: datetime) -> dict[str, Any]:
    """The scorecard of `scorecard()` plus `cases`, `money` (per currency) and `rates`:

    - `right_party_contact_rate`: right-party contacts / attempts made;
    - `flags_per_100_conversations`: violations per 100 connected calls, by category;
    - `confirmed_per_100_conversations`: confirmed violations per 100 connected calls;
    - `complaints_per_1000_cases`: complaints received in the month per 1,000 cases assigned now.
    """
    card = await scorecard(db, agency_id, month, now)
    start, end = month_bounds(month)
    card["money"] = await money_card(db, agency_id, start.date(), end.date())
    row = await db.fetchone("SELECT count(*) AS n FROM cases WHERE agency_id = :a", {"a": agency_id})
    cases = int(row["n"]) if row else 0
    card["cases"] = cases
    connected = card["attempts"]["connected_calls"]
    card["rates"] = {
        "right_party_contact_rate": _ratio(
            card["attempts"]["right_party_contacts"], card["attempts"]["made"]
        ),
        "flags_per_100_conversations": {
            cat: _ratio(n, connected, 100, 2) for cat, n in card["flags"]["by_category"].items()
        },
        "confirmed_per_100_conversations": _ratio(card["confirmed_violations"]["total"], connected, 100, 2),
        "complaints_per_1000_cases": _ratio(card["complaints"], cases, 1000, 2),
    }
    return card


def previous_months(month: str, count: int) -> list[str]:
    """`count` months ending with `month`, oldest first: ("2026-03", 3) → 2026-01, 02, 03."""
    start, _ = month_bounds(month)
    y, m = start.year, start.month
    out = []
    for _ in range(count):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


async def trend(
    db: Database, agency_id: str, month: str, now: datetime, months: int = 6
) -> list[dict[str, Any]]:
    """The assessments of the `months` months ending with `month`, oldest first."""
    return [await assessment(db, agency_id, m, now) for m in previous_months(month, months)]


def _key(card: dict[str, Any]) -> tuple[float, float, float]:
    # Fewest confirmed violations per conversation, then fewest complaints per case, then the best
    # recovery rate (of the agency's largest currency). Missing figures rank last.
    rates = card["rates"]
    confirmed = rates["confirmed_per_100_conversations"]
    complaints = rates["complaints_per_1000_cases"]
    recovery = max(
        (
            (m["assigned"], m["recovery_rate"])
            for m in card["money"].values()
            if m["recovery_rate"] is not None
        ),
        default=(None, None),
        key=lambda x: float(x[0]),
    )[1]
    return (
        confirmed if confirmed is not None else float("inf"),
        complaints if complaints is not None else float("inf"),
        -recovery if recovery is not None else float("inf"),
    )


async def ranking(
    db: Database, month: str, now: datetime, agency_scope: str | None = None
) -> list[dict[str, Any]]:
    """Every agency's assessment for the month, best first (see `_key`), each with its `rank`."""
    ids = [agency_scope] if agency_scope is not None else await agency_ids(db)
    cards = [await assessment(db, a, month, now) for a in ids]
    cards.sort(key=lambda c: (*_key(c), c["agency_id"]))
    for n, card in enumerate(cards, 1):
        card["rank"] = n
    return cards
