"""The shared network: one hidden layer over every language's embedding features. Pure (numpy).

    net = SharedNetwork.parse(doc["network"], width)
    z = net.logits(x, "zh")  # (n, len(net.categories)): one logit per category

A head file may hold one (`callwarden lexicon train --network-hidden N`). Its input is a line's
embedding features as the regressions read them (e5, the second encoder, the tapped layer, "the
audience is a third party") followed by a one-hot of the line's language, standardised by the
stored shift and scale; a ReLU layer of `hidden` units; one output per category. It is trained
on every language's lines at once, each category's loss only on lines that can carry it, so the
categories and languages share what the hidden layer learns. Where a head file has one, a
category's embedding voice is the mean of its regression's logit and the network's
(`policies.semantic.heads`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from policies.lexicon import LEXICON_CATEGORIES
from policies.semantic.codec import decode_vector, encode_half, encode_vector

__all__ = ["SharedNetwork"]

MAX_HIDDEN = 4096


@dataclass(frozen=True)
class SharedNetwork:
    languages: tuple[str, ...]
    categories: tuple[str, ...]
    shift: npt.NDArray[np.float32]  # (inputs,): subtracted from the input ...
    scale: npt.NDArray[np.float32]  # ... then divided by this
    w1: npt.NDArray[np.float32]  # (inputs, hidden)
    b1: npt.NDArray[np.float32]  # (hidden,)
    w2: npt.NDArray[np.float32]  # (hidden, categories)
    b2: npt.NDArray[np.float32]  # (categories,)

    def logits(self, x: npt.NDArray[np.float32], language: str) -> npt.NDArray[np.float64]:
        """Each row's logit per category (columns in `categories` order), for lines in `language`."""
        onehot = np.zeros((x.shape[0], len(self.languages)), dtype=np.float32)
        onehot[:, self.languages.index(language)] = 1.0
        h = (np.hstack([np.asarray(x, dtype=np.float32), onehot]) - self.shift) / self.scale
        hidden = np.maximum(h @ self.w1 + self.b1, 0.0)
        return (hidden @ self.w2 + self.b2).astype(np.float64)

    def by_category(self, x: npt.NDArray[np.float32], language: str) -> dict[str, npt.NDArray[np.float64]]:
        """`logits` as {category: each row's logit}."""
        z = self.logits(x, language)
        return {c: z[:, j] for j, c in enumerate(self.categories)}

    def as_json(self) -> dict[str, Any]:
        return {
            "languages": list(self.languages),
            "categories": list(self.categories),
            "hidden": int(self.w1.shape[1]),
            "shift": encode_vector(self.shift),
            "scale": encode_vector(self.scale),
            "w1": encode_half(self.w1.reshape(-1)),
            "b1": encode_vector(self.b1),
            "w2": encode_vector(self.w2.reshape(-1)),
            "b2": encode_vector(self.b2),
        }

    @classmethod
    def parse(cls, body: Any, features: int) -> SharedNetwork:
        """From a head file's `network`, for `features` numbers a line (before the language's
        one-hot). `ValueError` names what is wrong."""
        if not isinstance(body, Mapping):
            raise ValueError("must be an object")
        languages = _names(body.get("languages"), "languages", "language codes")
        categories = _names(body.get("categories"), "categories", "categories")
        if not set(categories) <= set(LEXICON_CATEGORIES):
            raise ValueError(f"categories: unknown {sorted(set(categories) - set(LEXICON_CATEGORIES))}")
        hidden = body.get("hidden")
        if not isinstance(hidden, int) or isinstance(hidden, bool) or not 1 <= hidden <= MAX_HIDDEN:
            raise ValueError(f"hidden: a unit count (integer 1..{MAX_HIDDEN}) is required")
        inputs = features + len(languages)
        shapes = {
            "shift": ("<f4", (inputs,)),
            "scale": ("<f4", (inputs,)),
            "w1": ("<f2", (inputs, hidden)),
            "b1": ("<f4", (hidden,)),
            "w2": ("<f4", (hidden, len(categories))),
            "b2": ("<f4", (len(categories),)),
        }
        arrays: dict[str, npt.NDArray[np.float32]] = {}
        for key, (dtype, shape) in shapes.items():
            try:
                flat = decode_vector(str(body.get(key, "")), dtype)
            except ValueError:
                raise ValueError(f"{key}: not base64") from None
            if flat.size != int(np.prod(shape)) or not np.all(np.isfinite(flat)):
                raise ValueError(f"{key}: must be {int(np.prod(shape))} finite values")
            arrays[key] = flat.reshape(shape)
        if np.any(arrays["scale"] <= 0):
            raise ValueError("scale: every value must be above 0")
        return cls(languages, categories, **arrays)


def _names(value: Any, key: str, what: str) -> tuple[str, ...]:
    """A non-empty list of distinct non-empty strings, or `ValueError` naming `key`."""
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and v for v in value)
        or len(set(value)) != len(value)
    ):
        raise ValueError(f"{key}: a list of distinct {what} is required")
    return tuple(value)
