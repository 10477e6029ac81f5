"""The op table's arithmetic and the functions a formula may call: + − · / ^, exp, log, √, |x|, erf,
asinh, sin, cos, max, min, the step 1[x > 0] and `where` (the piecewise form). Each entry: forward
rule (stable in float64, see `floats.py`), local derivative, writing, SymPy form (see `op.py`)."""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

from . import floats
from .expr import ONE, PI, ZERO, Call, Expr, Num, add, call, mul, neg, power, sub
from .expr import div as quotient
from .op import Op, positive, sympy

TWO = Num(Fraction(2))


def _same(c: Call, i: int) -> Expr:
    return c


def _extreme_partial(beats: Callable[[Expr, Expr], Expr]) -> Callable[[Call, int], Expr]:
    """∂/∂(input i) of max (min): 1 when input i is the first largest (smallest) input, else 0: it
    beats every earlier input and no later one beats it. `beats(x, a)` is positive when x beats a.
    For max(a, b): ∂/∂a = 1 − 1[b − a > 0], ∂/∂b = 1[b − a > 0]."""

    def partial(c: Call, i: int) -> Expr:
        x = c.args[i]
        beats_earlier = [call("step", beats(x, a)) for a in c.args[:i]]
        not_beaten = [sub(ONE, call("step", beats(a, x))) for a in c.args[i + 1 :]]
        return mul(*beats_earlier, *not_beaten)

    return partial


def _where_partial(c: Call, i: int) -> Expr:
    """where(c, a, b) is a where c > 0, else b: the condition gets no gradient, a gets 1[c > 0]."""
    return (ZERO, call("step", c.args[0]), sub(ONE, call("step", c.args[0])))[i]


ARITHMETIC = [
    Op("add", None, floats.fsum, lambda c, i: ONE, "+", "+", infix=True, sympy=lambda a, p: sympy().Add(*a)),
    Op(
        "sub",
        2,
        lambda a, b: a - b,
        lambda c, i: ONE if i == 0 else Num(Fraction(-1)),
        "−",
        "-",
        infix=True,
        sympy=lambda a, p: a[0] - a[1],
    ),
    Op(
        "mul",
        None,
        floats.prod,
        lambda c, i: mul(*(a for j, a in enumerate(c.args) if j != i)),
        "·",
        r"\cdot",
        infix=True,
        sympy=lambda a, p: sympy().Mul(*a),
    ),
    Op(
        "div",
        2,
        lambda a, b: a / b,
        lambda c, i: quotient(ONE, c.args[1]) if i == 0 else neg(quotient(c.args[0], power(c.args[1], TWO))),
        "/",
        r"\frac",
        infix=True,
        sympy=lambda a, p: a[0] / a[1],
    ),
    Op(
        "pow",
        2,
        floats.power,
        lambda c, i: (
            mul(c.args[1], power(c.args[0], sub(c.args[1], ONE)))
            if i == 0
            else mul(c, call("log", c.args[0]))
        ),
        "^",
        "^",
        infix=True,
        rule="d/dx xⁿ = n·xⁿ⁻¹",
        sympy=lambda a, p: a[0] ** a[1],
    ),
    Op(
        "neg", 1, lambda a: -a, lambda c, i: Num(Fraction(-1)), "−", "-", infix=True, sympy=lambda a, p: -a[0]
    ),
]

