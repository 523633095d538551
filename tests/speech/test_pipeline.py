"""The whole pipeline on real English speech (espeak-ng) recorded like a call: 8 kHz µ-law
stereo, agent on the left, debtor on the right, through the default English engine (Whisper base
from PyPI)."""

from __future__ import annotations

from pathlib import Path

import pytest

from speech.audio import AudioDecodeError
from speech.engines import Engine
from speech.pipeline import process
from speech.transcript import TranscriptResult
from tests.speech.conftest import Call, make_call

THREAT = "If you do not pay today, we will break your legs."


@pytest.fixture(scope="module")
def call(speech_dir: Path) -> Call:
    return make_call(
        speech_dir,
        "threat-call",
        left=[
            (0.3, "Hello, this is Jordan calling from Redline Recovery about your account."),
            (11.0, THREAT),
        ],
        right=[(6.5, "I cannot pay anything this month. I lost my job.")],
        total=16.0,
    )


@pytest.fixture(scope="module")
def result(call: Call, whisper: Engine) -> TranscriptResult:
    return process(call.path, "en", "left", None, None, engine=whisper)


def test_threat_is_flagged_on_the_agent_channel_at_its_time(call: Call, result: TranscriptResult) -> None:
    channel, start, end = call.span("break your legs")
    threats = [f for f in result.flags if f.category == "threat_violence"]
    assert len(threats) == 1, result.text()
    (flag,) = threats
    assert (
        (flag.channel, flag.speaker, flag.severity) == (channel, "agent", "high") == ("left", "agent", "high")
    )
    assert "break your leg" in flag.match.lower()
    # "break your legs" is the end of the sentence that starts at `start`.
    assert start + 1.0 <= flag.start < flag.end <= end + 0.3, (flag, start, end)
    assert flag.rule.startswith("en/threat_violence/")
    assert flag.lexicon_version.startswith("en@")
    assert 0 < flag.confidence <= 1
    assert "legs" in flag.sentence.lower() or "leg" in flag.sentence.lower()


def test_transcript_has_both_channels_merged_by_time(call: Call, result: TranscriptResult) -> None:
    assert result.engine == "whisper"
    assert result.model.endswith("whisper-base")
    assert result.duration == pytest.approx(16.0, abs=0.05)
    assert [(c.name, c.role) for c in result.channels] == [("left", "agent"), ("right", "debtor")]
    starts = [u.start for u in result.utterances]
    assert starts == sorted(starts)
    roles = [u.role for u in result.utterances]
    assert roles.index("debtor") > roles.index("agent")  # the agent speaks first
    debtor_text = " ".join(u.text for u in result.utterances if u.role == "debtor").lower()
    assert "pay" in debtor_text
    assert "job" in debtor_text
    _, debtor_start, _ = call.span("lost my job")
    first_debtor = next(u for u in result.utterances if u.role == "debtor")
    assert first_debtor.start == pytest.approx(debtor_start, abs=0.6)
    # The debtor says nothing abusive: no violation on the right channel. (Flagger 2026.12.1
    # scored an ASR fragment there, "Love." at confidence 0.05, 0.88 as abuse_by_debtor: a
    # model-only finding on words the recogniser doubts is only `info`.)
    debtor = [f for f in result.flags if f.channel == "right"]
    assert not [f for f in debtor if f.is_violation], debtor
    assert all(f.source == "model" for f in debtor), debtor
    assert result.rtf > 0
    assert set(result.timings) == {"decode", "transcribe", "flag"}


def test_no_mini_miranda_is_a_missing_disclosure(result: TranscriptResult) -> None:
    (flag,) = [f for f in result.flags if f.category == "missing_disclosure"]
    assert (flag.channel, flag.rule, flag.start) == ("left", "en/missing_disclosure/mini-miranda", 0.0)
    assert flag.end == pytest.approx(16.0, abs=0.05)  # the call is shorter than the window


def test_agent_on_the_right_turns_the_threat_into_debtor_abuse(call: Call, whisper: Engine) -> None:
    swapped = process(call.path, "en", "right", None, None, engine=whisper)
    assert [(c.name, c.role) for c in swapped.channels] == [("left", "debtor"), ("right", "agent")]
    categories = {(f.channel, f.category) for f in swapped.flags}
    assert ("left", "abuse_by_debtor") in categories
    assert ("left", "threat_violence") not in categories


def test_card_number_read_to_a_third_party_is_masked_and_flagged(speech_dir: Path, whisper: Engine) -> None:
    call = make_call(
        speech_dir,
        "third-party",
        left=[(0.3, "Please tell him his card number is 4 1 1 1, 1 1 1 1, 1 1 1 1, 1 1 1 1.")],
        right=[],
        total=12.0,
    )
    result = process(call.path, "en", "left", None, {"left": "third_party"}, engine=whisper)
    text = result.text()
    assert "1111" not in text.replace(" ", "").replace(",", "")
    assert result.masked
    assert result.masked[0].channel == "left"
    privacy = [f for f in result.flags if f.category == "privacy_exposure"]
    assert privacy
    assert privacy[0].severity == "high"
    assert privacy[0].match.startswith("[")
    assert not [f for f in result.flags if f.category == "missing_disclosure"]  # not said to a third party
    as_dict = result.as_dict()
    assert "4111" not in str(as_dict)


def test_corrupt_audio_fails_before_the_engine(tmp_path: Path, whisper: Engine) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF....WAVEjunk" * 10)
    with pytest.raises(AudioDecodeError):
        process(bad, "en", engine=whisper)
    with pytest.raises(ValueError, match="agent_channel"):
        process(bad, "en", "centre", engine=whisper)


def test_mono_recording_is_one_mixed_speaker(speech_dir: Path, whisper: Engine) -> None:
    from tests.speech.conftest import ffmpeg, say

    clip = say("If you do not pay, we will break your legs.", speech_dir / "mono-src.wav")
    mono = speech_dir / "mono.mp3"
    ffmpeg("-i", str(clip), "-ac", "1", "-ar", "16000", str(mono))
    result = process(mono, "en", engine=whisper)
    assert [(c.name, c.role) for c in result.channels] == [("mono", "mixed")]
    # The lexicon's finding (the model agrees since flagger@2026.12.11: source "both").
    categories = {f.category for f in result.flags if f.source in ("lexicon", "both")}
    assert "threat_violence" in categories, result.text()
    assert all(f.speaker == "mixed" and f.channel == "mono" for f in result.flags)
