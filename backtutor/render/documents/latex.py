"""The worked solution as a standalone LaTeX document (amsmath) that compiles with pdflatex as it is.

One section per update step, one subsection per example and phase; every step is a few rows of an
align* (formula, numbers substituted, value, aligned at the = sign). `standalone=False` gives only
the align* blocks, for Jupyter's `_repr_latex_`.
"""

from __future__ import annotations

from ...engine.expr import Num, Sym
from ...engine.formula import latex
from ...solution import Solution, Step
from ..closed_forms import left_out
from ..outline import Outline, Shown, outline
from .math_rows import closed_rows, step_rows, tex_text

PREAMBLE = r"""% A worked solution written by backtutor. Compile with: pdflatex FILE.tex
\documentclass[11pt]{article}
\usepackage[utf8]{inputenc}
\usepackage{amsmath,amssymb}
\usepackage[a4paper,margin=2cm]{geometry}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\setlength{\parskip}{4pt}
"""


def _align(items: list[tuple[list[tuple[str, str]], str]], standalone: bool) -> list[str]:
    """One align* block of steps given as (rows, note). A note follows its step as \\intertext, or
    comes after the block when it belongs to the last step."""
    rows: list[str] = []
    tail = ""
    for i, (step, note) in enumerate(items):
        last_step = i == len(items) - 1
        for j, (left, right) in enumerate(step):
            end = r" \\" if j < len(step) - 1 else "" if last_step else r" \\[1.2ex]"
            rows.append(f"  {left} &{right}{end}")
        if note and standalone:
            text = r"\small\emph{Rule:} " + tex_text(note, scripts=True)
            if last_step:
                tail = text
            else:
                rows.append(rf"  \intertext{{{text}}}")
    out = [r"\begin{align*}", *rows, r"\end{align*}"]
    return [*out, tail] if tail else out


def _step_items(steps: list[Shown], blank: bool) -> list[tuple[list[tuple[str, str]], str]]:
    return [(step_rows(s, blank), s.step.note) for s in steps]


def body(doc: Outline, blank: bool, standalone: bool = True) -> list[str]:
    precision = doc.precision
    out: list[str] = []
    for part in doc.parts:
        if standalone:
            out.append(rf"\section*{{{tex_text(part.heading)}}}")
        for section in part.sections:
            items = _step_items(section.steps, blank)
            if standalone:
                out.append(rf"\subsection*{{{tex_text(section.title)}}}")
            else:
                items.insert(0, ([("", rf"\textbf{{{tex_text(f'{part.heading}: {section.title}')}}}")], ""))
            out += _align(items, standalone)
    if doc.closed.forms or doc.closed.missing:
        rows = [(closed_rows(cf, precision), "") for cf in doc.closed.forms]
        if standalone:
            out.append(rf"\section*{{{tex_text('Closed form of each gradient')}}}")
            out.append("In the problem's own names, assembled from the local derivatives above.")
        else:
            rows.insert(0, ([("", r"\textbf{Closed form of each gradient}")], ""))
        out += _align(rows, standalone) if rows else []
        if doc.closed.missing:
            out.append(left_out(doc.closed, lambda e: f"${latex(e)}$"))
    if standalone and doc.history:
        out.append(r"\section*{Training}")
        out.append(r"\begin{tabular}{rr}")
        out.append(rf"epoch & ${latex(Sym(doc.loss))}$ \\ \hline")
        for e in doc.history:
            out.append(rf"{e.epoch} & ${latex(Num(e.loss), precision, blank)}$ \\")
        out.append(r"\end{tabular}")
    if standalone and doc.final:
        values = [f"${latex(Sym(k))} = {latex(Num(v), precision, blank)}$" for k, v in doc.final]
        text = ", ".join(values[:-1]) + "; loss " + values[-1]
        out.append(r"{\raggedright\paragraph{After training} " + text + r".\par}")
    if standalone and doc.hint:
        out.append(tex_text(doc.hint))
    return out


def render(sol: Solution, precision: int = 9, steps: list[Step] | None = None, blank: bool = False) -> str:
    doc = outline(sol, precision, steps, simplify=True, blank=blank)
    head = [PREAMBLE.rstrip("\n"), r"\begin{document}", rf"\section*{{{tex_text(doc.title)}}}"]
    if blank:
        head.append(r"\emph{Worksheet: fill in the blanks.}")
    if doc.description:
        head.append(tex_text(doc.description))
    return "\n".join([*head, *body(doc, blank), r"\end{document}", ""])
