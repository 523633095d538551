"""speech.audio: every supported format decodes to 16-bit PCM at the engine's rate; µ-law and
A-law are decoded properly; channels split; bad input fails with ffmpeg's message."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from speech.audio import AudioDecodeError, decode
from tests.speech.conftest import duration, ffmpeg, make_call

FORMATS = [
    pytest.param("pcm16k.wav", ("-ar", "16000", "-acodec", "pcm_s16le"), id="wav-pcm-16k"),
    pytest.param("pcm8k.wav", ("-ar", "8000", "-acodec", "pcm_s16le"), id="wav-pcm-8k"),
    pytest.param("mulaw8k.wav", ("-ar", "8000", "-acodec", "pcm_mulaw"), id="wav-mulaw-8k"),
    pytest.param("mulaw16k.wav", ("-ar", "16000", "-acodec", "pcm_mulaw"), id="wav-mulaw-16k"),
    pytest.param("alaw8k.wav", ("-ar", "8000", "-acodec", "pcm_alaw"), id="wav-alaw-8k"),
    pytest.param("alaw16k.wav", ("-ar", "16000", "-acodec", "pcm_alaw"), id="wav-alaw-16k"),
    pytest.param("gsm.wav", ("-ar", "8000", "-acodec", "gsm_ms"), id="wav-gsm610"),
    pytest.param("raw.gsm", ("-ar", "8000", "-f", "gsm"), id="gsm"),
    pytest.param("speech.mp3", ("-acodec", "libmp3lame"), id="mp3"),
    pytest.param("speech.ogg", ("-acodec", "libvorbis"), id="ogg-vorbis"),
    pytest.param("speech.opus", ("-acodec", "libopus"), id="ogg-opus"),
    pytest.param("speech.flac", ("-acodec", "flac"), id="flac"),
]


def _samples(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype=np.int16).astype(np.float64)


@pytest.mark.parametrize(("name", "args"), FORMATS)
def test_format_decodes_to_16_bit_at_the_engine_rate(
    english_clip: Path, tmp_path: Path, name: str, args: tuple[str, ...]
) -> None:
    path = tmp_path / name
    ffmpeg("-i", str(english_clip), "-ac", "1", *args, str(path))
    audio = decode(path, rate=16000)
    assert audio.rate == 16000
    assert [c.name for c in audio.channels] == ["mono"]
    assert audio.duration == pytest.approx(duration(english_clip), abs=0.12)
    samples = _samples(audio.channels[0].pcm)
    assert np.abs(samples).max() > 3000  # real 16-bit amplitudes, not 8-bit values


@pytest.mark.parametrize("codec", ["pcm_mulaw", "pcm_alaw"])
def test_companded_8k_wav_matches_the_linear_original(english_clip: Path, tmp_path: Path, codec: str) -> None:
    """µ-law/A-law must come out as 16-bit linear samples (an 8-bit read tripled Whisper's WER)."""
    linear = tmp_path / "linear.wav"
    companded = tmp_path / f"{codec}.wav"
    ffmpeg("-i", str(english_clip), "-ac", "1", "-ar", "8000", "-acodec", "pcm_s16le", str(linear))
    ffmpeg("-i", str(linear), "-acodec", codec, str(companded))
    ref = _samples(decode(linear, rate=8000).channels[0].pcm)
    got = _samples(decode(companded, rate=8000).channels[0].pcm)
    assert len(got) == len(ref)
    snr_db = 10 * np.log10(np.sum(ref**2) / np.sum((ref - got) ** 2))
    assert snr_db > 30, f"µ-law/A-law decoded with SNR {snr_db:.1f} dB (expected ~38 dB)"


def test_resamples_to_the_requested_rate(english_clip: Path) -> None:
    a16 = decode(english_clip, rate=16000)
    a8 = decode(english_clip, rate=8000)
    assert a16.channels[0].samples() == pytest.approx(2 * a8.channels[0].samples(), abs=4)
    assert a8.duration == pytest.approx(a16.duration, abs=0.01)


def test_stereo_is_two_channels_left_then_right(speech_dir: Path) -> None:
    call = make_call(
        speech_dir, "stereo", [(0.2, "left side talking")], [(1.5, "right side answers")], total=4
    )
    audio = decode(call.path, rate=16000)
    assert [c.name for c in audio.channels] == ["left", "right"]
    left, right = (_samples(c.pcm) for c in audio.channels)
    assert len(left) == len(right) == pytest.approx(4 * 16000, abs=2)
    # Speech on the left starts at 0.2 s, on the right at 1.5 s: the right is silent before.
    assert np.abs(right[: int(1.4 * 16000)]).max() < 50
    assert np.abs(left[int(0.3 * 16000) : int(1.0 * 16000)]).max() > 1000


def test_identical_stereo_channels_are_one_mixed_speaker(english_clip: Path, tmp_path: Path) -> None:
    path = tmp_path / "dual-mono.wav"
    ffmpeg("-i", str(english_clip), "-ac", "2", "-ar", "8000", "-acodec", "pcm_mulaw", str(path))
    audio = decode(path)
    assert [c.name for c in audio.channels] == ["mono"]
    assert audio.source_channels == 2


def test_bytes_decode_like_the_file(english_clip: Path, tmp_path: Path) -> None:
    path = tmp_path / "speech.mp3"
    ffmpeg("-i", str(english_clip), str(path))
    assert decode(path.read_bytes()).channels == decode(path).channels


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"this is not audio at all\n" * 20, "Invalid data found", id="garbage"),
        pytest.param(
            b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00", "cannot decode", id="truncated-wav-header"
        ),
        pytest.param(b"", "empty recording", id="empty"),
    ],
)
def test_corrupt_audio_raises_with_the_decoder_message(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    with pytest.raises(AudioDecodeError) as err:
        decode(path)
    assert message in str(err.value)
    if content:
        assert err.value.detail  # ffmpeg's own words are kept for the job's error
        assert str(tmp_path) not in f"{err.value} {err.value.detail}"  # but not the work dir's path


def test_a_file_without_audio_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "picture.png"
    ffmpeg("-f", "lavfi", "-i", "color=c=red:s=16x16", "-frames:v", "1", str(path))
    with pytest.raises(AudioDecodeError) as err:
        decode(path)
    assert "matches no streams" in str(err.value)


def test_more_than_two_channels_is_refused(english_clip: Path, tmp_path: Path) -> None:
    path = tmp_path / "surround.wav"
    ffmpeg("-i", str(english_clip), "-i", str(english_clip), "-i", str(english_clip), "-filter_complex",
           "[0:a][1:a][2:a]join=inputs=3:channel_layout=3.0[a]", "-map", "[a]", str(path))  # fmt: skip
    with pytest.raises(AudioDecodeError, match="3-channel audio is not supported"):
        decode(path)


def test_missing_file_and_bad_rate(tmp_path: Path) -> None:
    with pytest.raises(AudioDecodeError, match="no such recording file"):
        decode(tmp_path / "nope.wav")
    with pytest.raises(ValueError, match="rate"):
        decode(b"x", rate=100)


def test_a_header_claiming_hours_is_refused_as_it_decodes(tmp_path: Path) -> None:
    """100 KB of WAV whose header says 1 Hz (25,000 s, 7 h) decoded towards 8 GB in a worker
    (a probe, 2026-12-07): the decoded audio a file may yield is bounded by its size."""
    fmt = struct.pack("<HHIIHH", 1, 2, 1, 4, 4, 16)  # PCM, 2 channels, 1 Hz, 16-bit
    header = (
        b"RIFF" + struct.pack("<I", 0xFFFFFFF0) + b"WAVEfmt " + struct.pack("<I", 16) + fmt
        + b"data" + struct.pack("<I", 0xFFFFFFE0)
    )  # fmt: skip
    path = tmp_path / "claims-hours.wav"
    path.write_bytes(header + b"\x01\x02" * 50_000)
    with pytest.raises(AudioDecodeError, match="more audio than a file of its size"):
        decode(path)


def test_decoding_past_its_timeout_is_refused(english_clip: Path) -> None:
    with pytest.raises(AudioDecodeError, match="decoding took longer than"):
        decode(english_clip, timeout=0.001)
