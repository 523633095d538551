"""The Twilio-compatible facade, driven by the official `twilio` SDK pointed at callwarden, in front
of a loopback fake of the upstream (tests/gateway/fake_twilio.py): creates allowed and denied,
callbacks becoming outcomes and recordings and forwarded re-signed, signatures both ways, and
STOP → cease → the next SMS denied `ceased`."""

from __future__ import annotations

import asyncio
import hashlib
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from multidict import MultiDict
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from gateway.usecases.twilio_relay import CallbackTargets, _TargetResolver
from gateway.web.app import create_app
from gateway.web.routes.twilio_api import RELAY
from policies.errors import SetupError
from tests.gateway.fake_twilio import UPSTREAM_SID, UPSTREAM_TOKEN, FakeTwilio, basic
from tests.gateway.helpers import DEBTOR_NUMBER, app_settings, case_body, hdr, setup_world

DIALER_SID = "AC" + "d" * 32
AGENCY_NUMBER = "+12125559000"
# A pack open around the clock with room for the tests, whose STOP can be lifted by START.
REPLIES_PACK = """
name = "test-replies"
version = "1"
jurisdiction = "test"
title = "Test pack: no window, ten attempts a day, START lifts a reply's stop"

[[caps]]
id = "ten-a-day"
scope = "debtor"
channel = "any"
counts = "attempts"
max = 10
window = "24h"
citation = "test fixture"

[sms.replies]
start_lifts = true
citation = "test fixture"
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class DialerHooks:
    """The dialer's own callback receiver."""

    received: list[tuple[str, str, MultiDict[str], str]] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        form = MultiDict((await request.post()).items())
        self.received.append(
            (request.path, str(request.url), form, request.headers.get("X-Twilio-Signature", ""))
        )
        return web.Response(status=204)


@dataclass
class Env:
    url: str
    fake: FakeTwilio
    hooks: DialerHooks
    hooks_url: str
    client: Any  # aiohttp TestClient on callwarden
    admin: str
    dialer: str
    other_dialer: str
    app: web.Application

    def sdk(self, key: str | None = None, account_sid: str = DIALER_SID, **kw: Any) -> Client:
        client = Client(account_sid, key or self.dialer, **kw)
        client.api.base_url = self.url
        return client

    async def attempt(self, attempt_id: str) -> dict[str, Any]:
        r = await self.client.get(f"/v1/attempts/{attempt_id}", headers=hdr(self.dialer))
        assert r.status == 200
        return dict(await r.json())


@pytest.fixture
async def env(aiohttp_server: Any, aiohttp_client: Any, data_dir: Path, make_key: Any) -> Env:
    fake = FakeTwilio()
    upstream = await aiohttp_server(fake.app())
    hooks = DialerHooks()
    hooks_app = web.Application()
    hooks_app.router.add_post("/{tail:.*}", hooks.handle)
    hooks_server = await aiohttp_server(hooks_app)
    (data_dir / "packs").mkdir(exist_ok=True)
    (data_dir / "packs" / "test-replies.toml").write_text(REPLIES_PACK, encoding="utf-8")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    settings = app_settings(
        data_dir,
        **{
            "carrier.kind": "twilio",
            "carrier.base_url": str(upstream.make_url("")).rstrip("/"),
            "carrier.account_sid": UPSTREAM_SID,
            "carrier.auth_token": UPSTREAM_TOKEN,
            "carrier.public_url": url,
            "carrier.callback_networks": "127.0.0.0/8",  # the dialer's callback receiver below
            "auth.key_cache_s": 0.0,
        },
    )
    app = create_app(settings)
    server = await aiohttp_server(app, port=port)
    client = await aiohttp_client(server)
    world = await setup_world(client, make_key)
    r = await client.put("/v1/cases/c1", json=case_body(packs=["test-replies"]), headers=hdr(world.admin))
    assert r.status == 200, await r.text()
    return Env(
        url,
        fake,
        hooks,
        str(hooks_server.make_url("")).rstrip("/"),
        client,
        world.admin,
        world.dialer,
        world.other_dialer,
        app,
    )


