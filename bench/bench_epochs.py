"""Long training runs: `backtutor solve problems/q4.yaml --epochs 10000` (10,000 online SGD updates).

Targets, as ratios of CPU time (user + system) measured in the same run (whole commands, start-up
included; the other jobs of a shared machine inflate wall time, not CPU time; the wall-time ratio
is printed for information, and on an idle machine the two agree, every peer being single-threaded):
  * backtutor <= 1x a hand-written NumPy script doing the same updates (bench/numpy_q4.py; issue #19);
  * backtutor < 1/3 of a PyTorch autograd version of the same loop (bench/torch_q4.py), when torch
    is importable (otherwise skipped; `pip install torch==2.13.0` installs a CPU wheel).
Also checks that backtutor's final loss (last "history" entry of `--format json`) agrees with the
NumPy script's final E_total (about 3.5102e-05).

The commands run in turn N times (after one untimed round), in subprocesses with one BLAS/OpenMP
thread each, stdout to /dev/null; medians with min–max, ratios as the median of the rounds' ratios.
Run: python bench/bench_epochs.py [N]   (N defaults to 9)
"""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys

from _util import BENCH, ROOT, alternate, backtutor_cmd, command, ratio, rounds, table, verdict

EPOCHS = 10_000
NUMPY_RATIO_TARGET = 1.0
TORCH_RATIO_TARGET = 1 / 3
REL_TOL = 1e-9


def _last_line_loss(cmd: list[str]) -> float:
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return float(out.split()[-1])


def main() -> None:
    n = rounds(9)
    bt = [*backtutor_cmd(), "solve", "problems/q4.yaml", "--epochs", str(EPOCHS)]
    np_cmd = [sys.executable, str(BENCH / "numpy_q4.py"), str(EPOCHS)]
    torch_cmd = [sys.executable, str(BENCH / "torch_q4.py"), str(EPOCHS)]
    have_torch = importlib.util.find_spec("torch") is not None
    print(f"{EPOCHS:,} epochs of online SGD on q4; {n} alternating rounds of wall-clock runs\n")

    # correctness first: the same final loss
    out = subprocess.run([*bt, "--format", "json"], cwd=ROOT, check=True, capture_output=True, text=True)
    bt_loss = json.loads(out.stdout)["history"][-1]["loss"]
    np_loss = _last_line_loss(np_cmd)
    losses = [("backtutor", bt_loss), ("numpy", np_loss)]
    if have_torch:
        losses.append(("torch", _last_line_loss(torch_cmd)))
    agree = all(math.isclose(v, np_loss, rel_tol=REL_TOL, abs_tol=0) for _, v in losses)
    for name, v in losses:
        print(f"final E_total  {name:<10} {v!r}")
    print(f"agree to rel {REL_TOL:g}: {'yes' if agree else 'NO'}\n")

    peers = {"numpy": command(np_cmd), "backtutor": command(bt)}
    if have_torch:
        peers["torch"] = command(torch_cmd)
    t = alternate(peers, n)
    cpu = {name: timing.on_cpu() for name, timing in t.items()}
    vs_numpy, vs_numpy_cpu = ratio(t["backtutor"], t["numpy"]), ratio(cpu["backtutor"], cpu["numpy"])
    rows = [
        (f"python bench/numpy_q4.py {EPOCHS} (baseline), wall", t["numpy"].seconds(), "1", "", ""),
        (f"python bench/numpy_q4.py {EPOCHS} (baseline), CPU", cpu["numpy"].seconds(), "1", "", ""),
        (
            f"backtutor solve q4 --epochs {EPOCHS}, wall (info)",
            t["backtutor"].seconds(),
            vs_numpy.ratio(),
            "",
            "",
        ),
        (
            f"backtutor solve q4 --epochs {EPOCHS}, CPU",
            cpu["backtutor"].seconds(),
            vs_numpy_cpu.ratio(),
            f"<= {NUMPY_RATIO_TARGET:g} x numpy",
            verdict(vs_numpy_cpu.median <= NUMPY_RATIO_TARGET),
        ),
    ]
    if have_torch:
        vs_torch = ratio(cpu["backtutor"], cpu["torch"])
        rows += [
            (f"python bench/torch_q4.py {EPOCHS} (baseline), CPU", cpu["torch"].seconds(), "1", "", ""),
            (
                "backtutor vs torch, CPU",
                cpu["backtutor"].seconds(),
                vs_torch.ratio(),
                "< 0.33 x torch",
                verdict(vs_torch.median < TORCH_RATIO_TARGET),
            ),
        ]
    table(rows)
    if not agree:
        print("\nWARNING: final losses disagree")
    if not have_torch:
        print(
            "\ntorch comparison SKIPPED: torch is not importable. Install it with"
            "\n  pip install torch==2.13.0\n(a CPU wheel) and run again."
        )


if __name__ == "__main__":
    main()
