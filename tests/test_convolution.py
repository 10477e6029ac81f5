"""Convolution and pooling on numbers, inside the graph engine, against oracles that share nothing
with backtutor/convolution.py: the layers written out again here from their textbook definitions
(zero padding included as zeros, the kernel slid without a flip), once over SymPy symbols, whose
`sympy.diff` of the whole loss gives exact gradients, and once over floats, for central finite
differences. Hand-computed forward values for the bundled edge filter; random small shapes via
hypothesis.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
import sympy as sp
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import backtutor
from backtutor.cli.app import app
from backtutor.engine.expr import Call, Sym
from backtutor.engine.ops import diff, evaluate
from backtutor.engine.parse import parse
from backtutor.errors import InputError
from backtutor.problem.load import load

from .conftest import PROBLEMS
from .oracle import gradients_at

runner = CliRunner()
KINK_MARGIN = 1e-3
# the random cases checked with SymPy have at most this many leaves (inputs, parameters, targets):
# sympy.diff's cost grows with the leaves times the loss's size; the finite-difference test takes all
SYMPY_LEAVES = 80


# ---- the oracle: a CNN written out from its definition, for any number type --------------------


class Floats:
    """Float arithmetic, recording how close the point is to a kink (ReLU at 0, a tie for a max)."""

    def __init__(self) -> None:
        self.margin = math.inf

    def relu(self, x: float) -> float:
        self.margin = min(self.margin, abs(x))
        return x if x > 0 else 0.0

    def max(self, xs: list[float]) -> float:
        top = sorted(xs)
        if len(top) > 1:
            self.margin = min(self.margin, top[-1] - top[-2])
        return top[-1]

    def tanh(self, x: float) -> float:
        return math.tanh(x)

    def sigmoid(self, x: float) -> float:
        return 1 / (1 + math.exp(-x))


class Arrays:
    """NumPy arithmetic on one array per leaf: many points (the finite-difference steps) at once."""

    def relu(self, x: np.ndarray) -> np.ndarray:
        return np.where(x > 0, x, 0.0)

    def max(self, xs: list[np.ndarray]) -> np.ndarray:
        return np.max(np.stack(xs), axis=0)

    def tanh(self, x: np.ndarray) -> np.ndarray:
        return np.tanh(x)

    def sigmoid(self, x: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-x))


class Symbols:
    """SymPy, with backtutor's documented conventions at the kinks: ReLU′(0) = 0, and a max sends
    its gradient to the first of equal largest inputs (reading order).

    A kink is written as its piece that holds at the point `at`, decided on exact values: at that
    point sympy.diff of the whole Piecewise is the derivative of that piece (it differentiates piece
    by piece under the same conditions; tests/test_gradients.py checks this for tests/oracle.py's
    pieces, which follow the same conventions), and nested Piecewise forms make sympy.diff of a
    CNN's loss take minutes."""

    def __init__(self, at: dict[sp.Symbol, sp.Rational]) -> None:
        self.at = at

    def _value(self, x: sp.Expr) -> sp.Expr:
        return x.xreplace(self.at) if isinstance(x, sp.Basic) else x

    def relu(self, x: sp.Expr) -> sp.Expr:
        return x if self._value(x) > 0 else sp.Integer(0)

    def max(self, xs: list[sp.Expr]) -> sp.Expr:
        values = [self._value(x) for x in xs]
        for i, v in enumerate(values):
            if all(v > w for w in values[:i]) and all(v >= w for w in values[i + 1 :]):
                return xs[i]
        raise AssertionError(f"no largest of {values}")

    def tanh(self, x: sp.Expr) -> sp.Expr:
        return sp.tanh(x)

    def sigmoid(self, x: sp.Expr) -> sp.Expr:
        return 1 / (1 + sp.exp(-x))


def conv(x: list, k: list, b: list | None, stride: int, pad: int) -> list:
    """x: C×H×W, k: O×C×F×F, b: O values → O×H'×W' with out[o][i][j] = Σ k·x over the window + b[o]."""
    channels, height, width = len(x), len(x[0]), len(x[0][0])
    size = len(k[0][0])

    def at(c: int, r: int, s: int) -> Any:
        return x[c][r][s] if 0 <= r < height and 0 <= s < width else 0  # zero padding

    rows = (height + 2 * pad - size) // stride + 1
    cols = (width + 2 * pad - size) // stride + 1
    return [
        [
            [
                sum(
                    k[o][c][u][v] * at(c, i * stride + u - pad, j * stride + v - pad)
                    for c in range(channels)
                    for u in range(size)
                    for v in range(size)
                )
                + (b[o] if b else 0)
                for j in range(cols)
            ]
            for i in range(rows)
        ]
        for o in range(len(k))
    ]