async def sdk_call(fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    """The SDK is synchronous (requests): run it off the event loop the servers run on."""
    return await asyncio.to_thread(fn, *args, **kw)


async def settle(env: Env) -> None:
    await env.app[RELAY].idle()


# --- creates ------------------------------------------------------------------------------------


async def test_allowed_call_is_forwarded_with_callwardens_callbacks(env: Env) -> None:
    client = env.sdk()
    call = await sdk_call(
        client.calls.create,
        to=DEBTOR_NUMBER,
        from_=AGENCY_NUMBER,
        url="https://dialer.example/twiml",
        status_callback=env.hooks_url + "/status",
        record=True,
        recording_status_callback=env.hooks_url + "/recording",
    )
    assert call.sid.startswith("CA")
    assert call.account_sid == DIALER_SID
    assert call.to == DEBTOR_NUMBER
    assert call.status == "queued"
    kind, form = env.fake.creates[-1]
    assert kind == "call"
    assert form["Url"] == "https://dialer.example/twiml"
    assert form["RecordingChannels"] == "dual"  # agent and debtor on their own channels
    assert form["StatusCallback"].startswith(env.url + "/twilio/callbacks/")
    assert form["RecordingStatusCallback"].startswith(env.url + "/twilio/callbacks/")
    assert env.hooks_url not in "".join(form.values())
    attempt_id = form["StatusCallback"].split("/")[-2]
    attempt = await env.attempt(attempt_id)
    assert (attempt["carrier_ref"], attempt["case_id"], attempt["status"]) == (call.sid, "c1", "reserved")
    # The raw answer carries callwarden's own object besides Twilio's fields.
    raw = await env.client.post(
        f"/2010-04-01/Accounts/{DIALER_SID}/Calls.json",
        data={"To": DEBTOR_NUMBER, "From": AGENCY_NUMBER, "Url": "https://dialer.example/twiml"},
        headers={"Authorization": basic(DIALER_SID, env.dialer)},
    )
    body = await raw.json()
    assert raw.status == 201
    assert body["callwarden"]["case_found_by"] == "to_number"
    assert body["callwarden"]["decision"]["allowed"] is True
    assert body["callwarden"]["attempt_id"]


async def test_case_header_names_the_case(env: Env) -> None:
    class CaseHeaderClient(TwilioHttpClient):
        def request(self, method: str, url: str, *args: Any, headers: Any = None, **kw: Any) -> Any:
            headers = {**(headers or {}), "X-Callwarden-Case-Id": "c1"}
            return super().request(method, url, *args, headers=headers, **kw)

    client = env.sdk(http_client=CaseHeaderClient())
    call = await sdk_call(
        client.calls.create,
        to=DEBTOR_NUMBER,
        from_=AGENCY_NUMBER,
        url="https://d.example/t",
    )
    assert call.sid in env.fake.resources
    raw = await env.client.post(
        f"/2010-04-01/Accounts/{DIALER_SID}/Calls.json",
        data={"To": DEBTOR_NUMBER, "From": AGENCY_NUMBER, "Url": "https://d.example/t"},
        headers={"X-Callwarden-Case-Id": "c1", "Authorization": basic(DIALER_SID, env.dialer)},
    )
    assert (await raw.json())["callwarden"]["case_found_by"] == "header"


async def test_denied_call_is_403_with_reasons_and_not_forwarded(env: Env) -> None:
    client = env.sdk()
    r = await env.client.put("/v1/cases/c1", json=case_body(), headers=hdr(env.admin))  # 3 a day
    assert r.status == 200
    for _ in range(3):
        await sdk_call(client.calls.create, to=DEBTOR_NUMBER, from_=AGENCY_NUMBER, url="https://d.example/t")
    forwarded = len(env.fake.creates)
    with pytest.raises(TwilioRestException) as info:
        await sdk_call(client.calls.create, to=DEBTOR_NUMBER, from_=AGENCY_NUMBER, url="https://d.example/t")
    assert (info.value.status, info.value.code) == (403, 20403)
    assert "cap_exceeded" in info.value.msg
    assert "test-3-per-day/caps.three-a-day" in info.value.msg
    assert len(env.fake.creates) == forwarded
    raw = await env.client.post(
        f"/2010-04-01/Accounts/{DIALER_SID}/Calls.json",
        data={"To": DEBTOR_NUMBER, "From": AGENCY_NUMBER, "Url": "https://d.example/t"},
        headers={"Authorization": basic(DIALER_SID, env.dialer)},
    )
    body = await raw.json()
    assert set(body) == {"code", "message", "more_info", "status", "callwarden"}
    assert body["callwarden"]["error"] == "contact_denied"
    assert body["callwarden"]["decision"]["reason"] == "cap_exceeded"
    assert body["callwarden"]["decision"]["reasons"][0]["lifts_at"]


@pytest.mark.parametrize(
    ("to", "status", "code", "error"),
    [
        pytest.param("+12125550100", 404, 20404, "case_not_found", id="number-on-no-case"),
        pytest.param(DEBTOR_NUMBER, 409, 20409, "ambiguous_case", id="number-on-two-cases"),
        pytest.param("12", 400, 21211, "invalid_phone", id="not-a-number"),
    ],
)
async def test_case_lookup_by_to_refuses_unknown_and_ambiguous(
    env: Env, to: str, status: int, code: int, error: str
) -> None:
    r = await env.client.put("/v1/cases/c2", json=case_body(), headers=hdr(env.admin))
    assert r.status == 201
    raw = await env.client.post(
        f"/2010-04-01/Accounts/{DIALER_SID}/Calls.json",
        data={"To": to, "From": AGENCY_NUMBER, "Url": "https://d.example/t"},
        headers={"Authorization": basic(DIALER_SID, env.dialer)},
    )
    body = await raw.json()
    assert (raw.status, body["code"], body["callwarden"]["error"]) == (status, code, error)
    assert env.fake.creates == []


@pytest.mark.parametrize(
    ("data", "code"),
    [
        pytest.param({"From": AGENCY_NUMBER, "Url": "https://d.example/t"}, 21201, id="no-to"),
        pytest.param({"To": DEBTOR_NUMBER, "Url": "https://d.example/t"}, 21603, id="no-from"),
        pytest.param({"To": DEBTOR_NUMBER, "From": AGENCY_NUMBER}, 21205, id="no-url"),
    ],
)
async def test_missing_parameters_are_twilios_400s(env: Env, data: dict[str, str], code: int) -> None:
    raw = await env.client.post(
        f"/2010-04-01/Accounts/{DIALER_SID}/Calls.json",
        data=data,
        headers={"Authorization": basic(DIALER_SID, env.dialer)},
    )
    assert (raw.status, (await raw.json())["code"]) == (400, code)


async def test_authentication_is_basic_with_a_dialer_key(env: Env) -> None:
    create = {"to": DEBTOR_NUMBER, "from_": AGENCY_NUMBER, "url": "https://d.example/t"}
    cases = [
        (env.sdk(key="cw_000000000000_" + "x" * 43), 401, 20003),  # unknown key
        (env.sdk(key=env.admin), 403, 20403),  # not a dialer key
    ]
    for client, status, code in cases:
        with pytest.raises(TwilioRestException) as info:
            await sdk_call(client.calls.create, **create)
        assert (info.value.status, info.value.code) == (status, code)
    raw = await env.client.post(
        f"/2010-04-01/Accounts/{DIALER_SID}/Calls.json",
        data={"To": DEBTOR_NUMBER, "From": AGENCY_NUMBER, "Url": "https://d.example/t"},
        headers={"Authorization": basic("AC" + "e" * 32, env.dialer)},  # user is not the URL's AccountSid
    )
    assert (raw.status, (await raw.json())["code"]) == (401, 20003)
    assert env.fake.creates == []


async def test_upstream_refusal_and_outage_release_the_attempt(env: Env, aiohttp_server: Any) -> None:
    env.fake.refuse_with = 400
    client = env.sdk()
    with pytest.raises(TwilioRestException) as info:
        await sdk_call(client.calls.create, to=DEBTOR_NUMBER, from_=AGENCY_NUMBER, url="https://d.example/t")
    assert (info.value.status, info.value.code) == (400, 21211)  # the upstream's own error, passed on
    attempt_id = env.fake.creates[-1][1]["StatusCallback"].split("/")[-2]
    assert (await env.attempt(attempt_id))["status"] == "released"


# --- messages, STOP and START ---------------------------------------------------------------------


async def test_stop_reply_ceases_sms_and_start_lifts_it_where_the_pack_allows(env: Env) -> None:
    client = env.sdk()
    sms = await sdk_call(
        client.messages.create,
        to=DEBTOR_NUMBER,
        from_=AGENCY_NUMBER,
        body="Hello from A1. Reply STOP to opt out.",
    )
    assert sms.sid.startswith("SM")
    assert sms.body.startswith("Hello")
    assert (
        await env.fake.inbound_sms(env.url + "/twilio/inbound/sms", DEBTOR_NUMBER, AGENCY_NUMBER, "Stop")
    ) == 200
    with pytest.raises(TwilioRestException) as info:
        await sdk_call(client.messages.create, to=DEBTOR_NUMBER, from_=AGENCY_NUMBER, body="Hello again")
    assert (info.value.status, info.value.code) == (403, 21610)
    assert "ceased" in info.value.msg
    # Calls are not stopped by an SMS reply.
    await sdk_call(client.calls.create, to=DEBTOR_NUMBER, from_=AGENCY_NUMBER, url="https://d.example/t")
    case = await (await env.client.get("/v1/cases/c1", headers=hdr(env.admin))).json()
    assert [(c["channels"], c["number"]) for c in case["ceases"]] == [(["sms"], DEBTOR_NUMBER)]

    assert (
        await env.fake.inbound_sms(env.url + "/twilio/inbound/sms", DEBTOR_NUMBER, AGENCY_NUMBER, "START")
    ) == 200
    again = await sdk_call(client.messages.create, to=DEBTOR_NUMBER, from_=AGENCY_NUMBER, body="Welcome back")
    assert again.sid.startswith("SM")


async def test_start_does_not_lift_where_no_pack_allows_it(env: Env) -> None:
    r = await env.client.put(
        "/v1/cases/c1", json=case_body(), headers=hdr(env.admin)
    )  # test-3-per-day: no say
    assert r.status == 200
    client = env.sdk()
    inbound = env.url + "/twilio/inbound/sms"
    assert await env.fake.inbound_sms(inbound, DEBTOR_NUMBER, AGENCY_NUMBER, "退订") == 200
    assert await env.fake.inbound_sms(inbound, DEBTOR_NUMBER, AGENCY_NUMBER, "START") == 200
    with pytest.raises(TwilioRestException) as info:
        await sdk_call(client.messages.create, to=DEBTOR_NUMBER, from_=AGENCY_NUMBER, body="Hello")
    assert info.value.code == 21610


async def test_inbound_sms_with_a_bad_signature_changes_nothing(env: Env) -> None:
    url = env.url + "/twilio/inbound/sms"
    status = await env.fake.webhook(
        url, {"From": DEBTOR_NUMBER, "To": AGENCY_NUMBER, "Body": "STOP"}, token="wrong"
    )
    assert status == 403
    case = await (await env.client.get("/v1/cases/c1", headers=hdr(env.admin))).json()
    assert case["ceases"] == []


# --- callbacks ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "extra", "result", "spoke_with"),
    [
        pytest.param("completed", {"CallDuration": "42"}, "connected", "debtor", id="completed"),
        pytest.param(
            "completed",
            {"CallDuration": "20", "AnsweredBy": "machine_end_beep"},
            "voicemail",
            "none",
            id="machine",
        ),
        pytest.param("no-answer", {}, "no_answer", "none", id="no-answer"),
        pytest.param("busy", {}, "busy", "none", id="busy"),
        pytest.param("failed", {}, "failed", "none", id="failed"),
        pytest.param("canceled", {}, "no_answer", "none", id="canceled"),
    ],
)
async def test_status_callback_records_the_outcome_and_is_forwarded_re_signed(
    env: Env, status: str, extra: dict[str, str], result: str, spoke_with: str
) -> None:
    client = env.sdk()
    call = await sdk_call(
        client.calls.create,
        to=DEBTOR_NUMBER,
        from_=AGENCY_NUMBER,
        url="https://d.example/t",
        status_callback=env.hooks_url + "/status?leg=1",
    )
    assert await env.fake.call_status(call.sid, "ringing") == 204
    assert await env.fake.call_status(call.sid, status, **extra) == 204
    await settle(env)
    attempt_id = env.fake.forms[call.sid]["StatusCallback"].split("/")[-2]
    outcome = (await env.attempt(attempt_id))["outcome"]
    assert (outcome["result"], outcome["spoke_with"]) == (result, spoke_with)
    if extra.get("CallDuration"):
        ended = datetime.fromisoformat(outcome["ended_at"])
        started = datetime.fromisoformat(outcome["started_at"])
        assert abs((datetime.now(UTC) - ended).total_seconds()) < 120  # the callback's Timestamp
        assert (ended - started).total_seconds() == int(extra["CallDuration"])
    # Both callbacks reached the dialer, signed with its own token (its dialer key), under its SID.
    assert [form["CallStatus"] for _, _, form, _ in env.hooks.received] == ["ringing", status]
    validator = RequestValidator(env.dialer)
    for path, url, form, signature in env.hooks.received:
        assert path == "/status"
        assert form["AccountSid"] == DIALER_SID
        assert validator.validate(url, dict(form), signature)
        assert not RequestValidator(UPSTREAM_TOKEN).validate(url, dict(form), signature)
    fetched = await sdk_call(client.calls(call.sid).fetch)
    assert fetched.status == status


