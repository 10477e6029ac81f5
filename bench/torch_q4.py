"""PyTorch autograd baseline for bench_epochs.py: 10,000 online SGD updates of problems/q4.yaml.

The same loop as numpy_q4.py, with gradients from autograd (float64, CPU, one thread): forward,
loss.backward(), an in-place SGD step under no_grad, zero the grads. Prints the final E_total.
Needs torch (`pip install torch==2.13.0`). Run: python bench/torch_q4.py [EPOCHS]
"""

from __future__ import annotations

import sys

import torch


def main(epochs: int = 10_000) -> float:
    torch.set_num_threads(1)  # tiny tensors: threads only add overhead
    dt = torch.float64
    W1 = torch.tensor([[0.15, 0.20], [0.25, 0.30]], dtype=dt, requires_grad=True)
    W2 = torch.tensor([[0.40, 0.45], [0.50, 0.55]], dtype=dt, requires_grad=True)
    b1 = torch.tensor(0.35, dtype=dt)  # frozen
    b2 = torch.tensor(0.60, dtype=dt)
    x = torch.tensor([0.05, 0.10], dtype=dt)
    t = torch.tensor([0.01, 0.99], dtype=dt)
    eta = 0.5
    for _ in range(epochs):
        o = torch.sigmoid(W2 @ torch.sigmoid(W1 @ x + b1) + b2)
        loss = 0.5 * torch.sum((t - o) ** 2)
        loss.backward()
        with torch.no_grad():
            W1 -= eta * W1.grad
            W2 -= eta * W2.grad
        W1.grad = None
        W2.grad = None
    with torch.no_grad():
        o = torch.sigmoid(W2 @ torch.sigmoid(W1 @ x + b1) + b2)
        return float(0.5 * torch.sum((t - o) ** 2))


if __name__ == "__main__":
    print(f"E_total {main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)!r}")
