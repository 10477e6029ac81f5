"""Walks of the op table and the loss table: a new entry is tested by being added.

Every op's local derivative (its entry's `partial`) is checked against sympy.diff of the entry's
SymPy form and against central finite differences of its forward rule, and its forward rule against
its SymPy form and the textbook definition in tests/oracle.py. Every loss term is checked against a
formula written out below and against finite differences.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

import pytest
import sympy

from backtutor.engine.expr import Call, Function, Param, Sym
from backtutor.engine.graph import Graph, Node
from backtutor.engine.losses import LOSSES, loss_model, loss_term
from backtutor.engine.ops import ACTIVATIONS, OPS, Op, diff, evaluate
from backtutor.engine.parse import parse
from tests.oracle import definition

# Points for 1, 2 or 3 inputs (their leading coordinates). No coordinate is 0 and no two are equal,
# so every point is at least 0.15 from the kinks of these ops (0 for relu, step and leaky_relu; a tie
# for max); the largest input varies, so max routes its gradient to each position in turn. A point
# outside an op's domain (log of a negative number, a negative base to a fractional power) is skipped.
POINTS = [(-1.3, 0.7, 2.1), (0.4, -0.9, 0.15), (2.2, 1.1, -0.6), (0.8, 1.9, 1.3)]
SLOPE = Fraction(1, 10)  # the parameter of an op whose parameter is a number (leaky_relu's slope)
H = 1e-6


def _function(name: str, body: str, derived: bool = True) -> Function:
    """A formula function as a problem file gives it; `derived`: with its derivative already derived
    (as loading does), else left to the table's rule (as for a second derivative)."""
    e = parse(body)
    return Function(name, e, diff(e, "x") if derived else None)


# the parameter of a `formula` call: functions written as formulas, their derivative derived or not
FUNCTIONS = [
    _function("scaled_asinh", "asinh(x)/5 + 1/2"),
    _function("gelu", "x/2*(1 + erf(x/sqrt(2)))"),
    _function("mish", "x*tanh(softplus(x))", derived=False),
    _function("waves", "sin(x)*cos(2*x) + where(x, x, exp(x) - 1) + min(x, 0)"),
]


def cases() -> list[tuple[str, int, Param]]:
    """(op, number of inputs, parameter) for every entry: 2 and 3 inputs for an op of any number,
    each component for softmax, each function of FUNCTIONS for a formula."""
    out: list[tuple[str, int, Param]] = []
    for op in OPS.values():
        for n in (op.arity,) if op.arity else (2, 3):
            if op.param == "component":
                out.extend((op.name, n, k) for k in range(n))
            elif op.param == "function":
                out.extend((op.name, n, f) for f in FUNCTIONS)
            else:
                out.append((op.name, n, SLOPE if op.param else None))
    return out


SYMBOLS = sympy.symbols("x0:3")


def sympy_form(name: str, n: int, param: Param) -> tuple[sympy.Expr, tuple[sympy.Expr, ...]]:
    """The entry's SymPy form and its derivative with respect to each input, built once per case and
    evaluated at every point (sympy.diff is the slow part)."""
    form = OPS[name].sympy(SYMBOLS[:n], param)
    return form, tuple(sympy.diff(form, x) for x in SYMBOLS[:n])


def at(form: sympy.Expr, point: tuple[float, ...]) -> float:
    value = complex(form.evalf(subs=dict(zip(SYMBOLS, point, strict=False))))
    assert value.imag == 0, f"{form} is not real at {point}"
    return value.real


def forward(op: Op, param: Param, point: Sequence[float]) -> float:
    return op.forward(param, *point) if op.param else op.forward(*point)


def in_domain(op: Op, param: Param, point: Sequence[float]) -> bool:
    try:
        return math.isfinite(forward(op, param, point))
    except (ValueError, ZeroDivisionError):
        return False


def test_activations_are_the_flagged_entries_in_table_order():
    assert tuple(op.name for op in OPS.values() if op.activation) == ACTIVATIONS
    assert {"sigmoid", "relu", "softmax"} <= set(ACTIVATIONS)
    assert all(OPS[a].arity in (1, None) for a in ACTIVATIONS)


def test_cases_cover_every_entry():
    assert {name for name, _, _ in cases()} == set(OPS)


def _id(v: object) -> str:
    return v.name if isinstance(v, Function) else str(v)


@pytest.mark.parametrize(("name", "n", "param"), cases(), ids=_id)
def test_local_derivatives_match_sympy_and_finite_differences(name, n, param):
    op = OPS[name]
    form, derivatives = sympy_form(name, n, param)
    c = Call(name, tuple(Sym(f"x{i}") for i in range(n)), param)
    tested = 0
    for point in (p[:n] for p in POINTS):
        if not in_domain(op, param, point):
            continue
        tested += 1
        value = forward(op, param, point)
        env = {f"x{i}": v for i, v in enumerate(point)}
        assert evaluate(c, env) == value
        assert value == pytest.approx(at(form, point), rel=1e-12, abs=1e-15), "forward vs SymPy form"
        oracle = definition(c, list(SYMBOLS[:n]))
        assert value == pytest.approx(at(oracle, point), rel=1e-12, abs=1e-15), "forward vs oracle.py"
        for i in range(n):
            local = evaluate(op.partial(c, i), env)
            assert local == evaluate(diff(c, f"x{i}"), env)
            assert local == pytest.approx(at(derivatives[i], point), rel=1e-12, abs=1e-15), f"∂{i} vs SymPy"
            up, down = list(point), list(point)
            up[i] += H
            down[i] -= H
            fd = (forward(op, param, up) - forward(op, param, down)) / (2 * H)
            assert local == pytest.approx(fd, rel=1e-6, abs=1e-8), f"∂/∂x{i} vs finite differences"
    assert tested >= 2, "too few points in the op's domain: add points to POINTS"


