"""Turn API-shaped JSON (API.md) into the frozen decision inputs, with precise errors.

Pure: no I/O. Used by the gateway for request bodies, by storage to rebuild stored cases, and by
the `callwarden policy check` CLI for `--case` and `--history` files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any, cast
from zoneinfo import ZoneInfoNotFoundError

import phonenumbers

from policies.regions import US_STATE_ZONES
from policies.timefmt import rfc3339
from policies.types import (
    CHANNELS,
    DATE_FACTS,
    NUMBER_KINDS,
    OUTCOME_RESULTS,
    RELATIONS,
    Address,
    Agency,
    Attempt,
    BlockedWindow,
    Case,
    Cease,
    Consent,
    Contact,
    ContactRequest,
    FactDate,
    Phone,
    PolicyInputError,
    Preferences,
)
from policies.zones import checked_zone

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "agency_from_json",
    "attempt_from_json",
    "case_from_json",
    "case_ids",
    "case_to_json",
    "month_bounds",
    "normalise_phone",
    "parse_date",
    "parse_fact_date",
    "parse_id",
    "parse_instant",
    "parse_month",
    "request_from_json",
]

_AGENCY_STATUSES = ("active", "suspended", "terminated")
_CASE_STATUSES = ("active", "closed", "disputed")
_WEEKDAYS = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}


def normalise_phone(raw: object, region: str | None, field: str = "to") -> str:
    """Parse a number in any form phonenumbers accepts (region as default) into E.164."""
    if not isinstance(raw, str) or not raw.strip():
        raise PolicyInputError("invalid_phone", field, f"{field}: a phone number is required")
    e164 = _e164(raw, (region or "").upper() or None)
    if e164.startswith("!"):
        raise PolicyInputError("invalid_phone", field, f"{field}: {e164[1:]}")
    return e164


@lru_cache(maxsize=65536)
def _e164(raw: str, region: str | None) -> str:
    # Dialers ask about the same numbers all day; parsing one costs more than deciding. Errors
    # are cached too, as a message behind "!", so the cache stays a pure function of its input.
    try:
        num = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        return f"!cannot parse {raw!r}: {exc}"
    if not phonenumbers.is_valid_number(num):
        return f"!{raw!r} is not a valid number"
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


# Instants and dates callwarden reasons about: arithmetic on them (windows, retention, month
# ends) must never overflow, so anything outside is refused as input.
MIN_YEAR, MAX_YEAR = 1900, 2999
_MONTH_RE = re.compile(r"(\d{4})-(\d{2})")


# Object ids (agency, case, debtor, contact, attempt, recording ...): printable, short, and never a
# path trick, since ids name files (`<attempt_id>.wav`), appear in logs and go back to clients.
_ID_RE = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def parse_id(raw: object, field: str) -> str:
    """An object id: 1-128 of `A-Z a-z 0-9 . _ : -`, and no `..`."""
    if not isinstance(raw, str) or not _ID_RE.fullmatch(raw) or ".." in raw:
        raise PolicyInputError(
            "invalid_field", field, f"{field}: an id of 1-128 characters A-Z a-z 0-9 . _ : - (no '..')"
        )
    return raw


def parse_agency_name(raw: object) -> str:
    """An agency's display name: printable text of 1..200 characters."""
    if not isinstance(raw, str) or not raw.strip() or len(raw) > 200 or not raw.isprintable():
        raise PolicyInputError("invalid_field", "name", "name: printable text of 1..200 characters")
    return raw


def case_ids(doc: Mapping[str, Any]) -> None:
    """Check the ids a case body brings (`agency_id`, `debtor.id`, `contacts[].contact_id`) before
    it is stored; stored cases are rebuilt without this check."""
    parse_id(doc.get("agency_id"), "agency_id")
    debtor = doc.get("debtor")
    if isinstance(debtor, Mapping):
        for key in ("id", "debtor_id"):
            if debtor.get(key) is not None:
                parse_id(debtor[key], f"debtor.{key}")
    contacts = doc.get("contacts")
    if isinstance(contacts, list):
        for i, ct in enumerate(contacts):
            if isinstance(ct, Mapping) and ct.get("contact_id") is not None:
                parse_id(ct["contact_id"], f"contacts[{i}].contact_id")


