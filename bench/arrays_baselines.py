"""Baselines for bench_arrays.py: the same maths as the array engine, written by hand.

`perceptron [numpy|torch]`: one SGD step of problems/perceptron_192_32_50.yaml (192-32-50, sigmoid,
softmax, cross-entropy averaged over the batch of 16, η = 0.1), its weights drawn as that file's
init draws them (NumPy's default generator, seed 0, uniform ±1/√fan_in, W then b, layer by layer),
printing every quantity's array as JSON, as `solve -f json` does; `torch` takes the gradients from
autograd (float64, one thread). `digits EPOCHS`: the 64-32-10 sigmoid/softmax MLP over the 1,797
UCI digits in mini-batches of 32 with SGD (η = 0.5), the loss over the data set after each epoch,
as the engine reports it; prints the last loss.
Run: python bench/arrays_baselines.py perceptron numpy | torch; python bench/arrays_baselines.py digits 100
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent.parent / "problems" / "data"


def layers(sizes: list[int], seed: int) -> list[np.ndarray]:
    rng, out = np.random.default_rng(seed), []
    for fan_in, units in itertools.pairwise(sizes):
        bound = 1 / np.sqrt(fan_in)
        out += [rng.uniform(-bound, bound, (units, fan_in)), rng.uniform(-bound, bound, units)]
    return out


def onehot(labels: np.ndarray, k: int) -> np.ndarray:
    t = np.zeros((k, labels.size))
    t[labels.astype(int), np.arange(labels.size)] = 1.0
    return t


def forward(W1, b1, W2, b2, x):  # type: ignore[no-untyped-def]
    z1 = W1 @ x + b1[:, None]
    a1 = 1 / (1 + np.exp(-z1))
    z2 = W2 @ a1 + b2[:, None]
    e = np.exp(z2 - z2.max(axis=0))
    return z1, a1, z2, e / e.sum(axis=0)


def perceptron_numpy() -> dict[str, np.ndarray]:
    d = np.load(DATA / "perceptron_192_32_50.npz")
    x, t = d["x"].T, onehot(d["labels"], 50)
    W1, b1, W2, b2 = layers([192, 32, 50], 0)
    m, eta = x.shape[1], 0.1
    z1, a1, z2, a2 = forward(W1, b1, W2, b2, x)
    E = -(t * np.log(a2)).sum(axis=0).mean()
    d2 = a2 - t
    d1 = (W2.T @ d2) * a1 * (1 - a1)
    g = {"W2": d2 @ a1.T / m, "b2": d2.sum(axis=1) / m, "W1": d1 @ x.T / m, "b1": d1.sum(axis=1) / m}
    new = {f"{p}+": v - eta * g[p] for p, v in zip(("W1", "b1", "W2", "b2"), (W1, b1, W2, b2), strict=True)}
    g = {f"dE/d{p}": v for p, v in g.items()}
    return {
        "z1": z1,
        "a1": a1,
        "z2": z2,
        "a2": a2,
        "E": np.asarray(E),
        "delta2": d2,
        "delta1": d1,
        **g,
        **new,
    }


def perceptron_torch() -> dict[str, np.ndarray]:
    import torch

    torch.set_num_threads(1)
    d = np.load(DATA / "perceptron_192_32_50.npz")
    x, t = torch.tensor(d["x"].T), torch.tensor(onehot(d["labels"], 50))
    params = [torch.tensor(p, requires_grad=True) for p in layers([192, 32, 50], 0)]
    W1, b1, W2, b2 = params
    z1 = W1 @ x + b1[:, None]
    a1 = torch.sigmoid(z1)
    z2 = W2 @ a1 + b2[:, None]
    a2 = torch.softmax(z2, dim=0)
    E = -(t * torch.log(a2)).sum(dim=0).mean()
    for v in (z1, a1, z2, a2):
        v.retain_grad()
    E.backward()
    with torch.no_grad():
        new = [p - 0.1 * p.grad for p in params]
    out = {"z1": z1, "a1": a1, "z2": z2, "a2": a2, "E": E}
    out |= {f"dE/d{n}": p.grad for n, p in zip(("W1", "b1", "W2", "b2"), params, strict=True)}
    out |= {f"{n}+": p for n, p in zip(("W1", "b1", "W2", "b2"), new, strict=True)}
    return {k: v.detach().numpy() for k, v in out.items()}


def digits(epochs: int) -> float:
    d = np.load(DATA / "digits.npz")
    x, t = np.ascontiguousarray(d["x"].T, dtype=np.float64), onehot(d["labels"], 10)
    W1, b1, W2, b2 = layers([64, 32, 10], 0)
    loss = 0.0
    for _ in range(epochs):
        for i in range(0, x.shape[1], 32):
            xb, tb = x[:, i : i + 32], t[:, i : i + 32]
            m = xb.shape[1]
            _, a1, _, a2 = forward(W1, b1, W2, b2, xb)
            d2 = a2 - tb
            d1 = (W2.T @ d2) * a1 * (1 - a1)
            W2, b2 = W2 - 0.5 * (d2 @ a1.T / m), b2 - 0.5 * d2.sum(axis=1) / m
            W1, b1 = W1 - 0.5 * (d1 @ xb.T / m), b1 - 0.5 * d1.sum(axis=1) / m
        loss = float(-(t * np.log(forward(W1, b1, W2, b2, x)[3])).sum(axis=0).mean())
    return loss


if __name__ == "__main__":
    if sys.argv[1] == "digits":
        print(digits(int(sys.argv[2])))
    else:
        arrays = perceptron_torch() if sys.argv[2] == "torch" else perceptron_numpy()
        print(json.dumps({k: v.tolist() for k, v in arrays.items()}))