def pool(x: list, kind: str, window: int, stride: int, ops: Any) -> list:
    rows = (len(x[0]) - window) // stride + 1
    cols = (len(x[0][0]) - window) // stride + 1
    out = []
    for grid in x:
        out.append([])
        for i in range(rows):
            out[-1].append([])
            for j in range(cols):
                cells = [grid[i * stride + u][j * stride + v] for u in range(window) for v in range(window)]
                out[-1][-1].append(ops.max(cells) if kind == "maxpool" else sum(cells) / len(cells))
    return out


def forward(spec: dict, env: dict, ops: Any) -> tuple[Any, dict]:
    """The loss ½Σ(t − out)² of a conv → [activation] → [pool] → flatten → dense → [activation]
    network, and every layer's values. `env` gives each named leaf's value (a number, a SymPy symbol
    or an array of numbers)."""
    x = [[[env[name] for name in row] for row in grid] for grid in spec["image_names"]]
    k = [[[[env[n] for n in row] for row in mat] for mat in filt] for filt in spec["kernel_names"]]
    b = [env[n] for n in spec["bias_names"]]
    values = {"c": conv(x, k, b, spec["stride"], spec["padding"])}
    h = values["c"]
    if spec["activation"]:
        f = getattr(ops, spec["activation"])
        h = values["a"] = [[[f(v) for v in row] for row in grid] for grid in h]
    if spec["pool"]:
        h = values["p"] = pool(h, spec["pool"], spec["window"], spec["window"], ops)
    flat = [v for grid in h for row in grid for v in row]
    w = [[env[n] for n in row] for row in spec["weight_names"]]
    d = [env[n] for n in spec["dense_bias_names"]]
    z = values["z"] = [
        sum(wi * fi for wi, fi in zip(row, flat, strict=True)) + du for row, du in zip(w, d, strict=True)
    ]
    if spec.get("output"):
        f = getattr(ops, spec["output"])
        z = values["y_hat"] = [f(v) for v in z]
    loss = sum((env[t] - zu) ** 2 for t, zu in zip(spec["target_names"], z, strict=True)) / 2
    return loss, values


def names(base: str, shape: tuple[int, ...]) -> list:
    """backtutor's documented naming: one `_i` suffix (1-based) per axis of the array as written."""
    if not shape:
        return base
    return [names(f"{base}_{i + 1}", shape[1:]) for i in range(shape[0])]


def flat(nested: Any) -> list:
    return [y for x in nested for y in flat(x)] if isinstance(nested, list) else [nested]


def leaf_values(problem: dict, spec: dict) -> dict[str, float]:
    """Every leaf's value, read from the problem as written: the image (backtutor leaves out cells
    that no window covers; here they are multiplied by nothing), the parameters and the targets."""
    conv_layer = problem["layers"][0]
    dense = next(layer for layer in problem["layers"] if layer["kind"] == "dense")
    given = [
        (spec["image_names"], problem["image"]["x"]),
        (spec["kernel_names"], [*conv_layer["kernel"].values()]),
        (spec["bias_names"], [*conv_layer["bias"].values()]),
        (spec["weight_names"], [*dense["weights"].values()]),
        (spec["dense_bias_names"], [*dense["bias"].values()]),
        (spec["target_names"], [problem["data"][0][t] for t in spec["target_names"]]),
    ]
    return {n: float(v) for labels, vals in given for n, v in zip(flat(labels), flat(vals), strict=True)}


def sympy_gradients(spec: dict, leaves: dict[str, float], wrt: list[str]) -> dict[str, float]:
    """sympy.diff of the loss written over SymPy symbols, at the point (over its shared parts)."""
    symbols = {name: sp.Symbol(name, real=True) for name in leaves}  # real: see tests/oracle.py
    at = {symbols[n]: sp.Rational(*v.as_integer_ratio()) for n, v in leaves.items()}
    loss, _ = forward(spec, symbols, Symbols(at))
    found = gradients_at(loss, [symbols[name] for name in wrt], at)
    return {name: found[symbols[name]] for name in wrt}


