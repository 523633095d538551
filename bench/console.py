"""Console page speed: time to first byte and full load of the flag queue with 10,000 open flags
and of a recording page with a 30-minute transcript, beside /healthz in the same run.

Goal: both pages' TTFB ≤ 10 × the /healthz TTFB, never rendering more than one page of rows.
Everything is real: `callwarden init`, the app on a loopback socket, a signed-in session, flags
and a transcript stored through the storage layer. Run: `.venv/bin/python bench/console.py`.
"""

from __future__ import annotations

import asyncio
import html
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from aiohttp.test_utils import TestServer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository's tests/ helpers

from gateway.cli.main import main as cli_main
from gateway.web.app import create_app
from gateway.web.keys import DB
from storage.keys import create_key
from storage.transcripts import NewTranscript, merge_flags_sync, store_transcript_sync
from tests.gateway.console.world import lexicon_flag
from tests.gateway.helpers import DEBTOR_NUMBER, app_settings, case_body

FLAGS = 10_000
ROUNDS = 40
CATS = ("threat_violence", "insult_profanity", "harassment", "false_legal_threat", "privacy_exposure")
SEVS = ("critical", "high", "medium", "low", "info")


def flag(i: int) -> dict[str, object]:
    return lexicon_flag(i, CATS[i % 5], SEVS[i % 5], i * 0.5, i * 0.5 + 0.4)


def transcript(rid: str, minutes: int = 30) -> NewTranscript:
    segs, t = [], 0.0
    while t < minutes * 60:
        words = [
            {
                "w": f"word{n}",
                "start": round(t + n * 0.4, 2),
                "end": round(t + n * 0.4 + 0.35, 2),
                "conf": 0.9,
            }
            for n in range(12)
        ]
        segs.append(
            {
                "channel": "left" if len(segs) % 2 else "right",
                "speaker": "agent" if len(segs) % 2 else "debtor",
                "start": t,
                "end": t + 4.8,
                "text": " ".join(str(w["w"]) for w in words),
                "confidence": 0.9,
                "words": words,
            }
        )
        t += 5.0
    flags = [flag(i) | {"start": 60.0 * i + 0.4, "end": 60.0 * i + 1.2, "channel": "left"} for i in range(20)]
    return NewTranscript(
        rid,
        "tj_bench",
        "en",
        "whisper",
        "tiny.en",
        minutes * 60.0,
        [{"channel": "left", "role": "agent", "audience": "debtor", "words": 1}],
        segs,
        [],
        ["en@1"],
        [],
        flags,
    )


async def timed(session: aiohttp.ClientSession, url: str) -> tuple[float, float, int]:
    t0 = time.perf_counter()
    async with session.get(url) as resp:
        ttfb = time.perf_counter() - t0
        body = await resp.read()
        assert resp.status == 200, (url, resp.status)
    return ttfb, time.perf_counter() - t0, len(body)


