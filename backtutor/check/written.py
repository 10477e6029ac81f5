"""The parts of a formula that are steps of their own: σ(net_o1) inside σ′ = σ(net_o1)·(1 − σ(net_o1))
is out_o1, softmax_2(net_c1, net_c2, net_c3) inside the softmax Jacobian is out_c2. A student who wrote
out_o1 works σ′ as out_o1·(1 − out_o1) from it, whether or not they wrote net_o1, so the recomputation
puts their written value in for that part.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from ..engine.expr import Call, Expr, Sym
from ..solution import Step

Positions = Mapping[int, int]  # a leaf occurrence (by identity) ↦ its place in the step's leaves


class WrittenParts:
    """For each step, the subterms of its formula that another (forward) step works out."""

    def __init__(self, steps: Iterable[Step]) -> None:
        self.steps = list(steps)
        self._owners: dict[tuple[Expr, tuple[str | None, ...]], str] | None = None
        self._parts: dict[str, dict[int, str]] = {}

    def of(self, s: Step, place: Positions) -> dict[int, str]:
        """id of each subterm of the step's own formula that is another step's ↦ that step's id."""
        found = self._parts.get(s.id)
        if found is None:
            owners = self._owners_of()
            found = self._parts[s.id] = {}
            for e in _calls(s.formula, top=False):
                owner = owners.get((e, _leaf_ids(e, s, place)))
                if owner is not None and owner != s.id:
                    found[id(e)] = owner
        return found

    def owners(self) -> set[str]:
        """The forward steps whose formula can be a part of another's."""
        return set(self._owners_of().values())

    def _owners_of(self) -> dict[tuple[Expr, tuple[str | None, ...]], str]:
        """Each forward step's formula, with the steps its leaves come from, ↦ the step."""
        if self._owners is None:
            self._owners = {}
            for q in self.steps:
                if q.phase == "forward" and isinstance(q.formula, Call):
                    place = {id(leaf): i for i, (leaf, _, _) in enumerate(q.leaves)}
                    self._owners.setdefault((q.formula, _leaf_ids(q.formula, q, place)), q.id)
        return self._owners


def _calls(e: Expr, top: bool = True) -> Iterator[Call]:
    if isinstance(e, Call):
        if top:
            yield e
        for a in e.args:
            yield from _calls(a)


def _leaf_ids(e: Expr, s: Step, place: Positions) -> tuple[str | None, ...]:
    """The steps the leaves under `e` come from (None: a given number), left to right."""
    out: list[str | None] = []
    stack = [e]
    while stack:
        x = stack.pop()
        if id(x) in place:
            out.append(s.leaves[place[id(x)]][1])
        elif isinstance(x, Call):
            stack.extend(reversed(x.args))
    return tuple(out)


def put_in(formula: Expr, written: Mapping[int, str]) -> tuple[Expr, dict[int, str]]:
    """The formula with each written part (by identity) a leaf of its own; those leaves (by identity)
    ↦ the step whose written value they stand for."""
    leaves: dict[int, str] = {}

    def walk(e: Expr) -> Expr:
        if id(e) in written:
            leaf = Sym(written[id(e)])
            leaves[id(leaf)] = written[id(e)]
            return leaf
        if not isinstance(e, Call):
            return e
        args = tuple(walk(a) for a in e.args)
        return e if all(a is b for a, b in zip(args, e.args, strict=True)) else Call(e.op, args, e.param)

    return walk(formula), leaves
