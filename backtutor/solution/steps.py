"""One Step from a target, its formula and its numbers: the substitution, the leaves and what it
depends on, made the same way for every phase."""

from __future__ import annotations

from ..engine.expr import Call, Deriv, Expr, Num, Sym, Updated
from ..engine.ops import OPS, evaluate
from .ids import Ids, quantity
from .records import Step, Value, ValueOf


def make_step(
    ids: Ids,
    target: Expr,
    formula: Expr,
    value: float,
    t: int,
    k: int | None,
    value_of: ValueOf,
    closed_form: Expr | None = None,
    note: str = "",
) -> Step:
    """The Step that computes `target` (a value, a derivative or an updated parameter) in update t,
    example k; `value_of` gives the numbers of the formula's leaves."""
    phase = (
        "backward" if isinstance(target, Deriv) else "update" if isinstance(target, Updated) else "forward"
    )
    collapse = phase == "backward"  # derivatives show σ(…) by its value
    substitution = None if isinstance(formula, Num) else substitute(formula, value_of, collapse)
    leaves = tuple((leaf, ids.leaf(leaf, t, k), _known(value_of, leaf)) for leaf in formula_leaves(formula))
    return Step(
        ids(quantity(target), t, k),
        phase,
        target,
        formula,
        substitution,
        value,
        depends_on=tuple(dict.fromkeys(i for _, i, _ in leaves if i)),
        update=t,
        example=k,
        closed_form=closed_form,
        note=note,
        leaves=leaves,
    )


def substitute(e: Expr, value_of: ValueOf, collapse: bool) -> Expr:
    """The formula with numbers for names (and for derivative factors). With `collapse`, a function
    call is replaced by its value too: σ(net_o1)·(1 − σ(net_o1)) → 0.751 × (1 − 0.751)."""
    v = value_of(e) if isinstance(e, Sym | Deriv | Updated) or (collapse and isinstance(e, Call)) else None
    if v is not None:
        return Num(v)
    if isinstance(e, Call):
        if collapse and not OPS[e.op].infix:
            return Num(evaluate(e, lambda leaf: float(_known(value_of, leaf))))
        return Call(e.op, tuple(substitute(a, value_of, collapse) for a in e.args), e.param)
    return e


def _known(value_of: ValueOf, leaf: Expr) -> Value:
    """A leaf's number; every leaf of a worked formula has one."""
    v = value_of(leaf)
    if v is None:
        raise KeyError(f"no value for the leaf {leaf!r}")
    return v


def formula_leaves(e: Expr) -> list[Expr]:
    """Distinct leaves of a formula (names and derivative factors), in order of appearance."""
    if isinstance(e, Call):
        return list(dict.fromkeys(leaf for a in e.args for leaf in formula_leaves(a)))
    return [] if isinstance(e, Num) else [e]
