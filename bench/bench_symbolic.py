"""Symbolic working for a mid-sized network, in process.

A generated sigmoid network (8 inputs, 6 layers of 8 units, one bias per layer: 384 weights + 6
biases = 390 parameters), half_sse loss, one example, one online update. Timed: `load(path)`,
`solve(problem)` (full working for update 1, the default) and `render.json.render(sol)`.
Targets:
  * load + solve + render of the base network < 5 s (ABSOLUTE, machine dependent);
  * the same with twice the edges (768 weights) takes <= 2.5x the base time (a ratio, measured in
    the same run, alternately). Two ways to double the edges are measured: 12 layers of 8 units (deeper), and
    6 layers of widths 12,12,11,12,11,12 (wider; 8*12 + 144 + 132 + 132 + 132 + 132 = 768).

The three networks run in turn N times, each run in a fresh process that times itself in process
(after one untimed run of a small problem, so imports are not timed): SymPy's cache and any of
backtutor's own start empty every time, as for a user's command, so no round times a cache that an
earlier round filled. Medians with min–max, ratios as the median of the rounds' ratios.
Run: python bench/bench_symbolic.py [N]   (N defaults to 5)
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _network import edges, problem_yaml
from _util import ROOT, Timing, alternate, ratio, rounds, table, verdict

BASE_SECONDS_TARGET = 5.0
DOUBLE_RATIO_TARGET = 2.5


class Case:
    """One generated network: each call loads, solves and renders it once in a fresh process,
    recording the phases that process timed."""

    def __init__(self, path: Path, warm: Path) -> None:
        self.path, self.warm = path, warm
        self.phases: dict[str, list[float]] = {"load": [], "solve": [], "render": []}
        self.steps, self.json_mb = 0, 0.0

    def __call__(self) -> None:
        cmd = [sys.executable, __file__, "--one", str(self.path), str(self.warm)]
        out = json.loads(subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout)
        for key in self.phases:
            self.phases[key].append(out[key])
        self.steps, self.json_mb = out["steps"], out["json_mb"]

    def median(self, phase: str) -> float:
        return statistics.median(self.phases[phase])

    def total(self) -> Timing:
        """Load + solve + render of each run, as the process timed them."""
        return Timing(tuple(map(sum, zip(*self.phases.values(), strict=True))))


def one(path: Path, warm: Path) -> None:
    """In this fresh process: an untimed run of `warm`, then `path` timed phase by phase (JSON out)."""
    from backtutor.problem.load import load
    from backtutor.render.documents.json import render
    from backtutor.solution import solve

    render(solve(load(warm)))  # imports and first-call costs, not timed
    t0 = time.perf_counter()
    problem = load(path)
    t1 = time.perf_counter()
    sol = solve(problem)
    t2 = time.perf_counter()
    out = render(sol)
    t3 = time.perf_counter()
    phases = {"load": t1 - t0, "solve": t2 - t1, "render": t3 - t2}
    print(json.dumps({**phases, "steps": len(sol.steps), "json_mb": len(out.encode()) / 1e6}))


def main() -> None:
    n = rounds(5)
    widths = {
        "base 6x8": [8] * 6,
        "2x edges, deeper 12x8": [8] * 12,
        "2x edges, wider 6 layers": [12, 12, 11, 12, 11, 12],
    }
    with tempfile.TemporaryDirectory(prefix="backtutor-bench-") as tmp:
        warm = Path(tmp, "warm.yaml")
        warm.write_text(problem_yaml([2, 2]), encoding="utf-8")
        cases = {}
        for name, w in widths.items():
            path = Path(tmp, f"{name.split()[0]}_{len(w)}.yaml")
            path.write_text(problem_yaml(w), encoding="utf-8")
            cases[name] = Case(path, warm)
        alternate(cases, n, warmup=0)
        t = {name: case.total() for name, case in cases.items()}
    for name, case in cases.items():
        print(
            f"{name:<26} edges {edges(widths[name]):>4}  load {case.median('load'):.3f} s  "
            f"solve {case.median('solve'):.3f} s  render {case.median('render'):.3f} s  "
            f"steps {case.steps:>5}  json {case.json_mb:.1f} MB"
        )
    print(f"\nmedians of {n} alternating rounds, each run in a fresh process (load + solve + render)\n")
    base = t["base 6x8"]
    rows = [
        (
            "base 6x8 (ABSOLUTE)",
            base.seconds(),
            "",
            f"< {BASE_SECONDS_TARGET:g} s absolute",
            verdict(base.median < BASE_SECONDS_TARGET),
        )
    ]
    for name in list(widths)[1:]:
        r = ratio(t[name], base)
        rows.append(
            (
                name,
                t[name].seconds(),
                r.ratio(),
                f"<= {DOUBLE_RATIO_TARGET:g} x base",
                verdict(r.median <= DOUBLE_RATIO_TARGET),
            )
        )
    table(rows)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        one(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        main()
