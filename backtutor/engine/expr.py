"""Expressions as plain data: what a formula *is*, kept apart from evaluating or printing it.

Leaves are numbers and names; `Call` applies an operation from the op table (`ops.py`).
`Deriv` and `Updated` are display-only leaves used in chain-rule products and SGD updates.
The smart constructors (`add`, `mul`, …) fold constants and drop 0/1 so that derivatives read
the way a person would write them; the parser does not use them, so a user's formula prints as
written.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True, slots=True)
class Num:
    """A number, kept exact (a Fraction) when the file gave it so, with the digits as written."""

    value: Fraction | float
    text: str = ""  # how it was written ("1/2", "0.15"); empty: format the value


@dataclass(frozen=True, slots=True)
class Sym:
    """A named quantity: an input, a target, a parameter or a node of the graph."""

    name: str
    example: int | None = None  # display only: the value of `name` for one example of a batch


@dataclass(frozen=True, slots=True)
class Function:
    """A function of one variable written as a formula in a problem file (`asinh(x)/5 + 1/2`), called
    by its name through the op table's `formula` entry. `order` counts the derivatives taken:
    scaled_asinh′ is the same name with order 1 and the derivative as its body."""

    name: str
    body: Expr  # a formula of Sym("x") made of the op table's functions
    derivative: Expr | None = None  # the body's derivative, derived once when the file is loaded
    order: int = 0
    derivation: str = ""  # how the derivative was derived, shown once beside the working


Param = Fraction | int | Function | None  # a Call's constant: leaky_relu slope, softmax component, a formula


@dataclass(frozen=True, slots=True)
class Call:
    """An op of the op table applied to its arguments (`param`: its constant, e.g. leaky_relu's slope)."""

    op: str
    args: tuple[Expr, ...]
    param: Param = None


@dataclass(frozen=True, slots=True)
class Deriv:
    """∂of/∂wrt; `example` marks a per-example quantity inside a batch sum. `direct`: the local
    derivative of the loss itself with respect to a name it uses directly (the others held fixed),
    which is not the gradient ∂loss/∂wrt when that name also reaches the loss another way."""

    of: str
    wrt: str
    example: int | None = None
    direct: bool = False


@dataclass(frozen=True, slots=True)
class Updated:
    """A parameter after an update: w5⁺."""

    name: str


Expr = Num | Sym | Call | Deriv | Updated

ZERO = Num(Fraction(0))
ONE = Num(Fraction(1))
HALF = Num(Fraction(1, 2), "1/2")
PI = Num(math.pi, "π")  # written π; SymPy forms read it as sympy.pi (ops.as_sympy)


def constant(e: Expr) -> Fraction | None:
    """The exact value of an expression made of rational numbers only, else None."""
    if isinstance(e, Num):
        return e.value if isinstance(e.value, Fraction) else None
    if not isinstance(e, Call) or e.op not in _EXACT:
        return None
    vals = [v for v in (constant(a) for a in e.args) if v is not None]
    if len(vals) < len(e.args):
        return None
    try:
        return _EXACT[e.op](*vals)
    except ZeroDivisionError:
        return None


def _exact_pow(a: Fraction, b: Fraction) -> Fraction | None:
    if b.denominator != 1 or abs(b.numerator) > 64 or a == 0:
        return None
    bits = max(a.numerator.bit_length(), a.denominator.bit_length()) * abs(b.numerator)
    return a**b.numerator if bits <= 2048 else None  # a tower (2^64)^64… stays a formula


def _product(vals: tuple[Fraction, ...]) -> Fraction:
    out = Fraction(1)
    for v in vals:
        out *= v
    return out


_EXACT: dict[str, Callable[..., Fraction | None]] = {
    "add": lambda *v: sum(v, Fraction(0)),
    "mul": lambda *v: _product(v),
    "sub": lambda a, b: a - b,
    "neg": lambda a: -a,
    "div": lambda a, b: a / b,
    "pow": _exact_pow,
}


def neg(x: Expr) -> Expr:
    c = constant(x)
    if c is not None:
        return Num(-c)
    if isinstance(x, Call) and x.op == "neg":
        return x.args[0]
    return Call("neg", (x,))


def add(*terms: Expr) -> Expr:
    flat: list[Expr] = []
    total = Fraction(0)
    for t in terms:
        for u in t.args if isinstance(t, Call) and t.op == "add" else (t,):
            c = constant(u)
            if c is None:
                flat.append(u)
            else:
                total += c
    if total:
        flat.append(Num(total))
    if not flat:
        return ZERO
    return flat[0] if len(flat) == 1 else Call("add", tuple(flat))


def mul(*factors: Expr) -> Expr:
    """Product with one rational coefficient in front and 1/x factors gathered under a bar."""
    coeff = Fraction(1)
    top: list[Expr] = []
    bottom: list[Expr] = []
    stack = list(reversed(factors))
    while stack:
        f = stack.pop()
        c = constant(f)
        if c is not None:
            coeff *= c
        elif isinstance(f, Call) and f.op == "mul":
            stack.extend(reversed(f.args))
        elif isinstance(f, Call) and f.op == "neg":
            coeff = -coeff
            stack.append(f.args[0])
        elif isinstance(f, Call) and f.op == "div" and (over := constant(f.args[0])) is not None:
            coeff *= over
            bottom.append(f.args[1])
        else:
            top.append(f)
    if coeff == 0:
        return ZERO
    magnitude = abs(coeff)
    numerator = _product_of(([Num(magnitude)] if magnitude != 1 else []) + top)
    body = numerator if not bottom else Call("div", (numerator, _product_of(bottom)))
    return neg(body) if coeff < 0 else body


def _product_of(factors: list[Expr]) -> Expr:
    if not factors:
        return ONE
    return factors[0] if len(factors) == 1 else Call("mul", tuple(factors))


def sub(a: Expr, b: Expr) -> Expr:
    ca, cb = constant(a), constant(b)
    if ca is not None and cb is not None:
        return Num(ca - cb)
    if cb == 0:
        return a
    if ca == 0:
        return neg(b)
    return Call("sub", (a, b))


def div(a: Expr, b: Expr) -> Expr:
    cb = constant(b)
    if cb == 1:
        return a
    if cb:
        return mul(Num(1 / cb), a)
    return mul(a, Call("div", (ONE, b)))


def power(a: Expr, b: Expr) -> Expr:
    cb = constant(b)
    if cb == 1:
        return a
    if cb == 0:
        return ONE
    return Call("pow", (a, b))


def call(op: str, *args: Expr, param: Param = None) -> Call:
    return Call(op, tuple(args), param)


def names(e: Expr) -> list[str]:
    """Names an expression refers to, in order of first appearance."""
    seen: dict[str, None] = {}

    def walk(x: Expr) -> None:
        if isinstance(x, Sym):
            seen.setdefault(x.name)
        elif isinstance(x, Call):
            for a in x.args:
                walk(a)

    walk(e)
    return list(seen)


def size(e: Expr) -> int:
    return 1 + sum(size(a) for a in e.args) if isinstance(e, Call) else 1


def in_example(e: Expr, k: int, marked: int | None = None, only: Collection[str] | None = None) -> Expr:
    """e with each name marked `marked` (None: each name of no example), or only those of them in
    `only`, as example k's: f → f[k]."""
    if isinstance(e, Sym):
        return Sym(e.name, k) if e.example == marked and (only is None or e.name in only) else e
    if isinstance(e, Call):
        return Call(e.op, tuple(in_example(a, k, marked, only) for a in e.args), e.param)
    return e
