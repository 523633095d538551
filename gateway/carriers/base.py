"""The carrier interface: what the gateway hands a voice/SMS carrier, and what it gets back.

A carrier adapter places an allowed call or sends an allowed SMS *after* the decision has been
recorded. It answers with the carrier's own reference for the attempt, or raises `CarrierError`;
the gateway then answers 502 and releases the attempt (see docs/carriers.md).

Nothing here knows about HTTP status codes of the callwarden API or about storage.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from types import TracebackType
from typing import ClassVar

import phonenumbers

from policies.errors import CallwardenError, SetupError

__all__ = [
    "Carrier",
    "CarrierConfigError",
    "CarrierError",
    "CarrierResult",
    "OutboundCall",
    "OutboundMessage",
    "mask_number",
]


def _country_code_length(digits: str) -> int:
    """Length of the ITU country calling code that `digits` (no '+') starts with."""
    for length in (1, 2, 3):
        if len(digits) >= length and int(digits[:length]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            return length
    return 3  # unknown code: hide as little structure as possible, but never the subscriber part


def mask_number(e164: str | None) -> str:
    """Mask a phone number for logs and error messages: ``+12085550100`` → ``+1208***0100``.

    Keeps the country code, the next three digits (area / mobile prefix) and the last four; the
    middle is replaced by ``***``. Numbers too short for that keep less (never the whole number).
    Input that is not E.164 is masked to its last two digits at most.
    """
    if not e164:
        return ""
    text = str(e164).strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if not text.startswith("+") or not 4 <= len(digits) <= 17:
        return "***" + digits[-2:] if len(digits) >= 6 else "***"
    cc = _country_code_length(digits)
    head, tail = cc + 3, 4
    if len(digits) - head - tail >= 2:
        return f"+{digits[:head]}***{digits[-tail:]}"
    if len(digits) - cc - 2 >= 3:
        return f"+{digits[:cc]}***{digits[-2:]}"
    return f"+{digits[:cc]}***"


@dataclass(frozen=True, slots=True)
class OutboundCall:
    """An allowed call, to be placed by the carrier. Numbers are E.164."""

    attempt_id: str
    to: str
    from_: str
    case_id: str
    agency_id: str

    def __repr__(self) -> str:  # numbers masked: these objects end up in logs and tracebacks
        return (
            f"OutboundCall(attempt_id={self.attempt_id!r}, to={mask_number(self.to)!r}, "
            f"from_={mask_number(self.from_)!r}, case_id={self.case_id!r}, agency_id={self.agency_id!r})"
        )


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """An allowed SMS (body already screened), to be sent by the carrier. Numbers are E.164."""

    attempt_id: str
    to: str
    from_: str
    body: str
    case_id: str
    agency_id: str

    def __repr__(self) -> str:  # numbers masked, body left out (it may name the debt)
        return (
            f"OutboundMessage(attempt_id={self.attempt_id!r}, to={mask_number(self.to)!r}, "
            f"from_={mask_number(self.from_)!r}, body=<{len(self.body)} chars>, "
            f"case_id={self.case_id!r}, agency_id={self.agency_id!r})"
        )


@dataclass(frozen=True, slots=True)
class CarrierResult:
    """The carrier accepted the request; `carrier_ref` is its id for the call or message."""

    carrier_ref: str


class CarrierConfigError(SetupError):
    """The `[carrier]` settings cannot build the configured adapter (unknown kind or option, a
    missing or invalid value)."""

    code = "carrier_config"


class CarrierError(CallwardenError):
    """The carrier did not accept the request (or could not be asked).

    `carrier_status` is the carrier's HTTP status when it answered one. `retryable` says whether asking
    again later may succeed (connection refused, 429, 5xx). `outcome_unknown` is true when the
    request may have reached the carrier and been acted on although no usable answer came back
    (read timeout, connection dropped after sending, a 2xx answer without a reference): the caller
    should not assume that nothing was placed. Messages carry no secrets and only masked numbers.
    """

    status = 502
    code = "carrier_error"

    def __init__(
        self,
        message: str,
        status: int | None = None,
        retryable: bool = False,
        *,
        outcome_unknown: bool = False,
    ) -> None:
        super().__init__(message)
        self.carrier_status = status
        self.retryable = retryable
        self.outcome_unknown = outcome_unknown

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, status={self.carrier_status!r}, "
            f"retryable={self.retryable!r}, outcome_unknown={self.outcome_unknown!r})"
        )


class Carrier(abc.ABC):
    """A voice/SMS carrier adapter. One instance per configured carrier, shared by all requests.

    Implementations must be safe to call concurrently from one event loop, must not block it,
    and must release their resources (HTTP sessions...) in `close`, which is idempotent.
    Usable as ``async with create_carrier(...) as carrier:``.
    """

    kind: ClassVar[str]

    @abc.abstractmethod
    async def place_call(self, req: OutboundCall) -> CarrierResult:
        """Ask the carrier to place `req`; raise `CarrierError` when it does not accept it."""

    @abc.abstractmethod
    async def send_sms(self, req: OutboundMessage) -> CarrierResult:
        """Ask the carrier to send `req`; raise `CarrierError` when it does not accept it."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Release resources. Further requests raise `CarrierError`."""

    async def __aenter__(self) -> Carrier:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
