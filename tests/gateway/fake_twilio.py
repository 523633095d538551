"""A loopback fake of Twilio's REST API, written for the tests (and bench/twilio.py): a real
aiohttp server that checks HTTP Basic auth, takes form bodies, answers Twilio-shaped JSON, serves
recordings, and calls webhooks signed with the official SDK's RequestValidator."""

from __future__ import annotations

import base64
import email.utils
import io
import math
import secrets
import struct
import wave
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web
from multidict import MultiDict
from twilio.request_validator import RequestValidator

UPSTREAM_SID = "AC" + "1" * 32
UPSTREAM_TOKEN = "upstream-auth-token-0123456789"


def dual_channel_wav(seconds: float = 1.0, rate: int = 8000) -> bytes:
    """A stereo WAV: a 440 Hz tone on the left (agent), 880 Hz on the right (debtor)."""
    frames = bytearray()
    for i in range(int(seconds * rate)):
        left = int(8000 * math.sin(2 * math.pi * 440 * i / rate))
        right = int(8000 * math.sin(2 * math.pi * 880 * i / rate))
        frames += struct.pack("<hh", left, right)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))
    return buf.getvalue()


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def error(status: int, code: int, message: str) -> web.Response:
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return web.json_response(body, status=status)


@dataclass
class FakeTwilio:
    account_sid: str = UPSTREAM_SID
    auth_token: str = UPSTREAM_TOKEN
    creates: list[tuple[str, MultiDict[str]]] = field(default_factory=list)
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    forms: dict[str, MultiDict[str]] = field(default_factory=dict)
    recording: bytes = field(default_factory=dual_channel_wav)
    refuse_with: int | None = None  # answer creates with this HTTP status
    answer_with: tuple[int, bytes] | None = None  # answer creates with this status and raw body

    def app(self) -> web.Application:
        app = web.Application()
        base = "/2010-04-01/Accounts/{sid}"
        app.router.add_post(base + "/Calls.json", self.create_call)
        app.router.add_post(base + "/Messages.json", self.create_message)
        app.router.add_get(base + "/Calls/{res}.json", self.fetch)
        app.router.add_post(base + "/Calls/{res}.json", self.update)
        app.router.add_get(base + "/Messages/{res}.json", self.fetch)
        app.router.add_get(base + "/Recordings/{rec}.wav", self.recording_wav)
        return app

    def _authorised(self, request: web.Request) -> bool:
        auth = (
            aiohttp.BasicAuth.decode(request.headers.get("Authorization", ""))
            if request.headers.get("Authorization", "").startswith("Basic ")
            else None
        )
        return (
            auth is not None
            and (auth.login, auth.password) == (self.account_sid, self.auth_token)
            and request.match_info["sid"] == self.account_sid
        )

    def _doc(self, kind: str, sid: str, form: MultiDict[str]) -> dict[str, Any]:
        path = (
            f"/2010-04-01/Accounts/{self.account_sid}/{'Calls' if kind == 'call' else 'Messages'}/{sid}.json"
        )
        doc: dict[str, Any] = {
            "sid": sid,
            "account_sid": self.account_sid,
            "to": form.get("To"),
            "from": form.get("From"),
            "status": "queued",
            "date_created": "Mon, 30 Nov 2026 16:00:00 +0000",
            "api_version": "2010-04-01",
            "uri": path,
        }
        if kind == "call":
            doc |= {
                "direction": "outbound-api",
                "duration": None,
                "answered_by": None,
                "subresource_uris": {"recordings": path.replace(".json", "/Recordings.json")},
            }
        else:
            doc |= {"body": form.get("Body"), "direction": "outbound-api", "num_segments": "1"}
        return doc

    async def _create(self, request: web.Request, kind: str) -> web.Response:
        if not self._authorised(request):
            return error(401, 20003, "Authenticate")
        form = MultiDict((await request.post()).items())
        self.creates.append((kind, form))
        if self.refuse_with is not None:
            return error(self.refuse_with, 21211 if self.refuse_with == 400 else 20500, "refused by the fake")
        if self.answer_with is not None:
            status, raw = self.answer_with
            return web.Response(status=status, body=raw, content_type="application/json")
        sid = ("CA" if kind == "call" else "SM") + secrets.token_hex(16)
        self.resources[sid] = self._doc(kind, sid, form)
        self.forms[sid] = form
        return web.json_response(self.resources[sid], status=201)

    async def create_call(self, request: web.Request) -> web.Response:
        return await self._create(request, "call")

    async def create_message(self, request: web.Request) -> web.Response:
        return await self._create(request, "message")

    async def fetch(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return error(401, 20003, "Authenticate")
        doc = self.resources.get(request.match_info["res"])
        return web.json_response(doc) if doc else error(404, 20404, "not found")

    async def update(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return error(401, 20003, "Authenticate")
        doc = self.resources.get(request.match_info["res"])
        if doc is None:
            return error(404, 20404, "not found")
        form = await request.post()
        if form.get("Status"):
            doc["status"] = form["Status"]
        return web.json_response(doc)

    async def recording_wav(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return error(401, 20003, "Authenticate")
        return web.Response(body=self.recording, content_type="audio/x-wav")

    # --- what the real upstream does later: webhooks --------------------------------------------

    async def webhook(self, url: str, params: dict[str, str], *, token: str | None = None) -> int:
        """POST a webhook to `url`, signed as Twilio signs them (with `token`, default ours)."""
        signature = RequestValidator(token or self.auth_token).compute_signature(url, params)
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, data=params, headers={"X-Twilio-Signature": signature}) as resp,
        ):
            await resp.read()
            return resp.status

    async def call_status(self, sid: str, status: str, **extra: str) -> int:
        form = self.forms[sid]
        params = {
            "CallSid": sid,
            "AccountSid": self.account_sid,
            "CallStatus": status,
            "To": form["To"],
            "From": form["From"],
            "Direction": "outbound-api",
            "Timestamp": email.utils.format_datetime(datetime.now(UTC)),
            **extra,
        }
        self.resources[sid]["status"] = status
        return await self.webhook(form["StatusCallback"], params)

    async def recording_done(self, sid: str) -> int:
        form = self.forms[sid]
        rec = "RE" + secrets.token_hex(16)
        params = {
            "AccountSid": self.account_sid,
            "CallSid": sid,
            "RecordingSid": rec,
            "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{self.account_sid}/Recordings/{rec}",
            "RecordingStatus": "completed",
            "RecordingDuration": "1",
            "RecordingChannels": "2",
            "RecordingSource": "OutboundAPI",
        }
        return await self.webhook(form["RecordingStatusCallback"], params)

    async def message_status(self, sid: str, status: str) -> int:
        form = self.forms[sid]
        params = {
            "MessageSid": sid,
            "SmsSid": sid,
            "AccountSid": self.account_sid,
            "MessageStatus": status,
            "To": form["To"],
            "From": form["From"],
        }
        return await self.webhook(form["StatusCallback"], params)

    async def inbound_sms(self, url: str, from_: str, to: str, body: str) -> int:
        sid = "SM" + secrets.token_hex(16)
        params = {
            "MessageSid": sid,
            "SmsSid": sid,
            "AccountSid": self.account_sid,
            "From": from_,
            "To": to,
            "Body": body,
            "NumMedia": "0",
        }
        return await self.webhook(url, params)


if __name__ == "__main__":  # bench/twilio.py runs the fake in its own process
    import sys

    web.run_app(FakeTwilio().app(), host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
