"""docs/cli.md is generated from the parser's --help and must match it."""

from __future__ import annotations

from pathlib import Path

from gateway.cli.reference import cli_reference

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_cli_reference_is_current() -> None:
    expected = cli_reference() + "\n"
    assert DOC.read_text(encoding="utf-8") == expected, (
        "regenerate: python -m gateway.cli.reference > docs/cli.md"
    )


def test_cli_reference_covers_every_command() -> None:
    text = cli_reference()
    for command in ("init", "keys create", "keys list", "keys revoke", "serve", "doctor", "policy check"):
        assert f"## `callwarden {command}`" in text
