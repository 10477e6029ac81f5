"""The op table: every operation defined once, with its numeric forward rule (stable in float64,
see `floats.py`), its symbolic local derivative with respect to each input, how it is written, its
SymPy form and whether a network layer may use it as an activation.

Adding an activation means adding one entry to `OPS`; tests/test_tables.py then checks its
derivative against SymPy and finite differences. `evaluate` and `diff` below are the two
interpretations of expressions that use the table; printing lives in `formula.py`, compiled
numeric code in `compile.py`, SymPy forms of whole expressions in `sympy_form.py`.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

from . import floats
from .expr import (
    ONE,
    ZERO,
    Call,
    Expr,
    Num,
    Sym,
    add,
    call,
    mul,
    neg,
    power,
    sub,
)
from .expr import div as quotient

Partial = Callable[[Call, int], Expr]
# the op as a SymPy expression of SymPy arguments and the op's parameter (sympy objects are untyped)
SympyForm = Callable[[Sequence[Any], Fraction | int | None], Any]


def _sympy() -> Any:
    """SymPy, imported on first use: solving never needs it, and `backtutor --help` must start fast."""
    return importlib.import_module("sympy")


def _rational(p: Fraction | int | None) -> Any:
    assert p is not None, "this op needs its parameter"
    return _sympy().Rational(p.numerator, p.denominator)


def _positive(x: Any, then: Any, otherwise: Any) -> Any:
    return _sympy().Piecewise((then, x > 0), (otherwise, True))


def _softmax_sympy(z: Sequence[Any], k: Fraction | int | None) -> Any:
    assert isinstance(k, int), "softmax needs its component"
    sympy = _sympy()
    return sympy.exp(z[k]) / sympy.Add(*(sympy.exp(v) for v in z))


@dataclass(frozen=True, slots=True)
class Op:
    name: str
    arity: int | None  # None: any number of inputs (two or more)
    forward: Callable[..., float]  # takes `param` first when the op has one
    partial: Partial  # ∂call/∂call.args[i] as an expression
    text: str  # "σ({0})"; for infix ops the operator itself
    latex: str
    infix: bool = False
    rule: str = ""  # the derivative rule, shown the first time it is used
    param: str = ""  # name of the op's constant parameter, if it has one
    callable_as: tuple[str, ...] = ()  # names a user may call it by in a formula
    mathml: str = ""  # MathML template ({parens}: the arguments in brackets), when name(args) won't do
    activation: bool = False  # a network layer may use it (`ACTIVATIONS`)
    sympy: SympyForm = field(kw_only=True)  # for `sympy_form` and the tests' oracles


def _same(c: Call, i: int) -> Expr:
    return c


def _softmax_partial(c: Call, j: int) -> Expr:
    other = Call("softmax", c.args, j)
    return mul(c, sub(ONE if j == c.param else ZERO, other))


def _max_partial(c: Call, i: int) -> Expr:
    """1 when input i is the first largest input, else 0: it beats every earlier input and no later
    one beats it. For max(a, b): ∂/∂a = 1 − 1[b − a > 0], ∂/∂b = 1[b − a > 0]."""
    x = c.args[i]
    beats_earlier = [call("step", sub(x, a)) for a in c.args[:i]]
    not_beaten = [sub(ONE, call("step", sub(a, x))) for a in c.args[i + 1 :]]
    return mul(*beats_earlier, *not_beaten)


OPS: dict[str, Op] = {
    op.name: op
    for op in [
        Op(
            "add",
            None,
            floats.fsum,
            lambda c, i: ONE,
            "+",
            "+",
            infix=True,
            sympy=lambda a, p: _sympy().Add(*a),
        ),
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
            sympy=lambda a, p: _sympy().Mul(*a),
        ),
        Op(
            "div",
            2,
            lambda a, b: a / b,
            lambda c, i: (
                quotient(ONE, c.args[1])
                if i == 0
                else neg(quotient(c.args[0], power(c.args[1], Num(Fraction(2)))))
            ),
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
            "neg",
            1,
            lambda a: -a,
            lambda c, i: Num(Fraction(-1)),
            "−",
            "-",
            infix=True,
            sympy=lambda a, p: -a[0],
        ),
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
            sympy=lambda a, p: _sympy().exp(a[0]),
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
            sympy=lambda a, p: _sympy().log(a[0]),
        ),
        Op(
            "sigmoid",
            1,
            floats.sigmoid,
            lambda c, i: mul(c, sub(ONE, c)),
            "σ({0})",
            r"\sigma\left({0}\right)",
            rule="σ′(x) = σ(x)·(1 − σ(x)), since σ(x) = 1/(1 + e^(−x)) gives σ′ = e^(−x)/(1 + e^(−x))²",
            callable_as=("sigmoid", "sigma", "σ"),
            sympy=lambda a, p: 1 / (1 + _sympy().exp(-a[0])),
            activation=True,
        ),
        Op(
            "tanh",
            1,
            math.tanh,
            lambda c, i: sub(ONE, power(c, Num(Fraction(2)))),
            "tanh({0})",
            r"\tanh\left({0}\right)",
            rule="tanh′(x) = 1 − tanh²(x)",
            callable_as=("tanh",),
            sympy=lambda a, p: _sympy().tanh(a[0]),
            activation=True,
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
            sympy=lambda a, p: _sympy().Max(0, a[0]),
            activation=True,
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
            sympy=lambda a, p: _sympy().Heaviside(a[0], 0),
        ),
        Op(
            "leaky_relu",
            1,
            lambda a, x: x if x > 0 else a * x,
            lambda c, i: Call("leaky_step", c.args, c.param),
            "LeakyReLU({0}; α={p})",
            r"\mathrm{{LeakyReLU}}_{{{p}}}\left({0}\right)",
            param="slope",
            mathml="<msub><mi>LeakyReLU</mi>{p}</msub>{parens}",
            rule="LeakyReLU′(x) = 1 if x > 0 else α (the slope); the derivative at 0 is taken as α",
            callable_as=("leaky_relu",),
            sympy=lambda a, p: _positive(a[0], a[0], _rational(p) * a[0]),
            activation=True,
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
            sympy=lambda a, p: _positive(a[0], 1, _rational(p)),
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
            sympy=lambda a, p: _sympy().log(1 + _sympy().exp(a[0])),
            activation=True,
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
            sympy=lambda a, p: a[0] / (1 + _sympy().exp(-a[0])),
            activation=True,
        ),
        Op(
            "sqrt",
            1,
            math.sqrt,
            lambda c, i: quotient(ONE, mul(Num(Fraction(2)), c)),
            "√({0})",
            r"\sqrt{{{0}}}",
            rule="√′(x) = 1/(2·√x)",
            mathml="<msqrt>{0}</msqrt>",
            callable_as=("sqrt",),
            sympy=lambda a, p: _sympy().sqrt(a[0]),
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
            sympy=lambda a, p: _positive(a[0], a[0], -a[0]),  # Abs differentiates to sign(x) only for real x
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
        ),
        Op(
            "max",
            None,
            max,
            _max_partial,
            "max({args})",
            r"\max\left({args}\right)",
            rule="max routes the whole gradient to its largest input (to the first of them on a tie); "
            "the others get 0",
            callable_as=("max",),
            sympy=lambda a, p: _sympy().Max(*a),
        ),
    ]
}

# the names a network layer may use as its activation, in table order
ACTIVATIONS: tuple[str, ...] = tuple(op.name for op in OPS.values() if op.activation)

# the schemas' type for an activation: a Literal of ACTIVATIONS for pydantic, a str for mypy
if TYPE_CHECKING:
    ActivationName = str
else:
    ActivationName = Literal[ACTIVATIONS]

FUNCTIONS: dict[str, str] = {alias: op.name for op in OPS.values() for alias in op.callable_as}


def evaluate(e: Expr, env: Mapping[str, float] | Callable[[Expr], float]) -> float:
    """Value of an expression. Leaves come from `env`: a mapping of names, or a function of the
    leaf (for formulas whose leaves are derivative factors or per-example values)."""
    if isinstance(e, Num):
        return float(e.value)
    if isinstance(e, Call):
        op = OPS[e.op]
        args = [evaluate(a, env) for a in e.args]
        return op.forward(e.param, *args) if op.param else op.forward(*args)
    if callable(env):
        return env(e)
    if isinstance(e, Sym):
        return env[e.name]
    raise TypeError(f"cannot evaluate {e!r} from a mapping of names")


def diff(e: Expr, name: str) -> Expr:
    """∂e/∂name by the chain rule inside one expression, each step a rule from `OPS`."""
    if isinstance(e, Sym):
        return ONE if e.name == name else ZERO
    if not isinstance(e, Call):
        return ZERO
    terms = []
    for i, a in enumerate(e.args):
        da = diff(a, name)
        if da != ZERO:
            terms.append(mul(OPS[e.op].partial(e, i), da))
    return add(*terms)


def diff_all(e: Expr, wrt: Collection[str]) -> dict[str, Expr]:
    """{name: ∂e/∂name} for the names in `wrt` that occur in e, in one pass over e: the same
    expressions as `diff(e, name)` (a name missing from the result has derivative 0). Linear in
    the size of e for a weighted sum, where calling `diff` once per input is quadratic."""
    if isinstance(e, Sym):
        return {e.name: ONE} if e.name in wrt else {}
    if not isinstance(e, Call):
        return {}
    terms: dict[str, list[Expr]] = {}
    for i, a in enumerate(e.args):
        partials = diff_all(a, wrt)
        if not partials:
            continue
        local = OPS[e.op].partial(e, i)
        for name, da in partials.items():
            if da != ZERO:
                terms.setdefault(name, []).append(mul(local, da))
    return {name: add(*ts) for name, ts in terms.items()}


def ops_in(e: Expr) -> list[str]:
    """Operations an expression uses, outermost first."""
    found: dict[str, None] = {}

    def walk(x: Expr) -> None:
        if isinstance(x, Call):
            found.setdefault(x.op)
            for a in x.args:
                walk(a)

    walk(e)
    return list(found)