def finite_differences(spec: dict, leaves: dict[str, float], wrt: list[str]) -> dict[str, float]:
    """Central differences of the float loss along each leaf in `wrt`, every step in one NumPy pass."""
    names_ = list(leaves)
    x = np.array(list(leaves.values()))
    cols = np.array([names_.index(n) for n in wrt])
    h = 1e-6 * np.maximum(1.0, np.abs(x[cols]))
    rows = np.arange(len(wrt))
    points = np.tile(x, (2 * len(wrt), 1))  # row i: x + h_i along leaf i; row n + i: x − h_i
    points[rows, cols] += h
    points[rows + len(wrt), cols] -= h
    loss, _ = forward(spec, {n: points[:, j] for j, n in enumerate(names_)}, Arrays())
    return dict(zip(wrt, ((loss[: len(wrt)] - loss[len(wrt) :]) / (2 * h)).tolist(), strict=True))


def check_problem(problem: dict, spec: dict, tmp_path, sympy: bool = True) -> dict[str, int]:
    """Solve the problem with backtutor, compare every forward value with the oracle's floats, every
    gradient with sympy.diff of the oracle's whole loss (unless `sympy` is False) and, away from kinks,
    with central differences of its float loss; returns how many gradients there are and how many
    each oracle checked."""
    path = tmp_path / "conv.yaml"
    path.write_text(yaml.safe_dump(problem, sort_keys=False), encoding="utf-8")
    sol = backtutor.solve(path)
    steps = {s.id: s.value for s in sol.steps}
    leaves = leaf_values(problem, spec)
    floats = Floats()
    check_forward(steps, spec, *forward(spec, leaves, floats))
    wrt = [*sol.graph.wrt]
    assert set(wrt) >= set(flat(spec["kernel_names"])) | set(flat(spec["weight_names"]))
    exact = sympy_gradients(spec, leaves, wrt) if sympy else {}
    for name, expected in exact.items():
        got = steps[f"dE/d{name}"]
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-12), f"dE/d{name}: {got} vs SymPy {expected}"
    differenced = finite_differences(spec, leaves, wrt) if floats.margin > KINK_MARGIN else {}
    for name, fd in differenced.items():
        got = steps[f"dE/d{name}"]
        assert got == pytest.approx(fd, rel=1e-6, abs=1e-7), f"dE/d{name}: {got} vs FD {fd}"
    if sol.problem.training:
        rate = float(sol.problem.training.learning_rate)
        for name in sol.graph.trainable:
            expected = leaves[name] - rate * steps[f"dE/d{name}"]
            assert steps[f"{name}+"] == pytest.approx(expected, rel=1e-12, abs=1e-12)
    return {"gradients": len(wrt), "sympy": len(exact), "finite differences": len(differenced)}


def check_forward(steps: dict[str, float], spec: dict, loss: float, values: dict) -> None:
    """The loss and every layer's values, by the documented names, against the oracle's floats."""
    assert steps["E"] == pytest.approx(loss, rel=1e-12, abs=1e-12)
    for key, grid in values.items():
        shape = _shape(grid)
        if key in ("c", "a", "p") and shape[0] == 1:
            grid, shape = grid[0], shape[1:]
        labels = spec.get(f"{key}_names", names(key, shape))
        for name, value in zip(flat(labels), flat(grid), strict=True):
            assert steps[name] == pytest.approx(value, rel=1e-12, abs=1e-12), name


def _shape(nested: Any) -> tuple[int, ...]:
    return (len(nested), *_shape(nested[0])) if isinstance(nested, list) else ()


