"""The two ways callwarden writes an instant: RFC 3339 in UTC with a "Z" (every API answer, log
line and report) and a fixed-width form that sorts as text (database columns)."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["rfc3339", "sortable"]


def rfc3339(at: datetime) -> str:
    """`2026-12-02T03:04:05.123456Z` (microseconds only when there are any)."""
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def sortable(at: datetime) -> str:
    """Always `YYYY-MM-DDTHH:MM:SS.ffffffZ`, so text order is time order in SQL."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