def parse_instant(raw: object, field: str) -> datetime:
    """An RFC 3339 instant with an offset ('Z' accepted), returned in UTC; years 1900-2999."""
    if not isinstance(raw, str) or len(raw) > 64:
        raise PolicyInputError("invalid_field", field, f"{field}: expected an RFC 3339 time")
    try:
        at = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise PolicyInputError("invalid_field", field, f"{field}: {raw!r} is not RFC 3339") from exc
    if at.tzinfo is None:
        raise PolicyInputError("invalid_field", field, f"{field}: {raw!r} has no UTC offset")
    if not MIN_YEAR <= at.year <= MAX_YEAR:
        raise PolicyInputError(
            "invalid_field", field, f"{field}: {raw!r} is outside the years {MIN_YEAR}-{MAX_YEAR}"
        )
    return at.astimezone(UTC)


def parse_fact_date(raw: object, field: str) -> FactDate:
    """A dated fact: an ISO date (YYYY-MM-DD, the whole day) or an RFC 3339 instant."""
    if isinstance(raw, str) and len(raw) == 10:
        return parse_date(raw, field)
    if not isinstance(raw, str):
        raise PolicyInputError(
            "invalid_field", field, f"{field}: expected a date YYYY-MM-DD or an RFC 3339 time"
        )
    return parse_instant(raw, field)


def _fact_date_text(value: FactDate) -> str:
    if isinstance(value, datetime):
        return rfc3339(value)
    return value.isoformat()


def parse_date(raw: object, field: str) -> date:
    """An ISO date (YYYY-MM-DD); years 1900-2999."""
    if not isinstance(raw, str) or len(raw) > 32:
        raise PolicyInputError("invalid_field", field, f"{field}: expected a date YYYY-MM-DD")
    try:
        day = date.fromisoformat(raw)
    except ValueError as exc:
        raise PolicyInputError("invalid_field", field, f"{field}: {raw!r} is not a date") from exc
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise PolicyInputError(
            "invalid_field", field, f"{field}: {raw!r} is outside the years {MIN_YEAR}-{MAX_YEAR}"
        )
    return day


def parse_month(raw: object, field: str) -> tuple[int, int]:
    """A calendar month `YYYY-MM` as (year, month); years 1900-2999."""
    m = _MONTH_RE.fullmatch(raw) if isinstance(raw, str) else None
    if m is None or not 1 <= int(m.group(2)) <= 12 or not MIN_YEAR <= int(m.group(1)) <= MAX_YEAR:
        raise PolicyInputError(
            "invalid_field", field, f"{field}: expected a month YYYY-MM ({MIN_YEAR}-{MAX_YEAR})"
        )
    return int(m.group(1)), int(m.group(2))


def month_bounds(raw: object, field: str = "month") -> tuple[datetime, datetime]:
    """`YYYY-MM` → [its first instant, the next month's first instant) in UTC."""
    year, month = parse_month(raw, field)
    start = datetime(year, month, 1, tzinfo=UTC)
    return start, datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=UTC)


MAX_ZONE = 64  # the longest IANA name is 32 characters


def _zone(raw: object, field: str) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise PolicyInputError("invalid_field", field, f"{field}: expected an IANA zone name")
    if len(raw) > MAX_ZONE:
        raise PolicyInputError(
            "invalid_field", field, f"{field}: unknown time zone (over {MAX_ZONE} characters)"
        )
    try:
        checked_zone(raw)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: a name the filesystem refuses
        raise PolicyInputError("invalid_field", field, f"{field}: unknown time zone {raw!r}") from exc
    return raw