def network(
    channels: int,
    size: int,
    filters: int,
    kernel: int,
    stride: int,
    padding: int,
    activation: str | None,
    pooling: str | None,
    units: int,
    numbers: Any,
) -> tuple[dict, dict]:
    """A problem file and the oracle's description of the same network."""
    image = [[[numbers() for _ in range(size)] for _ in range(size)] for _ in range(channels)]
    k = [
        [[[numbers() for _ in range(kernel)] for _ in range(kernel)] for _ in range(channels)]
        for _ in range(filters)
    ]
    conv_size = (size + 2 * padding - kernel) // stride + 1
    window = 2 if pooling and conv_size >= 2 else None
    side = (conv_size - 2) // 2 + 1 if window else conv_size
    features = filters * side * side
    layers: list[dict] = [
        {"kind": "conv", "name": "c", "kernel": {"k": k}, "bias": {"b": [numbers() for _ in range(filters)]}}
    ]
    layers[0] |= {"stride": stride, "padding": padding}
    if activation:
        layers.append({"kind": activation, "name": "a"})
    if window:
        layers.append({"kind": pooling, "name": "p", "window": window})
    layers += [
        {"kind": "flatten"},
        {
            "kind": "dense",
            "name": "z",
            "weights": {"w": [[numbers() for _ in range(features)] for _ in range(units)]},
            "bias": {"d": [numbers() for _ in range(units)]},
        },
    ]
    targets = {f"target_z_{u + 1}": numbers() for u in range(units)}
    problem = {
        "image": {"x": image if channels > 1 else image[0]},
        "layers": layers,
        "data": [targets],
        "input_gradients": ["x"],
        "loss": {"kind": "half_sse", "name": "E"},
        "training": {"learning_rate": 0.1},
    }
    image_names = names("x", (channels, size, size)) if channels > 1 else [names("x", (size, size))]
    spec = {
        "image_names": image_names,
        "kernel_names": names("k", (filters, channels, kernel, kernel)),
        "bias_names": names("b", (filters,)),
        "stride": stride,
        "padding": padding,
        "activation": activation,
        "pool": pooling if window else None,
        "window": window,
        "weight_names": names("w", (units, features)),
        "dense_bias_names": names("d", (units,)),
        "target_names": list(targets),
    }
    return problem, spec


# ---- the bundled problems ---------------------------------------------------------------------


def test_edge_filter_forward_values_by_hand():
    sol = backtutor.solve(PROBLEMS / "edge_filter.yaml")
    value = {s.id: s.value for s in sol.steps}
    # the filter [1 0 −1] in each row gives, per row, x[j] − x[j+2]; three rows add up
    assert value["c_1_1"] == 3 * (10 - 10) == 0
    assert value["c_1_2"] == 3 * (10 - 0) == 30
    assert value["c_2_1"] == 0 and value["c_2_2"] == 30
    assert value["p_1_1"] == (0 + 30 + 0 + 30) / 4 == 15
    # ∂p/∂c = 1/4 everywhere, so ∂p/∂k_u_v = ¼ Σ of the 2×2 block of the image under k_u_v
    image = [[10, 10, 10, 0]] * 4
    for u in range(3):
        for v in range(3):
            block = sum(image[u + i][v + j] for i in range(2) for j in range(2))
            assert value[f"dp_1_1/dk_{u + 1}_{v + 1}"] == block / 4
    # ∂p/∂x_i_j: the full convolution of the 1/4s with the flipped kernel; column j of x meets kernel
    # columns v = j − (0 or 1), i.e. weights 1, 0, −1 by column: x_*_1 → 1, x_*_2 → 1 + 0, …
    kernel_column = [1, 0, -1]
    for i in range(4):
        rows = sum(1 for a in range(2) if 0 <= i - a < 3)  # kernel rows over row i
        for j in range(4):
            columns = sum(kernel_column[j - b] for b in range(2) if 0 <= j - b < 3)
            assert value[f"dp_1_1/dx_{i + 1}_{j + 1}"] == rows * columns / 4


def test_edge_filter_shows_the_sums_of_products_and_how_to_read_the_backward_pass():
    out = runner.invoke(app, ["solve", str(PROBLEMS / "edge_filter.yaml")]).output
    assert "c_1_2 = k_1_1·x_1_2 + k_1_2·x_1_3 + k_1_3·x_1_4 + k_2_1·x_2_2" in out
    assert "p_1_1 = (c_1_1 + c_1_2 + c_2_1 + c_2_2)/4 = (0 + 30 + 0 + 30)/4 = 15" in out
    assert "correlation of the input" in out and "flipped kernel" in out
    assert "spread evenly" in out


