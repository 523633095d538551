"""Load policy packs from TOML and validate them into frozen `Pack`s.

Every problem names the file, the key (``caps[1].window``) and what is wrong; unknown keys are
errors, so a typo never silently drops a rule. Bundled packs live in `policies/packs/*.toml` and
are loaded once per process (`load_packs` caches them).
"""

from __future__ import annotations

import contextlib
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import time
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from policies.pack import (
    ALL_CHANNELS,
    ALL_DAYS,
    AssignmentRule,
    CapRule,
    CoolOffRule,
    HolidayRule,
    OptOutRule,
    Pack,
    Range,
    RetentionRule,
    SmsContentRule,
    SmsLengthRule,
    Source,
    ThirdPartyRule,
    TimezoneRule,
    UnreachableRule,
    WindowRule,
)
from policies.spans import Span, parse_span
from policies.types import RELATIONS, PolicyInputError

__all__ = [
    "PackError",
    "UnknownPack",
    "available_packs",
    "load_pack",
    "load_pack_file",
    "load_packs",
    "parse_pack",
]

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_WEEKDAYS = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}
# Number kinds as the API spells them; packs may also say "home" for a landline.
_KIND_ALIASES = {"mobile": "mobile", "landline": "landline", "home": "landline", "work": "work"}
_CONFIDENCE = ("H", "M", "L", "M-H", "L-M")
_SOURCE_KEYS = ("citation", "confidence", "note")


