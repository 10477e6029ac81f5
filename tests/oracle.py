"""Gradient oracles that share nothing with backtutor's differentiation.

`SymPyModel` turns a solved graph, around one example's point, into one SymPy expression of the
leaves (inputs, targets, parameters) by substituting every node's definition into its consumers,
each op written out from its textbook definition; `sympy.diff` of that expression is the exact
gradient, evaluated here at 40 significant digits. `finite_difference` differentiates the compiled
loss numerically.
`FirstUpdate` finds the steps of the first update's working by their documented ids.

At a kink the derivative is a convention, so the pieces of the piecewise ops encode backtutor's
documented ones (ReLU′(0) = 0, LeakyReLU′(0) = α, max routes a tie to its first input);
`kink_distance` tells how far a point is from any kink, so that finite differences can stay away
from them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

import sympy as sp

from backtutor.engine.compile import compile_graph
from backtutor.engine.expr import Call, Expr, Function, Num, Sym
from backtutor.engine.ops import evaluate
from backtutor.solution import Solution, Step

DIGITS = 40  # gradients are evaluated to this many digits
VALUE_DIGITS = 60  # the values that decide a piecewise op's piece, once they are not rational
Pieces = list[tuple[sp.Expr, sp.Basic]]  # (value, condition) in order; the first that holds applies


def _number(v: Fraction | float | int) -> sp.Rational:
    if isinstance(v, float):
        return sp.Rational(*v.as_integer_ratio())
    v = Fraction(v)
    return sp.Rational(v.numerator, v.denominator)


def _param(c: Call) -> sp.Rational:
    assert c.param is not None, f"{c.op} needs its parameter"
    return _number(c.param)


def _softmax(c: Call, z: list[sp.Expr]) -> sp.Expr:
    assert isinstance(c.param, int) and 0 <= c.param < len(z)
    return sp.exp(z[c.param]) / sp.Add(*(sp.exp(zj) for zj in z))


def _max(c: Call, args: list[sp.Expr]) -> Pieces:
    """A tie goes to the first of the largest inputs, as backtutor documents (the first piece whose
    condition holds applies)."""
    pieces: Pieces = [
        (a, sp.And(*(a >= b for j, b in enumerate(args) if j != i))) for i, a in enumerate(args[:-1])
    ]
    return [*pieces, (args[-1], sp.true)]


def _min(c: Call, args: list[sp.Expr]) -> Pieces:
    """A tie goes to the first of the smallest inputs, as for max."""
    pieces: Pieces = [
        (a, sp.And(*(a <= b for j, b in enumerate(args) if j != i))) for i, a in enumerate(args[:-1])
    ]
    return [*pieces, (args[-1], sp.true)]


def _max_gap(values: list[float]) -> float:
    top, second = sorted(values, reverse=True)[:2]
    return top - second


def _min_gap(values: list[float]) -> float:
    low, second = sorted(values)[:2]
    return second - low


def _formula(c: Call, a: list[sp.Expr]) -> sp.Expr:
    """A function written as a formula of x: its body written out, x being the argument."""
    assert isinstance(c.param, Function)
    return to_sympy(c.param.body, lambda name: a[0])


# smooth op name → its definition, given the Call (for its parameter) and the converted arguments
SMOOTH: dict[str, Callable[[Call, list[sp.Expr]], sp.Expr]] = {
    "add": lambda c, a: sp.Add(*a),
    "mul": lambda c, a: sp.Mul(*a),
    "sub": lambda c, a: a[0] - a[1],
    "div": lambda c, a: a[0] / a[1],
    "pow": lambda c, a: a[0] ** a[1],
    "neg": lambda c, a: -a[0],
    "exp": lambda c, a: sp.exp(a[0]),
    "log": lambda c, a: sp.log(a[0]),
    "sigmoid": lambda c, a: 1 / (1 + sp.exp(-a[0])),
    "tanh": lambda c, a: sp.tanh(a[0]),
    "softplus": lambda c, a: sp.log(1 + sp.exp(a[0])),
    "swish": lambda c, a: a[0] / (1 + sp.exp(-a[0])),
    "identity": lambda c, a: a[0],
    "sqrt": lambda c, a: sp.sqrt(a[0]),
    "softmax": _softmax,
    "erf": lambda c, a: sp.erf(a[0]),
    "asinh": lambda c, a: sp.asinh(a[0]),
    "sin": lambda c, a: sp.sin(a[0]),
    "cos": lambda c, a: sp.cos(a[0]),
    "formula": _formula,
}
# op name → its pieces (value, condition) in order: the first piece whose condition holds applies.
# The conditions encode backtutor's documented conventions at the kinks: ReLU′(0) = 0,
# LeakyReLU′(0) = α, max routes a tie to its first input.
PIECEWISE: dict[str, Callable[[Call, list[sp.Expr]], Pieces]] = {
    "relu": lambda c, a: [(a[0], a[0] > 0), (sp.Integer(0), sp.true)],
    "step": lambda c, a: [(sp.Integer(1), a[0] > 0), (sp.Integer(0), sp.true)],
    "leaky_relu": lambda c, a: [(a[0], a[0] > 0), (_param(c) * a[0], sp.true)],
    "leaky_step": lambda c, a: [(sp.Integer(1), a[0] > 0), (_param(c), sp.true)],
    "max": _max,
    "min": _min,
    "where": lambda c, a: [(a[1], a[0] > 0), (a[2], sp.true)],
    "abs": lambda c, a: [(a[0], a[0] > 0), (sp.Integer(0), sp.Eq(a[0], 0)), (-a[0], sp.true)],
}
DEFINED = set(SMOOTH) | set(PIECEWISE)  # every op the oracle knows


def piecewise(c: Call, args: list[sp.Expr]) -> sp.Expr:
    """A piecewise op as one SymPy Piecewise of its arguments, every piece kept."""
    return sp.Piecewise(*PIECEWISE[c.op](c, args))


def piece_at(c: Call, args: list[sp.Expr], values: list[sp.Expr]) -> sp.Expr:
    """The piece of a piecewise op that holds where its arguments take `values` (numbers)."""
    conditions = [bool(cond) for _, cond in PIECEWISE[c.op](c, values)]
    return PIECEWISE[c.op](c, args)[conditions.index(True)][0]


def definition(c: Call, args: list[sp.Expr]) -> sp.Expr:
    """An op's textbook definition of its arguments; piecewise ops with every piece kept."""
    if c.op in SMOOTH:
        return SMOOTH[c.op](c, args)
    if c.op in PIECEWISE:
        return piecewise(c, args)
    raise NotImplementedError(f"the oracle has no definition of op {c.op!r}")