def test_conv_relu_pool_dense_gradients_against_an_independent_oracle(tmp_path):
    problem = yaml.safe_load((PROBLEMS / "conv_relu_pool_dense.yaml").read_text(encoding="utf-8"))
    spec = {
        "image_names": [names("x", (5, 5))],
        "kernel_names": [[names("k", (2, 2))]],
        "bias_names": ["b"],
        "stride": 1,
        "padding": 0,
        "activation": "relu",
        "pool": "maxpool",
        "window": 2,
        "weight_names": [names("w", (4,))],
        "dense_bias_names": ["b2"],
        "target_names": ["y"],
        "z_names": ["z"],  # one unit's weights as a flat list: the output is z, not z_1
        "output": "sigmoid",
        "y_hat_names": ["y_hat"],
    }
    problem["input_gradients"] = ["x"]
    n = 4 + 1 + 4 + 1 + 25
    assert check_problem(problem, spec, tmp_path) == {"gradients": n, "sympy": n, "finite differences": n}


def test_conv_relu_pool_dense_one_sgd_step():
    sol = backtutor.solve(PROBLEMS / "conv_relu_pool_dense.yaml")
    value = {s.id: s.value for s in sol.steps}
    assert value["p_1_1"] == 4.25 and value["p_1_2"] == 3.75 and value["p_2_1"] == 4.75
    assert value["z"] == pytest.approx(0.1 * 4.25 - 0.2 * 3.75 + 0.3 * 4.75 - 0.1 * 2.75 + 0.2)
    y_hat = 1 / (1 + math.exp(-value["z"]))
    delta = -(1 - y_hat) * y_hat * (1 - y_hat)  # ∂E/∂z for E = ½(y − ŷ)², ŷ = σ(z)
    assert value["dE/dz"] == pytest.approx(delta, rel=1e-12)
    # max-pool: only each window's winner gets a gradient
    assert value["dE/da_1_2"] == pytest.approx(delta * 0.1) and value["dE/da_1_1"] == 0
    assert value["dE/da_2_3"] == pytest.approx(delta * -0.2) and value["dE/da_2_4"] == 0
    # ∂E/∂k_1_1 = Σ_ij ∂E/∂c_i_j · x_i_j: the correlation of the image with ∂E/∂c
    image = yaml.safe_load((PROBLEMS / "conv_relu_pool_dense.yaml").read_text())["image"]["x"]
    corr = sum(value[f"dE/dc_{i + 1}_{j + 1}"] * image[i][j] for i in range(4) for j in range(4))
    assert value["dE/dk_1_1"] == pytest.approx(corr, rel=1e-12)
    assert value["k_1_1+"] == pytest.approx(1 - 0.5 * value["dE/dk_1_1"], rel=1e-12)


# ---- random small shapes ----------------------------------------------------------------------


@st.composite
def networks(draw) -> tuple[dict, dict]:
    channels, filters = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kernel = draw(st.integers(1, 3))
    size = draw(st.integers(max(kernel, 2), 3))
    padding = draw(st.integers(0, kernel - 1))
    stride = draw(st.integers(1, 2))
    values = st.integers(-8, 8).map(lambda i: i / 4)
    return network(
        channels,
        size,
        filters,
        kernel,
        stride,
        padding,
        draw(st.sampled_from([None, "relu", "tanh"])),
        draw(st.sampled_from([None, "maxpool", "avgpool"])),
        draw(st.integers(1, 2)),
        lambda: draw(values),
    )


@given(case=networks())
def test_random_small_networks_match_sympy_and_finite_differences(tmp_path, case):
    """At kinks too: the oracle writes each kink as the piece the documented convention picks."""
    problem, spec = case
    assume(len(leaf_values(problem, spec)) <= SYMPY_LEAVES)
    checked = check_problem(problem, spec, tmp_path)
    assert checked["sympy"] == checked["gradients"] > 0


@settings(max_examples=2 * settings.default.max_examples)  # no SymPy here: cheap
@given(case=networks())
def test_random_small_networks_away_from_kinks_match_finite_differences(tmp_path, case):
    problem, spec = case
    floats = Floats()
    forward(spec, leaf_values(problem, spec), floats)
    assume(floats.margin > KINK_MARGIN)
    checked = check_problem(problem, spec, tmp_path, sympy=False)  # SymPy: the test above
    assert checked["finite differences"] == checked["gradients"] > 0


# ---- max over a window, and bad files -----------------------------------------------------------


def test_max_pool_tie_goes_to_the_first_cell_in_reading_order(write_problem):
    path = write_problem(
        "image: {x: [[1, 3], [3, 2]]}\nlayers: [{kind: maxpool, name: p, window: 2}]\n"
        "input_gradients: [x]\nloss: {kind: output}\n"
    )
    value = {s.id: s.value for s in backtutor.solve(path).steps}
    assert value["p_1_1"] == 3
    assert [value[f"dp_1_1/dx_{c}"] for c in ("1_1", "1_2", "2_1", "2_2")] == [0, 1, 0, 0]


