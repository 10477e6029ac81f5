"""Symbolic working for a mid-sized network, in process.

A generated sigmoid network (8 inputs, 6 layers of 8 units, one bias per layer: 384 weights + 6
biases = 390 parameters), half_sse loss, one example, one online update. Timed: `load(path)`,
`solve(problem)` (full working for update 1, the default) and `render.json.render(sol)`.
Targets:
  * load + solve + render of the base network < 5 s (ABSOLUTE, machine dependent);
  * the same with twice the edges (768 weights) takes <= 2.5x the base time (a ratio, measured in
    the same run). Two ways to double the edges are measured: 12 layers of 8 units (deeper), and
    6 layers of widths 12,12,11,12,11,12 (wider; 8*12 + 144 + 132 + 132 + 132 + 132 = 768).

Best of N in-process runs (after one warm-up run of a small problem so imports are not timed).
Run: python bench/bench_symbolic.py [N]   (N defaults to 5)
"""

from __future__ import annotations

import gc
import random
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

from _util import table, verdict

from backtutor.problem.load import load
from backtutor.render.json import render
from backtutor.solution import solve

BASE_SECONDS_TARGET = 5.0
DOUBLE_RATIO_TARGET = 2.5
N_INPUTS = 8


def problem_yaml(widths: list[int], seed: int = 0) -> str:
    """A sigmoid network: N_INPUTS inputs, then layers of the given widths, one bias per layer."""
    rng = random.Random(seed)
    num = lambda: f"{rng.uniform(-0.5, 0.5):.3f}"  # noqa: E731
    inputs = [f"x{i}" for i in range(1, N_INPUTS + 1)]
    lines = [f"title: generated {N_INPUTS}-{'-'.join(map(str, widths))} sigmoid network"]
    lines.append(f"inputs: [{', '.join(inputs)}]")
    lines.append("network:")
    params: list[tuple[str, str]] = []
    previous = len(inputs)
    units: list[str] = []
    for li, width in enumerate(widths, start=1):
        lines += ["  - activation: sigmoid", "    units:"]
        bias = f"b{li}"
        units = []
        for j in range(1, width + 1):
            unit = f"u{li}_{j}"
            weights = [f"w{li}_{j}_{k}" for k in range(1, previous + 1)]
            lines.append(f"      {unit}: {{weights: [{', '.join(weights)}], bias: {bias}}}")
            params += [(w, num()) for w in weights]
            units.append(unit)
        params.append((bias, num()))
        previous = width
    lines.append("parameters:")
    lines += [f"  {name}: {value}" for name, value in params]
    example = [f"{x}: {rng.uniform(0, 1):.3f}" for x in inputs]
    example += [f"target_{u}: {rng.uniform(0.05, 0.95):.3f}" for u in units]
    lines.append(f"data:\n  - {{{', '.join(example)}}}")
    lines.append("loss: {kind: half_sse, name: E_total}")
    lines.append("training: {learning_rate: 0.5, mode: online, epochs: 1}")
    return "\n".join(lines) + "\n"


def edges(widths: list[int]) -> int:
    sizes = [N_INPUTS, *widths]
    return sum(a * b for a, b in pairwise(sizes))


def measure(path: Path, n: int) -> dict[str, float]:
    """Best of n for each phase, and the best total (load + solve + render) over the n runs."""
    best = {"load": float("inf"), "solve": float("inf"), "render": float("inf"), "total": float("inf")}
    for _ in range(n):
        gc.collect()  # start each run from a clean heap: less noise from the previous run's garbage
        t0 = time.perf_counter()
        problem = load(path)
        t1 = time.perf_counter()
        sol = solve(problem)
        t2 = time.perf_counter()
        out = render(sol)
        t3 = time.perf_counter()
        steps, size = len(sol.steps), len(out.encode()) / 1e6
        del problem, sol, out
        for key, value in (("load", t1 - t0), ("solve", t2 - t1), ("render", t3 - t2), ("total", t3 - t0)):
            best[key] = min(best[key], value)
    best["steps"] = steps
    best["json_mb"] = size
    return best


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    cases = {
        "base 6x8": [8] * 6,
        "2x edges, deeper 12x8": [8] * 12,
        "2x edges, wider 6 layers": [12, 12, 11, 12, 11, 12],
    }
    with tempfile.TemporaryDirectory(prefix="backtutor-bench-") as tmp:
        warm = Path(tmp, "warm.yaml")
        warm.write_text(problem_yaml([2, 2]), encoding="utf-8")
        measure(warm, 1)  # imports and first-call costs, not timed
        results = {}
        for name, widths in cases.items():
            path = Path(tmp, f"{name.split()[0]}_{len(widths)}.yaml")
            path.write_text(problem_yaml(widths), encoding="utf-8")
            results[name] = measure(path, n)
            r = results[name]
            print(
                f"{name:<26} edges {edges(widths):>4}  load {r['load']:.3f} s  solve {r['solve']:.3f} s  "
                f"render {r['render']:.3f} s  steps {int(r['steps']):>5}  json {r['json_mb']:.1f} MB"
            )
    print(f"\nbest of {n} in-process runs (load + solve + render)\n")
    base = results["base 6x8"]["total"]
    rows = [
        (
            "base 6x8 (ABSOLUTE)",
            f"{base:.3f} s",
            "",
            f"< {BASE_SECONDS_TARGET:g} s absolute",
            verdict(base < BASE_SECONDS_TARGET),
        )
    ]
    for name in list(cases)[1:]:
        t = results[name]["total"]
        rows.append(
            (
                name,
                f"{t:.3f} s",
                f"{t / base:.2f}",
                f"<= {DOUBLE_RATIO_TARGET:g} x base",
                verdict(t / base <= DOUBLE_RATIO_TARGET),
            )
        )
    table(rows)


if __name__ == "__main__":
    main()
