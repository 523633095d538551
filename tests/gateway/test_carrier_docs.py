"""docs/carriers.md's option table is the source of truth: it must list exactly the options each
carrier kind accepts, and each must be a `[carrier]` setting."""

from __future__ import annotations

import re
from pathlib import Path

from gateway.carriers import CARRIER_KINDS, carrier_option_names
from gateway.settings import SETTINGS

DOC = Path(__file__).resolve().parents[2] / "docs" / "carriers.md"


def _documented() -> dict[str, set[str]]:
    kinds: dict[str, set[str]] = {kind: set() for kind in CARRIER_KINDS}
    for option, where in re.findall(
        r"^\| `([a-z_]+)` \| ([a-z, -]+) \|", DOC.read_text(encoding="utf-8"), re.M
    ):
        for kind in (k.strip() for k in where.split(",")):
            kinds.setdefault(kind, set()).add(option)
    return kinds


def test_the_option_table_matches_every_kind() -> None:
    documented = _documented()
    assert set(documented) == set(CARRIER_KINDS)
    for kind in CARRIER_KINDS:
        assert documented[kind] == set(carrier_option_names(kind)), kind


def test_every_documented_option_is_a_carrier_setting() -> None:
    settings = {s.name for s in SETTINGS}
    for options in _documented().values():
        for option in options:
            assert f"carrier.{option}" in settings
