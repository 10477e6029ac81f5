"""Start-up cost of the command line.

Targets:
  * `backtutor solve problems/q4.yaml` (its default terminal output, stdout to /dev/null) takes at
    most 1.5x the wall time of `python -c "import sympy, numpy"`, run alternately in the same run
    (a ratio, so the machine's speed and load cancel);
  * `backtutor --help` takes at most 0.3 s, an ABSOLUTE wall-clock target (machine dependent).

The four commands run in turn N times (after one untimed round); medians with min–max.
Run: python bench/bench_startup.py [N]   (N defaults to 7)
"""

from __future__ import annotations

import sys

from _util import alternate, backtutor_cmd, command, ratio, rounds, table, verdict

SOLVE_RATIO_TARGET = 1.5
HELP_SECONDS_TARGET = 0.3


def main() -> None:
    n = rounds(7)
    bt, py = backtutor_cmd(), sys.executable
    print(f"backtutor: {' '.join(bt)}\n{n} alternating rounds of wall-clock runs\n")
    t = alternate(
        {
            "base": command([py, "-c", "import sympy, numpy"]),
            "solve": command([*bt, "solve", "problems/q4.yaml"]),
            "help": command([*bt, "--help"]),
            "pass": command([py, "-c", "pass"]),
        },
        n,
    )
    solve = ratio(t["solve"], t["base"])
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