class PackError(ValueError):
    """A pack file that cannot be used: `file`, `key` (dotted path) and `problem`."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        super().__init__(f"{file}: {key}: {problem}" if key else f"{file}: {problem}")
        self.file = file
        self.key = key
        self.problem = problem


class UnknownPack(PolicyInputError):
    """A pack name that is not bundled (API error code ``unknown_pack``)."""

    def __init__(self, name: str) -> None:
        super().__init__("unknown_pack", "packs", f"unknown policy pack {name!r}")
        self.name = name


class _Table:
    """One TOML table being validated: typed getters, then `done()` rejects unknown keys."""

    def __init__(self, file: str, path: str, raw: object) -> None:
        self.file = file
        self.path = path
        if not isinstance(raw, Mapping):
            raise PackError(file, path, "expected a table")
        self.raw: Mapping[str, Any] = raw
        self.seen: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def error(self, name: str, problem: str) -> PackError:
        return PackError(self.file, self.key(name), problem)

    def get(self, name: str) -> Any:
        self.seen.add(name)
        return self.raw.get(name)

    def has(self, name: str) -> bool:
        return name in self.raw

    def string(self, name: str, *, required: bool = False, default: str | None = None) -> str | None:
        value = self.get(name)
        if value is None:
            if required:
                raise self.error(name, "is required")
            return default
        if not isinstance(value, str) or not value.strip():
            raise self.error(name, f"expected a non-empty string, got {value!r}")
        return value

    def integer(self, name: str, *, minimum: int, required: bool = False, default: int = 0) -> int:
        value = self.get(name)
        if value is None:
            if required:
                raise self.error(name, "is required")
            return default
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.error(name, f"expected an integer, got {value!r}")
        if value < minimum:
            raise self.error(name, f"must be ≥ {minimum}, got {value}")
        return value

    def boolean(self, name: str, default: bool) -> bool:
        value = self.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.error(name, f"expected true or false, got {value!r}")
        return value

    def choice(self, name: str, allowed: Iterable[str], default: str | None = None) -> str:
        allowed = tuple(allowed)
        value = self.get(name)
        if value is None:
            if default is None:
                raise self.error(name, f"is required (one of {', '.join(allowed)})")
            return default
        if value not in allowed:
            raise self.error(name, f"{value!r} is not one of {', '.join(allowed)}")
        return cast(str, value)

    def strings(self, name: str) -> list[str] | None:
        value = self.get(name)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.error(name, f"expected a list of strings, got {value!r}")
        return value

    def subset(
        self, name: str, allowed: Iterable[str], aliases: Mapping[str, str] | None = None
    ) -> frozenset[str] | None:
        values = self.strings(name)
        if values is None:
            return None
        allowed = tuple(allowed)
        out = set()
        for v in values:
            v = aliases.get(v, v) if aliases else v
            if v not in allowed:
                raise self.error(name, f"{v!r} is not one of {', '.join(sorted(set(allowed)))}")
            out.add(v)
        if not out:
            raise self.error(name, "must not be empty")
        return frozenset(out)

    def span(self, name: str, *, allow_ever: bool = True) -> Span:
        value = self.get(name)
        if value is None:
            raise self.error(name, "is required")
        try:
            span = parse_span(value)
        except ValueError as exc:
            raise self.error(name, str(exc)) from None
        if span.kind == "ever" and not allow_ever:
            raise self.error(name, '"ever" is not allowed here')
        return span

    def table(self, name: str) -> _Table | None:
        value = self.get(name)
        return None if value is None else _Table(self.file, self.key(name), value)

    def tables(self, name: str) -> list[_Table]:
        value = self.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(name, "expected an array of tables ([[...]])")
        return [_Table(self.file, f"{self.key(name)}[{i}]", v) for i, v in enumerate(value)]

    def source(self) -> Source:
        citation = self.string("citation", required=True)
        assert citation is not None
        confidence = self.get("confidence")
        if confidence is not None and confidence not in _CONFIDENCE:
            raise self.error("confidence", f"{confidence!r} is not one of {', '.join(_CONFIDENCE)}")
        return Source(citation, confidence, self.string("note"))

    def done(self) -> None:
        unknown = sorted(set(self.raw) - self.seen)
        if unknown:
            raise self.error(unknown[0], "unknown key")


def _clock(t: _Table, name: str) -> int:
    value = t.get(name)
    if value is None:
        raise t.error(name, "is required (HH:MM)")
    if isinstance(value, time):
        return value.hour * 3600 + value.minute * 60 + value.second
    if not isinstance(value, str):
        raise t.error(name, f'expected a time "HH:MM", got {value!r}')
    if value in ("24:00", "24:00:00"):
        return 86400
    try:
        parsed = time.fromisoformat(value)
    except ValueError:
        raise t.error(name, f"{value!r} is not a time HH:MM") from None
    if parsed.microsecond or parsed.tzinfo:
        raise t.error(name, f"{value!r}: use a plain local time HH:MM[:SS]")
    return parsed.hour * 3600 + parsed.minute * 60 + parsed.second


def _days(t: _Table, name: str) -> frozenset[int]:
    value = t.get(name)
    if value is None:
        return ALL_DAYS
    if not isinstance(value, list) or not value:
        raise t.error(name, "expected a non-empty list of weekdays (mon..sun or 1..7)")
    out = set()
    for d in value:
        if isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 7:
            out.add(d)
        elif isinstance(d, str) and d.lower() in _WEEKDAYS:
            out.add(_WEEKDAYS[d.lower()])
        elif isinstance(d, str) and d.lower() in ("weekdays", "weekend"):
            out |= {1, 2, 3, 4, 5} if d.lower() == "weekdays" else {6, 7}
        else:
            raise t.error(name, f"{d!r} is not a weekday (mon..sun, 1..7, weekdays, weekend)")
    return frozenset(out)


def _zone_name(t: _Table, name: str) -> str | None:
    value = t.string(name)
    if value is None:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise t.error(name, f"unknown time zone {value!r}") from None
    return value


def _window(t: _Table) -> WindowRule:
    source = t.source()
    ranges = []
    for r in t.tables("ranges"):
        start, end = _clock(r, "start"), _clock(r, "end")
        if not start < end:
            raise r.error("end", "must be later than start (end is exclusive; use 24:00 for midnight)")
        ranges.append(
            Range(
                days=_days(r, "days"),
                start=start,
                end=end,
                kinds=r.subset("kinds", _KIND_ALIASES, _KIND_ALIASES),
                channels=r.subset("channels", ALL_CHANNELS) or ALL_CHANNELS,
            )
        )
        r.done()
    if not ranges:
        raise t.error("ranges", "at least one [[window.ranges]] entry is required")
    t.done()
    return WindowRule(tuple(sorted(ranges, key=lambda r: (r.start, r.end))), source)


def _holidays(t: _Table) -> HolidayRule:
    import holidays  # heavy import, only for packs that use it

    source = t.source()
    country = t.string("country", required=True)
    assert country is not None
    supported = holidays.list_supported_countries()
    if country not in supported:
        raise t.error("country", f"{country!r} is not a country the holidays package knows")
    subdiv = t.string("subdiv")
    if subdiv is not None and subdiv not in supported[country]:
        raise t.error("subdiv", f"{subdiv!r} is not a subdivision of {country}")
    channels = t.subset("channels", ALL_CHANNELS) or ALL_CHANNELS
    t.done()
    return HolidayRule(country, subdiv, channels, source)


def _cap(t: _Table, ids: set[str]) -> CapRule:
    source = t.source()
    cap_id = t.string("id", required=True)
    assert cap_id is not None
    if not _ID.match(cap_id):
        raise t.error("id", f"{cap_id!r}: use lowercase letters, digits, '-' and '_'")
    if cap_id in ids:
        raise t.error("id", f"duplicate cap id {cap_id!r}")
    ids.add(cap_id)
    scope = t.choice("scope", ("debtor", "debtor_case", "number", "contact"))
    party = t.choice("party", ("debtor", "third_party", "any"), "any")
    if scope == "contact" and party == "debtor":
        raise t.error("party", "a contact-scoped cap counts third-party attempts (party third_party)")
    cap = CapRule(
        id=cap_id,
        scope=cast(Any, scope),
        channel=cast(Any, t.choice("channel", ("call", "sms", "any"), "any")),
        party=cast(Any, party),
        counts=cast(Any, t.choice("counts", ("attempts", "conversations", "unanswered"), "attempts")),
        max=t.integer("max", minimum=0, required=True),
        window=t.span("window"),
        kinds=t.subset("kinds", _KIND_ALIASES, _KIND_ALIASES),
        source=source,
    )
    t.done()
    return cap


def _cooloff(t: _Table) -> CoolOffRule:
    source = t.source()
    rule = CoolOffRule(
        days=t.integer("days", minimum=1, required=True),
        channels=t.subset("channels", ALL_CHANNELS) or frozenset({"call"}),
        scope=cast(Any, t.choice("scope", ("debtor_case", "debtor"), "debtor_case")),
        source=source,
    )
    t.done()
    return rule


def _third_party(t: _Table) -> ThirdPartyRule:
    source = t.source()
    unreachable = None
    u = t.table("unreachable")
    if u is not None:
        unreachable = UnreachableRule(
            min_unanswered=u.integer("min_unanswered", minimum=1, required=True),
            window=u.span("window", allow_ever=False),
            source=u.source(),
        )
        u.done()
    rule = ThirdPartyRule(
        allowed=t.boolean("allowed", True),
        relations=t.subset("relations", RELATIONS) or frozenset(RELATIONS),
        sms=t.boolean("sms", False),
        unreachable=unreachable,
        source=source,
    )
    t.done()
    return rule


def _sms(t: _Table) -> tuple[SmsLengthRule | None, OptOutRule | None, SmsContentRule | None]:
    length = opt_out = content = None
    if (lt := t.table("length")) is not None:
        length = SmsLengthRule(lt.integer("max_chars", minimum=1, required=True), lt.source())
        lt.done()
    if (ot := t.table("opt_out")) is not None:
        phrases = ot.strings("phrases")
        if not phrases:
            raise ot.error("phrases", "is required: a non-empty list of accepted opt-out texts")
        opt_out = OptOutRule(tuple(phrases), ot.source())
        ot.done()
    if (ct := t.table("content")) is not None:
        languages = ct.strings("languages")
        content = SmsContentRule(tuple(languages) if languages else None, ct.source())
        ct.done()
    t.done()
    return length, opt_out, content


def _lookback_days(pack: Pack) -> float:
    reaches = [c.window.reach for c in pack.caps]
    if pack.after_conversation:
        reaches.append(Span("", "local_days", days=pack.after_conversation.days).reach)
    if pack.third_party and pack.third_party.unreachable:
        reaches.append(pack.third_party.unreachable.window.reach)
    return max((r.total_seconds() / 86400 for r in reaches if r is not None), default=0.0)


def parse_pack(doc: Mapping[str, Any], file: str) -> Pack:
    """Validate a TOML document (already parsed) into a Pack; PackError on any problem."""
    t = _Table(file, "", doc)
    name = t.string("name", required=True)
    assert name is not None
    if not _NAME.match(name):
        raise t.error("name", f"{name!r}: use lowercase letters, digits and '-'")
    version = t.get("version")
    if isinstance(version, bool) or not isinstance(version, str | int) or not str(version).strip():
        raise t.error("version", 'is required: a string or integer such as "1" or "2026.1"')
    jurisdiction = t.string("jurisdiction", required=True)
    assert jurisdiction is not None
    timezone = None
    if (tz := t.table("timezone")) is not None:
        timezone = TimezoneRule(_zone_name(tz, "fallback"), tz.source())
        tz.done()
    retention = None
    if (rt := t.table("retention")) is not None:
        retention = RetentionRule(rt.integer("days", minimum=0, required=True), rt.source())
        rt.done()
    window = _window(w) if (w := t.table("window")) is not None else None
    hol = _holidays(h) if (h := t.table("holidays")) is not None else None
    ids: set[str] = set()
    caps = tuple(_cap(c, ids) for c in t.tables("caps"))
    cooloff = _cooloff(c) if (c := t.table("after_conversation")) is not None else None
    third = _third_party(tp) if (tp := t.table("third_party")) is not None else None
    sms = _sms(s) if (s := t.table("sms")) is not None else (None, None, None)
    assignment = None
    if (a := t.table("assignment")) is not None:
        assignment = AssignmentRule(a.integer("min_overdue_days", minimum=0, required=True), a.source())
        a.done()
    pack = Pack(
        name=name,
        version=str(version).strip(),
        jurisdiction=jurisdiction,
        title=t.string("title", default="") or "",
        description=t.string("description", default="") or "",
        file=file,
        timezone=timezone,
        retention=retention,
        window=window,
        holidays=hol,
        caps=caps,
        after_conversation=cooloff,
        third_party=third,
        sms_length=sms[0],
        sms_opt_out=sms[1],
        sms_content=sms[2],
        assignment=assignment,
    )
    t.done()
    return replace(pack, lookback_days=_lookback_days(pack))


def load_pack_file(path: str | Path) -> Pack:
    """Read and validate one pack file (PackError names the file, key and problem)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PackError(str(path), "", f"cannot read: {exc.strerror or exc}") from None
    return _warm(_parse_bytes(data, str(path)))