def test_nary_max_in_formulas():
    e = parse("max(a, b, c)")
    assert isinstance(e, Call) and e.op == "max" and len(e.args) == 3
    env = {"a": 1.0, "b": 3.0, "c": 3.0}
    assert evaluate(e, env) == 3
    assert [evaluate(diff(e, n), env) for n in "abc"] == [0, 1, 0]  # a tie: the first largest
    with pytest.raises(InputError, match="two or more inputs"):
        parse("max(a)")
    binary = diff(Call("max", (Sym("a"), Sym("b"))), "a")
    assert evaluate(binary, {"a": 2.0, "b": 2.0}) == 1


def test_names_follow_the_arrays_and_parameters_come_from_the_layers():
    problem = load(PROBLEMS / "conv_relu_pool_dense.yaml")
    assert problem.inputs[:3] == ("x_1_1", "x_1_2", "x_1_3") and len(problem.inputs) == 25
    assert problem.parameters["k_1_2"] == -1 and problem.parameters["b"] == Fraction(1, 4)
    assert problem.parameters["w_3"] == Fraction(3, 10) and problem.parameters["b2"] == Fraction(1, 5)
    names_ = [n for n, _ in problem.model]
    assert names_[:2] == ["c_1_1", "c_1_2"] and "a_4_4" in names_ and "p_2_2" in names_


def test_cells_under_no_window_are_left_out_and_said_so(write_problem):
    path = write_problem(
        "image: {x: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]}\n"
        "layers: [{kind: conv, name: c, kernel: {k: [[1, 1], [1, 1]]}, stride: 2}]\nloss: {kind: output}\n"
    )
    sol = backtutor.solve(path)
    assert sol.problem.inputs == ("x_1_1", "x_1_2", "x_2_1", "x_2_2")
    assert sol.step("c_1_1").value == 1 + 2 + 4 + 5
    assert any("x_1_3" in s.note and "no window" in s.note for s in sol.steps)


BAD = {
    "not_rectangular": (
        "layers: [{kind: conv, kernel: {k: [[1, 2], [3]]}}]",
        "layers[0].kernel.k[1]: kernel 'k' is not rectangular",
    ),
    "dense_without_flatten": (
        "layers: [{kind: conv, kernel: {k: [[1, 2], [3, 4]]}}, {kind: dense, weights: {w: [1, 1, 1, 1]}}]",
        "layer z (dense) gets a 1×2×2 map; put {kind: flatten} before it",
    ),
    "dense_wrong_size": (
        "layers: [{kind: maxpool, window: 2}, {kind: flatten}, {kind: dense, weights: {w: [1, 1, 1]}}]",
        "layer z has 3 weights per unit, but its input has 1 value (p_1_1)",
    ),
    "kernel_too_big": (
        "layers: [{kind: conv, name: c, kernel: {k: [[1, 2, 3, 4], [1, 2, 3, 4]]}}]",
        "layer c: the 2×4 kernel does not fit its 3×3 input",
    ),
    "channels": (
        "layers: [{kind: conv, kernel: {k: [[[1]], [[2]], [[3]]]}}, {kind: conv, kernel: {k: [[1, 2]]}}]",
        "the input of c2 has 3 channels, so kernel 'k' needs 3 matrices per filter",
    ),
    "not_a_number": (
        "layers: [{kind: conv, kernel: {k: [[1, x]]}}]",
        "kernel 'k': expected a number, got 'x'",
    ),
    "typo": ("layers: [{kind: avgpool, windw: 2}]", "unknown key 'windw'; did you mean 'window'?"),
    "softmax_on_a_map": ("layers: [{kind: softmax}]", "needs a flat vector of two or more values"),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_convolution_files_get_one_clear_message(write_problem, case):
    layers, expected = BAD[case]
    path = write_problem(
        f"image:\n  x: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]\n{layers}\nloss: {{kind: output}}\n"
    )
    result = runner.invoke(app, ["solve", str(path)])
    assert result.exit_code == 2, result.output
    message = result.output.strip()
    assert "Traceback" not in message and message.startswith(f"error: {path}:3: "), message
    assert expected in message
