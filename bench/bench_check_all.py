"""Checking a class, for every bundled problem and an 8-8-8 sigmoid network.

For each problem, 1,000 answer sheets are written to a temporary folder: a quarter fully right
(every step, rounded to 4 significant figures), a quarter sparse (forward values, the parameters'
gradients and the updates only), and half with one or two slips (a sign, a factor 2, a wrong value)
so recomputation and the slip search are part of what is timed. Timed: `backtutor check PROBLEM
SHEETS/ --csv grades.csv` against one `backtutor solve PROBLEM`, both as whole commands.
Target: ratio <= 3 for every problem. The 8-8-8 network is bench_symbolic.py's generator with
two layers of 8 units.
Run: python bench/bench_check_all.py [N]   (N defaults to 3)
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

from _util import ROOT, backtutor_cmd, best_of, table, verdict
from bench_symbolic import problem_yaml

import backtutor
from backtutor.engine.expr import Deriv

SHEETS = 1000
RATIO_TARGET = 3.0


def rounded(v: float) -> str:
    return f"{v:.4g}" if v != 0 else "0"


def write_sheets(problem: Path, folder: Path) -> None:
    sol = backtutor.solve(problem)
    g = sol.graph
    right = {s.id: rounded(s.value) for s in sol.steps}
    sparse = {
        s.id: right[s.id]
        for s in sol.steps
        if s.phase != "backward" or (isinstance(s.target, Deriv) and s.target.wrt in g.params)
    }
    rng = random.Random(1)
    ids = list(right)
    for i in range(SHEETS):
        sheet = dict(sparse if i % 4 == 1 else right)
        if i % 2:
            for step_id in rng.sample(ids, k=rng.choice((1, 2))):
                v = float(right[step_id])
                sheet[step_id] = rounded(rng.choice((-v, 2 * v, v + 0.1)))
        text = "".join(f'"{k}": {v}\n' for k, v in sheet.items())
        (folder / f"student{i:04d}.yaml").write_text(text, encoding="utf-8")


def has_numbers(path: Path) -> bool:
    return "architecture:" not in path.read_text(encoding="utf-8")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    bt = backtutor_cmd()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        net = Path(tmp, "sigmoid_8_8_8.yaml")
        net.write_text(problem_yaml([8, 8]), encoding="utf-8")
        problems = [p for p in sorted((ROOT / "problems").glob("*.yaml")) if has_numbers(p)] + [net]
        for problem in problems:
            folder = Path(tmp, problem.stem)
            folder.mkdir()
            write_sheets(problem, folder)
            t_solve = best_of([*bt, "solve", str(problem)], n)
            grades = str(Path(tmp, f"{problem.stem}.csv"))
            t_check = best_of([*bt, "check", str(problem), str(folder), "--csv", grades], n, ok_codes=(0, 1))
            ratio = t_check / t_solve
            rows.append(
                (
                    f"check {problem.stem} on {SHEETS} sheets / one solve",
                    f"{t_check:.2f} s / {t_solve:.2f} s",
                    f"{ratio:.2f}",
                    f"<= {RATIO_TARGET}",
                    verdict(ratio <= RATIO_TARGET),
                )
            )
    table(rows)


if __name__ == "__main__":
    main()
