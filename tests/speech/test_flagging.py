"""speech.flagging and speech.disclosure on engine output (built here, as an engine returns it):
masking across segments, flags timed from words, speaker and audience, required disclosures."""

from __future__ import annotations

from pathlib import Path

import pytest

from speech.config import SpeechConfig, default_model_cache, recording_language
from speech.disclosure import disclosure_rules
from speech.engines import Segment, Word
from speech.flagging import (
    disclosure_flags,
    join_words,
    lexicon_flags,
    mask_channel,
    privacy_flags,
    utterance_language,
    written_language,
)


def seg(start: float, text: str, step: float = 0.4, conf: float = 0.9) -> Segment:
    """A segment whose words last `step` seconds each (CJK text: one word per character)."""
    tokens = text.split() if " " in text or text.isascii() else list(text)
    words = tuple(
        Word(t, start + i * step, start + (i + 1) * step - 0.05, conf) for i, t in enumerate(tokens)
    )
    return Segment(words[0].start, words[-1].end, text, words)


def test_join_words_spaces_latin_not_cjk() -> None:
    assert join_words(["we", "will", "sue"]) == ("we will sue", [(0, 2), (3, 7), (8, 11)])
    assert join_words(["我们", "会", "起诉", "OK"])[0] == "我们会起诉 OK"


def test_join_words_keeps_korean_word_breaks() -> None:
    # Korean is written with spaces between words: the stored transcript and the model's text
    # keep them (the lexicon matcher ignores them, so patterns match either way).
    assert join_words(["돈", "안", "갚으면", "죽여", "버린다"])[0] == "돈 안 갚으면 죽여 버린다"
    assert join_words(["내일", "까지", "还钱", "해"])[0] == "내일 까지 还钱 해"


def test_korean_threat_is_found_and_timed_across_word_breaks() -> None:
    ct = mask_channel("left", "agent", "debtor", [seg(0.0, "돈 안 갚으면 죽여 버린다 이 새끼야")])
    assert ct.utterances[0].text == "돈 안 갚으면 죽여 버린다 이 새끼야"
    found = {f.category: f for f in lexicon_flags(ct, "ko", None)}
    assert set(found) == {"threat_violence", "insult_profanity"}
    threat = found["threat_violence"]
    assert threat.start == pytest.approx(3 * 0.4)  # 죽여 is the fourth word
    assert threat.end == pytest.approx(5 * 0.4 - 0.05)  # ... through 버린다, the fifth


def test_sino_korean_digits_are_masked_in_the_stored_text() -> None:
    ct = mask_channel("left", "agent", "debtor", [seg(0.0, "제 번호는 공일공 일이삼사 오육칠팔 입니다")])
    assert ct.text == "제 번호는 [phone] 입니다"
    ((span, word),) = ct.numbers
    assert (span.kind, span.digits, word.w) == ("phone", "01012345678", "[phone]")


def test_threat_is_timed_by_its_words_on_the_agent_channel() -> None:
    ct = mask_channel(
        "left",
        "agent",
        "debtor",
        [seg(0.0, "good morning"), seg(5.0, "if you don't pay we will break your legs")],
    )
    (flag,) = lexicon_flags(ct, "en", None)
    assert (flag.category, flag.severity, flag.match) == ("threat_violence", "high", "break your legs")
    assert flag.start == pytest.approx(5.0 + 6 * 0.4)
    assert flag.end == pytest.approx(5.0 + 9 * 0.4 - 0.05)
    assert (flag.channel, flag.speaker, flag.lexicon_version) == (
        "left",
        "agent",
        "en@" + flag.lexicon_version[3:],
    )
    assert flag.sentence == "if you don't pay we will break your legs"
    assert flag.confidence == pytest.approx(0.9)


def test_a_phrase_split_by_a_pause_is_still_found() -> None:
    ct = mask_channel("left", "agent", "debtor", [seg(1.0, "we will break"), seg(4.0, "your legs")])
    (flag,) = lexicon_flags(ct, "en", None)
    assert flag.start == pytest.approx(1.8)
    assert flag.end == pytest.approx(4.75)