def to_sympy(e: Expr, leaf: Callable[[str], sp.Expr]) -> sp.Expr:
    """A backtutor expression as SymPy; `leaf(name)` gives what a name stands for."""
    if isinstance(e, Num):
        return _number(e.value)
    if isinstance(e, Sym):
        return leaf(e.name)
    if isinstance(e, Call):
        return definition(e, [to_sympy(a, leaf) for a in e.args])
    raise TypeError(f"not a model expression: {e!r}")


# ops whose derivative jumps, and where: the kink is where this function of the arguments is 0
KINKS: dict[str, Callable[[list[float]], float]] = {
    "relu": lambda a: a[0],
    "step": lambda a: a[0],
    "leaky_relu": lambda a: a[0],
    "leaky_step": lambda a: a[0],
    "max": _max_gap,  # a tie between the largest inputs
    "min": _min_gap,
    "where": lambda a: a[0],
    "abs": lambda a: a[0],
}


def _replace(e: sp.Basic, values: Mapping[sp.Basic, sp.Basic], memo: dict[sp.Basic, sp.Basic]) -> sp.Basic:
    """xreplace that visits each distinct subexpression once (the substituted loss shares a lot)."""
    out = memo.get(e)
    if out is None:
        if e in values:
            out = values[e]
        elif not e.args:
            out = e
        else:
            out = e.func(*(_replace(a, values, memo) for a in e.args))
        memo[e] = out
    return out


def value_at(e: sp.Expr, point: Mapping[sp.Symbol, sp.Rational]) -> float:
    """The value of `e` with every leaf at its value in `point`, to DIGITS digits."""
    at = {s: sp.Float(v, DIGITS) for s, v in point.items()}
    return float(sp.N(_replace(e, at, {}), DIGITS))


