"""What every check report shows beyond the table: the score, and for the first error of each kind
the correct working of that step next to the student's number."""

from __future__ import annotations

from dataclasses import dataclass

from ...arrays.records import ArraySolution, ArrayStep
from ...check import Report, Verdict
from ...check.arrays.compare import describe
from ...check.cnn.grade import ShapeKey
from ...check.places import Place, Unmatched
from ...engine.expr import Num
from ...engine.formula import text
from ...solution import Solution, Step
from ...solution.asked import points_text

MARKS = {
    "right": "✓ right",
    "carried": "↪ carried",
    "wrong": "✗ wrong",
    "imprecise": "… too few digits",
    "undecided": "? could not decide",
}


def at(where: Place | None) -> str:
    """Where an answer was written, as a report shows it: homework.md:14, or "" when the sheet does not
    say."""
    return "" if where is None else str(where)


def short(where: Place) -> str:
    """A place within its own sheet (a report names the sheet above it): line 14, or cell 3, line 2."""
    if not where.line:
        return "array"
    return f"line {where.line}" if where.cell is None else f"cell {where.cell}, line {where.line}"


def not_graded(u: Unmatched) -> str:
    """Why a line of a write-up was not graded, with the steps an ambiguous name could be."""
    if u.why == "ambiguous" and u.candidates:
        return f"ambiguous: it could be {', '.join(u.candidates)}"
    return u.why


@dataclass(frozen=True)
class Working:
    """One first error of its kind, with the step as it should be worked."""

    verdict: Verdict
    lines: tuple[str, ...]  # target = formula = numbers = value, as text


def told(v: Verdict) -> str:
    """The explanation and, for an own error, how sure its diagnosis is: what a report's reader is told."""
    if v.diagnosis and v.explanation and v.diagnosis not in v.explanation:  # not said twice
        return f"{v.explanation} [{v.diagnosis}]"
    return v.explanation or v.diagnosis


def working(step: Step | ArrayStep) -> tuple[str, ...]:
    """The step's correct working, one equation per line, repeats left out; an array's as its
    formula and its summary (shape, norm)."""
    if isinstance(step, ArrayStep):
        return (
            (step.formula, f"{step.id} = {describe(step.value)}") if step.formula else (describe(step.value),)
        )
    target = text(step.target)
    parts = [text(step.formula)]
    if step.substitution is not None and text(step.substitution) not in parts:
        parts.append(text(step.substitution))
    value = text(Num(step.value))
    if value not in parts:
        parts.append(value)
    return tuple(f"{target} = {p}" for p in parts)


# what sheets are checked against: a Solution, a CNN's table, or the array engine's working
AnswerKey = Solution | ShapeKey | ArraySolution


def title(key: AnswerKey) -> str:
    """What a report says it checked against: the problem's title, else its file."""
    if isinstance(key, ShapeKey):
        return key.title or key.path
    return key.problem.title or key.problem.path


def first_errors(report: Report, key: AnswerKey) -> list[Working]:
    """The first error of each kind (a repeated slip shown once), with its correct working."""
    if isinstance(key, ShapeKey):
        shaped = {s.id: s.working for s in key.steps}
        wrong = [v for v in report.verdicts if v.status == "wrong" and not v.again and v.id in shaped]
        return [Working(v, shaped[v.id]) for v in wrong]
    index = {s.id: s for s in key.steps}
    return [
        Working(v, working(index[v.id]))
        for v in report.verdicts
        if v.status == "wrong" and not v.again and v.id in index
    ]


def question_lines(report: Report) -> list[str]:
    """With an assignment: each question's points on this sheet (The gradients: 3.5/4 points)."""
    return [f"{s.title}: {points_text(s.earned)}/{points_text(s.points)} points" for s in report.scores]


def class_counts(reports: list[Report]) -> list[tuple[str, int]]:
    """Steps by how many sheets have an error of their own there, most first."""
    counts: dict[str, int] = {}
    for r in reports:
        for v in r.verdicts:
            if v.status == "wrong":
                counts[v.id] = counts.get(v.id, 0) + 1
    return sorted(counts.items(), key=lambda kv: -kv[1])


def totals(reports: list[Report]) -> dict[str, int]:
    """The class's score: right, own errors, distinct misconceptions, carried, undecided."""
    return {
        "right": sum(r.right for r in reports),
        "own errors": sum(r.own_errors for r in reports),
        "distinct misconceptions": sum(r.misconceptions for r in reports),
        "carried forward": sum(r.carried for r in reports),
        "could not decide": sum(r.undecided for r in reports),
    }
