"""SymPy work under a time and memory limit, in one reusable worker process.

Some formulas make SymPy run for minutes and take gigabytes, and SymPy cannot be interrupted from
inside. So the work runs in a child process with a memory limit; a task not done within its time
limit is given up and the worker replaced. A task is a module-level function and its arguments
(both pickled), so any layer can send its own SymPy work here.
"""

from __future__ import annotations

import importlib
import multiprocessing
import multiprocessing.connection
import os
from collections.abc import Callable
from typing import Any, TypeVar, cast

T = TypeVar("T")

# ---- every limit on SymPy's work, in one place (docs/reference/limits.md states each, under
# "Closed forms and SymPy"). The numbers never depend on them: past a limit only a simplification is left out.
MEMORY_LIMIT = 300 * 2**20  # bytes the worker may grow by: a form that expands can take gigabytes
STARTUP_LIMIT = 60.0  # seconds to start the worker and load SymPy: slow on a loaded machine, not hung
ANSWER_SECONDS = 2.0  # per formula answer in check: a class's sheets wait on it; the random points decide
ANSWER_OPS = 400  # operations in an answer's difference above which the random points alone decide
FORM_SECONDS = 3.0  # per closed form: past it the form keeps its chain form, with a note
FORMS_BUDGET = 3.0  # for all of a problem's closed forms together: solve stays quick however many
FORM_OPS = 300  # operations in a closed form above which no simplification is tried
FUNCTION_SECONDS = 5.0  # per formula activation's derivative, simplified once when the file is loaded
FUNCTION_OPS = 200  # operations in a formula activation's derivative above which SymPy is not tried
FUNCTION_SIMPLIFY_OPS = 10  # sympy.simplify (it tries everything: slow) only on derivatives this small

_worker: tuple[Any, multiprocessing.connection.Connection] | None = None


class Unfinished(Exception):
    """The worker gave up: the message says why (time, memory, or SymPy's own failure)."""


def _let_go(keep: int) -> None:
    """Point every inherited descriptor but stdio and `keep` at /dev/null. A forked worker holds a
    copy of each file the parent had open: a pipe to another program (a browser driver) would never
    reach its end while the worker lives, and the parent, waiting for that program to exit, would
    wait forever. The numbers stay taken, so a stale object closing its old number closes nothing."""
    try:
        held = [int(fd) for fd in os.listdir("/proc/self/fd")]
    except OSError:
        return  # no /proc (not Linux): the worker still ends with its parent
    null = os.open(os.devnull, os.O_RDWR)
    for fd in held:  # the listing's own descriptor among them, closed by now: dup2 takes it again
        if fd > 2 and fd not in (keep, null):
            os.dup2(null, fd)
    os.close(null)


def _serve(conn: multiprocessing.connection.Connection, other: Any) -> None:
    """The worker: limit its memory, load SymPy, then run tasks until the pipe closes.

    A forked worker inherits the parent's end of the pipe too: it closes it, so that the pipe does
    close when the parent ends (however it ends) and the worker never outlives it; and it lets go of
    every other file the parent had open."""
    if other is not None:
        other.close()
        _let_go(conn.fileno())
    try:
        import resource

        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[0])
        limit = pages * resource.getpagesize() + MEMORY_LIMIT
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, OSError, ValueError):
        pass  # no /proc or no rlimit (not Linux): the time limit still holds
    importlib.import_module("sympy")
    conn.send("ready")
    try:
        while True:
            fn, args = conn.recv()
            try:
                reply: tuple[bool, Any] = (True, fn(*args))
            except MemoryError:
                reply = (False, "SymPy needed more than its memory limit")
            except Exception as e:  # SymPy can fail in many ways on odd input: never the caller's problem
                reply = (False, f"SymPy failed: {type(e).__name__}")
            conn.send(reply)
    except BaseException:  # the pipe closed, or memory ran out even for the reply: end quietly
        os._exit(0)


def _start() -> tuple[Any, multiprocessing.connection.Connection]:
    fork = "fork" in multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork") if fork else multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_serve, args=(child, parent if fork else None), daemon=True)
    process.start()
    child.close()
    if not parent.poll(STARTUP_LIMIT) or parent.recv() != "ready":
        process.kill()
        raise OSError("the SymPy worker did not start")
    return process, parent


def start() -> None:
    """Start the worker unless it runs (a caller timing SymPy's work leaves its start-up out)."""
    global _worker
    if _worker is None:
        try:
            _worker = _start()
        except OSError:
            raise Unfinished("SymPy did not start") from None


def stop() -> None:
    """End the worker (the next task starts a new one)."""
    global _worker
    if _worker is not None:
        process, conn = _worker
        conn.close()
        process.kill()
        process.join()
        _worker = None


def run(fn: Callable[..., T], args: tuple[Any, ...], timeout: float) -> T:
    """fn(*args) in the worker, or Unfinished saying why it was given up."""
    global _worker
    try:
        start()
        assert _worker is not None
        _, conn = _worker
        conn.send((fn, args))
        if conn.poll(timeout):
            done, result = conn.recv()
            if not done:
                raise Unfinished(str(result))
            return cast(T, result)
        stop()
        raise Unfinished(f"SymPy took more than {timeout:g} s")
    except (OSError, EOFError, ValueError):
        stop()
        raise Unfinished("SymPy stopped (out of memory?)") from None
