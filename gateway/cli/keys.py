"""`callwarden keys create|list|revoke|rotate-master`: API keys and the recordings' master key.

A created key is the last line of stdout (shown once: only its hash is stored).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from gateway.cli.common import EXIT_USAGE, data_dir_arg, initialised_settings, resolve_data_dir
from gateway.settings import MASTER_KEY_FILE
from storage.backends import open_db
from storage.crypto import KeyringError, rotate_master_key
from storage.keys import ROLES, create_key, list_keys, revoke_key

__all__ = ["add_commands"]


def add_commands(sub: Any) -> None:
    p = sub.add_parser("keys", help="create, list and revoke API keys")
    keys = p.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    k = keys.add_parser("create", help="create a key; the key itself is the last line of stdout")
    data_dir_arg(k)
    k.add_argument("--role", required=True, choices=[str(r) for r in ROLES])
    k.add_argument("--agency", help="agency the key is bound to (required for dialer)")
    k.add_argument("--name", help="a label for the key (who or what uses it)")
    k.set_defaults(func=cmd_create)
    k = keys.add_parser("list", help="list keys (never their secrets)")
    data_dir_arg(k)
    k.add_argument("--json", action="store_true", help="print JSON")
    k.set_defaults(func=cmd_list)
    k = keys.add_parser("revoke", help="revoke a key by its id")
    data_dir_arg(k)
    k.add_argument("key_id")
    k.set_defaults(func=cmd_revoke)
    k = keys.add_parser("rotate-master", help="add a new master key for recording encryption (old ones stay)")
    data_dir_arg(k)
    k.set_defaults(func=cmd_rotate_master)


def cmd_create(args: argparse.Namespace) -> int:
    settings = initialised_settings(args)
    if settings is None:
        return EXIT_USAGE

    async def run() -> int:
        async with open_db(settings.db_target) as db:
            key, full = await create_key(db, args.role, args.agency, args.name or "")
        agency = f" for agency {key.agency_id}" if key.agency_id else ""
        print(f"created {key.role} key {key.key_id}{agency}", file=sys.stderr)
        print("store it now: it is shown only once", file=sys.stderr)
        print(full)
        return 0

    return asyncio.run(run())


def cmd_list(args: argparse.Namespace) -> int:
    settings = initialised_settings(args)
    if settings is None:
        return EXIT_USAGE

    async def run() -> int:
        async with open_db(settings.db_target) as db:
            keys = await list_keys(db)
        if args.json:
            print(json.dumps([k.to_json() for k in keys], indent=2))
            return 0
        print(f"{'KEY ID':<14} {'ROLE':<10} {'AGENCY':<16} {'STATUS':<8} NAME")
        for k in keys:
            status = "revoked" if k.revoked_at else "active"
            print(f"{k.key_id:<14} {k.role:<10} {k.agency_id or '-':<16} {status:<8} {k.name}")
        return 0

    return asyncio.run(run())


def cmd_revoke(args: argparse.Namespace) -> int:
    settings = initialised_settings(args)
    if settings is None:
        return EXIT_USAGE

    async def run() -> int:
        async with open_db(settings.db_target) as db:
            key = await revoke_key(db, args.key_id)
        print(f"revoked {key.key_id} at {key.revoked_at}")
        return 0

    return asyncio.run(run())


def cmd_rotate_master(args: argparse.Namespace) -> int:
    path = resolve_data_dir(args) / MASTER_KEY_FILE
    try:
        key_id = rotate_master_key(path)
    except (KeyringError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"new master key {key_id} appended to {path}; new recordings use it, older ones stay readable",
        file=sys.stderr,
    )
    print("back up master.key now (and keep it apart from the recordings' backups)", file=sys.stderr)
    print(key_id)
    return 0
