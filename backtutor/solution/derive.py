"""One formula differentiated (`backtutor diff`): its Problem (problem/one_formula.py) worked by `solve`
like any problem file, at the point given, or without numbers when none is given.

The closed forms are written in the formula's own variables (`in_variables`). Without a point the
working is still made by the one run (the Steps, chain-rule formulas and
closed forms do not depend on the numbers), at a trial point; then every number is taken out, so
each step reads target = formula. A step without numbers has the value NaN, which no worked step
ever has (a run stops at the first value that is not finite).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import replace
from fractions import Fraction
from typing import cast

from ..engine.expr import Call, Expr, Sym
from ..errors import InputError
from ..problem.one_formula import TRIAL_SHIFTS, formula_problem
from .records import Epoch, NumericError, Solution
from .run import solve


def derive(formula: str, wrt: Iterable[str], at: Mapping[str, Fraction] | None = None) -> Solution:
    """The chain-rule working of `formula` by each of `wrt`: with the numbers at `at` (every
    variable's value), or without numbers when `at` is None."""
    chosen = list(wrt)
    if at is not None:
        try:
            return in_variables(solve(formula_problem(formula, chosen, at)))
        except NumericError as e:
            raise InputError(f"--at: {str(e).removeprefix('FORMULA: ')}") from None
    for attempt in range(len(TRIAL_SHIFTS)):
        try:
            return in_variables(without_numbers(solve(formula_problem(formula, chosen, None, attempt))))
        except NumericError:
            continue
    raise InputError(
        "FORMULA: the working needs one point where the formula can be computed, and none was found; "
        "give one with --at (e.g. --at x=2)"
    )


def without_numbers(sol: Solution) -> Solution:
    """The solution with every number taken out: the formulas, closed forms and notes stay."""
    nan = math.nan
    steps = tuple(replace(s, substitution=None, value=nan, leaves=()) for s in sol.steps)
    history = tuple(Epoch(e.epoch, nan, tuple(nan for _ in e.params)) for e in sol.history)
    return replace(sol, steps=steps, history=history, worked=(), parameters_during={})


def in_variables(sol: Solution) -> Solution:
    """Each closed form written in the formula's own variables: the intermediates (u1, h1, …) are
    the working's names, and the working already shows the chain in them; the closed form is the
    answer a student writes, ∂f/∂w = x·exp(w·x)/(1 + exp(w·x))."""
    nodes = sol.graph.nodes
    memo: dict[str, Expr] = {}

    def expand(e: Expr) -> Expr:
        if isinstance(e, Sym) and nodes.get(e.name) is not None and nodes[e.name].expr is not None:
            if e.name not in memo:
                memo[e.name] = expand(cast(Expr, nodes[e.name].expr))
            return memo[e.name]
        if isinstance(e, Call):
            return Call(e.op, tuple(expand(a) for a in e.args), e.param)
        return e

    steps = tuple(
        replace(s, closed_form=expand(s.closed_form)) if s.closed_form is not None else s for s in sol.steps
    )
    return replace(sol, steps=steps)
