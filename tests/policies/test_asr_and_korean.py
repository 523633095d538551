"""Matcher features for ASR output and Korean (issue 10): toneless-pinyin matching of Mandarin
homophone errors, Traditional → Simplified folding, Korean post-verbal negation, sentence-wide
look-alike contexts. Engine rules are pinned on small inline lexicons; the bundled ones are
checked on the behaviours flagging and SMS screening rely on."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.lexicon import fold, load_lexicon, parse_lexicon, traditional_to_simplified
from policies.phonetic import is_code, sound_table, sound_variants, spelled_readings, syllable
from policies.screening import Matcher, screen

PINYIN_ZH = parse_lexicon(
    """
[lexicon]
language = "zh"
version = "t1"
word_boundaries = false
pinyin = true

[[entry]]
id = "jail"
category = "false_legal_threat"
severity = "high"
patterns = ["要坐牢", "坐牢"]

[[entry]]
id = "legs"
category = "threat_violence"
severity = "high"
patterns = ["打断*腿"]

[[entry]]
id = "cripple"
category = "threat_violence"
severity = "high"
patterns = ["废了你"]

[[entry]]
id = "insult"
category = "insult_profanity"
severity = "medium"
pinyin = false
patterns = ["不要脸"]
""",
    "pinyin-zh.toml",
)
PINYIN = Matcher([PINYIN_ZH])
NO_PINYIN = Matcher([dataclasses.replace(PINYIN_ZH, pinyin=False)])


def hits(matcher: Matcher, text: str) -> list[tuple[str, str]]:
    return [(m.rule, m.match) for m in matcher.screen(text)]


# --- pinyin ---------------------------------------------------------------------------------------


def test_syllables_are_toneless() -> None:
    assert syllable("dǎ") == "da"
    assert syllable("nǚ") == "nv"
    assert syllable("lüè") == "lve"
    table = sound_table()
    assert "打断".translate(table) == "打段".translate(table)
    assert "坐牢".translate(table) == "做牢".translate(table)
    assert "公安".translate(table) != "公园".translate(table)
    assert len(sound_variants("还钱")) == 2, "heteronym 还 (hai / huan) gives both spellings"


@pytest.mark.parametrize(
    ("text", "expected", "by_characters"),
    [
        pytest.param(
            "你这样下去要做牢的", [("zh/false_legal_threat/jail", "要做牢")], False, id="zuo-lao-homophone"
        ),
        pytest.param(
            "打 段 你 的 腿",
            [("zh/threat_violence/legs", "打 段 你 的 腿")],
            False,
            id="gapped-with-asr-spaces",
        ),
        pytest.param("要坐牢", [("zh/false_legal_threat/jail", "要坐牢")], True, id="exact-match-once"),
    ],
)
def test_homophone_errors_match(text: str, expected: list[tuple[str, str]], by_characters: bool) -> None:
    assert hits(PINYIN, text) == expected
    assert hits(NO_PINYIN, text) == (expected if by_characters else [])


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("做牢", id="two-characters-too-short"),
        pytest.param("你现在已经被限制消费了你老婆也一样", id="substitution-at-the-edge"),
        pytest.param("大段时间都在手机上受累", id="two-substitutions"),
        pytest.param("我们不要联系他了", id="entry-opted-out"),
        pytest.param("要做饭", id="different-sound"),
    ],
)
def test_pinyin_does_not_create_false_positives(text: str) -> None:
    assert hits(PINYIN, text) == []


def test_pinyin_offsets_are_in_the_original_text() -> None:
    text = "喂 你 这样 要 做 牢 的"
    (m,) = PINYIN.screen(text)
    assert text[m.start : m.end] == m.match == "要 做 牢"


def test_bundled_mandarin_asr_errors() -> None:
    assert {m.rule for m in screen("明天上午公按的同志就会到你单位带人", ["zh"])} >= {
        "zh/false_legal_threat/police-action"
    }
    assert [m.rule for m in screen("我是公按局的", ["zh"])] == ["zh/false_legal_threat/impersonation"]
    assert [m.rule for m in screen("你 这个 情况 已经 够 做牢 了", ["zh"])] == [
        "zh/false_legal_threat/police-action"
    ]


# --- pinyin spelled out in a Chinese line -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "spelled"),
    [
        pytest.param("再不还钱我就sha了你", ["sha"], id="touching-han"),
        pytest.param("给你hong zha到天亮", ["hong", "zha"], id="a-run-beside-a-counted-run"),
        pytest.param("他的yuqi很严重", ["yu", "qi"], id="fewest-syllables"),
        pytest.param("他在xian工作", ["xian"], id="one-syllable-not-xi-an"),
        pytest.param("我们的app上可以还", [], id="not-pinyin"),
        # "hang" touches Han and is pinyin; "up" is not, so the run stops there
        pytest.param("你先别hang up，我说完", ["hang"], id="the-run-stops-at-english"),
        pytest.param("call me back when you can", [], id="no-han"),
    ],
)
def test_which_latin_runs_are_read_as_pinyin(text: str, spelled: list[str]) -> None:
    norm = fold(text)
    readings = spelled_readings(norm)
    got = [norm[s:e] for r in readings for ch, (s, e) in zip(r.text, r.index, strict=True) if is_code(ch)]
    assert got == spelled


@pytest.mark.parametrize(
    ("text", "audience", "rule", "match"),
    [
        pytest.param("再不还钱我就sha了你", "debtor", "zh/threat_violence/kill", "sha了你", id="sha-le-ni"),
        pytest.param(
            "你这种情况就等着zuolao吧", "debtor", "zh/false_legal_threat/police-action", "zuolao", id="zuolao"
        ),
        pytest.param(
            "不接是吧，那就给你hong zha到天亮",
            "debtor",
            "zh/harassment/call-bombing",
            "hong zha",
            id="hong-zha",
        ),
        pytest.param(
            "跟他说一下他的yuqi很严重了",
            "third_party",
            "zh/third_party_disclosure/debt-words",
            "yuqi",
            id="yuqi",
        ),
        pytest.param(
            "再不还钱就打断你的tui",
            "debtor",
            "zh/threat_violence/break-bones",
            "打断你的tui",
            id="spelled-after-a-gap",
        ),
    ],
)
def test_pinyin_spelled_for_the_characters_is_matched(
    text: str, audience: str, rule: str, match: str
) -> None:
    found = [(m.rule, m.match) for m in screen(text, ["zh"], audience=audience) if m.is_violation]
    assert (rule, match) in found
    assert all(m.rule != rule for m in screen(text.replace(match, ""), ["zh"], audience=audience))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "你的case已经到police那边了，他们会contact你", id="english-words-that-split-into-syllables"
        ),
        pytest.param("我在shanghai上班，下个月一定还", id="a-place-name"),
        pytest.param("我们team的manager会跟你联系", id="mixed-english"),
        pytest.param("这个plan可以吗，每月还一千", id="plan"),
    ],
)
def test_english_in_a_mixed_line_is_not_read_as_pinyin(text: str) -> None:
    assert [(m.rule, m.match) for m in screen(text, ["zh"]) if m.is_violation] == []


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([*"shagoniyuq 了你到期 的.,", "zuolao", "hong", "zha", "  "]), max_size=30).map(
        "".join
    )
)
def test_spelled_hits_point_at_the_text(text: str) -> None:
    for m in screen(text, ["zh"], audience="third_party"):
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.match


# --- Traditional → Simplified ----------------------------------------------------------------------


def test_traditional_folds_to_simplified_one_for_one() -> None:
    text = "我們會打斷你的腿，公安局說話"
    assert fold(text) == "我们会打断你的腿,公安局说话"
    assert len(fold(text)) == len(text)
    t2s = traditional_to_simplified()
    assert t2s["斷"] == "断"
    assert t2s["說"] == "说"
    assert all(len(k) == 1 and len(v) == 1 for k, v in t2s.items())


@pytest.mark.parametrize("text", ["你给我等著瞧", "別以為躲著就沒事，你給我等著瞧"])
def test_whispers_taiwan_particle_is_read_as_the_simplified_one(text: str) -> None:
    """Whisper writes the particle 着 as 著, which OpenCC's t2s keeps (著 is also Simplified):
    等著瞧 passed where 等着瞧 is a threat (a probe). Both sides of a match fold 著 → 着."""
    hits = [m for m in screen(text, ["zh"]) if m.category == "threat_violence"]
    assert hits, screen(text, ["zh"])
    assert text[hits[0].start : hits[0].end] == hits[0].match
    assert fold("显著") == fold("显着")


def test_traditional_whisper_output_is_flagged_with_original_offsets() -> None:
    text = "再不還錢，我們就打斷你的腿。"
    (m,) = screen(text, ["zh"])
    assert m.rule == "zh/threat_violence/break-bones"
    assert text[m.start : m.end] == m.match == "打斷你的腿"


# --- Korean ----------------------------------------------------------------------------------------

TINY_KO = parse_lexicon(
    """