async def test_callback_with_a_bad_signature_is_refused(env: Env) -> None:
    client = env.sdk()
    call = await sdk_call(
        client.calls.create, to=DEBTOR_NUMBER, from_=AGENCY_NUMBER, url="https://d.example/t"
    )
    url = env.fake.forms[call.sid]["StatusCallback"]
    params = {"CallSid": call.sid, "CallStatus": "completed", "CallDuration": "5"}
    assert await env.fake.webhook(url, params, token=env.dialer) == 403
    assert await env.fake.webhook(url + "x", params) == 404  # signed, but no such callback
    attempt_id = url.split("/")[-2]
    assert (await env.attempt(attempt_id))["outcome"] is None


async def test_recording_callback_stores_the_dual_channel_recording(env: Env) -> None:
    client = env.sdk()
    call = await sdk_call(
        client.calls.create,
        to=DEBTOR_NUMBER,
        from_=AGENCY_NUMBER,
        url="https://d.example/t",
        record=True,
        recording_status_callback=env.hooks_url + "/recording",
    )
    assert await env.fake.recording_done(call.sid) == 204
    await settle(env)
    r = await env.client.get("/v1/recordings?case_id=c1", headers=hdr(env.admin))
    (rec,) = (await r.json())["recordings"]
    assert rec["sha256"] == hashlib.sha256(env.fake.recording).hexdigest()
    assert (rec["source"], rec["content_type"], rec["filename"][:2]) == ("http", "audio/wav", "RE")
    assert [p for p, *_ in env.hooks.received] == ["/recording"]


