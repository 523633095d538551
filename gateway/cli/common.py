"""What every `callwarden` subcommand shares: where the data dir is, and whether it is ready."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from gateway.settings import Settings, load_settings

__all__ = ["initialised_settings", "resolve_data_dir"]


def resolve_data_dir(args: argparse.Namespace) -> Path:
    """`--data-dir`, else `$CALLWARDEN_DATA_DIR`, else `./var`, as an absolute path."""
    return Path(getattr(args, "data_dir", None) or os.environ.get("CALLWARDEN_DATA_DIR") or "./var").resolve()


def initialised_settings(args: argparse.Namespace) -> Settings | None:
    """The data dir's settings, or None (with a message on stderr) when it has no database yet."""
    settings = load_settings(resolve_data_dir(args))
    if not settings.db_path.exists():
        print(
            f"no database at {settings.db_path}; run `callwarden init --data-dir ...` first", file=sys.stderr
        )
        return None
    return settings
