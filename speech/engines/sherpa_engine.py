"""The sherpa-onnx engine: SenseVoice or Paraformer model folders an operator installs.

A stronger Mandarin engine than the packaged Whisper base, by configuration
(docs/speech.md, "sherpa-onnx"):

    speech.engine_zh = "sherpa-onnx"
    speech.model_zh = "/opt/asr/sherpa-onnx-sense-voice-zh-en-ja-ko-yue-2024-07-17"
    speech.sherpa_model_type = "auto"        # or sense_voice | paraformer

No such model ships in a package the project can install, so the operator downloads one
(sherpa-onnx's release folders hold ``model.int8.onnx`` and/or ``model.onnx`` and ``tokens.txt``).
The model type is the setting, or with ``auto`` the folder's name (``sense-voice``,
``paraformer``): the two layouts are the same.

sherpa-onnx ends the whole process (status 255, no exception) when a model file lacks the
metadata its recognizer needs, for example a Paraformer loaded as SenseVoice. A worker must not
die on a configuration mistake, so the folder is first loaded in a child process (`probe`); its
message becomes an `EngineError`. Long recordings are cut at pauses with the voice-activity
detector shipped with faster-whisper (silero), at most `MAX_CHUNK_S` seconds a piece, and each
piece is decoded on its own; token times (when the model gives them) become word times.
"""

from __future__ import annotations

import importlib.util
import math
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from speech.engines.base import EngineError, EngineUnavailable, ModelNotFound, Segment, Word

__all__ = [
    "MODEL_TYPES",
    "SherpaEngine",
    "SherpaModel",
    "find_sherpa_model",
    "probe",
    "tokens_to_words",
]

RATE = 16000
MODEL_TYPES = ("sense_voice", "paraformer")
MODEL_FILES = ("model.int8.onnx", "model.onnx")  # the first present is used
TOKENS = "tokens.txt"
MAX_CHUNK_S = 20.0
PROBE_TIMEOUT_S = 300.0
_NAME_TYPES = (
    ("sense_voice", re.compile(r"sense[-_ ]?voice", re.I)),
    ("paraformer", re.compile("paraformer", re.I)),
)
_HAN = re.compile("[\u3400-\u9fff\uf900-\ufaff]")  # one word per character (Hangul words have spaces)
INSTALL_HINT = (
    "install sherpa-onnx (.venv/bin/pip install 'callwarden[sherpa]') and unpack a SenseVoice or "
    "Paraformer model folder, then set speech.model_<lang> to it (docs/speech.md, sherpa-onnx)"
)


@dataclass(frozen=True)
class SherpaModel:
    folder: Path
    model_type: str  # sense_voice | paraformer
    model: Path  # the .onnx file used
    tokens: Path


def find_sherpa_model(folder: str, model_type: str = "auto") -> SherpaModel:
    """Check that `folder` has what its model type needs; `ModelNotFound` says what is missing."""
    if not folder:
        raise ModelNotFound(
            "the sherpa-onnx engine needs a model folder: set speech.model_<lang> to an unpacked "
            "SenseVoice or Paraformer folder (docs/speech.md, sherpa-onnx)",
            ("speech.model_<lang>",),
        )
    path = Path(folder).expanduser()
    if not path.is_dir():
        raise ModelNotFound(f"the sherpa-onnx model folder {path} does not exist", (str(path),))
    if model_type == "auto":
        model_type = next((t for t, rx in _NAME_TYPES if rx.search(path.name)), "")
        if not model_type:
            raise ModelNotFound(
                f"cannot tell the model type of {path} from its name (neither 'sense-voice' nor "
                '\'paraformer\' in it): set speech.sherpa_model_type = "sense_voice" or "paraformer"',
                (str(path),),
            )
    elif model_type not in MODEL_TYPES:
        raise ValueError(f"unknown sherpa-onnx model type {model_type!r} (known: {', '.join(MODEL_TYPES)})")
    missing = []
    onnx = next((path / n for n in MODEL_FILES if (path / n).is_file() and (path / n).stat().st_size), None)
    if onnx is None:
        missing.append(" or ".join(MODEL_FILES))
    tokens = path / TOKENS
    if not tokens.is_file() or not tokens.stat().st_size:
        missing.append(TOKENS)
    if missing or onnx is None:
        raise ModelNotFound(
            f"the {model_type} model folder {path} lacks {' and '.join(missing)} (a sherpa-onnx "
            f"{model_type} folder holds model.int8.onnx or model.onnx and tokens.txt)",
            (str(path),),
        )
    return SherpaModel(path, model_type, onnx, tokens)


def _recognizer(model: SherpaModel, threads: int) -> Any:
    import sherpa_onnx

    if model.model_type == "sense_voice":
        return sherpa_onnx.OfflineRecognizer.from_sense_voice(
            model=str(model.model), tokens=str(model.tokens), num_threads=threads, use_itn=True
        )
    return sherpa_onnx.OfflineRecognizer.from_paraformer(
        paraformer=str(model.model), tokens=str(model.tokens), num_threads=threads
    )


