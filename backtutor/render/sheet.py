"""A blank answer sheet (YAML) for a Solution: every step id in working order, with what it is."""

from __future__ import annotations

from itertools import groupby

from ..engine.formula import text
from ..solution import Solution

PHASES = ("forward", "backward", "update")


def blank_sheet(sol: Solution, phases: tuple[str, ...] = PHASES) -> str:
    title = sol.problem.title or sol.problem.path
    lines = [
        f"# Answer sheet: {title}",
        "# Replace ~ with your answer: a number as you rounded it (0.3589, 3.59e-1) or a formula",
        "# in quotes ('w3*sigmoid(x2)*(1 - sigmoid(x2))'). Leave ~ for steps you skip.",
        f"# Check it with: backtutor check {sol.problem.path} THIS_FILE",
    ]
    steps = [s for s in sol.steps if s.phase in phases]
    for (update, example, phase), group in groupby(steps, key=lambda s: (s.update, s.example, s.phase)):
        where = f"update {update}" + (f", example {example}" if example is not None else "")
        lines += ["", f"# {phase} ({where})"]
        for s in group:
            lines.append(f'"{s.id}": ~  # {text(s.target)} = {text(s.formula)}')
    return "\n".join(lines) + "\n"
