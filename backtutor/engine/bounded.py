"""Work that may run away (SymPy on a user's formula) in one worker process under a time and memory
limit. SymPy cannot be interrupted from inside, so the work runs in a child process whose address
space is capped; a call not answered within its time limit gets `Exceeded` and the worker is
replaced. The worker loads SymPy before its first call, so the time limit counts the work only.
The functions called must be module-level (they are sent by reference).
"""

from __future__ import annotations

import importlib
import multiprocessing
import multiprocessing.connection
import os
from collections.abc import Callable
from typing import Any, TypeVar, cast

T = TypeVar("T")
MEMORY_LIMIT = 300 * 2**20  # bytes the worker may grow by
STARTUP_LIMIT = 60.0  # seconds to start the worker and load SymPy in it

_worker: tuple[Any, multiprocessing.connection.Connection] | None = None


class Exceeded(Exception):
    """The work went past its limit; the message says which, for the user."""


def run(fn: Callable[..., T], *args: Any, timeout: float) -> T:
    """fn(*args) in the worker; raises Exceeded past `timeout` seconds or the memory limit, or when
    fn failed (SymPy fails in many ways on odd input)."""
    global _worker
    try:
        if _worker is None:
            _worker = _start()
        _, conn = _worker
        conn.send((fn, args))
        if not conn.poll(timeout):
            _stop()
            raise Exceeded(f"took more than {timeout:g} s")
        ok, value = conn.recv()
    except (OSError, EOFError) as e:
        _stop()
        raise Exceeded(str(e) or "stopped (out of memory?)") from e
    if not ok:
        raise value
    return cast(T, value)


def _serve(conn: multiprocessing.connection.Connection) -> None:
    """The worker: limit its memory, then answer calls until the pipe closes."""
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
                reply = (False, Exceeded("needed more than its memory limit"))
            except Exception as e:  # SymPy fails in many ways on odd input: reported, never fatal
                reply = (False, Exceeded(f"failed ({type(e).__name__})"))
            conn.send(reply)
    except BaseException:  # the pipe closed, or memory ran out even for the reply: end quietly
        os._exit(0)


def _start() -> tuple[Any, multiprocessing.connection.Connection]:
    fork = "fork" in multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork") if fork else multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_serve, args=(child,), daemon=True)
    process.start()
    child.close()
    if not parent.poll(STARTUP_LIMIT) or parent.recv() != "ready":
        process.kill()
        raise OSError("the SymPy worker did not start")
    return process, parent


def _stop() -> None:
    global _worker
    if _worker is not None:
        process, conn = _worker
        conn.close()
        process.kill()
        process.join()
        _worker = None
