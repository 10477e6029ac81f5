"""backtutor's gradients against oracles that do not use its differentiation: SymPy on the whole loss
written out from the ops' definitions, central finite differences, and the closed forms evaluated
at the forward values. Run on every bundled problem and on random layered networks."""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp
import yaml
from hypothesis import assume, given, reject, settings
from hypothesis import strategies as st

from backtutor.engine.expr import Call, Sym
from backtutor.engine.ops import OPS, evaluate
from backtutor.problem.load import load
from backtutor.solution import NumericError, solve
from tests.conftest import bundled_data, for_arrays
from tests.oracle import (
    DEFINED,
    PIECEWISE,
    FirstUpdate,
    SymPyModel,
    finite_difference,
    kink_distance,
    piece_at,
    piecewise,
)


def _solvable(path: Path) -> bool:
    """Bundled files with an `architecture` describe shapes only, and a conv file without a loss asks
    for its maps alone; there is nothing to differentiate. Matrix networks at size are the array
    engine's (tests/test_array_engine.py)."""
    data = bundled_data(path) or {}
    forward_only = "layers" in data and "loss" not in data
    return "architecture" not in data and not forward_only and not for_arrays(path)


BUNDLED = Path(__file__).resolve().parents[1] / "problems"
PROBLEMS = [p for p in sorted(BUNDLED.glob("*.yaml")) if _solvable(p)]
# tests/test_convolution.py checks this one with SymPy against the CNN written out from its definition
OWN_SYMPY_ORACLE = {"conv_relu_pool_dense"}
SYMPY_PROBLEMS = [p for p in PROBLEMS if p.stem not in OWN_SYMPY_ORACLE]
KINK_MARGIN = 1e-3  # finite differences need the point this far from any ReLU / max kink
SYMPY_PATHS = 16  # random networks checked with SymPy: inputs × layer widths at most this


@functools.cache
def worked(path: str) -> FirstUpdate:
    return FirstUpdate(solve(load(path), epochs=1, shown=[1]))  # only the first update's working is checked


def close(got: float, expected: float, scale: float, rel: float, abs_: float) -> bool:
    return math.isclose(got, expected, rel_tol=rel, abs_tol=abs_ * max(1.0, scale))


def check_against_sympy(fu: FirstUpdate) -> None:
    """backtutor's loss and gradients, per example and summed over the batch, against SymPy's."""
    g = fu.sol.graph
    exact = []
    for k, point in fu.examples():
        model = SymPyModel(g, point)
        grads = {n: model.gradient(n) for n in g.wrt}
        exact.append(grads)
        loss = model.loss_value()
        assert fu.steps[fu.id(g.loss, k)].value == pytest.approx(loss, rel=1e-9, abs=1e-12)
        scale = max([abs(loss), *map(abs, grads.values())])
        for name, expected in grads.items():
            sid = fu.grad_id(name, k)
            assert sid in fu.steps, f"no gradient step {sid} for {name} (in graph.wrt)"
            got = fu.steps[sid].value
            assert close(got, expected, scale, 1e-9, 1e-11), f"{sid}: backtutor {got!r}, SymPy {expected!r}"
    if len(fu.batch) > 1:
        for name in g.wrt:
            sid = fu.grad_id(name)
            expected = fu.reduce([grads[name] for grads in exact])
            scale = max(abs(grads[name]) for grads in exact)
            got = fu.steps[sid].value
            assert close(got, expected, scale, 1e-9, 1e-11), f"{sid}: backtutor {got!r}, SymPy {expected!r}"


def check_finite_differences(fu: FirstUpdate) -> int:
    """Checks every example away from kinks; returns how many were checked."""
    g = fu.sol.graph
    leaves = fu.leaves()
    checked = 0
    for k, point in fu.examples():
        if kink_distance(g, fu.node_values(k, point)) < KINK_MARGIN:
            continue
        checked += 1
        x = [float(point[n]) for n in leaves]
        grads = {n: fu.steps[fu.grad_id(n, k)].value for n in g.wrt}
        scale = max([abs(fu.loss(x)), *map(abs, grads.values())])
        for name, got in grads.items():
            fd = finite_difference(fu.loss, x, leaves.index(name))
            assert close(got, fd, scale, 1e-6, 1e-8), f"{fu.grad_id(name, k)}: backtutor {got!r}, FD {fd!r}"
    return checked


def check_closed_forms(fu: FirstUpdate) -> int:
    """Each closed form, evaluated at its example's node values, gives the step's value; returns how
    many closed forms there were."""
    g = fu.sol.graph
    envs = {k: fu.node_values(k, point) for k, point in fu.examples()}
    checked = 0
    for name in g.wrt:
        per_example = []
        for k, env in envs.items():
            step = fu.steps[fu.grad_id(name, k)]
            if step.closed_form is None:
                continue
            checked += 1
            value = evaluate(step.closed_form, env)
            per_example.append(value)
            assert value == pytest.approx(step.value, rel=1e-9, abs=1e-12), f"closed form of {step.id}"
        if len(fu.batch) > 1:
            step = fu.steps[fu.grad_id(name)]
            if step.closed_form is not None:
                total = fu.reduce([evaluate(step.closed_form, env) for env in envs.values()])
                assert total == pytest.approx(step.value, rel=1e-9, abs=1e-12), f"closed form of {step.id}"
    return checked


