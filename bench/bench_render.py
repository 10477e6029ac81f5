"""Rendering cost: `backtutor solve FILE` (the default terminal output) against `backtutor solve FILE
-f json`, the same working for programs, on large problems.

Target: the terminal output takes at most 1.5x the wall time of the JSON output, per problem (a
ratio, the two run alternately in the same run). Printed, never asserted. Problems: the bundled
problems/conv_relu_pool_dense.yaml (a conv layer, max-pooling and a dense unit) and a generated
sigmoid network (8 inputs, 6 layers of 8 units: 390 parameters, about 1,800 steps).
The terminal output is timed twice: piped (stdout to /dev/null, what `> file` gets) and as on a
colour terminal (FORCE_COLOR=1). Every peer runs with COLUMNS=120 and one BLAS/OpenMP thread.

The commands run in turn N times (after one untimed round); medians with min–max, ratios as the
median of the rounds' ratios.
Run: python bench/bench_render.py [N]   (N defaults to 5)
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from _network import problem_yaml
from _util import ROOT, alternate, backtutor_cmd, command, ratio, rounds, table, verdict

RATIO_TARGET = 1.5
WIDTH = {"COLUMNS": "120"}
COLOUR = {**WIDTH, "FORCE_COLOR": "1"}


def compare(name: str, path: Path, n: int) -> list[tuple[str, str, str, str, str]]:
    """Table rows for one problem: JSON (the baseline), terminal piped, terminal in colour."""
    solve = [*backtutor_cmd(), "solve", str(path)]
    t = alternate(
        {
            "json": command([*solve, "-f", "json"], env=WIDTH),
            "piped": command(solve, env=WIDTH),
            "colour": command(solve, env=COLOUR),
        },
        n,
    )
    rows = [(f"{name}: -f json (baseline)", t["json"].seconds(), "1", "", "")]
    for peer, what in (("piped", "terminal, piped"), ("colour", "terminal, FORCE_COLOR=1")):
        r = ratio(t[peer], t["json"])
        rows.append(
            (
                f"{name}: {what}",
                t[peer].seconds(),
                r.ratio(),
                f"<= {RATIO_TARGET} x json",
                verdict(r.median <= RATIO_TARGET),
            )
        )
    return rows


def main() -> None:
    n = rounds(5)
    print(f"backtutor: {' '.join(backtutor_cmd())}\n{n} alternating rounds of wall-clock runs\n")
    with tempfile.TemporaryDirectory(prefix="backtutor-bench-") as tmp:
        network = Path(tmp, "network_8x6.yaml")
        network.write_text(problem_yaml([8] * 6), encoding="utf-8")
        rows = compare("conv_relu_pool_dense", ROOT / "problems" / "conv_relu_pool_dense.yaml", n)
        rows += compare("generated 8-8x6 network", network, n)
    table(rows)


if __name__ == "__main__":
    main()
