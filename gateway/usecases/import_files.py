"""Import files (CSV or JSON Lines) → rows for `storage.imports`, each with its line number.

JSON Lines: one JSON object per line, in the API's shape (a case body with `case_id`, optionally
`balance: {amount, currency}`; a payment `{case_id, amount, currency, paid_on, reference?}`).

CSV (UTF-8, a header row): flat columns. Cases: `case_id, agency_id, region, packs` (separated by
`;`), `overdue_days, debtor_name, debtor_id, debtor_timezone, phones` (`;`-separated numbers, all
mobile), `language, status, balance, currency`. Payments: `case_id, amount, currency, paid_on,
reference`. Empty cells are absent values.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from policies.types import PolicyInputError
from storage.imports import ImportRow

__all__ = ["FORMATS", "KINDS", "parse_import"]

FORMATS = ("csv", "jsonl")
KINDS = ("cases", "payments")
MAX_ROWS = 50_000


def _case_from_csv(cells: dict[str, str]) -> dict[str, Any]:
    doc: dict[str, Any] = {"case_id": cells.get("case_id", ""), "agency_id": cells.get("agency_id", "")}
    if cells.get("region"):
        doc["region"] = cells["region"]
    doc["packs"] = [p.strip() for p in cells.get("packs", "").split(";") if p.strip()]
    if cells.get("overdue_days"):
        try:
            doc["overdue_days"] = int(cells["overdue_days"])
        except ValueError:
            raise PolicyInputError("invalid_field", "overdue_days", "overdue_days: an integer") from None
    debtor: dict[str, Any] = {"name": cells.get("debtor_name", "")}
    if cells.get("debtor_id"):
        debtor["debtor_id"] = cells["debtor_id"]
    if cells.get("debtor_timezone"):
        debtor["timezone"] = cells["debtor_timezone"]
    debtor["phones"] = [
        {"number": n.strip(), "kind": "mobile"} for n in cells.get("phones", "").split(";") if n.strip()
    ]
    doc["debtor"] = debtor
    for name in ("language", "status"):
        if cells.get(name):
            doc[name] = cells[name]
    if cells.get("balance") or cells.get("currency"):
        doc["balance"] = {"amount": cells.get("balance", ""), "currency": cells.get("currency", "")}
    return doc


def _payment_from_csv(cells: dict[str, str]) -> dict[str, Any]:
    return {
        k: v for k, v in cells.items() if k in ("case_id", "amount", "currency", "paid_on", "reference") and v
    }


def _csv_rows(text: str, kind: str) -> list[ImportRow]:
    reader = csv.DictReader(io.StringIO(text))
    rows: list[ImportRow] = []
    try:
        if not reader.fieldnames or "case_id" not in [f.strip() for f in reader.fieldnames]:
            raise PolicyInputError("invalid_field", "file", "CSV: a header row naming case_id is required")
        convert = _case_from_csv if kind == "cases" else _payment_from_csv
        for cells in reader:
            lineno = reader.line_num
            clean = {str(k).strip(): (v or "").strip() for k, v in cells.items() if k is not None}
            try:
                rows.append(ImportRow(lineno, convert(clean)))
            except PolicyInputError as exc:
                rows.append(ImportRow(lineno, None, exc))
    except csv.Error as exc:
        # The reader cannot go on past a malformed line (a field over the csv module's limit was a
        # 500; found by a probe): the file is refused whole, before anything is stored. `line_num`
        # counts the lines read before the failing one.
        raise PolicyInputError("invalid_field", "file", f"CSV line {reader.line_num + 1}: {exc}") from exc
    return rows


def parse_import(text: str, kind: str, fmt: str) -> list[ImportRow]:
    """Every row of the file; a row that cannot be parsed carries its error instead of a doc.
    A file with no rows, more than MAX_ROWS rows, or (CSV) no header is an InputError."""
    if kind not in KINDS:
        raise PolicyInputError("invalid_field", "kind", f"kind: one of {', '.join(KINDS)}")
    if fmt not in FORMATS:
        raise PolicyInputError("invalid_field", "format", f"format: one of {', '.join(FORMATS)}")
    rows: list[ImportRow] = []
    if fmt == "jsonl":
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
            except json.JSONDecodeError as exc:
                rows.append(ImportRow(n, None, PolicyInputError("invalid_json", "", f"not JSON: {exc.msg}")))
                continue
            if not isinstance(doc, dict):
                rows.append(
                    ImportRow(n, None, PolicyInputError("invalid_json", "", "a JSON object per line"))
                )
                continue
            rows.append(ImportRow(n, doc))
    else:
        rows = _csv_rows(text, kind)
    if not rows:
        raise PolicyInputError("invalid_field", "file", "the file has no rows")
    if len(rows) > MAX_ROWS:
        raise PolicyInputError("invalid_field", "file", f"at most {MAX_ROWS} rows per file")
    return rows
