"""What every speech engine shares: the `Engine` protocol, words and segments, and errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from policies.errors import SetupError

__all__ = ["ENGINES", "Engine", "EngineError", "EngineUnavailable", "ModelNotFound", "Segment", "Word"]

ENGINES = ("vosk", "whisper", "sherpa-onnx")


class EngineError(SetupError):
    """An engine cannot be used as configured (base class)."""

    code = "engine_error"


class EngineUnavailable(EngineError):
    """The engine's Python package is not installed."""


class ModelNotFound(EngineError):
    """No model for the language: the message names every place looked at and how to install one."""

    def __init__(self, message: str, looked_at: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.looked_at = looked_at


@dataclass(frozen=True)
class Word:
    w: str
    start: float  # seconds from the start of the channel
    end: float
    conf: float  # 0..1 (vosk: word posterior; whisper: token probability)

    def as_dict(self) -> dict[str, object]:
        return {
            "w": self.w,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "conf": round(self.conf, 3),
        }


@dataclass(frozen=True)
class Segment:
    """A stretch of speech the engine returned in one piece (vosk: up to a pause; whisper: a
    sentence or so)."""

    start: float
    end: float
    text: str
    words: tuple[Word, ...] = field(default=())

    @property
    def confidence(self) -> float:
        return sum(w.conf for w in self.words) / len(self.words) if self.words else 0.0


class Engine(Protocol):
    name: str  # "vosk" | "whisper"
    model: str  # where the model was loaded from (a path), for the record
    rate: int  # the sample rate it wants PCM at

    def transcribe(self, pcm: bytes, rate: int, language: str) -> list[Segment]:
        """Transcribe s16le mono PCM at `rate` Hz; segments in time order with word timings."""
        ...
