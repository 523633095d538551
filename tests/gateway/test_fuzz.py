"""Schemathesis against a live `callwarden serve`, over every operation of the OpenAPI description
and every role: no 5xx, every error in the single error shape, every answer as described.

The server is a real process on loopback with a seeded world (an agency, a case, a reserved
attempt with a recording), so generated requests reach past validation into real lookups.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode

from gateway.web.openapi import SPEC
from tests.gateway.helpers import DEBTOR_NUMBER, app_settings, case_body
from tests.gateway.test_serve import cli, free_port

pytestmark = pytest.mark.slow

schema = schemathesis.openapi.from_dict(json.loads(json.dumps(SPEC)))


@schemathesis.serializer("audio/wav", "text/csv", "application/x-ndjson")
def _raw(ctx: Any, value: Any) -> bytes:
    """Recording uploads and import files: the generated value as the request body."""
    return value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")


ROLES = ("admin", "dialer", "inspector", "security")


class Live:
    def __init__(self, url: str, keys: dict[str, str]) -> None:
        self.url = url
        self.keys = keys


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    data_dir = tmp_path_factory.mktemp("fuzz") / "var"
    cli("init", "--data-dir", str(data_dir))
    settings_ = app_settings(data_dir)
    env = {
        **os.environ,
        "CALLWARDEN_POLICY_PACKS_DIR": str(settings_["policy.packs_dir"]),
        "CALLWARDEN_SPEECH_WORKERS": "0",
        "CALLWARDEN_SCHEDULER_ENABLED": "false",
        "CALLWARDEN_POLICY_DECISION_TIMEOUT_MS": "2000",
        "CALLWARDEN_AUTH_MAX_FAILURES": "1000000",  # the fuzzer sends keyless requests by design
    }
    port = free_port()
    log = (data_dir / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli", "serve", "--data-dir", str(data_dir), "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        # The server warms the lexicons and the model before it answers (about 20 s here, more on a
        # loaded machine): wait for it rather than fail the whole module on a slow start.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        keys = {"admin": cli("keys", "create", "--data-dir", str(data_dir), "--role", "admin").split()[-1]}
        admin = {"Authorization": f"Bearer {keys['admin']}"}
        assert (
            requests.put(url + "/v1/agencies/a1", json={"name": "A1"}, headers=admin, timeout=30).status_code
            == 201
        )
        assert (
            requests.put(url + "/v1/cases/c1", json=case_body(), headers=admin, timeout=30).status_code == 201
        )
        for role in ("dialer", "inspector", "security"):
            extra = ["--agency", "a1"] if role == "dialer" else []
            keys[role] = cli("keys", "create", "--data-dir", str(data_dir), "--role", role, *extra).split()[
                -1
            ]
        dialer = {"Authorization": f"Bearer {keys['dialer']}"}
        decision = requests.post(
            url + "/v1/authorize",
            json={"case_id": "c1", "to": DEBTOR_NUMBER, "channel": "call"},
            headers=dialer,
            timeout=30,
        ).json()
        assert decision["allowed"], decision
        r = requests.post(
            url + f"/v1/recordings?attempt_id={decision['attempt_id']}",
            data=b"RIFF" + bytes(2000),
            headers={**dialer, "Content-Type": "audio/wav"},
            timeout=30,
        )
        assert r.status_code == 201, r.text
        yield Live(url, keys)
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
    assert proc.returncode == 0 or proc.returncode == -15


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("CALLWARDEN_FUZZ_EXAMPLES", "12")),
    deadline=None,
    # The same examples every run: CI must not pass or fail by chance (raise the count locally to
    # explore: CALLWARDEN_FUZZ_EXAMPLES=500).
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_every_input_as_described(case: Any, role: str, live: Live) -> None:
    # Every check but `positive_data_acceptance`: a schema cannot say which ids exist, or that
    # `spoke_with` must be `none` unless the call connected, so a schema-valid request may still
    # be rightly refused (404, 400 naming the field). Invalid input must still be refused, never
    # a 5xx, every answer as described.
    # The role's real key replaces the generated Authorization value; a case that left the header
    # out on purpose (negative data) goes without it and must be refused.
    headers = dict(case.headers or {})
    header_part = case.meta.components.get(ParameterLocation.HEADER) if case.meta else None
    dropped_on_purpose = header_part is not None and header_part.mode == GenerationMode.NEGATIVE
    if "Authorization" in headers or not dropped_on_purpose:
        headers["Authorization"] = f"Bearer {live.keys[role]}"
    case.headers = headers
    case.call_and_validate(
        base_url=live.url,
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )


def test_the_description_is_served(live: Live) -> None:
    r = requests.get(live.url + "/v1/openapi.json", timeout=5)
    assert r.status_code == 200
    assert r.json() == json.loads(json.dumps(SPEC))