async def test_undelivered_sms_does_not_count(env: Env) -> None:
    client = env.sdk()
    sms = await sdk_call(
        client.messages.create, to=DEBTOR_NUMBER, from_=AGENCY_NUMBER, body="Hi. Reply STOP to opt out"
    )
    assert await env.fake.message_status(sms.sid, "undelivered") == 204
    attempt_id = env.fake.forms[sms.sid]["StatusCallback"].split("/")[-2]
    assert (await env.attempt(attempt_id))["outcome"]["result"] == "failed"
    fetched = await sdk_call(client.messages(sms.sid).fetch)
    assert fetched.sid == sms.sid


# --- list, fetch, update ----------------------------------------------------------------------------


async def test_lists_and_fetches_show_only_the_agencys_own(env: Env) -> None:
    client = env.sdk()
    made = [
        await sdk_call(client.calls.create, to=DEBTOR_NUMBER, from_=AGENCY_NUMBER, url="https://d.example/t")
        for _ in range(3)
    ]
    listed = await sdk_call(client.calls.list, page_size=2)
    assert sorted(c.sid for c in listed) == sorted(c.sid for c in made)
    assert all(c.account_sid == DIALER_SID for c in listed)
    other = env.sdk(key=env.other_dialer)
    assert await sdk_call(other.calls.list) == []
    with pytest.raises(TwilioRestException) as info:
        await sdk_call(other.calls(made[0].sid).fetch)
    assert (info.value.status, info.value.code) == (404, 20404)
    updated = await sdk_call(client.calls(made[0].sid).update, status="canceled")
    assert updated.status == "canceled"
    assert await sdk_call(client.messages.list) == []