# ---- the loss table ----------------------------------------------------------------------------

# one output's term written out independently, and its derivative with respect to the output o,
# for a target t and n outputs
TERMS = {
    "half_sse": (lambda t, o, n: (t - o) ** 2 / 2, lambda t, o, n: o - t),
    "sse": (lambda t, o, n: (t - o) ** 2, lambda t, o, n: 2 * (o - t)),
    "mse": (lambda t, o, n: (t - o) ** 2 / n, lambda t, o, n: 2 * (o - t) / n),
    "cross_entropy": (lambda t, o, n: -t * math.log(o), lambda t, o, n: -t / o),
    "binary_cross_entropy": (
        lambda t, o, n: -(t * math.log(o) + (1 - t) * math.log(1 - o)),
        lambda t, o, n: (o - t) / (o * (1 - o)),
    ),
}
WITH_TERMS = [loss.name for loss in LOSSES.values() if loss.term is not None]
TARGETS, OUTPUTS = (0.0, 0.3, 1.0), (0.2, 0.55, 0.9)  # outputs inside (0, 1), where log(1 − o) is defined


def test_every_loss_with_terms_has_an_independent_formula():
    assert set(WITH_TERMS) == set(TERMS), "write the new loss's term out in TERMS"


@pytest.mark.parametrize("kind", WITH_TERMS)
@pytest.mark.parametrize("n", [1, 3])
def test_loss_terms_and_their_derivatives(kind, n):
    value, derivative = TERMS[kind]
    e = loss_term(kind, "t", "o", n)
    d = diff(e, "o")
    for t in TARGETS:
        for o in OUTPUTS:
            assert evaluate(e, {"t": t, "o": o}) == pytest.approx(value(t, o, n), rel=1e-12, abs=1e-15)
            got = evaluate(d, {"t": t, "o": o})
            assert got == pytest.approx(derivative(t, o, n), rel=1e-12, abs=1e-15)
            fd = (evaluate(e, {"t": t, "o": o + H}) - evaluate(e, {"t": t, "o": o - H})) / (2 * H)
            assert got == pytest.approx(fd, rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("kind", WITH_TERMS)
def test_loss_terms_combine_over_outputs(kind):
    value = TERMS[kind][0]
    outputs = [("o1", "out_o1", "t_o1"), ("o2", "out_o2", "t_o2"), ("o3", "out_o3", "t_o3")]
    model = loss_model(kind, "E_total", outputs, None)
    assert [name for name, _ in model] == ["E_o1", "E_o2", "E_o3", "E_total"]
    env = {"out_o1": 0.2, "out_o2": 0.55, "out_o3": 0.9, "t_o1": 0.0, "t_o2": 1.0, "t_o3": 0.3}
    for name, e in model:
        env[name] = evaluate(e, env)
    want = [value(env[t], env[o], 3) for _, o, t in outputs]
    assert env["E_total"] == pytest.approx(math.fsum(want), rel=1e-12)
    assert loss_model(kind, "E", outputs[:1], None) == [("E", loss_term(kind, "t_o1", "out_o1", 1))]


def test_losses_without_terms_are_the_files_expression_or_the_output():
    expr = Call("pow", (Sym("f"), Sym("y")))
    kinds = {loss.name: loss for loss in LOSSES.values() if loss.term is None}
    assert {k for k, loss in kinds.items() if loss.from_expr} == {"expression"}
    assert {k for k, loss in kinds.items() if loss.is_output} == {"output"}
    assert loss_model("expression", "L", [], expr) == [("L", expr)]
    assert loss_model("output", "L", [("o", "out_o", "t")], None) == []


def test_loss_table_reductions_squares_and_notes():
    assert {k for k, loss in LOSSES.items() if loss.over_examples == "mean"} == {"mse"}
    assert {k for k, loss in LOSSES.items() if loss.squared} == {"half_sse", "sse", "mse"}
    softmax = Call("softmax", (Sym("net_o1"), Sym("net_o2")), 0)
    with_softmax = Graph({"out_o1": Node("out_o1", "value", softmax)}, "E", (), (), ())
    without = Graph({"out_o1": Node("out_o1", "value", Call("sigmoid", (Sym("net_o1"),)))}, "E", (), (), ())
    notes = {k: loss.note(with_softmax) for k, loss in LOSSES.items()}
    assert {k for k, note in notes.items() if note} == {"cross_entropy"}
    assert "∂E/∂net_k = out_k − target_k" in notes["cross_entropy"]
    assert not any(loss.note(without) for loss in LOSSES.values())
