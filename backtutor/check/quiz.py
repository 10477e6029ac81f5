"""A quiz over a Solution's steps, one answer at a time, graded as `check` grades a sheet.

Pure functions of a `Quiz` (the solution, its Checker, the steps asked) and a `QuizState` (the answers so
far): each gives a new QuizState, so the terminal (cli_quiz.py) and the tests drive it alike. An answer
is graded by the one grader (grade.py) on the growing sheet of answers so far, so written precision,
carried-forward errors and the named slips are exactly `check`'s. After a wrong number the student
goes on from their own value (later answers worked from it are carried forward) or from the correct
one (their answer is then replaced by the correct value in the sheet the later answers are graded
against; what they typed stays on the saved sheet and in the score).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from fractions import Fraction

from ..engine.expr import Expr
from ..engine.formula import format_number, text
from ..solution import Solution, Step
from ..solution.steps import substitute
from .grade import Checker
from .questions import IMPRECISE
from .sheet import Answer, parse_answer
from .verdicts import Report, Verdict

# typed instead of an answer: the next hint level; leave the step blank; stop with the score so far
COMMANDS = ("hint", "skip", "quit")


@dataclass(frozen=True)
class Quiz:
    sol: Solution
    checker: Checker
    steps: tuple[Step, ...]  # the questions, in working order


@dataclass(frozen=True)
class QuizState:
    position: int = 0  # the question being asked (len(quiz.steps): done)
    answers: tuple[Answer, ...] = ()  # as typed, in the order asked
    verdicts: tuple[Verdict, ...] = ()  # one per answer, as shown when it was given
    corrected: frozenset[str] = frozenset()  # wrong answers replaced by the correct value from then on
    skipped: tuple[str, ...] = ()
    hints: int = 0  # hint levels shown for the current question
    pending: Verdict | None = None  # a wrong number: go on from the student's value or the correct one?
    stopped: bool = False  # the student quit (or the input ended)


def start(sol: Solution, steps: list[Step] | None = None, checker: Checker | None = None) -> Quiz:
    """A quiz over `steps` (default: the whole working), graded by `checker` (default: rounding)."""
    return Quiz(sol, checker or Checker(sol), tuple(sol.steps if steps is None else steps))


def question(quiz: Quiz, state: QuizState) -> Step | None:
    """The step asked now; None when the quiz is over (every step asked, or stopped) or waits for
    the choice after a wrong number."""
    if state.stopped or state.pending is not None or state.position >= len(quiz.steps):
        return None
    return quiz.steps[state.position]


def hint_texts(quiz: Quiz, state: QuizState, step: Step) -> tuple[str, ...]:
    """The hint levels of a step: `target = formula`, then `= the numbers substituted`, the numbers
    being the ones the student goes on from (their own, or the correct ones they chose)."""
    formula = f"{text(step.target)} = {text(step.formula)}"
    if step.substitution is None:
        return (formula,)
    worked = quiz.checker.recompute.state(_numbers(quiz, state))
    index = quiz.checker.index
    values = {leaf: worked.value(lid) if lid and lid in index else v for leaf, lid, v in step.leaves}

    def value_of(e: Expr) -> Fraction | float | None:
        return values.get(e)

    numbers = substitute(step.formula, value_of, collapse=step.phase == "backward")
    return formula, f"= {text(numbers)}"


def hint(quiz: Quiz, state: QuizState) -> tuple[QuizState, str | None]:
    """The next hint level of the current question (None when every level was shown)."""
    step = question(quiz, state)
    if step is None:
        return state, None
    levels = hint_texts(quiz, state, step)
    if state.hints >= len(levels):
        return state, None
    return dataclasses.replace(state, hints=state.hints + 1), levels[state.hints]


def remaining_hints(quiz: Quiz, state: QuizState, step: Step) -> tuple[str, ...]:
    """The hint levels not shown yet: what a wrong answer is told."""
    return hint_texts(quiz, state, step)[state.hints :]


def answer(quiz: Quiz, state: QuizState, written: str) -> tuple[QuizState, Verdict]:
    """Grade one answer (a number or a formula) to the current question. Raises ParseError when it
    is neither. A wrong number leaves the quiz waiting for `choose`; a number with fewer digits than
    the problem's assignment asks leaves the question open."""
    step = question(quiz, state)
    if step is None:
        raise ValueError("no question is being asked")
    given = parse_answer(step.id, written.strip(), quiz.sol)
    report = quiz.checker.grade([*_basis(quiz, state), given])
    verdict = next(v for v in report.verdicts if v.id == step.id)
    if verdict.status == IMPRECISE:  # fewer digits than the assignment asks: asked again
        return state, verdict
    wrong_number = verdict.status == "wrong" and given.value is not None
    after = dataclasses.replace(
        state,
        answers=(*state.answers, given),
        verdicts=(*state.verdicts, verdict),
        pending=verdict if wrong_number else None,
    )
    return (after if wrong_number else _next(after)), verdict


def choose(quiz: Quiz, state: QuizState, own: bool) -> QuizState:
    """After a wrong number: go on from the student's own value, or from the correct one."""
    if state.pending is None:
        return state
    corrected = state.corrected if own else state.corrected | {state.pending.id}
    return _next(dataclasses.replace(state, pending=None, corrected=corrected))


def skip(quiz: Quiz, state: QuizState) -> QuizState:
    """Leave the current step blank: the grader works it from the student's other answers."""
    step = question(quiz, state)
    if step is None:
        return state
    return _next(dataclasses.replace(state, skipped=(*state.skipped, step.id)))


def stop(state: QuizState) -> QuizState:
    """Quit (or the input ended): a pending choice is settled as the student's own value."""
    answered = _next(state) if state.pending is not None else state
    return dataclasses.replace(answered, pending=None, stopped=True)


def report(state: QuizState, sheet: str = "") -> Report:
    """The score of the answers given, as shown one by one; the first error of its own."""
    first = next((v for v in state.verdicts if v.status == "wrong"), None)
    return Report(sheet, state.verdicts, first)


def written(state: QuizState) -> dict[str, str]:
    """Each answered step id ↦ the answer as typed: the sheet `--save` writes."""
    return {a.id: a.written for a in state.answers}


def givens(quiz: Quiz, step: Step) -> list[tuple[str, str]]:
    """The numbers a step's part of the working starts from: the example's inputs and targets (when
    the step is one example's) and the parameters during the update."""
    sol, g = quiz.sol, quiz.sol.graph
    single = step.example is not None or sol.plan.batch_size == 1
    try:
        values = sol.values(step.update, step.example)
    except KeyError:
        return []
    kinds = ("input", "target", "param") if single else ("param",)
    return [
        (name, format_number(v))
        for name, v in values.items()
        if name in g.nodes and g.nodes[name].kind in kinds
    ]


def _next(state: QuizState) -> QuizState:
    return dataclasses.replace(state, position=state.position + 1, hints=0)


def _basis(quiz: Quiz, state: QuizState) -> list[Answer]:
    """The sheet so far as the grader takes it: a wrong answer the student chose to replace by the
    correct value is that value, exactly (a unit of 0: compared as is)."""
    index = quiz.checker.index
    return [
        Answer(a.id, repr(index[a.id].value), float(index[a.id].value)) if a.id in state.corrected else a
        for a in state.answers
    ]


def _numbers(quiz: Quiz, state: QuizState) -> dict[str, float]:
    return {a.id: a.value for a in _basis(quiz, state) if a.value is not None}
