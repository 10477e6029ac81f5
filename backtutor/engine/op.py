"""The record of one op-table entry (`Op`) and the helpers entries share for their SymPy forms.

The entries themselves live in `ops_elementary.py` (arithmetic and the functions a formula may call)
and `ops_activations.py` (what a network layer may use); `ops.py` assembles them into the one table.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from .constant import Constant
from .expr import Call, Expr, Param
from .vector import VectorActivation

Partial = Callable[[Call, int], Expr]
# the op as a SymPy expression of SymPy arguments and the op's parameter (sympy objects are untyped)
SympyForm = Callable[[Sequence[Any], Param], Any]


def sympy() -> Any:
    """SymPy, imported on first use: solving never needs it, and `backtutor --help` must start fast."""
    return importlib.import_module("sympy")


def rational(p: Param) -> Any:
    """An op's rational parameter (LeakyReLU's slope) as a SymPy Rational."""
    assert isinstance(p, Fraction | int), "this op needs its parameter"
    f = Fraction(p)
    return sympy().Rational(f.numerator, f.denominator)


def positive(x: Any, then: Any, otherwise: Any) -> Any:
    """`then` where x > 0, else `otherwise`, as a SymPy Piecewise."""
    return sympy().Piecewise((then, x > 0), (otherwise, True))


@dataclass(frozen=True, slots=True)
class Op:
    """One entry of the op table: how the op evaluates, differentiates and is written."""

    name: str
    arity: int | None  # None: any number of inputs (two or more)
    forward: Callable[..., float]  # takes `param` first when the op has one
    partial: Partial  # ∂call/∂call.args[i] as an expression
    text: str  # "σ({0})"; for infix ops the operator itself
    latex: str
    infix: bool = False
    rule: str = ""  # the derivative rule, shown the first time it is used
    derivation: str = ""  # the algebra from the definition to the rule (`diff` shows it after the rule)
    param: str = ""  # name of the op's constant parameter, if it has one
    # the parameter a network layer sets for this activation (leaky_relu's slope): its key (`param`),
    # default and range; the schemas' layer keys and the builders read it from here
    constant: Constant | None = None
    callable_as: tuple[str, ...] = ()  # names a user may call it by in a formula
    mathml: str = ""  # MathML template ({parens}: the arguments in brackets), when name(args) won't do
    activation: bool = False  # a network layer may use it (`ACTIVATIONS`)
    piecewise: bool = False  # defined by cases (ReLU, max, |x|): SymPy writes it worse than its rule
    vector: VectorActivation | None = None  # on NumPy arrays, for the array engine (vector.py)
    sympy: SympyForm = field(kw_only=True)  # for `sympy_form` and the tests' oracles
