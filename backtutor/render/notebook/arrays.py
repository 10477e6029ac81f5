"""An ArraySolution in a notebook: the array engine's working as its Markdown and HTML documents lay it
out (each step with its shape and a summary), its first SHOWN steps when it is long; as plain text, a
summary and how to reach the arrays."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from ...arrays.records import ArraySolution
from ...text import html as escape
from ...text import markdown, markdown_code, visible
from ..documents import arrays as document
from .forms import Forms, html_block

SHOWN = 60  # steps a notebook shows; a longer working shows these and says how to see the rest
PRECISION = 6


def array_forms(sol: ArraySolution) -> Forms:
    shown = replace(sol, steps=sol.steps[:SHOWN]) if len(sol.steps) > SHOWN else sol

    def as_markdown() -> str:
        more = "".join(markdown_code(s) if code else markdown(s) for s, code in rest(sol))
        return document.render_markdown(shown, PRECISION) + (f"\n*{more}*\n" if more else "")

    def as_html() -> str:
        more = "".join(f"<code>{escape(s)}</code>" if code else escape(s) for s, code in rest(sol))
        note = [f"<p><i>{more}</i></p>"] if more else []
        return html_block(document.STYLE, [*document.html_body(shown, PRECISION), *note])

    return Forms(lambda: summary(sol), as_markdown, as_html)


def rest(sol: ArraySolution) -> list[tuple[str, bool]]:
    """For a long working: how many steps are not shown and how to reach them, as pieces of text
    and (True) of code."""
    if len(sol.steps) <= SHOWN:
        return []
    path = sol.problem.path  # "(YAML text)" or "(dict)" when the problem was not a file
    return [
        (f"Showing the first {SHOWN} of {len(sol.steps):,} steps. One step's array: ", False),
        (f'sol.step("{sol.steps[-1].id}").value', True),
        *([("; all of them: ", False), (f"backtutor solve {path} -f html", True)] if path[:1] != "(" else []),
        (".", False),
    ]


def summary(sol: ArraySolution) -> str:
    """A few lines: the problem, the steps by phase, the loss before and after the run."""
    p = sol.problem
    phases = Counter(s.phase for s in sol.steps)
    counted = ", ".join(f"{n} {phase}" for phase, n in phases.items()) or "none shown"
    lines = [
        visible(p.title or p.path),
        f"{len(sol.steps):,} steps worked by the array engine ({counted})",
        *(visible(line) for line in document.header(sol)[1:]),
        'An array: sol.step("<id>").value; the ids: sol.ids',
    ]
    return "\n".join(lines)