def test_debtor_channel_raises_only_abuse_by_debtor() -> None:
    ct = mask_channel("right", "debtor", "debtor", [seg(2.0, "you idiot I will break your legs")])
    assert {f.category for f in lexicon_flags(ct, "en", None)} == {"abuse_by_debtor"}
    assert all(f.speaker == "debtor" and f.channel == "right" for f in lexicon_flags(ct, "en", None))


def test_mono_channel_flags_both_parties_conduct() -> None:
    ct = mask_channel("mono", "mixed", "debtor", [seg(0.0, "we will have you arrested today")])
    (flag,) = lexicon_flags(ct, "en", None)
    assert flag.category == "false_legal_threat"
    assert flag.speaker == "mixed"


def test_mandarin_vosk_spacing_and_facts() -> None:
    ct = mask_channel("left", "agent", "debtor", [seg(0.0, "我们 已经 起诉 你 了", step=0.5)])
    flags = lexicon_flags(ct, "zh", None)
    assert flags
    assert all(f.severity == "info" for f in flags if f.category == "false_legal_threat")
    lawful = lexicon_flags(ct, "zh", {"lawsuit_filed": True, "time_barred": False})
    assert not [f for f in lawful if f.category == "false_legal_threat"]


def test_numbers_are_masked_across_segments_and_keep_their_time() -> None:
    ct = mask_channel(
        "left",
        "agent",
        "third_party",
        [seg(0.0, "her card is 4111 1111"), seg(3.0, "1111 1111 okay"), seg(6.0, "bye")],
    )
    assert [u.text for u in ct.utterances] == ["her card is [bank_card]", "okay", "bye"]
    (word,) = [w for w in ct.words if w.w == "[bank_card]"]
    assert (word.start, word.end) == (pytest.approx(1.2), pytest.approx(3.75))
    assert "4111" not in ct.text
    (flag,) = privacy_flags(ct)
    assert (flag.category, flag.severity, flag.match, flag.rule) == (
        "privacy_exposure",
        "high",
        "[bank_card]",
        "speech/privacy_exposure/spoken-bank_card",
    )
    assert flag.start == pytest.approx(1.2)


@pytest.mark.parametrize(
    ("role", "audience", "expected"),
    [("agent", "debtor", []), ("debtor", "third_party", []), ("mixed", "third_party", ["info"])],
)
def test_numbers_read_to_the_debtor_are_masked_not_flagged(
    role: str, audience: str, expected: list[str]
) -> None:
    ct = mask_channel("x", role, audience, [seg(0.0, "your number is 2 0 8 5 5 5 0 1 0 0")])
    assert [w.w for w in ct.words][-1] == "[phone]"
    assert [f.severity for f in privacy_flags(ct)] == expected


def test_mini_miranda_within_the_window() -> None:
    said = mask_channel(
        "left", "agent", "debtor", [seg(2.0, "this is a communication from a debt collector"), seg(70, "bye")]
    )
    assert disclosure_flags(said, "en", 0, 80) == []
    late = mask_channel("left", "agent", "debtor", [seg(2.0, "hello"), seg(61.0, "I am a debt collector")])
    (flag,) = disclosure_flags(late, "en", 0, 90)
    assert (flag.category, flag.rule, flag.start, flag.end) == (
        "missing_disclosure",
        "en/missing_disclosure/mini-miranda",
        0.0,
        60,
    )
    assert disclosure_flags(late, "en", 120, 90) == []  # a longer configured window
    assert disclosure_flags(late, "ko", 0, 90) == []  # no phrase set for Korean


def test_no_disclosure_check_to_a_third_party_silence_or_the_debtor() -> None:
    words = [seg(2.0, "hello there")]
    assert disclosure_flags(mask_channel("left", "agent", "third_party", words), "en", 0, 30) == []
    assert disclosure_flags(mask_channel("right", "debtor", "debtor", words), "en", 0, 30) == []
    assert disclosure_flags(mask_channel("left", "agent", "debtor", []), "en", 0, 30) == []


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("您好 我是 小王 这里是 某某 消费 金融 公司 来电 是 关于 您 逾期 的 账款", []),
        ("您好 我是 小王 您 的 账单 已经 逾期 了", ["company"]),
        ("喂 你好 请问 是 张先生 吗", ["agent-name", "company", "overdue-account"]),
    ],
)
def test_mandarin_disclosure_set(text: str, missing: list[str]) -> None:
    rules = disclosure_rules("zh")
    assert rules is not None
    assert [r.id for r in rules.missing(text)] == missing


