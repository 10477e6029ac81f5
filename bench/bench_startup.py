"""Start-up cost of the command line.

Targets:
  * `backtutor solve problems/q4.yaml` (its default terminal output, stdout to /dev/null) takes at
    most 0.7 x the wall time of `python -c "import sympy, numpy"` (issue #19), run alternately in the same
    run (a ratio, so the machine's speed and load cancel): the terminal's default shows the closed
    forms as the chain rule assembles them, and loads no SymPy;
  * for information, `solve --simplify` (the closed forms simplified by SymPy, in its worker) and
    `solve -f markdown` (documents always simplify), as ratios to the same baseline;
  * `backtutor --help` takes at most 0.3 s, an ABSOLUTE wall-clock target (machine dependent).

The commands run in turn N times (after one untimed round); medians with min–max.
Run: python bench/bench_startup.py [N]   (N defaults to 7)
"""

from __future__ import annotations

import sys

from _util import alternate, backtutor_cmd, command, ratio, rounds, table, verdict

SOLVE_RATIO_TARGET = 0.7
HELP_SECONDS_TARGET = 0.3


def main() -> None:
    n = rounds(7)
    bt, py = backtutor_cmd(), sys.executable
    print(f"backtutor: {' '.join(bt)}\n{n} alternating rounds of wall-clock runs\n")
    t = alternate(
        {
            "base": command([py, "-c", "import sympy, numpy"]),
            "solve": command([*bt, "solve", "problems/q4.yaml"]),
            "simplify": command([*bt, "solve", "problems/q4.yaml", "--simplify"]),
            "markdown": command([*bt, "solve", "problems/q4.yaml", "-f", "markdown"]),
            "help": command([*bt, "--help"]),
            "pass": command([py, "-c", "pass"]),
        },
        n,
    )
    solve = ratio(t["solve"], t["base"])
    simplify, document = ratio(t["simplify"], t["base"]), ratio(t["markdown"], t["base"])
    table(
        [
            ("python -c pass (info)", t["pass"].seconds(), "", "", ""),
            ('python -c "import sympy, numpy" (baseline)', t["base"].seconds(), "1", "", ""),
            (
                "backtutor solve problems/q4.yaml",
                t["solve"].seconds(),
                solve.ratio(),
                f"<= {SOLVE_RATIO_TARGET} x baseline",
                verdict(solve.median <= SOLVE_RATIO_TARGET),
            ),
            (
                "backtutor solve problems/q4.yaml --simplify (info)",
                t["simplify"].seconds(),
                simplify.ratio(),
                "",
                "",
            ),
            (
                "backtutor solve problems/q4.yaml -f markdown (info)",
                t["markdown"].seconds(),
                document.ratio(),
                "",
                "",
            ),
            (
                "backtutor --help (ABSOLUTE)",
                t["help"].seconds(),
                "",
                f"<= {HELP_SECONDS_TARGET} s absolute",
                verdict(t["help"].median <= HELP_SECONDS_TARGET),
            ),
        ]
    )


if __name__ == "__main__":
    main()
