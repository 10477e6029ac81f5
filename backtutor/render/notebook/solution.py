"""A Solution in a notebook: the worked solution as the Markdown and HTML documents lay it out, or,
when it is long, its first steps and how to see the rest (a network at the size limit has thousands
of steps: megabytes of HTML would stall the notebook); as plain text, a summary."""

from __future__ import annotations

from collections import Counter

from ...engine.expr import Num
from ...engine.formula import text
from ...solution import Solution
from ...text import html as escape
from ...text import markdown, markdown_code, visible
from ..documents import html as html_document
from ..documents import markdown as markdown_document
from ..outline import Outline, outline
from .forms import Forms, html_block

SHOWN = 60  # steps a notebook shows in full; a longer solution shows these and says how to see the rest
PRECISION = 9


def solution_forms(sol: Solution) -> Forms:
    memo: list[Outline] = []

    def doc() -> Outline:  # one outline for both forms (its closed forms may take a second)
        if not memo:
            steps = list(sol.steps[:SHOWN]) if len(sol.steps) > SHOWN else None
            memo.append(outline(sol, PRECISION, steps, simplify=True))
        return memo[0]

    def as_markdown() -> str:
        more = "".join(markdown_code(s) if code else markdown(s) for s, code in rest(sol))
        return "\n\n".join([*markdown_document.body(doc()), *([f"*{more}*"] if more else [])]) + "\n"

    def as_html() -> str:
        more = "".join(f"<code>{escape(s)}</code>" if code else escape(s) for s, code in rest(sol))
        note = [f'<p class="note">{more}</p>'] if more else []
        return html_block(html_document.STYLE, [*html_document.body(doc()), *note])

    return Forms(lambda: summary(sol), as_markdown, as_html)


def rest(sol: Solution) -> list[tuple[str, bool]]:
    """For a long solution: how many steps are not shown and how to see them, as pieces of text
    and (True) of code."""
    if len(sol.steps) <= SHOWN:
        return []
    return [
        (f"Showing the first {SHOWN} of {len(sol.steps):,} steps. All of them: ", False),
        ('backtutor.document(sol, "html")', True),
        (" (or markdown, latex); the working of one step: ", False),
        (f'sol.working_for("{sol.steps[-1].id}")', True),
        ("; step through them on the graph: ", False),
        ("backtutor.explore(sol)", True),
        (".", False),
    ]


def summary(sol: Solution) -> str:
    """A few lines: the problem, the steps worked by phase, the loss before and after training."""
    p = sol.problem
    phases = Counter(s.phase for s in sol.steps)
    counted = ", ".join(f"{n} {phase}" for phase, n in phases.items())
    lines = [visible(p.title or p.path), f"{len(sol.steps):,} steps worked ({counted})"]
    if p.training:
        before, after = sol.history[0].loss, sol.history[-1].loss
        lines.append(
            f"{sol.graph.loss}: {text(Num(before), PRECISION)} before training, "
            f"{text(Num(after), PRECISION)} after {sol.updates:,} update{'s' if sol.updates != 1 else ''}"
        )
    lines.append('The working: backtutor.document(sol, "markdown"); one step: sol.step("<id>").value')
    return "\n".join(lines)
