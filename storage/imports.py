"""Bulk imports of cases and payments by people (the console, the API): every row is validated
as the single-row endpoint validates it; good rows are stored, bad rows are reported with their
line and why, in one transaction (each row in its own savepoint, so a bad row leaves no trace)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import policies
from policies.errors import CallwardenError
from policies.parse import parse_id
from policies.types import PolicyInputError
from storage.cases import put_case_sync
from storage.db import Database
from storage.finance import (
    add_payment_sync,
    parse_amount,
    parse_currency,
    parse_day,
    set_balance_sync,
)

__all__ = ["ImportReport", "ImportRow", "import_case_rows", "import_payment_rows"]


@dataclass(frozen=True)
class ImportRow:
    """One parsed row: its line in the file and the JSON object it stands for (or the error that
    stopped it from being parsed)."""

    line: int
    doc: dict[str, Any] | None
    error: CallwardenError | None = None


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": len(self.errors),
            "errors": self.errors,
        }


def _error(line: int, ident: str | None, exc: CallwardenError) -> dict[str, Any]:
    return {
        "line": line,
        "id": ident,
        "error": exc.code,
        "field": exc.details.get("field"),
        "message": exc.message,
    }


def _rows(
    db: Database,
    rows: Sequence[ImportRow],
    store: Callable[[sqlite3.Connection, dict[str, Any]], bool | None],
    ident: Callable[[dict[str, Any]], str | None],
) -> Any:
    def write(conn: sqlite3.Connection) -> ImportReport:
        report = ImportReport()
        for row in rows:
            if row.doc is None:
                assert row.error is not None
                report.errors.append(_error(row.line, None, row.error))
                continue
            conn.execute("SAVEPOINT import_row")
            try:
                created = store(conn, row.doc)
            except CallwardenError as exc:
                conn.execute("ROLLBACK TO import_row")
                conn.execute("RELEASE import_row")
                report.errors.append(_error(row.line, ident(row.doc), exc))
                continue
            conn.execute("RELEASE import_row")
            if created is None:
                report.unchanged += 1
            elif created:
                report.created += 1
            else:
                report.updated += 1
        return report

    return db.write(write)


async def import_case_rows(
    db: Database,
    rows: Sequence[ImportRow],
    resolve_packs: Callable[[Sequence[str]], object] = policies.load_packs,
    agency_scope: str | None = None,
) -> ImportReport:
    """Each row is a case body with `case_id` and optionally `balance: {amount, currency}`."""
    now = datetime.now(UTC)

    def store(conn: sqlite3.Connection, doc: dict[str, Any]) -> bool:
        case_id = doc.get("case_id")
        if not isinstance(case_id, str) or not case_id.strip():
            raise PolicyInputError("missing_field", "case_id", "case_id is required")
        if agency_scope is not None and doc.get("agency_id") != agency_scope:
            raise PolicyInputError("invalid_field", "agency_id", f"agency_id must be {agency_scope}")
        balance = doc.get("balance")
        parsed = None
        if balance is not None:
            if not isinstance(balance, dict):
                raise PolicyInputError("invalid_field", "balance", "balance: {amount, currency}")
            currency = parse_currency(balance.get("currency"), "balance.currency")
            parsed = (
                parse_amount(balance.get("amount"), currency, "balance.amount", allow_zero=True),
                currency,
            )
        _, created = put_case_sync(conn, case_id.strip(), doc, resolve_packs)
        if parsed is not None:
            set_balance_sync(conn, case_id.strip(), parsed[0], parsed[1], now)
        return created

    report: ImportReport = await _rows(db, rows, store, lambda d: str(d.get("case_id") or "") or None)
    return report


async def import_payment_rows(
    db: Database, rows: Sequence[ImportRow], actor_key_id: str | None, agency_scope: str | None = None
) -> ImportReport:
    """Each row: `case_id, amount, currency, paid_on, reference?`. A row whose reference is already
    recorded with the same values counts as unchanged."""
    now = datetime.now(UTC)

    def store(conn: sqlite3.Connection, doc: dict[str, Any]) -> bool | None:
        case_id = doc.get("case_id")
        if not isinstance(case_id, str) or not case_id.strip():
            raise PolicyInputError("missing_field", "case_id", "case_id is required")
        parse_id(case_id.strip(), "case_id")
        currency = parse_currency(doc.get("currency"))
        amount = parse_amount(doc.get("amount"), currency)
        paid_on = parse_day(doc.get("paid_on"), "paid_on")
        if paid_on > now.date():
            raise PolicyInputError("invalid_field", "paid_on", "paid_on is in the future")
        ref = doc.get("reference") or None
        if ref is not None and not isinstance(ref, str):
            raise PolicyInputError("invalid_field", "reference", "reference: text")
        _, created = add_payment_sync(
            conn, case_id.strip(), amount, currency, paid_on, ref, "import", actor_key_id, agency_scope, now
        )
        return True if created else None

    report: ImportReport = await _rows(db, rows, store, lambda d: str(d.get("case_id") or "") or None)
    return report
