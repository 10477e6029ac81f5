"""Making a class set: `backtutor variants problems/relu_class.yaml --roster R -o DIR --no-pdf` for a
roster of 200 students (each variant drawn until its constraints hold, solved, and written as problem
file, answer sheet, worksheet and key), against `backtutor solve problems/relu_class.yaml`, the two
run alternately (median of the per-round ratios, with min–max). Target (issue #15): the 200 students
in under 30 s, printed beside the measured time; the ratio says how many single solves a class costs.
Run: python bench/bench_variants.py [N]   (N rounds, default 3)
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from _util import ROOT, alternate, backtutor_cmd, command, ratio, rounds, table, verdict

STUDENTS = 200
SECONDS_TARGET = 30.0


def main() -> None:
    n = rounds(3)
    bt = backtutor_cmd()
    problem = str(ROOT / "problems" / "relu_class.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        roster = Path(tmp, "roster.csv")
        roster.write_text("id,name\n" + "".join(f"s{i:03d},Student {i}\n" for i in range(STUDENTS)))
        out = Path(tmp, "class")
        make = command([*bt, "variants", problem, "--roster", str(roster), "-o", str(out), "--no-pdf"])

        def variants() -> None:
            shutil.rmtree(out, ignore_errors=True)
            make()

        t = alternate({"solve": command([*bt, "solve", problem]), "variants": variants}, n)
    r = ratio(t["variants"], t["solve"])
    table(
        [
            (
                f"variants, {STUDENTS} students, Markdown (solve: {t['solve'].median:.2f} s)",
                t["variants"].seconds(),
                r.ratio(),
                f"< {SECONDS_TARGET:.0f} s",
                verdict(t["variants"].median < SECONDS_TARGET),
            )
        ]
    )


if __name__ == "__main__":
    main()
