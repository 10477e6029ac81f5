"""The slips of convolution and pooling on numbers, each only where its rule exists: the kernel flipped
(a convolution worked where the layer computes the cross-correlation, as PyTorch's conv2d does) and
an average pool's window sum divided by its side F, or not at all, instead of by its F·F cells. Each
is tried in the step alone, then in the skipped steps under it as well (a pooled cell worked from a
feature map the student never wrote)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from fractions import Fraction

from ...engine.expr import Call, Expr, Num, Sym
from ...solution import Step
from .records import Alteration, SlipContext


def kernel_flipped(ctx: SlipContext, step: Step) -> Iterator[Alteration]:
    """A conv cell worked with each kernel weight in the place of its partner across the centre."""
    if step.phase != "forward" or not ctx.flipped:
        return

    def convolved(s: Step) -> Expr:
        leaves = {leaf.name: leaf for leaf, _, _ in s.leaves if isinstance(leaf, Sym)}
        partners = {w: leaves.get(q) for w, q in ctx.flipped.items() if w in leaves}
        if s.phase != "forward" or not partners or None in partners.values():
            return s.formula
        return _substituted(s.formula, {w: q for w, q in partners.items() if q is not None})

    yield Alteration(formula=convolved)
    yield Alteration(formula=convolved, deep=True)


def pool_divisor(ctx: SlipContext, step: Step) -> Iterator[Alteration]:
    """An average pool's cell as the window's sum over F (its side) or the sum alone, not over F·F."""
    cells = _pooled(step.formula) if step.phase == "forward" else None
    if cells is None:
        return
    side = round(cells**0.5)
    for divisor in ([side] if side * side == cells and side > 1 else []) + [1]:

        def divided(s: Step, d: int = divisor) -> Expr:
            n = _pooled(s.formula)
            if s.phase != "forward" or n is None:
                return s.formula
            assert isinstance(s.formula, Call)
            total = s.formula.args[0]
            return total if d == 1 else Call("div", (total, Num(Fraction(d))))

        told = {"divisor": f"divided by {divisor}" if divisor > 1 else "not divided", "cells": str(cells)}
        yield Alteration(formula=divided, fields=told)
        yield Alteration(formula=divided, deep=True, fields=told)


def _pooled(e: Expr) -> int | None:
    """The number of cells an average pool's formula (Σ window)/n divides by; None for any other."""
    if isinstance(e, Call) and e.op == "div" and isinstance(e.args[1], Num):
        first = e.args[0]
        if isinstance(first, Call) and first.op == "add" and all(isinstance(a, Sym) for a in first.args):
            return int(e.args[1].value)
    return None


def _substituted(e: Expr, by: Mapping[str, Sym]) -> Expr:
    """e with each leaf named in `by` replaced by its partner (the step's own leaf object)."""
    if isinstance(e, Sym):
        return by.get(e.name, e)
    if not isinstance(e, Call):
        return e
    return Call(e.op, tuple(_substituted(a, by) for a in e.args), e.param)
