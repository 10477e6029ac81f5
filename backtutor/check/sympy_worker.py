"""SymPy under a time and memory limit: one worker process, asked whether two formulas are equal.

Some formulas (a sum of eight weights to the 40th power, six nested sigmoids) make SymPy run for
minutes and take gigabytes. SymPy cannot be interrupted from inside, so it runs in a child process
with a memory limit; an answer it has not decided within the time limit is "could not decide" and
the worker is replaced.
"""

from __future__ import annotations

import importlib
import multiprocessing
import multiprocessing.connection
import os
from fractions import Fraction
from typing import Any

from ..engine.expr import Expr
from ..engine.graph import Graph

TIME_LIMIT = 2.0  # seconds per answer
MEMORY_LIMIT = 200 * 2**20  # bytes the worker may grow by
MAX_OPS = 400  # larger differences are left to the random-point comparison

Known = dict[str, Fraction | float]
_worker: tuple[Any, multiprocessing.connection.Connection] | None = None


def compare(a: Expr, b: Expr, graph: Graph, known: Known) -> str:
    """equal | different | unknown: SymPy's verdict on a − b, known numbers put in first."""
    from ..engine.sympy_form import to_sympy

    sympy = importlib.import_module("sympy")
    memo: dict[str, Any] = {}
    difference = to_sympy(a, graph, memo) - to_sympy(b, graph, memo)
    numbers = {
        sympy.Symbol(k): sympy.Rational(v.numerator, v.denominator)
        if isinstance(v, Fraction)
        else sympy.Float(v)
        for k, v in known.items()
    }
    difference = difference.xreplace(numbers)
    if sympy.count_ops(difference) > MAX_OPS:
        return "unknown"
    simple = sympy.simplify(difference)
    if simple == 0:
        return "equal"
    if simple.is_number and simple.is_zero is False:
        return "different"
    return "unknown"


def _serve(conn: multiprocessing.connection.Connection) -> None:
    """The worker: limit its memory, load SymPy, then answer requests until the pipe closes."""
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
            a, b, graph, known = conn.recv()
            try:
                verdict = compare(a, b, graph, known)
            except MemoryError:
                verdict = "SymPy needed more than its memory limit"
            except Exception as e:  # SymPy can fail in many ways on odd input: never the caller's problem
                verdict = f"SymPy failed: {type(e).__name__}"
            conn.send(verdict)
    except BaseException:  # the pipe closed, or memory ran out even for the reply: end quietly
        os._exit(0)


def _start() -> tuple[Any, multiprocessing.connection.Connection]:
    fork = "fork" in multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork") if fork else multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_serve, args=(child,), daemon=True)
    process.start()
    child.close()
    if not parent.poll(60) or parent.recv() != "ready":
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


def decide(a: Expr, b: Expr, graph: Graph, known: Known, timeout: float | None = None) -> str:
    """compare() in the worker: equal | different | unknown, or why it could not decide."""
    global _worker
    timeout = TIME_LIMIT if timeout is None else timeout
    try:
        if _worker is None:
            _worker = _start()
        _, conn = _worker
        conn.send((a, b, graph, known))
        if conn.poll(timeout):
            return str(conn.recv())
        _stop()
        return f"SymPy took more than {timeout:g} s"
    except (OSError, EOFError, ValueError):
        _stop()
        return "SymPy stopped (out of memory?)"
