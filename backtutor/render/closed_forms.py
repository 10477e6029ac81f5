"""Writing the closed forms (solution/gradient_forms.py): a form inside its batch's (1/N)·Σₙ[…] as
text, LaTeX or MathML, and the note that names the gradients left out as too long to read."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from ..engine.expr import Expr
from ..engine.formula import latex, text
from ..solution.closed_forms import TOO_LONG
from ..solution.gradient_forms import ClosedForm, ClosedForms

SIMPLIFIED = "simplified"  # the label of the second form


def left_out(cfs: ClosedForms, name: Callable[[Expr], str] = text) -> str:
    """The note on the gradients left out as too long to read, each named by `name` ("" if none)."""
    n = len(cfs.missing)
    if not n:
        return ""
    listed = ", ".join(name(m) for m in cfs.missing[:4]) + (f" and {n - 4} more" if n > 4 else "")
    what = "The closed form of 1 gradient is" if n == 1 else f"The closed forms of {n} gradients are"
    return f"{what} {TOO_LONG} ({listed})."


def _fraction(cf: ClosedForm) -> str:
    return str(Fraction(1, cf.examples)) if cf.mean else ""


def as_text(cf: ClosedForm, e: Expr, precision: int) -> str:
    """e as text, inside the batch's (1/N)·Σₙ[…] when there is one."""
    body = text(e, precision)
    if cf.examples == 1:
        return body
    scale = f"({_fraction(cf)})·" if cf.mean else ""
    return f"{scale}Σₙ[{body}]"


def around_latex(cf: ClosedForm) -> tuple[str, str]:
    """LaTeX before and after a form: \\frac{1}{N}\\sum_{n=1}^{N}\\Big[ … \\Big], or nothing."""
    if cf.examples == 1:
        return "", ""
    scale = rf"\frac{{1}}{{{cf.examples}}}" if cf.mean else ""
    return rf"{scale}\sum_{{n=1}}^{{{cf.examples}}}\Big[", r"\Big]"


def around_mathml(cf: ClosedForm) -> tuple[str, str]:
    """MathML before and after a form, as around_latex."""
    if cf.examples == 1:
        return "", ""
    scale = f"<mfrac><mn>1</mn><mn>{cf.examples}</mn></mfrac>" if cf.mean else ""
    below = "<mrow><mi>n</mi><mo>=</mo><mn>1</mn></mrow>"
    total = f"<munderover><mo>∑</mo>{below}<mn>{cf.examples}</mn></munderover>"
    return f'{scale}{total}<mo stretchy="false">[</mo>', '<mo stretchy="false">]</mo>'


def as_latex(cf: ClosedForm, e: Expr, precision: int) -> str:
    before, after = around_latex(cf)
    return before + latex(e, precision) + after
