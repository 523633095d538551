"""SMS content screened by the semantic model over HTTP: the model's scores are computed in the
gateway (off the event loop), passed into the decision as data, and a model-raised violation
denies like a lexicon one, with the reason code, the citation, the score and the model version."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest

from gateway.usecases.content_scores import PER_AGENCY, ContentScorer
from gateway.web.app import create_app
from gateway.web.keys import CONTENT
from policies.parse import request_from_json
from policies.screening import Matcher, load_lexicon
from speech.semantic.model import semantic_flagger
from tests.gateway.helpers import DEBTOR_NUMBER, World, app_settings, case_body, hdr, setup_world

CONTENT_PACK = """
name = "test-content"
version = "1"
jurisdiction = "test"
title = "Test pack: SMS content only"

[sms.content]
languages = ["en", "zh", "ko"]
citation = "test citation: no threats, insults or false legal claims"
"""

SMS = {"case_id": "c1", "to": DEBTOR_NUMBER, "channel": "sms", "from": "+12125550100"}


@pytest.fixture
async def world(aiohttp_client: Any, data_dir: Path, make_key: Any) -> World:
    settings = app_settings(data_dir)
    (Path(settings["policy.packs_dir"]) / "test-content.toml").write_text(CONTENT_PACK, encoding="utf-8")
    client = await aiohttp_client(create_app(settings))
    world = await setup_world(client, make_key, cases=0)
    r = await client.put(
        "/v1/cases/c1", json=case_body(packs=["test-3-per-day", "test-content"]), headers=hdr(world.admin)
    )
    assert r.status == 201, await r.text()
    return world


def _content_reason(body: dict[str, Any]) -> dict[str, Any]:
    reasons = body["decision"]["reasons"]
    assert [r["code"] for r in reasons] == ["content_violation"], reasons
    assert reasons[0]["rule"] == "test-content/sms.content"
    return dict(reasons[0])


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "Nice little house you have on Maple Street. Old wiring like that, a fire could start any "
            "night. Pay today.",
            id="en-veiled-threat",
        ),
        pytest.param(
            "你女儿那个幼儿园我们去看过了，环境不错，希望她一直平平安安的，钱今天到账。",
            id="zh-veiled-threat",
        ),
        pytest.param(
            "아드님 하굣길 요즘 많이 어둡던데요. 다치는 일 없으면 좋겠네요, 오늘 입금하세요.",
            id="ko-veiled-threat",
        ),
    ],
)
async def test_model_alone_denies_with_reason_score_and_citation(world: World, text: str) -> None:
    # No lexicon entry matches these veiled threats (the earlier examples, "a shame if she didn't
    # make it back" and 학교 끝나는 시간 저희가 다 알아요, now match the lexicons' `veiled` entries):
    # only the model can deny them.
    r = await world.client.post("/v1/messages", json={**SMS, "body": text}, headers=hdr(world.dialer))
    assert r.status == 403, await r.text()
    body = await r.json()
    assert body["error"] == "contact_denied"
    reason = _content_reason(body)
    model = [f for f in reason["findings"] if f["source"] == "model"]
    assert model, reason
    f = model[0]
    assert f["score"] >= f["threshold"] > 0
    assert f["model"] == semantic_flagger().tag
    assert f["rule"] == f"model/{f['category']}"
    assert f["match"] is None
    assert f["citation"].startswith("test citation")
    assert f"{f['category']} (model " in reason["message"]


async def test_lexicon_hits_keep_their_rule_and_polite_sms_passes(world: World) -> None:
    c, dialer = world.client, hdr(world.dialer)
    r = await c.post("/v1/messages", json={**SMS, "body": "Pay now, you stupid idiot."}, headers=dialer)
    assert r.status == 403
    found = {f["category"]: f for f in _content_reason(await r.json())["findings"]}
    insult = found["insult_profanity"]
    assert insult["source"] in ("lexicon", "both")
    assert insult["rule"].startswith("en/insult_profanity/")
    assert insult["model"] == semantic_flagger().tag
    assert insult["score"] is not None
    r = await c.post(
        "/v1/messages",
        json={
            **SMS,
            "body": "Hello Dana, a reminder that your payment of $120 is due on Friday. Call us at any time.",
        },
        headers=dialer,
    )
    assert r.status == 201, await r.text()


async def test_lawful_statement_is_not_denied(world: World) -> None:
    text = "If we cannot agree on a plan, the creditor may file a lawsuit to collect the balance."
    r = await world.client.post("/v1/messages", json={**SMS, "body": text}, headers=hdr(world.dialer))
    assert r.status == 201, await r.text()


async def test_model_that_does_not_answer_fails_closed(world: World) -> None:
    scorer = world.client.app[CONTENT]
    scorer.timeout_s = 0.0  # nothing can be embedded in no time
    r = await world.client.post(
        "/v1/messages",
        json={**SMS, "body": "A friendly reminder about your balance."},
        headers=hdr(world.dialer),
    )
    assert r.status == 503
    decision = (await r.json())["decision"]
    assert decision["allowed"] is False
    assert decision["reasons"][0]["code"] == "policy_unavailable"
    assert "content model" in decision["reasons"][0]["message"]


async def test_one_agencys_flood_does_not_queue_another_agencys_sms_behind_it(world: World) -> None:
    """Found by an adversarial probe: one model thread served every agency's SMS first come first
    served, so one agency's burst pushed every other agency's SMS past the deadline (denied)."""
    scorer = world.client.app[CONTENT]
    scorer.warm()
    busy = threading.Event()
    scorer._executor.submit(busy.wait, 10)  # the model's thread is taken until released
    finished: list[str] = []

    async def send(agency: str, n: int) -> None:
        creq = request_from_json({**SMS, "body": f"Reminder {n}: please call us back."}, agency, "US")
        scored = await scorer.attach(creq)
        assert scored.content_scores is not None
        finished.append(f"{agency}-{n}")

    tasks = [asyncio.create_task(send("a1", n)) for n in range(6)]
    await asyncio.sleep(0.05)
    tasks.append(asyncio.create_task(send("a2", 0)))
    await asyncio.sleep(0.05)
    busy.set()
    await asyncio.gather(*tasks)
    # a1's bodies reach the model PER_AGENCY at a time: a2's is scored right after the first two.
    assert finished.index("a2-0") == PER_AGENCY, finished
    assert sorted(finished) == sorted([*(f"a1-{n}" for n in range(6)), "a2-0"])


REMINDERS = {
    "en": (
        "Hello Dana, this is a reminder from Crestline Recovery about the account ending 4411. The balance "
        "is $1,240. You can pay online, by phone, or set up a plan that fits your budget. Our office is "
        "open 8am to 8pm, Monday to Friday."
    ),
    "zh": (
        "您好，这里是信达资产的还款提醒。您尾号4411的账户目前待还金额为1240元，"
        "可以通过官方App、网银或者客服电话办理还款，也可以申请分期。"
        "我们的服务时间是周一至周五早八点到晚八点。"
    ),
    "ko": (
        "안녕하세요, 크레스트라인 채권추심입니다. 고객님의 4411 계좌에 124만원의 잔액이 남아 있습니다. "
        "온라인이나 전화로 납부하시거나 분할 납부를 신청하실 수 있습니다. "
        "상담 시간은 평일 오전 8시부터 오후 8시까지입니다."
    ),
}
BURIED = {
    "en": "Nice little house you have on Maple Street. Old wiring like that, a fire could start any night.",
    "zh": "你女儿那个幼儿园我们去看过了，环境不错，希望她一直平平安安的。",
    "ko": "아드님 하굣길 요즘 많이 어둡던데요. 다치는 일 없으면 좋겠네요.",
}


@pytest.mark.parametrize("lang", ["en", "zh", "ko"])
async def test_a_threat_inside_a_long_reminder_is_denied_and_the_reminder_alone_passes(
    world: World, lang: str
) -> None:
    # The heads were trained on single lines: embedded whole, the reminder drowns the threat
    # (its score falls under the threshold), so the body is scored in windows of sentences.
    sep = "" if lang == "zh" else " "
    text = REMINDERS[lang] + sep + BURIED[lang] + sep + REMINDERS[lang]
    r = await world.client.post("/v1/messages", json={**SMS, "body": text}, headers=hdr(world.dialer))
    assert r.status == 403, await r.text()
    model = [f for f in _content_reason(await r.json())["findings"] if f["source"] == "model"]
    assert [f["category"] for f in model] == ["threat_violence"], model
    assert model[0]["score"] >= model[0]["threshold"]
    r = await world.client.post(
        "/v1/messages", json={**SMS, "body": REMINDERS[lang]}, headers=hdr(world.dialer)
    )
    assert r.status == 201, await r.text()


async def test_a_disclaimer_at_the_top_of_a_long_body_does_not_silence_a_veiled_threat(world: World) -> None:
    # "We will never break your legs." reads as lawful (negated); the veiled threat three
    # sentences on is judged in its own window, where no lawful reading is.
    veiled = "I'd keep an eye on your mailbox and your car if I were you."
    text = f"We will never break your legs. {REMINDERS['en']} {veiled}"
    r = await world.client.post("/v1/messages", json={**SMS, "body": text}, headers=hdr(world.dialer))
    assert r.status == 403, await r.text()
    model = [f for f in _content_reason(await r.json())["findings"] if f["source"] == "model"]
    assert [f["category"] for f in model] == ["threat_violence"], model


@pytest.mark.parametrize(("filed", "status"), [(True, 201), (False, 403)])
async def test_a_true_filing_said_alone_is_sent_and_a_false_one_denied(
    world: World, filed: bool, status: int
) -> None:
    # The model scores 法院已经立案了 near 1.0 whatever the case says; the scorer reads the body
    # again without the fact-decided words, and the decision uses that where the facts make the
    # statement true (`rests_on_settled`).
    r = await world.client.put(
        "/v1/cases/c2",
        json=case_body(packs=["test-3-per-day", "test-content"], facts={"lawsuit_filed": filed}),
        headers=hdr(world.admin),
    )
    assert r.status == 201, await r.text()
    r = await world.client.post(
        "/v1/messages", json={**SMS, "case_id": "c2", "body": "法院已经立案了。"}, headers=hdr(world.dialer)
    )
    assert r.status == status, await r.text()
    if not filed:
        assert "false_legal_threat" in {f["category"] for f in _content_reason(await r.json())["findings"]}


def test_the_lexicons_read_an_sms_body_on_the_models_thread_before_its_decision() -> None:
    """A probe's first SMS after a start, on a loaded machine, was denied `policy_unavailable`:
    the lexicons' first reading of a phrasing compiles the regexes of the gapped patterns it hits,
    which the decision's 250 ms paid. The content scorer reads the body first, on its own thread
    and 2 s budget; the decision's reading then compiles nothing."""
    lexicons = Matcher([load_lexicon("en")])
    scorer = ContentScorer(semantic_flagger(), lexicons=lexicons)
    try:
        body = "If you don't pay today we will break both of your legs. Reply STOP to opt out."
        assert lexicons.verifiers_compiled() == 0
        assert scorer.scores(body, "debtor") is not None
        compiled = lexicons.verifiers_compiled()
        assert compiled > 0
        found = lexicons.screen(body, audience="debtor", speaker="agent", facts={"lawsuit_filed": False})
        assert [m.category for m in found] == ["threat_violence"]
        assert lexicons.verifiers_compiled() == compiled
    finally:
        scorer.close()
