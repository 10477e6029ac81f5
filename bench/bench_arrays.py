"""The array engine (issue #27): matrix networks at course size.

1. One SGD step of the seed-style 192-32-50 perceptron on a batch of 16 with its full working in JSON
   (`backtutor solve problems/perceptron_192_32_50.yaml -f json`), as CPU time (user + system) of the
   whole command against `python -c "import sympy, numpy"` (target <= 1.5x) and against the same step
   with PyTorch autograd (float64, one thread), also a whole command: `python
   bench/arrays_baselines.py perceptron torch`, which imports torch, draws the same weights, takes the
   step and prints every array as JSON (target <= 0.5x). In process, the same two without start-up
   (load, solve and the JSON text against the autograd step and its JSON), for information: there
   the engine's working (every quantity formatted) is what is timed. Without torch the PyTorch rows
   say they were skipped (`pip install -e '.[bench]'` gets its CPU wheel). Before timing, the
   PyTorch and NumPy baselines' arrays are checked against the engine's to a relative 1e-12. Also
   against a hand-written NumPy step printing the same arrays as JSON (bench/arrays_baselines.py),
   for information.
2. 100 epochs of a 64-32-10 MLP over the 1,797 8×8 digits in mini-batches of 32, in process: the
   engine (`backtutor.solve_arrays`) against a hand-written NumPy loop of the same maths, the loss
   over the data set after each epoch included (the engine reports it). Target <= 1.5x. Both end at
   the same loss (checked to a relative 1e-9 first).
3. Peak memory (max RSS) of `solve problems/mlp_784_128_10.yaml --epochs 1 --steps 1 -f json`: a
   784-128-10 network, a batch of 64, its working in JSON. Target <= 300 MB.
Run: python bench/bench_arrays.py [N]   (N rounds, default 5)
"""

from __future__ import annotations

import importlib.util
import math
import os
import subprocess
import sys
import time
from collections.abc import Callable

from _util import BENCH, ROOT, Timing, alternate, backtutor_cmd, command, ratio, rounds, table, verdict

sys.path.insert(0, str(BENCH))  # the baselines

IMPORT_TARGET, TORCH_TARGET, LOOP_TARGET, MEMORY_MB = 1.5, 0.5, 1.5, 300
PERCEPTRON = "problems/perceptron_192_32_50.yaml"


def step_rows(n: int) -> list[tuple[str, str, str, str, str]]:
    have_torch = importlib.util.find_spec("torch") is not None
    same_arrays(have_torch)
    bt = [*backtutor_cmd(), "solve", PERCEPTRON, "-f", "json"]
    baseline = [sys.executable, str(BENCH / "arrays_baselines.py"), "perceptron"]
    peers = {
        "imports": command([sys.executable, "-c", "import sympy, numpy"]),
        "backtutor": command(bt),
        "numpy": command([*baseline, "numpy"]),
    }
    if have_torch:
        peers["torch"] = command([*baseline, "torch"])
    cpu = {name: timing.on_cpu() for name, timing in alternate(peers, n).items()}
    vs = {name: ratio(cpu["backtutor"], cpu[name]) for name in cpu if name != "backtutor"}
    rows = [
        ('python -c "import sympy, numpy", CPU', cpu["imports"].seconds(), "1", "", ""),
        ("solve 192-32-50 -f json (one SGD step), CPU", cpu["backtutor"].seconds(), vs["imports"].ratio(),
         f"<= {IMPORT_TARGET} x imports", verdict(vs["imports"].median <= IMPORT_TARGET)),
        ("  against the hand-written NumPy step (JSON out)", cpu["numpy"].seconds(), vs["numpy"].ratio(),
         "", ""),
    ]  # fmt: skip
    if not have_torch:
        return [*rows, ("  against PyTorch autograd", "skipped: pip install -e '.[bench]'", "", "", "")]
    ok = vs["torch"].median <= TORCH_TARGET
    rows.append(("  against PyTorch autograd (whole script)", cpu["torch"].seconds(), vs["torch"].ratio(),
                 f"<= {TORCH_TARGET} x torch", verdict(ok)))  # fmt: skip
    return rows + in_process_rows(n)


