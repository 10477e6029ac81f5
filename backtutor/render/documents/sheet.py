"""Answer sheets (YAML) for a Solution: every step id in working order, with what it is; blank for
`template`, or filled in with the answers typed in `quiz`."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import groupby

from ...engine.formula import text
from ...errors import InputError
from ...matrix.records import MatrixStep
from ...matrix.stages import base, maps
from ...solution import Solution, Step
from ...solution.asked import Question, describe
from ...text import PLAIN_NUMBER, yaml_comment, yaml_string

PHASES = ("forward", "backward", "update")


def parse_phases(spec: str) -> tuple[str, ...]:
    """--phases: a comma-separated choice of forward, backward, update."""
    chosen = tuple(p.strip() for p in spec.split(",") if p.strip())
    unknown = [p for p in chosen if p not in PHASES]
    if unknown or not chosen:
        raise InputError(
            f"--phases: unknown phase {unknown[0] if unknown else ''!r}; use {', '.join(PHASES)}"
        )
    return chosen


def blank_sheet(sol: Solution, phases: tuple[str, ...] = PHASES, questions: tuple[Question, ...] = ()) -> str:
    """Every step of `phases`; with `questions` (a problem's assignment), only the steps they ask,
    under each question's title."""
    if not questions:
        return answer_sheet(sol, [s for s in sol.steps if s.phase in phases], {})
    lines = _head(sol)
    for q in questions:
        steps = [sol.step(i) for i in q.steps if sol.step(i).phase in phases]
        if steps:
            lines += ["", f"# {yaml_comment(q.title)} ({describe(q)})"]
            lines += [_line(s, None) for s in steps]
    return "\n".join(lines) + "\n"


def answer_sheet(sol: Solution, steps: list[Step], answers: Mapping[str, str]) -> str:
    """The sheet of `steps`, each with its answer as written (`~` where there is none). The title and
    the answers are one line each whatever they hold: a newline must not write an answer line."""
    lines = _head(sol)
    for (update, example, phase), group in groupby(steps, key=lambda s: (s.update, s.example, s.phase)):
        where = f"update {update}" + (f", example {example}" if example is not None else "")
        lines += ["", f"# {phase} ({where})"]
        lines += [_line(s, answers.get(s.id)) for s in group]
    return "\n".join(lines) + "\n"


def map_sheet(sol: Solution, steps: tuple[MatrixStep, ...]) -> str:
    """A sheet of maps (a problem without a loss): each map the exercise asks for as rows of `~`, one
    per cell, under what it is; the input, which is given, is left out."""
    lines = _head(sol, maps=True)
    inputs = sol.problem.inputs
    given = {base(inputs) + label for label, _ in maps(inputs) or [("", [])]}
    for s in steps:
        if s.value.ndim != 2 or s.id in given:
            continue
        rows, cols = s.value.shape
        lines += ["", f"# {yaml_comment(s.equation)}: a {rows}×{cols} matrix", f"{yaml_string(s.id)}:"]
        lines += ["  - [" + ", ".join(["~"] * cols) + "]"] * rows
    return "\n".join(lines) + "\n"


def _head(sol: Solution, maps: bool = False) -> list[str]:
    title = yaml_comment(sol.problem.title or sol.problem.path)
    how = (
        [
            "# Replace each ~ with the cell's number as you rounded it (0.25, 2.5e-1); a map is rows of",
            "# numbers, as written. Leave ~ for cells you skip.",
        ]
        if maps
        else [
            "# Replace ~ with your answer: a number as you rounded it (0.3589, 3.59e-1) or a formula",
            "# in quotes ('w3*sigmoid(x2)*(1 - sigmoid(x2))'). Leave ~ for steps you skip.",
        ]
    )
    return [
        f"# Answer sheet: {title}",
        *how,
        f"# Check it with: backtutor check {yaml_comment(sol.problem.path)} THIS_FILE",
    ]


def _line(s: Step, written: str | None) -> str:
    what = yaml_comment(f"{text(s.target)} = {text(s.formula)}")
    return f"{yaml_string(s.id)}: {_value(written)}  # {what}"


def _value(written: str | None) -> str:
    """An answer as YAML: a plain number bare, anything else quoted (read back as written)."""
    if written is None:
        return "~"
    return written if PLAIN_NUMBER.fullmatch(written) else yaml_string(written)