def chain_forward(
    defined: list[tuple[sp.Symbol, sp.Expr]],
    of: sp.Symbol,
    wrt: list[sp.Symbol],
    point: Mapping[sp.Symbol, sp.Rational],
) -> dict[sp.Symbol, float]:
    """∂of/∂s at the point for each s in `wrt`, to DIGITS digits, where each (symbol, expression) of
    `defined` (in order) is written in the point's symbols and earlier ones: sympy.diff of each
    definition in its own inputs, chained forward. The same derivative as sympy.diff of the whole
    expression, without expanding the shared parts once per symbol (seconds each on a deep network)."""
    value: dict[sp.Basic, sp.Basic] = {s: sp.Float(v, VALUE_DIGITS) for s, v in point.items()}
    tangent: dict[sp.Basic, dict[sp.Symbol, sp.Float]] = {s: {s: sp.Float(1, DIGITS)} for s in wrt}
    for name, e in defined:
        value[name] = sp.N(_replace(e, value, {}), VALUE_DIGITS)
        total: dict[sp.Symbol, sp.Float] = {}
        for s in e.free_symbols & tangent.keys():
            partial = sp.Float(sp.N(_replace(sp.diff(e, s), value, {}), DIGITS), DIGITS)
            for leaf, d in tangent[s].items():
                total[leaf] = total.get(leaf, sp.Float(0, DIGITS)) + partial * d
        tangent[name] = total
    return {s: float(tangent[of].get(s, 0)) for s in wrt}


def gradients_at(
    e: sp.Expr, wrt: list[sp.Symbol], point: Mapping[sp.Symbol, sp.Rational]
) -> dict[sp.Symbol, float]:
    """∂e/∂s at the point for each s in `wrt`: chain_forward over e's shared subexpressions (sympy.cse)."""
    defined, [reduced] = sp.cse(e)
    result = sp.Dummy("result")
    return chain_forward([*defined, (result, reduced)], result, wrt, point)


def _numeric(value: sp.Expr) -> sp.Expr:
    """Exact while the arithmetic is rational, else to VALUE_DIGITS digits (so a tie stays a tie)."""
    return value if value.is_Rational else value.evalf(VALUE_DIGITS)


class SymPyModel:
    """The loss of a graph around one point, as one SymPy expression of its leaves (inputs, targets,
    parameters): every node's definition substituted into its consumers, each op written out from
    its textbook definition.

    A piecewise op (ReLU, step, max) is written as its piece that holds at the point, the condition
    decided on exact values. sympy.diff of a Piecewise is the Piecewise of its pieces' derivatives
    under the same conditions, so at the point the gradient is the same as the whole Piecewise's
    (tests/test_gradients.py checks this for every piecewise op, at its kinks too), without nested
    Piecewise forms, which grow with the product of their branches through a deep network.

    `gradient` is chain_forward over each node's own definition in its direct inputs (every parameter
    at once): the same derivative as sympy.diff of the whole loss (`whole_gradient`;
    tests/test_gradients.py checks the two agree on small networks), seconds faster on a deep one,
    and nothing shared with backtutor's reverse sweep."""

    def __init__(self, graph: Any, point: Mapping[str, Fraction | float]) -> None:
        self.graph = graph
        # real: otherwise SymPy spends seconds asking whether tanh(…) of a deep expression is real
        self.symbols = {n.name: sp.Symbol(n.name, real=True) for n in graph.nodes.values() if n.expr is None}
        missing = sorted(set(self.symbols) - set(point))
        if missing:
            raise ValueError(f"no value for {missing}")
        self.node: dict[str, sp.Expr] = {}
        self.value: dict[str, sp.Expr] = {}  # each node's value at the point
        # each computed node's definition in its direct inputs' symbols, for the forward chain rule
        self.own = {n.name: sp.Symbol(n.name, real=True) for n in graph.nodes.values()} | self.symbols
        self.local: dict[str, sp.Expr] = {}
        for node in graph.nodes.values():
            if node.expr is None:
                pair = self.symbols[node.name], _number(point[node.name])
            else:
                pair = self._convert(node.expr, lambda n: (self.node[n], self.value[n]))
                self.local[node.name] = self._convert(node.expr, lambda n: (self.own[n], self.value[n]))[0]
            self.node[node.name], self.value[node.name] = pair
        self.loss = self.node[graph.loss]
        self.exact = {s: _number(point[n]) for n, s in self.symbols.items()}  # the point, by symbol
        self._gradients: dict[sp.Symbol, float] | None = None

    def _convert(self, e: Expr, leaf: Callable[[str], tuple[sp.Expr, sp.Expr]]) -> tuple[sp.Expr, sp.Expr]:
        """A backtutor expression as SymPy, and its value at the point; `leaf(name)` gives a node's
        (expression, value)."""
        if isinstance(e, Num):
            return _number(e.value), _number(e.value)
        if isinstance(e, Sym):
            return leaf(e.name)
        if not isinstance(e, Call):
            raise TypeError(f"not a model expression: {e!r}")
        args, values = (list(side) for side in zip(*(self._convert(a, leaf) for a in e.args), strict=True))
        if e.op in PIECEWISE:
            return piece_at(e, args, values), piece_at(e, values, values)
        if e.op in SMOOTH:
            return SMOOTH[e.op](e, args), _numeric(SMOOTH[e.op](e, values))
        raise NotImplementedError(f"the oracle has no definition of op {e.op!r}")

    def gradient(self, name: str) -> float:
        """∂loss/∂name at the point, by chain_forward over the nodes' own definitions."""
        if self._gradients is None:
            defined = [(self.own[n], e) for n, e in self.local.items()]
            leaves = list(self.symbols.values())
            self._gradients = chain_forward(defined, self.own[self.graph.loss], leaves, self.exact)
        return self._gradients[self.symbols[name]]

    def whole_gradient(self, name: str) -> float:
        """∂loss/∂name at the point, by sympy.diff of the whole loss (slow on a deep network)."""
        return value_at(sp.diff(self.loss, self.symbols[name]), self.exact)

    def loss_value(self) -> float:
        return value_at(self.loss, self.exact)


