"""Training the shared network (`policies.semantic.network`) with torch: training only.

One hidden layer of ReLU units over the regressions' embedding features and a one-hot of the
language; one sigmoid output per category, each category's loss counted only on the rows that
can carry it (by speaker and audience) and weighted as the regressions weigh the rows (ASR-like
variants at half weight). Dropout on the input and the hidden layer, AdamW, a fixed seed and
thread count: the same rows give the same network on one machine.

With `members` > 1 that many networks are trained from different seeds and stored as one wider
network whose output is the mean of theirs (their hidden units side by side, the second layer
divided by the count): an ensemble the run time scores as a single network.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from policies.semantic.categories import categories_for
from policies.semantic.network import SharedNetwork
from speech.semantic.corpus import Line

__all__ = ["NetworkOptions", "fit_network"]


@dataclass(frozen=True)
class NetworkOptions:
    hidden: int = 256
    epochs: int = 6
    batch: int = 256
    learning_rate: float = 1e-3
    weight_decay: float = 1e-4
    input_dropout: float = 0.1
    hidden_dropout: float = 0.2
    seed: int = 13
    threads: int = 2
    members: int = 1


def fit_network(
    features: npt.NDArray[np.float32],
    lines: Sequence[Line],
    weights: npt.NDArray[np.float64],
    languages: Sequence[str],
    options: NetworkOptions,
) -> SharedNetwork:
    """The network fitted on the rows (`features` as the regressions read them, the line each row
    stands for, its weight). Its first layer is rounded to half precision, as the head file
    stores it, so the trainer's logits are the run-time ones."""
    torch: Any = importlib.import_module("torch")  # untyped here: torch is a training-only extra
    torch.set_num_threads(options.threads)
    categories = sorted({c for ln in lines for c in categories_for(ln.speaker, ln.audience)})
    onehot = np.zeros((len(lines), len(languages)), dtype=np.float32)
    for i, ln in enumerate(lines):
        onehot[i, list(languages).index(ln.lang)] = 1.0
    x = np.hstack([np.asarray(features, dtype=np.float32), onehot])
    # The embedding numbers are standardised; the flags (audience, language) are read as they are.
    flags = 1 + len(languages)
    shift = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    shift[-flags:], scale[-flags:] = 0.0, 1.0
    gold = np.array([[c in ln.labels for c in categories] for ln in lines], dtype=np.float32)
    applies = np.array(
        [[c in categories_for(ln.speaker, ln.audience) for c in categories] for ln in lines], dtype=np.float32
    )
    xs = torch.tensor((x - shift) / scale)
    ys = torch.tensor(gold)
    ms = torch.tensor(applies * np.asarray(weights, dtype=np.float32)[:, None])
    fitted = [
        _fit_member(torch, xs, ys, ms, len(categories), options, options.seed + m)
        for m in range(options.members)
    ]
    return SharedNetwork(
        languages=tuple(languages),
        categories=tuple(categories),
        shift=shift.astype(np.float32),
        scale=scale.astype(np.float32),
        w1=np.hstack([f[0] for f in fitted]).astype(np.float16).astype(np.float32),
        b1=np.concatenate([f[1] for f in fitted]).astype(np.float32),
        w2=np.ascontiguousarray(np.vstack([f[2] for f in fitted]) / len(fitted), dtype=np.float32),
        b2=(np.mean([f[3] for f in fitted], axis=0)).astype(np.float32),
    )


def _fit_member(
    torch: Any, xs: Any, ys: Any, ms: Any, outputs: int, options: NetworkOptions, seed: int
) -> tuple[npt.NDArray[np.float32], ...]:
    """One network from `seed`: (w1, b1, w2, b2) with w1 as inputs × hidden."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    net = torch.nn.Sequential(
        torch.nn.Dropout(options.input_dropout),
        torch.nn.Linear(xs.shape[1], options.hidden),
        torch.nn.ReLU(),
        torch.nn.Dropout(options.hidden_dropout),
        torch.nn.Linear(options.hidden, outputs),
    )
    opt = torch.optim.AdamW(net.parameters(), lr=options.learning_rate, weight_decay=options.weight_decay)
    loss_of = torch.nn.functional.binary_cross_entropy_with_logits
    n = xs.shape[0]
    net.train()
    for _ in range(options.epochs):
        order = torch.tensor(rng.permutation(n))
        for start in range(0, n, options.batch):
            idx = order[start : start + options.batch]
            mask = ms[idx]
            loss = (loss_of(net(xs[idx]), ys[idx], reduction="none") * mask).sum() / mask.sum().clamp(min=1.0)
            opt.zero_grad()
            loss.backward()
            opt.step()
    first, second = net[1], net[4]
    return (
        first.weight.detach().numpy().T,
        first.bias.detach().numpy(),
        second.weight.detach().numpy().T,
        second.bias.detach().numpy(),
    )