CALLABLE = [
    Op(
        "exp",
        1,
        floats.exp,
        _same,
        "exp({0})",
        r"e^{{{0}}}",
        rule="exp′(x) = exp(x)",
        mathml="<msup><mi>e</mi>{0}</msup>",
        callable_as=("exp",),
        sympy=lambda a, p: sympy().exp(a[0]),
    ),
    Op(
        "log",
        1,
        floats.log,
        lambda c, i: quotient(ONE, c.args[0]),
        "log({0})",
        r"\log\left({0}\right)",
        rule="log′(x) = 1/x (natural log)",
        callable_as=("log", "ln"),
        sympy=lambda a, p: sympy().log(a[0]),
    ),
    Op(
        "sqrt",
        1,
        math.sqrt,
        lambda c, i: quotient(ONE, mul(TWO, c)),
        "√({0})",
        r"\sqrt{{{0}}}",
        rule="√′(x) = 1/(2·√x)",
        mathml="<msqrt>{0}</msqrt>",
        callable_as=("sqrt",),
        sympy=lambda a, p: sympy().sqrt(a[0]),
    ),
    Op(
        "abs",
        1,
        abs,
        lambda c, i: sub(call("step", c.args[0]), call("step", neg(c.args[0]))),
        "|{0}|",
        r"\left|{0}\right|",
        rule="|x|′ = 1 if x > 0, −1 if x < 0, and 0 at 0 (as PyTorch's sign)",
        mathml="<mrow><mo>|</mo>{0}<mo>|</mo></mrow>",
        callable_as=("abs",),
        sympy=lambda a, p: positive(a[0], a[0], -a[0]),  # Abs differentiates to sign(x) only for real x
        piecewise=True,
    ),
    Op(
        "erf",
        1,
        math.erf,
        lambda c, i: quotient(mul(TWO, call("exp", neg(power(c.args[0], TWO)))), call("sqrt", PI)),
        "erf({0})",
        r"\operatorname{{erf}}\left({0}\right)",
        rule="erf′(x) = 2·exp(−x²)/√π",
        callable_as=("erf",),
        sympy=lambda a, p: sympy().erf(a[0]),
    ),
    Op(
        "asinh",
        1,
        math.asinh,
        lambda c, i: quotient(ONE, call("sqrt", add(power(c.args[0], TWO), ONE))),
        "asinh({0})",
        r"\operatorname{{asinh}}\left({0}\right)",
        rule="asinh′(x) = 1/√(x² + 1)",
        callable_as=("asinh", "arcsinh"),
        sympy=lambda a, p: sympy().asinh(a[0]),
    ),
    Op(
        "sin",
        1,
        math.sin,
        lambda c, i: call("cos", c.args[0]),
        "sin({0})",
        r"\sin\left({0}\right)",
        rule="sin′(x) = cos(x)",
        callable_as=("sin",),
        sympy=lambda a, p: sympy().sin(a[0]),
    ),
    Op(
        "cos",
        1,
        math.cos,
        lambda c, i: neg(call("sin", c.args[0])),
        "cos({0})",
        r"\cos\left({0}\right)",
        rule="cos′(x) = −sin(x)",
        callable_as=("cos",),
        sympy=lambda a, p: sympy().cos(a[0]),
    ),
    Op(
        "step",
        1,
        lambda x: 1.0 if x > 0 else 0.0,
        lambda c, i: ZERO,
        "1[{0} > 0]",
        r"\mathbf{{1}}\left[{0} > 0\right]",
        mathml='<mn mathvariant="bold">1</mn><mo stretchy="false">[</mo>{0}<mo>&gt;</mo><mn>0</mn>'
        '<mo stretchy="false">]</mo>',
        callable_as=("step",),
        sympy=lambda a, p: sympy().Heaviside(a[0], 0),
        piecewise=True,
    ),
    Op(
        "where",
        3,
        lambda c, a, b: a if c > 0 else b,
        _where_partial,
        "({1} if {0} > 0 else {2})",
        r"\begin{{cases}}{1} & {0} > 0\\ {2} & \text{{else}}\end{{cases}}",
        mathml=(
            "<mo>{{</mo><mtable><mtr><mtd>{1}</mtd><mtd>{0}<mo>&gt;</mo><mn>0</mn></mtd></mtr>"
            "<mtr><mtd>{2}</mtd><mtd><mtext>else</mtext></mtd></mtr></mtable>"
        ),
        rule="where(c, a, b) is a if c > 0 else b: a gets the gradient where c > 0, b elsewhere, c none",
        callable_as=("where",),
        sympy=lambda a, p: positive(a[0], a[1], a[2]),
        piecewise=True,
    ),
    Op(
        "max",
        None,
        max,
        _extreme_partial(sub),
        "max({args})",
        r"\max\left({args}\right)",
        rule="max routes the whole gradient to its largest input (to the first of them on a tie); "
        "the others get 0",
        callable_as=("max",),
        sympy=lambda a, p: sympy().Max(*a),
        piecewise=True,
    ),
    Op(
        "min",
        None,
        min,
        _extreme_partial(lambda x, a: sub(a, x)),
        "min({args})",
        r"\min\left({args}\right)",
        rule="min routes the whole gradient to its smallest input (to the first of them on a tie); "
        "the others get 0",
        callable_as=("min",),
        sympy=lambda a, p: sympy().Min(*a),
        piecewise=True,
    ),
]
