"""The student's own state: every quantity their sheet gives, taken as written, and every quantity it
skips, worked out from their values (their parameters after update t start update t + 1).

Every diagnosis is a hypothesis confirmed this way: the step (and, for a `deep` slip, every skipped
step it rests on) is worked again under an altered rule, and the slip is named only when the rule
changed something and the result reproduces the student's number.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from ..engine.compile import Formula, compile_formula
from ..engine.expr import Call, Expr
from ..engine.ops import evaluate
from ..solution import Step
from .tolerance import EXACT
from .written import WrittenParts, put_in

FormulaRule = Callable[[Step], Expr]  # the formula a step is worked with
# which written parts of a formula are put in (out_o1 for σ(net_o1)): every one, none, or only these
Parts = bool | frozenset[str]
LeafRule = Callable[[Step, Expr, float], float]  # the number put in for a leaf of that formula
# the step whose number, as the student has it, is put in for a leaf instead (None: the leaf's own)
ReadRule = Callable[[Step, Expr], "str | None"]


def as_written(s: Step) -> Expr:
    return s.formula


def as_known(s: Step, leaf: Expr, v: float) -> float:
    return v


@dataclass(frozen=True)
class Hypothesis:
    """An altered rule, applied while recomputing a step (and, when `deep`, what it depends on)."""

    slip: str
    explanation: str
    formula: FormulaRule = as_written
    leaf: LeafRule = as_known
    deep: bool = False
    reads: ReadRule | None = None


AS_WORKED = Hypothesis("", "")  # no slip: the step as the solution works it
Try = tuple[str, Hypothesis]  # a slip: the step it is made in, and its rule
Pair = tuple[Try, Try]  # two slips
Paired = tuple[Try, list[Try]]  # two slips: one sure, the other one of several


class Recompute:
    """Works steps of one Solution from whatever numbers a student gave."""

    def __init__(self, steps: Iterable[Step]) -> None:
        self.index = {s.id: s for s in steps}
        self._positions: dict[str, dict[int, int]] = {}
        self._alters: dict[tuple[str, str, str], bool] = {}
        self._compiled: dict[str, Formula | None] = {}
        self._products: dict[tuple[str, ...], str] | None = None  # a chain product's factors ↦ its step
        self._shortcuts: dict[str, list[tuple[str, tuple[int, ...]]]] = {}
        self.parts = WrittenParts(self.index.values())

    def written_parts(self, s: Step, student: Mapping[str, float]) -> dict[int, str]:
        """The parts of the step's formula that the student wrote as steps of their own (out_o1 for
        σ(net_o1) in σ′): id of the part ↦ that step."""
        return {i: q for i, q in self.parts.of(s, self.positions(s)).items() if q in student}

    def state(self, student: Mapping[str, float]) -> SheetState:
        return SheetState(self, student)

    def alters(self, h: Hypothesis, s: Step) -> bool:
        """Does the rule change this step's formula or one of its numbers (the correct ones)?"""
        key = (h.slip, h.explanation, s.id)
        found = self._alters.get(key)
        if found is None:
            formula = h.formula(s)
            found = formula is not s.formula and formula != s.formula
            found = found or any(h.leaf(s, leaf, float(v)) != float(v) for leaf, _, v in s.leaves)
            found = found or (h.reads is not None and any(h.reads(s, leaf) for leaf, _, _ in s.leaves))
            self._alters[key] = found
        return found

    def positions(self, s: Step) -> dict[int, int]:
        """Each leaf occurrence in the step's formula (by identity: hashing Exprs is slow) ↦ its
        place in `s.leaves`. Altered formulas reuse these objects, so the map serves them too."""
        found = self._positions.get(s.id)
        if found is None:
            place = {leaf: i for i, (leaf, _, _) in enumerate(s.leaves)}
            found = self._positions[s.id] = {}
            stack = [s.formula, *place]
            while stack:
                e = stack.pop()
                if isinstance(e, Call):
                    stack.extend(e.args)
                elif e in place:
                    found[id(e)] = place[e]
        return found

    def shortcuts(self, s: Step) -> list[tuple[str, tuple[int, ...]]]:
        """The chain products inside the step that are steps of their own: ∂E/∂w5 = ∂E/∂out_o1 ·
        ∂out_o1/∂net_o1 · ∂net_o1/∂w5 is also ∂E/∂net_o1 (δ) · ∂net_o1/∂w5, the way the matrix form
        ∂E/∂W = δ·aᵀ works it. Each: (that step's id, the places in `s.leaves` of the other factors)."""
        found = self._shortcuts.get(s.id)
        if found is None:
            if self._products is None:
                self._products = {}
                for other in self.index.values():
                    ids = _chain(other, self.positions(other))
                    if ids is not None:
                        self._products.setdefault(tuple(i for i, _ in ids), other.id)
            ids = _chain(s, self.positions(s))
            found = []
            for k in range(len(ids or ()) - 1, 1, -1):  # the longest product first
                assert ids is not None
                sid = self._products.get(tuple(i for i, _ in ids[:k]))
                if sid is not None and sid != s.id:
                    found.append((sid, tuple(p for _, p in ids[k:])))
            self._shortcuts[s.id] = found
        return found

    def compiled(self, s: Step) -> Formula | None:
        """The step's own formula compiled (it is worked for every sheet); None when it cannot be,
        and `evaluate` then reports why on each call as before."""
        if s.id not in self._compiled:
            try:
                self._compiled[s.id] = compile_formula(s.formula, self.positions(s))
            except (KeyError, OverflowError):
                self._compiled[s.id] = None
        return self._compiled[s.id]

    def own(self, q: str, student: Mapping[str, float], spread: Mapping[str, float]) -> bool:
        """Is the written number of step q the student's own: not what their net gives, to its
        rounding (a wrong out_o1 moves σ′ with its last digit; a right 1.000 for σ(16) says nothing
        of σ′, which their net gives)?"""
        worked = SheetState(self, student, parts=False).work(self.index[q])[0]
        return not abs(student[q] - worked) <= spread.get(q, 0.0) * (1 + 1e-9) + EXACT

    def own_parts(self, student: Mapping[str, float], spread: Mapping[str, float]) -> frozenset[str]:
        """The written parts of formulas (outs) that are the student's own numbers (`own`)."""
        return frozenset(q for q in self.parts.owners() if q in student and self.own(q, student, spread))

    def rounding_slack(
        self, step: Step, state: SheetState, spread: Mapping[str, float], base: float
    ) -> float:
        """How far the step moves when each given number it rests on moves by its `spread` (as far as
        the student's rounding of it can explain). Only the skipped steps downstream of the moved
        number are worked again."""
        slack = 0.0
        below: dict[str, list[str]] = {}  # given or skipped id ↦ the skipped steps that use it
        for c in state.reworked(step):
            if c not in state.student and c in self.index:
                s = self.index[c]
                own = (q for q in state.written(s).values() if self.own(q, state.student, spread))
                for d in (*own, *s.depends_on):
                    below.setdefault(d, []).append(c)
        for d in state.frontier(step):
            moved_by = spread.get(d, 0.0)
            if not 0 < moved_by < math.inf:
                continue
            moved, todo = set(), [d]
            while todo:
                for c in below.get(todo.pop(), ()):
                    if c not in moved:
                        moved.add(c)
                        todo.append(c)
            nudged = SheetState(
                self, state.student, state.h, nudge=(d, state.student[d] + moved_by), parts=state.parts
            )
            nudged.known = {k: v for k, v in state.known.items() if k not in moved}
            slack += abs(nudged.work(step)[0] - base)
        return slack if math.isfinite(slack) else 0.0


