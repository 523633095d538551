"""Kamailio (the shipped deploy/kamailio.cfg + kamailio-callwarden.cfg) and SIPp on loopback, for
the end-to-end SIP tests and bench/sip.py. Debian packages: kamailio, kamailio-utils-modules
(http_client), kamailio-extra-modules (jansson), sip-tester (SIPp)."""

from __future__ import annotations

import asyncio
import re
import shutil
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
SCENARIOS = Path(__file__).parent / "scenarios"
DEBIAN_PACKAGES = ("kamailio", "kamailio-utils-modules", "kamailio-extra-modules", "sip-tester")


def _modules_dir() -> Path | None:
    try:
        out = subprocess.run(
            ["kamailio", "-I"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"Default paths to modules:\s*(\S+)", out)
    return Path(m.group(1)) if m else None


def missing() -> str | None:
    """Why the SIP tests cannot run here (None when they can)."""
    if shutil.which("kamailio") is None or shutil.which("sipp") is None:
        return "kamailio or sipp not installed (Debian: " + " ".join(DEBIAN_PACKAGES) + ")"
    mods = _modules_dir()
    if mods is None or not all((mods / m).exists() for m in ("http_client.so", "jansson.so", "tm.so")):
        return "Kamailio modules http_client/jansson missing (kamailio-utils-modules, kamailio-extra-modules)"
    return None


def free_port(kind: socket.SocketKind = socket.SOCK_DGRAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sip_ping(port: int, timeout: float = 0.2) -> bool:
    """Whether something answers a SIP OPTIONS on 127.0.0.1:`port`."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        s.settimeout(timeout)
        local = s.getsockname()[1]
        tag = uuid.uuid4().hex[:8]
        msg = (
            f"OPTIONS sip:127.0.0.1:{port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{local};branch=z9hG4bK{tag}\r\n"
            f"From: <sip:ping@127.0.0.1>;tag={tag}\r\nTo: <sip:127.0.0.1:{port}>\r\nCall-ID: {tag}@ping\r\n"
            "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
        )
        s.sendto(msg.encode(), ("127.0.0.1", port))
        try:
            return s.recv(4096).startswith(b"SIP/2.0 200")
        except OSError:
            return False


@dataclass
class Kamailio:
    """deploy/kamailio.cfg running in the foreground, logging to `workdir/kamailio.log`."""

    proc: subprocess.Popen[bytes]
    port: int
    workdir: Path

    @classmethod
    def start(
        cls,
        workdir: Path,
        *,
        trunk_port: int,
        authorize_url: str,
        dialer_key: str,
        timeout_s: int = 1,
        bypass_prefix: str | None = None,
        children: int = 4,
    ) -> Kamailio:
        workdir.mkdir(parents=True, exist_ok=True)
        for name in ("kamailio.cfg", "kamailio-callwarden.cfg"):
            shutil.copy(DEPLOY / name, workdir / name)
        port = free_port()
        run = workdir / "run"
        run.mkdir(exist_ok=True)
        defines = [
            f"CW_LISTEN=udp:127.0.0.1:{port}",
            f'CW_TRUNK="sip:127.0.0.1:{trunk_port}"',
            f'CW_AUTHORIZE_URL="{authorize_url}"',
            f'CW_DIALER_KEY="{dialer_key}"',
            f"CW_TIMEOUT_S={timeout_s}",
        ]
        if bypass_prefix is not None:
            defines.append(f'CW_BYPASS_PREFIX="{bypass_prefix}"')
        cmd = [
            "kamailio",
            "-f",
            str(workdir / "kamailio.cfg"),
            "-DD",
            "-E",
            "-Y",
            str(run),
            "-n",
            str(children),
        ]
        cmd += [arg for d in defines for arg in ("-A", d)]
        log = (workdir / "kamailio.log").open("wb")
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(
                    "kamailio exited:\n" + (workdir / "kamailio.log").read_text(errors="replace")[-3000:]
                )
            if sip_ping(port):
                return cls(proc, port, workdir)
        proc.terminate()
        raise RuntimeError("kamailio did not answer OPTIONS within 15 s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log(self) -> str:
        return (self.workdir / "kamailio.log").read_text(errors="replace")


@dataclass
class SippResult:
    returncode: int
    seconds: float
    output: str
    messages: str = ""
    logs: str = ""


async def sipp(args: list[str], workdir: Path, name: str, timeout: float = 60) -> SippResult:
    """Run SIPp to completion (it exits by itself after `-m` calls)."""
    messages, logs = workdir / f"{name}.messages.log", workdir / f"{name}.actions.log"
    cmd = ["sipp", *args, "-nostdin", "-trace_msg", "-message_file", str(messages), "-trace_logs",
           "-log_file", str(logs), "-timeout", f"{int(timeout)}", "-timeout_error"]  # fmt: skip
    started = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        *cmd, cwd=workdir, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        stdin=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(), timeout + 10)
    seconds = time.monotonic() - started
    read = lambda p: p.read_text(errors="replace") if p.exists() else ""  # noqa: E731
    return SippResult(proc.returncode or 0, seconds, out.decode(errors="replace"), read(messages), read(logs))


@dataclass
class Uas:
    """The trunk: SIPp answering `calls` calls on `port`, failing any without an attempt id."""

    port: int
    workdir: Path
    calls: int
    task: asyncio.Task[SippResult] = field(init=False)

    def start(self) -> Uas:
        args = [
            "-sf",
            str(SCENARIOS / "uas.xml"),
            "-i",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-m",
            str(self.calls),
        ]
        self.task = asyncio.create_task(sipp(args, self.workdir, "uas"))
        return self

    async def wait(self) -> SippResult:
        return await self.task


def write_rows(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("SEQUENTIAL\n" + "".join(f"{case};{number};\n" for case, number in rows))
    return path


async def dial(
    workdir: Path, kamailio_port: int, rows: list[tuple[str, str]], *, expect: int = 200, name: str = "uac"
) -> SippResult:
    """Place one call per row (case id, number) through Kamailio, one after the other. `expect`
    200: each must be answered; otherwise each must be rejected with exactly that status."""
    csv = write_rows(workdir / f"{name}.csv", rows)
    if expect == 200:
        scenario = SCENARIOS / "uac_allowed.xml"
    else:
        scenario = workdir / f"{name}.xml"
        scenario.write_text((SCENARIOS / "uac_rejected.xml").read_text().replace("@CODE@", str(expect)))
    args = [f"127.0.0.1:{kamailio_port}", "-sf", str(scenario), "-inf", str(csv), "-i", "127.0.0.1",
            "-p", str(free_port()), "-m", str(len(rows)), "-l", "1", "-r", "50"]  # fmt: skip
    return await sipp(args, workdir, name)
