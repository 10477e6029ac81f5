"""Shared helpers for the benchmark scripts (not a benchmark itself; pytest never collects bench/).

Timing that holds on a busy machine: the command and its baseline alternate in one run (A B A B …),
so both meet the same load; each is reported as the median of its runs with the spread (min–max),
and a ratio is the median of the per-round ratios (the two ran back to back). Best-of-N in separate
blocks swings 2× when the load changes between the blocks. Every peer, backtutor and baselines
alike, runs with the same thread settings: one BLAS/OpenMP thread (set here, at import, for this
process and every subprocess it starts), and with bytecode caches.
"""

from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository
BENCH = Path(__file__).resolve().parent
THREADS = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
os.environ.update(THREADS)  # before numpy (or torch) is imported, here or in any subprocess
# every peer runs as an installed program does, from bytecode caches (pip writes them for the
# libraries; the untimed warm-up round writes backtutor's): with PYTHONDONTWRITEBYTECODE set, as on
# some build machines, backtutor alone would recompile its modules on every run
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.path.insert(0, str(ROOT))  # in process, too, the checkout's own backtutor, not an installed copy


def backtutor_cmd() -> list[str]:
    """`python -m backtutor`, run from the repository root: the checkout's own code is timed."""
    return [sys.executable, "-m", "backtutor"]


def command(
    cmd: Sequence[str], ok_codes: Sequence[int] = (0,), env: Mapping[str, str] | None = None
) -> Callable[[], float]:
    """A callable that runs `cmd` once from the repository root, stdout to /dev/null, with `env`
    added to the environment, and returns its CPU seconds (user + system, of the process and of the
    children it waited for, such as the SymPy worker); it fails loudly (with stderr) if the command
    fails."""

    def run() -> float:
        p = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert p.stderr is not None
        err = p.stderr.read()  # before the wait: a chatty command must not block on a full pipe
        p.stderr.close()
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = code = os.waitstatus_to_exitcode(status)
        if code not in ok_codes:
            sys.exit(f"command failed ({code}): {' '.join(cmd)}\n{err}")
        return usage.ru_utime + usage.ru_stime

    return run


@dataclass(frozen=True)
class Timing:
    """The samples of one peer, in the order they were taken (seconds, or ratios); for a command,
    also the CPU seconds of each run (`cpu`; empty for an in-process callable)."""

    samples: tuple[float, ...]
    cpu: tuple[float, ...] = ()

    def on_cpu(self) -> Timing:
        """The same runs in CPU time (user + system): on a shared machine the other jobs inflate a
        command's wall time, not the CPU it uses; on an idle machine the two agree."""
        assert self.cpu, "CPU time is measured for commands only"
        return Timing(self.cpu)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def seconds(self) -> str:
        return f"{self.median:.3f} s ({min(self.samples):.3f}–{max(self.samples):.3f})"

    def ratio(self) -> str:
        return f"{self.median:.2f} ({min(self.samples):.2f}–{max(self.samples):.2f})"


def alternate(peers: Mapping[str, Callable[[], object]], n: int, warmup: int = 1) -> dict[str, Timing]:
    """Wall-clock time of each callable, run in turn n times (A B C A B C …) after `warmup` untimed
    rounds, with the CPU seconds it returns (a `command` does); a garbage collection before each run
    keeps one run's garbage out of the next."""
    for _ in range(warmup):
        for run in peers.values():
            run()
    samples: dict[str, list[float]] = {name: [] for name in peers}
    cpu: dict[str, list[float]] = {name: [] for name in peers}
    for _ in range(n):
        for name, run in peers.items():
            gc.collect()
            t0 = time.perf_counter()
            used = run()
            samples[name].append(time.perf_counter() - t0)
            if isinstance(used, float):
                cpu[name].append(used)
    return {name: Timing(tuple(s), tuple(cpu[name])) for name, s in samples.items()}


def ratio(timed: Timing, baseline: Timing) -> Timing:
    """Per-round ratios: each run against the baseline's run of the same round."""
    return Timing(tuple(a / b for a, b in zip(timed.samples, baseline.samples, strict=True)))


def table(rows: list[tuple[str, str, str, str, str]]) -> None:
    """Print rows of (what, median time (min–max), ratio (min–max), target, verdict)."""
    head = ("benchmark", "median (min–max)", "ratio, median of rounds (min–max)", "target", "")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(5)]
    for r in [head, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())


def verdict(ok: bool) -> str:
    return "OK" if ok else "over"


def rounds(default: int) -> int:
    """N, the number of alternating rounds: the script's first argument, else `default`."""
    return int(sys.argv[1]) if len(sys.argv) > 1 else default
