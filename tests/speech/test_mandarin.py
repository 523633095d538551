"""Mandarin end to end with the default engine (Whisper base from PyPI, loaded offline) on real
recorded speech made into a call recording: 8 kHz µ-law stereo, agent on the left.

The agent's channel holds three real recorded clips (tests/data/speech/zh: AISHELL-1, FunASR and
PaddleSpeech demo clips) and, spliced in after them, a spoken threat; the debtor's channel holds
the two other real clips. Real recordings of Mandarin collection threats do not exist here, so the
threat is the synthetic utterance `zh-synth/agent_threat_violence.wav` ("别以为躲着就没事，我们知道你
住哪儿，哪天出门小心点，别缺胳膊少腿的。", a TTS voice, tests/data/speech/README.md), mixed into the
agent's channel with ffmpeg at a known second. What that proves: a threat spoken on the agent's
channel of a narrow-band stereo recording goes through decoding, Whisper base, the Traditional →
Simplified conversion and the shared Mandarin lexicon, and comes out as a `threat_violence` flag
on the agent's channel at the seconds it was spoken — and nothing in the real, harmless clips
raises one. It does not prove that a real caller's threat is caught: the TTS voice is clearer
than a phone line (docs/speech.md, Known limits).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import jiwer
import pytest

from speech.chinese import is_simplified, to_simplified
from speech.config import SpeechConfig
from speech.engines import Engine, Word
from speech.pipeline import engine_for, process
from speech.transcript import TranscriptResult
from tests.speech.conftest import Call, mix_call

pytestmark = pytest.mark.slow

DATA = Path(__file__).resolve().parents[1] / "data" / "speech"
REFS = {
    line.split("\t")[0]: line.split("\t")[1]
    for folder in ("zh", "zh-synth")
    for line in (DATA / folder / "refs.tsv").read_text(encoding="utf-8").splitlines()
}
AGENT_CLIPS = ("funasr_asr_example.wav", "paddlespeech_zh.wav", "aishell1_BAC009S0764W0121.wav")
DEBTOR_CLIPS = ("cosyvoice_zero_shot_prompt.wav", "aishell1_BAC009S0724W0121.wav")
THREAT = "agent_threat_violence.wav"
# Characters Whisper base wrote for these clips in Traditional form (measured): none may survive.
TRADITIONAL = set("歡來體驗語識別認為給帶務廣產協會幾況")
# Pooled character error rate over the five real clips in this call: 0.128 measured here (worst
# clip 0.26; docs/speech.md); the bounds leave room for other CPUs' int8 arithmetic and timing.
MAX_POOLED_CER = 0.25
MAX_CLIP_CER = 0.45


@pytest.fixture(scope="module")
def offline() -> Iterator[None]:
    """No network: the Hugging Face hub is off; the model must come from the packages."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        yield


@pytest.fixture(scope="module")
def zh_config(model_cache: Path) -> SpeechConfig:
    return SpeechConfig(model_cache=str(model_cache))


@pytest.fixture(scope="module")
def zh_engine(offline: None, zh_config: SpeechConfig) -> Engine:
    """The configured default for Mandarin, as a worker gets it."""
    return engine_for("zh", zh_config)


@pytest.fixture(scope="module")
def zh_call(speech_dir: Path) -> Call:
    left, t = [], 0.5
    for name in AGENT_CLIPS:
        left.append((t, DATA / "zh" / name, REFS[name]))
        t += 7.0
    threat_at = t + 1.0
    left.append((threat_at, DATA / "zh-synth" / THREAT, REFS[THREAT]))
    right = [(4.0, DATA / "zh" / DEBTOR_CLIPS[0], REFS[DEBTOR_CLIPS[0]])]
    right.append((12.0, DATA / "zh" / DEBTOR_CLIPS[1], REFS[DEBTOR_CLIPS[1]]))
    return mix_call(speech_dir, "zh-call", left, right, total=threat_at + 9.0)


@pytest.fixture(scope="module")
def result(zh_call: Call, zh_engine: Engine, zh_config: SpeechConfig) -> TranscriptResult:
    return process(zh_call.path, "zh", "left", None, None, config=zh_config, engine=zh_engine)


def _words(result: TranscriptResult, channel: str) -> list[Word]:
    return [w for u in result.utterances if u.channel == channel for w in u.words]


def _said_within(words: list[Word], start: float, end: float) -> str:
    return "".join(w.w for w in words if start - 0.5 <= (w.start + w.end) / 2 <= end + 0.5)


