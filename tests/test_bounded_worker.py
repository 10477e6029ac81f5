"""The SymPy worker never outlives the process that started it (it held a test run's output open),
and holds none of the files its parent had open (it held a pipe to Playwright's driver, whose end
the parent then waited for forever)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PARENT = """
import os, select
from backtutor.engine.bounded import run
r, w = os.pipe()  # as the pipe to a browser's driver: its reader waits until every writer closed it
print(run(os.getpid, (), 60), flush=True)
os.close(w)
print(select.select([r], [], [], 30)[0] == [r] and os.read(r, 1) == b"", flush=True)
os._exit(0)  # as a pytest-xdist worker ends: no atexit handler, no daemon clean-up
"""


def test_the_worker_ends_with_its_parent_and_lets_go_of_its_files():
    # the worker inherits the parent's stdout: while it lives, reading the output never ends
    done = subprocess.run(
        [sys.executable, "-c", PARENT], stdout=subprocess.PIPE, timeout=50, cwd=ROOT, check=True
    )
    pid, pipe_ended = done.stdout.split()
    assert int(pid) > 0  # the worker's pid: the task did run there
    assert pipe_ended == b"True"  # the parent closed its end of the pipe, and the worker held none
