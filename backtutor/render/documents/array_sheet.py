"""`template` on a network the array engine works: not a YAML sheet of numbers (a 32 × 192 gradient is
6,144 of them) but a Python script to fill in, one entry per step of the first update (its id, shape,
dtype and formula), that saves the arrays as the .npz `check` grades. Text from the file (its title,
its path) goes into comments made one line (text.visible): nothing from it runs."""

from __future__ import annotations

import json

from ...arrays.records import ArraySolution, ArrayStep
from ...text import visible


def array_sheet(sol: ArraySolution, phases: tuple[str, ...], answers: str = "answers.npz") -> str:
    """The script: each step of `phases` of the first update, `...` in place of its array."""
    p = sol.problem
    first = sol.steps[0].update if sol.steps else 1
    steps = [s for s in sol.steps if s.update == first and s.phase in phases]
    path, title = visible(p.path), visible(p.title or p.path)
    lines = [
        f"# Answers for `backtutor check`: {title} ({path}).",
        "# Put each array your NumPy code computes in place of its `...` (leave `...` for one you do not",
        "# hand in), run this file, then:",
        f"#   backtutor check {path} {answers}",
        "# The problem's own arrays (x, t, W1, b1, …) as the working uses them:",
        f'#   backtutor solve {path} -f npz -o start.npz; np.load("start.npz")["given:x"]',
        "# Arrays hold one column per example. An activation stored one row per example (PyTorch's layout)",
        "# is turned to compare; a weight or gradient stored transposed is a slip. Course names (dW1, A1,",
        "# dZ2) are read too; float32 arrays are graded at float32's precision.",
        "import numpy as np",
        "",
        "answers = {",
    ]
    for phase in phases:
        chosen = [s for s in steps if s.phase == phase]
        if chosen:
            lines += [f"    # {phase}", *(_entry(s, first) for s in chosen)]
    saved = "{k: np.asarray(v) for k, v in answers.items() if v is not ...}"  # the ones filled in
    lines += ["}", f"np.savez({json.dumps(answers)}, **{saved})"]
    return "\n".join(lines) + "\n"


def _entry(step: ArrayStep, first: int) -> str:
    """One line: the id (without the @t of the first update, which check reads as it), its `...`,
    and what it is."""
    sid = step.id.removesuffix(f"@{first}") if first == 1 else step.id
    shape = " × ".join(map(str, step.shape)) or "scalar"
    return f"    {json.dumps(sid)}: ...,  # {shape} {step.value.dtype}: {visible(step.formula)}"
