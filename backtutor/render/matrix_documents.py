"""The matrix view as documents: Markdown with LaTeX math, a LaTeX document with `bmatrix`, and an HTML
page with MathML `<mtable>`; each step is its equation, `=`, and its value as a matrix (a vector as a
column)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

from ..engine.notation import mathml_number, shown_number
from ..solution import Solution
from ..solution.matrix_view import MatrixStep
from .document import tex_text

if TYPE_CHECKING:
    from ..solution.matrix_view import Array

LONG_VECTOR = 5  # a vector with more entries is written as a row, transposed

_LATEX_HEAD = r"""\documentclass[10pt]{article}
\usepackage{amsmath,amssymb}
\usepackage[a4paper,margin=1.8cm]{geometry}
\AtBeginDocument{\setlength{\abovedisplayskip}{4pt}\setlength{\belowdisplayskip}{4pt}}
\setlength{\parindent}{0pt}
\setcounter{MaxMatrixCols}{64}
\begin{document}
"""


def _rows(value: Array, precision: int) -> list[list[str]]:
    rows = [[v] for v in value] if value.ndim == 1 else [list(row) for row in value]
    return [[shown_number(float(v), precision) for v in row] for row in rows]


def bmatrix(value: Array, precision: int) -> str:
    """A value as LaTeX: \\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}; 1.5e-05 as
    1.5 \\times 10^{-5}. A long vector is written as a transposed row, not filling the page."""
    if value.ndim == 1 and len(value) > LONG_VECTOR:
        return bmatrix(value.reshape(1, -1), precision) + r"^{\top}"
    body = r" \\ ".join(" & ".join(_latex_number(c) for c in row) for row in _rows(value, precision))
    return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"


def _latex_number(text: str) -> str:
    mantissa, e, power = text.partition("e")
    return rf"{mantissa} \times 10^{{{int(power)}}}" if e else text


def mtable(value: Array, precision: int) -> str:
    """A value as MathML: an <mtable> between brackets."""
    rows = "".join(
        "<mtr>" + "".join(f"<mtd>{mathml_number(c)}</mtd>" for c in row) + "</mtr>"
        for row in _rows(value, precision)
    )
    return f'<mrow><mo>[</mo><mtable columnalign="right">{rows}</mtable><mo>]</mo></mrow>'


_TEX_OPS = {
    "⋆": r" \star ",
    "·": r" \cdot ",
    "−": " - ",
    "⊙": r" \odot ",
    "(": r"\left(",
    ")": r"\right)",
    "+": " + ",
}


def _tex_terms(s: MatrixStep, precision: int) -> str:
    r"""The right-hand side with its numbers, then `=`: W \cdot a + b = (none without terms)."""
    parts = [
        "".join(_TEX_OPS.get(c, c) for c in t) if isinstance(t, str) else bmatrix(t, precision)
        for t in s.terms
    ]
    return " = " + " ".join(parts) if parts else ""


def _mathml_terms(s: MatrixStep, precision: int) -> str:
    parts = []
    for t in s.terms:
        if isinstance(t, str):  # an operator, or a factor such as 0.5· or (1/2)
            factor = t.rstrip("·")
            number = any(c.isdigit() for c in factor)
            ops = t[len(factor) :] if number else t
            mn = f"<mn>{escape(factor)}</mn>" if number else ""
            parts.append(mn + "".join(f"<mo>{c}</mo>" for c in ops))
        else:
            parts.append(mtable(t, precision))
    return "<mo>=</mo>" + "".join(parts) if parts else ""


def _tex_lhs(s: MatrixStep) -> str:
    """The step's equation in LaTeX; one written in words (convolution) as text with its symbols."""
    return s.latex or rf"\text{{{tex_text(s.equation)}}}"


def _tex_note(s: MatrixStep) -> str:
    return f"\\noindent {tex_text(s.note)}\\par\\medskip\n" if s.note else ""


def _sections(
    steps: tuple[MatrixStep, ...], heading: Callable[[str], str], item: Callable[[MatrixStep], str]
) -> str:
    """The steps under a heading per phase, update and example."""
    parts, current = [], None
    for s in steps:
        where = f"{s.phase.capitalize()} pass (update {s.update}" + (
            f", example {s.example})" if s.example else ")"
        )
        if where != current:
            parts.append(heading(where))
            current = where
        parts.append(item(s))
    return "".join(parts)


def render_markdown(sol: Solution, steps: tuple[MatrixStep, ...], precision: int) -> str:
    title = sol.problem.title or "Backpropagation, matrix view"
    body = _sections(
        steps,
        lambda where: f"\n## {where}\n\n",
        lambda s: (
            f"`{s.id}`\n\n$$ {_tex_lhs(s)}{_tex_terms(s, precision)} = {bmatrix(s.value, precision)} $$\n\n"
            + (f"*{s.note}*\n\n" if s.note else "")
        ),
    )
    return f"# {title}\n{body}"


def render_latex(sol: Solution, steps: tuple[MatrixStep, ...], precision: int) -> str:
    title = tex_text(sol.problem.title or "Backpropagation, matrix view")
    body = _sections(
        steps,
        lambda where: f"\\section*{{{where}}}\n",
        lambda s: (
            f"\\[ {_tex_lhs(s)}{_tex_terms(s, precision)} = {bmatrix(s.value, precision)} "
            f"\\tag*{{\\texttt{{{tex_text(s.id)}}}}} \\]\n{_tex_note(s)}"
        ),
    )
    return f"{_LATEX_HEAD}\\section*{{{title}}}\n{body}\\end{{document}}\n"


def render_html(sol: Solution, steps: tuple[MatrixStep, ...], precision: int) -> str:
    title = escape(sol.problem.title or "Backpropagation, matrix view")
    body = _sections(
        steps,
        lambda where: f"<h2>{escape(where)}</h2>\n",
        lambda s: (
            f'<div class="step"><span class="id">{escape(s.id)}</span> {escape(s.equation)} '
            f'<math display="inline">{_mathml_terms(s, precision)}'
            f"<mo>=</mo>{mtable(s.value, precision)}</math>"
            + (f'<div class="note">{escape(s.note)}</div>' if s.note else "")
            + "</div>\n"
        ),
    )
    head = f'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>{title}</title></head>\n'
    return f"{head}<body>\n<h1>{title}</h1>\n{body}</body>\n</html>\n"
