"""The shared lexicon matcher (`policies.screening`): context rules as tables.

Engine rules are pinned on a small inline lexicon (so a lexicon edit cannot hide an engine bug);
the bundled lexicons are checked on the behaviours SMS screening and flagging rely on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import pytest

from policies.lexicon import parse_lexicon
from policies.screening import (
    LEXICON_CATEGORIES,
    Match,
    Matcher,
    load_lexicon,
    screen,
)

TINY_EN = parse_lexicon(
    """
[lexicon]
language = "en"
version = "t1"
debtor_abuse_categories = ["threat_violence"]

[negation]
cues = ["not", "never", "won't", "don't", "nobody"]
pseudo = ["don't make me"]
breaks = ["but", "we'll", "we will"]
conditionals = ["if", "unless"]
scope = 4

[[allow]]
id = "killer-deal"
patterns = ["killer deal"]
categories = ["threat_violence"]

[[entry]]
id = "legs"
category = "threat_violence"
severity = "high"
patterns = ["(break|broke|brake) * leg[s]"]

[[entry]]
id = "kill"
category = "threat_violence"
severity = "high"
patterns = ["kill(|ing) you", "killer"]

[[entry]]
id = "visit"
category = "harassment"
severity = "medium"
patterns = ["come to your house"]
unless = ["with your permission"]

[[entry]]
id = "sue"
category = "false_legal_threat"
severity = "high"
patterns = ["sue you"]
allow = ["may sue you"]
requires_fact = "time_barred"
fact_value = false

[[entry]]
id = "filed"
category = "false_legal_threat"
severity = "high"
patterns = ["we filed a lawsuit"]
requires_fact = "lawsuit_filed"

[[entry]]
id = "owes"
category = "third_party_disclosure"
severity = "high"
negatable = false
patterns = ["owes us"]

[[entry]]
id = "vulture"
category = "abuse_by_debtor"
severity = "low"
patterns = ["vulture"]

[[entry]]
id = "fuck"
category = "insult_profanity"
severity = "medium"
negatable = false
patterns = ["fuck(|ing)"]
""",
    "tiny-en.toml",
)

TINY_ZH = parse_lexicon(
    """
[lexicon]
language = "zh"
version = "t1"
word_boundaries = false
max_gap = 4

[negation]
cues = ["不会", "绝不"]
near_cues = ["不"]
near_scope = 1
pseudo = ["不要逼", "不还"]
breaks = ["就"]
scope = 8

[[entry]]
id = "legs"
category = "threat_violence"
severity = "high"
patterns = ["打断*腿"]

