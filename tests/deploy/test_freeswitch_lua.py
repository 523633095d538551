"""deploy/freeswitch-callwarden.lua, run by Debian's Lua interpreter with stand-ins for FreeSWITCH's
`freeswitch` and `session` objects (tests/deploy/freeswitch_harness.lua) against a callwarden on
loopback: what it asks, how it fails closed, that it records in stereo, and the outcome it reports."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from gateway.web.app import create_app
from tests.gateway.helpers import DEBTOR_NUMBER, app_settings, hdr, setup_world

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
LUA = next((shutil.which(n) for n in ("lua5.4", "lua5.3", "lua5.2", "lua") if shutil.which(n)), None)
pytestmark = pytest.mark.skipif(
    LUA is None or shutil.which("curl") is None, reason="needs lua5.x and curl (Debian)"
)


async def run_lua(
    url: str, key: str, variables: dict[str, str] | None = None, argv: list[str] | None = None
) -> list[tuple[str, str]]:
    env = {
        **os.environ,
        "CW_URL": url,
        "CW_KEY": key,
        "CW_VARS": "|".join(f"{k}={v}" for k, v in (variables or {}).items()),
        "CW_ARGV": "|".join(argv or []),
        "CW_SCRIPT": str(REPO / "deploy" / "freeswitch-callwarden.lua"),
    }
    assert LUA is not None
    proc = await asyncio.create_subprocess_exec(
        LUA, str(HERE / "freeswitch_harness.lua"), env=env, cwd=REPO,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    lines = [tuple(line.split("\t", 1)) for line in out.decode().splitlines() if "\t" in line]
    assert ("done", "1") in lines
    return lines  # type: ignore[return-value]


def values(lines: list[tuple[str, str]], key: str) -> list[str]:
    return [v for k, v in lines if k == key]


def variables(lines: list[tuple[str, str]]) -> dict[str, str]:
    return dict(v.split("=", 1) for v in values(lines, "set"))


@pytest.fixture
async def gw(aiohttp_server: Any, aiohttp_client: Any, data_dir: Path, make_key: Any) -> Any:
    server = await aiohttp_server(create_app(app_settings(data_dir)))
    client = await aiohttp_client(server)
    world = await setup_world(client, make_key)
    return str(server.make_url("")).rstrip("/"), client, world


CALL = {"sip_h_X-Callwarden-Case-Id": "c1", "destination_number": DEBTOR_NUMBER}


async def test_allowed_call_is_recorded_in_stereo_and_the_case_headers_are_unset(gw: Any) -> None:
    url, client, world = gw
    lines = await run_lua(url, world.dialer, CALL)
    got = variables(lines)
    assert got["callwarden_allowed"] == "true"
    assert values(lines, "hangup") == []
    attempt = got["callwarden_attempt_id"]
    r = await client.get(f"/v1/attempts/{attempt}", headers=hdr(world.dialer))
    assert (r.status, (await r.json())["case_id"]) == (200, "c1")
    assert got["RECORD_STEREO"] == "true"  # agent and debtor on their own channels
    partial = f"/var/spool/callwarden/.partial/{attempt}.wav"
    assert f"record_session {partial}" in values(lines, "execute")
    assert (
        got["record_post_process_exec_api"] == f"system:/bin/mv {partial} /var/spool/callwarden/{attempt}.wav"
    )
    for header in ("Case-Id", "Party", "Contact-Id"):
        assert f"unset sip_h_X-Callwarden-{header}" in values(lines, "execute")
    assert '"case_id":"c1"' in values(lines, "curl_body")[0]
    (args,) = values(lines, "curl_args")
    assert len(args.split(" ")) <= 12
    assert "timeout 1" in args


async def test_policy_denial_rejects_and_records_nothing(gw: Any) -> None:
    url, _client, world = gw
    for _ in range(3):  # the test pack allows three a day
        assert variables(await run_lua(url, world.dialer, CALL))["callwarden_allowed"] == "true"
    lines = await run_lua(url, world.dialer, CALL)
    got = variables(lines)
    assert (got["callwarden_allowed"], got["callwarden_reason"]) == ("false", "cap_exceeded")
    assert values(lines, "hangup") == ["CALL_REJECTED"]
    assert got.get("callwarden_next_allowed_at")
    assert not any(e.startswith("record_session") for e in values(lines, "execute"))


async def test_an_unknown_case_is_a_recorded_denial(gw: Any) -> None:
    """No such case answers like another agency's case: `case_not_assigned`, a decision (so the
    call is rejected, not retried), never whether the case exists."""
    url, _client, world = gw
    lines = await run_lua(url, world.dialer, {**CALL, "sip_h_X-Callwarden-Case-Id": "no-such-case"})
    got = variables(lines)
    assert (got["callwarden_allowed"], got["callwarden_reason"]) == ("false", "case_not_assigned")
    assert values(lines, "hangup") == ["CALL_REJECTED"]


@pytest.mark.parametrize(
    ("case", "key", "reachable", "reason"),
    [
        pytest.param("c1", "cw_000000000000_" + "x" * 43, True, "unauthenticated", id="wrong-key"),
        pytest.param("bad id!", None, True, "invalid_field", id="malformed-case-id"),
        pytest.param("c1", None, False, "policy_unavailable", id="callwarden-down"),
    ],
)
async def test_errors_and_outages_are_a_temporary_failure(
    gw: Any, case: str, key: str | None, reachable: bool, reason: str
) -> None:
    url, _client, world = gw
    if not reachable:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            url = f"http://127.0.0.1:{s.getsockname()[1]}"
    lines = await run_lua(url, key or world.dialer, {**CALL, "sip_h_X-Callwarden-Case-Id": case})
    got = variables(lines)
    assert (got["callwarden_allowed"], got["callwarden_reason"]) == ("false", reason)
    assert values(lines, "hangup") == ["NORMAL_TEMPORARY_FAILURE"]


@pytest.mark.parametrize(
    ("disposition", "spoke", "result", "spoke_with"),
    [
        pytest.param("SUCCESS", "", "connected", "debtor", id="answered-nobody-said"),
        pytest.param("SUCCESS", "third_party", "connected", "third_party", id="answered-third-party"),
        pytest.param("USER_BUSY", "", "busy", "none", id="busy"),
        pytest.param("NO_ANSWER", "", "no_answer", "none", id="no-answer"),
        pytest.param("CALL_REJECTED", "", "failed", "none", id="other"),
    ],
)
async def test_hangup_hook_reports_the_outcome(
    gw: Any, disposition: str, spoke: str, result: str, spoke_with: str
) -> None:
    url, client, world = gw
    attempt = variables(await run_lua(url, world.dialer, CALL))["callwarden_attempt_id"]
    started = int(time.time())
    argv = [
        "outcome",
        f"attempt={attempt}",
        f"disposition={disposition}",
        f"start={started}",
        f"spoke={spoke}",
    ]
    await run_lua(url, world.dialer, argv=argv)
    r = await client.get(f"/v1/attempts/{attempt}", headers=hdr(world.dialer))
    outcome = (await r.json())["outcome"]
    assert (outcome["result"], outcome["spoke_with"]) == (result, spoke_with)
    assert outcome["started_at"].startswith(time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(started)))
