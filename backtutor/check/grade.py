"""Grading a sheet: each number right, carried forward from an earlier error, or an error of its own
with the slip named when one reproduces it.

Marking is adaptive: a number is checked against the student's own state (recompute.py), where every
quantity the sheet gives is taken as written and every skipped one is worked from their values. A
number is right when it is the correct value rounded the way it was written (tolerance.py), or when it
follows from their own right values; carried forward when it follows from a wrong one; otherwise the
slips (slips/catalogue.py) are tried, each a rule that must change the working here and reproduce the number.
The same slip made again is the same misconception, marked with `again`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from typing import cast

from ..engine.formula import format_number
from ..solution import Solution, Step
from .explain import UNDONE, Explainer, Found, told_at
from .formulas import FormulaJudge
from .misconceptions import Seen, one_slip_per_map
from .pairs import PairSearch
from .pen import transposed
from .places import Place, Unmatched
from .questions import Marking
from .recompute import Paired, Recompute, SheetState
from .sheet import Answer
from .slips.catalogue import ARITHMETIC, NO_SLIP, TRANSPOSED, UNWRITTEN, early_rounding
from .slips.records import Slip, SlipContext
from .tolerance import EXACT, Tolerance
from .verdicts import Report, Verdict


class Checker:
    """Grades sheets against one Solution (solved once, however many sheets)."""

    def __init__(self, sol: Solution, rtol: float | None = None, atol: float | None = None) -> None:
        self.sol = sol
        self.order = {s.id: i for i, s in enumerate(sol.steps)}
        self.tolerance = Tolerance(rtol, atol, sol.problem.tolerance)
        self.recompute = Recompute(sol.steps)
        self.index = self.recompute.index
        self.slips = SlipContext(sol)
        self.formulas = FormulaJudge(sol)
        self.expected = {s.id: format_number(s.value) for s in sol.steps}
        self.marking = Marking(sol) if sol.problem.assignment else None
        self.right: dict[tuple[str, str, str], Verdict] = {}  # verdicts are values: a class shares them
        self.explainer = Explainer(sol, self.recompute, self.slips, self.tolerance)

    @property
    def key(self) -> Solution:
        """What the reports show the answers against (a CNN table's checker has its own)."""
        return self.sol

    def grade(
        self, answers: Iterable[Answer], sheet: str = "", unmatched: tuple[Unmatched, ...] = ()
    ) -> Report:
        """The sheet's report: a verdict per answer, each at the answer's place, and the lines of a
        write-up that no step was found for (`unmatched`), as they were read."""
        given = sorted(answers, key=lambda a: self.order[a.id])
        known = [
            self.right.get((a.id, a.written, a.element)) for a in given
        ]  # a class writes the same numbers
        if all(known):
            shared = tuple(_at(cast(Verdict, v), a.where) for v, a in zip(known, given, strict=True))
            return self._marked(Report(sheet, shared, None, unmatched=unmatched), given)
        numbers = {a.id: a for a in given if a.value is not None}
        values = {i: a.value for i, a in numbers.items() if a.value is not None}
        spread = {i: self.spread(a) for i, a in numbers.items()}
        state, ordered = self._graded(given, known, values, spread)
        meant: dict[str, float] = {}  # digits swapped in writing, the number meant worked on with
        tried: set[str] = set()
        while len(tried) < 3:  # each swapped answer in turn: one may be the next one's input
            swapped = (v.id for v in ordered if TRANSPOSED.name in (v.slip, *v.candidates))
            nxt = next((i for i in swapped if i not in tried and i in state.meant), None)
            if nxt is None:
                break
            tried.add(nxt)
            trial = {**meant, nxt: state.meant[nxt]}
            again = self._graded(given, known, {**values, **trial}, spread, frozenset(trial))
            if _erring(again[1]) < _erring(ordered):
                meant, (state, ordered) = trial, again
        if self.sol.problem.layers:  # convolution on numbers: a map's slip is the one behind all of it
            ordered = one_slip_per_map(ordered)
        seen = Seen()
        ordered = [seen.mark(v) if v.status == "wrong" or v.slip else v for v in ordered]
        first = next((v for v in ordered if v.status == "wrong"), None)
        return self._marked(Report(sheet, tuple(ordered), first, unmatched=unmatched), given)

    def _graded(
        self,
        given: list[Answer],
        known: list[Verdict | None],
        values: Mapping[str, float],
        spread: Mapping[str, float],
        as_meant: frozenset[str] = frozenset(),
    ) -> tuple[SheetState, list[Verdict]]:
        """Each answer's verdict, in working order, from the student's numbers (`as_meant`: the ids
        whose number is what they meant, not the digits they swapped writing it)."""
        state = self.recompute.state(values)
        state.as_meant, state.own_parts = as_meant, self.recompute.own_parts(values, spread)
        verdicts: dict[str, Verdict] = {}  # by step id, what later answers' grading reads
        ordered: list[Verdict] = []  # every answer's, a step answered twice (w1+ and W1+) twice
        erred = False  # an answer wrong so far: a right one after it may rest on it
        for a, right in zip(given, known, strict=True):
            v = right or self.grade_one(a, state, verdicts, spread)
            if erred and v.status == "right" and a.value is not None:
                v = self._undone(a, v, state, verdicts, spread)
            v = _at(v, a.where)
            erred = erred or v.status == "wrong"
            verdicts[a.id] = v
            ordered.append(v)
        if state.pairs:  # two slips found together: the answers before that no slip explained
            ordered = [self._retried(v, a, state, spread) for v, a in zip(ordered, given, strict=True)]
        return state, ordered

    def _undone(
        self,
        a: Answer,
        v: Verdict,
        state: SheetState,
        verdicts: Mapping[str, Verdict],
        spread: Mapping[str, float],
    ) -> Verdict:
        """A right number that the student's own wrong numbers do not give, and one slip made on them
        does (+ for − in w⁺ after a sign lost in ∂E/∂w): right, with that slip named, the two undoing
        each other. Else the verdict as it was."""
        step = self.index[a.id]
        if not self.source(step, state, verdicts):
            return v  # it rests on no wrong number
        plain = state.work(step)[0]
        slack = self.recompute.rounding_slack(step, state, spread, plain)
        assert a.value is not None
        if (
            abs(a.value - plain) <= _far(a, slack, plain)  # their own numbers give it near enough
            or self._rounded_early(a, step, state)
            or self._from_leaves(a, step, state, spread, plain)
        ):
            return v
        found = self.explainer.find(a, step, state, slack, plain, spread)
        if len(found) != 1:
            return v
        (f,) = found.values()
        return dataclasses.replace(v, explanation=UNDONE + f.explanation, slip=f.slip)

    def _retried(self, v: Verdict, a: Answer, state: SheetState, spread: Mapping[str, float]) -> Verdict:
        """An answer that no slip explained, tried again with the pairs of slips found later on the
        sheet (where they show in one answer alone, and here among others)."""
        if v.status != "wrong" or v.slip or v.candidates or a.value is None or a.formula is not None:
            return v
        step = self.index[a.id]
        plain = state.work(step)[0]
        slack = self.recompute.rounding_slack(step, state, spread, plain)
        paired = PairSearch(self.explainer, a, step, state).again(slack, plain, _far(a, slack, plain))
        return _at(self.two_slips(a, step, paired), v.where) if paired is not None else v

    def _marked(self, report: Report, given: list[Answer]) -> Report:
        """Scored by the problem's assignment, when it has one (questions.py)."""
        return self.marking.mark(report, given) if self.marking else report

    def grade_one(
        self, a: Answer, state: SheetState, verdicts: Mapping[str, Verdict], spread: Mapping[str, float]
    ) -> Verdict:
        step = self.index[a.id]
        if a.unreadable:
            return self.verdict(a, "undecided", f"could not read this answer: {a.unreadable}")
        if a.formula is not None:
            v = self.formulas.grade(a, step)
            return dataclasses.replace(v, element=a.element) if a.element else v
        if a.value is None or not math.isfinite(a.value):
            return self.verdict(a, "wrong", "not a finite number: write the value as a decimal number")
        return self.grade_number(a, step, state, verdicts, spread)

    def spread(self, a: Answer) -> float:
        """How far the number the student worked on can be from the one they wrote: half its last
        digit, and none when it is the exact value (a given 0.4 or x1 = 1.0 copied, a bare integer)."""
        assert a.value is not None
        exact = not a.unit or math.isclose(a.value, self.index[a.id].value, rel_tol=EXACT, abs_tol=EXACT)
        return 0.0 if exact or a.unit == math.inf else 0.5 * a.unit

    def named(self, a: Answer, slip: Slip, **fields: object) -> Verdict:
        """A wrong answer, the catalogue's entry for its slip named."""
        return self.verdict(a, "wrong", slip.told(**fields), slip.name)

    def two_slips(self, a: Answer, step: Step, paired: Paired) -> Verdict:
        """A wrong answer two slips give together: the first sure, the second one of those listed."""
        sure, others = paired
        told = [told_at(h, site, step) for site, h in (sure, *others)]
        v = self.verdict(a, "wrong", _two_slips_told(told[0], told[1:]))
        names = tuple(h.slip for _, h in (sure, *others))
        return dataclasses.replace(v, confidence="two slips", candidates=names, told=tuple(told))

    def verdict(
        self, a: Answer, status: str, explanation: str = "", slip: str = "", source: str = ""
    ) -> Verdict:
        return Verdict(
            a.id,
            a.written,
            self.expected[a.id],
            status,
            explanation,
            slip,
            source,
            element=a.element,
            where=a.where,
        )

    def grade_number(
        self,
        a: Answer,
        step: Step,
        state: SheetState,
        verdicts: Mapping[str, Verdict],
        spread: Mapping[str, float],
    ) -> Verdict:
        """Right, right from the student's own numbers, carried forward, or wrong (diagnosed)."""
        if self.tolerance.close(a, step.value):
            v = self.right.get((a.id, a.written, a.element))
            if v is None:
                v = self.right[(a.id, a.written, a.element)] = self.verdict(a, "right")
            return v
        from_yours, _ = state.work(step)
        slack = 0.0  # how far their rounding of the inputs moves the step: only worked out when needed
        consistent = self.tolerance.close(a, from_yours)
        if not consistent:
            slack = self.recompute.rounding_slack(step, state, spread, from_yours)
            consistent = (
                self.tolerance.close(a, from_yours, slack)
                or self._rounded_early(a, step, state)
                or self._from_leaves(a, step, state, spread, from_yours)
            )
        via = "" if consistent else self._through(a, step, state, verdicts, spread)
        source = self.source(step, state, verdicts, self._inputs(step, state, via))
        consistent = consistent or bool(via)
        if consistent and not source:
            return self.verdict(a, "right", "right from your own rounded values")
        if consistent:
            return self.verdict(
                a, "carried", f"method right; carried forward from the error in {source}", source=source
            )
        # its inputs are right: each one the student gave is, or it has none but given numbers
        # its inputs are right only when each was written (and right) or given, never when skipped
        inputs_right = all(d in verdicts for d in step.depends_on) and not source
        return self.diagnose(a, step, state, slack, from_yours, inputs_right, spread)

    def _from_leaves(
        self, a: Answer, step: Step, state: SheetState, spread: Mapping[str, float], from_yours: float
    ) -> bool:
        """Right from their own values with σ′ worked from their net, not their written out (the
        formula's own leaves), or from their net only where the out they wrote is σ of it (a wrong
        out is theirs to work σ′ from): each a right method."""
        for parts in (False, state.own_parts) if state.own_parts else (False,):
            leaves = SheetState(self.recompute, state.student, parts=parts)
            value = leaves.work(step)[0]
            # the same value as from their outs may still move otherwise with the digits of the
            # net (0 from a right 1.000 for σ(16), 1.1e-7 from 16.00)
            if self.tolerance.close(a, value, self.recompute.rounding_slack(step, leaves, spread, value)):
                return True
        return False

    def _rounded_early(self, a: Answer, step: Step, state: SheetState) -> bool:
        """Right from their unwritten inputs carried at as many decimals as this answer has (the
        written ones as they wrote them)."""
        decimals = self.tolerance.decimals(a)
        if decimals is None:
            return False
        carried = early_rounding(decimals, state.student)
        return self.tolerance.close(a, SheetState(self.recompute, state.student, carried).work(step)[0])

    def _through(
        self,
        a: Answer,
        step: Step,
        state: SheetState,
        verdicts: Mapping[str, Verdict],
        spread: Mapping[str, float],
    ) -> str:
        """The given step the answer follows from as one factor of the chain (δ in ∂E/∂w = δ·a), or ""."""
        assert a.value is not None
        for sid, rest in self.recompute.shortcuts(step):
            if sid not in verdicts or sid not in state.student:  # not graded yet, or a formula
                continue
            leaves = [step.leaves[i] for i in rest]
            ids = [sid, *(lid for _, lid, _ in leaves)]
            factors = [state.value(sid), *(state.value(lid) if lid else float(v) for _, lid, v in leaves)]
            value = math.prod(factors)
            slack = 0.0
            for k, i in enumerate(ids):
                if spread.get(i or ""):
                    others = math.prod(abs(f) for j, f in enumerate(factors) if j != k)
                    slack += spread[i or ""] * others
            if self.tolerance.close(a, value, slack):
                return sid
        return ""

    def _inputs(self, step: Step, state: SheetState, via: str) -> tuple[str, ...]:
        """What the step rests on: its inputs, or the given product it was worked from and the rest."""
        if not via:
            return state.inputs(step)
        rest = next(r for sid, r in self.recompute.shortcuts(step) if sid == via)
        return (via, *(i for i in (step.leaves[k][1] for k in rest) if i))

    def source(
        self,
        step: Step,
        state: SheetState,
        verdicts: Mapping[str, Verdict],
        inputs: Iterable[str] | None = None,
    ) -> str:
        """The earliest wrong answer this step rests on (its inputs unless given), directly or through
        skipped steps."""
        sources: set[str] = set()
        seen: set[str] = set()
        stack = list(state.inputs(step) if inputs is None else inputs)
        while stack:
            d = stack.pop()
            if d in seen:
                continue
            seen.add(d)
            if d in verdicts and d not in state.as_meant:  # digits swapped, worked on as meant
                if verdicts[d].status != "right":
                    sources.add(verdicts[d].source or d)
            elif (d not in state.student or d in state.as_meant) and d in self.index:
                stack.extend(state.inputs(self.index[d]))
        return min(sources, key=lambda i: self.order.get(i, -1), default="")

    def diagnose(
        self,
        a: Answer,
        step: Step,
        state: SheetState,
        slack: float,
        plain: float,
        inputs_right: bool,
        spread: Mapping[str, float] | None = None,
    ) -> Verdict:
        """The slip behind a wrong number: the one catalogued rule that changes this working (or a
        step skipped under it) and reproduces it; several, listed; none, no name."""
        found = self.explainer.find(a, step, state, slack, plain, spread)
        decimals = self.tolerance.decimals(a)
        meant = None if decimals is None or a.value is None else transposed(a.value, plain, decimals, slack)
        if meant is not None:
            found.setdefault(TRANSPOSED.name, Found(TRANSPOSED.name, TRANSPOSED.told(value=meant)))
            state.meant[a.id] = float(meant)  # their number, to its last digit
        if len(found) == 1:
            (f,) = found.values()
            return self.verdict(a, "wrong", f.explanation, f.slip)
        if found:
            each = tuple(f.explanation for f in found.values())
            v = self.verdict(
                a, "wrong", f"one of {len(found)} slips that give this number: " + "; or ".join(each)
            )
            return dataclasses.replace(v, confidence="several", candidates=tuple(found), told=each)
        if inputs_right:
            return self.named(a, ARITHMETIC, expected=format_number(plain))
        for d in range(1, min(self.tolerance.decimals(a) or 4, 4)):
            h = early_rounding(d)
            value, touched = SheetState(self.recompute, state.student, h).work(step)
            if touched and self.tolerance.close(a, value):
                return self.verdict(a, "wrong", h.explanation, h.slip)
        # what it rests on that the sheet skips, in working order: the error may be anywhere there
        unwritten = sorted(
            (d for d in state.reworked(step) if d not in state.student and d in self.index),
            key=self.order.__getitem__,
        )
        if unwritten:
            paired = PairSearch(self.explainer, a, step, state).find(slack, plain, _far(a, slack, plain))
            if paired is not None:
                return self.two_slips(a, step, paired)
            skipped = ", ".join(d for d in step.depends_on if d not in state.student)
            return self.named(a, UNWRITTEN, inputs=skipped or unwritten[-1], first=unwritten[0])
        return self.named(a, NO_SLIP)


def _erring(verdicts: Iterable[Verdict]) -> int:
    """The answers a slip shows in: wrong ones, and right ones two slips give (`_undone`)."""
    return sum(v.status == "wrong" or bool(v.slip) for v in verdicts)


def _far(a: Answer, slack: float, plain: float) -> float:
    """How far slips in skipped steps must move an answer to explain it (explain.py's `far`)."""
    return max(3 * a.unit + slack, 0.01 * abs(plain))


def _two_slips_told(sure: str, others: list[str]) -> str:
    second = others[0] if len(others) == 1 else "one of: " + "; or ".join(others)
    return f"two slips together give this number: {sure}; and {second}"


def _at(v: Verdict, where: Place | None) -> Verdict:
    """The verdict at the answer's place (the cached verdicts a class shares have none)."""
    return v if where is None or v.where == where else dataclasses.replace(v, where=where)