[[entry]]
id = "visit"
category = "harassment"
severity = "medium"
patterns = ["上门"]
""",
    "tiny-zh.toml",
)

TINY = Matcher([TINY_EN, TINY_ZH])


def rules(text: str, matcher: Matcher = TINY, **kw: object) -> list[str]:
    return [f"{m.rule}:{m.severity}" for m in matcher.screen(text, **kw)]  # type: ignore[arg-type]


# --- public API ----------------------------------------------------------------------------------


def test_match_shape_and_offsets() -> None:
    text = "Well.  If you don't pay   I will BREAK  your LEGS!  Bye."
    (m,) = screen(text, ["en"])
    assert isinstance(m, Match)
    assert m.category == "threat_violence"
    assert m.severity == "high"
    assert m.is_violation
    assert m.rule == "en/threat_violence/break-bones"
    assert text[m.start : m.end] == m.match == "BREAK  your LEGS"
    assert m.sentence == "If you don't pay   I will BREAK  your LEGS!"
    assert m.lexicon_version == f"en@{load_lexicon('en').version}"
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.severity = "info"  # type: ignore[misc]
    assert m.as_dict()["rule"] == m.rule


def test_categories() -> None:
    assert LEXICON_CATEGORIES == (
        "threat_violence",
        "false_legal_threat",
        "insult_profanity",
        "third_party_disclosure",
        "harassment",
        "privacy_exposure",
        "abuse_by_debtor",
    )


def test_all_bundled_languages_by_default() -> None:
    text = "I will break your legs. 我是公安局的。"
    assert {m.rule.split("/")[0] for m in screen(text)} == {"en", "zh"}
    assert {m.rule.split("/")[0] for m in screen(text, ["zh-CN"])} == {"zh"}
    assert {m.rule.split("/")[0] for m in screen(text, "en")} == {"en"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"languages": ["ja"]}, "no bundled lexicon for language 'ja'", id="unknown-language"),
        pytest.param({"audience": "employer"}, "audience must be", id="bad-audience"),
        pytest.param({"speaker": "inspector"}, "speaker must be", id="bad-speaker"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        screen("hello", **kwargs)  # type: ignore[arg-type]


def test_empty_and_plain_text() -> None:
    assert screen("") == []
    assert screen("Your payment of $50 was received, thank you.") == []


def test_chinese_offsets_with_asr_spaces() -> None:
    text = "喂 你 好 ， 我 会 打断 你 的 腿 。"
    (m,) = screen(text, ["zh"])
    assert m.rule == "zh/threat_violence/break-bones"
    assert text[m.start : m.end] == m.match == "打断 你 的 腿"


# --- negation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("We will never come to your house", [], id="en-never"),
        pytest.param("We won’t come to your house", [], id="en-curly-apostrophe"),
        pytest.param("we wont come to your house", [], id="en-no-apostrophe"),
        pytest.param("Nobody is going to come to your house", [], id="en-nobody-within-scope"),
        pytest.param(
            "Not that anyone here would ever want to come to your house",
            ["en/harassment/visit:medium"],
            id="en-cue-out-of-scope",
        ),
        pytest.param("Don't make me come to your house", ["en/harassment/visit:medium"], id="en-pseudo"),
        pytest.param(
            "if you don't pay I come to your house", ["en/harassment/visit:medium"], id="en-conditional"
        ),
        pytest.param(
            "we won't wait but we will come to your house", ["en/harassment/visit:medium"], id="en-break"
        ),
        pytest.param(
            "I won't, I will come to your house", ["en/harassment/visit:medium"], id="en-clause-comma"
        ),
        pytest.param(
            "Never. Come to your house I will", ["en/harassment/visit:medium"], id="en-sentence-end"
        ),
        pytest.param("don't fucking lie", ["en/insult_profanity/fuck:medium"], id="en-not-negatable"),
        pytest.param("我们不会上门", [], id="zh-bu-hui"),
        pytest.param("我们绝不 上门", [], id="zh-jue-bu-asr-space"),
        pytest.param("我们不上门", [], id="zh-near-cue"),
        pytest.param("不还钱我们上门", ["zh/harassment/visit:medium"], id="zh-near-cue-too-far"),
        pytest.param("不还钱就上门", ["zh/harassment/visit:medium"], id="zh-pseudo-and-break"),
        pytest.param("不要逼我们上门", ["zh/harassment/visit:medium"], id="zh-pseudo"),
        pytest.param("我们不会，明天就上门", ["zh/harassment/visit:medium"], id="zh-clause-comma"),
        pytest.param(
            "我们不会说的，我们要打断你的腿", ["zh/threat_violence/legs:high"], id="zh-comma-resets"
        ),
    ],
)
def test_negation_scope(text: str, expected: list[str]) -> None:
    assert rules(text) == expected


def test_a_break_that_starts_inside_a_cue_is_part_of_it() -> None:
    # 是去 ends 不是's scope ("not dinner: to sort you out"), but in 不是去 it is the cue's own 是.
    lex = parse_lexicon(
        """
[lexicon]
language = "zh"
version = "t1"
word_boundaries = false

[negation]
cues = ["不是"]
breaks = ["是去"]
scope = 10

