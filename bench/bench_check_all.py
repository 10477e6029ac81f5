"""Checking a class, for every bundled problem and an 8-8-8 sigmoid network.

For each problem, 1,000 answer sheets are written to a temporary folder: a quarter fully right
(every step, rounded to 4 significant figures), a quarter sparse (forward values, the parameters'
gradients and the updates only), and half with one or two slips (a sign, a factor 2, a wrong value)
so recomputation and the slip search are part of what is timed. Timed: `backtutor check PROBLEM
SHEETS/ --csv grades.csv` against `backtutor solve PROBLEM`, the two run alternately (median of the
per-round ratios, with min–max). Target: ratio <= 3 for every problem. A file with `variants` is
skipped with a printed reason (its sheets are graded only with --roster). The 8-8-8 network is
_network.py's generator with two layers of 8 units.
Run: python bench/bench_check_all.py [N]   (N rounds, default 3)
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import yaml
from _network import problem_yaml
from _util import ROOT, alternate, backtutor_cmd, command, ratio, rounds, table, verdict

SHEETS = 1000
RATIO_TARGET = 3.0


def rounded(v: float) -> str:
    return f"{v:.4g}" if v != 0 else "0"


def write_sheets(problem: Path, folder: Path) -> None:
    import backtutor
    from backtutor.engine.expr import Deriv

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


def has_variants(path: Path) -> bool:
    """A class set's file: `check` grades its sheets only against each student's variant (--roster)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return isinstance(data, dict) and "variants" in data


def main() -> None:
    n = rounds(3)
    bt = backtutor_cmd()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        net = Path(tmp, "sigmoid_8_8_8.yaml")
        net.write_text(problem_yaml([8, 8]), encoding="utf-8")
        problems = [p for p in sorted((ROOT / "problems").glob("*.yaml")) if has_numbers(p)] + [net]
        for p in [p for p in problems if has_variants(p)]:
            print(f"skipped {p.name}: it has variants, so check needs a roster (timed by bench_variants.py)")
            problems.remove(p)
        for problem in problems:
            folder = Path(tmp, problem.stem)
            folder.mkdir()
            write_sheets(problem, folder)
            check = [*bt, "check", str(problem), str(folder), "--csv", str(Path(tmp, f"{problem.stem}.csv"))]
            t = alternate(
                {"solve": command([*bt, "solve", str(problem)]), "check": command(check, ok_codes=(0, 1))}, n
            )
            r = ratio(t["check"], t["solve"])
            rows.append(
                (
                    f"check {problem.stem}, {SHEETS} sheets (solve: {t['solve'].median:.2f} s)",
                    t["check"].seconds(),
                    r.ratio(),
                    f"<= {RATIO_TARGET} x solve",
                    verdict(r.median <= RATIO_TARGET),
                )
            )
    table(rows)


if __name__ == "__main__":
    main()
