"""A graded sheet scored by the problem's assignment (solution/asked.py): a number written with fewer
digits than its question asks is "not enough digits to judge", each question earns its points by
the credit of its answers, and an answer to a step no question asks is feedback only.

Without an `assignment:` a report is left as the checker made it (every step asked, no precision).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from fractions import Fraction

from ..solution import Solution
from ..solution.asked import Question, asked, question_of
from .sheet import Answer
from .verdicts import Report, Score, Verdict

IMPRECISE = "imprecise"


class Marking:
    """The assignment's questions for one Solution, applied to each of its sheets' reports."""

    def __init__(self, sol: Solution) -> None:
        self.questions = asked(sol)
        self.of = question_of(self.questions)
        self.values = {s.id: s.value for s in sol.steps}

    def mark(self, report: Report, answers: Iterable[Answer]) -> Report:
        """The report with too-short numbers marked, and each question's score."""
        by_answer = {(a.id, a.written, a.element): a for a in answers}
        verdicts = tuple(
            self._precise(v, by_answer.get((v.id, v.answer, v.element))) for v in report.verdicts
        )
        first = report.first_error
        if first is not None and first not in verdicts:
            first = next((v for v in verdicts if v.status == "wrong"), None)
        scores = tuple(_score(q, verdicts) for q in self.questions)
        return dataclasses.replace(report, verdicts=verdicts, first_error=first, scores=scores)

    def _precise(self, v: Verdict, a: Answer | None) -> Verdict:
        q = self.of.get(v.id)
        if a is None or q is None or v.status not in ("right", "carried", "wrong"):
            return v
        why = too_few_digits(a, self.values[v.id], q)
        if not why:
            return v
        return dataclasses.replace(
            v,
            status=IMPRECISE,
            explanation=why,
            slip="",
            source="",
            again="",
            confidence="",
            candidates=(),
            told=(),
        )


def too_few_digits(a: Answer, value: float, q: Question) -> str:
    """Why a number has too few digits to judge against the question's precision, or ""; a number
    written exactly (0, 1, 20) is never short."""
    if a.value is None or a.formula is not None or not 0 < a.unit < math.inf or not math.isfinite(a.value):
        return ""
    if a.value == value:
        return ""
    decimals = round(-math.log10(a.unit))
    if q.decimals is not None and decimals < q.decimals:
        return (
            f"not enough digits to judge: {_many(decimals, 'decimal')} written, at least {q.decimals} asked"
        )
    figures = math.floor(math.log10(abs(a.value))) + decimals + 1 if a.value else 0
    if q.min_digits is not None and figures < q.min_digits:
        written = _many(figures, "significant figure")
        return f"not enough digits to judge: {written} written, at least {q.min_digits} asked"
    return ""


def _many(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")


def _score(q: Question, verdicts: tuple[Verdict, ...]) -> Score:
    """The question's points earned: right answers in full, carried ones at the question's credit
    (a step answered twice, w1+ and W1+, by its better answer)."""
    credit: dict[str, Fraction] = {}
    for v in verdicts:
        if v.id in q.steps:
            worth = (
                Fraction(1) if v.status == "right" else q.carried if v.status == "carried" else Fraction(0)
            )
            credit[v.id] = max(worth, credit.get(v.id, Fraction(0)))
    earned = q.points * sum(credit.values(), Fraction(0)) / len(q.steps)
    return Score(q.title, q.points, earned, q.steps, len(credit))
