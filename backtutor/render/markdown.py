"""The worked solution as Markdown with $…$ / $$…$$ math (GitHub, Jupyter, most Markdown editors).

Headings per update step and per example and phase (from the shared outline); each step is a display
formula (an `aligned` block when it takes several lines: formula, numbers substituted, value).
"""

from __future__ import annotations

import re

from ..engine.expr import Expr, Num, Sym
from ..engine.formula import latex
from ..solution import Solution, Step
from .closed_forms import left_out
from .document import closed_rows, step_rows
from .outline import CLOSED_TITLE, Shown, notation, outline

_SPECIAL = re.compile(r"([\\`*_\[\]<>|$~])")


def md_text(s: str) -> str:
    """Plain text with Markdown's special characters escaped (and # or a list marker at the start)."""
    s = _SPECIAL.sub(r"\\\1", s)
    return re.sub(r"^(\s*)(?:([#+-])|(\d+)\.)", _escape_start, s, flags=re.M)


def _escape_start(m: re.Match[str]) -> str:
    return m.group(1) + (f"\\{m.group(2)}" if m.group(2) else f"{m.group(3)}\\.")


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
        out.append(md_text(before))
        if base:
            base_tex = base if len(base) == 1 else rf"\mathrm{{{base}}}"
            out.append(f"${base_tex}{mark}{{{script.replace('−', '-')}}}$")
    return "".join(out)


def _math(e: Expr, precision: int, blank: bool = False) -> str:
    return f"${latex(e, precision, blank)}$"


def render(sol: Solution, precision: int = 9, steps: list[Step] | None = None, blank: bool = False) -> str:
    doc = outline(sol, precision, steps, simplify=True)
    out = [f"# {md_text(doc.title)}"]
    if blank:
        out.append("*Worksheet: fill in the blanks.*")
    if doc.description:
        out.append(md_text(doc.description))
    for part in doc.parts:
        out.append(f"## {md_text(part.heading)}")
        for section in part.sections:
            out.append(f"### {md_text(section.title)}")
            out += [_step(s, blank) for s in section.steps]
    if doc.closed.forms or doc.closed.missing:
        out.append(f"## {md_text(CLOSED_TITLE)}")
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
        out.append(f"*{md_text(doc.hint)}*")
    return "\n\n".join(out) + "\n"
