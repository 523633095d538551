"""`callwarden serve`: the HTTP API, its transcription workers and extra serving processes.

Everything that can be checked is checked before "serving on" is printed — the settings, the
carrier configuration, ffmpeg when transcription workers are enabled, the database and the
recording store (opened by the app's start-up), and the port — and a failure exits with status 2
and one line naming the problem, so a process manager sees a failed start, not a live process
that refuses connections.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import signal
import subprocess
import sys
from typing import Any

from aiohttp import web

from gateway.cli.common import EXIT_USAGE, data_dir_arg, resolve_data_dir
from gateway.components import build_carrier
from gateway.jobs.supervisor import resolve_workers, start_transcription_workers, stop_transcription_workers
from gateway.logs import configure_logging
from gateway.settings import CONFIG_FILE, Settings, load_settings
from gateway.web.app import create_app
from policies.errors import CallwardenError, SetupError

__all__ = ["add_commands", "preflight"]


def add_commands(sub: Any) -> None:
    p = sub.add_parser("serve", help="serve the HTTP API")
    data_dir_arg(p)
    p.add_argument("--host", help="bind address (default from config: 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default from config: 8080)")
    p.add_argument("--workers", type=int, help="serving processes sharing the port (default from config: 1)")
    p.add_argument("--reuse-port", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_serve)


def preflight(settings: Settings, *, with_workers: bool) -> None:
    """Raise `SetupError` for what would make the server useless: a carrier that cannot be built
    from its settings, transcription workers without ffmpeg."""
    build_carrier(settings)  # validates the options; the app builds its own inside its loop
    if with_workers and resolve_workers(settings["speech.workers"]) > 0 and shutil.which("ffmpeg") is None:
        raise SetupError(
            "speech.workers is enabled but ffmpeg is not installed: install it (apt-get install ffmpeg) "
            "or set speech.workers = 0"
        )


async def _run(settings: Settings, host: str, port: int, reuse_port: bool, on_ready: Any) -> None:
    runner = web.AppRunner(create_app(settings), handle_signals=False, access_log=None)
    try:
        await runner.setup()  # opens and migrates the database, opens the recording store
    except OSError as exc:
        raise SetupError(f"cannot start: {exc}") from exc
    try:
        site = web.TCPSite(runner, host, port, reuse_port=reuse_port, shutdown_timeout=5)
        try:
            await site.start()
        except OSError as exc:
            raise SetupError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        on_ready()
        await stop.wait()
    finally:
        await runner.cleanup()


def _extra_process(settings: Settings, host: str, port: int) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "gateway.cli", "serve", "--data-dir", str(settings.data_dir)]
    argv += ["--host", host, "--port", str(port), "--workers", "1", "--reuse-port"]
    return subprocess.Popen(argv)


def cmd_serve(args: argparse.Namespace) -> int:
    data_dir = resolve_data_dir(args)
    if not (data_dir / CONFIG_FILE).exists():
        print(f"{data_dir} is not initialised; run `callwarden init --data-dir {data_dir}`", file=sys.stderr)
        return EXIT_USAGE
    settings = load_settings(
        data_dir,
        overrides={"server.host": args.host, "server.port": args.port, "server.workers": args.workers},
    )
    configure_logging(settings["log.level"], settings["log.format"])
    host, port, workers = settings["server.host"], settings["server.port"], settings["server.workers"]
    if workers < 1:
        raise SetupError("server.workers must be at least 1")
    primary = not args.reuse_port  # the first process starts the transcription workers and the others
    preflight(settings, with_workers=primary)
    children: list[subprocess.Popen[bytes]] = []
    speech_workers: list[subprocess.Popen[bytes] | None] = [None]

    def ready() -> None:
        # Transcription runs in processes of its own (speech.workers), started once, not per server.
        # Extra servers are whole processes on the same port (SO_REUSEPORT), each with its own loop
        # and decision writer; the database keeps the check-and-reserve exact across them.
        if primary:
            speech_workers[0] = start_transcription_workers(settings)
            children.extend(_extra_process(settings, host, port) for _ in range(workers - 1))
        print(
            f"callwarden serving on http://{host}:{port} (data dir {data_dir}, {workers} worker(s))",
            file=sys.stderr,
            flush=True,
        )

    try:
        asyncio.run(_run(settings, host, port, args.reuse_port or workers > 1, ready))
    except CallwardenError:
        raise
    finally:
        stop_transcription_workers(speech_workers[0])
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
    return 0
