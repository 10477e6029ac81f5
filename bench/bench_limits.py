"""Every command and format at the working-size limit: CPU time and peak memory, each as a ratio to
the terminal output's, against the promise of docs/reference/limits.md (at most 10 s and 1 GB within
the limits).

Two generated sigmoid networks at the limit of the working shown (one example × size ≤ MAX_SHOWN):
a deep one (8 inputs, 19 layers of 8, size 5,885: few closed forms short enough to write) and a wide
one (8 inputs, layers of 48 and 16, size 5,164: 1,153 closed forms for SymPy to simplify). Each peer
runs as `python -m backtutor` in a subprocess; its CPU time is user + system of the process and of
what it waited for (the SymPy worker), which, unlike wall time, hardly moves with the machine's load;
on an idle machine the two agree (backtutor waits for its worker). Peak memory is the largest
resident set of the process or its worker. The peers run in turn N times (after one untimed round);
medians with min–max, ratios as the median of the rounds' ratios. Printed, never asserted.
Run: python bench/bench_limits.py [N]   (N defaults to 3)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from _network import problem_yaml
from _util import ROOT, backtutor_cmd, rounds, table, verdict

CPU_TARGET = 10.0  # seconds: docs/reference/limits.md's promise within the limits
MEMORY_TARGET = 1024  # MB
MODELS = {"deep 8-8x19 (size 5,885)": [8] * 19, "wide 8-48-16 (size 5,164)": [48, 16]}


def peers(problem: Path, out: Path) -> dict[str, list[str]]:
    """Each command and format, by name; the terminal output first (the baseline)."""
    solve = [*backtutor_cmd(), "solve", str(problem)]
    return {
        "solve (terminal)": solve,
        "solve --simplify": [*solve, "--simplify"],
        "solve -f json": [*solve, "-f", "json"],
        "solve -f markdown": [*solve, "-f", "markdown"],
        "solve -f latex": [*solve, "-f", "latex"],
        "solve -f html": [*solve, "-f", "html"],
        "explore": [*backtutor_cmd(), "explore", str(problem), "-o", str(out)],
        "graph": [*backtutor_cmd(), "graph", str(problem)],
        "template": [*backtutor_cmd(), "template", str(problem)],
    }


def measured(cmd: Sequence[str]) -> tuple[float, float]:
    """(CPU seconds, peak MB) of one run of `cmd`, stdout to /dev/null; fails loudly if it fails."""
    p = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    err = p.stderr.read() if p.stderr else ""
    if p.returncode != 0:
        sys.exit(f"command failed ({p.returncode}): {' '.join(cmd)}\n{err}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def spread(samples: list[float], unit: str = "") -> str:
    return f"{statistics.median(samples):.2f}{unit} ({min(samples):.2f}–{max(samples):.2f})"


def compare(name: str, problem: Path, out: Path, n: int) -> list[tuple[str, str, str, str, str]]:
    """Table rows for one model: every peer's CPU time and peak memory, its ratio to the terminal's."""
    commands = peers(problem, out)
    for cmd in commands.values():  # untimed: writes the bytecode caches, starts the disk cache
        measured(cmd)
    cpu: dict[str, list[float]] = {k: [] for k in commands}
    memory: dict[str, list[float]] = {k: [] for k in commands}
    for _ in range(n):
        for k, cmd in commands.items():
            seconds, mb = measured(cmd)
            cpu[k].append(seconds)
            memory[k].append(mb)
    base = cpu["solve (terminal)"]
    rows = []
    for k in commands:
        ratios = [a / b for a, b in zip(cpu[k], base, strict=True)]
        ok = statistics.median(cpu[k]) <= CPU_TARGET and max(memory[k]) <= MEMORY_TARGET
        rows.append(
            (
                f"{name}: {k}",
                f"{spread(cpu[k], ' s')}, {max(memory[k]):.0f} MB",
                spread(ratios),
                f"<= {CPU_TARGET:g} s, {MEMORY_TARGET} MB",
                verdict(ok),
            )
        )
    return rows


def main() -> None:
    n = rounds(3)
    print(f"backtutor: {' '.join(backtutor_cmd())}\n{n} rounds; CPU time (user + system) and peak memory\n")
    rows = []
    with tempfile.TemporaryDirectory(prefix="backtutor-bench-") as tmp:
        for name, widths in MODELS.items():
            problem = Path(tmp, "network.yaml")
            problem.write_text(problem_yaml(widths), encoding="utf-8")
            rows += compare(name, problem, Path(tmp, "page.html"), n)
    table(rows)


if __name__ == "__main__":
    main()