def kink_distance(graph: Any, env: Mapping[str, float]) -> float:
    """How close a point (every node's value in `env`) is to a kink of ReLU, LeakyReLU, step or max."""
    found = [math.inf]

    def walk(e: Expr) -> None:
        if isinstance(e, Call):
            if e.op in KINKS:
                found.append(abs(KINKS[e.op]([evaluate(a, env) for a in e.args])))
            for a in e.args:
                walk(a)

    for node in graph.nodes.values():
        if node.expr is not None:
            walk(node.expr)
    return min(found)


def finite_difference(f: Callable[[list[float]], float], x: list[float], i: int, h: float = 1e-6) -> float:
    """Central difference of f along coordinate i, the step scaled to the coordinate's size."""
    step = h * max(1.0, abs(x[i]))
    up, down = list(x), list(x)
    up[i] += step
    down[i] -= step
    return (f(up) - f(down)) / (2 * step)


class FirstUpdate:
    """The examples of update 1 and its steps, found by the documented step ids: "d{loss}/d{name}",
    "[k]" for example k of a multi-example batch, "@1" when the run has more than one update."""

    def __init__(self, sol: Solution) -> None:
        self.sol, problem = sol, sol.problem
        size = problem.training.batch_size if problem.training else len(problem.data)
        self.batch = list(range(size))  # data indices
        self.steps: dict[str, Step] = {s.id: s for s in sol.steps if s.update == 1}
        self.multi = sol.updates > 1
        self.program = compile_graph(sol.graph)
        self.params = {n: problem.parameters[n] for n in sol.graph.params}

    def id(self, base: str, k: int | None = None) -> str:
        ex = f"[{k}]" if k is not None and len(self.batch) > 1 else ""
        return base + ex + ("@1" if self.multi else "")

    def grad_id(self, name: str, k: int | None = None) -> str:
        return self.id(f"d{self.sol.graph.loss}/d{name}", k)

    def examples(self) -> list[tuple[int | None, dict[str, Fraction]]]:
        """(k for step ids, leaf values) per example of the batch; k is None when the batch is one example."""
        data = self.sol.problem.data
        many = len(self.batch) > 1
        return [(k if many else None, {**self.params, **data[i]}) for k, i in enumerate(self.batch, start=1)]

    def node_values(self, k: int | None, point: Mapping[str, Fraction]) -> dict[str, float]:
        """Every node's value for one example: leaves from the file, computed nodes from the forward steps."""
        env = {n: float(v) for n, v in point.items()}
        for node in self.sol.graph.nodes.values():
            if node.expr is not None:
                env[node.name] = self.steps[self.id(node.name, k)].value
        return env

    def leaves(self) -> list[str]:
        """The compiled loss's arguments, flattened: data (inputs, targets), then every parameter."""
        return [*self.program.data_names, *self.sol.graph.params]

    def loss(self, leaves: list[float]) -> float:
        """The compiled loss of one example at the given leaf values (in `leaves()` order)."""
        nd = len(self.program.data_names)
        return self.program.loss(leaves[:nd], leaves[nd:])

    def reduce(self, values: list[float]) -> float:
        total = math.fsum(values)
        return total / len(values) if self.sol.problem.reduction == "mean" else total
