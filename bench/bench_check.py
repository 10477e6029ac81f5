"""Checking a class: `backtutor check problems/q4.yaml SHEETS/ --csv grades.csv` on 1,000 sheets.

Target: at most 3x the wall time of one `backtutor solve problems/q4.yaml`, the two run alternately
in the same run (median of the per-round ratios, with min–max).
The sheets are generated here: a quarter fully right (rounded to 4 decimals), the others with one
or two slips (+ for − in an update, a sign, a dropped σ′, a wrong forward value carried forward),
so the checker's recomputation and slip search are part of what is timed.
Run: python bench/bench_check.py [N]   (N rounds, default 5)
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from _util import ROOT, alternate, backtutor_cmd, command, ratio, rounds, table, verdict

SHEETS = 1000
RATIO_TARGET = 3.0


def answer_sets(n: int = SHEETS) -> list[dict[str, str]]:
    """n students' answers (step id → number as written): a quarter right, the rest with slips."""
    import backtutor

    sol = backtutor.solve(ROOT / "problems" / "q4.yaml")
    right = {s.id: f"{s.value:.4f}" if abs(s.value) > 0.01 else f"{s.value:.4e}" for s in sol.steps}
    slips = [
        {"w6+": "0.4913"},
        {"dE_total/dw5": "-0.0822"},
        {"dE_total/dw5": "0.4398"},
        {"out_o1": "0.76", "dE_total/dout_o1": "0.75"},
    ]
    rng = random.Random(1)
    sets = []
    for i in range(n):
        sheet = dict(right)
        if i % 4:
            for slip in rng.sample(slips, k=rng.choice((1, 2))):
                sheet.update(slip)
        sets.append(sheet)
    return sets


def write_sheets(folder: Path) -> None:
    for i, sheet in enumerate(answer_sets()):
        text = "".join(f'"{k}": {v}\n' for k, v in sheet.items())
        (folder / f"student{i:04d}.yaml").write_text(text, encoding="utf-8")


def main() -> None:
    n = rounds(5)
    bt = backtutor_cmd()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_sheets(folder)
        check = [*bt, "check", "problems/q4.yaml", str(folder), "--csv", str(folder / "grades.csv")]
        t = alternate(
            {"solve": command([*bt, "solve", "problems/q4.yaml"]), "check": command(check, ok_codes=(0, 1))},
            n,
        )
    r = ratio(t["check"], t["solve"])
    table(
        [
            ("backtutor solve problems/q4.yaml (baseline)", t["solve"].seconds(), "1", "", ""),
            (
                f"backtutor check q4 on {SHEETS} sheets",
                t["check"].seconds(),
                r.ratio(),
                f"<= {RATIO_TARGET} x baseline",
                verdict(r.median <= RATIO_TARGET),
            ),
        ]
    )


if __name__ == "__main__":
    main()
