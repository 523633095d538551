"""Carrier adapters: the interface (`base`), `dry-run`, `http-json` and `twilio`, and `create_carrier`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gateway.carriers.base import (
    Carrier,
    CarrierConfigError,
    CarrierError,
    CarrierResult,
    OutboundCall,
    OutboundMessage,
    mask_number,
)
from gateway.carriers.dryrun import DryRunCarrier
from gateway.carriers.httpjson import HttpJsonCarrier, SessionFactory
from gateway.carriers.twilio import TwilioCarrier

__all__ = [
    "CARRIER_KINDS",
    "Carrier",
    "CarrierConfigError",
    "CarrierError",
    "CarrierResult",
    "DryRunCarrier",
    "HttpJsonCarrier",
    "OutboundCall",
    "OutboundMessage",
    "TwilioCarrier",
    "carrier_option_names",
    "create_carrier",
    "mask_number",
]

# kind -> the options it accepts (required ones first); anything else is a configuration error.
_OPTIONS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "dry-run": (frozenset(), frozenset({"max_records"})),
    "http-json": (
        frozenset({"url", "secret"}),
        frozenset({"connect_timeout", "read_timeout", "headers"}),
    ),
    "twilio": (
        frozenset({"account_sid", "auth_token", "public_url"}),
        frozenset({"base_url", "call_url", "connect_timeout", "read_timeout"}),
    ),
}
CARRIER_KINDS: tuple[str, ...] = tuple(_OPTIONS)


def carrier_option_names(kind: str) -> frozenset[str]:
    """The options `kind` accepts (none for an unknown kind: `create_carrier` refuses it)."""
    required, optional = _OPTIONS.get(kind, (frozenset(), frozenset()))
    return required | optional


def create_carrier(
    kind: str,
    options: Mapping[str, Any] | None = None,
    session_factory: SessionFactory | None = None,
) -> Carrier:
    """Build the carrier named by `kind` from its `options` (the `[carrier]` config table).

    `options` may be the whole flat `[carrier]` table: options that belong to another kind are
    ignored. Raises ValueError for an unknown kind, a missing required option, an option no kind
    knows (a typo would otherwise silently fall back to a default) or an invalid value. `session_factory` (a
    no-argument callable returning an `aiohttp.ClientSession`) is used by `http-json` and `twilio`.
    """
    if kind not in _OPTIONS:
        raise CarrierConfigError(f"unknown carrier kind {kind!r}; known kinds: {', '.join(CARRIER_KINDS)}")
    given = dict(options or {})
    required, optional = _OPTIONS[kind]
    every_option = frozenset().union(*(req | opt for req, opt in _OPTIONS.values()))
    unknown = sorted(given.keys() - every_option)
    if unknown:
        raise CarrierConfigError(
            f"{kind} carrier: unknown option(s) {', '.join(unknown)}; "
            f"accepted: {', '.join(sorted(required | optional)) or 'none'}"
        )
    missing = sorted(required - given.keys())
    if missing:
        raise CarrierConfigError(f"{kind} carrier: missing option(s) {', '.join(missing)}")
    # Options of the other kinds are ignored, so one flat `[carrier]` table can hold them all.
    opts = {name: value for name, value in given.items() if name in required | optional}
    if kind == "dry-run":
        return DryRunCarrier(**opts)
    if kind == "twilio":
        return TwilioCarrier(**opts, session_factory=session_factory)
    return HttpJsonCarrier(**opts, session_factory=session_factory)
