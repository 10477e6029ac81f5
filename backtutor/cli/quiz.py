"""The `quiz` command's steps: the questions (the assignment's, --phases, --only), the loop that
reads one line at a time and drives the pure quiz (check/quiz.py), and the sheet `--save` writes
however the quiz ends.

Input is read a line at a time with `input()` (through rich), so a pipe works as a terminal does;
the end of input and Ctrl-C stop the quiz with the score so far, never with a traceback.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .arrays import refuse_arrays
from .common import (
    AtolOpt,
    ProblemArg,
    RtolOpt,
    failing,
)
from .outputs import check_output

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from ..check.quiz import Quiz, QuizState
    from ..solution import Solution, Step

MAX_LINE = 10_000  # characters a typed line may have (a formula has at most 2,000)
Read = Callable[["Text"], str]  # show a prompt, return the line typed; EOFError at the end of input


def prepare(file: Path, phases: str, only: str | None, rtol: float | None, atol: float | None) -> Quiz:
    """The quiz of a problem file: its steps in working order, those of --phases leading to --only."""
    from ..check import Checker
    from ..check.quiz import start
    from ..problem.load import load
    from ..solution import solve_by_hand

    sol = solve_by_hand(load(file))
    return start(sol, chosen_steps(sol, phases, only), Checker(sol, rtol, atol))


def check_save(save: Path) -> None:
    """Before the first question: --save must be a file that can be written (a temporary file is made
    and removed in its folder), so the answers typed are not lost at the end."""
    import os
    import tempfile

    from ..errors import InputError

    try:
        fd, tmp = tempfile.mkstemp(dir=save.absolute().parent, prefix=f".{save.name}.", suffix=".tmp")
    except OSError as e:
        raise InputError(
            f"--save {save}: cannot write there ({e.strerror or e}); give another path"
        ) from None
    os.close(fd)
    os.unlink(tmp)


def chosen_steps(sol: Solution, phases: str, only: str | None) -> list[Step]:
    from ..errors import InputError
    from ..render.documents.sheet import parse_phases
    from .solve import only_steps

    wanted = parse_phases(phases)
    chosen = [s for s in only_steps(sol, only) or asked_steps(sol) if s.phase in wanted]
    if not chosen:
        raise InputError(f"no steps to ask: none of the chosen working is in the phases {', '.join(wanted)}")
    return chosen


def asked_steps(sol: Solution) -> tuple[Step, ...]:
    """The steps the problem's assignment asks, in its order; every step without one."""
    from ..solution.asked import asked

    if not sol.problem.assignment:
        return sol.steps
    return tuple(sol.step(i) for q in asked(sol) for i in q.steps)


def practise(quiz: Quiz, save: Path | None) -> int:
    """Ask every question, show the score; the exit code: 0 every answer right, 1 one was not, 2 the
    sheet could not be saved."""
    from rich.console import Console

    from ..check.quiz import report, written
    from ..errors import InputError
    from ..render.documents.sheet import answer_sheet
    from ..render.terminal.quiz import final, intro
    from .common import report_error
    from .outputs import write_atomic  # on use: a test replaces it with a full disk

    console = Console(highlight=False)
    title = quiz.sol.problem.title or str(quiz.sol.problem.path)
    console.print(intro(title, len(quiz.steps)))
    state = run(quiz, console, _reader(console))
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the ending
    try:
        saved = ""
        if save is not None:
            sheet = answer_sheet(quiz.sol, list(quiz.steps), written(state))
            try:
                write_atomic(save, sheet)
                saved = str(save)
            except (InputError, OSError) as e:  # nothing typed is lost: the sheet goes to stdout
                report_error(f"{e}; your answers, as the sheet to save by hand:")
                sys.stdout.write(sheet)
                return 2
        result = report(state)
        console.print(final(result, len(state.skipped), len(quiz.steps) - state.position, saved))
    finally:
        signal.signal(signal.SIGINT, previous)
    return 0 if all(v.status == "right" for v in result.verdicts) else 1


