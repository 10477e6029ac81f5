"""The op table's activations: what a network layer may use by name (`activation=True`), and
LeakyReLU's derivative. Each entry: forward rule (stable in float64, see `floats.py`), local
derivative, writing, SymPy form (see `op.py`), and for an activation with a parameter the constant a
layer sets (its key, default and range). Adding an activation means adding one entry here."""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from . import floats, vector
from .constant import Constant
from .expr import ONE, ZERO, Call, Expr, Num, Param, add, call, mul, power, sub
from .op import Op, positive, rational, sympy


def _softmax_sympy(z: Sequence[Any], k: Param) -> Any:
    assert isinstance(k, int), "softmax needs its component"
    return sympy().exp(z[k]) / sympy().Add(*(sympy().exp(v) for v in z))


def _softmax_partial(c: Call, j: int) -> Expr:
    other = Call("softmax", c.args, j)
    return mul(c, sub(ONE if j == c.param else ZERO, other))


ACTIVATION_OPS = [
    Op(
        "sigmoid",
        1,
        floats.sigmoid,
        lambda c, i: mul(c, sub(ONE, c)),
        "σ({0})",
        r"\sigma\left({0}\right)",
        rule="σ′(x) = σ(x)·(1 − σ(x)), since σ(x) = 1/(1 + e^(−x)) gives σ′ = e^(−x)/(1 + e^(−x))²",
        derivation=(
            "σ′ in its two forms: e^(−x)/(1 + e^(−x))² = 1/(1 + e^(−x)) · e^(−x)/(1 + e^(−x)) "
            "= σ(x)·(1 − σ(x)), as e^(−x)/(1 + e^(−x)) = 1 − 1/(1 + e^(−x)) = 1 − σ(x)"
        ),
        callable_as=("sigmoid", "sigma", "σ"),
        sympy=lambda a, p: 1 / (1 + sympy().exp(-a[0])),
        activation=True,
        vector=vector.SIGMOID,
    ),
    Op(
        "tanh",
        1,
        math.tanh,
        lambda c, i: sub(ONE, power(c, Num(Fraction(2)))),
        "tanh({0})",
        r"\tanh\left({0}\right)",
        rule="tanh′(x) = 1 − tanh²(x)",
        derivation=(
            "tanh′ in its two forms: (cosh²(x) − sinh²(x))/cosh²(x) = 1/cosh²(x) = 1 − tanh²(x), "
            "as tanh(x) = sinh(x)/cosh(x)"
        ),
        callable_as=("tanh",),
        sympy=lambda a, p: sympy().tanh(a[0]),
        activation=True,
        vector=vector.TANH,
    ),
    Op(
        "relu",
        1,
        lambda x: x if x > 0 else 0.0,
        lambda c, i: call("step", c.args[0]),
        "ReLU({0})",
        r"\mathrm{{ReLU}}\left({0}\right)",
        rule="ReLU′(x) = 1 if x > 0 else 0; ReLU′(0) = 0 by convention (as in PyTorch)",
        callable_as=("relu", "ReLU"),
        sympy=lambda a, p: sympy().Max(0, a[0]),
        activation=True,
        vector=vector.RELU,
        piecewise=True,
    ),
    Op(
        "leaky_relu",
        1,
        lambda a, x: x if x > 0 else a * x,
        lambda c, i: Call("leaky_step", c.args, c.param),
        "LeakyReLU({0}; α={p})",
        r"\mathrm{{LeakyReLU}}_{{{p}}}\left({0}\right)",
        param="slope",
        constant=Constant("slope", "alpha", Fraction(1, 100), lambda v: 0 <= v < 1, "in [0, 1)"),
        mathml="<msub><mi>LeakyReLU</mi>{p}</msub>{parens}",
        rule="LeakyReLU′(x) = 1 if x > 0 else α (the slope); the derivative at 0 is taken as α",
        callable_as=("leaky_relu",),
        sympy=lambda a, p: positive(a[0], a[0], rational(p) * a[0]),
        activation=True,
        vector=vector.LEAKY_RELU,
        piecewise=True,
    ),
    Op(
        "leaky_step",
        1,
        lambda a, x: 1.0 if x > 0 else a,
        lambda c, i: ZERO,
        "(1 if {0} > 0 else {p})",
        r"\begin{{cases}}1 & {0} > 0\\ {p} & \text{{else}}\end{{cases}}",
        param="slope",
        mathml=(
            "<mo>{{</mo><mtable><mtr><mtd><mn>1</mn></mtd><mtd>{0}<mo>&gt;</mo><mn>0</mn></mtd></mtr>"
            "<mtr><mtd>{p}</mtd><mtd><mtext>else</mtext></mtd></mtr></mtable>"
        ),
        sympy=lambda a, p: positive(a[0], 1, rational(p)),
        piecewise=True,
    ),
    Op(
        "softplus",
        1,
        floats.softplus,
        lambda c, i: call("sigmoid", c.args[0]),
        "softplus({0})",
        r"\mathrm{{softplus}}\left({0}\right)",
        rule="softplus′(x) = σ(x), since softplus(x) = log(1 + eˣ)",
        callable_as=("softplus",),
        sympy=lambda a, p: sympy().log(1 + sympy().exp(a[0])),
        activation=True,
        vector=vector.SOFTPLUS,
    ),
    Op(
        "swish",
        1,
        lambda x: x * floats.sigmoid(x),
        lambda c, i: mul(
            call("sigmoid", c.args[0]),
            add(ONE, mul(c.args[0], sub(ONE, call("sigmoid", c.args[0])))),
        ),
        "swish({0})",
        r"\mathrm{{swish}}\left({0}\right)",
        rule="swish(x) = x·σ(x), so swish′(x) = σ(x)·(1 + x·(1 − σ(x)))",
        callable_as=("swish",),
        sympy=lambda a, p: a[0] / (1 + sympy().exp(-a[0])),
        activation=True,
        vector=vector.SWISH,
    ),
    Op(
        "identity",
        1,
        lambda x: x,
        lambda c, i: ONE,
        "{0}",
        "{0}",
        callable_as=("identity",),
        mathml="{0}",
        sympy=lambda a, p: a[0],
        activation=True,
        vector=vector.IDENTITY,
    ),
    Op(
        "softmax",
        None,
        floats.softmax,
        _softmax_partial,
        "softmax_{p}({args})",
        r"\mathrm{{softmax}}_{{{p}}}\left({args}\right)",
        param="component",
        mathml="<msub><mi>softmax</mi>{p}</msub>{parens}",
        rule="∂softmax_k/∂z_j = softmax_k·(δ_kj − softmax_j)",
        sympy=_softmax_sympy,
        activation=True,
        vector=vector.SOFTMAX,
    ),
]