# --- what a second adversarial probe found (2026-12-07) -------------------------------------------


async def _raw_create(env: Env, resource: str, form: list[tuple[str, str]]) -> tuple[int, dict[str, Any]]:
    r = await env.client.post(
        f"/2010-04-01/Accounts/{DIALER_SID}/{resource}",
        data=form,
        headers={"Authorization": basic(DIALER_SID, env.dialer)},
    )
    return r.status, dict(await r.json())


@pytest.mark.parametrize(
    ("resource", "form", "field"),
    [
        pytest.param(
            "Messages.json",
            [
                ("To", DEBTOR_NUMBER),
                ("From", AGENCY_NUMBER),
                ("Body", "Hello, please call us back."),
                ("Body", "Pay today or we will break your legs, you worthless idiot"),
            ],
            "Body",
            id="second-body",
        ),
        pytest.param(
            "Calls.json",
            [
                ("To", DEBTOR_NUMBER),
                ("To", "+12125550199"),
                ("From", AGENCY_NUMBER),
                ("Url", "https://d.example/t"),
            ],
            "To",
            id="second-to",
        ),
        pytest.param(
            "Messages.json",
            [
                ("To", DEBTOR_NUMBER),
                ("From", AGENCY_NUMBER),
                ("Body", "Hello, please call us back."),
                ("ScheduleType", "fixed"),
                ("SendAt", "2030-01-01T07:00:00Z"),
            ],
            "SendAt",
            id="scheduled",
        ),
        pytest.param(
            "Calls.json",
            [
                ("To", DEBTOR_NUMBER),
                ("From", AGENCY_NUMBER),
                ("Url", "https://d.example/t"),
                ("StatusCallback", "http://169.254.169.254/latest/meta-data/"),
            ],
            "StatusCallback",
            id="callback-to-metadata",
        ),
        pytest.param(
            "Messages.json",
            [
                ("To", DEBTOR_NUMBER),
                ("From", AGENCY_NUMBER),
                ("Body", "Hello, please call us back."),
                ("StatusCallback", "http://10.1.2.3/internal?confirm=yes"),
            ],
            "StatusCallback",
            id="callback-to-a-private-address",
        ),
        pytest.param(
            "Calls.json",
            [
                ("To", DEBTOR_NUMBER),
                ("From", AGENCY_NUMBER),
                ("Url", "https://d.example/t"),
                ("StatusCallback", "file:///etc/passwd"),
            ],
            "StatusCallback",
            id="callback-not-http",
        ),
        # What a third probe found (2026-12-07): content the screen never read, and callback
        # addresses in forms a resolver reads as loopback or the metadata address.
        *(
            pytest.param(
                "Messages.json",
                [
                    ("To", DEBTOR_NUMBER),
                    ("From", AGENCY_NUMBER),
                    ("Body", "Hello. Reply STOP to opt out"),
                    (name, value),
                ],
                name,
                id=f"message-{name}",
            )
            for name, value in (
                ("ContentSid", "HX0123456789abcdef0123456789abcdef"),
                ("ContentVariables", '{"1": "we will break your legs"}'),
                ("MediaUrl", "https://evil.example/threat.png"),
                ("PersistentAction", "mailto:x@example.com"),
                ("ApplicationSid", "AP0123456789abcdef0123456789abcdef"),
                ("SomethingNew", "1"),
                ("statuscallback", "http://127.0.0.1:1/x"),
            )
        ),
        pytest.param(
            "Calls.json",
            [("To", DEBTOR_NUMBER), ("From", AGENCY_NUMBER), ("ApplicationSid", "AP" + "0" * 32)],
            "ApplicationSid",
            id="call-application-replaces-the-callbacks",
        ),
        *(
            pytest.param(
                "Calls.json",
                [("To", DEBTOR_NUMBER), ("From", AGENCY_NUMBER), ("Url", "https://d.example/t"), (name, url)],
                name,
                id=f"call-{name}",
            )
            for name, url in (
                ("statuscallback", "http://127.0.0.1:1/x"),
                ("recordingStatusCallback", "http://169.254.169.254/"),
            )
        ),
        *(
            pytest.param(
                "Calls.json",
                [
                    ("To", DEBTOR_NUMBER),
                    ("From", AGENCY_NUMBER),
                    ("Url", "https://d.example/t"),
                    ("StatusCallback", url),
                ],
                "StatusCallback",
                id=f"callback-{url}",
            )
            for url in (
                "http://xn--localhost-/",  # an invalid IDNA label: a 500 before (a re-probe)
                "http://[::169.254.169.254]/",  # IPv4-compatible
                "http://[::ffff:0:a9fe:a9fe]/",  # IPv4-translated
                "http://224.0.0.1/",  # multicast
                "http://[ff02::1]/",
                "http://2852039166/",  # 169.254.169.254 in decimal
                "http://0xa9fea9fe/",
                "http://0251.0376.0251.0376/",
                "http://127.1:8080/",  # loopback, which this server's callback_networks allow
                "http://10.0.0.1./",
                "http://[64:ff9b::a9fe:a9fe]/",  # the metadata address behind NAT64
                "http://[::ffff:a9fe:a9fe]/",
            )
        ),
    ],
)
async def test_a_create_the_decision_would_not_see_whole_is_refused_and_nothing_goes_upstream(
    env: Env, resource: str, form: list[tuple[str, str]], field: str
) -> None:
    before = len(env.fake.creates)
    status, body = await _raw_create(env, resource, form)
    assert status == 400, body
    assert body["callwarden"]["field"] == field, body
    assert len(env.fake.creates) == before


