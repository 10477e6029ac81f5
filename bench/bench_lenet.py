"""LeNet-5's forward and backward pass and one SGD step on one 32×32 image
(problems/lenet5_image.yaml), worked by the array engine with every step kept, against PyTorch
autograd (float64, one thread: the issue's reference, target ≤ 1×) and against the same maths
hand-written in NumPy (im2col: each convolution one matrix product), in process, in CPU time, each
sample ten passes (one is a few ms). Before timing, both baselines' gradients and updated parameters
are checked against the engine's (1e-12). Without torch (`pip install -e '.[bench]'` gets its CPU
wheel) the ratio is against the NumPy pass and says so.
Run: python bench/bench_lenet.py [N=20]
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from _util import alternate, ratio, rounds, table, verdict

PROBLEM = "problems/lenet5_image.yaml"
TARGET = 1.0
PASSES = 10  # per timed sample


def im2col(x: Any, k: int) -> Any:
    """C × H × W → (C·k·k) × (Ho·Wo): each column one window, stride 1."""
    import numpy as np

    win = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(1, 2))  # C × Ho × Wo × k × k
    c, ho, wo = win.shape[:3]
    return win.transpose(0, 3, 4, 1, 2).reshape(c * k * k, ho * wo), (ho, wo)


def col2im(cols: Any, shape: tuple[int, ...], k: int) -> Any:
    import numpy as np

    c, h, w = shape
    ho, wo = h - k + 1, w - k + 1
    cols = cols.reshape(c, k, k, ho, wo)
    out = np.zeros(shape)
    for i in range(k):
        for j in range(k):
            out[:, i : i + ho, j : j + wo] += cols[:, i, j]
    return out


def numpy_pass(p: dict[str, Any], lr: float = 0.1) -> dict[str, Any]:
    """LeNet-5: conv 5×5 → tanh → avgpool 2 → conv 5×5 → tanh → avgpool 2 → 120 → 84 → 10, softmax
    cross-entropy, backward, SGD."""
    import numpy as np

    def pool(a: Any) -> Any:
        c, h, w = a.shape
        return a.reshape(c, h // 2, 2, w // 2, 2).mean(axis=(2, 4))

    def unpool(g: Any) -> Any:
        return np.repeat(np.repeat(g, 2, axis=1), 2, axis=2) / 4

    x, t = p["x"], p["t"]
    c1, (h1, w1) = im2col(x, 5)
    z1 = (p["K1"].reshape(6, -1) @ c1).reshape(6, h1, w1) + p["b1"][:, None, None]
    a1 = np.tanh(z1)
    p1 = pool(a1)
    c2, (h2, w2) = im2col(p1, 5)
    z2 = (p["K2"].reshape(16, -1) @ c2).reshape(16, h2, w2) + p["b2"][:, None, None]
    a2 = np.tanh(z2)
    f = pool(a2).reshape(-1, 1)
    a3 = np.tanh(p["W3"] @ f + p["b3"][:, None])
    a4 = np.tanh(p["W4"] @ a3 + p["b4"][:, None])
    z5 = p["W5"] @ a4 + p["b5"][:, None]
    e = np.exp(z5 - z5.max())
    d5 = e / e.sum() - t
    g = {"W5": d5 @ a4.T, "b5": d5[:, 0]}
    d4 = (p["W5"].T @ d5) * (1 - a4**2)
    g |= {"W4": d4 @ a3.T, "b4": d4[:, 0]}
    d3 = (p["W4"].T @ d4) * (1 - a3**2)
    g |= {"W3": d3 @ f.T, "b3": d3[:, 0]}
    d2 = unpool((p["W3"].T @ d3).reshape(16, 5, 5)) * (1 - a2**2)
    g |= {"K2": (d2.reshape(16, -1) @ c2.T).reshape(p["K2"].shape), "b2": d2.sum(axis=(1, 2))}
    d1 = unpool(col2im(p["K2"].reshape(16, -1).T @ d2.reshape(16, -1), p1.shape, 5)) * (1 - a1**2)
    g |= {"K1": (d1.reshape(6, -1) @ c1.T).reshape(p["K1"].shape), "b1": d1.sum(axis=(1, 2))}
    return {f"{k}+": p[k] - lr * v for k, v in g.items()} | {f"dE/d{k}": v for k, v in g.items()}


def torch_pass(p: dict[str, Any], lr: float = 0.1) -> Any:
    import torch
    from torch.nn import functional as F

    torch.set_num_threads(1)
    q = {k: torch.tensor(v, requires_grad=k not in ("x", "t")) for k, v in p.items()}
    a = F.avg_pool2d(torch.tanh(F.conv2d(q["x"][None], q["K1"], q["b1"])), 2)
    a = F.avg_pool2d(torch.tanh(F.conv2d(a, q["K2"], q["b2"])), 2).reshape(-1, 1)
    a = torch.tanh(q["W3"] @ a + q["b3"][:, None])
    a = torch.tanh(q["W4"] @ a + q["b4"][:, None])
    loss = F.cross_entropy((q["W5"] @ a + q["b5"][:, None]).T, q["t"].argmax(0))
    loss.backward()
    with torch.no_grad():
        new = {f"{k}+": v - lr * v.grad for k, v in q.items() if v.grad is not None}
    return {f"dE/d{k}": v.grad for k, v in q.items() if v.grad is not None} | new


def main() -> None:
    import importlib.util

    import numpy as np

    from backtutor.arrays.conv_run import solve_conv
    from backtutor.problem.array_conv import load_conv_arrays

    problem = load_conv_arrays(PROBLEM)
    sol = solve_conv(problem)
    have_torch = importlib.util.find_spec("torch") is not None
    baselines = [numpy_pass(dict(problem.given))]
    if have_torch:
        baselines.append({k: v.detach().numpy() for k, v in torch_pass(dict(problem.given)).items()})
    for mine in baselines:
        for key, value in mine.items():
            assert np.allclose(value, sol.value(key), rtol=1e-12, atol=1e-14), key
    peers = {
        "backtutor": on_cpu(lambda: solve_conv(problem)),
        "numpy": on_cpu(lambda: numpy_pass(dict(problem.given))),
    }
    if have_torch:
        peers["torch"] = on_cpu(lambda: torch_pass(dict(problem.given)))
    timed = {name: t.on_cpu() for name, t in alternate(peers, rounds(20)).items()}
    against = "torch" if "torch" in timed else "numpy"
    r = ratio(timed["backtutor"], timed[against])
    rows = [
        (f"{name}: LeNet-5 forward + backward + SGD, {PASSES} passes, CPU", t.seconds(), "", "", "")
        for name, t in timed.items()
    ]
    target = f"≤ {TARGET}" if have_torch else "(torch not installed)"
    rows.append(
        (f"backtutor / {against}", "", r.ratio(), target, verdict(r.median <= TARGET) if have_torch else "")
    )
    table(rows)


def on_cpu(run: Callable[[], object]) -> Callable[[], float]:
    """The callable run PASSES times, returning the CPU seconds it used (the other jobs of a shared
    machine inflate wall time, not this)."""

    def timed() -> float:
        start = time.process_time()
        for _ in range(PASSES):
            run()
        return time.process_time() - start

    return timed


if __name__ == "__main__":
    main()
