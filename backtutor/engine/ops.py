"""The op table: every operation defined once, with its numeric forward rule (stable in float64,
see `floats.py`), its symbolic local derivative with respect to each input, how it is written, its
SymPy form and whether a network layer may use it as an activation (the record: `op.Op`).

The entries live in `ops_elementary.py` (arithmetic and the functions a formula may call) and
`ops_activations.py`; one more, `formula`, is a function written as a formula in a problem file
(its `Function` is the call's parameter). Adding an activation means adding one entry;
tests/test_tables.py then checks its derivative against SymPy and finite differences. `evaluate`,
`diff` and `as_sympy` below are the interpretations of expressions that use the table; printing
lives in `formula.py`, compiled numeric code in `compile.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from .constant import Constant
from .expr import ONE, ZERO, Call, Expr, Function, Num, Param, Sym, add, mul
from .op import Op, sympy
from .ops_activations import ACTIVATION_OPS
from .ops_elementary import ARITHMETIC, CALLABLE

__all__ = [
    "ACTIVATIONS",
    "FUNCTIONS",
    "LAYER_CONSTANTS",
    "OPS",
    "Op",
    "X",
    "as_sympy",
    "derivative_of",
    "diff",
    "diff_all",
    "evaluate",
    "functions_in",
    "ops_in",
]

X = "x"  # the variable of a formula function


def _function(p: Param) -> Function:
    assert isinstance(p, Function), "a formula call needs its Function"
    return p


def derivative_of(f: Function) -> Function:
    """f′ as a function of its own: the derivative derived when the file was loaded, or (for f″ and
    beyond, which only the tests ask for) derived here."""
    body = f.derivative if f.derivative is not None else diff(f.body, X)
    return Function(f.name, body, None, f.order + 1)


_FORMULA = Op(
    "formula",
    1,
    lambda f, x: evaluate(f.body, {X: x}),
    lambda c, i: Call("formula", c.args, derivative_of(_function(c.param))),
    "{p}({0})",
    r"{p}\left({0}\right)",
    param="function",
    mathml="{p}{parens}",
    sympy=lambda a, p: as_sympy(_function(p).body, lambda s: a[0]),
)

OPS: dict[str, Op] = {op.name: op for op in [*ARITHMETIC, *CALLABLE, *ACTIVATION_OPS, _FORMULA]}

# the names a network layer may use as its activation, in table order
ACTIVATIONS: tuple[str, ...] = tuple(op.name for op in OPS.values() if op.activation)

# the constants a layer may set for its activation (leaky_relu's slope), by key: the schemas' keys
LAYER_CONSTANTS: dict[str, Constant] = {
    op.constant.key: op.constant for op in OPS.values() if op.activation and op.constant
}

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


def as_sympy(e: Expr, leaf: Callable[[Sym], Any]) -> Any:
    """`e` as SymPy, each op by its entry's SymPy form, each name by `leaf` (built from the tree,
    never from text). A number written π is sympy.pi."""
    if isinstance(e, Num):
        if e.text == "π":
            return sympy().pi
        return sympy().Float(e.value) if isinstance(e.value, float) else sympy().Rational(e.value)
    if isinstance(e, Sym):
        return leaf(e)
    assert isinstance(e, Call), f"no SymPy form for {e!r}"
    args: Sequence[Any] = [as_sympy(a, leaf) for a in e.args]
    return OPS[e.op].sympy(args, e.param)


def ops_in(e: Expr) -> list[str]:
    """Operations an expression uses, outermost first."""
    return list(dict.fromkeys(c.op for c in _calls(e)))


def functions_in(e: Expr) -> list[Function]:
    """The formula functions an expression calls, outermost first."""
    return list(dict.fromkeys(c.param for c in _calls(e) if isinstance(c.param, Function)))


def _calls(e: Expr) -> list[Call]:
    found: list[Call] = []
    todo = [e]
    while todo:
        x = todo.pop()
        if isinstance(x, Call):
            found.append(x)
            todo.extend(reversed(x.args))
    return found
