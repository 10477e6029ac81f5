"""Grading a sheet: each number right, carried forward from an earlier error, or an error of its own
with the likely slip.

A number is right when it is the correct value rounded the way it was written (tolerance.py). It is
also right when it follows from the student's own earlier answers (allowing for their rounding) or
from the correct inputs rounded to as many decimals as the answer has. A wrong number is carried
forward when it follows from wrong earlier answers; otherwise the slips (slips.py) are tried, each by
recomputing the step with one rule altered (recompute.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..engine.formula import format_number
from ..solution import Solution, Step
from .formulas import grade_formula
from .recompute import Recompute
from .sheet import Answer
from .slips import Context, early_rounding, hypotheses
from .tolerance import Tolerance
from .verdicts import Report, Verdict


class Checker:
    """Grades sheets against one Solution (solved once, however many sheets)."""

    def __init__(self, sol: Solution, rtol: float | None = None, atol: float | None = None) -> None:
        self.sol = sol
        self.order = {s.id: i for i, s in enumerate(sol.steps)}
        self.tolerance = Tolerance(rtol, atol, sol.problem.tolerance)
        self.recompute = Recompute(sol.steps)
        self.slips = Context(sol)
        self.expected = {s.id: format_number(s.value) for s in sol.steps}
        self.siblings: dict[tuple[int, int | None, str], list[Step]] = {}
        for s in sol.steps:
            self.siblings.setdefault((s.update, s.example, s.phase), []).append(s)

    def grade(self, answers: Iterable[Answer], sheet: str = "") -> Report:
        given = sorted(answers, key=lambda a: self.order[a.id])
        numbers = {a.id: a for a in given if a.value is not None}
        student = {i: a.value for i, a in numbers.items() if a.value is not None}
        verdicts: dict[str, Verdict] = {}
        for a in given:
            step = self.recompute.index[a.id]
            if a.formula is not None:
                verdicts[a.id] = grade_formula(a, step, self.sol)
            else:
                verdicts[a.id] = self.grade_number(a, step, student, verdicts, numbers)
        ordered = tuple(verdicts[a.id] for a in given)
        first = next((v for v in ordered if v.status == "wrong"), None)
        return Report(sheet, ordered, first)

    def verdict(
        self, a: Answer, status: str, explanation: str = "", slip: str = "", source: str = ""
    ) -> Verdict:
        return Verdict(a.id, a.written, self.expected[a.id], status, explanation, slip, source)

    def grade_number(
        self,
        a: Answer,
        step: Step,
        student: Mapping[str, float],
        verdicts: Mapping[str, Verdict],
        numbers: Mapping[str, Answer],
    ) -> Verdict:
        """Right, right from the student's own numbers, carried forward, or wrong (diagnosed)."""
        if self.tolerance.close(a, step.value):
            return self.verdict(a, "right")
        decimals = self.tolerance.decimals(a)
        from_yours = self.recompute(step, student)
        slack = self.recompute.rounding_slack(step, student, numbers, from_yours)
        consistent = self.tolerance.close(a, from_yours, slack) or (
            decimals is not None
            and self.tolerance.close(a, self.recompute(step, student, early_rounding(decimals)))
        )
        wrong_inputs = [d for d in step.depends_on if d in verdicts and verdicts[d].status != "right"]
        if consistent and not wrong_inputs:
            return self.verdict(a, "right", "right from your own rounded values")
        if consistent:
            d = verdicts[wrong_inputs[0]]
            source = d.source or d.id
            return self.verdict(
                a, "carried", f"method right; carried forward from the error in {source}", source=source
            )
        inputs_right = any(d in verdicts for d in step.depends_on) and not wrong_inputs
        return self.diagnose(a, step, student, slack, from_yours if inputs_right else None)

    def diagnose(
        self, a: Answer, step: Step, student: Mapping[str, float], slack: float, from_inputs: float | None
    ) -> Verdict:
        """The slip behind a wrong number. `from_inputs`: the result of the student's inputs, when
        they gave some and all are right."""
        for other in self.siblings[(step.update, step.example, step.phase)]:
            if other.id != step.id and self.tolerance.close(a, other.value):
                return self.verdict(
                    a, "wrong", f"this is the value of {other.id}: two units' weights swapped?", "swapped"
                )
        direct = {d: student[d] for d in step.depends_on if d in student}
        for h in hypotheses(self.slips, step):
            # a deep hypothesis is tried from all the student's numbers and from the direct ones only,
            # since their rounding of deeper steps can hide the slip
            tries = (student, direct) if h.deep else (student,)
            if any(self.tolerance.close(a, self.recompute(step, given, h), slack) for given in tries):
                return self.verdict(a, "wrong", h.explanation, h.slip)
        if from_inputs is not None:
            expected = format_number(from_inputs)
            return self.verdict(
                a,
                "wrong",
                f"your inputs are right but the result is not: it should be {expected}",
                "arithmetic",
            )
        for d in range(1, min(self.tolerance.decimals(a) or 4, 4)):
            h = early_rounding(d)
            if self.tolerance.close(a, self.recompute(step, student, h)):
                return self.verdict(a, "wrong", h.explanation, h.slip)
        return self.verdict(a, "wrong", "no common slip reproduces this number")