def _chars(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def test_the_default_mandarin_engine_is_whisper_base_from_the_model_cache(
    zh_engine: Engine, model_cache: Path
) -> None:
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert zh_engine.name == "whisper"
    assert zh_engine.model == str(model_cache / "whisper-base")


def test_transcript_is_simplified_and_close_to_the_references(
    zh_call: Call, result: TranscriptResult
) -> None:
    assert result.engine == "whisper"
    assert result.language == "zh"
    text = result.text()
    assert is_simplified(text), text
    assert not TRADITIONAL & set(text), text
    refs, hyps = [], []
    for channel, ref, start, end in zh_call.lines:
        if ref == REFS[THREAT]:
            continue
        said = _said_within(_words(result, channel), start, end)
        cer = jiwer.cer(_chars(ref), _chars(said) or "-")
        print(f"{channel} {start:5.1f}-{end:5.1f} CER {cer:.3f} ref {ref} | heard {said}")
        assert cer <= MAX_CLIP_CER, (ref, said)
        refs.append(_chars(ref))
        hyps.append(_chars(said))
    pooled = jiwer.cer(refs, hyps)
    print(f"pooled CER over {len(refs)} real clips: {pooled:.3f}")
    assert pooled <= MAX_POOLED_CER


def test_taiwan_usage_is_converted_in_context() -> None:
    """The particle 着, which Whisper writes 著 as Taiwan does, is Simplified 着 in a transcript;
    著 where it is Simplified (著名, 显著) stays."""
    assert to_simplified("別以為躲著就沒事，你給我等著瞧") == "别以为躲着就没事，你给我等着瞧"
    assert to_simplified("著名的公司，效果顯著") == "著名的公司，效果显著"


def test_the_conversion_is_what_makes_it_simplified(
    speech_dir: Path, zh_engine: Engine, zh_config: SpeechConfig
) -> None:
    """Whisper itself writes some of these clips in Traditional characters (measured: three of the
    five at 8 kHz, each alone); the pipeline's output is the same words in Simplified."""
    from speech.audio import decode
    from tests.speech.conftest import ffmpeg

    traditional = 0
    for name in ("funasr_asr_example.wav", "paddlespeech_zh.wav", "aishell1_BAC009S0724W0121.wav"):
        narrow = speech_dir / f"{name}-8k.wav"
        ffmpeg("-i", str(DATA / "zh" / name), "-ar", "8000", "-acodec", "pcm_mulaw", str(narrow))
        audio = decode(narrow, rate=zh_engine.rate)
        raw = "".join(s.text for s in zh_engine.transcribe(audio.channels[0].pcm, audio.rate, "zh"))
        out = process(narrow, "zh", config=zh_config, engine=zh_engine)
        said = "".join(u.text for u in out.utterances)
        print(f"{name}: raw {raw} -> {said}")
        traditional += not is_simplified(raw)
        assert is_simplified(said)
        assert said.replace(" ", "") == to_simplified(raw).replace(" ", "")
    assert traditional >= 1


def test_word_timings_are_monotonic_and_within_the_clips(zh_call: Call, result: TranscriptResult) -> None:
    for channel in ("left", "right"):
        words = _words(result, channel)
        assert len(words) >= 20
        for a, b in itertools.pairwise(words):
            assert 0 <= a.start <= a.end <= b.start + 1e-6
        assert words[-1].end <= result.duration + 0.05
        spans = [(s, e) for ch, _, s, e in zh_call.lines if ch == channel]
        for w in words:  # every word was heard where a clip was placed, not in the silence
            assert any(s - 0.5 <= w.start and w.end <= e + 0.5 for s, e in spans), (w, spans)


def test_the_spliced_threat_is_flagged_on_the_agent_channel_at_its_time(
    zh_call: Call, result: TranscriptResult
) -> None:
    channel, start, end = zh_call.span("缺胳膊少腿")
    assert channel == "left"
    flags = [f for f in result.flags if f.category == "threat_violence"]
    print(f"threat clip {channel} {start:.2f}-{end:.2f}")
    for f in flags:
        print(f"  {f.channel} {f.start:.2f}-{f.end:.2f} {f.severity} {f.source} {f.sentence} {f.model_score}")
    # Utterance times come from the recogniser: allow half a second either side of the clip.
    inside = [f for f in flags if start - 0.5 <= f.start < f.end <= end + 0.5]
    outside = [f for f in flags if f not in inside]
    # The spliced threat: high lexicon findings (the model agreeing or not) on the agent's channel
    # at its time; the model alone may add medium ones there (flagger 2026.12.5 also finds the
    # garbled "别缺歌不少腿呐" and the opening "别以为躲着就没事").
    high = [f for f in inside if f.severity == "high"]
    assert high, result.text()
    for flag in inside:
        assert (flag.channel, flag.speaker) == (channel, "agent")
        assert flag.rule.startswith("zh/threat_violence/")
        assert is_simplified(flag.sentence)
        assert flag.severity == ("high" if flag.source != "model" else "medium")
    for flag in high:
        assert flag.lexicon_version.startswith("zh@")
        assert is_simplified(flag.match)
    # The real clips are harmless: nothing there may be high. The semantic model alone still
    # raises medium model-only flags on some (flagger 2026.12.5: 给我带来了身体健康 0.62 against
    # zh's 0.44 threshold) — false positives an inspector dismisses, reported here.
    for flag in outside:
        print(f"model-only flag on a real clip: {flag.sentence} {flag.model_score:.2f}")
        assert (flag.source, flag.severity) == ("model", "medium")
    # The debtor says nothing abusive: no lexicon flag on the right channel, and at most medium
    # model-only ones (flagger 2026.12.4 scored a garbled place name 0.56 as abuse_by_debtor).
    debtor = [f for f in result.flags if f.channel == "right"]
    for flag in debtor:
        print(f"model-only flag on the debtor's real clip: {flag.sentence} {flag.model_score:.2f}")
    assert all((f.source, f.severity) == ("model", "medium") for f in debtor)


def test_a_mandarin_call_on_a_korean_case_is_flagged_as_mandarin_with_a_warning(
    zh_call: Call, zh_engine: Engine, zh_config: SpeechConfig
) -> None:
    """A probe put a Mandarin call on a case marked Korean: the engine (told ``ko``) still wrote
    Han characters, which were screened with the Korean and English lexicons only, silently. The
    transcript's script decides the screening now, and a warning says the case's language is off."""
    out = process(zh_call.path, "ko", "left", None, None, config=zh_config, engine=zh_engine)
    print(out.text())
    assert any("written in 'zh'" in w and "'ko'" in w for w in out.warnings), out.warnings
    assert out.language == "ko"
    threats = [f for f in out.flags if f.category == "threat_violence" and f.channel == "left"]
    assert threats, out.flags
    assert all(f.rule.startswith("zh/") or f.source == "model" for f in threats)
    assert all(is_simplified(u.text) for u in out.utterances)
