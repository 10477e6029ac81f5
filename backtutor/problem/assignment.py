"""A problem file's `assignment:` as the Problem holds it: each question with its patterns and where
they were written, so that solution/asked.py can name the line of a pattern that matches no step."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from . import yamlfile
from .yamlfile import Lines

if TYPE_CHECKING:  # the schema loads for the files that have an assignment (load.py)
    from .assignment_schema import AssignmentFile, QuestionFile


@dataclass(frozen=True)
class Pattern:
    """One entry of a question's `steps`: an id, a pattern with `*`, or a phase."""

    text: str
    line: int | None
    field: str  # assignment.questions[0].steps[1]


@dataclass(frozen=True)
class QuestionSpec:
    """One question of an `assignment:`: the steps it asks, its points and the precision it wants."""

    title: str
    patterns: tuple[Pattern, ...]
    points: Fraction | None  # None: a point per step asked
    min_digits: int | None  # significant figures an answer must give at least
    decimals: int | None  # decimals an answer must give at least
    carried: Fraction  # the credit for an answer carried forward from an earlier error (1: full)
    line: int | None
    field: str  # assignment.questions[0]


def assignment_of(section: AssignmentFile | None, lines: Lines) -> tuple[QuestionSpec, ...]:
    """The questions of a file's `assignment:` section (none without one)."""
    if section is None:
        return ()
    return tuple(_question(section, q, n, lines) for n, q in enumerate(section.questions))


def _question(section: AssignmentFile, q: QuestionFile, n: int, lines: Lines) -> QuestionSpec:
    at = ("assignment", "questions", n)
    own = q.min_digits is not None or q.decimals is not None  # a question's precision wins whole
    precise = q if own else section
    carried = next((c for c in (q.carried_forward, section.carried_forward) if c is not None), Fraction(1))
    patterns = tuple(
        Pattern(text, yamlfile.line_of(lines, (*at, "steps", i)), yamlfile.field_name((*at, "steps", i)))
        for i, text in enumerate(q.steps)
    )
    return QuestionSpec(
        title=q.title or f"Question {n + 1}",
        patterns=patterns,
        points=q.points,
        min_digits=precise.min_digits,
        decimals=precise.decimals,
        carried=carried,
        line=yamlfile.line_of(lines, at),
        field=yamlfile.field_name(at),
    )
