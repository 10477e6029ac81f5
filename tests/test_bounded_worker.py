"""The SymPy worker never outlives the process that started it (it held a test run's output open)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PARENT = """
import os
from backtutor.engine.bounded import run
print(run(os.getpid, (), 60), flush=True)
os._exit(0)  # as a pytest-xdist worker ends: no atexit handler, no daemon clean-up
"""


def test_the_worker_ends_with_its_parent_and_lets_go_of_its_output():
    # the worker inherits the parent's stdout: while it lives, reading the output never ends
    done = subprocess.run(
        [sys.executable, "-c", PARENT], stdout=subprocess.PIPE, timeout=50, cwd=ROOT, check=True
    )
    assert int(done.stdout) > 0  # the worker's pid: the task did run there
