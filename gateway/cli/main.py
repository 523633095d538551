"""`callwarden`: one argparse tree, one module per command group.

    init, doctor                 gateway.cli.setup
    migrate, db copy             gateway.cli.database
    keys (create, list, revoke, rotate-master)   gateway.cli.keys
    serve                        gateway.cli.serve
    policy (check, list, show, validate, test)   gateway.cli.policy
    transcribe, flag             gateway.cli.speech
    ingest, scrub, audit verify, retention report   gateway.cli.vault
    workers, reprocess           gateway.cli.workers
    report scorecard             gateway.cli.report
    lexicon train, flags export  gateway.cli.flagger

Scriptable: results go to stdout (a created key is the last line), diagnostics to stderr, and the
exit status is 0 on success, 1 on a failed check or refused operation, 2 on a usage or
configuration error (`gateway.cli.common.exit_code` maps every error class in one place).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from gateway.cli import database, flagger, keys, policy, report, serve, setup, speech, vault, workers
from gateway.cli.common import exit_code
from policies.errors import CallwardenError

__all__ = ["GROUPS", "build_parser", "main"]

GROUPS = (setup, database, keys, serve, policy, speech, vault, workers, report, flagger)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="callwarden", description="Compliance gateway for debt-collection contact centres."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        group.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except CallwardenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exit_code(exc)
