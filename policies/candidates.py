"""Candidate zones with their reasons: every zone a callee may be in, and why.

Two ways of collecting them, chosen per pack (`[timezone] candidates`):

- ``"number"``: the dialled number's zones — the zone on its case entry, else the zones
  `phonenumbers` gives for the number — plus, for the debtor's own numbers, `debtor.timezone`;
- ``"case"`` (12 CFR 1006.6(b)(1)(i), comment 6(b)(1)(i)-2: a time must be convenient in every
  location the collector knows or should know the consumer may be in): for a debtor request,
  the zones of **every** number on the case (each phone's own `timezone` when given), the
  debtor's `timezone` and the zones of `debtor.address`; for each number without an explicit
  zone, the union of `phonenumbers`' zones for its prefix *and* for its NANP area code, so a
  split area code (812, 850 ...) never narrows to one zone. For a third party: its own number's
  zones the same way (the debtor's location says nothing about a contact's).

Everything here is pure memoisation of immutable reference data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

import phonenumbers

# The prefix → zones table behind `time_zones_for_number`; read to know every zone an area
# code has, not only the one its longest matching prefix maps to.
from phonenumbers.tzdata import TIMEZONE_DATA

from policies.regions import US_STATE_ZONES
from policies.types import Address, Case, Contact, Phone
from policies.zones import UNKNOWN_ZONE, number_zones

__all__ = ["Candidate", "address_zones", "area_code_zones", "case_candidates", "number_candidates"]


@dataclass(frozen=True)
class Candidate:
    """One candidate zone and every reason it is one (shown on the decision)."""

    zone: str
    why: tuple[str, ...]


class _Collector:
    """Zones in first-seen order, each with its reasons."""

    def __init__(self) -> None:
        self._why: dict[str, list[str]] = {}

    def add(self, zones: Iterable[str], why: str) -> None:
        for z in zones:
            if z == UNKNOWN_ZONE:
                continue
            reasons = self._why.setdefault(z, [])
            if why not in reasons:
                reasons.append(why)

    def result(self) -> tuple[Candidate, ...]:
        return tuple(Candidate(z, tuple(w)) for z, w in self._why.items())


@cache
def _nanp_area_index() -> dict[str, frozenset[str]]:
    """NANP area code (3 digits) → every zone any of its prefixes maps to."""
    out: dict[str, set[str]] = {}
    for prefix, zones in TIMEZONE_DATA.items():
        if prefix.startswith("1") and len(prefix) >= 4:
            out.setdefault(prefix[1:4], set()).update(z for z in zones if z != UNKNOWN_ZONE)
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=65536)
def area_code_zones(e164: str) -> tuple[str, ...]:
    """For a NANP number, every zone its area code reaches (sorted); () for other numbers."""
    if not e164.startswith("+1") or len(e164) < 5:
        return ()
    return tuple(sorted(_nanp_area_index().get(e164[2:5], frozenset())))


@cache
def _country_zones(region: str) -> tuple[str, ...]:
    code = phonenumbers.country_code_for_region(region)
    if code in (0, 1):  # unknown region; NANP countries need a subdivision (only US has one here)
        return ()
    key = str(code)
    zones = {z for prefix, zs in TIMEZONE_DATA.items() if prefix.startswith(key) for z in zs}
    return tuple(sorted(zones - {UNKNOWN_ZONE}))


def address_zones(address: Address, default_country: str) -> tuple[tuple[str, ...], str]:
    """The zones an address may be in, and why (an empty tuple when it says nothing usable)."""
    if address.timezone:
        return (address.timezone,), "debtor.address.timezone"
    country = (address.country or default_country or "").upper()
    if country == "US" and address.state:
        state = address.state.upper()
        return US_STATE_ZONES.get(state, ()), f"debtor.address.state {state} (49 CFR part 71)"
    if country and country != "US":
        return _country_zones(country), f"debtor.address.country {country}"
    return (), ""


def _add_number(
    out: _Collector, number: str, explicit: str | None, path: str, area: bool, note: str = ""
) -> None:
    if explicit and explicit != UNKNOWN_ZONE:
        out.add((explicit,), f"{path}.timezone{note}")
        return
    out.add(number_zones(number), f"{path} {number}{note}: number prefix")
    if area and number.startswith("+1"):
        out.add(area_code_zones(number), f"{path} {number}{note}: NANP area code {number[2:5]}")


@lru_cache(maxsize=65536)
def number_candidates(
    number: str,
    explicit: str | None,
    label: str,
    address: str | None = None,
) -> tuple[Candidate, ...]:
    """The "number" mode: the number's explicit zone or its prefix zones, plus `address`."""
    out = _Collector()
    _add_number(out, number, explicit, label, area=False)
    if address:
        out.add((address,), "debtor.timezone")
    return out.result()


# Decisions for one case come in bursts (a dialer works a list): the last answers per case object
# are kept. Cases are frozen and the storage layer reuses one object per case version, so the
# identity check makes this a pure memo.
_MEMO: dict[tuple[int, str, bool, str | None], tuple[Case, tuple[Candidate, ...]]] = {}
_MEMO_SIZE = 4096


def case_candidates(
    case: Case, to: str, third_party: bool = False, contact: Contact | None = None
) -> tuple[Candidate, ...]:
    """The "case" mode for a request to `to` (`contact`: the registered contact it reaches)."""
    key = (id(case), to, third_party, contact.contact_id if contact is not None else None)
    hit = _MEMO.get(key)
    if hit is not None and hit[0] is case:
        return hit[1]
    found = _case_candidates(case, to, third_party, contact)
    if len(_MEMO) >= _MEMO_SIZE:
        _MEMO.clear()
    _MEMO[key] = (case, found)
    return found


def _case_candidates(
    case: Case, to: str, third_party: bool, contact: Contact | None
) -> tuple[Candidate, ...]:
    out = _Collector()
    if third_party:
        if contact is not None and contact.number == to:
            _add_number(out, to, contact.timezone, f"contacts[{contact.contact_id}]", area=True)
        else:
            _add_number(out, to, None, "the dialled number", area=True)
        return out.result()
    dialled: Phone | None = next((p for p in case.phones if p.number == to), None)
    if dialled is None:
        _add_number(out, to, None, "the dialled number", area=True)
    for i, phone in enumerate(case.phones):
        note = " (dialled)" if phone.number == to else ""
        _add_number(out, phone.number, phone.timezone, f"debtor.phones[{i}]", area=True, note=note)
    if case.debtor_timezone:
        out.add((case.debtor_timezone,), "debtor.timezone")
    if case.address is not None:
        zones, why = address_zones(case.address, case.region)
        out.add(zones, why)
    return out.result()
