"""Money for the agency assessment: the balance each case was assigned with, payments received on
cases, and the commission rate of each agency contract.

Amounts are integers in the currency's minor unit (cents, fen; won and yen have none), so sums
are exact. A payment earns the commission rate of the agency's contract in force on the day it was
paid (the latest contract that started on or before that day, unless it had ended).
"""

from __future__ import annotations

import re
import secrets
import sqlite3
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import get_currency_precision, list_currencies

from policies.errors import Conflict, InputError
from storage.db import Database, NotFound, to_ts

__all__ = [
    "add_payment_sync",
    "format_minor",
    "list_contracts",
    "list_payments",
    "minor_units",
    "money_card",
    "parse_amount",
    "parse_currency",
    "parse_day",
    "parse_rate",
    "put_contract_sync",
    "set_balance_sync",
]

# Currency codes and their decimals come from Unicode CLDR (babel), not a table of our own: a
# probe stored payments in "XYZ", "BTC" and "NAN", which then fed the scorecard's money figures.
# Not money a debt is paid in: ISO 4217's codes for testing, for "no currency" and for metals.
_NOT_MONEY = frozenset({"XXX", "XTS", "XAU", "XAG", "XPD", "XPT"})
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
# A written amount is plain ASCII decimal: Decimal() also reads "1e5", "1_000" and other scripts'
# digits ("٣"), which a payment file should not mean (found by a probe; they fed recovery figures).
_AMOUNT = re.compile(r"^\d+(\.\d+)?$", re.ASCII)


# Read at import (CLDR's data file), not on the event loop.
_CURRENCIES = frozenset(list_currencies()) - _NOT_MONEY


def minor_units(currency: str) -> int:
    """The currency's decimals as written in practice (CLDR: USD 2, KRW 0, KWD 3)."""
    return int(get_currency_precision(currency))


def parse_currency(raw: Any, field: str = "currency") -> str:
    code = raw.strip().upper() if isinstance(raw, str) else ""
    if not _CURRENCY.match(code) or code not in _CURRENCIES:
        raise InputError(field, f"{field}: an ISO 4217 currency code such as USD or CNY")
    return code


def parse_amount(raw: Any, currency: str, field: str = "amount", allow_zero: bool = False) -> int:
    """A decimal amount (JSON number or string) in minor units; 400 for anything else."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise InputError(field, f"{field}: a decimal amount such as 125.50")
    if isinstance(raw, str) and not _AMOUNT.match(raw.strip()):
        raise InputError(field, f"{field}: a decimal amount such as 125.50 (digits and one point)")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise InputError(field, f"{field}: a decimal amount such as 125.50") from None
    digits = minor_units(currency)
    if not value.is_finite() or value < 0 or (value == 0 and not allow_zero):
        raise InputError(field, f"{field}: a {'non-negative' if allow_zero else 'positive'} amount")
    scaled = value.scaleb(digits)
    if scaled != scaled.to_integral_value():
        raise InputError(field, f"{field}: {currency} has {digits} decimals")
    if scaled >= 10**15:
        raise InputError(field, f"{field}: too large")
    return int(scaled)


def format_minor(amount: int, currency: str) -> str:
    """Minor units as a decimal string: 12550, USD → "125.50"."""
    digits = minor_units(currency)
    return str(Decimal(amount).scaleb(-digits).quantize(Decimal(1).scaleb(-digits)))


def parse_day(raw: Any, field: str) -> date:
    if not isinstance(raw, str) or not _DAY.match(raw.strip()):
        raise InputError(field, f"{field}: a date YYYY-MM-DD")
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise InputError(field, f"{field}: a date YYYY-MM-DD") from None


def parse_rate(raw: Any, field: str = "commission_rate") -> Decimal:
    """A commission rate: a fraction from 0 to 1 (0.18 is 18 % of what is recovered)."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise InputError(field, f"{field}: a fraction from 0 to 1, e.g. 0.18")
    try:
        rate = Decimal(str(raw).strip())
    except InvalidOperation:
        raise InputError(field, f"{field}: a fraction from 0 to 1, e.g. 0.18") from None
    if not rate.is_finite() or not Decimal(0) <= rate <= Decimal(1):
        raise InputError(field, f"{field}: a fraction from 0 to 1, e.g. 0.18")
    return rate