# ---- bundled problems ----------------------------------------------------------------------------


def test_oracle_defines_every_op():
    assert set(OPS) <= DEFINED, "add the new op's definition to tests/oracle.py"


PIECE_POINTS = {  # points on each side of every kink, and on it (ties of max included)
    "unary": [(-3,), (0,), (2,)],
    "max": [(1, 3, 3), (2, 2, 2), (3, 1, 2), (0, -1, 0), (-1, 0, 1)],
}


@pytest.mark.parametrize("op", sorted(PIECEWISE))
def test_the_piece_at_a_point_has_the_derivative_of_the_whole_piecewise(op):
    """SymPyModel writes a piecewise op as its piece that holds at the point; sympy.diff of the whole
    Piecewise (every piece, the conditions kept) gives the same value and derivatives there."""
    points = PIECE_POINTS["unary" if OPS[op].arity == 1 else "max"]  # max's points serve min and where
    args = sp.symbols(f"a0:{len(points[0])}")
    call = Call(op, tuple(Sym(str(a)) for a in args), Fraction(1, 10) if op.startswith("leaky") else None)
    whole = piecewise(call, list(args))
    for point in points:
        at = dict(zip(args, map(sp.Integer, point), strict=True))
        piece = piece_at(call, list(args), list(at.values()))
        assert piece.xreplace(at) == whole.xreplace(at), (op, point)
        for a in args:
            assert sp.diff(piece, a).xreplace(at) == sp.diff(whole, a).xreplace(at), (op, point, a)


# small networks whose whole loss sympy.diff differentiates quickly: sigmoid, tanh, ReLU, softmax,
# max, formulas, a batch
WHOLE_DIFF = [
    "q4",
    "tanh_network",
    "relu_class",
    "softmax_classifier",
    "cs231n_circuit",
    "formula_activation",
]


@pytest.mark.parametrize("name", WHOLE_DIFF)
def test_the_oracles_forward_chain_rule_is_sympy_diff_of_the_whole_loss(name):
    """SymPyModel.gradient (the chain rule over each node's own definition, fast on deep networks)
    against sympy.diff of the whole loss written out, on networks small enough for the latter."""
    fu = worked(str(BUNDLED / f"{name}.yaml"))
    for _, point in fu.examples():
        model = SymPyModel(fu.sol.graph, point)
        for p in fu.sol.graph.wrt:
            assert model.gradient(p) == pytest.approx(model.whole_gradient(p), rel=1e-12, abs=1e-15), (
                name,
                p,
            )


def test_there_are_bundled_problems():
    assert PROBLEMS


@pytest.mark.parametrize("path", SYMPY_PROBLEMS, ids=lambda p: p.stem)
def test_gradients_match_sympy(path):
    check_against_sympy(worked(str(path)))


@pytest.mark.parametrize("path", PROBLEMS, ids=lambda p: p.stem)
def test_gradients_match_finite_differences(path):
    if not check_finite_differences(worked(str(path))):
        pytest.skip("every example sits on a kink, where finite differences do not apply")


@pytest.mark.parametrize("path", PROBLEMS, ids=lambda p: p.stem)
def test_closed_forms_evaluate_to_the_gradients(path):
    fu = worked(str(path))
    if not check_closed_forms(fu):
        pytest.skip("no closed forms (all too large to show)")


def test_q4_matches_the_published_numbers():
    """Mazur's worked example: ∂E/∂w5 = 0.082167041, ∂E/∂w1 = 0.000438568."""
    path = next((p for p in PROBLEMS if p.stem == "q4"), None)
    if path is None:
        pytest.skip("q4.yaml is not bundled")
    fu = worked(str(path))
    assert fu.steps[fu.grad_id("w5")].value == pytest.approx(0.082167041, abs=1e-9)
    assert fu.steps[fu.grad_id("w1")].value == pytest.approx(0.000438568, abs=1e-9)


# ---- every op, through a formula ---------------------------------------------------------------

OP_FORMULAS = {
    "arithmetic": "a*x^2 - b/x + (a - b)^3 / (1 + x^2) - -c",
    "exp_log_pow": "exp(a*x) * log(b^2 + x^2) + (b^2 + 1)^(c*x)",
    "activations": "sigmoid(a*x) + tanh(b*x) + softplus(c*x) + swish(a - x) + identity(b*c)",
    "kinks": "relu(a*x) + relu(b*x) + leaky_relu(c*x, 0.1) + leaky_relu(-c*x, 0.25) + step(x)*x",
    "max": "max(a, b*x) + max(c, a*x, b) + max(x, -x, c*x, a)",
}