def _req(doc: Mapping[str, Any], key: str, prefix: str = "") -> Any:
    if key not in doc or doc[key] is None:
        raise PolicyInputError("missing_field", prefix + key, f"{prefix + key} is required")
    return doc[key]


def _str(doc: Mapping[str, Any], key: str, prefix: str = "", default: str | None = None) -> str:
    raw = doc.get(key, default) if default is not None else _req(doc, key, prefix)
    if not isinstance(raw, str) or not raw:
        raise PolicyInputError("invalid_field", prefix + key, f"{prefix + key}: expected a string")
    return raw


def _choice(value: object, allowed: Sequence[str], field: str) -> str:
    if value not in allowed:
        raise PolicyInputError(
            "invalid_field", field, f"{field}: {value!r} is not one of {', '.join(allowed)}"
        )
    return cast(str, value)


def _obj(raw: object, field: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise PolicyInputError("invalid_field", field, f"{field}: expected an object")
    return raw


def _list(raw: object, field: str) -> list[Any]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise PolicyInputError("invalid_field", field, f"{field}: expected a list")
    return raw


def _clock(raw: object, field: str) -> time:
    if not isinstance(raw, str):
        raise PolicyInputError("invalid_field", field, f"{field}: expected HH:MM")
    if raw in ("24:00", "24:00:00"):
        return time.max
    try:
        return time.fromisoformat(raw)
    except ValueError as exc:
        raise PolicyInputError("invalid_field", field, f"{field}: {raw!r} is not HH:MM") from exc


def _clock_text(at: time) -> str:
    """The inverse of `_clock`. A stored case is read again for every decision: "24:00" written as
    23:59 left the debtor's whole-day block open for the last minute of every day (a probe)."""
    if at == time.max:
        return "24:00"
    return at.isoformat("minutes" if not (at.second or at.microsecond) else "auto")


def _days(raw: object, field: str) -> tuple[int, ...]:
    out: list[int] = []
    for i, d in enumerate(_list(raw, field)):
        if isinstance(d, int) and 1 <= d <= 7:
            out.append(d)
        elif isinstance(d, str) and d[:3].lower() in _WEEKDAYS:
            out.append(_WEEKDAYS[d[:3].lower()])
        else:
            raise PolicyInputError(
                "invalid_field", f"{field}[{i}]", f"{field}[{i}]: expected a weekday (mon..sun or 1..7)"
            )
    return tuple(sorted(set(out))) or (1, 2, 3, 4, 5, 6, 7)


def _consents(raw: object, region: str) -> tuple[Consent, ...]:
    out = []
    for i, c in enumerate(_list(raw, "preferences.consent")):
        p = f"preferences.consent[{i}]."
        c = _obj(c, p[:-1])
        given = parse_instant(_req(c, "given_at", p), p + "given_at")
        until = parse_instant(_req(c, "until", p), p + "until")
        if until <= given:
            raise PolicyInputError("invalid_field", p + "until", f"{p}until: must be after given_at")
        number = c.get("number")
        out.append(
            Consent(
                channel=_choice(c.get("channel", "call"), CHANNELS, p + "channel"),
                given_at=given,
                until=until,
                number=None if number is None else normalise_phone(number, region, p + "number"),
            )
        )
    return tuple(out)


def _preferences(raw: object, region: str = "US") -> Preferences:
    if raw is None:
        return Preferences()
    doc = _obj(raw, "preferences")
    windows = []
    for i, w in enumerate(_list(doc.get("blocked_windows"), "preferences.blocked_windows")):
        p = f"preferences.blocked_windows[{i}]."
        w = _obj(w, p[:-1])
        windows.append(
            BlockedWindow(
                days=_days(w.get("days"), p + "days"),
                start=_clock(_req(w, "start", p), p + "start"),
                end=_clock(_req(w, "end", p), p + "end"),
            )
        )
    channels = frozenset(
        _choice(c, CHANNELS, "preferences.blocked_channels")
        for c in _list(doc.get("blocked_channels"), "preferences.blocked_channels")
    )
    return Preferences(
        tuple(windows),
        channels,
        bool(doc.get("no_work_calls", False)),
        _consents(doc.get("consent"), region),
    )


def _address(raw: object, region: str) -> Address | None:
    if raw is None:
        return None
    doc = _obj(raw, "debtor.address")
    fields: dict[str, str | None] = {}
    for key in ("country", "state", "postal_code"):
        value = doc.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise PolicyInputError(
                "invalid_field", f"debtor.address.{key}", f"debtor.address.{key}: expected a string"
            )
        fields[key] = value.strip() if isinstance(value, str) else None
    country = (fields["country"] or region).upper()
    state = fields["state"].upper() if fields["state"] else None
    if country == "US" and state is not None and state not in US_STATE_ZONES:
        raise PolicyInputError(
            "invalid_field", "debtor.address.state", f"debtor.address.state: {state!r} is not a US state code"
        )
    return Address(
        country=fields["country"].upper() if fields["country"] else None,
        state=state,
        postal_code=fields["postal_code"],
        timezone=_zone(doc.get("timezone"), "debtor.address.timezone"),
    )


def _facts(raw: object) -> tuple[dict[str, bool], dict[str, FactDate]]:
    """True/false facts (coerced, as before) and the dated facts (`DATE_FACTS`, strict)."""
    doc = _obj(raw or {}, "facts")
    flags: dict[str, bool] = {}
    dates: dict[str, FactDate] = {}
    for key, value in doc.items():
        key = str(key)
        if key in DATE_FACTS:
            if value is not None:
                dates[key] = parse_fact_date(value, f"facts.{key}")
        else:
            flags[key] = bool(value)
    return flags, dates


def _ceases(raw: object) -> tuple[Cease, ...]:
    out = []
    for i, c in enumerate(_list(raw, "ceases")):
        p = f"ceases[{i}]."
        c = _obj(c, p[:-1])
        chans = _list(c.get("channels", list(CHANNELS)), p + "channels") or list(CHANNELS)
        out.append(
            Cease(
                channels=frozenset(_choice(ch, CHANNELS, p + "channels") for ch in chans),
                at=parse_instant(_req(c, "at", p), p + "at"),
                reason=str(c.get("reason", "")),
                contact_id=c.get("contact_id"),
                number=c.get("number"),
            )
        )
    return tuple(out)


def agency_from_json(doc: Mapping[str, Any], agency_id: str) -> Agency:
    """An agency body (`PUT /v1/agencies/{id}`) as an Agency."""
    status = _choice(doc.get("status", "active"), _AGENCY_STATUSES, "status")
    start = (
        parse_date(doc["contract_start"], "contract_start") if doc.get("contract_start") is not None else None
    )
    end = parse_date(doc["contract_end"], "contract_end") if doc.get("contract_end") is not None else None
    return Agency(agency_id, cast(Any, status), start, end)


def case_from_json(doc: Mapping[str, Any], agency: Agency, case_id: str | None = None) -> Case:
    """A case body in the API.md shape as a Case; numbers normalised with the case's region.

    Stored cases also carry `ceases` (appended by `POST /v1/cases/{id}/cease`).
    """
    doc = _obj(doc, "case")
    cid = case_id or _str(doc, "case_id")
    region = str(doc.get("region") or "US").upper()
    packs_raw = _list(_req(doc, "packs"), "packs")
    if not packs_raw or not all(isinstance(p, str) and p for p in packs_raw):
        raise PolicyInputError("invalid_field", "packs", "packs: expected a non-empty list of pack names")
    debtor = _obj(_req(doc, "debtor"), "debtor")
    phones = []
    for i, ph in enumerate(_list(debtor.get("phones"), "debtor.phones")):
        p = f"debtor.phones[{i}]."
        ph = _obj(ph, p[:-1])
        phones.append(
            Phone(
                number=normalise_phone(ph.get("number"), region, p + "number"),
                kind=cast(Any, _choice(ph.get("kind", "mobile"), NUMBER_KINDS, p + "kind")),
                timezone=_zone(ph.get("timezone"), p + "timezone"),
            )
        )
    contacts = []
    for i, ct in enumerate(_list(doc.get("contacts"), "contacts")):
        p = f"contacts[{i}]."
        ct = _obj(ct, p[:-1])
        contacts.append(
            Contact(
                contact_id=_str(ct, "contact_id", p),
                relation=_choice(ct.get("relation", "other"), RELATIONS, p + "relation"),
                number=normalise_phone(ct.get("number"), region, p + "number"),
                timezone=_zone(ct.get("timezone"), p + "timezone"),
            )
        )
    facts, fact_dates = _facts(doc.get("facts"))
    overdue = doc.get("overdue_days", 0)
    if not isinstance(overdue, int) or isinstance(overdue, bool) or overdue < 0:
        raise PolicyInputError("invalid_field", "overdue_days", "overdue_days: expected an integer ≥ 0")
    language = doc.get("language")
    if language is not None and not isinstance(language, str):
        raise PolicyInputError("invalid_field", "language", "language: expected a language code")
    return Case(
        case_id=cid,
        agency=agency,
        packs=tuple(packs_raw),
        debtor_id=str(debtor.get("debtor_id") or debtor.get("id") or f"case:{cid}"),
        region=region,
        assigned_from=parse_instant(doc["assigned_from"], "assigned_from")
        if doc.get("assigned_from")
        else None,
        assigned_until=parse_instant(doc["assigned_until"], "assigned_until")
        if doc.get("assigned_until")
        else None,
        overdue_days=overdue,
        debtor_name=str(debtor.get("name", "")),
        debtor_timezone=_zone(debtor.get("timezone"), "debtor.timezone"),
        phones=tuple(phones),
        contacts=tuple(contacts),
        language=language,
        facts=facts,
        fact_dates=fact_dates,
        address=_address(debtor.get("address"), region),
        preferences=_preferences(doc.get("preferences"), region),
        status=cast(Any, _choice(doc.get("status", "active"), _CASE_STATUSES, "status")),
        ceases=_ceases(doc.get("ceases")),
    )


def case_to_json(case: Case) -> dict[str, Any]:
    """The inverse of `case_from_json` (numbers in E.164), as `GET /v1/cases/{id}` returns it."""

    def iso(at: datetime | None) -> str | None:
        return rfc3339(at) if at else None

    prefs = case.preferences
    return {
        "case_id": case.case_id,
        "agency_id": case.agency.agency_id,
        "assigned_from": iso(case.assigned_from),
        "assigned_until": iso(case.assigned_until),
        "overdue_days": case.overdue_days,
        "packs": list(case.packs),
        "region": case.region,
        "debtor": {
            "debtor_id": case.debtor_id,
            "name": case.debtor_name,
            "timezone": case.debtor_timezone,
            "phones": [{"number": p.number, "kind": p.kind, "timezone": p.timezone} for p in case.phones],
            "address": None
            if case.address is None
            else {
                "country": case.address.country,
                "state": case.address.state,
                "postal_code": case.address.postal_code,
                "timezone": case.address.timezone,
            },
        },
        "contacts": [
            {"contact_id": c.contact_id, "relation": c.relation, "number": c.number, "timezone": c.timezone}
            for c in case.contacts
        ],
        "language": case.language,
        "facts": {**case.facts, **{k: _fact_date_text(v) for k, v in case.fact_dates.items()}},
        "preferences": {
            "blocked_windows": [
                {
                    "days": list(w.days),
                    "start": _clock_text(w.start),
                    "end": _clock_text(w.end),
                }
                for w in prefs.blocked_windows
            ],
            "blocked_channels": sorted(prefs.blocked_channels),
            "no_work_calls": prefs.no_work_calls,
            "consent": [
                {"channel": c.channel, "number": c.number, "given_at": iso(c.given_at), "until": iso(c.until)}
                for c in prefs.consents
            ],
        },
        "status": case.status,
        "ceases": [
            {"channels": sorted(c.channels), "at": iso(c.at), "reason": c.reason, "contact_id": c.contact_id}
            | ({"number": c.number} if c.number else {})
            for c in case.ceases
        ],
    }


# Twilio's limit for one message body (ten concatenated segments). Screening a 45,000-character body
# took longer than the 250 ms a decision may take, on the thread every agency's decisions share.
MAX_SMS_BODY = 1600


def request_from_json(doc: Mapping[str, Any], agency_id: str, region: str | None) -> ContactRequest:
    """A contact request body (`/v1/authorize`, `/v1/calls`, `/v1/messages`)."""
    doc = _obj(doc, "body")
    channel = _choice(_req(doc, "channel"), CHANNELS, "channel")
    party = _choice(doc.get("party", "debtor"), ("debtor", "third_party"), "party")
    body = doc.get("body")
    if body is not None and (not isinstance(body, str) or not body):
        raise PolicyInputError("invalid_field", "body", "body: expected a non-empty string")
    if body is not None and len(body) > MAX_SMS_BODY:
        raise PolicyInputError(
            "invalid_field",
            "body",
            f"body: at most {MAX_SMS_BODY} characters (the longest SMS a carrier takes)",
        )
    contact_id = doc.get("contact_id")
    if contact_id is not None:
        parse_id(contact_id, "contact_id")
    return ContactRequest(
        case_id=parse_id(_req(doc, "case_id"), "case_id"),
        agency_id=agency_id,
        to=normalise_phone(_req(doc, "to"), region, "to"),
        channel=cast(Any, channel),
        party=cast(Any, party),
        contact_id=contact_id,
        body=body,
    )


def attempt_from_json(doc: Mapping[str, Any], region: str | None = None) -> Attempt:
    """One history line (as in `policy check --history FILE.jsonl`) as an Attempt."""
    doc = _obj(doc, "attempt")
    result = doc.get("result")
    if result is not None:
        _choice(result, OUTCOME_RESULTS, "result")
    spoke = doc.get("spoke_with")
    if spoke is not None:
        _choice(spoke, ("debtor", "third_party", "none"), "spoke_with")
    case_id = str(doc.get("case_id", ""))
    direction = _choice(doc.get("direction", "outbound"), ("outbound", "inbound"), "direction")
    if direction == "inbound" and result is None:
        # A conversation the debtor started (POST /v1/cases/{id}/inbound).
        result, spoke = "connected", spoke or "debtor"
    return Attempt(
        attempt_id=str(doc.get("attempt_id", "")),
        case_id=case_id,
        debtor_id=str(doc.get("debtor_id") or f"case:{case_id}"),
        agency_id=str(doc.get("agency_id", "")),
        at=parse_instant(_req(doc, "at"), "at"),
        channel=cast(Any, _choice(doc.get("channel", "call"), CHANNELS, "channel")),
        to=normalise_phone(_req(doc, "to"), region, "to"),
        party=cast(Any, _choice(doc.get("party", "debtor"), ("debtor", "third_party"), "party")),
        contact_id=doc.get("contact_id"),
        result=cast(Any, result),
        spoke_with=cast(Any, spoke),
        started_at=parse_instant(doc["started_at"], "started_at") if doc.get("started_at") else None,
        ended_at=parse_instant(doc["ended_at"], "ended_at") if doc.get("ended_at") else None,
        direction=cast(Any, direction),
        relation=None if doc.get("relation") is None else _choice(doc.get("relation"), RELATIONS, "relation"),
    )