async def test_a_callback_host_is_reached_only_at_an_allowed_address() -> None:
    """The dialer's callback host is resolved for each callback and only allowed addresses kept:
    a name that resolves to loopback is not reached unless the operator lists the network."""
    public_only = _TargetResolver(CallbackTargets())
    with pytest.raises(OSError, match="no address a callback may reach"):
        await public_only.resolve("localhost", 80)
    await public_only.close()
    lan = _TargetResolver(CallbackTargets("127.0.0.0/8"))
    assert [r["host"] for r in await lan.resolve("localhost", 80)] == ["127.0.0.1"]
    await lan.close()
    assert CallbackTargets().refusal("http://[::1]:8080/x") is not None
    assert CallbackTargets().refusal("https://dialer.example/status") is None
    with pytest.raises(SetupError):
        CallbackTargets("10.0.0.0/33")


async def test_odd_list_pages_and_form_charsets_are_400_not_500(env: Env) -> None:
    r = await env.client.get(
        f"/2010-04-01/Accounts/{DIALER_SID}/Calls.json",
        params={"Page": "922337203685477580", "PageSize": "1000"},
        headers={"Authorization": basic(DIALER_SID, env.dialer)},
    )
    assert r.status == 400, await r.text()
    for path in ("/twilio/inbound/sms", f"/2010-04-01/Accounts/{DIALER_SID}/Messages.json"):
        r = await env.client.post(
            path,
            data=b"From=x",
            headers={
                "Content-Type": "application/x-www-form-urlencoded; charset=bogus",
                "Authorization": basic(DIALER_SID, env.dialer),
            },
        )
        assert r.status == 400, (path, r.status, await r.text())


