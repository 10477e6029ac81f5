"""What a homework asks: the questions of the problem file's `assignment:`, each resolved to the
Solution's step ids. Without an assignment, one question per phase with every step of it, a point
a step and no minimum precision (what `template`, `check` and the exports did before there was one).

A pattern is a step id with `*` for any text (`w*+`, `dE_total/dw*`) or a phase (`forward`,
`backward` or `gradients`, `updates`). Without `@t` it names the quantity at every update
(`w5+` is `w5+@1` and `w5+@2` when updates repeat; `w5+@1` is `w5+` when there is one update),
without `[k]` at every example of a batch.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from ..problem.assignment import Pattern, QuestionSpec
from ..problem.files import FileError
from .records import Solution, Step

PHASES = {"forward": "forward", "backward": "backward", "gradients": "backward", "updates": "update"}
_TITLES = {"forward": "Forward pass", "backward": "Backward pass", "update": "Updates"}
_AT = re.compile(r"@\d+$")
_EXAMPLE = re.compile(r"\[\d+\]")


@dataclass(frozen=True)
class Question:
    title: str
    points: Fraction
    steps: tuple[str, ...]  # step ids, in working order
    min_digits: int | None = None  # significant figures an answer must give at least
    decimals: int | None = None  # decimals an answer must give at least
    carried: Fraction = Fraction(1)  # the credit for an answer carried forward from an earlier error


def asked(sol: Solution, strict: bool = True) -> tuple[Question, ...]:
    """The questions the problem file asks, or one per phase without an `assignment:`; raises
    FileError naming the line of a pattern that matches no step, or of a step asked twice. Not
    `strict`: what the Solution's steps hold of them (a page that shows some updates' working)."""
    specs = sol.problem.assignment
    if not specs:
        return _by_phase(sol.steps)
    taken: dict[str, str] = {}  # step id ↦ the question that asks it
    questions = []
    for spec in specs:
        ids = _resolve(sol, spec, strict)
        for step_id in ids:
            if step_id in taken and strict:
                what = f"'{step_id}' is asked by {taken[step_id]} already; ask each step once"
                raise FileError(sol.problem.path, what, spec.line, spec.field)
            taken[step_id] = repr(spec.title)
        questions.append(_question(spec, ids))
    return tuple(questions)


def asked_working(sol: Solution) -> list[Step] | None:
    """The working that leads to the steps the assignment asks (a key or a worksheet of it);
    None without an assignment (all of it)."""
    if not sol.problem.assignment:
        return None
    return sol.working_for(*(i for q in asked(sol) for i in q.steps))


def question_of(questions: Iterable[Question]) -> dict[str, Question]:
    """Step id ↦ the question that asks it."""
    return {step_id: q for q in questions for step_id in q.steps}


def _by_phase(steps: tuple[Step, ...]) -> tuple[Question, ...]:
    phases: dict[str, list[str]] = {}
    for s in steps:
        phases.setdefault(s.phase, []).append(s.id)
    return tuple(Question(_TITLES.get(p, p), Fraction(len(ids)), tuple(ids)) for p, ids in phases.items())


def _question(spec: QuestionSpec, ids: tuple[str, ...]) -> Question:
    points = spec.points if spec.points is not None else Fraction(len(ids))
    return Question(spec.title, points, ids, spec.min_digits, spec.decimals, spec.carried)


def _resolve(sol: Solution, spec: QuestionSpec, strict: bool) -> tuple[str, ...]:
    """The ids a question's patterns name, in working order."""
    wanted: set[str] = set()
    for pattern in spec.patterns:
        found = {s.id for s in sol.steps if _matches(pattern.text, s)}
        if not found and strict:
            raise FileError(sol.problem.path, _no_match(pattern, sol.steps), pattern.line, pattern.field)
        wanted |= found
    return tuple(s.id for s in sol.steps if s.id in wanted)


def _matches(pattern: str, step: Step) -> bool:
    head, at, t = pattern.partition("@")
    if at and t != str(step.update):
        return False
    if head in PHASES:
        return step.phase == PHASES[head]
    name = _AT.sub("", step.id)
    if "[" not in head:
        name = _EXAMPLE.sub("", name)
    return re.fullmatch(".*".join(map(re.escape, head.split("*"))), name) is not None


def _no_match(pattern: Pattern, steps: tuple[Step, ...]) -> str:
    names = sorted({_EXAMPLE.sub("", _AT.sub("", s.id)) for s in steps})
    close = difflib.get_close_matches(pattern.text, names, n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"step ids look like {', '.join(names[:3])}, …"
    return (
        f"'{pattern.text}' matches no step; {hint} (`backtutor template` lists the ids; "
        f"phases: {', '.join(PHASES)})"
    )


def describe(q: Question) -> str:
    """What a question is worth and asks for, as a sheet or a report says it: 5 points, 3 significant
    figures at least."""
    points = f"{points_text(q.points)} point" + ("" if q.points == 1 else "s")
    if q.min_digits:
        return f"{points}, at least {q.min_digits} significant figure" + ("s" if q.min_digits > 1 else "")
    if q.decimals:
        return f"{points}, at least {q.decimals} decimal" + ("s" if q.decimals > 1 else "")
    return points


def points_text(f: Fraction) -> str:
    """Points as a person writes them: 5, 2.5."""
    return str(f.numerator) if f.denominator == 1 else f"{float(f):g}"
