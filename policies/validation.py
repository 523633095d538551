"""Strict reading of TOML tables: typed getters that name the dotted key, unknown keys rejected."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import time
from typing import Any, cast

from policies.errors import DefinitionError
from policies.pack import ALL_DAYS, Source
from policies.spans import Span, parse_span

__all__ = ["PackError", "Table", "clock", "days"]

_WEEKDAYS = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}
_CONFIDENCE = ("H", "M", "L", "M-H", "L-M")


class PackError(DefinitionError):
    """A pack file that cannot be used: `file`, `key` (dotted path) and `problem`."""

    code = "invalid_pack"


class Table:
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

    def table(self, name: str) -> Table | None:
        value = self.get(name)
        return None if value is None else Table(self.file, self.key(name), value)

    def tables(self, name: str) -> list[Table]:
        value = self.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(name, "expected an array of tables ([[...]])")
        return [Table(self.file, f"{self.key(name)}[{i}]", v) for i, v in enumerate(value)]

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


def clock(t: Table, name: str) -> int:
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


def days(t: Table, name: str) -> frozenset[int]:
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