@pytest.mark.parametrize("formula", OP_FORMULAS.values(), ids=list(OP_FORMULAS))
def test_every_op_in_a_formula(tmp_path, formula):
    problem = {
        "inputs": ["x"],
        "input_gradients": ["x"],
        "expressions": {"y": formula},
        "parameters": {"a": 0.7, "b": -1.3, "c": 0.45},
        "loss": {"kind": "output"},
        "data": [{"x": 0.8}, {"x": -1.1}],
    }
    path = tmp_path / "ops.yaml"
    path.write_text(yaml.safe_dump(problem))
    fu = worked(str(path))
    check_against_sympy(fu)
    assert check_finite_differences(fu) == 2
    check_closed_forms(fu)


# ---- random layered networks ---------------------------------------------------------------------

ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "softplus", "swish", "identity"]
values = st.integers(-2000, 2000).map(lambda i: i / 1000)


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True  # backtutor refuses YAML aliases


@st.composite
def networks(draw, max_paths: int = 4 * 4**4) -> dict:
    """A layered network problem: 1-3 inputs, 1-4 layers of 1-4 units, with at most `max_paths`
    input-to-loss paths (inputs × widths, × the softmax width), the size of the written-out loss."""
    inputs = [f"x{i}" for i in range(1, draw(st.integers(1, 3)) + 1)]
    depth, paths, widths = draw(st.integers(1, 4)), len(inputs), []
    for _ in range(depth):
        widths.append(draw(st.integers(1, max(1, min(4, max_paths // paths)))))
        paths *= widths[-1]
    softmax = widths[-1] > 1 and paths * widths[-1] <= max_paths and draw(st.booleans())
    layers, parameters, previous = [], {}, inputs
    for li, width in enumerate(widths, start=1):
        units = {}
        for u in range(1, width + 1):
            weights = [f"w{li}_{u}_{j}" for j in range(1, len(previous) + 1)]
            # no bias, the unit's own, one shared by the layer, or one shared by every layer
            bias = draw(st.sampled_from([None, f"b{li}_{u}", f"b{li}", "b0"]))
            units[f"n{li}_{u}"] = {"weights": weights, **({"bias": bias} if bias else {})}
            for name in [*weights, *([bias] if bias else [])]:
                if name not in parameters:
                    parameters[name] = draw(values)
        activation = "softmax" if softmax and li == depth else draw(st.sampled_from(ACTIVATIONS))
        layer = {"activation": activation, "units": units}
        if activation == "leaky_relu":
            layer["slope"] = draw(st.sampled_from([0.01, 0.1, 0.25]))
        layers.append(layer)
        previous = [f"out_n{li}_{u}" for u in range(1, width + 1)]
    leaves = inputs + [f"target_n{depth}_{u}" for u in range(1, widths[-1] + 1)]
    problem = {
        "title": "random network",
        "inputs": inputs,
        "network": layers,
        "parameters": parameters,
        "data": [{n: draw(values) for n in leaves} for _ in range(draw(st.integers(1, 2)))],
        "loss": {"kind": "cross_entropy" if softmax else draw(st.sampled_from(["half_sse", "sse", "mse"]))},
        "frozen": draw(st.lists(st.sampled_from(sorted(parameters)), unique=True, max_size=2)),
        "input_gradients": draw(st.lists(st.sampled_from(inputs), unique=True)),
    }
    mode = draw(st.sampled_from([None, "online", "batch"]))
    if mode:
        problem["training"] = {"learning_rate": 0.5, "mode": mode}
    return problem


def solve_random(tmp_path: Path, problem: dict) -> FirstUpdate:
    path = tmp_path / "net.yaml"
    path.write_text(yaml.dump(problem, Dumper=_Dumper, sort_keys=False))
    try:
        fu = FirstUpdate(solve(load(path), shown=[1]))
    except NumericError:  # an infinite loss (a saturated softmax under log) is reported, not graded
        reject()
    for k, point in fu.examples():
        assume(math.isfinite(fu.steps[fu.id(fu.sol.graph.loss, k)].value))
        assume(kink_distance(fu.sol.graph, fu.node_values(k, point)) > KINK_MARGIN)
    return fu


@given(problem=networks(max_paths=SYMPY_PATHS))
def test_random_networks_match_sympy(tmp_path, problem):
    """Small enough for sympy.diff of the written-out loss (its cost grows with the paths through
    the network, times the number of gradients)."""
    fu = solve_random(tmp_path, problem)
    check_against_sympy(fu)
    assert check_finite_differences(fu) == len(fu.batch)
    check_closed_forms(fu)


@settings(max_examples=2 * settings.default.max_examples)  # finite differences are cheap
@given(problem=networks())
def test_random_networks_match_finite_differences(tmp_path, problem):
    """The full range, up to 3 inputs and 4 layers of 4 units, by finite differences."""
    fu = solve_random(tmp_path, problem)
    assert check_finite_differences(fu) == len(fu.batch)
    check_closed_forms(fu)
