"""docs/cli.md: every command's `--help`, generated so the reference cannot drift.

python -m gateway.cli.reference > docs/cli.md
"""

from __future__ import annotations

import argparse
import os

from gateway.cli.main import build_parser

__all__ = ["cli_reference"]


def cli_reference() -> str:
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"  # argparse wraps to the terminal; fix it for a stable document
    try:
        parser = build_parser()
        out = [
            "# Command-line reference",
            "",
            "<!-- Generated: python -m gateway.cli.reference > docs/cli.md (a test checks it). -->",
            "",
        ]

        def walk(p: argparse.ArgumentParser, name: str) -> None:
            out.extend([f"## `{name}`", "", "```text", p.format_help().rstrip(), "```", ""])
            for action in p._actions:
                if isinstance(action, argparse._SubParsersAction):
                    for sub_name, sub in action.choices.items():
                        walk(sub, f"{name} {sub_name}")

        walk(parser, "callwarden")
        return "\n".join(out)
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old


if __name__ == "__main__":
    print(cli_reference())