async def test_a_carrier_outcome_that_contradicts_the_dialers_is_kept_as_evidence(
    env: Env, make_key: Any
) -> None:
    """The dialer's outcome stands (the API's rule); the upstream's differing word is in the
    access log, where an audit finds a "no answer" the carrier says lasted thirty seconds."""
    client = env.sdk()
    call = await sdk_call(
        client.calls.create, to=DEBTOR_NUMBER, from_=AGENCY_NUMBER, url="https://d.example/t"
    )
    attempt_id = env.fake.forms[call.sid]["StatusCallback"].split("/")[-2]
    r = await env.client.post(
        f"/v1/attempts/{attempt_id}/outcome", json={"result": "no_answer"}, headers=hdr(env.dialer)
    )
    assert r.status == 200, await r.text()
    assert await env.fake.call_status(call.sid, "completed", CallDuration="30") == 204
    await settle(env)
    assert (await env.attempt(attempt_id))["outcome"]["result"] == "no_answer"
    security = await make_key("security", name="sec")
    r = await env.client.get("/v1/audit/access-log", params={"object": attempt_id}, headers=hdr(security))
    rows = [e for e in (await r.json())["entries"] if e["action"] == "attempt.outcome"]
    assert [(e["result"], e["source"]) for e in rows] == [("conflict", "carrier:twilio")], rows
    assert rows[0]["details"] == {"carrier": "connected", "CallStatus": "completed", "CallDuration": "30"}


