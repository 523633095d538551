"""The sherpa-onnx engine (an operator-installed SenseVoice or Paraformer folder), as far as it can
be tested here: no package the project can install ships a SenseVoice or Paraformer model
(docs/speech.md), so no transcription is tested. What is real: the installed sherpa-onnx package,
the checks of a model folder, the configuration, `callwarden doctor`'s lines, and the errors
sherpa-onnx itself gives for files that are not such a model — including the one that ends the
process it runs in, which the engine catches in a child process (this test process survives).
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest

from gateway.cli.main import main
from speech.config import SpeechConfig
from speech.doctor import speech_checks
from speech.engines import EngineError, ModelNotFound, load_engine
from speech.engines.sherpa_engine import find_sherpa_model, probe, tokens_to_words
from speech.pipeline import engine_for

SENSE_VOICE = "sherpa-onnx-sense-voice-zh-en-ja-ko-yue-2024-07-17"


def _real_onnx_that_is_not_asr() -> Path:
    """A real ONNX model that is not a speech recognizer: the silero VAD faster-whisper ships."""
    import faster_whisper

    found = sorted((Path(faster_whisper.__file__).parent / "assets").glob("silero_vad*.onnx"))
    assert found
    return found[0]


def _folder(root: Path, name: str, files: dict[str, bytes | Path]) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    for fname, content in files.items():
        (folder / fname).write_bytes(content.read_bytes() if isinstance(content, Path) else content)
    return folder


def test_a_model_folder_is_checked_for_what_its_type_needs(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFound, match=r"needs a model folder: set speech\.model_<lang>"):
        find_sherpa_model("")
    with pytest.raises(ModelNotFound, match="does not exist"):
        find_sherpa_model(str(tmp_path / "nowhere"))
    bare = _folder(tmp_path, SENSE_VOICE, {})
    with pytest.raises(ModelNotFound) as err:
        find_sherpa_model(str(bare))
    assert "sense_voice model folder" in str(err.value)
    assert "lacks model.int8.onnx or model.onnx and tokens.txt" in str(err.value)
    no_tokens = _folder(tmp_path, "sherpa-onnx-paraformer-zh-2023-09-14", {"model.onnx": b"x" * 10})
    with pytest.raises(ModelNotFound, match=r"paraformer model folder .* lacks tokens\.txt"):
        find_sherpa_model(str(no_tokens))
    unnamed = _folder(tmp_path, "my-model", {"model.onnx": b"x", "tokens.txt": b"a 0\n"})
    with pytest.raises(ModelNotFound, match=r'set speech\.sherpa_model_type = "sense_voice" or "paraformer"'):
        find_sherpa_model(str(unnamed))
    assert find_sherpa_model(str(unnamed), "paraformer").model_type == "paraformer"
    both = _folder(
        tmp_path, "SenseVoiceSmall", {"model.onnx": b"x", "model.int8.onnx": b"y", "tokens.txt": b"a 0\n"}
    )
    found = find_sherpa_model(str(both))
    assert (found.model_type, found.model.name, found.tokens.name) == (
        "sense_voice",
        "model.int8.onnx",
        "tokens.txt",
    )


@pytest.mark.slow  # loads sherpa-onnx in child processes
def test_sherpa_onnx_errors_become_engine_errors_and_the_process_survives(tmp_path: Path) -> None:
    garbage = _folder(
        tmp_path, SENSE_VOICE, {"model.int8.onnx": b"\x08\x01junk" * 50, "tokens.txt": b"a 0\n"}
    )
    with pytest.raises(EngineError, match="Protobuf parsing failed"):
        probe(find_sherpa_model(str(garbage)))
    # A valid ONNX file without a recognizer's metadata: sherpa-onnx exits the process (255)...
    vad = _folder(
        tmp_path, "paraformer-vad", {"model.onnx": _real_onnx_that_is_not_asr(), "tokens.txt": b"a 0\n"}
    )
    with pytest.raises(EngineError) as err:
        probe(find_sherpa_model(str(vad)))
    assert "'vocab_size' does not exist in the metadata" in str(err.value)
    assert "as a paraformer model" in str(err.value)
    assert "speech.sherpa_model_type" in str(err.value)
    # ...and loading the engine the worker's way gives the same error, not a dead worker.
    with pytest.raises(EngineError, match="vocab_size"):
        load_engine("sherpa-onnx", "zh", str(vad))


@pytest.mark.slow  # loads sherpa-onnx in child processes
def test_configured_by_settings(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "asr", {"model.onnx": b"x", "tokens.txt": b"a 0\n"})
    config = SpeechConfig.from_settings(
        {"engine_zh": "sherpa-onnx", "model_zh": str(folder), "sherpa_model_type": "sense_voice"}
    )
    assert config.engine_for("zh") == ("sherpa-onnx", str(folder))
    with pytest.raises(EngineError, match="as a sense_voice model"):  # the type came from the setting
        engine_for("zh", config)
    with pytest.raises(ModelNotFound, match="needs a model folder"):
        engine_for("zh", SpeechConfig.from_settings({"engine_zh": "sherpa-onnx"}))


@pytest.mark.slow  # loads sherpa-onnx in child processes
def test_doctor_says_what_is_wrong_and_how_to_fix_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    version = importlib.metadata.version("sherpa-onnx")
    missing = tmp_path / "sherpa-onnx-paraformer-zh-2023-09-14"
    (tmp_path / "callwarden.toml").write_text(
        f'[speech]\nengine_zh = "sherpa-onnx"\nmodel_zh = "{missing}"\n'
    )
    assert main(["doctor", "--data-dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"[ok  ] speech zh: sherpa-onnx {version} installed" in out
    assert f"[FAIL] speech zh: sherpa-onnx: the sherpa-onnx model folder {missing} does not exist" in out
    assert (
        "fix: install sherpa-onnx (.venv/bin/pip install 'callwarden[sherpa]') and unpack a SenseVoice" in out
    )

    _folder(tmp_path, missing.name, {"model.onnx": _real_onnx_that_is_not_asr(), "tokens.txt": b"a 0\n"})
    checks = speech_checks(SpeechConfig.from_settings({"engine_zh": "sherpa-onnx", "model_zh": str(missing)}))
    zh = [c for c in checks if c[1].startswith("speech zh")]
    assert zh[0] == (True, f"speech zh: sherpa-onnx {version} installed", "")
    ok, what, fix = zh[1]
    assert ok is False
    assert "cannot load" in what
    assert "vocab_size" in what
    assert "docs/speech.md" in fix


def test_tokens_become_timed_words() -> None:
    """How a recognizer's tokens and their start times become words (our code, not the model)."""
    words = tokens_to_words(
        ["欢", "迎", "▁hello", "▁wor", "ld", "。"], [0.0, 0.2, 0.5, 0.9, 1.1, 1.3], 10.0, 11.6
    )
    assert [(w.w, w.start, w.end) for w in words] == [
        ("欢", 10.0, 10.2),
        ("迎", 10.2, 10.5),
        ("hello", 10.5, 10.9),
        ("world。", 10.9, 11.6),  # punctuation stays with its word, as Whisper writes it
    ]
    assert all(w.conf == 1.0 for w in words)  # no probabilities given: not measured
    spread = tokens_to_words(["▁안녕", "하세요", "▁고객"], [], 2.0, 5.0, [-0.1, -0.2, -0.3])
    assert [w.w for w in spread] == ["안녕하세요", "고객"]  # Hangul words keep their syllables together
    assert [(w.start, w.end) for w in spread] == [(2.0, 4.0), (4.0, 5.0)]
    assert 0.8 < spread[0].conf < 0.9
    assert tokens_to_words([], [], 0.0, 1.0) == []
