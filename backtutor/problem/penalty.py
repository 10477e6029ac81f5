"""A penalty on the parameters (`loss.penalty`): a node of its own, `E_penalty` = λ·Σw² (or ½λ·Σw²,
or λ·Σ|w|), added to each example's loss, so that the working shows it in the loss, its local
derivatives ∂E_penalty/∂w and the gradients, and the loss never uses a parameter directly."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from ..engine.expr import HALF, Call, Expr, Num, Sym
from ..engine.losses import LOSSES
from ..engine.notation import format_number
from .checker import Located, SpecReader
from .records import Training

if TYPE_CHECKING:
    from .schema import PenaltyFile


def penalised(c: SpecReader, model: list[tuple[str, Expr]], loss: str) -> list[tuple[str, Expr]]:
    """The model with the penalty node before the loss node and added to it (unchanged without one)."""
    s = c.spec
    p = s.loss.penalty
    if p is None:
        return model
    where = ("loss", "penalty")
    strength = check_strength(c, p)
    if LOSSES[s.loss.kind].is_output or not model or model[-1][0] != loss:
        raise c.fail(where, "a penalty is added to a loss; with kind 'output' there is none")
    over = p.parameters if p.parameters is not None else [n for n in s.parameters if n not in s.frozen]
    for i, name in enumerate(over):
        if name not in s.parameters:
            raise c.fail((*where, "parameters", i), f"'{name}' is not a parameter")
    if not over:
        raise c.fail(where, "there are no parameters to penalise")
    node = penalty_name(loss)
    if node in {n for n, _ in model} or node in s.parameters or node in s.inputs:
        raise c.fail(where, f"the penalty's node is named '{node}', and the model uses that name already")
    terms = [_term(Sym(n), p.l2 is not None) for n in over]
    total: Expr = terms[0] if len(terms) == 1 else Call("add", tuple(terms))
    factors: tuple[Expr, ...] = (HALF, Num(strength), total) if p.half else (Num(strength), total)
    *before, (_, expr) = model
    return [*before, (node, Call("mul", factors)), (loss, Call("add", (expr, Sym(node))))]


def check_strength(c: Located, p: PenaltyFile) -> Fraction:
    """The penalty's λ: one of l2 and l1, ≥ 0, and `half` only with l2, in the scalar and the array
    engine's files alike."""
    where = ("loss", "penalty")
    if (p.l1 is None) == (p.l2 is None):
        raise c.fail(where, "give one of l2: λ (λ·Σw²) or l1: λ (λ·Σ|w|)")
    strength = p.l2 if p.l2 is not None else p.l1
    assert strength is not None
    if strength < 0:
        raise c.fail(
            (*where, "l2" if p.l2 is not None else "l1"), f"λ must be ≥ 0, got {format_number(strength)}"
        )
    if p.half and p.l2 is None:
        raise c.fail((*where, "half"), "half goes with l2 (½λ·Σw²)")
    return strength


def penalty_name(loss: str) -> str:
    """The penalty node's name: E_penalty for a loss E or E_total."""
    return f"{loss.removesuffix('_total')}_penalty"


def penalty_node(model: tuple[tuple[str, Expr], ...], loss: str) -> tuple[str, Expr] | None:
    """The penalty node `penalised` added to the loss, as (name, formula); None without one."""
    exprs, name = dict(model), penalty_name(loss)
    total = exprs.get(loss)
    if name not in exprs or not (isinstance(total, Call) and total.op == "add" and Sym(name) in total.args):
        return None
    return name, exprs[name]


def _term(w: Expr, squared: bool) -> Expr:
    """w² for L2; |w| for L1 (its derivative at 0 is 0, as PyTorch's sign)."""
    if squared:
        return Call("pow", (w, Num(Fraction(2))))
    return Call("abs", (w,))


def check_batch(c: SpecReader, training: Training | None, reduction: str) -> None:
    """A penalty inside each example's loss counts once per update only if a batch's loss is a mean."""
    if c.spec.loss.penalty is not None and training and training.batch_size > 1 and reduction == "sum":
        raise c.fail(
            ("loss", "penalty"),
            "the penalty is part of each example's loss, so a batch of several examples needs "
            "reduction: mean (a sum would count it once per example)",
        )