def _reader(console: Console) -> Read:
    """Lines from stdin after a prompt; from a pipe, each line is echoed so the transcript reads as
    the terminal would have shown it."""
    echo = not sys.stdin.isatty()

    def read(prompt: Text) -> str:
        line = console.input(prompt)
        while len(line) > MAX_LINE:  # not parsed, not echoed: asked again
            console.print(f"a line of {len(line):,} characters; type at most {MAX_LINE:,}", markup=False)
            line = console.input(prompt)
        if echo:
            from ..text import terminal

            console.print(terminal(line), markup=False, highlight=False)
        return line

    return read


def run(quiz: Quiz, console: Console, read: Read) -> QuizState:
    """The questions one after another, each section headed by the numbers it starts from."""
    from ..check.quiz import QuizState, givens, question, stop
    from ..render.terminal.quiz import section

    state, group = QuizState(), None
    given: list[tuple[str, str]] = []
    try:
        while (step := question(quiz, state)) is not None:
            if group != (step.update, step.example, step.phase):
                group, before, given = (step.update, step.example, step.phase), given, givens(quiz, step)
                console.print(section(step, given if given != before else [], quiz.sol.updates))
            state = ask(quiz, state, step, console, read)
    except (EOFError, KeyboardInterrupt):
        console.print()  # end the prompt's line
        state = stop(state)
    return state


def ask(quiz: Quiz, state: QuizState, step: Step, console: Console, read: Read) -> QuizState:
    """One line for the current question: a command, an answer (graded at once), or neither."""
    from ..check.quiz import answer, hint, remaining_hints, skip, stop
    from ..engine.parse import ParseError
    from ..render.terminal.quiz import hints, prompt, unreadable, verdict

    line = read(prompt(step, state.position + 1, len(quiz.steps))).strip()
    command = line.lower()
    if command in ("quit", "skip"):
        return stop(state) if command == "quit" else skip(quiz, state)
    if command == "hint":
        state, shown = hint(quiz, state)
        console.print(hints((shown,) if shown else ()))
        return state
    if not line:
        return state
    try:
        after, v = answer(quiz, state, line)
    except ParseError as e:
        console.print(unreadable(str(e)))
        return state
    console.print(verdict(v))
    if after.pending is None:
        return after
    rest = remaining_hints(quiz, state, step)
    if rest:
        console.print(hints(rest))
    return settle(quiz, after, console, read)


def settle(quiz: Quiz, state: QuizState, console: Console, read: Read) -> QuizState:
    """After a wrong number: go on from the student's own value or from the correct one."""
    from ..check.quiz import choose, stop
    from ..render.terminal.quiz import choice, choice_help

    assert state.pending is not None
    try:
        while True:
            picked = read(choice(state.pending)).strip().lower()
            if picked in ("", "o", "own", "c", "correct"):
                return choose(quiz, state, own=picked in ("", "o", "own"))
            if picked == "quit":
                return stop(state)
            console.print(choice_help())
    except (EOFError, KeyboardInterrupt):
        console.print()
        return stop(state)


def quiz(
    file: ProblemArg,
    phases: Annotated[
        str, typer.Option(help="Phases to ask, comma-separated: forward, backward, update.")
    ] = "forward,backward,update",
    only: Annotated[str | None, typer.Option(help="Ask only the steps that lead to this step id.")] = None,
    rtol: RtolOpt = None,
    atol: AtolOpt = None,
    save: Annotated[Path | None, typer.Option(help="Write your answers to this sheet (for check).")] = None,
) -> None:
    """Practise: each step asked in working order, graded at once as check grades a sheet.

    Type a number or a formula; or hint, skip, quit. Exit code 0 when every answer is right, 1 when
    one is not, 2 when a file cannot be read or written."""
    with failing():
        check_output(save, (file,))
        refuse_arrays("quiz", file)
        if save is not None:
            check_save(save)
        chosen = prepare(file, phases, only, rtol, atol)
    raise typer.Exit(practise(chosen, save))