[[entry]]
id = "sort-out"
category = "threat_violence"
severity = "high"
patterns = ["收拾你"]
""",
        "overlap-zh.toml",
    )
    matcher = Matcher([lex])
    assert rules("我们不是去收拾你", matcher) == []
    assert rules("不是吃饭 是去收拾你", matcher) == ["zh/threat_violence/sort-out:high"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        pytest.param("We will never come to your house.", "en", id="en-house"),
        pytest.param("Nobody is going to arrest you over a credit card.", "en", id="en-arrest"),
        pytest.param("You are not going to jail for this.", "en", id="en-jail"),
        pytest.param("No one from our office will ever show up at your workplace.", "en", id="en-workplace"),
        pytest.param("Don't worry, we won't post anything about you online.", "en", id="en-post"),
        pytest.param("Nobody's coming to arrest you, I promise.", "en", id="en-nobody-s"),
        pytest.param("There's no warrant for your arrest.", "en", id="en-there-s-no"),
        pytest.param("我们不会联系您的家人。", "zh", id="zh-family"),
        pytest.param("不要担心，我们不会上门。", "zh", id="zh-visit"),
        pytest.param("您放心，我们绝不会把您的信息发到网上。", "zh", id="zh-publish"),
        pytest.param("您不用担心会坐牢，欠款是民事纠纷。", "zh", id="zh-jail"),
    ],
)
def test_bundled_negations_do_not_flag(text: str, lang: str) -> None:
    assert screen(text, [lang]) == []


@pytest.mark.parametrize(
    ("text", "lang", "category"),
    [
        pytest.param("If you don't pay we'll break your legs.", "en", "threat_violence", id="en-if-dont"),
        pytest.param("Don't make me come to your house.", "en", "harassment", id="en-dont-make-me"),
        pytest.param("We won't hesitate to call your boss.", "en", "privacy_exposure", id="en-wont-hesitate"),
        pytest.param("别以为我们不会上门。", "zh", "harassment", id="zh-double-negation"),
        pytest.param("再不还钱，小心我打断你的腿。", "zh", "threat_violence", id="zh-zai-bu"),
        pytest.param("不还钱就让警察上门抓你。", "zh", "false_legal_threat", id="zh-bu-huan-jiu"),
    ],
)
def test_bundled_pseudo_negations_still_flag(text: str, lang: str, category: str) -> None:
    assert category in {m.category for m in screen(text, [lang]) if m.is_violation}


# --- lawful look-alikes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        pytest.param("We may file a lawsuit to recover the balance.", "en", id="en-may-file"),
        pytest.param("Legal action may be taken in accordance with law.", "en", id="en-legal-action"),
        pytest.param("Your account may be reported to the credit bureaus.", "en", id="en-credit-bureaus"),
        pytest.param("We report accounts to credit bureaus every month.", "en", id="en-report-bureaus"),
        pytest.param("The branch is next to the police station.", "en", id="en-police-station"),
        pytest.param("That's a killer deal.", "en", id="en-killer-deal"),
        pytest.param("You can file a police report for identity theft.", "en", id="en-police-report"),
        pytest.param("我方将依法提起诉讼。", "zh", id="zh-yifa-tiqi-susong"),
        pytest.param("逾期可能会被依法起诉。", "zh", id="zh-yifa-qisu"),
        pytest.param("逾期信息将依法上报征信。", "zh", id="zh-shangbao-zhengxin"),
        pytest.param("附近的派出所旁边就有银行网点。", "zh", id="zh-police-station"),
        pytest.param("请谨防冒充公检法的诈骗电话。", "zh", id="zh-anti-fraud"),
        pytest.param("不好意思打断一下，您的腿脚还好吗？", "zh", id="zh-interrupt"),
    ],
)
def test_lawful_look_alikes_are_not_violations(text: str, lang: str) -> None:
    assert [m for m in screen(text, [lang]) if m.is_violation] == []


def test_credit_reporting_in_china_is_info() -> None:
    (m,) = screen("逾期信息将依法上报征信。", ["zh"])
    assert (m.category, m.severity, m.is_violation) == ("false_legal_threat", "info", False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("great skill and a killer deal", [], id="allow-overlaps"),
        pytest.param("a killer", ["en/threat_violence/kill:high"], id="allow-absent"),
        pytest.param("I come to your house with your permission", [], id="unless-same-sentence"),
        pytest.param(
            "I come to your house. With your permission or not.",
            ["en/harassment/visit:medium"],
            id="unless-other-sentence",
        ),
        pytest.param("we may sue you", [], id="entry-allow"),
    ],
)
def test_allow_and_unless(text: str, expected: list[str]) -> None:
    assert rules(text) == expected


# --- audience, speaker, facts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "audience", "expected"),
    [
        pytest.param("He owes us money.", "en", "third_party", {"third_party_disclosure"}, id="en-tp"),
        pytest.param("He owes us money.", "en", "debtor", set(), id="en-debtor"),
        pytest.param("Your balance is past due.", "en", "debtor", set(), id="en-past-due-debtor"),
        pytest.param("他欠了我们钱，一直没还。", "zh", "third_party", {"third_party_disclosure"}, id="zh-tp"),
        pytest.param("您的欠款已经逾期。", "zh", "debtor", set(), id="zh-debtor"),
        pytest.param("I'll break your legs.", "en", "third_party", {"threat_violence"}, id="threat-any"),
    ],
)
def test_audience(text: str, lang: str, audience: str, expected: set[str]) -> None:
    found = {m.category for m in screen(text, [lang], audience=audience) if m.is_violation}
    assert found == expected


@pytest.mark.parametrize(
    ("text", "speaker", "expected"),
    [
        pytest.param("I will break your legs", "agent", ["en/threat_violence/legs:high"], id="agent-threat"),
        pytest.param(
            "I will break your legs", "debtor", ["en/threat_violence/legs:high"], id="debtor-threat"
        ),
        pytest.param("you vulture", "agent", [], id="agent-not-debtor-entry"),
        pytest.param("you vulture", "debtor", ["en/abuse_by_debtor/vulture:low"], id="debtor-entry"),
        pytest.param("fucking hell", "debtor", [], id="debtor-category-not-listed"),
        pytest.param("I come to your house", "debtor", [], id="debtor-harassment-not-raised"),
        pytest.param("he owes us", "debtor", [], id="debtor-disclosure-not-raised"),
    ],
)
def test_speaker(text: str, speaker: str, expected: list[str]) -> None:
    assert rules(text, speaker=speaker, audience="third_party") == expected


def test_debtor_threat_is_abuse_by_debtor() -> None:
    (m,) = TINY.screen("I will break your legs", speaker="debtor")
    assert (m.category, m.rule) == ("abuse_by_debtor", "en/threat_violence/legs")
    bundled = screen("Call me again and I'll fucking kill you.", ["en"], speaker="debtor")
    assert {m.category for m in bundled} == {"abuse_by_debtor"}
    assert screen("I'm such an idiot, I forgot to pay.", ["en"], speaker="debtor") == []


def test_mixed_speaker_raises_both_without_relabelling() -> None:
    found = TINY.screen("you vulture, I will break your legs", speaker="any")
    assert [m.category for m in found] == ["abuse_by_debtor", "threat_violence"]


@pytest.mark.parametrize(
    ("text", "facts", "expected"),
    [
        pytest.param("we filed a lawsuit", None, ["info"], id="filed-no-facts"),
        pytest.param("we filed a lawsuit", {}, ["info"], id="filed-key-missing"),
        pytest.param("we filed a lawsuit", {"lawsuit_filed": False}, ["high"], id="filed-false"),
        pytest.param("we filed a lawsuit", {"lawsuit_filed": True}, [], id="filed-true"),
        pytest.param("we will sue you", {"time_barred": True}, ["high"], id="sue-time-barred"),
        pytest.param("we will sue you", {"time_barred": False}, [], id="sue-not-time-barred"),
        pytest.param("we will sue you", {"judgment": True}, ["info"], id="sue-unknown"),
        pytest.param("we will never sue you", {"time_barred": True}, [], id="sue-negated"),
    ],
)
def test_facts(text: str, facts: Mapping[str, bool] | None, expected: list[str]) -> None:
    assert [m.severity for m in TINY.screen(text, facts=facts)] == expected


@pytest.mark.parametrize(
    ("text", "lang", "facts", "severity"),
    [
        pytest.param("We've already filed a lawsuit against you.", "en", None, "info", id="en-suit-unknown"),
        pytest.param(
            "We've already filed a lawsuit against you.",
            "en",
            {"lawsuit_filed": False},
            "high",
            id="en-suit-false",
        ),
        pytest.param(
            "A judgment has been entered against you.",
            "en",
            {"judgment": False},
            "high",
            id="en-judgment-false",
        ),
        pytest.param("We will garnish your wages.", "en", {"judgment": True}, None, id="en-garnish-true"),
        pytest.param("We may file a lawsuit.", "en", {"time_barred": True}, "high", id="en-time-barred"),
        pytest.param("我们已经起诉你了。", "zh", {"lawsuit_filed": False}, "high", id="zh-suit-false"),
        pytest.param("法院已经判决了。", "zh", {"judgment": True}, None, id="zh-judgment-true"),
        pytest.param("我方将依法提起诉讼。", "zh", {"time_barred": True}, "high", id="zh-time-barred"),
    ],
)
def test_bundled_fact_entries(
    text: str, lang: str, facts: Mapping[str, bool] | None, severity: str | None
) -> None:
    found = [m.severity for m in screen(text, [lang], facts=facts) if m.category == "false_legal_threat"]
    assert (max(found, key=["info", "low", "medium", "high"].index) if found else None) == severity


# --- word boundaries, normalisation, ASR tolerance ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("what a skill you have", [], id="skill-not-kill"),
        pytest.param("I'll kill you", ["en/threat_violence/kill:high"], id="kill-you"),
        pytest.param("killing you softly", ["en/threat_violence/kill:high"], id="killing-you"),
        pytest.param("skilling you", [], id="left-boundary"),
        pytest.param("kill youth programs", [], id="right-boundary"),
        pytest.param("breakfast legs", [], id="gap-boundary"),
        pytest.param("he broke both your legs", ["en/threat_violence/legs:high"], id="gap-inflection"),
        pytest.param("brake your leg", ["en/threat_violence/legs:high"], id="asr-near-miss"),
        pytest.param("break one two three four legs", [], id="gap-too-long"),
        pytest.param("break your, legs", [], id="gap-stops-at-punctuation"),
        pytest.param("break your legacy", [], id="gap-right-boundary"),
    ],
)
def test_word_boundaries_and_gaps(text: str, expected: list[str]) -> None:
    assert rules(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("ＩＬＬ　ＫＩＬＬ　ＹＯＵ", ["en/threat_violence/kill:high"], id="full-width-latin"),
        pytest.param("Kill\u00a0\u00a0you", ["en/threat_violence/kill:high"], id="nbsp-runs"),
        pytest.param("kill\tyou", ["en/threat_violence/kill:high"], id="tab"),
        pytest.param("KiLL YoU", ["en/threat_violence/kill:high"], id="case"),
        pytest.param("打断你的腿！", ["zh/threat_violence/legs:high"], id="zh-full-width-punct"),
        pytest.param("打 断 你 的 腿", ["zh/threat_violence/legs:high"], id="zh-asr-spaces"),
        pytest.param("打断你家里人的腿", [], id="zh-gap-too-long"),
        pytest.param("打断你家人的腿", ["zh/threat_violence/legs:high"], id="zh-gap-max"),
        pytest.param("打断，腿", [], id="zh-gap-not-across-punctuation"),
    ],
)
def test_normalisation(text: str, expected: list[str]) -> None:
    assert rules(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("i'll break your leg", id="leg"),
        pytest.param("I broke his legs once", id="broke"),
        pytest.param("we're gonna brake your legs", id="brake"),
        pytest.param("I'll kill you", id="kill"),
        pytest.param("I'm killing you", id="killing"),
        pytest.param("ｙｏｕ'ｒｅ ｄｅａｄ ｍｅａｔ", id="full-width"),
    ],
)
def test_bundled_asr_tolerance(text: str) -> None:
    assert {m.category for m in screen(text, ["en"])} == {"threat_violence"}


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Our skilled team can help.", id="skilled"),
        pytest.param("That's a killer deal on the settlement.", id="killer-deal"),
        pytest.param("Hello, this is Dana from Apex.", id="hello-not-hell"),
        pytest.param("My assistant will send the letter.", id="assistant"),
        pytest.param("The police station near the bank takes payments.", id="police-station"),
        pytest.param("I'll follow up with you on Monday.", id="follow-up"),
        pytest.param("You can put the payment through online.", id="online-payment"),
        pytest.param("我一直打您电话都没人接。", id="zh-past-calls"),
        pytest.param("他妈妈的电话是多少？", id="zh-his-mother"),
        pytest.param("麻烦你转告他回个电话。", id="zh-mafan-ni"),
    ],
)
def test_bundled_traps_do_not_flag(text: str) -> None:
    assert screen(text, audience="debtor") == []


def test_chinese_da_ni_is_calling_not_hitting() -> None:
    found = {m.category for m in screen("我们每天打你二十次，看你接不接。", ["zh"])}
    assert found == {"harassment"}
    assert {m.category for m in screen("再不还我打你一顿。", ["zh"])} == {"threat_violence"}


def test_overlapping_hits_of_one_category_collapse() -> None:
    found = screen("I'll break your legs and kill you", ["en"])
    assert [(m.category, m.match) for m in found] == [
        ("threat_violence", "break your legs"),
        ("threat_violence", "kill you"),
    ]
    (one,) = screen("fucking", ["en"])
    assert one.match == "fucking"


def test_matcher_accepts_custom_lexicons() -> None:
    matcher = Matcher([TINY_ZH])
    assert [m.rule for m in matcher.screen("我会打断你的腿")] == ["zh/threat_violence/legs"]
    assert matcher.lexicons == (TINY_ZH,)
