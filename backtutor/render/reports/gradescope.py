"""A checked sheet as Gradescope's autograder results.json (gradescope-autograders.readthedocs.io,
"Autograder Specifications", Output format).

One test per step of the problem, in working order, worth one point: right, or carried forward
from an earlier error of the student's own (not counted again, as `check` marks), scores it;
wrong, undecided or not answered does not. With an `assignment:`, one test per question instead,
worth its points and scored as `check` scores it (check/questions.py), its output a line per step
it asks. A test's output is the verdict, the answer (and where it was written) and the explanation,
as `check` gives them. The top-level score is the sum, the top-level output the sheet's summary, its
first error and a write-up's lines that were not graded. Every output is plain text (never HTML,
Markdown or ANSI, which Gradescope would render), what came from the sheet with its control
characters made visible.
"""

from __future__ import annotations

from typing import Any

from ...check import Report, Verdict
from ...check.verdicts import Score
from ...text import json_dumps, visible
from .common import MARKS, AnswerKey, at, not_graded, told

CREDIT = ("right", "carried")
_PLAIN = {"output_format": "text", "test_output_format": "text"}


def results(report: Report, sol: AnswerKey, student: str = "") -> dict[str, Any]:
    """The results.json object for one sheet graded against `sol`."""
    given = {v.id: v for v in report.verdicts}
    if report.scores:
        tests = [_question(n, score, given) for n, score in enumerate(report.scores, 1)]
        lines = [f"{report.summary}."]
    else:
        steps = [(s.id, s.phase) for s in sol.steps]
        tests = [_test(n, i, phase, given.get(i)) for n, (i, phase) in enumerate(steps, 1)]
        lines = [f"{report.summary} (of {len(tests)} steps: {len(given)} answered)."]
    first = report.first_error
    if first:
        written = f" ({visible(at(first.where))})" if first.where else ""
        lines.append(f"First error of your own: {first.id}{written}: {visible(told(first))}")
    if student:
        lines.append(f"Graded against the problem of student {visible(student)}.")
    if report.note:
        lines.append(f"Note: {visible(report.note)}.")
    if report.unmatched:
        lines.append("Not graded (no step was found for these lines):")
        lines += [
            f"  {visible(at(u.where))}: {visible(not_graded(u))}: {visible(u.text)}" for u in report.unmatched
        ]
    return {
        "score": float(sum(t["score"] for t in tests)),
        "output": "\n".join(lines),
        **_PLAIN,
        "tests": tests,
    }


def failed(message: str) -> dict[str, Any]:
    """results.json for a sheet that could not be read: no points, and why."""
    return {
        "score": 0.0,
        "output": f"Your answer sheet could not be graded: {visible(message)}",
        **_PLAIN,
        "tests": [],
    }


def render_results(data: dict[str, Any]) -> str:
    return json_dumps(data, indent=2) + "\n"


def _question(number: int, score: Score, given: dict[str, Verdict]) -> dict[str, Any]:
    """One question of the assignment: its points, and a line per step it asks."""
    return {
        "name": score.title,
        "number": str(number),
        "score": float(score.earned),
        "max_score": float(score.points),
        "status": "passed" if score.right else "failed",
        "output": "\n".join(f"{i}: {_said(given.get(i))}" for i in score.steps),
    }


def _said(v: Verdict | None) -> str:
    if v is None:
        return "not answered"
    written = f" ({visible(at(v.where))})" if v.where else ""
    return f"{MARKS[v.status]}: your answer {visible(v.answer)}{written}" + (
        f". {visible(told(v))}" if told(v) else ""
    )


def _test(number: int, step_id: str, phase: str, v: Verdict | None) -> dict[str, Any]:
    score = 1.0 if v is not None and v.status in CREDIT else 0.0
    output = _said(v)
    return {
        "name": step_id,
        "number": str(number),
        "score": score,
        "max_score": 1.0,
        "status": "passed" if score else "failed",
        "output": output,
        "tags": [phase],
    }
