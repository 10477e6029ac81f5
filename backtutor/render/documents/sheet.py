"""Answer sheets (YAML) for a Solution: every step id in working order, with what it is; blank for
`template`, or filled in with the answers typed in `quiz`."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import groupby

from ...engine.formula import text
from ...errors import InputError
from ...solution import Solution, Step
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


def blank_sheet(sol: Solution, phases: tuple[str, ...] = PHASES) -> str:
    return answer_sheet(sol, [s for s in sol.steps if s.phase in phases], {})


def answer_sheet(sol: Solution, steps: list[Step], answers: Mapping[str, str]) -> str:
    """The sheet of `steps`, each with its answer as written (`~` where there is none). The title and
    the answers are one line each whatever they hold: a newline must not write an answer line."""
    title = yaml_comment(sol.problem.title or sol.problem.path)
    lines = [
        f"# Answer sheet: {title}",
        "# Replace ~ with your answer: a number as you rounded it (0.3589, 3.59e-1) or a formula",
        "# in quotes ('w3*sigmoid(x2)*(1 - sigmoid(x2))'). Leave ~ for steps you skip.",
        f"# Check it with: backtutor check {yaml_comment(sol.problem.path)} THIS_FILE",
    ]
    for (update, example, phase), group in groupby(steps, key=lambda s: (s.update, s.example, s.phase)):
        where = f"update {update}" + (f", example {example}" if example is not None else "")
        lines += ["", f"# {phase} ({where})"]
        for s in group:
            what = yaml_comment(f"{text(s.target)} = {text(s.formula)}")
            lines.append(f"{yaml_string(s.id)}: {_value(answers.get(s.id))}  # {what}")
    return "\n".join(lines) + "\n"


def _value(written: str | None) -> str:
    """An answer as YAML: a plain number bare, anything else quoted (read back as written)."""
    if written is None:
        return "~"
    return written if PLAIN_NUMBER.fullmatch(written) else yaml_string(written)
