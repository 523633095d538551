"""Carrier adapters: dry-run, and http-json against a real loopback aiohttp server as the carrier."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from gateway.carriers import (
    CARRIER_KINDS,
    Carrier,
    CarrierConfigError,
    CarrierError,
    DryRunCarrier,
    HttpJsonCarrier,
    OutboundCall,
    OutboundMessage,
    create_carrier,
    mask_number,
)
from gateway.carriers.httpjson import SIGNATURE_HEADER, sign, verify_signature

SECRET = "whsec-test-0123456789abcdef"
TO = "+12085550100"
FROM = "+12085550199"

CALL = OutboundCall(attempt_id="att-1", to=TO, from_=FROM, case_id="case-9", agency_id="agency-a")
SMS = OutboundMessage(
    attempt_id="att-2", to=TO, from_=FROM, body="Please call us back.", case_id="case-9", agency_id="agency-a"
)

AiohttpServer = Callable[[web.Application], Awaitable[TestServer]]


def independent_verify(secret: str, header: str, raw: bytes) -> int:
    """Verify the signature the way docs/carriers.md tells a carrier to; returns the timestamp."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    timestamp = parts["t"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + raw, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, parts["v1"]), "signature does not verify"
    return int(timestamp)


class FakeCarrier:
    """A loopback HTTP carrier whose behaviour each test picks."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.mode = "ok"
        self.answer: Any = {"carrier_ref": "CA-0001"}
        self.release = asyncio.Event()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        self.requests.append((dict(request.headers), raw))
        if self.mode == "status":
            return web.json_response({"error": f"boom for {TO}"}, status=int(self.answer))
        if self.mode == "slow":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.release.wait(), timeout=5)
            return web.json_response({"carrier_ref": "too-late"})
        if self.mode == "text":
            return web.Response(text="<html>OK</html>", content_type="text/html")
        if self.mode == "redirect":
            raise web.HTTPFound("/elsewhere")
        if self.mode == "huge":
            huge = b'{"carrier_ref": "' + b"x" * 200_000 + b'"}'
            return web.Response(body=huge, content_type="application/json")
        # mode "ok": behave like a carrier that checks what it receives
        independent_verify(SECRET, request.headers[SIGNATURE_HEADER], raw)
        return web.json_response(self.answer, status=201)


@pytest.fixture
async def fake() -> FakeCarrier:
    return FakeCarrier()


@pytest.fixture
async def carrier_server(aiohttp_server: AiohttpServer, fake: FakeCarrier) -> AsyncIterator[TestServer]:
    app = web.Application()
    app.router.add_post("/hook", fake.handle)
    server = await aiohttp_server(app)
    yield server
    fake.release.set()


@pytest.fixture
async def make_carrier() -> AsyncIterator[Callable[..., HttpJsonCarrier]]:
    made: list[Carrier] = []

    def _make(url: str, **options: Any) -> HttpJsonCarrier:
        carrier = create_carrier("http-json", {"url": url, "secret": SECRET, **options})
        assert isinstance(carrier, HttpJsonCarrier)
        made.append(carrier)
        return carrier

    yield _make
    for carrier in made:
        await carrier.close()


def assert_safe(message: str) -> None:
    """Carrier errors reach logs and the 502 body: no secret, no full number, no carrier address."""
    assert TO not in message
    assert FROM not in message
    assert SECRET not in message
    assert "127.0.0.1" not in message
    assert mask_number(TO) in message


# --- mask_number -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        pytest.param("+12085550100", "+1208***0100", id="nanp"),
        pytest.param("+8613800138000", "+86138***8000", id="cn-mobile"),
        pytest.param("+442071234567", "+44207***4567", id="uk-london"),
        pytest.param("+821012345678", "+82101***5678", id="kr-mobile"),
        pytest.param("+35312345678", "+353***78", id="short-after-3-digit-code"),
        pytest.param("+123456", "+1***56", id="very-short"),
        pytest.param("+1234", "+1***", id="tiny"),
        pytest.param("2085550100", "***00", id="not-e164"),
        pytest.param("", "", id="empty"),
        pytest.param("call me", "***", id="garbage"),
    ],
)
def test_mask_number(number: str, masked: str) -> None:
    assert mask_number(number) == masked
    if len(number) > 4:
        assert mask_number(number) != number


def test_requests_mask_numbers_in_repr() -> None:
    for req in (CALL, SMS):
        text = repr(req)
        assert TO not in text
        assert FROM not in text
        assert "+1208***0100" in text
    assert "Please call" not in repr(SMS)


# --- factory -----------------------------------------------------------------------------------


def test_unknown_kind_names_the_known_ones() -> None:
    with pytest.raises(CarrierConfigError, match="unknown carrier kind 'plivo'") as info:
        create_carrier("plivo", {})
    for kind in ("dry-run", "http-json", "twilio"):
        assert kind in str(info.value)
    assert set(CARRIER_KINDS) == {"dry-run", "http-json", "twilio"}


@pytest.mark.parametrize(
    ("options", "match"),
    [
        pytest.param({"secret": SECRET}, "missing option.*url", id="no-url"),
        pytest.param({"url": "http://127.0.0.1:1/hook"}, "missing option.*secret", id="no-secret"),
        pytest.param(
            {"url": "http://127.0.0.1:1/hook", "secret": ""}, "secret is required", id="empty-secret"
        ),
        pytest.param({"url": "ftp://x/y", "secret": SECRET}, "http:// or https://", id="bad-scheme"),
        pytest.param({"url": "/relative", "secret": SECRET}, "http:// or https://", id="relative-url"),
        pytest.param(
            {"url": "http://127.0.0.1:1/hook", "secret": SECRET, "read_timout": 1},
            "unknown option.*read_timout",
            id="typo",
        ),
        pytest.param(
            {"url": "http://127.0.0.1:1/hook", "secret": SECRET, "read_timeout": 0},
            "read_timeout must be a positive",
            id="zero-timeout",
        ),
        pytest.param(
            {"url": "http://127.0.0.1:1/hook", "secret": SECRET, "connect_timeout": "2"},
            "connect_timeout must be a positive",
            id="string-timeout",
        ),
        pytest.param(
            {"url": "http://127.0.0.1:1/hook", "secret": SECRET, "headers": {"X-A": "b\r\nX-Evil: 1"}},
            "invalid header",
            id="header-injection",
        ),
        pytest.param(
            {"url": "http://127.0.0.1:1/hook", "secret": SECRET, "headers": {SIGNATURE_HEADER: "t=1,v1=0"}},
            "set by callwarden",
            id="reserved-header",
        ),
    ],
)
def test_http_json_options_are_validated(options: dict[str, Any], match: str) -> None:
    with pytest.raises(CarrierConfigError, match=match):
        create_carrier("http-json", options)


def test_dry_run_ignores_http_json_options_but_not_typos() -> None:
    # The gateway passes its whole flat [carrier] settings table, whatever the kind.
    carrier = create_carrier(
        "dry-run", {"url": "", "secret": "", "connect_timeout": 2.0, "read_timeout": 5.0}
    )
    assert isinstance(carrier, DryRunCarrier)
    with pytest.raises(CarrierConfigError, match=r"unknown option\(s\) max_record;"):
        create_carrier("dry-run", {"max_record": 10})
    with pytest.raises(CarrierConfigError, match="max_records"):
        create_carrier("dry-run", {"max_records": 0})


def test_repr_hides_secret_credentials_and_header_values() -> None:
    carrier = HttpJsonCarrier(
        "https://user:hunter2@carrier.example:8443/v1/hook?token=qs-secret",
        SECRET,
        headers={"Authorization": "Bearer carrier-api-key"},
    )
    for text in (repr(carrier), str(carrier), carrier.url):
        for secret in (SECRET, "hunter2", "qs-secret", "carrier-api-key"):
            assert secret not in text
    assert "carrier.example:8443/v1/hook" in repr(carrier)
    assert "Authorization" in repr(carrier)


# --- dry-run -----------------------------------------------------------------------------------


async def test_dry_run_records_and_places_nothing() -> None:
    carrier = create_carrier("dry-run", {})
    assert isinstance(carrier, DryRunCarrier)
    async with carrier:
        assert (await carrier.place_call(CALL)).carrier_ref == "dryrun-att-1"
        assert (await carrier.send_sms(SMS)).carrier_ref == "dryrun-att-2"
        assert list(carrier.sent) == [CALL, SMS]
    with pytest.raises(CarrierError, match="closed"):
        await carrier.place_call(CALL)


async def test_dry_run_keeps_only_the_most_recent() -> None:
    carrier = DryRunCarrier(max_records=3)
    for i in range(5):
        await carrier.place_call(OutboundCall(f"a{i}", TO, FROM, "c", "ag"))
    assert [r.attempt_id for r in carrier.sent] == ["a2", "a3", "a4"]
    await carrier.close()


# --- http-json against a loopback carrier -------------------------------------------------------


async def test_call_is_signed_and_carries_the_fields(
    carrier_server: TestServer, fake: FakeCarrier, make_carrier: Callable[..., HttpJsonCarrier]
) -> None:
    carrier = make_carrier(str(carrier_server.make_url("/hook")), headers={"X-Account": "acme"})
    before = int(time.time())
    result = await carrier.place_call(CALL)
    assert result.carrier_ref == "CA-0001"

    [(headers, raw)] = fake.requests
    timestamp = independent_verify(SECRET, headers[SIGNATURE_HEADER], raw)
    assert before <= timestamp <= int(time.time())
    assert json.loads(raw) == {
        "type": "call",
        "attempt_id": "att-1",
        "to": TO,
        "from": FROM,
        "case_id": "case-9",
        "agency_id": "agency-a",
        "timestamp": timestamp,
    }
    assert headers["Content-Type"] == "application/json"
    assert headers["Idempotency-Key"] == "att-1"
    assert headers["X-Account"] == "acme"
    assert verify_signature(SECRET.encode(), headers[SIGNATURE_HEADER], raw)


@pytest.mark.parametrize(
    ("answer", "ref"),
    [
        pytest.param({"carrier_ref": "CR-1", "id": "ignored"}, "CR-1", id="carrier_ref"),
        pytest.param({"id": 4711}, "4711", id="numeric-id"),
        pytest.param({"sid": "SM123", "status": "queued"}, "SM123", id="twilio-style-sid"),
    ],
)
async def test_sms_is_signed_and_ref_comes_from_the_answer(
    carrier_server: TestServer,
    fake: FakeCarrier,
    make_carrier: Callable[..., HttpJsonCarrier],
    answer: dict[str, Any],
    ref: str,
) -> None:
    fake.answer = answer
    carrier = make_carrier(str(carrier_server.make_url("/hook")))
    assert (await carrier.send_sms(SMS)).carrier_ref == ref
    [(_headers, raw)] = fake.requests
    body = json.loads(raw)
    assert body["type"] == "sms"
    assert body["body"] == "Please call us back."
    assert body["attempt_id"] == "att-2"


async def test_one_session_serves_concurrent_requests(carrier_server: TestServer, fake: FakeCarrier) -> None:
    sessions: list[aiohttp.ClientSession] = []

    def factory() -> aiohttp.ClientSession:
        sessions.append(aiohttp.ClientSession())
        return sessions[-1]

    carrier = create_carrier(
        "http-json", {"url": str(carrier_server.make_url("/hook")), "secret": SECRET}, session_factory=factory
    )
    assert sessions == []  # created lazily, on the first request
    calls = [OutboundCall(f"c{i}", TO, FROM, "case", "ag") for i in range(20)]
    results = await asyncio.gather(*(carrier.place_call(c) for c in calls))
    assert [r.carrier_ref for r in results] == ["CA-0001"] * 20
    assert len(sessions) == 1
    assert len(fake.requests) == 20
    await carrier.close()
    assert sessions[0].closed
    await carrier.close()  # idempotent
    with pytest.raises(CarrierError, match="closed"):
        await carrier.place_call(CALL)


@pytest.mark.parametrize(
    ("status", "retryable"),
    [
        pytest.param(500, True, id="500"),
        pytest.param(503, True, id="503"),
        pytest.param(429, True, id="429"),
        pytest.param(400, False, id="400"),
        pytest.param(401, False, id="401"),
    ],
)
async def test_non_2xx_is_a_carrier_error(
    carrier_server: TestServer,
    fake: FakeCarrier,
    make_carrier: Callable[..., HttpJsonCarrier],
    status: int,
    retryable: bool,
) -> None:
    fake.mode, fake.answer = "status", status
    carrier = make_carrier(str(carrier_server.make_url("/hook")))
    with pytest.raises(CarrierError) as info:
        await carrier.place_call(CALL)
    err = info.value
    assert err.carrier_status == status
    assert err.retryable is retryable
    assert not err.outcome_unknown
    assert f"HTTP {status}" in str(err)
    assert_safe(str(err))


async def test_slow_answer_beyond_read_timeout(
    carrier_server: TestServer, fake: FakeCarrier, make_carrier: Callable[..., HttpJsonCarrier]
) -> None:
    fake.mode = "slow"
    carrier = make_carrier(str(carrier_server.make_url("/hook")), read_timeout=0.2, connect_timeout=0.2)
    started = time.monotonic()
    with pytest.raises(CarrierError, match=r"did not answer within 0\.2s") as info:
        await carrier.place_call(CALL)
    assert time.monotonic() - started < 2.0
    assert info.value.outcome_unknown
    assert info.value.carrier_status is None
    assert_safe(str(info.value))
    fake.release.set()


async def test_connection_refused(make_carrier: Callable[..., HttpJsonCarrier]) -> None:
    with socket.socket() as sock:  # a loopback port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    carrier = make_carrier(f"http://127.0.0.1:{port}/hook", connect_timeout=0.5)
    with pytest.raises(CarrierError, match="could not connect") as info:
        await carrier.send_sms(SMS)
    assert info.value.retryable
    assert not info.value.outcome_unknown
    assert info.value.carrier_status is None
    assert "not sent" in str(info.value)
    assert_safe(str(info.value))


@pytest.mark.parametrize(
    ("mode", "answer", "match"),
    [
        pytest.param("text", None, "but not JSON", id="html-200"),
        pytest.param("ok", {"status": "queued"}, "no usable carrier_ref", id="json-without-ref"),
        pytest.param("ok", ["CA-1"], "no usable carrier_ref", id="json-array"),
        pytest.param("ok", {"carrier_ref": ""}, "no usable carrier_ref", id="empty-ref"),
        pytest.param("huge", None, "more than", id="oversized"),
    ],
)
async def test_unusable_2xx_answer(
    carrier_server: TestServer,
    fake: FakeCarrier,
    make_carrier: Callable[..., HttpJsonCarrier],
    mode: str,
    answer: Any,
    match: str,
) -> None:
    fake.mode = mode
    if answer is not None:
        fake.answer = answer
    carrier = make_carrier(str(carrier_server.make_url("/hook")))
    with pytest.raises(CarrierError, match=match) as info:
        await carrier.place_call(CALL)
    assert info.value.outcome_unknown
    assert not info.value.retryable
    assert_safe(str(info.value))


async def test_redirects_are_not_followed(
    carrier_server: TestServer, fake: FakeCarrier, make_carrier: Callable[..., HttpJsonCarrier]
) -> None:
    fake.mode = "redirect"
    carrier = make_carrier(str(carrier_server.make_url("/hook")))
    with pytest.raises(CarrierError, match="HTTP 302") as info:
        await carrier.place_call(CALL)
    assert info.value.carrier_status == 302
    assert len(fake.requests) == 1


# --- the signature helpers ---------------------------------------------------------------------


def test_signature_helpers_round_trip_and_reject_tampering() -> None:
    raw = b'{"type":"call"}'
    header = sign(SECRET.encode(), 1_700_000_000, raw)
    assert header.startswith("t=1700000000,v1=")
    assert independent_verify(SECRET, header, raw) == 1_700_000_000
    assert verify_signature(SECRET.encode(), header, raw, now=1_700_000_100)
    assert not verify_signature(SECRET.encode(), header, raw + b" ", now=1_700_000_100)
    assert not verify_signature(b"other-secret", header, raw, now=1_700_000_100)
    assert not verify_signature(SECRET.encode(), header, raw, now=1_700_001_000)  # replayed too late
    assert not verify_signature(SECRET.encode(), "v1=abc", raw)
    # several v1 values (during a secret rotation) are accepted if one matches
    rotated = header + ",v1=" + "0" * 64
    assert verify_signature(SECRET.encode(), rotated, raw, now=1_700_000_000)
