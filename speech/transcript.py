"""What the pipeline returns for one recording: masked utterances merged by time, and flags.

Every value is plain data (frozen dataclasses, `as_dict()` for JSON) so that a worker can store
it and the review API can serve it without knowing how it was made.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from speech.engines import Word

__all__ = ["ChannelInfo", "Flag", "MaskedNumber", "TranscriptResult", "Utterance", "format_time"]


def format_time(seconds: float) -> str:
    """``83.4`` → ``01:23.4``."""
    minutes, secs = divmod(max(0.0, seconds), 60)
    return f"{int(minutes):02d}:{secs:04.1f}"


@dataclass(frozen=True)
class ChannelInfo:
    name: str  # left | right | mono
    role: str  # agent | debtor | mixed
    audience: str  # who hears this channel's speech: debtor | third_party
    words: int


@dataclass(frozen=True)
class Utterance:
    """One engine segment of one channel, numbers masked."""

    channel: str
    role: str
    start: float
    end: float
    text: str
    words: tuple[Word, ...]

    @property
    def confidence(self) -> float:
        return sum(w.conf for w in self.words) / len(self.words) if self.words else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "channel": self.channel,
            "role": self.role,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "text": self.text,
            "confidence": round(self.confidence, 3),
            "words": [w.as_dict() for w in self.words],
        }


@dataclass(frozen=True)
class Flag:
    """A moment for the inspector: `start`/`end` are seconds into the recording.

    `severity` ``info`` marks something to verify; any other severity is a violation.
    `source`: ``lexicon`` (the shared matcher), ``model`` (the semantic model alone; the flag
    spans its utterance, or the window of a long one that raised it), ``both`` (lexicon and
    model agree), ``privacy`` (a number read to a third party) or ``disclosure`` (a required
    phrase not said in time). `model_score` is the model's calibrated probability for the
    category (None when it did not score the utterance) and `model_version` the head file's tag
    (``flagger@<version>``).
    """

    category: str
    severity: str
    match: str
    sentence: str
    start: float
    end: float
    channel: str
    speaker: str
    rule: str
    lexicon_version: str
    confidence: float  # mean ASR confidence of the words matched (1.0 when no words: disclosure)
    source: str = "lexicon"
    model_score: float | None = None
    model_version: str | None = None

    @property
    def is_violation(self) -> bool:
        return self.severity != "info"

    def as_dict(self) -> dict[str, object]:
        return {
            "category": self.category,
            "severity": self.severity,
            "match": self.match,
            "sentence": self.sentence,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "channel": self.channel,
            "speaker": self.speaker,
            "rule": self.rule,
            "lexicon_version": self.lexicon_version,
            "confidence": round(self.confidence, 3),
            "source": self.source,
            "model_score": None if self.model_score is None else round(self.model_score, 4),
            "model_version": self.model_version,
        }


@dataclass(frozen=True)
class MaskedNumber:
    channel: str
    kind: str  # national_id | bank_card | phone | number
    start: float
    end: float

    def as_dict(self) -> dict[str, object]:
        return {
            "channel": self.channel,
            "kind": self.kind,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
        }


@dataclass(frozen=True)
class TranscriptResult:
    language: str
    engine: str
    model: str
    duration: float  # seconds of audio
    channels: tuple[ChannelInfo, ...]
    utterances: tuple[Utterance, ...]  # all channels, ordered by start time
    flags: tuple[Flag, ...]  # ordered by start time
    masked: tuple[MaskedNumber, ...]
    lexicon_versions: tuple[str, ...]
    timings: dict[str, float] = field(default_factory=dict)  # seconds: decode, transcribe, flag
    warnings: tuple[str, ...] = ()

    @property
    def rtf(self) -> float:
        """Real-time factor: processing seconds per second of audio."""
        return sum(self.timings.values()) / self.duration if self.duration else 0.0

    @property
    def violations(self) -> tuple[Flag, ...]:
        return tuple(f for f in self.flags if f.is_violation)

    def text(self) -> str:
        """The transcript as lines ``[mm:ss.s] role: text``."""
        return "\n".join(f"[{format_time(u.start)}] {u.role}: {u.text}" for u in self.utterances)

    def as_dict(self) -> dict[str, object]:
        return {
            "language": self.language,
            "engine": self.engine,
            "model": self.model,
            "duration": round(self.duration, 3),
            "rtf": round(self.rtf, 4),
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            "lexicon_versions": list(self.lexicon_versions),
            "channels": [vars(c) for c in self.channels],
            "utterances": [u.as_dict() for u in self.utterances],
            "flags": [f.as_dict() for f in self.flags],
            "masked": [m.as_dict() for m in self.masked],
            "warnings": list(self.warnings),
        }