_PROBE = """
import sys
from pathlib import Path
from speech.engines.sherpa_engine import SherpaModel, _recognizer
folder, kind, onnx, tokens = sys.argv[1:5]
_recognizer(SherpaModel(Path(folder), kind, Path(onnx), Path(tokens)), 1)
print("loaded")
"""


def probe(model: SherpaModel, timeout: float = PROBE_TIMEOUT_S) -> None:
    """Load the model in a child process; `EngineError` with sherpa-onnx's message if it fails
    (sherpa-onnx exits the process on some bad models instead of raising)."""
    if importlib.util.find_spec("sherpa_onnx") is None:
        raise EngineUnavailable(f"the sherpa-onnx package is not installed; {INSTALL_HINT}")
    args = [str(model.folder), model.model_type, str(model.model), str(model.tokens)]
    try:
        done = subprocess.run(
            [sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        raise EngineError(f"sherpa-onnx took over {timeout:.0f} s to load {model.model}") from None
    if done.returncode != 0 or "loaded" not in done.stdout:
        lines = [ln for ln in (done.stderr or done.stdout).splitlines() if ln.strip()]
        detail = lines[-1].strip() if lines else f"exit status {done.returncode}"
        raise EngineError(
            f"sherpa-onnx cannot load {model.model} as a {model.model_type} model: {detail} "
            f"(check the folder and speech.sherpa_model_type)"
        )


def tokens_to_words(
    tokens: Sequence[str],
    starts: Sequence[float],
    offset: float,
    end: float,
    probs: Sequence[float] = (),
) -> list[Word]:
    """Words from the model's tokens: a Han character is a word of its own; a piece starting with
    ``▁`` (SentencePiece) starts a word; other pieces continue the word. A word lasts until the
    next one starts (the last until `end`). Times are `offset` plus the tokens' times; without
    token times (a model that gives none) the tokens are spread evenly over the piece. Confidence:
    the mean token probability where the model gives one, else 1.0 (not measured)."""
    if not tokens:
        return []
    if len(starts) != len(tokens):
        span = max(end - offset, 0.0)
        starts = [span * i / len(tokens) for i in range(len(tokens))]
    groups: list[tuple[str, float, list[float]]] = []
    for i, tok in enumerate(tokens):
        text = tok.replace("▁", " ")
        p = math.exp(probs[i]) if len(probs) == len(tokens) else 1.0
        t = offset + float(starts[i])
        new = (
            not groups
            or tok.startswith("▁")
            or bool(_HAN.match(text.strip()[:1] or " "))
            or bool(_HAN.match(groups[-1][0][-1:] or " "))
        )
        if new:
            groups.append((text.strip(), t, [p]))
        else:
            w, s, ps = groups[-1]
            groups[-1] = (w + text.strip(), s, [*ps, p])
    words: list[Word] = []
    for i, (w, s, ps) in enumerate(groups):
        if not w:
            continue
        e = groups[i + 1][1] if i + 1 < len(groups) else end
        e = max(min(e, end), s)
        words.append(Word(w, s, e, min(1.0, max(0.0, sum(ps) / len(ps)))))
    return words


class SherpaEngine:
    """A sherpa-onnx offline recognizer; `transcribe` makes one stream per speech piece."""

    name = "sherpa-onnx"
    rate = RATE

    def __init__(self, model: SherpaModel, threads: int = 1) -> None:
        probe(model)
        try:
            self._recognizer = _recognizer(model, threads)
        except Exception as exc:
            raise EngineError(f"sherpa-onnx could not load {model.model}: {exc}") from exc
        self.model = str(model.folder)
        self.model_type = model.model_type

    @classmethod
    def for_language(
        cls, language: str, configured: str = "", threads: int = 1, model_type: str = "auto"
    ) -> SherpaEngine:
        if importlib.util.find_spec("sherpa_onnx") is None:
            raise EngineUnavailable(f"the sherpa-onnx package is not installed; {INSTALL_HINT}")
        return cls(find_sherpa_model(configured, model_type), threads=threads)

    def transcribe(self, pcm: bytes, rate: int, language: str) -> list[Segment]:
        import numpy as np
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        if rate != RATE:
            raise ValueError(f"sherpa-onnx needs {RATE} Hz PCM (got {rate}); decode at engine.rate")
        audio = np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / 32768.0
        if audio.size == 0:
            return []
        pieces = get_speech_timestamps(
            audio,
            VadOptions(max_speech_duration_s=MAX_CHUNK_S, min_silence_duration_ms=500, speech_pad_ms=200),
        )
        segments: list[Segment] = []
        for piece in pieces:
            start, stop = int(piece["start"]), int(piece["end"])
            stream = self._recognizer.create_stream()
            stream.accept_waveform(RATE, audio[start:stop])
            self._recognizer.decode_stream(stream)
            result = stream.result
            words = tokens_to_words(
                list(result.tokens),
                list(result.timestamps),
                start / RATE,
                stop / RATE,
                list(getattr(result, "ys_log_probs", ()) or ()),
            )
            if words:
                segments.append(
                    Segment(words[0].start, words[-1].end, str(result.text).strip(), tuple(words))
                )
        return segments
