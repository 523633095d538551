"""`callwarden` command line: init, keys, serve, doctor, policy.

Scriptable: results go to stdout (a created key is the last line), diagnostics to stderr, and
the exit status is 0 on success, 1 on a failed check, 2 on a usage or configuration error.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import secrets
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from gateway.cli.common import initialised_settings, resolve_data_dir
from gateway.settings import CONFIG_FILE, MASTER_KEY_FILE, ConfigError, load_settings
from storage.db import Database, DatabaseError, NotFound

__all__ = ["main"]


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def cmd_init(args: argparse.Namespace) -> int:
    """Create the data dir, config, database and master key; safe to run again."""
    from gateway.settings import default_config_text

    data_dir = resolve_data_dir(args)
    data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(data_dir, 0o700)
    created = []
    config = data_dir / CONFIG_FILE
    if not config.exists():
        config.write_text(default_config_text(), encoding="utf-8")
        created.append(str(config))
    master = data_dir / MASTER_KEY_FILE
    if not master.exists():
        key_id = "mk1"
        material = base64.b64encode(secrets.token_bytes(32)).decode("ascii")
        _write_private(master, f"{key_id}:{material}\n")
        created.append(str(master))
    settings = load_settings(data_dir)

    async def migrate() -> None:
        async with Database(settings.db_path):
            pass

    existed = settings.db_path.exists()
    asyncio.run(migrate())
    if not existed:
        created.append(str(settings.db_path))
    for path in created:
        print(f"created {path}")
    print(f"data dir ready: {data_dir}")
    return 0


def cmd_keys(args: argparse.Namespace) -> int:
    from storage.keys import create_key, list_keys, revoke_key

    settings = initialised_settings(args)
    if settings is None:
        return 2

    async def run() -> int:
        async with Database(settings.db_path) as db:
            if args.keys_command == "create":
                try:
                    key, full = await create_key(db, args.role, args.agency, args.name or "")
                except ValueError as exc:
                    print(f"error: {exc}", file=sys.stderr)
                    return 2
                print(
                    f"created {key.role} key {key.key_id}"
                    + (f" for agency {key.agency_id}" if key.agency_id else ""),
                    file=sys.stderr,
                )
                print("store it now: it is shown only once", file=sys.stderr)
                print(full)
                return 0
            if args.keys_command == "list":
                keys = await list_keys(db)
                if args.json:
                    print(json.dumps([k.to_json() for k in keys], indent=2))
                else:
                    print(f"{'KEY ID':<14} {'ROLE':<10} {'AGENCY':<16} {'STATUS':<8} NAME")
                    for k in keys:
                        status = "revoked" if k.revoked_at else "active"
                        print(f"{k.key_id:<14} {k.role:<10} {k.agency_id or '-':<16} {status:<8} {k.name}")
                return 0
            key = await revoke_key(db, args.key_id)
            print(f"revoked {key.key_id} at {key.revoked_at}")
            return 0

    try:
        return asyncio.run(run())
    except NotFound as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def cmd_serve(args: argparse.Namespace) -> int:
    import subprocess

    from aiohttp import web

    from gateway.logs import configure_logging
    from gateway.web.app import create_app

    data_dir = resolve_data_dir(args)
    settings = load_settings(
        data_dir,
        overrides={"server.host": args.host, "server.port": args.port, "server.workers": args.workers},
    )
    if not (data_dir / CONFIG_FILE).exists():
        print(f"{data_dir} is not initialised; run `callwarden init --data-dir {data_dir}`", file=sys.stderr)
        return 2
    configure_logging(settings["log.level"], settings["log.format"])
    host, port, workers = settings["server.host"], settings["server.port"], settings["server.workers"]
    if workers < 1:
        print("server.workers must be at least 1", file=sys.stderr)
        return 2
    from gateway.cli.workers import start_transcription_workers, stop_transcription_workers

    # Transcription runs in processes of its own (speech.workers), started once, not per server.
    speech_workers = None if args.reuse_port else start_transcription_workers(settings)
    children: list[subprocess.Popen[bytes]] = []
    reuse_port = args.reuse_port or workers > 1
    # Extra workers are whole processes on the same port (SO_REUSEPORT): each has its own event
    # loop and writer; SQLite's write lock keeps the check-and-reserve exact across them.
    for _ in range(workers - 1):
        children.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gateway.cli",
                    "serve",
                    "--data-dir",
                    str(data_dir),
                    "--host",
                    host,
                    "--port",
                    str(port),
                    "--workers",
                    "1",
                    "--reuse-port",
                ]
            )
        )
    print(
        f"callwarden serving on http://{host}:{port} (data dir {data_dir}, {workers} worker(s))",
        file=sys.stderr,
        flush=True,
    )
    try:
        web.run_app(
            create_app(settings),
            host=host,
            port=port,
            print=None,
            access_log=None,
            handle_signals=True,
            shutdown_timeout=5,
            reuse_port=reuse_port,
        )
    finally:
        stop_transcription_workers(speech_workers)
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    """Check what a working installation needs and say how to fix what is missing."""
    data_dir = resolve_data_dir(args)
    problems = 0

    def report(ok: bool | None, what: str, fix: str = "") -> None:
        nonlocal problems
        mark = {True: "ok  ", False: "FAIL", None: "warn"}[ok]
        print(f"[{mark}] {what}" + (f"\n       fix: {fix}" if fix and not ok else ""))
        if ok is False:
            problems += 1

    try:
        settings = load_settings(data_dir)
        report(
            True,
            f"configuration {data_dir / CONFIG_FILE}"
            if (data_dir / CONFIG_FILE).exists()
            else "configuration (defaults; no callwarden.toml)",
        )
    except ConfigError as exc:
        report(
            False, f"configuration: {exc}", "correct the named setting in callwarden.toml or the environment"
        )
        return 1
    if not settings.db_path.exists():
        report(False, f"database {settings.db_path} missing", f"callwarden init --data-dir {data_dir}")
    else:

        async def check_db() -> None:
            async with Database(settings.db_path) as db:
                await db.check_writable()

        try:
            asyncio.run(check_db())
            report(True, f"database {settings.db_path} (migrated, writable)")
        except (DatabaseError, OSError, Exception) as exc:
            report(False, f"database {settings.db_path}: {exc}", "check permissions and free space")
    master = data_dir / MASTER_KEY_FILE
    if master.exists():
        mode = master.stat().st_mode & 0o777
        report(mode & 0o077 == 0, f"master key {master} (mode {mode:o})", f"chmod 600 {master}")
    else:
        report(False, f"master key {master} missing", f"callwarden init --data-dir {data_dir}")
    probe = data_dir if data_dir.exists() else data_dir.parent
    free = shutil.disk_usage(probe).free
    space_ok = True if free >= 1 << 30 else (None if free >= 256 << 20 else False)
    report(
        space_ok,
        f"free disk space at {probe}: {free / (1 << 30):.1f} GiB",
        "recordings need room: free space or move the data dir",
    )
    ffmpeg = shutil.which("ffmpeg")
    report(
        True if ffmpeg else None,
        f"ffmpeg: {ffmpeg or 'not found'}",
        "apt-get install ffmpeg (needed to decode recordings for transcription)",
    )
    from gateway.cli.speech import speech_checks

    for ok, what, fix in speech_checks(settings):
        report(ok, what, fix)
    from gateway.cli.vault import vault_checks

    for ok, what, fix in vault_checks(settings):
        report(ok, what, fix)
    print("all checks passed" if not problems else f"{problems} problem(s) found")
    return 0 if not problems else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="callwarden", description="Compliance gateway for debt-collection contact centres."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def data_dir_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data-dir", help="data directory (default $CALLWARDEN_DATA_DIR or ./var)")

    p = sub.add_parser("init", help="create a data dir: config, database, master key (idempotent)")
    data_dir_arg(p)
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("keys", help="create, list and revoke API keys")
    keys = p.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    k = keys.add_parser("create", help="create a key; the key itself is the last line of stdout")
    data_dir_arg(k)
    k.add_argument("--role", required=True, choices=["admin", "dialer", "inspector", "security"])
    k.add_argument("--agency", help="agency the key is bound to (required for dialer)")
    k.add_argument("--name", help="a label for the key (who or what uses it)")
    k.set_defaults(func=cmd_keys)
    k = keys.add_parser("list", help="list keys (never their secrets)")
    data_dir_arg(k)
    k.add_argument("--json", action="store_true", help="print JSON")
    k.set_defaults(func=cmd_keys)
    k = keys.add_parser("revoke", help="revoke a key by its id")
    data_dir_arg(k)
    k.add_argument("key_id")
    k.set_defaults(func=cmd_keys)
    from gateway.cli.vault import add_rotate_master, add_vault_commands

    add_rotate_master(keys, data_dir_arg)

    p = sub.add_parser("serve", help="serve the HTTP API")
    data_dir_arg(p)
    p.add_argument("--host", help="bind address (default from config: 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default from config: 8080)")
    p.add_argument("--workers", type=int, help="serving processes sharing the port (default from config: 1)")
    p.add_argument("--reuse-port", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("doctor", help="check the installation and say how to fix problems")
    data_dir_arg(p)
    p.set_defaults(func=cmd_doctor)

    try:
        from gateway.cli.policy import add_policy_commands
    except ImportError:  # pragma: no cover - the policy CLI ships with the policies package
        pass
    else:
        add_policy_commands(sub)
    from gateway.cli.speech import add_speech_commands

    add_speech_commands(sub)
    add_vault_commands(sub, data_dir_arg)
    from gateway.cli.workers import add_worker_commands

    add_worker_commands(sub, data_dir_arg)
    return parser


def cli_reference() -> str:
    """docs/cli.md: every command's `--help`, generated so the reference cannot drift."""
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
