"""The matrix view as documents: Markdown with LaTeX math, a LaTeX document with `bmatrix`, and an HTML
page with MathML `<mtable>`; each step is its equation, `=`, and its value as a matrix (a vector as a
column)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ...engine.notation import mathml_number, shown_number
from ...matrix.records import MatrixStep, Term
from ...solution import Solution
from ...text import html as escape
from .math_rows import tex_text
from .matrix_text import section_of

if TYPE_CHECKING:
    from ...matrix.records import Array

LINE = 100  # characters of numbers and names a displayed line holds (10pt type, A4 with 1.5 cm margins)

_LATEX_HEAD = r"""\documentclass[10pt]{article}
\usepackage{amsmath,amssymb}
\usepackage[a4paper,margin=1.5cm]{geometry}
\AtBeginDocument{\setlength{\abovedisplayskip}{2pt}\setlength{\belowdisplayskip}{2pt}}
\setlength{\parindent}{0pt}
\renewcommand{\arraystretch}{0.8}
\setcounter{MaxMatrixCols}{64}
\begin{document}
"""


def _rows(value: Array, precision: int) -> list[list[str]]:
    rows = [[v] for v in value] if value.ndim == 1 else [list(row) for row in value]
    return [[shown_number(float(v), precision) for v in row] for row in rows]


def bmatrix(value: Array, precision: int) -> str:
    """A value as LaTeX: \\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}; 1.5e-05 as 1.5 \\times 10^{-5}."""
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


def tex_equation(s: MatrixStep, precision: int) -> str:
    """The step as LaTeX math: its equation, the right-hand side with the numbers in, and its value,
    on one line, or (too wide for the page) as centred lines each starting with `=`."""
    lhs = s.latex or rf"\text{{{tex_text(s.equation)}}}"
    parts = [(lhs, len(s.equation))]
    if s.terms:
        texts = [
            "".join(_TEX_OPS.get(c, c) for c in t) if isinstance(t, str) else bmatrix(t, precision)
            for t in s.terms
        ]
        parts.append((" ".join(texts), sum(_width(t, precision) for t in s.terms)))
    parts.append((bmatrix(s.value, precision), _width(s.value, precision)))
    lines, width = [parts[0][0]], parts[0][1]
    for tex, w in parts[1:]:
        if width + w + 3 <= LINE:
            lines[-1] += f" = {tex}"
            width += w + 3
        else:
            lines.append(f"= {tex}")
            width = w + 2
    return lines[0] if len(lines) == 1 else r"\begin{gathered} " + r" \\ ".join(lines) + r" \end{gathered}"


def _width(term: Term, precision: int) -> int:
    """About how many characters wide a term is set: a matrix, its widest cells plus spacing."""
    if isinstance(term, str):
        return len(term) + 2
    rows = _rows(term, precision)
    return sum(max(len(row[j]) for row in rows) + 2 for j in range(len(rows[0]))) + 2


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


def _tex_note(s: MatrixStep) -> str:
    return f"\\noindent {tex_text(s.note)}\\par\\medskip\n" if s.note else ""


def _sections(
    sol: Solution,
    steps: tuple[MatrixStep, ...],
    heading: Callable[[str], str],
    item: Callable[[MatrixStep], str],
) -> str:
    """The steps under a heading per phase, update and example."""
    parts, current = [], None
    for s in steps:
        where = section_of(sol, s, capital=True)
        if where != current:
            parts.append(heading(where))
            current = where
        parts.append(item(s))
    return "".join(parts)


def render_markdown(sol: Solution, steps: tuple[MatrixStep, ...], precision: int) -> str:
    title = sol.problem.title or "Backpropagation, matrix view"
    body = _sections(
        sol,
        steps,
        lambda where: f"\n## {where}\n\n",
        lambda s: (
            f"`{s.id}`\n\n$$ {tex_equation(s, precision)} $$\n\n" + (f"*{s.note}*\n\n" if s.note else "")
        ),
    )
    return f"# {title}\n{body}"


def render_latex(sol: Solution, steps: tuple[MatrixStep, ...], precision: int) -> str:
    title = tex_text(sol.problem.title or "Backpropagation, matrix view")
    body = _sections(
        sol,
        steps,
        lambda where: f"\\section*{{{where}}}\n",
        lambda s: (
            f"\\[ {tex_equation(s, precision)} \\tag*{{\\texttt{{{tex_text(s.id)}}}}} \\]\n{_tex_note(s)}"
        ),
    )
    return f"{_LATEX_HEAD}\\section*{{{title}}}\n{body}\\end{{document}}\n"


def render_html(sol: Solution, steps: tuple[MatrixStep, ...], precision: int) -> str:
    title = escape(sol.problem.title or "Backpropagation, matrix view")
    body = _sections(
        sol,
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