async def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="cw-bench-console-"))
    data = work / "var"
    assert await asyncio.to_thread(cli_main, ["init", "--data-dir", str(data)]) == 0
    settings = app_settings(data, **{"scheduler.enabled": False})
    server = TestServer(create_app(settings), host="127.0.0.1")
    await server.start_server()
    app = server.app
    db = app[DB]
    _, admin = await create_key(db, "admin")
    _, dialer = await create_key(db, "admin")  # replaced below once the agency exists
    base = str(server.make_url("")).rstrip("/")
    async with aiohttp.ClientSession() as api:
        h = {"Authorization": f"Bearer {admin}"}
        await api.put(f"{base}/v1/agencies/a1", json={"name": "A1", "status": "active"}, headers=h)
        await api.put(f"{base}/v1/cases/c1", json=case_body(), headers=h)
        _, dialer = await create_key(db, "dialer", "a1")
        _, inspector = await create_key(db, "inspector")
        rids = []
        for n in range(2):
            r = await api.post(
                f"{base}/v1/authorize",
                json={"case_id": "c1", "to": DEBTOR_NUMBER, "channel": "call"},
                headers={"Authorization": f"Bearer {dialer}"},
            )
            att = (await r.json())["attempt_id"]
            r = await api.post(
                f"{base}/v1/recordings?attempt_id={att}",
                data=b"RIFF" + bytes(4000 + n),
                headers={"Authorization": f"Bearer {dialer}", "Content-Type": "audio/wav"},
            )
            rids.append((await r.json())["recording_id"])
    now = datetime.now(UTC)
    await db.write(lambda c: merge_flags_sync(c, rids[0], [flag(i) for i in range(FLAGS)], now, ["en@1"]))
    await db.write(lambda c: store_transcript_sync(c, transcript(rids[1]), now))
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as browser:
        page = await (await browser.get(f"{base}/console/sign-in")).text()
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        await browser.post(f"{base}/console/sign-in", data={"key": inspector, "csrf": csrf})
        page = await (await browser.get(f"{base}/console/queue")).text()
        rows = page.count('<tr class="sev-')
        size = int(settings["console.page_size"])
        assert rows == size, (rows, size)
        lines = int(settings["console.transcript_page"])
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]

        async def recording() -> tuple[float, float, int]:
            t0 = time.perf_counter()
            async with browser.post(
                f"{base}/console/recordings/{rids[1]}", data={"csrf": csrf, "reason": "benchmark"}
            ) as resp:
                ttfb = time.perf_counter() - t0
                body = await resp.read()
                assert resp.status == 200
                # One page of segments (of 360), with the link to the next one.
                assert body.count(b'<p class="seg ') == lines, body.count(b'<p class="seg ')
                assert b'rel="next" class="tmore"' in body
            return ttfb, time.perf_counter() - t0, len(body)

        # A later page of the transcript (the fifth), as its "more" link opens it without script.
        deep = ""
        async with browser.post(
            f"{base}/console/recordings/{rids[1]}", data={"csrf": csrf, "reason": "benchmark"}
        ) as resp:
            page = await resp.text()
        for _ in range(4):
            deep = base + html.unescape(
                re.search(r'<a rel="next" class="tmore" href="([^"]+)"', page).group(1)
            )  # type: ignore[union-attr]
            page = await (await browser.get(deep)).text()
        assert page.count('<p class="seg ') == lines
        assert f'data-idx="{4 * lines}"' in page

        results: dict[str, list[tuple[float, float, int]]] = {
            "healthz": [],
            "queue": [],
            "recording": [],
            "transcript p5": [],
        }
        for _ in range(3):  # warm-up
            await timed(browser, f"{base}/healthz")
            await timed(browser, f"{base}/console/queue")
            await recording()
            await timed(browser, deep)
        for _ in range(ROUNDS):  # interleaved, so all of them see the same machine
            results["healthz"].append(await timed(browser, f"{base}/healthz"))
            results["queue"].append(await timed(browser, f"{base}/console/queue"))
            results["recording"].append(await recording())
            results["transcript p5"].append(await timed(browser, deep))
    await server.close()
    med = {
        k: (statistics.median(x[0] for x in v) * 1000, statistics.median(x[1] for x in v) * 1000, v[0][2])
        for k, v in results.items()
    }
    base_ttfb = med["healthz"][0]
    print(
        f"open flags: {FLAGS}; queue page rows: {rows} (one page);"
        f" transcript: 30 min, 360 segments, 4,320 words, {lines} segments a page"
    )
    print(f"{'page':<14} {'TTFB ms':>9} {'full ms':>9} {'bytes':>9} {'TTFB / healthz':>15}")
    ok = True
    for name, (ttfb, full, size_b) in med.items():
        ratio = ttfb / base_ttfb
        print(f"{name:<14} {ttfb:>9.2f} {full:>9.2f} {size_b:>9} {ratio:>14.1f}x")
        ok = ok and (name == "healthz" or ratio <= 10)
    print("goal (every page's TTFB ≤ 10 × /healthz TTFB):", "met" if ok else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
