"""What every `callwarden` subcommand shares: where the data dir is, whether it is ready, who the
operator is (for the access log), and how errors become exit statuses."""

from __future__ import annotations

import argparse
import getpass
import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path

from gateway.settings import Settings, load_settings
from policies.errors import CallwardenError, InputError, NotFound, SetupError
from storage.audit import Actor

__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "DataDirArg",
    "data_dir_arg",
    "exit_code",
    "initialised_settings",
    "operator_actor",
    "resolve_data_dir",
]

# Scriptable: 0 success, 1 a failed check or a refused operation, 2 a usage or setup error.
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

DataDirArg = Callable[[argparse.ArgumentParser], None]

# Errors → exit status, by class (the first match walking the class hierarchy).
_EXIT_CODES: dict[type[CallwardenError], int] = {
    InputError: EXIT_USAGE,
    SetupError: EXIT_USAGE,
    NotFound: EXIT_FAILED,
    CallwardenError: EXIT_FAILED,
}


def exit_code(exc: CallwardenError) -> int:
    for cls in type(exc).__mro__:
        if cls in _EXIT_CODES:
            return _EXIT_CODES[cls]
    return EXIT_FAILED


def data_dir_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", help="data directory (default $CALLWARDEN_DATA_DIR or ./var)")


def resolve_data_dir(args: argparse.Namespace) -> Path:
    """`--data-dir`, else `$CALLWARDEN_DATA_DIR`, else `./var`, as an absolute path."""
    return Path(getattr(args, "data_dir", None) or os.environ.get("CALLWARDEN_DATA_DIR") or "./var").resolve()


def initialised_settings(args: argparse.Namespace) -> Settings | None:
    """The data dir's settings, or None (with a message on stderr) when it has no database yet."""
    settings = load_settings(resolve_data_dir(args))
    if not settings.uses_postgres and not settings.db_path.exists():
        print(
            f"no database at {settings.db_path}; run `callwarden init --data-dir ...` first", file=sys.stderr
        )
        return None
    return settings


def operator_actor() -> Actor:
    """The person running the command, for the access log: `cli:<user>@<host>`."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    return Actor(None, "operator", None, f"cli:{user}@{socket.gethostname()}")
