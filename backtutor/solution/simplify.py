"""Closed forms simplified the way textbooks write them: ∂E/∂net_k = out_k − target_k for softmax and
cross-entropy, (a − t)·x for a sigmoid and binary cross-entropy, out·(1 − out) kept as such.

The expression goes to SymPy with the problem's node names as symbols and every call SymPy should
not open (σ(u), ReLU(u), softmax …: what `from_sympy` could not write back) as an opaque
placeholder, so SymPy only does algebra on names: cancel fractions, use Σ target = 1 where the
targets are a distribution, pull common factors out. The shorter of two candidates wins
(common factors pulled out of the form as it stands, or the cancelled form factored; the second only
when there are fractions or a distribution, as cancelling expands a deep network's products), so a
hidden layer's sum over its consumers stays a sum instead of being expanded. The work runs in the bounded
worker (`engine/bounded.py`): too large or too slow is a note, never a hang.

A network's forms repeat one shape in different names (every weight of a layer reads the same), so each
distinct shape is simplified once: its names become placeholders that sort as the names do (so SymPy
orders the terms as it would), the shape is simplified (or found in the cache) and the names put back.
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass
from typing import Any

from ..engine import bounded
from ..engine.bounded import Unfinished, run, start
from ..engine.expr import Call, Expr, Sym, names
from ..engine.formula import text
from ..engine.from_sympy import Unwritable, from_sympy, round_trip
from ..engine.graph import Graph
from ..engine.losses import LOSSES
from ..engine.ops import OPS
from ..engine.sympy_form import to_sympy
from ..problem.load import Problem

CACHED = 1024  # distinct shapes whose simplification is kept for the rest of the process
Groups = tuple[tuple[str, ...], ...]  # names whose sum is 1 in every example
_NO_NODES = Graph({}, "", (), (), ())


def simplified(expr: Expr, groups: Groups = ()) -> Expr | None:
    """`expr` simplified (in the worker, under its time and memory limits), or None when SymPy gave
    up or finds nothing simpler to write. For `backtutor diff` and the closed forms alike."""
    result = simplify(expr, groups)
    return None if isinstance(result, str) else result


@dataclass
class Budget:
    """Seconds of SymPy work left for a problem's forms (the worker's start-up not counted)."""

    seconds: float


def simplify(expr: Expr, groups: Groups = (), budget: Budget | None = None) -> Expr | str | None:
    """The simplified form of `expr`, None when SymPy writes it no simpler, or a note saying why it
    was skipped. budget: the caller's time for SymPy, spent here; a shape already simplified costs
    nothing and is answered when the budget is spent too."""
    shape, shape_groups, back = _shape(expr, groups)
    key = (shape, shape_groups)
    found = _done.get(key, _NOT_YET)
    if found is _NOT_YET:
        timeout = bounded.FORM_SECONDS if budget is None else min(bounded.FORM_SECONDS, budget.seconds)
        if timeout <= 0:
            return "not simplified: SymPy used all its time for this problem's forms"
        try:
            start()
            found = _simplify_shape(key, timeout, budget)
        except Unfinished as e:
            if timeout < bounded.FORM_SECONDS:  # cut short by the budget: not the shape's own verdict
                return f"not simplified: {e}"
            found = f"not simplified: {e}"
        if len(_done) >= CACHED:
            del _done[next(iter(_done))]
        _done[key] = found
    return found if found is None or isinstance(found, str) else _renamed(found, back)


def _simplify_shape(key: tuple[Expr, Groups], timeout: float, budget: Budget | None) -> Expr | str | None:
    """simplify_here in the worker, its time taken from the budget; None when it reads as the shape."""
    begun = time.monotonic()
    try:
        result = run(simplify_here, key, timeout)
    finally:
        if budget is not None:
            budget.seconds -= time.monotonic() - begun
    return None if not isinstance(result, str) and text(result) == text(key[0]) else result


_NOT_YET = "not simplified yet"
_done: dict[tuple[Expr, Groups], Expr | str | None] = {}  # shape ↦ simplify()'s answer for it


def _shape(expr: Expr, groups: Groups) -> tuple[Expr, Groups, dict[str, str]]:
    """`expr` and `groups` with each name a placeholder (x0, x1, … in the names' sorted order), the
    groups it cannot use left out, and placeholder ↦ name to put the names back."""
    used = names(expr)
    width = len(str(len(used)))
    placeholder = {n: f"x{i:0{width}d}" for i, n in enumerate(sorted(used))}
    usable = tuple(
        tuple(sorted(placeholder[n] for n in g)) for g in groups if all(n in placeholder for n in g)
    )
    return _renamed(expr, placeholder), usable, {p: n for n, p in placeholder.items()}


def _renamed(e: Expr, new: dict[str, str]) -> Expr:
    """e with each name in `new` renamed."""
    if isinstance(e, Sym):
        return Sym(new.get(e.name, e.name), e.example)
    if isinstance(e, Call):
        return Call(e.op, tuple(_renamed(a, new) for a in e.args), e.param)
    return e


def simplify_here(expr: Expr, groups: Groups = ()) -> Expr | str:
    """simplify() in this process (no time limit: the worker's task, and the tests')."""
    sympy = importlib.import_module("sympy")
    atoms: dict[Any, Expr] = {}
    s = to_sympy(_opaque(expr, atoms), _NO_NODES)
    placeholders = {sympy.Symbol(name): part for name, part in atoms.items()}
    if sympy.count_ops(s) > bounded.FORM_OPS:
        return f"not simplified: larger than {bounded.FORM_OPS} SymPy operations"
    candidates = [sympy.factor_terms(s)]
    if groups or any(p.exp.is_negative for p in s.atoms(sympy.Pow)):  # fractions to cancel, Σ t to use
        candidates.append(sympy.factor(_use_groups(sympy.cancel(s), groups)))
    best = min(candidates, key=sympy.count_ops)  # ties: the form as it stands, common factors pulled out
    position = {name: i for i, name in enumerate(names(expr))}

    def rank(e: Expr) -> int:
        return min((position.get(n, len(position)) for n in names(e)), default=-1)

    try:
        return from_sympy(best, placeholders, rank)
    except Unwritable as e:
        return f"not simplified: {e}"


def _opaque(e: Expr, atoms: dict[str, Expr]) -> Expr:
    """e with each call that SymPy should not open replaced by a placeholder name (kept in `atoms`)."""
    if not isinstance(e, Call):
        return e
    functions, powers = round_trip()
    if OPS[e.op].infix or e.op in functions.values() or e.op in powers.values():
        return Call(e.op, tuple(_opaque(a, atoms) for a in e.args), e.param)
    for name, part in atoms.items():
        if part == e:
            return Sym(name)
    name = f"⟨{len(atoms)}⟩"  # a name no problem file can use
    atoms[name] = e
    return Sym(name)


def _use_groups(r: Any, groups: Groups) -> Any:
    """r with Σ group = 1 used in its numerator: each coefficient (a polynomial in the group's
    names, per monomial of the other names) that holds a whole group's sum gets 1 for it."""
    sympy = importlib.import_module("sympy")
    numerator, denominator = sympy.fraction(r)
    for group in groups:
        symbols = [sympy.Symbol(n) for n in group]
        if not set(symbols) <= numerator.free_symbols:
            continue
        total = sympy.Add(*symbols)
        others = sorted(numerator.free_symbols - set(symbols), key=str)
        if not others:
            numerator = sympy.expand(numerator).subs(total, 1)
            continue
        poly = sympy.Poly(sympy.expand(numerator), *others)
        numerator = sympy.Add(
            *(
                sympy.expand(c.as_expr()).subs(total, 1)
                * sympy.Mul(*(x**k for x, k in zip(others, m, strict=True)))
                for m, c in poly.terms()
            )
        )
    return numerator / denominator


def groups_of(problem: Problem) -> Groups:
    """The targets as one group when the loss treats them as a distribution (cross-entropy) and every
    example's targets are ≥ 0 and sum to 1: what turns out·Σ target − target into out − target."""
    targets = tuple(problem.targets)
    if len(targets) < 2 or not LOSSES[problem.loss_kind].distribution or not problem.targets_distributions:
        return ()
    return (targets,)
