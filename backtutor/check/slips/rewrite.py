"""Formula surgery for the slips: the factors of a product, one replaced, σ′ taken for σ."""

from __future__ import annotations

from collections.abc import Iterator

from ...engine.expr import ONE, Call, Expr

Path = tuple[int, ...]  # argument positions from the root of a formula down to a subterm


def factors(e: Expr, path: Path = ()) -> Iterator[tuple[Path, Expr]]:
    """Every factor of every product in e, with its position (1 − σ(x) counts as part of σ′)."""
    if isinstance(e, Call):
        for i, a in enumerate(e.args):
            if e.op == "mul" and not _is_one_minus_sigma(a):
                yield (*path, i), a
            yield from factors(a, (*path, i))


def replace(e: Expr, path: Path, new: Expr) -> Expr:
    if not path:
        return new
    assert isinstance(e, Call)
    i = path[0]
    return Call(e.op, (*e.args[:i], replace(e.args[i], path[1:], new), *e.args[i + 1 :]), e.param)


def exchange(e: Expr, p: Expr, q: Expr) -> Expr:
    """e with the leaves p and q in each other's places (the leaf objects themselves, so the step's
    numbers for them, the student's own, are what the altered formula is worked with)."""
    if e == p:
        return q
    if e == q:
        return p
    if not isinstance(e, Call):
        return e
    return Call(e.op, tuple(exchange(a, p, q) for a in e.args), e.param)


def drop_one_minus_sigma(e: Expr) -> Expr:
    """σ·(1 − σ) → σ everywhere in e: the derivative of the sigmoid forgotten."""
    if not isinstance(e, Call):
        return e
    args = tuple(drop_one_minus_sigma(a) for a in e.args)
    if e.op == "mul":
        args = tuple(a for a in args if not _is_one_minus_sigma(a)) or (ONE,)
    if len(args) == len(e.args) and all(a is b for a, b in zip(args, e.args, strict=True)):
        return e  # unchanged: the same object, so the caller sees nothing was altered
    return Call(e.op, args, e.param)


def _is_one_minus_sigma(e: Expr) -> bool:
    return (
        isinstance(e, Call)
        and e.op == "sub"
        and e.args[0] == ONE
        and isinstance(e.args[1], Call)
        and e.args[1].op == "sigmoid"
    )
