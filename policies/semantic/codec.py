"""How a head file stores numbers: little-endian floats in base64. Pure."""

from __future__ import annotations

import base64

import numpy as np
import numpy.typing as npt

__all__ = ["decode_vector", "encode_half", "encode_vector"]


def encode_vector(values: npt.ArrayLike) -> str:
    """float32 little-endian, base64 (how weights are stored)."""
    return base64.b64encode(np.asarray(values, dtype="<f4").tobytes()).decode("ascii")


def decode_vector(text: str, dtype: str = "<f4") -> npt.NDArray[np.float32]:
    return np.frombuffer(base64.b64decode(text, validate=True), dtype=dtype).astype(np.float32)


def encode_half(values: npt.ArrayLike) -> str:
    """float16 little-endian, base64 (the n-gram weights: many, and half precision is plenty)."""
    return base64.b64encode(np.asarray(values, dtype="<f2").tobytes()).decode("ascii")