[lexicon]
language = "ko"
version = "t1"
word_boundaries = false

[negation]
near_cues = ["안"]
post_cues = ["지않", "일은없"]
post_scope = 3
pseudo = ["지않으려면"]

[[allow]]
id = "quote"
scope = "sentence"
patterns = ["고하셨는데"]

[[entry]]
id = "visit"
category = "harassment"
severity = "medium"
patterns = ["찾아가", "방문"]
""",
    "tiny-ko.toml",
)
KO = Matcher([TINY_KO])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("내일 집으로 찾아가겠습니다", ["ko/harassment/visit:medium"], id="threat"),
        pytest.param("내일 집으로 찾 아 가 겠 습 니 다", ["ko/harassment/visit:medium"], id="asr-spacing"),
        pytest.param("집으로 찾아가지 않겠습니다", [], id="post-negation"),
        pytest.param("댁으로 방문하는 일은 없습니다", [], id="post-negation-within-scope"),
        pytest.param("집으로 안 찾아가요", [], id="short-negation-before"),
        pytest.param("찾아가지 않으려면 오늘 입금해", ["ko/harassment/visit:medium"], id="pseudo-negation"),
        pytest.param(
            "창피하지도 않으세요? 찾아가지 않을까요?", ["ko/harassment/visit:medium"], id="negative-question"
        ),
        pytest.param(
            "'찾아가겠다'고하셨는데 저희 직원이 한 말이 아닙니다",
            ["ko/harassment/visit:info"],
            id="reported-speech-is-info",
        ),
    ],
)
def test_korean_negation_and_context(text: str, expected: list[str]) -> None:
    assert [f"{m.rule}:{m.severity}" for m in KO.screen(text)] == expected


@pytest.mark.parametrize(
    ("text", "audience", "speaker", "expected"),
    [
        pytest.param(
            "돈 안 갚으면 다리 하나 분질러 놓는다", "debtor", "agent", {"threat_violence"}, id="threat"
        ),
        pytest.param(
            "검찰청 민원실입니다, 체포영장이 청구됩니다",
            "debtor",
            "agent",
            {"false_legal_threat"},
            id="impersonation",
        ),
        pytest.param("씨발 연락 좀 받아라", "debtor", "agent", {"insult_profanity"}, id="profanity"),
        pytest.param("회사에 다 알린다", "debtor", "agent", {"privacy_exposure"}, id="tell-work-alinda"),
        pytest.param(
            "가족들한테 다 알릴 거예요", "debtor", "agent", {"privacy_exposure"}, id="tell-family-all"
        ),
        pytest.param(
            "연락처에 다 뿌릴 거야", "debtor", "agent", {"privacy_exposure"}, id="spread-to-contacts"
        ),
        pytest.param("너희 애들 학교 다 안다", "debtor", "agent", {"threat_violence"}, id="knows-the-school"),
        pytest.param(
            "애 유치원 어딘지 알고 있어요", "debtor", "agent", {"threat_violence"}, id="knows-where"
        ),
        pytest.param("가족분들께 알려 주세요", "debtor", "agent", set(), id="please-tell-your-family"),
        pytest.param(
            "자녀분 학교가 어딘지 알려 주시겠어요", "debtor", "agent", set(), id="asks-which-school"
        ),
        pytest.param(
            "아드님이 카드 대금을 석 달째 연체 중이세요",
            "third_party",
            "agent",
            {"third_party_disclosure"},
            id="disclosure",
        ),
        pytest.param(
            "아드님이 카드 대금을 석 달째 연체 중이세요", "debtor", "agent", set(), id="debt-talk-to-debtor"
        ),
        pytest.param("오늘부터 한 시간마다 전화드릴 거예요", "debtor", "agent", {"harassment"}, id="calls"),
        pytest.param(
            "회사 단톡방에 니 빚 얘기 쫙 돌려 줄까", "debtor", "agent", {"privacy_exposure"}, id="publish"
        ),
        pytest.param(
            "한 번만 더 전화하면 찾아가서 죽여 버린다",
            "debtor",
            "debtor",
            {"abuse_by_debtor"},
            id="debtor-threat",
        ),
        pytest.param(
            "이 개새끼야 전화 좀 그만해",
            "debtor",
            "debtor",
            {"abuse_by_debtor"},
            id="debtor-profanity-relabelled",
        ),
    ],
)
def test_bundled_korean_categories(text: str, audience: str, speaker: str, expected: set[str]) -> None:
    got = {m.category for m in screen(text, ["ko"], audience=audience, speaker=speaker) if m.is_violation}
    assert got == expected


@pytest.mark.parametrize(
    ("text", "speaker", "expected"),
    [
        # Someone else's words, echoed or reported: an inspector verifies (info), nothing denies.
        pytest.param(
            "다른 업체 직원이 회사에 다 알릴 거라고 했다고요? 녹음해 두세요",
            "agent",
            "info",
            id="echoed-question",
        ),
        pytest.param("그 사람이 감옥 간다고 했다면 그건 거짓말이에요", "agent", "info", id="reported-if"),
        pytest.param("전 담당자가 밤길 조심하라고 했어요", "debtor", "info", id="debtor-reports"),
        pytest.param(
            "회사에 다 알릴 거라고 겁주는 건 불법입니다 안심하세요", "agent", "info", id="explains-unlawful"
        ),
        pytest.param('신입 교육에서 "두고 보자" 같은 말은 쓰지 말라고 해요', "agent", "info", id="training"),
        pytest.param('상담 중에 "두고 보자"라고 말하면 안 됩니다', "agent", "info", id="forbidden-phrase"),
        # The speaker's own threat stands, even when it repeats itself or says "don't tell".
        pytest.param("내가 죽여 버린다고 했지 오늘까지 갚아", "agent", "high", id="own-threat-repeated"),
        pytest.param("경찰에 말하면 안 돼 죽여 버린다", "agent", "high", id="dont-tell-then-threat"),
        pytest.param("두고 보자 이번엔 진짜 끝이다", "agent", "high", id="plain-threat"),
    ],
)
def test_bundled_korean_reported_speech(text: str, speaker: str, expected: str) -> None:
    found = [
        m
        for m in screen(text, ["ko"], speaker=speaker)
        if m.category
        in ("threat_violence", "harassment", "privacy_exposure", "false_legal_threat", "abuse_by_debtor")
    ]
    assert found, text
    assert {"high" if m.is_violation else "info" for m in found} == {expected}


@pytest.mark.parametrize(
    ("text", "facts", "expected"),
    [
        pytest.param("다음 달부터 월급 압류 들어갑니다", None, "info", id="seizure-unknown-judgment"),
        pytest.param(
            "다음 달부터 월급 압류 들어갑니다", {"judgment": False}, "high", id="seizure-without-judgment"
        ),
        pytest.param(
            "다음 달부터 월급 압류 들어갑니다", {"judgment": True}, None, id="seizure-with-judgment"
        ),
        pytest.param("지급명령 신청을 검토하고 있습니다", None, "info", id="payment-order-unknown"),
        pytest.param(
            "지급명령 신청을 검토하고 있습니다", {"time_barred": True}, "high", id="payment-order-time-barred"
        ),
    ],
)
def test_bundled_korean_facts(text: str, facts: dict[str, bool] | None, expected: str | None) -> None:
    legal = [m.severity for m in screen(text, ["ko"], facts=facts) if m.category == "false_legal_threat"]
    assert legal == ([] if expected is None else [expected])


def test_every_korean_entry_cites_the_fair_debt_collection_act_or_a_statute() -> None:
    lex = load_lexicon("ko")
    for e in lex.entries:
        if e.category != "abuse_by_debtor":
            assert "채권추심법" in e.citation or "신용정보" in e.citation, e.rule
