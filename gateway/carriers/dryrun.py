"""The `dry-run` carrier: records what would have been placed and places nothing.

The quickstart default, so that a fresh install can exercise `/v1/calls` and `/v1/messages`
without dialling anyone. Records stay in memory (the most recent `max_records`), for tests and
for eyeballing in a debugger; they are not persisted.
"""

from __future__ import annotations

from collections import deque
from typing import ClassVar

from gateway.carriers.base import (
    Carrier,
    CarrierConfigError,
    CarrierError,
    CarrierResult,
    OutboundCall,
    OutboundMessage,
)

__all__ = ["DEFAULT_MAX_RECORDS", "DryRunCarrier"]

DEFAULT_MAX_RECORDS = 1000


class DryRunCarrier(Carrier):
    """Accepts every request, returns ``dryrun-<attempt_id>``, remembers the last few."""

    kind: ClassVar[str] = "dry-run"

    def __init__(self, *, max_records: int = DEFAULT_MAX_RECORDS) -> None:
        if isinstance(max_records, bool) or not isinstance(max_records, int) or max_records < 1:
            raise CarrierConfigError(
                f"dry-run carrier: max_records must be a positive integer, got {max_records!r}"
            )
        self.max_records = max_records
        # Oldest first; the oldest record is dropped once `max_records` is reached.
        self.sent: deque[OutboundCall | OutboundMessage] = deque(maxlen=max_records)
        self._closed = False

    def __repr__(self) -> str:
        return f"DryRunCarrier(max_records={self.max_records}, recorded={len(self.sent)})"

    def _record(self, req: OutboundCall | OutboundMessage) -> CarrierResult:
        if self._closed:
            raise CarrierError("dry-run carrier is closed")
        self.sent.append(req)
        return CarrierResult(carrier_ref=f"dryrun-{req.attempt_id}")

    async def place_call(self, req: OutboundCall) -> CarrierResult:
        return self._record(req)

    async def send_sms(self, req: OutboundMessage) -> CarrierResult:
        return self._record(req)

    async def close(self) -> None:
        self._closed = True
