"""The console in a real browser: Debian's Chromium (/usr/bin/chromium) driven by Playwright for
Python against the gateway on a loopback socket. A real call (espeak-ng voices mixed by ffmpeg) is
uploaded through the API and transcribed and flagged by a real worker with Whisper tiny.en; the
inspector signs in, opens it from the queue, finds the threat highlighted, clicks it and the audio
seeks there, confirms it and sees it leave the open queue; the security page shows what the
inspector did; forged forms are refused; an idle session expires; an inspector cannot open the
security or admin pages; every page renders in English and Chinese with no missing label.
Screenshots of every page are saved under the test's temp dir."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from gateway.jobs.transcriber import JobOptions, Worker
from gateway.web.app import create_app
from gateway.web.console.i18n import MISSING
from gateway.web.keys import DB, VAULT
from speech.config import SpeechConfig
from speech.engines import Engine, load_engine
from tests.gateway.console.world import (
    Keys,
    key_id,
    long_transcript,
    populate,
    silent_wav,
    store_transcript,
    upload_recording,
)
from tests.gateway.helpers import hdr
from tests.gateway.vault_world import vault_settings
from tests.speech.conftest import Call, make_call


async def audio_ready(page: Any, tries: int = 200) -> None:
    """Wait until the page's <audio> has its metadata. Polled with `evaluate`, which runs outside
    the page's CSP: `wait_for_function` polls a string predicate that script-src 'self' refuses
    when it is not true at the first try."""
    for _ in range(tries):
        if await page.evaluate("document.getElementById('audio').readyState") >= 1:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the recording's audio never loaded its metadata")


pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
THREAT = "If you do not pay today, we will break your legs."

if shutil.which(CHROMIUM) is None:  # pragma: no cover - make test-deps installs it
    pytest.exit(
        "the console's browser tests need Debian's chromium: make test-deps installs it", returncode=3
    )


@pytest.fixture(scope="module")
def call(tmp_path_factory: pytest.TempPathFactory) -> Call:
    return make_call(
        tmp_path_factory.mktemp("console-call"),
        "console-threat",
        left=[
            (0.3, "Hello, this is Jordan calling from Redline Recovery about your account."),
            (8.0, THREAT),
        ],
        right=[(5.0, "I cannot pay anything this month.")],
        total=13.0,
        codec=("-ar", "16000", "-acodec", "pcm_s16le"),  # what every browser plays
    )


@pytest.fixture(scope="module")
def whisper() -> Engine:
    return load_engine("whisper", "en")


@pytest.fixture
async def served(data_dir: Path, make_key: Any) -> AsyncIterator[tuple[TestServer, TestClient, Keys]]:  # type: ignore[type-arg]
    server = TestServer(create_app(vault_settings(data_dir)), host="127.0.0.1")
    client = TestClient(server)
    await client.start_server()
    keys = await populate(client, make_key)
    yield server, client, keys
    await client.close()


async def flagged_recording(
    client: TestClient, keys: Keys, call: Call, whisper: Engine, data_dir: Path
) -> str:  # type: ignore[type-arg]
    rid = await upload_recording(client, keys, call.path.read_bytes())
    app = client.app
    assert app is not None
    worker = Worker(
        app[DB],
        app[VAULT],
        SpeechConfig(),
        JobOptions(lease_s=60.0, backoff_s=5.0),
        data_dir / "speech-work",
        name="console-test",
        engines={"en": whisper},
    )
    try:
        outcome = await worker.run_once()
    finally:
        worker.close()
    assert outcome is not None, outcome
    assert outcome["status"] == "done", outcome
    return rid


async def sign_in(page: Any, base: str, key: str, lang: str = "en") -> None:
    await page.goto(f"{base}/console/sign-in?lang={lang}")
    await page.fill("input[name=key]", key)
    await page.click("form button[type=submit]")
    await page.wait_for_load_state()


async def no_missing_label(page: Any, shots: Path, name: str) -> None:
    html = await page.content()
    assert MISSING not in html, (
        f"missing label on {name}: {html[html.index(MISSING) - 80 : html.index(MISSING) + 80]}"
    )
    await page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


@pytest.mark.timeout(300)
async def test_inspector_reviews_a_flagged_call_in_the_browser(
    served: tuple[TestServer, TestClient, Keys], call: Call, whisper: Engine, data_dir: Path, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright

    server, client, keys = served
    rid = await flagged_recording(client, keys, call, whisper, data_dir)
    r = await client.get("/v1/flags", params={"category": "threat_violence"}, headers=hdr(keys.inspector))
    (flag,) = (await r.json())["flags"]
    base = str(server.make_url("")).rstrip("/")
    shots = tmp_path / "screenshots"
    shots.mkdir()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            inspector = await browser.new_page(viewport={"width": 1280, "height": 900})
            await sign_in(inspector, base, keys.inspector)
            assert inspector.url.endswith("/console/queue")
            row = inspector.locator(f"tr[data-flag='{flag['flag_id']}']")
            assert await row.count() == 1
            assert await inspector.locator("[data-count=threat_violence]").inner_text() == "1"
            await no_missing_label(inspector, shots, "queue-en")

            # Open the recording, give the reason once, find the highlighted threat.
            await row.locator("a.open").click()
            await inspector.wait_for_load_state()
            await inspector.fill("input[name=reason]", "QA review of the threat flag")
            await inspector.click("form.reason button[type=submit]")
            await inspector.wait_for_load_state()
            mark = inspector.locator(f"mark#w-{flag['flag_id']}")
            assert "leg" in (await mark.inner_text()).lower()
            await audio_ready(inspector)
            await mark.click()
            now = await inspector.evaluate("document.getElementById('audio').currentTime")
            assert abs(now - flag["start"]) <= 0.5, (now, flag["start"])
            await inspector.evaluate("document.getElementById('audio').pause()")
            await no_missing_label(inspector, shots, "recording-en")

            # Confirm it: back on the queue it is gone from the open flags, and listed as confirmed.
            form = inspector.locator(f"#flag-{flag['flag_id']} form.review")
            await form.locator("input[name=note]").fill("threat of violence, confirmed on listening")
            await form.locator("button[value=confirmed]").click()
            await inspector.wait_for_load_state()
            assert "/console/queue" in inspector.url
            assert await inspector.locator(f"tr[data-flag='{flag['flag_id']}']").count() == 0
            await inspector.goto(f"{base}/console/queue?status=confirmed")
            assert await inspector.locator(f"tr[data-flag='{flag['flag_id']}']").count() == 1

            # A forged form (another token) is refused and changes nothing.
            await inspector.goto(f"{base}/console/complaints")
            await inspector.evaluate("document.querySelector('form.card input[name=csrf]').value = 'forged'")
            await inspector.fill("form.card input[name=case_id]", "c1")
            await inspector.fill("form.card textarea[name=summary]", "forged complaint")
            async with inspector.expect_navigation() as nav:
                await inspector.click("form.card button[type=submit]")
            assert (await nav.value).status == 403
            assert await inspector.locator("[data-code=csrf_rejected]").count() == 1
            r = await client.get("/v1/complaints", headers=hdr(keys.admin))
            assert (await r.json())["complaints"] == []

            # An inspector cannot open security or admin pages.
            for path in (
                "/console/security/access-log",
                "/console/security/retention",
                "/console/admin/keys",
                "/console/admin/agencies",
            ):
                response = await inspector.goto(base + path)
                assert response is not None, path
                assert response.status == 403, path

            # Security: the access log shows what the inspector just did, with the reason.
            security = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
            await sign_in(security, base, keys.security)
            await security.goto(f"{base}/console/security/access-log?actor={key_id(keys.inspector)}")
            actions = await security.locator("table.log tbody tr").evaluate_all(
                "rows => rows.map(r => [r.dataset.action, r.dataset.object])"
            )
            assert ["transcript.read", rid] in actions
            assert ["recording.audio", rid] in actions
            assert ["flag.review", flag["flag_id"]] in actions
            assert await security.locator("td", has_text="QA review of the threat flag").count() >= 2
            await no_missing_label(security, shots, "access-log-en")

            # Every page, both languages, no missing label (and a screenshot of each).
            admin = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
            await sign_in(admin, base, keys.admin)
            pages = {
                "inspector": [
                    "/console/queue",
                    f"/console/recordings/{rid}",
                    "/console/complaints",
                    "/console/scorecard",
                ],
                "security": [
                    "/console/security/access-log",
                    "/console/security/retention",
                    "/console/scorecard",
                    f"/console/recordings/{rid}",
                ],
                "admin": [
                    "/console/admin/agencies",
                    "/console/admin/cases",
                    "/console/admin/cases/c1",
                    "/console/admin/import",
                    "/console/admin/keys",
                    "/console/complaints",
                    "/console/scorecard",
                ],
            }
            tabs = {"inspector": inspector, "security": security, "admin": admin}
            for lang in ("zh", "en"):
                for role, paths in pages.items():
                    page = tabs[role]
                    for path in paths:
                        response = await page.goto(f"{base}{path}{'&' if '?' in path else '?'}lang={lang}")
                        assert response is not None, path
                        assert response.status == 200, path
                        assert await page.get_attribute("html", "lang") == (
                            "zh-Hans" if lang == "zh" else "en"
                        )
                        name = path.strip("/").replace("/", "-").replace("console-", "")
                        await no_missing_label(page, shots, f"{role}-{name}-{lang}")
            signin = await (await browser.new_context()).new_page()
            for lang in ("zh", "en"):
                await signin.goto(f"{base}/console/sign-in?lang={lang}")
                await no_missing_label(signin, shots, f"sign-in-{lang}")
        finally:
            await browser.close()
    assert len(list(shots.glob("*.png"))) == 3 + 2 * 15 + 2


async def test_an_idle_session_expires_in_the_browser(data_dir: Path, make_key: Any, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright

    server = TestServer(
        create_app(vault_settings(data_dir, **{"console.idle_timeout_s": 2})), host="127.0.0.1"
    )
    client = TestClient(server)
    await client.start_server()
    try:
        keys = await populate(client, make_key)
        base = str(server.make_url("")).rstrip("/")
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                page = await browser.new_page()
                await sign_in(page, base, keys.inspector, "zh")
                assert page.url.endswith("/console/queue")
                cookie = next(c for c in await page.context.cookies() if c["name"] == "cw_session")
                assert cookie["httpOnly"]
                assert cookie["sameSite"] == "Strict"
                assert cookie["path"] == "/console"
                await asyncio.sleep(2.5)
                await page.goto(f"{base}/console/queue")
                assert "/console/sign-in" in page.url
                assert "why=expired" in page.url
                assert await page.locator("p.notice").count() == 1
                await page.screenshot(path=str(tmp_path / "expired-zh.png"))
            finally:
                await browser.close()
    finally:
        await client.close()


@pytest.mark.timeout(300)
async def test_a_long_transcript_pages_in_place_and_a_flag_link_reaches_its_phrase(
    data_dir: Path, make_key: Any, tmp_path: Path
) -> None:
    """With the script the next page is appended in place and a flag whose phrase is on another
    page loads that page and seeks the audio; without it the same links open those pages."""
    from playwright.async_api import async_playwright

    server = TestServer(
        create_app(vault_settings(data_dir, **{"console.transcript_page": 10})), host="127.0.0.1"
    )
    client = TestClient(server)
    await client.start_server()
    try:
        keys = await populate(client, make_key)
        rid = await upload_recording(client, keys, silent_wav(100))
        await store_transcript(client, long_transcript(rid, 47, flagged=(4, 36)))
        r = await client.get("/v1/flags", params={"recording_id": rid}, headers=hdr(keys.inspector))
        late = next(f for f in (await r.json())["flags"] if f["start"] > 70)
        base = str(server.make_url("")).rstrip("/")
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                for script in (True, False):
                    context = await browser.new_context(java_script_enabled=script)
                    page = await context.new_page()
                    await sign_in(page, base, keys.inspector)
                    await page.goto(f"{base}/console/recordings/{rid}")
                    await page.fill("input[name=reason]", "QA paging in the browser")
                    await page.click("form.reason button[type=submit]")
                    await page.wait_for_load_state()
                    assert await page.locator("p.seg").count() == 10
                    opened = page.url
                    await page.click("a.tmore[rel=next]")
                    if script:  # appended in place: the first page stays, the URL too
                        # A locator wait, not wait_for_function: that one polls by evaluating a
                        # string, which the console's CSP (script-src 'self') refuses when the
                        # page is not ready at the first try.
                        await page.locator("p.seg").nth(19).wait_for(state="attached")
                        assert await page.locator("p.seg").count() == 20
                        assert page.url == opened
                    else:  # the next page, on its own
                        await page.wait_for_load_state()
                        assert await page.locator("p.seg").first.get_attribute("data-idx") == "10"
                    mark = page.locator(f"mark#w-{late['flag_id']}")
                    assert await mark.count() == 0
                    if script:
                        await audio_ready(page)
                    await page.click(f"a.seek[data-flag='{late['flag_id']}']")
                    await mark.wait_for(state="visible")
                    assert "s36w1" in await mark.inner_text()
                    if script:
                        now = await page.evaluate("document.getElementById('audio').currentTime")
                        assert abs(now - late["start"]) <= 0.5, (now, late["start"])
                        await page.evaluate("document.getElementById('audio').pause()")
                    else:
                        assert page.url.endswith(f"#w-{late['flag_id']}")
                    await page.screenshot(path=str(tmp_path / f"paged-{'js' if script else 'nojs'}.png"))
                    await context.close()
            finally:
                await browser.close()
    finally:
        await client.close()
