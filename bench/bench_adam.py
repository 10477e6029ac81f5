"""Long training runs with Adam: `backtutor solve problems/relu_regression_adam.yaml --epochs 10000`
(the two-ReLU regression, two examples, online: 20,000 Adam updates of 5 parameters).

Target, as a ratio of wall time measured in the same run (whole commands, start-up included):
backtutor <= 2x a hand-written NumPy loop doing the same updates (this file run with `--baseline`:
the forward pass, the backward pass and PyTorch's Adam, β1 = 0.9, β2 = 0.999, ε = 1e-8, η = 0.1, with
bias correction, the 5 parameters as one NumPy vector). Before timing it checks that backtutor's
final parameters (the last "history" entry of `--format json`) agree with the baseline's.

The commands run in turn N times (after one untimed round), in subprocesses with one BLAS/OpenMP
thread each, stdout to /dev/null; medians with min–max, ratios as the median of the rounds' ratios.
Run: python bench/bench_adam.py [N]   (N defaults to 5)
     python bench/bench_adam.py --baseline [EPOCHS]   (the NumPy loop alone; prints the parameters)
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

from _util import BENCH, ROOT, alternate, backtutor_cmd, command, ratio, rounds, table, verdict

EPOCHS = 10_000
PROBLEM = "problems/relu_regression_adam.yaml"
NUMPY_RATIO_TARGET = 2.0
REL_TOL = 1e-9
NAMES = ("W1", "W2", "b1", "W", "b2")  # the file's parameters, in its order


def baseline(epochs: int) -> list[float]:
    """The NumPy loop: per example z_h = W1·x1 + W2·x2 + b1, h = ReLU(z_h), z = W·h + b2,
    ŷ = ReLU(z), E = (y − ŷ)² (ReLU′(0) = 0), then one Adam update of all five parameters."""
    import numpy as np

    p = np.array([0.5, 1.0, 0.5, 1.5, 0.5])  # W1, W2, b1, W, b2
    data = [(2.0, 2.0, 20.0), (3.0, 4.0, 28.0)]
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    m, v = np.zeros(5), np.zeros(5)
    g = np.zeros(5)
    t = 0
    for _ in range(epochs):
        for x1, x2, y in data:
            t += 1
            z_h = p[0] * x1 + p[1] * x2 + p[2]
            h = max(z_h, 0.0)
            z = p[3] * h + p[4]
            y_hat = max(z, 0.0)
            delta = -2.0 * (y - y_hat) * (1.0 if z > 0 else 0.0)  # ∂E/∂z
            delta_h = delta * p[3] * (1.0 if z_h > 0 else 0.0)  # ∂E/∂z_h
            g[:] = (delta_h * x1, delta_h * x2, delta_h, delta * h, delta)
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            m_hat = m / (1 - b1**t)
            v_hat = v / (1 - b2**t)
            p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return [float(x) for x in p]


def main() -> None:
    n = rounds(5)
    bt = [*backtutor_cmd(), "solve", PROBLEM, "--epochs", str(EPOCHS)]
    np_cmd = [sys.executable, str(BENCH / "bench_adam.py"), "--baseline", str(EPOCHS)]
    print(f"{EPOCHS:,} epochs of online Adam on {PROBLEM} (2 examples: {2 * EPOCHS:,} updates); {n} rounds\n")

    # correctness first: the same final parameters
    out = subprocess.run([*bt, "--format", "json"], cwd=ROOT, check=True, capture_output=True, text=True)
    bt_params = json.loads(out.stdout)["history"][-1]["parameters"]
    np_out = subprocess.run(np_cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    np_params = dict(zip(NAMES, map(float, np_out.split()), strict=True))
    agree = all(math.isclose(bt_params[k], np_params[k], rel_tol=REL_TOL) for k in NAMES)
    for k in NAMES:
        print(f"final {k:<3} backtutor {bt_params[k]!r:<22} numpy {np_params[k]!r}")
    print(f"agree to rel {REL_TOL:g}: {'yes' if agree else 'NO'}\n")

    t = alternate({"numpy": command(np_cmd), "backtutor": command(bt)}, n)
    vs_numpy = ratio(t["backtutor"], t["numpy"])
    table(
        [
            (f"python bench/bench_adam.py --baseline {EPOCHS}", t["numpy"].seconds(), "1", "", ""),
            (
                f"backtutor solve {PROBLEM} --epochs {EPOCHS}",
                t["backtutor"].seconds(),
                vs_numpy.ratio(),
                f"<= {NUMPY_RATIO_TARGET:g} x numpy",
                verdict(vs_numpy.median <= NUMPY_RATIO_TARGET),
            ),
        ]
    )
    if not agree:
        print("\nWARNING: final parameters disagree")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--baseline"]:
        print(*baseline(int(sys.argv[2]) if len(sys.argv) > 2 else EPOCHS))
    else:
        main()
