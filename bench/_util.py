"""Shared helpers for the benchmark scripts (not a benchmark itself; pytest never collects bench/)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository
BENCH = Path(__file__).resolve().parent


def backtutor_cmd() -> list[str]:
    """The console script next to sys.executable, else `python -m backtutor`."""
    exe = Path(sys.executable)
    for name in ("backtutor", "backtutor.exe"):
        script = exe.parent / name
        if script.is_file() and os.access(script, os.X_OK):
            return [str(script)]
    return [sys.executable, "-m", "backtutor"]


def run_quiet(cmd: Sequence[str], ok_codes: Sequence[int] = (0,)) -> None:
    """Run once, stdout to /dev/null; fail loudly (with stderr) if the command fails."""
    r = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode not in ok_codes:
        sys.exit(f"command failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr}")


def best_of(cmd: Sequence[str], n: int = 5, warmup: int = 1, ok_codes: Sequence[int] = (0,)) -> float:
    """Best wall-clock time of `n` runs of a command (after `warmup` untimed runs)."""
    for _ in range(warmup):
        run_quiet(cmd, ok_codes)
    best = float("inf")
    for _ in range(n):
        t0 = time.perf_counter()
        run_quiet(cmd, ok_codes)
        best = min(best, time.perf_counter() - t0)
    return best


def best_of_call(fn: Callable[[], object], n: int = 3) -> tuple[float, object]:
    """Best wall-clock time of `n` in-process calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(n):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def table(rows: list[tuple[str, str, str, str, str]]) -> None:
    """Print rows of (what, measured, ratio/value, target, verdict)."""
    head = ("benchmark", "measured", "ratio", "target", "")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(5)]
    for r in [head, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())


def verdict(ok: bool) -> str:
    return "OK" if ok else "over"
