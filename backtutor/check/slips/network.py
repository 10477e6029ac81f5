"""The slips about the network's own structure, each only where its rule exists in the network: W for
Wᵀ in the backward pass, the input factor of ∂E/∂w left out, the bias left out of a net input, net
used for out (the activation skipped), only the diagonal of the softmax Jacobian, and one example's
gradient used for the batch's. All are deep: a slip made in a step the student skipped shows in the
step they wrote (w5⁺ worked from a ∂E/∂w5 that was never written)."""

from __future__ import annotations

from collections.abc import Iterator

from ...engine.expr import ONE, ZERO, Call, Deriv, Expr, Sym
from ...engine.ops import ACTIVATIONS
from ...solution import Step
from ..recompute import FormulaRule
from .records import Alteration, SlipContext
from .rewrite import factors, replace


def w_for_wt(ctx: SlipContext, step: Step) -> Iterator[Alteration]:
    """δ_h = Σ_k W[h][k]·δ_k for Σ_k W[k][h]·δ_k: each ∂net_k/∂out_h (its weight) read across the
    row instead of down the column, in a square layer."""
    if step.phase == "forward" or not ctx.transposed:
        return
    during, transposed = ctx.parameters_during, ctx.transposed

    def across(s: Step, leaf: Expr, v: float) -> float:
        if s.phase == "backward" and isinstance(leaf, Deriv) and (leaf.of, leaf.wrt) in transposed:
            return float(during[s.update][transposed[(leaf.of, leaf.wrt)]])
        return v

    def theirs(s: Step, leaf: Expr) -> str | None:
        """That weight as the student has it after their own update before (the given one in the first)."""
        if s.phase == "backward" and isinstance(leaf, Deriv) and (leaf.of, leaf.wrt) in transposed:
            before = ctx.updated.get(s.update - 1, {}).get(transposed[(leaf.of, leaf.wrt)])
            return before.id if before is not None else None
        return None

    yield Alteration(leaf=across, reads=theirs, deep=True)


def input_missing(ctx: SlipContext, step: Step) -> Iterator[Alteration]:
    """∂E/∂w = δ, not δ·x: the factor ∂net/∂w (the input the weight multiplies) left out."""
    if step.phase != "forward" and ctx.weighted:

        def without(s: Step) -> Expr:
            out = s.formula
            for path, f in sorted(factors(s.formula), reverse=True):  # the deepest first: paths hold
                if ctx.is_input_factor(f):
                    out = replace(out, path, ONE)
            return out

        yield Alteration(formula=without, deep=True)


def bias_left_out(ctx: SlipContext, step: Step) -> Iterator[Alteration]:
    """net = w·x + … without its + b."""

    def unbiased(s: Step) -> Expr:
        return _without_bias(s.formula, ctx) if s.phase == "forward" else s.formula

    yield from _here_or_below(unbiased)


def net_for_out(ctx: SlipContext, step: Step) -> Iterator[Alteration]:
    """out = net: the activation of a unit skipped (a softmax, of several nets, is not one net)."""

    def skipped(s: Step) -> Expr:
        f = s.formula
        if s.phase == "forward" and isinstance(f, Call) and f.op in ACTIVATIONS and len(f.args) == 1:
            return f.args[0]
        return f

    yield from _here_or_below(skipped)


def softmax_diagonal(ctx: SlipContext, step: Step) -> Iterator[Alteration]:
    """∂E/∂net_j = ∂E/∂out_j·∂out_j/∂net_j alone: the softmax Jacobian's off-diagonal terms
    −out_i·out_j left out."""
    if step.phase == "forward" or not ctx.softmax_nets:
        return

    def diagonal(s: Step) -> Expr:
        f = s.formula
        if s.phase != "backward" or not (isinstance(f, Call) and f.op == "add"):
            return f
        kept = tuple(t for t in f.args if not _off_diagonal(t, ctx))
        if len(kept) == len(f.args) or not kept:
            return f
        return kept[0] if len(kept) == 1 else Call("add", kept)

    yield Alteration(formula=diagonal, deep=True)


def one_example(ctx: SlipContext, step: Step) -> Iterator[Alteration]:
    """The batch's ∂E/∂w taken as one example's ∂E/∂w[k], not the sum (or mean) over the batch."""
    examples = sorted({e for s in ctx.batch_sums for e in ctx.batch_sums[s]})
    if step.phase == "forward" or not examples:
        return
    for k in examples:

        def alone(s: Step, k: int = k) -> Expr:
            return ctx.batch_sums.get(s.id, {}).get(k, s.formula)

        yield Alteration(formula=alone, deep=True, fields={"example": str(k)})


def _here_or_below(rule: FormulaRule) -> Iterator[Alteration]:
    """In this step alone (one unit's slip), then in every skipped step under it as well."""
    yield Alteration(formula=rule)
    yield Alteration(formula=rule, deep=True)


def _without_bias(e: Expr, ctx: SlipContext) -> Expr:
    """A sum with each parameter added on its own (a bias) taken out; the same object when none is."""
    if not (isinstance(e, Call) and e.op == "add"):
        return e
    args = tuple(ZERO if isinstance(a, Sym) and a.name in ctx.graph.params else _without_bias(a, ctx)
                 for a in e.args)  # fmt: skip
    return e if all(a is b for a, b in zip(args, e.args, strict=True)) else Call("add", args)


def _off_diagonal(term: Expr, ctx: SlipContext) -> bool:
    """A term ∂E/∂out_i·∂out_i/∂net_j of a softmax with i ≠ j."""
    for _, f in factors(term):
        if isinstance(f, Deriv) and f.of in ctx.softmax_nets and ctx.softmax_nets[f.of] != f.wrt:
            return f.wrt in ctx.softmax_nets.values()
    return False
