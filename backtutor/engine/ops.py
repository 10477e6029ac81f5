"""The op table: every operation defined once, with its numeric forward rule (stable in float64),
its symbolic local derivative with respect to each input, and how it is written.

Adding an activation means adding one entry to `OPS`. `evaluate` and `diff` below are the two
interpretations of expressions that use the table; printing lives in `formula.py`, compiled
numeric code in `numeric.py`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from fractions import Fraction

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


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _log(x: float) -> float:
    if x > 0:
        return math.log(x)
    if x == 0:
        return -math.inf
    raise ValueError(f"log of a negative number ({x!r})")


def _pow(a: float, b: float) -> float:
    try:
        r = a**b
    except OverflowError:
        return math.inf
    except ZeroDivisionError:
        raise ZeroDivisionError(f"0 raised to a negative power ({b!r})") from None
    if isinstance(r, complex):
        raise ValueError(f"a negative number raised to a fractional power ({a!r}^{b!r})")
    return r


def _softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _softmax(k: int, *z: float) -> float:
    m = max(z)
    es = [math.exp(v - m) for v in z]
    return es[k] / sum(es)


def _sum(*v: float) -> float:
    return math.fsum(v) if len(v) > 2 else v[0] + v[1]


def _prod(*v: float) -> float:
    return math.prod(v)


Partial = Callable[[Call, int], Expr]


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
        Op("add", None, _sum, lambda c, i: ONE, "+", "+", infix=True),
        Op(
            "sub",
            2,
            lambda a, b: a - b,
            lambda c, i: ONE if i == 0 else Num(Fraction(-1)),
            "−",
            "-",
            infix=True,
        ),
        Op(
            "mul",
            None,
            _prod,
            lambda c, i: mul(*(a for j, a in enumerate(c.args) if j != i)),
            "·",
            r"\cdot",
            infix=True,
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
        ),
        Op(
            "pow",
            2,
            _pow,
            lambda c, i: (
                mul(c.args[1], power(c.args[0], sub(c.args[1], ONE)))
                if i == 0
                else mul(c, call("log", c.args[0]))
            ),
            "^",
            "^",
            infix=True,
            rule="d/dx xⁿ = n·xⁿ⁻¹",
        ),
        Op("neg", 1, lambda a: -a, lambda c, i: Num(Fraction(-1)), "−", "-", infix=True),
        Op(
            "exp",
            1,
            _exp,
            _same,
            "exp({0})",
            r"e^{{{0}}}",
            rule="exp′(x) = exp(x)",
            mathml="<msup><mi>e</mi>{0}</msup>",
            callable_as=("exp",),
        ),
        Op(
            "log",
            1,
            _log,
            lambda c, i: quotient(ONE, c.args[0]),
            "log({0})",
            r"\log\left({0}\right)",
            rule="log′(x) = 1/x (natural log)",
            callable_as=("log", "ln"),
        ),
        Op(
            "sigmoid",
            1,
            _sigmoid,
            lambda c, i: mul(c, sub(ONE, c)),
            "σ({0})",
            r"\sigma\left({0}\right)",
            rule="σ′(x) = σ(x)·(1 − σ(x)), since σ(x) = 1/(1 + e^(−x)) gives σ′ = e^(−x)/(1 + e^(−x))²",
            callable_as=("sigmoid", "sigma", "σ"),
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
        ),
        Op(
            "softplus",
            1,
            _softplus,
            lambda c, i: call("sigmoid", c.args[0]),
            "softplus({0})",
            r"\mathrm{{softplus}}\left({0}\right)",
            rule="softplus′(x) = σ(x), since softplus(x) = log(1 + eˣ)",
            callable_as=("softplus",),
        ),
        Op(
            "swish",
            1,
            lambda x: x * _sigmoid(x),
            lambda c, i: mul(
                call("sigmoid", c.args[0]),
                add(ONE, mul(c.args[0], sub(ONE, call("sigmoid", c.args[0])))),
            ),
            "swish({0})",
            r"\mathrm{{swish}}\left({0}\right)",
            rule="swish(x) = x·σ(x), so swish′(x) = σ(x)·(1 + x·(1 − σ(x)))",
            callable_as=("swish",),
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
        ),
        Op(
            "softmax",
            None,
            _softmax,
            _softmax_partial,
            "softmax_{p}({args})",
            r"\mathrm{{softmax}}_{{{p}}}\left({args}\right)",
            param="component",
            mathml="<msub><mi>softmax</mi>{p}</msub>{parens}",
            rule="∂softmax_k/∂z_j = softmax_k·(δ_kj − softmax_j)",
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
        ),
    ]
}

ACTIVATIONS = (
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "softplus",
    "swish",
    "identity",
    "softmax",
)

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
