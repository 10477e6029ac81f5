"""Functions written as formulas of x in a problem file (an activation `asinh(x)/5 + 1/2`): their
derivative, derived once by the op table's rules (`ops.diff`), checked by central finite
differences, and shown with its derivation, simplified by SymPy where that reads better.

The numbers always come from the derived form, never from SymPy's: SymPy's work is bounded in time
and size (`bounded.py`), so a slow machine may show a derivation unsimplified but never changes a
number.
"""

from __future__ import annotations

import importlib
import math
from fractions import Fraction
from functools import lru_cache

from .expr import Call, Expr, Function, Num, names, size
from .formula import text
from .ops import OPS, X, as_sympy, diff, evaluate, ops_in

POINTS = (-2.35, -1.1, -0.45, 0.35, 0.9, 1.7, 3.05)  # where the derivative is checked
RTOL, ATOL = 1e-5, 1e-7


def derive(name: str, body: Expr) -> Function:
    """The function `name`(x) = body with its derivative derived by the op table's rules."""
    return Function(name, body, diff(body, X))


@lru_cache(maxsize=256)
def described(f: Function) -> Function:
    """f with its derivation written (SymPy's work, bounded; cached, since a network calls one
    activation from many units and the tests load the same files often)."""
    return Function(f.name, f.body, f.derivative, f.order, derivation(f))


def disagreement(f: Function) -> str | None:
    """Where the derived derivative disagrees with central finite differences of the body, said for
    the user; None when they agree at every checked point where the formula is defined."""
    assert f.derivative is not None
    checked = 0
    for x in POINTS:
        h = 1e-6 * max(1.0, abs(x))
        try:
            derived = evaluate(f.derivative, {X: x})
            fd = (evaluate(f.body, {X: x + h}) - evaluate(f.body, {X: x - h})) / (2 * h)
        except (ValueError, ZeroDivisionError, OverflowError):
            continue  # outside the formula's domain
        if not (math.isfinite(derived) and math.isfinite(fd)):
            continue
        checked += 1
        if not math.isclose(derived, fd, rel_tol=RTOL, abs_tol=ATOL):
            return (
                f"its derivative disagrees with central finite differences at x = {x:g} (derived "
                f"{derived:.9g}, finite differences {fd:.9g}): is the formula differentiable there?"
            )
    if checked < 2:
        where = ", ".join(f"{x:g}" for x in POINTS)
        return f"the formula is not defined (finite) at enough of the points where it is checked ({where})"
    return None


def derivation(f: Function) -> str:
    """name′(x) = d/dx (body) = derived form [= SymPy's simplified form], for the notes."""
    from . import bounded  # multiprocessing: only files with a formula function need it

    assert f.derivative is not None
    lhs = f"{f.name}′(x) = d/dx ({text(f.body)}) = {text(f.derivative)}"
    try:
        simple = bounded.run(simplified, (f.derivative,), timeout=bounded.FUNCTION_SECONDS)
    except bounded.Unfinished as e:
        return f"{lhs} (not simplified: {e})"
    if isinstance(simple, str):
        return f"{lhs} ({simple})"
    shown = text(simple)
    if shown == text(f.derivative) or not _readable(simple, f.derivative) or not _same(simple, f.derivative):
        return lhs
    return f"{lhs} = {shown}"


def simplified(e: Expr) -> Expr | str:
    """SymPy's simplest form of a formula of x (by its operation count, among the form SymPy builds
    itself, factor_terms, together, cancel and, for small forms, simplify), read back as an Expr; a
    reason when there is none. Runs in the bounded worker."""
    from . import bounded
    from .from_sympy import Unwritable, from_sympy

    sympy = importlib.import_module("sympy")
    x = sympy.Symbol(X, real=True)
    form = as_sympy(e, lambda s: x)
    if sympy.count_ops(form) > bounded.FUNCTION_OPS:
        return f"not simplified: larger than {bounded.FUNCTION_OPS} operations"
    forms = [form, sympy.factor_terms(form), sympy.together(form), sympy.cancel(form)]
    if sympy.count_ops(form) <= bounded.FUNCTION_SIMPLIFY_OPS:
        forms.append(sympy.simplify(form))
    try:
        return from_sympy(min(forms, key=sympy.count_ops))
    except Unwritable:
        return e  # SymPy wrote it with a function the op table does not have: keep the derived form


def _readable(simple: Expr, derived: Expr) -> bool:
    """SymPy's form is worth showing: hardly longer than the derived one, no piecewise op (SymPy
    writes those worse than the rules do), and no fraction with long digits (a decimal such as
    1.0507009873554805 becomes one in SymPy's exact arithmetic)."""
    if size(simple) > size(derived) + 2 or any(
        OPS[op].piecewise for op in {*ops_in(simple), *ops_in(derived)}
    ):
        return False
    todo = [simple]
    while todo:
        e = todo.pop()
        if (
            isinstance(e, Num)
            and isinstance(e.value, Fraction)
            and max(abs(e.value.numerator), e.value.denominator) > 1000
        ):
            return False
        if isinstance(e, Call):
            todo.extend(e.args)
    return True


def _same(a: Expr, b: Expr) -> bool:
    """True when a and b agree at the checked points where both are defined (guards the read-back)."""
    agree = 0
    for x in POINTS:
        try:
            va, vb = evaluate(a, {X: x}), evaluate(b, {X: x})
        except (ValueError, ZeroDivisionError, OverflowError):
            continue
        if not math.isclose(va, vb, rel_tol=1e-9, abs_tol=1e-12):
            return False
        agree += 1
    return agree > 0


def other_name(body: Expr) -> str | None:
    """The first name in a function's formula other than its variable x, if any."""
    return next((n for n in names(body) if n != X), None)
