"""Inbound SMS replies: which texts stop, which start, and when a start lifts a stop."""

from __future__ import annotations

import pytest

import policies
from policies.replies import BASE_RULE, classify_reply, start_lift
from tests.policies.builders import pack_from_toml

US = policies.load_packs(["us-regf"])
CN = policies.load_packs(["cn-gbt45251"])
KR = policies.load_packs(["kr-fdca"])


@pytest.mark.parametrize(
    ("text", "packs", "expected"),
    [
        pytest.param("STOP", (), ("stop", "STOP", BASE_RULE), id="stop"),
        pytest.param("  stop. ", (), ("stop", "STOP", BASE_RULE), id="stop-lower-punctuated"),
        pytest.param("Ｓｔｏｐ", (), ("stop", "STOP", BASE_RULE), id="stop-fullwidth"),
        pytest.param("UNSUBSCRIBE", (), ("stop", "UNSUBSCRIBE", BASE_RULE), id="unsubscribe"),
        pytest.param("退订", (), ("stop", "退订", BASE_RULE), id="tuiding"),
        pytest.param("取消。", (), ("stop", "取消", BASE_RULE), id="quxiao-punctuated"),
        pytest.param("退订谢谢", (), ("stop", "退订", BASE_RULE), id="tuiding-prefix"),
        pytest.param("stop texting me", (), ("stop", "STOP", BASE_RULE), id="stop-first-word"),
        pytest.param("Opt out", (), ("stop", "OPT OUT", BASE_RULE), id="opt-out-two-words"),
        pytest.param("STOP START", (), ("stop", "STOP", BASE_RULE), id="stop-wins-over-start"),
        pytest.param("START", (), ("start", "START", BASE_RULE), id="start"),
        pytest.param("unstop!", (), ("start", "UNSTOP", BASE_RULE), id="unstop"),
        pytest.param("TD", CN, ("stop", "TD", "cn-gbt45251/sms.replies"), id="cn-td-code"),
        pytest.param("T", CN, ("stop", "T", "cn-gbt45251/sms.replies"), id="cn-t-code"),
        pytest.param("T", (), None, id="t-not-a-word-without-cn-pack"),
        pytest.param("Tomorrow", CN, None, id="short-code-never-a-prefix"),
        pytest.param("수신거부", KR, ("stop", "수신거부", "kr-fdca/sms.replies"), id="kr-refusal"),
        pytest.param("start paying next week", (), None, id="start-only-whole-reply"),
        pytest.param("I will not stop paying", (), None, id="stop-inside-a-sentence"),
        pytest.param("stopping by later", (), None, id="stop-as-part-of-a-word"),
        pytest.param("", (), None, id="empty"),
        pytest.param("?!", (), None, id="only-punctuation"),
    ],
)
def test_classify_reply(
    text: str, packs: tuple[policies.Pack, ...], expected: tuple[str, str, str] | None
) -> None:
    intent = classify_reply(text, packs)
    got = None if intent is None else (intent.action, intent.keyword, intent.rule)
    assert got == expected


TOML_START_OK = """
name = "start-ok"
version = "1"
jurisdiction = "test"
[sms.replies]
start_lifts = true
citation = "test"
"""


@pytest.mark.parametrize(
    ("packs", "allowed", "rule"),
    [
        pytest.param(US, True, "us-regf/sms.replies", id="us-regf-allows"),
        pytest.param(CN, False, "cn-gbt45251/sms.replies", id="cn-forbids"),
        pytest.param(KR, False, "kr-fdca/sms.replies", id="kr-forbids"),
        pytest.param(
            policies.load_packs(["us-regf", "us-ma"]), True, "us-regf/sms.replies", id="state-no-say"
        ),
        pytest.param(policies.load_packs(["us-ma"]), False, BASE_RULE, id="no-pack-allows"),
        pytest.param(US + CN, False, "cn-gbt45251/sms.replies", id="one-forbids-wins"),
    ],
)
def test_start_lift(packs: tuple[policies.Pack, ...], allowed: bool, rule: str) -> None:
    lift = start_lift(packs)
    assert (lift.allowed, lift.rule) == (allowed, rule)
    assert lift.why


def test_pack_replies_section_is_validated() -> None:
    pack = pack_from_toml(TOML_START_OK)
    assert pack.sms_replies is not None
    assert pack.sms_replies.start_lifts
    with pytest.raises(policies.PackError, match=r"sms\.replies"):
        pack_from_toml(TOML_START_OK.replace("start_lifts = true", "start_lift = true"))