def set_balance_sync(
    conn: sqlite3.Connection, case_id: str, amount_minor: int, currency: str, now: datetime
) -> None:
    """Record the balance a case is assigned with (replacing an earlier one)."""
    conn.execute(
        "INSERT INTO case_balances (case_id, amount_minor, currency, updated_at)"
        " VALUES (:id, :amount, :currency, :now) ON CONFLICT (case_id) DO UPDATE SET"
        " amount_minor = :amount, currency = :currency, updated_at = :now",
        {"id": case_id, "amount": amount_minor, "currency": currency, "now": to_ts(now)},
    )


def put_contract_sync(
    conn: sqlite3.Connection,
    agency_id: str,
    starts_on: date,
    ends_on: date | None,
    rate: Decimal,
    now: datetime,
) -> None:
    """Record the commission rate of the agency's contract that starts on `starts_on`."""
    conn.execute(
        "INSERT INTO agency_contracts (agency_id, starts_on, ends_on, commission_rate, updated_at)"
        " VALUES (:agency, :start, :end, :rate, :now) ON CONFLICT (agency_id, starts_on) DO UPDATE SET"
        " ends_on = :end, commission_rate = :rate, updated_at = :now",
        {
            "agency": agency_id,
            "start": starts_on.isoformat(),
            "end": ends_on.isoformat() if ends_on else None,
            "rate": str(rate),
            "now": to_ts(now),
        },
    )


async def list_contracts(db: Database, agency_id: str) -> list[dict[str, Any]]:
    rows = await db.fetchall(
        "SELECT starts_on, ends_on, commission_rate, updated_at FROM agency_contracts"
        " WHERE agency_id = :a ORDER BY starts_on",
        {"a": agency_id},
    )
    return [dict(r) for r in rows]


def _payment_json(row: Any) -> dict[str, Any]:
    return {
        "payment_id": row["payment_id"],
        "case_id": row["case_id"],
        "agency_id": row["agency_id"],
        "amount": format_minor(int(row["amount_minor"]), row["currency"]),
        "currency": row["currency"],
        "paid_on": row["paid_on"],
        "reference": row["reference"],
        "source": row["source"],
        "actor_key_id": row["actor_key_id"],
        "created_at": row["created_at"],
    }


def add_payment_sync(
    conn: sqlite3.Connection,
    case_id: str,
    amount_minor: int,
    currency: str,
    paid_on: date,
    reference: str | None,
    source: str,
    actor_key_id: str | None,
    agency_scope: str | None,
    now: datetime,
) -> tuple[dict[str, Any], bool]:
    """Record a payment on a case (writer thread); returns (payment, created?). The same
    `reference` on the same case is the same payment (a retry); with another amount, a Conflict."""
    case = conn.execute("SELECT agency_id FROM cases WHERE case_id = :id", {"id": case_id}).fetchone()
    if case is None or (agency_scope is not None and case["agency_id"] != agency_scope):
        raise NotFound("case", case_id)
    if reference is not None:
        old = conn.execute(
            "SELECT * FROM payments WHERE case_id = :case AND reference = :ref",
            {"case": case_id, "ref": reference},
        ).fetchone()
        if old is not None:
            same = (old["amount_minor"], old["currency"], old["paid_on"]) == (
                amount_minor,
                currency,
                paid_on.isoformat(),
            )
            if not same:
                raise Conflict(
                    f"payment {reference!r} on case {case_id} is already recorded with other values",
                    {"payment_id": old["payment_id"]},
                )
            return _payment_json(old), False
    row = {
        "payment_id": "pay_" + secrets.token_hex(10),
        "case_id": case_id,
        "agency_id": case["agency_id"],
        "amount_minor": amount_minor,
        "currency": currency,
        "paid_on": paid_on.isoformat(),
        "reference": reference,
        "source": source,
        "actor_key_id": actor_key_id,
        "created_at": to_ts(now),
    }
    conn.execute(
        "INSERT INTO payments (payment_id, case_id, agency_id, amount_minor, currency, paid_on, reference,"
        " source, actor_key_id, created_at) VALUES (:payment_id, :case_id, :agency_id, :amount_minor,"
        " :currency, :paid_on, :reference, :source, :actor_key_id, :created_at)",
        row,
    )
    return _payment_json(row), True