def test_recording_language_and_config() -> None:
    assert recording_language("zh-CN", "US", "en") == "zh"
    assert recording_language(None, "cn", "en") == "zh"
    assert recording_language("", "KR", "en") == "ko"
    assert recording_language(None, "FR", "en") == "en"
    config = SpeechConfig.from_settings(
        {"language": "zh", "model_zh": "/m/cn", "engine_en": "vosk", "threads": 2}
    )
    assert config.engine_for("zh") == ("whisper", "/m/cn")  # Mandarin defaults to Whisper base
    assert config.engine_for("ko") == ("whisper", "")
    assert config.engine_for("en") == ("vosk", "")
    assert config.engine_for("fr") == ("vosk", "")
    assert SpeechConfig().engine_for("en-US") == ("whisper", "")
    # The model cache: relative to the data dir, absolute as given, else the user's cache dir.
    assert config.cache_dir == default_model_cache()
    data = Path("/srv/callwarden")
    assert SpeechConfig.from_settings({}, data).cache_dir == data / "models"
    assert SpeechConfig.from_settings({"model_cache": "cache/m"}, data).cache_dir == data / "cache" / "m"
    assert SpeechConfig.from_settings({"model_cache": "/opt/m"}, data).cache_dir == Path("/opt/m")
    assert SpeechConfig.from_settings({"sherpa_model_type": "paraformer"}).sherpa_model_type == "paraformer"
    with pytest.raises(ValueError, match="sherpa_model_type"):
        SpeechConfig.from_settings({"sherpa_model_type": "whisper"})
    with pytest.raises(ValueError, match="agent_channel"):
        SpeechConfig(agent_channel="middle")


@pytest.mark.parametrize(
    ("language", "text"),
    [("zh", "你 就是 个 stupid idiot 赶紧 还钱"), ("ko", "이 stupid idiot 아 빨리 돈 갚아")],
)
def test_english_words_in_a_mandarin_or_korean_call_are_screened(language: str, text: str) -> None:
    ct = mask_channel("left", "agent", "debtor", [seg(0.0, text)])
    flags = [f for f in lexicon_flags(ct, language, None) if f.is_violation]
    assert [(f.category, f.lexicon_version.split("@")[0]) for f in flags] == [("insult_profanity", "en")]
    assert "idiot" in flags[0].match


def test_an_utterance_is_screened_in_the_language_its_script_says() -> None:
    assert utterance_language("我们知道你住哪儿", "ko") == "zh"
    assert utterance_language("돈 안 갚으면 죽여 버린다", "zh-CN") == "ko"
    assert utterance_language("we will 打断你的腿", "en") == "zh"
    # A stray Han word inside Korean speech, Latin letters and the case's own script stay put.
    assert utterance_language("골고루 房地產", "ko") == "ko"
    assert utterance_language("我们 will sue you ok", "ko") == "ko"
    assert utterance_language("我们会起诉", "zh-CN") == "zh-CN"


def test_a_mandarin_sentence_among_korean_ones_is_screened_in_mandarin() -> None:
    """CI found Whisper, told ``ko`` on a Mandarin call, writing Korean filler around Mandarin
    sentences: the transcript was mostly Hangul, so the Mandarin threat was screened with the
    Korean and English lexicons only. Each utterance written in another script is screened in its
    own language, beside the channel's."""
    filler = "제 생각에 가장 중요한 부분은"
    ct = mask_channel(
        "left",
        "agent",
        "debtor",
        [seg(0.0, filler), seg(4.0, filler), seg(8.0, filler), seg(12.0, "我们知道你住哪儿，出门小心点")],
    )
    assert written_language([u.text for u in ct.utterances], "ko") == "ko"
    threats = [f for f in lexicon_flags(ct, "ko", None) if f.category == "threat_violence"]
    assert threats, ct.text
    assert all(f.rule.startswith("zh/") for f in threats), threats
    assert threats[0].start >= 12.0