def _warm(pack: Pack) -> Pack:
    """Compile the lexicons the pack screens SMS with now, so `evaluate` never reads files.

    A broken lexicon is not the pack's fault: it surfaces when an SMS is evaluated (and the
    caller fails closed), not as a pack error.
    """
    if pack.sms_content is not None:
        with contextlib.suppress(Exception):
            from policies.language import screen

            screen("", pack.sms_content.languages)
    return pack


def _parse_bytes(data: bytes, file: str) -> Pack:
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise PackError(file, "", "not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise PackError(file, "", f"not valid TOML: {exc}") from None
    return parse_pack(doc, file)


def available_packs() -> list[str]:
    """Names of the bundled packs, sorted."""
    root = resources.files("policies") / "packs"
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".toml"))


@cache
def load_pack(name: str) -> Pack:
    """One bundled pack by name (cached); UnknownPack when there is none."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise UnknownPack(str(name))
    res = resources.files("policies") / "packs" / f"{name}.toml"
    if not res.is_file():
        raise UnknownPack(name)
    pack = _parse_bytes(res.read_bytes(), f"policies/packs/{name}.toml")
    if pack.name != name:
        raise PackError(pack.file, "name", f"{pack.name!r} does not match the file name {name!r}")
    return _warm(pack)


def load_packs(names: Iterable[str]) -> tuple[Pack, ...]:
    """Bundled packs by name, in the given order without duplicates (cached per name)."""
    out: list[Pack] = []
    seen: set[str] = set()
    for name in names:
        if name not in seen:
            seen.add(name)
            out.append(load_pack(name))
    return tuple(out)
