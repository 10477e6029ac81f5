"""Start-up cost of the command line.

Targets:
  * `backtutor solve problems/q4.yaml` (stdout to /dev/null) takes at most 1.5x the wall time of
    `python -c "import sympy, numpy"`, measured in the same run (a ratio, so machine speed cancels);
  * `backtutor --help` takes at most 0.3 s, an ABSOLUTE wall-clock target (machine dependent).

Best of N wall-clock runs of each command in a subprocess, after one untimed warm-up run.
Run: python bench/bench_startup.py [N]   (N defaults to 5)
"""

from __future__ import annotations

import sys

from _util import backtutor_cmd, best_of, table, verdict

SOLVE_RATIO_TARGET = 1.5
HELP_SECONDS_TARGET = 0.3


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    bt = backtutor_cmd()
    py = sys.executable
    print(f"backtutor: {' '.join(bt)}\npython:    {py}\nbest of {n} wall-clock runs each\n")

    t_base = best_of([py, "-c", "import sympy, numpy"], n)
    t_solve = best_of([*bt, "solve", "problems/q4.yaml"], n)
    t_help = best_of([*bt, "--help"], n)
    t_python = best_of([py, "-c", "pass"], n)

    ratio = t_solve / t_base
    table(
        [
            ("python -c pass (info)", f"{t_python:.3f} s", "", "", ""),
            ('python -c "import sympy, numpy" (baseline)', f"{t_base:.3f} s", "1.00", "", ""),
            (
                "backtutor solve problems/q4.yaml",
                f"{t_solve:.3f} s",
                f"{ratio:.2f}",
                f"<= {SOLVE_RATIO_TARGET} x baseline",
                verdict(ratio <= SOLVE_RATIO_TARGET),
            ),
            (
                "backtutor --help (ABSOLUTE)",
                f"{t_help:.3f} s",
                "",
                f"<= {HELP_SECONDS_TARGET} s absolute",
                verdict(t_help <= HELP_SECONDS_TARGET),
            ),
        ]
    )


if __name__ == "__main__":
    main()
