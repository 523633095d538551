"""Character n-gram TF-IDF features: the lexical half of the semantic heads. Pure.

    spec = NgramSpec(vocabulary=("ab", "b ", ...), idf=np.array([...]))
    cols, vals = spec.features("we will find you")     # sparse row, L2-normalised

Character n-grams (1 to 3) inside word boundaries, on the prepared, lower-cased text, survive ASR
errors that break whole words and need no word segmentation for Chinese. The same `analyze`
function feeds scikit-learn's `TfidfVectorizer` at training time (sublinear tf, smoothed idf,
L2 norm) and this numpy transform at run time, so both compute the same numbers.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from policies.semantic.text import prepare

__all__ = ["NGRAM_RANGE", "NgramSpec", "analyze"]

NGRAM_RANGE = (1, 3)


def analyze(text: str) -> list[str]:
    """The n-grams of one text: each word padded with a space, n-grams of 1-3 characters
    (scikit-learn's ``char_wb``)."""
    lo, hi = NGRAM_RANGE
    out: list[str] = []
    for word in prepare(text).lower().split():
        padded = f" {word} "
        for n in range(lo, hi + 1):
            if n > len(padded):
                break
            out.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return out


@dataclass(frozen=True)
class NgramSpec:
    vocabulary: tuple[str, ...]
    idf: npt.NDArray[np.float64]
    index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {g: i for i, g in enumerate(self.vocabulary)})

    def features(self, text: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """The text's TF-IDF row as (column indices, values)."""
        counts = Counter(g for g in analyze(text) if g in self.index)
        cols = np.fromiter((self.index[g] for g in counts), dtype=np.int64, count=len(counts))
        tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=np.float64, count=len(counts))
        vals = tf * self.idf[cols]
        norm = float(np.sqrt(np.sum(vals * vals)))
        return cols, (vals / norm if norm else vals)
