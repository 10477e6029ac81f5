"""Start-up cost of the command line.

Targets:
  * `backtutor solve problems/q4.yaml` (its default terminal output, stdout to /dev/null) takes at
    most 0.7 x the time of `python -c "import sympy, numpy"` (issue #19), run alternately in the same
    run (a ratio, so the machine's speed and load cancel): the terminal's default shows the closed
    forms as the chain rule assembles them, and loads no SymPy. The verdict is on CPU time (user +
    system), which the other jobs of a shared machine do not inflate; the wall-time ratio is printed
    next to it (on an idle machine the two agree: both commands are single-threaded);
  * for information, `solve --simplify` (the closed forms simplified by SymPy, in its worker, whose
    CPU time counts) and `solve -f markdown` (documents always simplify), as ratios to the same
    baseline;
  * `backtutor --help` takes at most 0.3 s, an ABSOLUTE wall-clock target (machine dependent).

The commands run in turn N times (after one untimed round); medians with min–max.
Run: python bench/bench_startup.py [N]   (N defaults to 11)
"""

from __future__ import annotations

import sys

from _util import alternate, backtutor_cmd, command, ratio, rounds, table, verdict

SOLVE_RATIO_TARGET = 0.7
HELP_SECONDS_TARGET = 0.3


def main() -> None:
    n = rounds(11)
    bt, py = backtutor_cmd(), sys.executable
    print(f"backtutor: {' '.join(bt)}\n{n} alternating rounds; wall-clock and CPU time of each run\n")
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
    cpu = {name: timing.on_cpu() for name, timing in t.items()}
    solve, solve_cpu = ratio(t["solve"], t["base"]), ratio(cpu["solve"], cpu["base"])
    target = f"<= {SOLVE_RATIO_TARGET} x baseline"
    rows = [
        ("python -c pass (info), wall", t["pass"].seconds(), "", "", ""),
        ('python -c "import sympy, numpy" (baseline), wall', t["base"].seconds(), "1", "", ""),
        ('python -c "import sympy, numpy" (baseline), CPU', cpu["base"].seconds(), "1", "", ""),
        ("backtutor solve problems/q4.yaml, wall (info)", t["solve"].seconds(), solve.ratio(), "", ""),
        (
            "backtutor solve problems/q4.yaml, CPU",
            cpu["solve"].seconds(),
            solve_cpu.ratio(),
            target,
            verdict(solve_cpu.median <= SOLVE_RATIO_TARGET),
        ),
    ]
    for name, flags in (("simplify", "--simplify"), ("markdown", "-f markdown")):
        rows.append(
            (
                f"backtutor solve problems/q4.yaml {flags} (info), CPU",
                cpu[name].seconds(),
                ratio(cpu[name], cpu["base"]).ratio(),
                "",
                "",
            )
        )
    rows.append(
        (
            "backtutor --help (ABSOLUTE), wall",
            t["help"].seconds(),
            "",
            f"<= {HELP_SECONDS_TARGET} s absolute",
            verdict(t["help"].median <= HELP_SECONDS_TARGET),
        )
    )
    rows.append(("backtutor --help (info), CPU", cpu["help"].seconds(), "", "", ""))
    table(rows)


if __name__ == "__main__":
    main()
