"""Decode a call recording into 16-bit PCM channels at the engine's sample rate.

    >>> audio = decode("call.wav", rate=16000)      # doctest: +SKIP
    >>> [(c.name, len(c.pcm)) for c in audio.channels]
    [('left', 320000), ('right', 320000)]

ffmpeg decodes everything (WAV PCM, µ-law and A-law at 8 or 16 kHz, GSM, MP3, OGG/Vorbis/Opus,
FLAC, and whatever else the installed ffmpeg reads) in one pass straight to signed 16-bit
little-endian PCM at the requested rate. Asking ffmpeg for ``pcm_s16le`` explicitly matters:
letting a reader pick the output sample format from the container decodes 8 kHz µ-law WAV to
8-bit samples, which tripled Whisper's word error rate here (docs/speech.md). The decoded samples
are held in a pydub `AudioSegment`, which splits a stereo recording into its two channels.

A stereo recording is two speakers (`left`, `right`); a mono recording, or a stereo file whose
two channels are identical (a mono call saved as stereo), is one mixed channel (`mono`).
Corrupt, empty or unsupported audio raises `AudioDecodeError` with ffmpeg's own message.

Synchronous and CPU-bound (ffmpeg runs as a child process): call it from a worker thread or
process, never on an event loop.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policies.errors import CallwardenError, SetupError

__all__ = [
    "CHANNEL_NAMES",
    "AudioDecodeError",
    "Channel",
    "DecodedAudio",
    "FfmpegNotFound",
    "decode",
    "ffmpeg_path",
    "merge_legs",
]

CHANNEL_NAMES = ("left", "right")
SAMPLE_WIDTH = 2  # bytes: signed 16-bit
DEFAULT_TIMEOUT_S = 600.0
# The most decoded audio a recording may yield per byte of its file, beyond a floor: no codec a
# PBX or carrier uses packs more than about 100 bytes of 16 kHz PCM into one byte (AMR-NB at
# 4.75 kbit/s is ~53, Opus at 6 kbit/s stereo ~85). A header that claims more (a WAV saying
# 1 Hz, found by a probe: 100 KB decoded towards 8 GB in a worker) is refused as it decodes.
MAX_EXPANSION = 256
MIN_DECODED_BYTES = 64 << 20


class AudioDecodeError(CallwardenError):
    """The recording cannot be decoded: corrupt, empty, no audio stream, or unsupported.

    `detail` is ffmpeg's own message (its last lines of stderr) when ffmpeg produced one.
    """

    status = 422
    code = "undecodable_audio"

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(f"{message}: {detail}" if detail else message)
        self.detail = detail


class FfmpegNotFound(SetupError):
    """ffmpeg is not installed: an installation problem, not a problem of the recording."""

    code = "ffmpeg_missing"


@dataclass(frozen=True)
class Channel:
    """One speaker channel: `name` is ``left``, ``right`` or ``mono``; `pcm` is s16le mono."""

    name: str
    pcm: bytes

    def samples(self) -> int:
        return len(self.pcm) // SAMPLE_WIDTH


@dataclass(frozen=True)
class DecodedAudio:
    rate: int
    channels: tuple[Channel, ...]
    source_channels: int  # channels in the file (2 for a stereo file even when folded to mono)
    decoder_messages: str = ""  # what ffmpeg reported while still decoding (e.g. a truncated file)

    @property
    def duration(self) -> float:
        """Seconds of audio (of the longest channel)."""
        return max((c.samples() for c in self.channels), default=0) / self.rate

    @property
    def is_stereo(self) -> bool:
        return len(self.channels) == 2


def ffmpeg_path() -> str | None:
    """The ffmpeg binary used (``$CALLWARDEN_FFMPEG`` or the one on PATH), None if missing."""
    configured = os.environ.get("CALLWARDEN_FFMPEG")
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("ffmpeg")


def decode(
    source: str | os.PathLike[str] | bytes,
    *,
    rate: int = 16000,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> DecodedAudio:
    """Decode a file (path) or an in-memory recording (bytes) to s16le channels at `rate` Hz."""
    if rate < 4000 or rate > 192000:
        raise ValueError(f"rate must be from 4000 to 192000 Hz (got {rate})")
    if isinstance(source, bytes):
        if not source:
            raise AudioDecodeError("empty recording (0 bytes)")
        # A temporary file rather than a pipe: some containers (MP4/M4A, some WAV writers) need
        # to seek, and ffmpeg's error messages are the same for both.
        with tempfile.NamedTemporaryFile(prefix="callwarden-audio-", suffix=".bin") as tmp:
            tmp.write(source)
            tmp.flush()
            return _decode_path(Path(tmp.name), rate, timeout)
    path = Path(source)
    if not path.is_file():
        raise AudioDecodeError(f"no such recording file: {path}")
    if path.stat().st_size == 0:
        raise AudioDecodeError(f"empty recording (0 bytes): {path}")
    return _decode_path(path, rate, timeout)


def _decode_path(path: Path, rate: int, timeout: float) -> DecodedAudio:
    ffmpeg = ffmpeg_path()
    if ffmpeg is None:
        raise FfmpegNotFound("ffmpeg not found: install it (apt-get install ffmpeg) or set CALLWARDEN_FFMPEG")
    cmd = [
        ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error",
        "-i", str(path),
        "-map", "0:a:0", "-vn",
        "-acodec", "pcm_s16le", "-ar", str(rate),
        "-f", "wav", "pipe:1",
    ]  # fmt: skip
    limit = max(path.stat().st_size * MAX_EXPANSION, MIN_DECODED_BYTES)
    returncode, out, err = _run_capped(cmd, timeout, limit)
    # ffmpeg names its input: a worker's decrypted copy in its work dir, which no job error or
    # API answer should show (found by a probe).
    message = _ffmpeg_message(err).replace(str(path), "recording")
    if returncode != 0:
        raise AudioDecodeError("cannot decode the recording", message or f"ffmpeg exit status {returncode}")
    channels, data = _parse_wav(out, message)
    if not data:
        raise AudioDecodeError("the recording holds no audio samples", message)
    return _split(data, channels, rate, message)


def _run_capped(cmd: list[str], timeout: float, limit: int) -> tuple[int, bytes, bytes]:
    """Run ffmpeg reading its output as it comes: killed past `timeout` seconds or `limit`
    bytes (AudioDecodeError), so a recording never decodes into more memory than it may."""
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err)
        assert proc.stdout is not None
        timed_out = threading.Event()

        def stop() -> None:
            timed_out.set()
            proc.kill()

        timer = threading.Timer(timeout, stop)
        timer.start()
        chunks: list[bytes] = []
        total = 0
        try:
            while chunk := proc.stdout.read(1 << 20):
                total += len(chunk)
                if total > limit:
                    raise AudioDecodeError(
                        "the recording decodes to more audio than a file of its size can hold"
                        " (a header claiming a very low sample rate or hours of audio?)"
                    )
                chunks.append(chunk)
            returncode = proc.wait()
        finally:
            timer.cancel()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
        if timed_out.is_set():
            raise AudioDecodeError(f"decoding took longer than {timeout:g} s")
        err.seek(0)
        return returncode, b"".join(chunks), err.read()


def _probe(ffmpeg: str, path: Path, timeout: float) -> tuple[float, int]:
    """(seconds, sample rate) of the first audio stream, read by ffprobe beside ffmpeg."""
    ffprobe = str(Path(ffmpeg).with_name("ffprobe"))
    if not Path(ffprobe).exists():
        ffprobe = shutil.which("ffprobe") or "ffprobe"
    cmd = [
        ffprobe, "-v", "error", "-select_streams", "a:0",
        "-show_entries", "stream=sample_rate:format=duration", "-of", "default=noprint_wrappers=1",
        str(path),
    ]  # fmt: skip
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AudioDecodeError(f"cannot read {path.name}", str(exc)) from None
    fields = dict(
        line.split("=", 1) for line in proc.stdout.decode("ascii", "replace").splitlines() if "=" in line
    )
    try:
        return float(fields["duration"]), int(fields["sample_rate"])
    except (KeyError, ValueError):
        raise AudioDecodeError(f"cannot read {path.name}", _ffmpeg_message(proc.stderr)) from None


def merge_legs(
    left: str | os.PathLike[str],
    right: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> float:
    """Merge two one-sided recordings of a call (Asterisk MixMonitor's `r()` and `t()` files) into
    one stereo 16-bit WAV: `left` on the left channel, `right` on the right, each folded to mono,
    at the left leg's sample rate, the shorter one padded with silence. Returns the seconds."""
    ffmpeg = ffmpeg_path()
    if ffmpeg is None:
        raise FfmpegNotFound("ffmpeg not found: install it (apt-get install ffmpeg) or set CALLWARDEN_FFMPEG")
    legs = [Path(left), Path(right)]
    for leg in legs:
        if not leg.is_file() or leg.stat().st_size == 0:
            raise AudioDecodeError(f"no recording in {leg}")
    (dur_l, rate), (dur_r, _) = (_probe(ffmpeg, leg, timeout) for leg in legs)
    seconds = max(dur_l, dur_r)
    graph = (
        f"[0:a]aformat=channel_layouts=mono,aresample={rate},apad[l];"
        f"[1:a]aformat=channel_layouts=mono,aresample={rate},apad[r];"
        "[l][r]join=inputs=2:channel_layout=stereo:map=0.0-FL|1.0-FR[a]"
    )
    cmd = [
        ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
        "-i", str(legs[0]), "-i", str(legs[1]),
        "-filter_complex", graph, "-map", "[a]", "-t", f"{seconds:.3f}",
        "-c:a", "pcm_s16le", "-f", "wav", str(out),
    ]  # fmt: skip
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise AudioDecodeError(f"merging took longer than {timeout:g} s") from None
    if proc.returncode != 0:
        raise AudioDecodeError("cannot merge the two legs", _ffmpeg_message(proc.stderr))
    return seconds


def _ffmpeg_message(stderr: bytes, lines: int = 4) -> str:
    text = stderr.decode("utf-8", errors="replace").strip()
    return " | ".join(line.strip() for line in text.splitlines()[-lines:] if line.strip())


def _parse_wav(blob: bytes, message: str) -> tuple[int, bytes]:
    """(channels, sample data) of the WAV ffmpeg wrote to a pipe (its sizes may be unset)."""
    if len(blob) < 12 or blob[:4] != b"RIFF" or blob[8:12] != b"WAVE":
        raise AudioDecodeError("the decoder produced no audio", message)
    pos = 12
    channels = 0
    while pos + 8 <= len(blob):
        chunk_id = blob[pos : pos + 4]
        (size,) = struct.unpack_from("<I", blob, pos + 4)
        body = pos + 8
        if chunk_id == b"fmt ":
            fmt_tag, channels, _, _, _, bits = struct.unpack_from("<HHIIHH", blob, body)
            if bits != 16 or fmt_tag not in (1, 0xFFFE):
                raise AudioDecodeError(f"unexpected decoder output format (tag {fmt_tag}, {bits} bits)")
        elif chunk_id == b"data":
            if channels == 0:
                break
            end = len(blob) if size in (0, 0xFFFFFFFF) or body + size > len(blob) else body + size
            frame = channels * SAMPLE_WIDTH
            end -= (end - body) % frame
            return channels, blob[body:end]
        pos = body + size + (size & 1)
    raise AudioDecodeError("the decoder produced no audio", message)


def _split(data: bytes, channels: int, rate: int, message: str) -> DecodedAudio:
    if channels == 1:
        return DecodedAudio(rate, (Channel("mono", data),), 1, message)
    if channels != 2:
        raise AudioDecodeError(
            f"{channels}-channel audio is not supported (mono = one mixed speaker, stereo = agent + debtor)"
        )
    left, right = (seg.raw_data for seg in _segment(data, channels, rate).split_to_mono())
    if left == right:
        return DecodedAudio(rate, (Channel("mono", left),), 2, message)
    return DecodedAudio(rate, (Channel("left", left), Channel("right", right)), 2, message)


def _segment(data: bytes, channels: int, rate: int) -> Any:
    with warnings.catch_warnings():
        # pydub imports the stdlib `audioop` (deprecated in 3.11, replaced by audioop-lts on 3.13+)
        # and warns when ffmpeg is not on PATH; neither concerns already-decoded samples.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        from pydub import AudioSegment

    return AudioSegment(data=data, sample_width=SAMPLE_WIDTH, frame_rate=rate, channels=channels)
