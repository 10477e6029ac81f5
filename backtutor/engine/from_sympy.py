"""SymPy results back into expressions, by a tree walk that knows only what it can write.

Numbers, names, sums, products and powers are SymPy's own structure; any other function is mapped
back through the op table: an op whose SymPy form of one argument is `f(x)` (exp, log, tanh …) or
`x**c` (sqrt) is found by that form, so an op added to the table is found here too. Anything else
is refused (`Unwritable`), never evaluated. `atoms` maps the placeholders a caller put in for
parts SymPy must not look into (σ(u), ReLU(u)) back to those parts.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from fractions import Fraction
from functools import cache
from typing import Any

from .expr import ONE, PI, Call, Expr, Num, Sym, add, mul, neg, power, sub
from .expr import div as quotient
from .ops import OPS

Rank = Callable[[Expr], Any]  # sort key of a product's factors (the order a reader expects)


class Unwritable(ValueError):
    """A SymPy object with no counterpart in the op table."""


@cache
def round_trip() -> tuple[dict[Any, str], dict[Any, str]]:
    """(SymPy function class ↦ op, power exponent ↦ op) for the ops of one argument whose SymPy
    form is that function or that power of the argument."""
    sympy = importlib.import_module("sympy")
    x = sympy.Dummy("x")
    functions: dict[Any, str] = {}
    powers: dict[Any, str] = {}
    for op in OPS.values():
        if op.arity != 1 or op.param or op.infix:
            continue
        form = op.sympy([x], None)
        if isinstance(form, sympy.Function) and form.args == (x,):
            functions.setdefault(form.func, op.name)
        elif isinstance(form, sympy.Pow) and form.base == x and form.exp.is_Rational:
            powers.setdefault(form.exp, op.name)
    return functions, powers


def from_sympy(s: Any, atoms: Mapping[Any, Expr] | None = None, rank: Rank | None = None) -> Expr:
    """The expression of a SymPy object made of numbers, symbols, +, ·, powers and the table's
    functions; products list their factors in `rank` order (SymPy's order on ties)."""
    sympy = importlib.import_module("sympy")
    atoms = atoms or {}

    def walk(e: Any) -> Expr:
        if e in atoms:
            return atoms[e]
        if e.is_Integer or e.is_Rational:
            return Num(Fraction(int(e.p), int(e.q)))
        if e.is_Float:
            return Num(float(e))
        if e.is_Symbol:
            return Sym(e.name)
        if e.is_Add:
            return _sum([walk(t) for t in e.as_ordered_terms()])
        if e.is_Mul:
            return _product(e, walk, rank)
        if e.is_Pow:
            return _power(e, walk)
        if e is sympy.pi:
            return PI
        if e is sympy.E:
            return Call("exp", (ONE,))
        functions, _ = round_trip()
        if isinstance(e, sympy.Function) and e.func in functions and len(e.args) == 1:
            return Call(functions[e.func], (walk(e.args[0]),))
        for op, form, xs in _patterns():
            args = _bind(form, e, xs)
            if args is not None:
                return Call(op, tuple(walk(a) for a in args))
        raise Unwritable(f"no op writes {type(e).__name__}")

    return walk(s)


@cache
def _patterns() -> tuple[tuple[str, Any, tuple[Any, ...]], ...]:
    """(op, its SymPy form, the form's variables) of each op whose form is not a plain function of
    one argument: Max(x0, x1) (max, any number of arguments), Max(0, x0) (relu), Heaviside(x0, 0)
    (step), Piecewise((x1, x0 > 0), (x2, True)) (where)."""
    sympy = importlib.import_module("sympy")
    out = []
    for op in OPS.values():
        if op.infix or op.param:
            continue
        xs = tuple(sympy.Dummy(f"x{i}") for i in range(op.arity or 2))
        form = op.sympy(list(xs), None)
        if isinstance(form, (sympy.Function, sympy.Piecewise)) or form.func in (sympy.Max, sympy.Min):
            out.append((op.name, form, xs))
    return tuple(out)


def _bind(form: Any, e: Any, xs: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """The arguments that make `form` (in the variables xs) the SymPy object e, or None. An op of
    any number of arguments (max, min) takes all of e's."""
    if e.func is form.func and form.args == xs[: len(form.args)] and len(xs) == 2 == len(form.args):
        return tuple(e.args) if len(e.args) >= 2 else None
    bound: dict[Any, Any] = {}

    def match(p: Any, a: Any) -> bool:
        if p in xs:
            return bool(bound.setdefault(p, a) == a)
        if not p.has(*xs):
            return bool(p == a)
        if p.is_Relational and a.is_Relational and p.func is a.func and p.rhs == 0:
            return match(p.lhs, a.lhs - a.rhs)  # SymPy writes u + 1 > 0 as u > −1
        return p.func is a.func and len(p.args) == len(a.args) and all(map(match, p.args, a.args))

    return tuple(bound[x] for x in xs) if match(form, e) and len(bound) == len(xs) else None


def _sum(terms: list[Expr]) -> Expr:
    """a + b − c − d: the terms with a plus sign first, in order, then those with a minus sign."""
    plus = [t for t in terms if not _negative(t)]
    minus = [neg(t) for t in terms if _negative(t)]
    if not plus:
        out = neg(minus[0])
        minus = minus[1:]
    else:
        out = add(*plus)
    for t in minus:
        out = sub(out, t)
    return out


def _negative(e: Expr) -> bool:
    return (isinstance(e, Call) and e.op == "neg") or (isinstance(e, Num) and e.value < 0)


def _product(e: Any, walk: Callable[[Any], Expr], rank: Rank | None) -> Expr:
    coeff, factors = _oriented(e)
    top: list[Expr] = []
    bottom: list[Expr] = []
    for f in factors:
        base, exponent = f.as_base_exp()
        if exponent.is_Number and exponent < 0:
            bottom.append(walk(base ** (-exponent)))
        else:
            top.append(walk(f))
    if rank is not None:
        top.sort(key=rank)
        bottom.sort(key=rank)
    size = abs(coeff)
    if bottom and size.is_Rational and size.q != 1:  # one fraction bar: 1/(5·√u), not 0.2/√u
        size, bottom = size * size.q, [Num(Fraction(int(size.q))), *bottom]
    body = mul(walk(size), *top) if top else walk(size)
    if bottom:
        body = quotient(body, mul(*bottom))
    return neg(body) if coeff < 0 else body


def _oriented(e: Any) -> tuple[Any, list[Any]]:
    """A product's coefficient and factors, each sum written the way round a reader expects:
    (1 − out) rather than −(out − 1); then a leading minus sign taken into a sum that reads as
    well either way round: (out − target) rather than −(target − out)."""
    coeff, factors = e.as_coeff_mul()
    out = list(factors)
    for i, f in enumerate(out):
        if f.is_Add and _score(-f) < _score(f):
            out[i], coeff = -f, -coeff
    if coeff < 0:
        for i, f in enumerate(out):
            if f.is_Add and _score(-f) == _score(f):
                out[i], coeff = -f, -coeff
                break
    return coeff, out


def _score(a: Any) -> tuple[int, bool]:
    """How awkward a sum reads: its minus signs, then whether its number is one of them."""
    number, terms = a.as_coeff_add()
    negative = bool(number < 0)
    return sum(1 for t in terms if _minus(t)) + negative, negative


def _minus(term: Any) -> bool:
    """True when a term of a sum is written with a minus sign (its sums turned round first)."""
    return bool(_oriented(term)[0] < 0) if term.is_Mul else bool(term.could_extract_minus_sign())


def _power(e: Any, walk: Callable[[Any], Expr]) -> Expr:
    base, exponent = e.args
    _, powers = round_trip()
    if exponent in powers:
        return Call(powers[exponent], (walk(base),))
    if exponent.is_Number and exponent < 0:
        return quotient(ONE, walk(base ** (-exponent)))
    return power(walk(base), walk(exponent))
