"""End to end over SIP: SIPp (the dialer) → Kamailio running the shipped deploy/kamailio.cfg with
Debian 12's stock modules → callwarden (a real server on loopback) → SIPp (the trunk).

Allowed calls reach the trunk with X-Callwarden-Attempt-Id and without the case header; a call
outside the window or over the cap is rejected 403 with X-Callwarden-Reason; with callwarden
stopped or hanging, calls fail closed (480) within the configured timeout."""

from __future__ import annotations

import asyncio
import re
import socket
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from gateway.web.app import create_app
from tests.gateway.helpers import DEBTOR_NUMBER, app_settings, case_body, hdr, setup_world
from tests.sip.harness import Kamailio, Uas, dial, free_port, missing

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(missing() is not None, reason=f"SIP end-to-end: {missing()}"),
]
TIMEOUT_S = 1


def _closed_window_pack() -> str:
    """A pack whose only window excludes the current hour in New York (the test case's zone)."""
    hour = datetime.now(ZoneInfo("America/New_York")).hour
    start, end = ("13:00", "14:00") if hour < 12 else ("01:00", "02:00")
    return f"""
name = "test-closed-now"
version = "1"
jurisdiction = "test"
[window]
citation = "test fixture"
[[window.ranges]]
start = "{start}"
end = "{end}"
"""


@pytest.fixture
async def gateway(aiohttp_server: Any, aiohttp_client: Any, data_dir: Path, make_key: Any) -> Any:
    (data_dir / "packs").mkdir(exist_ok=True)
    (data_dir / "packs" / "test-closed-now.toml").write_text(_closed_window_pack())
    server = await aiohttp_server(create_app(app_settings(data_dir)), port=free_port(socket.SOCK_STREAM))
    client = await aiohttp_client(server)
    world = await setup_world(client, make_key)
    r = await client.put("/v1/cases/c2", json=case_body(packs=["test-closed-now"]), headers=hdr(world.admin))
    assert r.status == 201
    return server, client, world


def _headers(messages: str, name: str) -> list[str]:
    return re.findall(rf"^{name}:\s*(\S+)", messages, flags=re.MULTILINE | re.IGNORECASE)


async def test_allowed_calls_reach_the_trunk_with_the_attempt_id_and_the_cap_is_403(
    gateway: Any, tmp_path: Path
) -> None:
    server, client, world = gateway
    uas = Uas(free_port(), tmp_path, calls=3).start()
    kam = Kamailio.start(
        tmp_path / "kamailio",
        trunk_port=uas.port,
        authorize_url=str(server.make_url("/v1/authorize")),
        dialer_key=world.dialer,
    )
    try:
        allowed = await dial(tmp_path, kam.port, [("c1", DEBTOR_NUMBER)] * 3, name="allowed")
        assert allowed.returncode == 0, allowed.output + kam.log()[-2000:]
        trunk = await uas.wait()
        # The trunk's scenario fails a call without an attempt id or with the case header.
        assert trunk.returncode == 0, trunk.output
        attempts = re.findall(r"attempt (\S+) to", trunk.logs)
        assert len(attempts) == 3
        assert "forged-by-the-dialer" not in trunk.messages
        for attempt_id in attempts:
            r = await client.get(f"/v1/attempts/{attempt_id}", headers=hdr(world.dialer))
            assert (r.status, (await r.json())["case_id"]) == (200, "c1")
        assert _headers(trunk.messages, "X-Callwarden-Case-Id") == []

        capped = await dial(tmp_path, kam.port, [("c1", DEBTOR_NUMBER)], expect=403, name="capped")
        assert capped.returncode == 0, capped.output
        assert _headers(capped.messages, "X-Callwarden-Reason") == ["cap_exceeded"]
        assert len(_headers(capped.messages, "X-Callwarden-Next-Allowed-At")) == 1

        window = await dial(tmp_path, kam.port, [("c2", DEBTOR_NUMBER)], expect=403, name="window")
        assert window.returncode == 0, window.output
        assert _headers(window.messages, "X-Callwarden-Reason") == ["outside_window"]

        # A case the dialer's agency does not hold (or none at all) is a recorded denial, not an error.
        nocase = await dial(tmp_path, kam.port, [("no-such-case", DEBTOR_NUMBER)], expect=403, name="nocase")
        assert nocase.returncode == 0, nocase.output
        assert _headers(nocase.messages, "X-Callwarden-Reason") == ["case_not_assigned"]
        # No time a denial lifts: no header (a JSON null used to come out as `0`, the epoch).
        assert _headers(nocase.messages, "X-Callwarden-Next-Allowed-At") == []
    finally:
        kam.stop()