def _chain(s: Step, place: Mapping[int, int]) -> list[tuple[str, int]] | None:
    """A backward step that is a product of steps (their ids and places in the leaves), else None."""
    f = s.formula
    if s.phase != "backward" or not (isinstance(f, Call) and f.op == "mul") or len(f.args) < 2:
        return None
    out = []
    for a in f.args:
        i = place.get(id(a))
        sid = s.leaves[i][1] if i is not None else None
        if i is None or sid is None:
            return None
        out.append((sid, i))
    return out


class SheetState:
    """One sheet's values under one rule: given numbers as written, skipped ones worked (lazily)."""

    def __init__(
        self,
        recompute: Recompute,
        student: Mapping[str, float],
        h: Hypothesis = AS_WORKED,
        nudge: tuple[str, float] | None = None,  # one given number moved (for the rounding slack)
        parts: Parts = True,  # written parts of a formula put in (out_o1 for σ(net_o1)), or worked again
    ) -> None:
        self.recompute, self.index = recompute, recompute.index
        self.student, self.h, self.nudge, self.parts = student, h, nudge, parts
        self.known: dict[str, float] = {}
        self.touched = False  # did the rule change any formula or number it was applied to?
        # the slips found so far in steps this sheet skipped (step id, rule): tried again in the
        # updates after, where the same slip carries on through skipped steps (m, v, the velocity)
        self.slips_skipped: list[tuple[str, Hypothesis]] = []
        self._reading: set[str] = set()  # steps being read for a leaf (`reads`): never in a loop
        self.pairs: list[Paired] = []  # the pairs of slips found so far (pairs.py), tried first after
        # an answer written with two digits swapped ↦ the number worked out for it (what was meant);
        # `as_meant`: those this state carries on as meant, the student having worked on with them
        self.meant: dict[str, float] = {}
        self.as_meant: frozenset[str] = frozenset()
        self.own_parts: frozenset[str] = frozenset()  # the sheet's written outs that are its own (`own`)

    def value(self, sid: str) -> float:
        """A quantity as the student has it: written, or worked from what they wrote."""
        if self.nudge is not None and sid == self.nudge[0]:
            return self.nudge[1]
        if sid in self.student:
            return self.student[sid]
        if sid not in self.known:
            self._fill(sid)
        return self.known[sid]

    def _fill(self, sid: str) -> None:
        """Work `sid` and every skipped step under it, deepest first (no recursion: chains are long)."""
        stack = [sid]
        while stack:
            top = stack[-1]
            s = self.index.get(top)
            if s is None:
                self.known[top] = math.nan
                stack.pop()
                continue
            todo = [
                d for d in s.depends_on if d in self.index and d not in self.student and d not in self.known
            ]
            if todo:
                stack.extend(todo)
                continue
            stack.pop()
            self.known[top] = self._evaluate(s, self.h if self.h.deep else AS_WORKED)

    def work(self, step: Step) -> tuple[float, bool]:
        """The step's value from the student's state under the rule, and whether the rule changed
        anything on the way."""
        self.touched = False
        for d in step.depends_on:
            self.value(d)
        return self._evaluate(step, self.h), self.touched

    def _evaluate(self, s: Step, h: Hypothesis) -> float:
        index, student, value = self.index, self.student, self.value
        # a leaf from an update that was not worked (not in the steps) keeps the Solution's number
        values = [
            value(lid) if lid and (lid in index or lid in student) else float(v) for _, lid, v in s.leaves
        ]
        if h.leaf is not as_known:
            altered = [h.leaf(s, leaf, b) for (leaf, _, _), b in zip(s.leaves, values, strict=True)]
            self.touched |= any(
                a != b and not (math.isnan(a) and math.isnan(b)) for a, b in zip(altered, values, strict=True)
            )
            values = altered
        if h.reads is not None:
            values = [
                self._read(h.reads(s, leaf), b) for (leaf, _, _), b in zip(s.leaves, values, strict=True)
            ]
        formula = s.formula if h.formula is as_written else h.formula(s)
        self.touched |= formula is not s.formula and formula != s.formula
        place = self.recompute.positions(s)
        written = self.written(s)
        compiled = self.recompute.compiled(s) if formula is s.formula and not written else None
        stand_ins: dict[int, str] = {}
        if written:  # out_o1 as written, not σ(net_o1) again, wherever σ(net_o1) is a part
            formula, stand_ins = put_in(formula, written)
        try:
            if compiled is not None:
                return compiled(values)
            return evaluate(
                formula, lambda e: value(stand_ins[id(e)]) if id(e) in stand_ins else values[place[id(e)]]
            )
        except (ArithmeticError, ValueError, OverflowError):
            return math.nan

    def _read(self, sid: str | None, v: float) -> float:
        """The number of step `sid` as the student has it, put in for a leaf worth `v` (which stays
        when there is no such step, or when working it would read this leaf again)."""
        if sid is None or sid in self._reading or (sid not in self.index and sid not in self.student):
            return v
        self._reading.add(sid)
        try:
            found = self.value(sid)
        finally:
            self._reading.discard(sid)
        self.touched |= found != v
        return found

    def frontier(self, step: Step) -> list[str]:
        """The given numbers the step rests on, through skipped steps."""
        return [d for d in self.reworked(step) if d in self.student]

    def inputs(self, step: Step) -> tuple[str, ...]:
        """What the step is worked from: its inputs, and the written steps that are parts of it."""
        return (*self.written(step).values(), *step.depends_on)

    def written(self, s: Step) -> dict[int, str]:
        """The parts of the step's formula put in as the student wrote them (`parts`)."""
        if not self.parts:
            return {}
        found = self.recompute.written_parts(s, self.student)
        if self.parts is True:
            return found
        return {i: q for i, q in found.items() if q in self.parts}

    def reworked(self, step: Step) -> list[str]:
        """The step's inputs, and the inputs of every skipped one under them, as far as given ones."""
        seen: set[str] = set()
        out: list[str] = []
        stack = list(self.inputs(step))
        while stack:
            d = stack.pop()
            if d in seen:
                continue
            seen.add(d)
            out.append(d)
            if d not in self.student and d in self.index:
                stack.extend(self.inputs(self.index[d]))
        return out