def same_arrays(have_torch: bool) -> None:
    """The baselines compute what the engine computes: every array they print, to a relative 1e-12."""
    import numpy as np
    from arrays_baselines import perceptron_numpy, perceptron_torch

    import backtutor
    from backtutor.problem.array_network import load_arrays

    sol = backtutor.solve_arrays(load_arrays(ROOT / PERCEPTRON))
    for baseline in (perceptron_numpy, perceptron_torch) if have_torch else (perceptron_numpy,):
        for key, value in baseline().items():
            assert np.allclose(value, sol.value(key), rtol=1e-12, atol=1e-15), (baseline.__name__, key)
    print(
        f"perceptron: the NumPy{' and PyTorch' if have_torch else ''} step's arrays agree with the engine's"
    )


def in_process_rows(n: int) -> list[tuple[str, str, str, str, str]]:
    """The step without start-up: load, solve, JSON text, against the autograd step and its JSON."""
    import json

    from arrays_baselines import perceptron_torch

    import backtutor
    from backtutor.problem.array_network import load_arrays
    from backtutor.render.documents.arrays import render_json

    def engine() -> None:
        render_json(backtutor.solve_arrays(load_arrays(ROOT / PERCEPTRON)))

    def torch() -> None:
        json.dumps({k: v.tolist() for k, v in perceptron_torch().items()})

    t = alternate({"engine": timed(engine), "torch": timed(torch)}, n)
    cpu = {k: Timing(v.cpu) for k, v in t.items()}
    r = ratio(cpu["engine"], cpu["torch"])
    return [
        ("  in process: PyTorch step + JSON, CPU", cpu["torch"].seconds(), "1", "", ""),
        ("  in process: load + solve_arrays + JSON, CPU", cpu["engine"].seconds(), r.ratio(), "", ""),
    ]  # fmt: skip


def timed(run: Callable[[], object]) -> Callable[[], float]:
    def go() -> float:  # the CPU seconds of one in-process run
        t0 = time.process_time()
        run()
        return time.process_time() - t0

    return go


def loop_rows(n: int) -> list[tuple[str, str, str, str, str]]:
    from arrays_baselines import digits

    import backtutor
    from backtutor.problem.array_network import load_arrays

    os.chdir(ROOT)  # the data file's path is relative
    spec = {
        "title": "64-32-10 on the digits",
        "init": {"seed": 0},
        "network": [{"size": 32, "activation": "sigmoid"}, {"size": 10, "activation": "softmax"}],
        "data": {"file": "problems/data/digits.npz", "x": "x", "labels": "labels"},
        "loss": {"kind": "cross_entropy", "reduction": "mean"},
        "training": {"learning_rate": 0.5, "mode": "minibatch", "batch_size": 32, "epochs": 100},
    }
    problem = load_arrays(spec)
    engine = backtutor.solve_arrays(problem).history[-1]
    hand = digits(100)
    agree = math.isclose(engine, hand, rel_tol=1e-9)
    print(
        f"digits, 100 epochs: final loss engine {engine!r}, NumPy loop {hand!r}; "
        f"agree: {'yes' if agree else 'NO'}"
    )

    peers = {"numpy": timed(lambda: digits(100)), "engine": timed(lambda: backtutor.solve_arrays(problem))}
    t = alternate(peers, n)
    cpu = {k: Timing(v.cpu) for k, v in t.items()}
    r = ratio(cpu["engine"], cpu["numpy"])
    return [
        ("hand-written NumPy loop, 100 epochs 64-32-10, CPU", cpu["numpy"].seconds(), "1", "", ""),
        ("solve_arrays, the same run, CPU", cpu["engine"].seconds(), r.ratio(), f"<= {LOOP_TARGET} x numpy",
         verdict(r.median <= LOOP_TARGET)),
    ]  # fmt: skip


def memory_rows() -> list[tuple[str, str, str, str, str]]:
    cmd = [
        *backtutor_cmd(),
        "solve",
        "problems/mlp_784_128_10.yaml",
        "--epochs",
        "1",
        "--steps",
        "1",
        "-f",
        "json",
    ]
    p = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, cmd
    mb = usage.ru_maxrss / 1024  # kB on Linux
    return [("peak memory, 784-128-10, batch 64, JSON working", f"{mb:.0f} MB", "", f"<= {MEMORY_MB} MB",
             verdict(mb <= MEMORY_MB))]  # fmt: skip


def main() -> None:
    n = rounds(5)
    print(f"{n} alternating rounds; CPU time (user + system)\n")
    memory = memory_rows()  # first: a child's max RSS counts the parent's until its exec (torch, later)
    rows = step_rows(n) + loop_rows(n) + memory
    print()
    table(rows)


if __name__ == "__main__":
    main()