# --- what a third adversarial probe found (2026-12-07) --------------------------------------------


@pytest.mark.parametrize(
    ("answer", "released"),
    [
        pytest.param((201, b'{"status": "queued"}'), False, id="2xx-without-sid"),
        pytest.param((200, b'{"sid": 12345}'), False, id="2xx-sid-not-a-string"),
        pytest.param((201, b'{"sid": "CAhuge", "pad": "' + b"x" * 200_000 + b'"}'), False, id="2xx-huge"),
        pytest.param((302, b"{}"), True, id="redirect"),
    ],
)
async def test_an_upstream_answer_that_is_no_call_is_a_502_for_the_sdk(
    env: Env, answer: tuple[int, bytes], released: bool
) -> None:
    """An SDK takes any 2xx as success: a 2xx without a usable sid (the call may be ringing) is a
    502 with `outcome_unknown` and the attempt kept, as on `/v1/calls`; a 3xx is not passed on."""
    env.fake.answer_with = answer
    status, body = await _raw_create(
        env, "Calls.json", [("To", DEBTOR_NUMBER), ("From", AGENCY_NUMBER), ("Url", "https://d.example/t")]
    )
    assert (status, body["code"]) == (502, 20500), body
    ours = body["callwarden"]
    assert (ours["released"], ours["outcome_unknown"]) == (released, not released)
    attempt = await env.attempt(ours["attempt_id"])
    assert attempt["status"] == ("released" if released else "reserved")


async def test_to_is_forwarded_as_the_number_decided(env: Env) -> None:
    """The upstream gets the E.164 number the decision was made for, not the dialer's spelling."""
    national = "(212) 555-" + DEBTOR_NUMBER[-4:]
    for written in (national, DEBTOR_NUMBER.translate({ord(c): ord(c) + 0xFEE0 for c in "+0123456789"})):
        status, body = await _raw_create(
            env, "Calls.json", [("To", written), ("From", AGENCY_NUMBER), ("Url", "https://d.example/t")]
        )
        assert status == 201, body
        assert env.fake.creates[-1][1].getall("To") == [DEBTOR_NUMBER]


async def test_a_status_callback_for_another_call_changes_nothing(env: Env) -> None:
    client = env.sdk()
    call = await sdk_call(
        client.calls.create, to=DEBTOR_NUMBER, from_=AGENCY_NUMBER, url="https://d.example/t"
    )
    url = env.fake.forms[call.sid]["StatusCallback"]
    params = {"CallSid": "CA" + "0" * 32, "CallStatus": "completed", "CallDuration": "5"}
    assert await env.fake.webhook(url, params) == 409
    assert await env.fake.webhook(url, {"CallStatus": "busy"}) == 409  # no sid at all
    assert await env.fake.webhook(url, {"callsid": call.sid, "CallStatus": "busy"}) == 409
    assert (await env.attempt(url.split("/")[-2]))["outcome"] is None
    assert await env.fake.webhook(url, params | {"CallSid": call.sid}) == 204
    assert (await env.attempt(url.split("/")[-2]))["outcome"]["result"] == "connected"
