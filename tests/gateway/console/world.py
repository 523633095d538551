"""A console world: the gateway on a loopback socket with agencies a1 and a2, cases, and keys of
every role; helpers to sign in over HTTP the way a browser does (cookie jar, CSRF token)."""

from __future__ import annotations

import io
import re
import wave
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp.test_utils import TestClient

from gateway.web.keys import DB
from storage.transcripts import NewTranscript, store_transcript_sync
from tests.gateway.helpers import DEBTOR_NUMBER, case_body, hdr

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Keys:
    admin: str
    inspector: str
    security: str
    dialer: str
    dialer2: str


def key_id(full: str) -> str:
    return full.split("_")[1]


async def populate(client: TestClient, make_key: Any) -> Keys:  # type: ignore[type-arg]
    admin = await make_key("admin", name="admin")
    for agency in ("a1", "a2"):
        r = await client.put(
            f"/v1/agencies/{agency}",
            json={
                "name": agency.upper(),
                "status": "active",
                "contract_start": "2020-01-01",
                "commission_rate": "0.2",
            },
            headers=hdr(admin),
        )
        assert r.status == 201, await r.text()
    for case_id, agency in (("c1", "a1"), ("c2", "a1"), ("c9", "a2")):
        r = await client.put(f"/v1/cases/{case_id}", json=case_body(agency_id=agency), headers=hdr(admin))
        assert r.status == 201, await r.text()
    return Keys(
        admin=admin,
        inspector=await make_key("inspector", name="qa"),
        security=await make_key("security", name="sec"),
        dialer=await make_key("dialer", "a1", "dialer-a1"),
        dialer2=await make_key("dialer", "a2", "dialer-a2"),
    )


async def csrf_of(client: TestClient, path: str) -> str:  # type: ignore[type-arg]
    r = await client.get(path)
    assert r.status == 200, path
    m = CSRF.search(await r.text())
    assert m is not None, path
    return m.group(1)


async def sign_in(client: TestClient, key: str, lang: str = "en") -> str:  # type: ignore[type-arg]
    """Sign in through the form; returns the session's CSRF token (from the first page)."""
    client.session.cookie_jar.clear()
    token = await csrf_of(client, f"/console/sign-in?lang={lang}")
    r = await client.post("/console/sign-in", data={"key": key, "csrf": token, "next": "/console/"})
    assert r.status == 200, await r.text()
    m = CSRF.search(await r.text())
    assert m is not None
    return m.group(1)


def silent_wav(seconds: float, rate: int = 4000) -> bytes:
    """A real WAV file (mono, 8-bit) of silence, small enough to upload in one body: what a
    browser's audio element can load and seek."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(rate)
        w.writeframes(b"\x80" * int(seconds * rate))  # 8-bit PCM is unsigned: 128 is silence
    return out.getvalue()


async def upload_recording(client: TestClient, keys: Keys, audio: bytes) -> str:  # type: ignore[type-arg]
    """A call on case c1 (agency a1) with `audio` stored through the API; its recording id."""
    r = await client.post(
        "/v1/authorize",
        json={"case_id": "c1", "to": DEBTOR_NUMBER, "channel": "call"},
        headers=hdr(keys.dialer),
    )
    attempt = (await r.json())["attempt_id"]
    r = await client.post(
        f"/v1/recordings?attempt_id={attempt}",
        data=audio,
        headers={**hdr(keys.dialer), "Content-Type": "audio/wav"},
    )
    assert r.status == 201, await r.text()
    return str((await r.json())["recording_id"])


SEGMENT_S = 2.0  # each segment of `long_transcript`: 4 words, 0.4 s apart, then a pause


def lexicon_flag(
    i: int,
    category: str,
    severity: str,
    start: float,
    end: float,
    *,
    match: str = "m",
    sentence: str = "s",
    rule: str = "en/x",
) -> dict[str, object]:
    """Flag number `i` as the lexicon raises it on the agent's (left) channel: rule `<rule>/r<i>`."""
    return {
        "category": category,
        "severity": severity,
        "match": match,
        "sentence": sentence,
        "start": start,
        "end": end,
        "channel": "left",
        "speaker": "agent",
        "rule": f"{rule}/r{i}",
        "lexicon_version": "en@1",
        "confidence": 0.9,
        "source": "lexicon",
    }


def long_transcript(rid: str, segments: int, flagged: tuple[int, ...] = ()) -> NewTranscript:
    """A transcript of `segments` segments alternating agent (left) and debtor (right), the word
    `s<i>w<n>` at 0.4 s steps; a threat flag on the agent's 2nd and 3rd words of each segment in
    `flagged` (which must be agent segments: even indexes)."""
    segs = []
    for i in range(segments):
        t = i * SEGMENT_S
        words = [
            {"w": f"s{i}w{n}", "start": round(t + n * 0.4, 2), "end": round(t + n * 0.4 + 0.3, 2)}
            for n in range(4)
        ]
        agent = i % 2 == 0
        segs.append(
            {
                "channel": "left" if agent else "right",
                "speaker": "agent" if agent else "debtor",
                "start": t,
                "end": t + 1.6,
                "text": " ".join(str(w["w"]) for w in words),
                "confidence": 0.9,
                "words": words,
            }
        )
    flags = []
    for i in flagged:
        assert i % 2 == 0, "flags go on agent segments"
        start = i * SEGMENT_S + 0.4
        flags.append(
            lexicon_flag(
                i,
                "threat_violence",
                "high",
                start,
                start + 0.7,
                match=f"s{i}w1 s{i}w2",
                sentence=str(segs[i]["text"]),
                rule="en/threat",
            )
        )
    return NewTranscript(
        rid,
        "tj_test",
        "en",
        "whisper",
        "tiny.en",
        segments * SEGMENT_S,
        [{"channel": "left", "role": "agent", "audience": "debtor", "words": 4 * segments}],
        segs,
        [],
        ["en@1"],
        [],
        flags,
    )


async def store_transcript(client: TestClient, transcript: NewTranscript) -> None:  # type: ignore[type-arg]
    app = client.app
    assert app is not None
    now = datetime.now(UTC)
    await app[DB].write(lambda c: store_transcript_sync(c, transcript, now))
