"""Hand-written NumPy baseline for bench_epochs.py: 10,000 online SGD updates of problems/q4.yaml.

The 2-2-2 sigmoid network of Mazur's example: W1 (rows = hidden units), W2 (rows = output units),
shared biases b1 = 0.35 and b2 = 0.60 frozen, one example, eta = 0.5, loss 1/2 sum (t - o)^2.
Prints the final E_total (about 3.5102e-05). Run: python bench/numpy_q4.py [EPOCHS]
"""

from __future__ import annotations

import sys

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def main(epochs: int = 10_000) -> float:
    W1 = np.array([[0.15, 0.20], [0.25, 0.30]])
    W2 = np.array([[0.40, 0.45], [0.50, 0.55]])
    b1, b2 = 0.35, 0.60
    x = np.array([0.05, 0.10])
    t = np.array([0.01, 0.99])
    eta = 0.5
    for _ in range(epochs):  # one example, so an epoch is one online update
        h = sigmoid(W1 @ x + b1)
        o = sigmoid(W2 @ h + b2)
        delta_o = (o - t) * o * (1.0 - o)  # dE/dnet_o
        delta_h = (W2.T @ delta_o) * h * (1.0 - h)  # dE/dnet_h, with the old W2
        W2 -= eta * np.outer(delta_o, h)
        W1 -= eta * np.outer(delta_h, x)
    o = sigmoid(W2 @ sigmoid(W1 @ x + b1) + b2)
    return float(0.5 * np.sum((t - o) ** 2))


if __name__ == "__main__":
    print(f"E_total {main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)!r}")
