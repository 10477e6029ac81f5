"""The worked solution as Markdown with $…$ / $$…$$ math (GitHub, Jupyter, most Markdown editors).

Headings per update step and per example and phase (from the shared outline); each step is a display
formula (an `aligned` block when it takes several lines: formula, numbers substituted, value).
"""

from __future__ import annotations

from ...engine.expr import Expr, Num, Sym
from ...engine.formula import latex
from ...solution import Solution, Step
from ...text import markdown
from ..closed_forms import left_out
from ..outline import CLOSED_TITLE, Outline, Shown, notation, outline
from .math_rows import closed_rows, step_rows


def _display(rows: list[tuple[str, str]]) -> str:
    if len(rows) == 1:
        left, right = rows[0]
        return f"$$\n{left} {right}\n$$"
    body = " \\\\\n".join(f"{left} &{right}" for left, right in rows)
    return f"$$\n\\begin{{aligned}}\n{body}\n\\end{{aligned}}\n$$"


def _step(shown: Shown, blank: bool) -> str:
    out = _display(step_rows(shown, blank))
    note = shown.step.note
    return out + (f"\n\n> *Rule:* {note_md(note)}" if note else "")


def note_md(note: str) -> str:
    """A rule note as Markdown text, e^(−x) and softmax_k as inline math ($e^{-x}$, $softmax_{k}$)."""
    out = []
    for before, base, mark, script in notation(note):
        out.append(markdown(before, lines=True))
        if base:
            base_tex = base if len(base) == 1 else rf"\mathrm{{{base}}}"
            out.append(f"${base_tex}{mark}{{{script.replace('−', '-')}}}$")
    return "".join(out)


def _math(e: Expr, precision: int, blank: bool = False) -> str:
    return f"${latex(e, precision, blank)}$"


def render(sol: Solution, precision: int = 9, steps: list[Step] | None = None, blank: bool = False) -> str:
    return "\n\n".join(body(outline(sol, precision, steps, simplify=True, blank=blank), blank)) + "\n"


def body(doc: Outline, blank: bool = False) -> list[str]:
    """The document's blocks, from its title on (a notebook shows them too)."""
    precision = doc.precision
    out = [f"# {markdown(doc.title)}"]
    if blank:
        out.append("*Worksheet: fill in the blanks.*")
    if doc.description:
        out.append(markdown(doc.description, lines=True))
    for part in doc.parts:
        out.append(f"## {markdown(part.heading)}")
        for section in part.sections:
            out.append(f"### {markdown(section.title)}")
            out += [_step(s, blank) for s in section.steps]
    if doc.closed.forms or doc.closed.missing:
        out.append(f"## {markdown(CLOSED_TITLE)}")
        out += [_display(closed_rows(cf, precision)) for cf in doc.closed.forms]
        if note := left_out(doc.closed, lambda e: _math(e, precision)):
            out.append(f"*{note}*")
    if doc.history:
        out.append("## Training")
        table = [f"| epoch | {_math(Sym(doc.loss), precision)} |", "|---:|---:|"]
        table += [f"| {e.epoch} | {_math(Num(e.loss), precision, blank)} |" for e in doc.history]
        out.append("\n".join(table))
    if doc.final:
        values = [f"${latex(Sym(k))} = {latex(Num(v), precision, blank)}$" for k, v in doc.final]
        out.append("**After training:** " + ", ".join(values[:-1]) + "; loss " + values[-1] + ".")
    if doc.hint:
        out.append(f"*{markdown(doc.hint)}*")
    return out
