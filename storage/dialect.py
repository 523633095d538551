"""The small difference between the SQL the storage modules write and what PostgreSQL accepts.

The storage modules write one SQL text for both engines: SQLite's named parameters (`:name`),
`ON CONFLICT ... DO UPDATE/NOTHING` upserts, `RETURNING`, and instants as fixed-width UTC text
(so there is no `now()` to translate: the time is always a parameter). For PostgreSQL `translate`
turns the named parameters into numbered ones (`$1`, a name used twice is one number) and records
whether the statement returns rows. The few expressions with no common spelling (JSON) are chosen
by the connection's `dialect` with `json_array_items` and `json_append`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = [
    "LOCK_ACCESS_LOG",
    "LOCK_JOBS",
    "LOCK_MIGRATE",
    "LOCK_WRITE",
    "Translated",
    "coerce_args",
    "dialect_of",
    "json_append",
    "json_array_items",
    "json_field",
    "translate",
]

# PostgreSQL advisory-lock keys (one bigint namespace per database), fixed so every instance agrees.
LOCK_WRITE = 0x63770001  # ordinary write transactions, one at a time across the cluster
LOCK_ACCESS_LOG = 0x63770002  # the access log's appender: the chain stays linear
LOCK_MIGRATE = 0x63770003  # schema migrations
LOCK_JOBS = 0x63770100  # + a small number per scheduled job: purge, scrub, anchor once per cluster


def dialect_of(conn: Any) -> str:
    """`postgresql` for a storage.pg connection, `sqlite` for a stdlib one."""
    return str(getattr(conn, "dialect", "sqlite"))


# A quoted string or identifier, a comment, a cast (::), or a named parameter.
_TOKEN = re.compile(
    r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|::|(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)""",
)


@dataclass(frozen=True)
class Translated:
    sql: str
    names: tuple[str, ...]  # the parameter name of $1, $2, ...
    returns_rows: bool

    def args(self, params: Any) -> list[Any]:
        """The positional arguments for `params` (a mapping of names, or a sequence)."""
        if not self.names:
            return []
        if isinstance(params, dict):
            return [params[name] for name in self.names]
        if params is None:
            raise KeyError(self.names[0])
        return list(params)  # already positional (`?` style is not used by the storage modules)


@lru_cache(maxsize=4096)
def translate(sql: str) -> Translated:
    """SQLite-style SQL with `:name` parameters → PostgreSQL SQL with `$n` parameters."""
    names: list[str] = []

    def number(m: re.Match[str]) -> str:
        name = m.group(1)
        if name is None:
            return m.group(0)
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    out = _TOKEN.sub(number, sql)
    head = out.lstrip().split(None, 1)[0].upper() if out.strip() else ""
    returns = (
        head in ("SELECT", "WITH", "VALUES", "SHOW") or re.search(r"\bRETURNING\b", out, re.I) is not None
    )
    return Translated(out, tuple(names), returns)


def _to_text(value: Any) -> Any:
    if value is None or isinstance(value, str | bytes):
        return value
    if isinstance(value, bool):
        return str(int(value))
    return str(value)


def _to_int(value: Any) -> Any:
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _to_bool(value: Any) -> Any:
    return bool(value) if isinstance(value, int) else value


_COERCE = {
    "text": _to_text,
    "varchar": _to_text,
    "int2": _to_int,
    "int4": _to_int,
    "int8": _to_int,
    "bool": _to_bool,
}


def coerce_args(args: list[Any], types: list[str]) -> list[Any]:
    """Convert values the way SQLite's column affinity would (1 into a TEXT column is '1')."""
    return [_COERCE.get(t, lambda v: v)(v) for v, t in zip(args, types, strict=True)]


def json_array_items(dialect: str, doc: str, path: tuple[str, ...], alias: str) -> str:
    """A FROM item listing the elements of the JSON array at `path` inside the text column `doc`,
    each as `<alias>.value`; read fields with `json_field`."""
    if dialect == "postgresql":
        arrow = "".join(f" -> '{p}'" for p in path)
        return f"jsonb_array_elements(coalesce(({doc})::jsonb{arrow}, '[]'::jsonb)) AS {alias}(value)"
    return f"json_each({doc}, '$.{'.'.join(path)}') AS {alias}" if path else f"json_each({doc}) AS {alias}"


def json_field(dialect: str, alias: str, field: str) -> str:
    """The text of `field` of an element listed by `json_array_items`."""
    if dialect == "postgresql":
        return f"({alias}.value ->> '{field}')"
    return f"json_extract({alias}.value, '$.{field}')"


def json_append(dialect: str, column: str, param: str) -> str:
    """An expression: the JSON array in text column `column` with the JSON text `:param` appended."""
    if dialect == "postgresql":
        return f"(({column})::jsonb || jsonb_build_array(({param})::jsonb))::text"
    return f"json_insert({column}, '$[#]', json({param}))"