async def test_calls_fail_closed_when_callwarden_is_stopped_or_hangs(gateway: Any, tmp_path: Path) -> None:
    server, _client, world = gateway
    url = str(server.make_url("/v1/authorize"))
    await server.close()  # callwarden stopped: connection refused
    kam = Kamailio.start(tmp_path / "k1", trunk_port=free_port(), authorize_url=url, dialer_key=world.dialer)
    try:
        stopped = await dial(tmp_path, kam.port, [("c1", DEBTOR_NUMBER)], expect=480, name="stopped")
        assert stopped.returncode == 0, stopped.output + kam.log()[-2000:]
        assert stopped.seconds < TIMEOUT_S + 1.5
    finally:
        kam.stop()

    # callwarden hangs: the connection is accepted and nothing is ever answered.
    held: list[asyncio.StreamWriter] = []

    async def never_answer(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    hung = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = hung.sockets[0].getsockname()[1]
    kam = Kamailio.start(
        tmp_path / "k2", trunk_port=free_port(), authorize_url=f"http://127.0.0.1:{port}/v1/authorize",
        dialer_key=world.dialer, timeout_s=TIMEOUT_S,
    )  # fmt: skip
    try:
        hanging = await dial(tmp_path, kam.port, [("c1", DEBTOR_NUMBER)], expect=480, name="hanging")
        assert hanging.returncode == 0, hanging.output + kam.log()[-2000:]
        assert TIMEOUT_S - 0.1 < hanging.seconds < TIMEOUT_S + 1.5
    finally:
        kam.stop()
        for writer in held:
            writer.close()
        hung.close()
        await hung.wait_closed()


def _forged_in_dialog_invite(kamailio_port: int, target_port: int, local_port: int) -> bytes:
    """An INVITE that looks in-dialog (a To-tag, a Route header naming the proxy) for a dialog
    that never existed, to a number on no case, without the case header."""
    return (
        f"INVITE sip:+12125550999@127.0.0.1:{target_port} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:{local_port};branch=z9hG4bKforged1\r\n"
        f"Route: <sip:127.0.0.1:{kamailio_port};lr>\r\n"
        f"From: <sip:dialer@127.0.0.1:{local_port}>;tag=forgedfrom\r\n"
        "To: <sip:+12125550999@127.0.0.1>;tag=forgedto\r\n"
        "Call-ID: forged-in-dialog@test\r\nCSeq: 2 INVITE\r\n"
        f"Contact: <sip:dialer@127.0.0.1:{local_port}>\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
    ).encode()


async def test_a_forged_in_dialog_invite_is_refused_and_never_reaches_the_trunk(
    gateway: Any, tmp_path: Path
) -> None:
    """A To-tag and a Route header are the sender's to write: with them, an INVITE callwarden never
    saw was relayed to any Request-URI (found by a probe). Only a dialog this proxy let through
    carries in-dialog requests; the allowed calls' BYEs (the first test) still pass."""
    server, _client, world = gateway
    with (
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as trunk,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as dialer,
    ):
        trunk.bind(("127.0.0.1", 0))
        dialer.bind(("127.0.0.1", 0))
        trunk.setblocking(False)
        dialer.settimeout(3)
        trunk_port, dialer_port = trunk.getsockname()[1], dialer.getsockname()[1]
        kam = Kamailio.start(
            tmp_path / "kamailio",
            trunk_port=trunk_port,
            authorize_url=str(server.make_url("/v1/authorize")),
            dialer_key=world.dialer,
        )
        try:
            forged = _forged_in_dialog_invite(kam.port, trunk_port, dialer_port)
            await asyncio.to_thread(dialer.sendto, forged, ("127.0.0.1", kam.port))
            answer = (await asyncio.to_thread(dialer.recv, 4096)).decode(errors="replace")
            assert answer.startswith("SIP/2.0 403"), answer
            await asyncio.sleep(0.5)
            with pytest.raises(BlockingIOError):
                trunk.recv(4096)  # nothing was relayed
        finally:
            kam.stop()