async def list_payments(db: Database, case_id: str, agency_scope: str | None = None) -> list[dict[str, Any]]:
    case = await db.fetchone("SELECT agency_id FROM cases WHERE case_id = :id", {"id": case_id})
    if case is None or (agency_scope is not None and case["agency_id"] != agency_scope):
        raise NotFound("case", case_id)
    # With a scope, that agency's payments only (a reassigned case keeps the agency before's).
    rows = await db.fetchall(
        "SELECT * FROM payments WHERE case_id = :id"
        " AND (CAST(:agency AS TEXT) IS NULL OR agency_id = :agency) ORDER BY paid_on, created_at",
        {"id": case_id, "agency": agency_scope},
    )
    return [_payment_json(r) for r in rows]


def _rate_on(contracts: list[Any], day: str) -> Decimal | None:
    rate = None
    for c in contracts:  # ordered by starts_on
        if c["starts_on"] <= day and (c["ends_on"] is None or day <= c["ends_on"]):
            rate = Decimal(c["commission_rate"])
    return rate


async def money_card(db: Database, agency_id: str, start: date, end: date) -> dict[str, Any]:
    """Per currency, for payments dated in [start, end): the assigned balance of the agency's
    cases, what was recovered, the recovery rate (recovered / assigned), the commission earned
    and the cost per unit recovered (commission / recovered). Payments on days no contract
    covers are counted in `uncovered` (their commission is unknown, so the cost is not shown)."""
    p = {"a": agency_id, "s": start.isoformat(), "e": end.isoformat()}
    assigned = await db.fetchall(
        "SELECT b.currency, sum(b.amount_minor) AS total, count(*) AS n FROM case_balances b"
        " JOIN cases c ON c.case_id = b.case_id WHERE c.agency_id = :a GROUP BY b.currency",
        p,
    )
    pays = await db.fetchall(
        "SELECT currency, amount_minor, paid_on FROM payments"
        " WHERE agency_id = :a AND paid_on >= :s AND paid_on < :e",
        p,
    )
    contracts = await db.fetchall(
        "SELECT starts_on, ends_on, commission_rate FROM agency_contracts WHERE agency_id = :a"
        " ORDER BY starts_on",
        p,
    )
    out: dict[str, dict[str, Any]] = {}

    def entry(currency: str) -> dict[str, Any]:
        return out.setdefault(
            currency,
            {
                "assigned": 0,
                "cases_with_balance": 0,
                "recovered": 0,
                "payments": 0,
                "commission": Decimal(0),
                "uncovered": 0,
            },
        )

    for r in assigned:
        e = entry(r["currency"])
        e["assigned"], e["cases_with_balance"] = int(r["total"]), int(r["n"])
    for r in pays:
        e = entry(r["currency"])
        e["recovered"] += int(r["amount_minor"])
        e["payments"] += 1
        rate = _rate_on(list(contracts), r["paid_on"])
        if rate is None:
            e["uncovered"] += 1
        else:
            e["commission"] += Decimal(int(r["amount_minor"])) * rate
    result: dict[str, Any] = {}
    for currency, e in sorted(out.items()):
        scale = Decimal(1).scaleb(-minor_units(currency))
        commission = (e["commission"] * scale).quantize(scale)
        recovered = e["recovered"]
        result[currency] = {
            "assigned": format_minor(e["assigned"], currency),
            "cases_with_balance": e["cases_with_balance"],
            "recovered": format_minor(recovered, currency),
            "payments": e["payments"],
            "recovery_rate": round(recovered / e["assigned"], 4) if e["assigned"] else None,
            "commission": str(commission),
            "cost_per_unit_recovered": (
                round(float(e["commission"] / recovered), 4) if recovered and not e["uncovered"] else None
            ),
            "payments_without_contract": e["uncovered"],
        }
    return result
