"""Dropout (issue #11): a layer's `dropout: {rate, mask | seed}`. Every number is checked against a
forward pass written here in NumPy from the inverted-dropout rule (a kept unit's output times
1/(1 − p), a dropped one 0), with the mask held fixed: the values, the gradients by central finite
differences of that loss, the zero gradient of a dropped unit's incoming weights, the seeded mask
against NumPy's own draw; then the errors and a template + check round trip."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import backtutor
from backtutor.check import Checker, read_sheet
from backtutor.cli.app import app
from backtutor.engine.formula import text
from backtutor.problem.load import load
from backtutor.solution import Solution

from .conftest import PROBLEMS
from .oracle import finite_difference

runner = CliRunner()
DROPOUT = PROBLEMS / "dropout.yaml"

# problems/dropout.yaml, copied by hand: hidden rows h1..h3 (weights, bias), output o
W1 = [[0.1, -0.2], [0.4, 0.3], [-0.3, 0.5]]
B1 = [0.1, -0.1, 0.2]
W2 = [0.6, -0.4, 0.2]
B2 = 0.0
NAMES = ["w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2", "b3", "w7", "w8", "w9", "b4"]
X, TARGET, RATE, MASK = [1.0, 0.5], 1.0, 0.5, [1, 0, 1]


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def forward(theta: list[float], x: list[float], mask: list[int], rate: float) -> dict[str, np.ndarray]:
    """The 2-3-1 sigmoid network with inverted dropout on the hidden layer; theta in NAMES order."""
    W = np.array(theta[:6]).reshape(3, 2)
    b = np.array(theta[6:9])
    v, c = np.array(theta[9:12]), theta[12]
    hidden = sigmoid(W @ np.array(x) + b)
    dropped = np.array(mask) * hidden / (1.0 - rate)
    out = sigmoid(v @ dropped + c)
    return {"hidden": hidden, "dropped": dropped, "out": out, "E": 0.5 * (TARGET - out) ** 2}


THETA = [w for row in W1 for w in row] + B1 + W2 + [B2]


def loss(theta: list[float]) -> float:
    return float(forward(theta, X, MASK, RATE)["E"])


@pytest.fixture(scope="module")
def sol() -> Solution:
    return backtutor.solve(DROPOUT)


def test_the_forward_pass_scales_kept_units_and_zeroes_dropped_ones(sol):
    f = forward(THETA, X, MASK, RATE)
    for k in range(3):
        assert sol.step(f"out_h{k + 1}").value == pytest.approx(f["hidden"][k], rel=1e-12)
        assert sol.step(f"drop_h{k + 1}").value == pytest.approx(f["dropped"][k], rel=1e-12)
    assert sol.step("drop_h1").value == pytest.approx(2 * sol.step("out_h1").value, rel=1e-12)  # 1/(1 − 0.5)
    assert sol.step("drop_h2").value == 0.0
    assert sol.step("E").value == pytest.approx(float(f["E"]), rel=1e-12)
    assert text(sol.step("drop_h2").formula) == "mask_h2·out_h2/(1 − 0.5)"


def test_every_gradient_matches_finite_differences_with_the_mask_fixed(sol):
    for i, name in enumerate(NAMES):
        expected = finite_difference(loss, THETA, i)
        assert sol.step(f"dE/d{name}").value == pytest.approx(expected, rel=1e-6, abs=1e-10), name


def test_a_dropped_unit_gets_zero_gradient_through_the_mask_factor(sol):
    local = sol.step("ddrop_h2/dout_h2")
    assert text(local.formula) == "2·mask_h2" and local.value == 0.0
    assert sol.step("ddrop_h1/dout_h1").value == 2.0
    assert "ddrop_h2/dout_h2" in sol.step("dE/dout_h2").depends_on
    for name in ("w3", "w4", "b2", "w8"):  # h2's incoming weights and bias, and its outgoing weight
        assert sol.step(f"dE/d{name}").value == 0.0
        assert sol.step(f"{name}+").value == pytest.approx(dict(zip(NAMES, THETA, strict=True))[name])
    assert sol.step("dE/dw1").value != 0.0
    assert "mask [1, 0, 1]" in local.note or "mask [1, 0, 1]" in sol.step("ddrop_h1/dout_h1").note


BATCH = """
title: matrix layers, a mask per example
inputs: [x]
network:
  - activation: tanh
    W: [[0.5, -0.3], [0.2, 0.8], [-0.6, 0.1]]
    b: [0.1, 0.0, -0.2]
    dropout: {{rate: {rate}, {masks}}}
  - activation: sigmoid
    W: [[0.7, -0.5, 0.3]]
data:
  - {{x: [1, 2], t: [1]}}
  - {{x: [-1, 0.5], t: [0]}}
loss: {{kind: half_sse, name: E}}
training: {{learning_rate: 0.1, mode: batch}}
"""


def batch_loss(theta: list[float], masks: list[list[int]], rate: float) -> float:
    """The matrix problem above: ½(t − σ(V·(m ⊙ tanh(W·x + b))/(1 − p)))² summed over the examples."""
    W, b, v = np.array(theta[:6]).reshape(3, 2), np.array(theta[6:9]), np.array(theta[9:12])
    total = 0.0
    for (x, t), m in zip([([1.0, 2.0], 1.0), ([-1.0, 0.5], 0.0)], masks, strict=True):
        dropped = np.array(m) * np.tanh(W @ np.array(x) + b) / (1.0 - rate)
        total += 0.5 * (t - float(sigmoid(v @ dropped))) ** 2
    return total


BATCH_NAMES = ["W1_11", "W1_12", "W1_21", "W1_22", "W1_31", "W1_32", "b1_1", "b1_2", "b1_3"]
BATCH_NAMES += ["W2_11", "W2_12", "W2_13"]
BATCH_THETA = [0.5, -0.3, 0.2, 0.8, -0.6, 0.1, 0.1, 0.0, -0.2, 0.7, -0.5, 0.3]


@pytest.mark.parametrize(
    ("masks", "expected"),
    [
        ("mask: [[1, 0, 1], [0, 1, 1]]", [[1, 0, 1], [0, 1, 1]]),
        ("mask: [0, 1, 1]", [[0, 1, 1], [0, 1, 1]]),  # one list for every example
        ("seed: 7", None),
    ],
)
def test_matrix_layers_with_a_mask_per_example_match_finite_differences(write_problem, masks, expected):
    rate = 0.25
    path = write_problem(BATCH.format(rate=rate, masks=masks))
    sol = backtutor.solve(path)
    if expected is None:
        expected = (np.random.default_rng(7).random((2, 3)) >= rate).astype(int).tolist()
    for k, m in enumerate(expected, 1):
        for u in range(1, 4):
            drop = sol.step(f"drop_1_{u}[{k}]").value
            assert (drop == 0.0) == (m[u - 1] == 0)
    for i, name in enumerate(BATCH_NAMES):
        fd = finite_difference(lambda th: batch_loss(th, expected, rate), BATCH_THETA, i)
        assert sol.step(f"dE/d{name}").value == pytest.approx(fd, rel=1e-6, abs=1e-10), name


def test_a_seed_draws_the_same_mask_every_time_and_prints_it(write_problem):
    path = write_problem(BATCH.format(rate=0.5, masks="seed: 11"))
    drawn = (np.random.default_rng(11).random((2, 3)) >= 0.5).astype(int).tolist()
    first, second = load(path), load(path)
    assert first.data == second.data
    assert [[int(ex[f"mask_1_{u}"]) for u in (1, 2, 3)] for ex in first.data] == drawn
    shown = [f"[{', '.join(map(str, m))}]" for m in drawn]
    listed = (
        f"mask {shown[0]} for every example"
        if shown[0] == shown[1]
        else f"masks example 1 {shown[0]}, example 2 {shown[1]}"
    )
    drawing = "drawn from seed 11 by NumPy's default generator: 1 where random((2, 3)) ≥ 0.5"
    note = next(c for c in backtutor.solve(path).conventions if c.startswith("dropout"))
    assert f"{listed} ({drawing})" in note
    out = runner.invoke(app, ["solve", str(path)]).output
    assert "seed 11" in " ".join(out.split())


def _edited(tmp: Path, old: str, new: str) -> Path:
    path = tmp / "bad.yaml"
    path.write_text(DROPOUT.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return path


GIVEN = "dropout: {rate: 0.5, mask: [1, 0, 1]}"


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("dropout: {rate: 1, mask: [1, 0, 1]}", "network[0].dropout.rate: rate must be in [0, 1), got 1"),
        ("dropout: {rate: -0.5, mask: [1, 0, 1]}", "network[0].dropout.rate: rate must be in [0, 1)"),
        (
            "dropout: {rate: 0.5, mask: [1, 0]}",
            "network[0].dropout.mask: mask has 2 values but the layer has 3 units (h1, h2, h3)",
        ),
        (
            "dropout: {rate: 0.5, mask: [1, 2, 1]}",
            "network[0].dropout.mask[1]: a mask value is 0 (dropped) or 1",
        ),
        (
            "dropout: {rate: 0.5, mask: [1, 0.5, 1]}",
            "network[0].dropout.mask[1]: a mask value is 0 (dropped) or 1",
        ),
        (
            "dropout: {rate: 0.5, mask: [[1, 0, 1], [1, 1, 1]]}",
            "network[0].dropout.mask: the mask has 2 lists but the data has 1 example",
        ),
        ("dropout: {rate: 0.5, mask: [[1, 0, 1], 1]}", "network[0].dropout.mask: give one list of 0s and 1s"),
        ("dropout: {rate: 0.5}", "network[0].dropout: give the mask"),
        (
            "dropout: {rate: 0.5, mask: [1, 0, 1], seed: 3}",
            "network[0].dropout.seed: give the mask or a seed",
        ),
        (
            "dropout: {rate: 0.5, seed: -1}",
            "network[0].dropout.seed: Input should be greater than or equal to 0",
        ),
        ("dropout: {rate: 0.5, mask: [1, 0, 1], p: 1}", "network[0].dropout: unknown key 'p'"),
    ],
)
def test_a_bad_dropout_is_one_clear_error_with_file_field_and_line(tmp_path, new, message):
    path = _edited(tmp_path, GIVEN, new)
    result = runner.invoke(app, ["solve", str(path)])
    assert result.exit_code == 2
    assert f"{path}:10: network[0].{message.removeprefix('network[0].')}" in result.output, result.output
    assert "Traceback" not in result.output


def test_dropout_on_the_output_layer_is_refused(tmp_path):
    path = _edited(tmp_path, "# output layer", "# output layer\n    dropout: {rate: 0.5, mask: [1]}")
    result = runner.invoke(app, ["solve", str(path)])
    assert result.exit_code == 2
    assert "network[1].dropout: dropout goes on a hidden layer" in result.output, result.output


def test_a_mask_written_into_the_data_is_refused_not_overwritten(tmp_path):
    row = "  - {x1: 1.0, x2: 0.5, target_o: 1}"
    path = _edited(tmp_path, row, row.replace("}", ", mask_h2: 1}"))
    result = runner.invoke(app, ["solve", str(path)])
    assert result.exit_code == 2
    assert f"{path}:33: data[0].mask_h2: mask_h2 is the name dropout gives unit h2's mask" in result.output


def test_template_lists_the_dropout_ids_and_a_correct_sheet_is_all_right(sol, tmp_path):
    result = runner.invoke(app, ["template", str(DROPOUT)])
    assert result.exit_code == 0, result.output
    ids = [ln.split('"')[1] for ln in result.output.splitlines() if ln.startswith('"')]
    assert ids == [s.id for s in sol.steps]
    assert {"drop_h2", "ddrop_h2/dout_h2", "dnet_o/ddrop_h2", "dE/ddrop_h2"} <= set(ids)
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text("".join(f'"{s.id}": {s.value!r}\n' for s in sol.steps), encoding="utf-8")
    report = Checker(sol).grade(read_sheet(sheet, sol), str(sheet))
    assert report.right == len(sol.steps) and report.first_error is None
    checked = runner.invoke(app, ["check", str(DROPOUT), str(sheet)])
    assert checked.exit_code == 0, checked.output


def test_a_seed_cannot_ask_for_more_mask_values_than_the_limit(write_problem, monkeypatch):
    monkeypatch.setattr("backtutor.problem.dropout.MAX_MASK_VALUES", 5)
    path = write_problem(BATCH.format(rate=0.5, masks="seed: 1"))
    result = runner.invoke(app, ["solve", str(path)])
    assert result.exit_code == 2
    assert "network[0].dropout: too many mask values: 2 examples × the units with dropout make 6" in (
        result.output
    ), result.output


def test_the_matrix_view_drops_with_the_mask_and_its_gradients_match_finite_differences(write_problem):
    from backtutor.matrix.view import matrix_view

    masks, rate = [[1, 0, 1], [0, 1, 1]], 0.25
    sol = backtutor.solve(write_problem(BATCH.format(rate=rate, masks=f"mask: {masks}")))
    steps = {s.id: s for s in matrix_view(sol)}
    W, b = np.array(BATCH_THETA[:6]).reshape(3, 2), np.array(BATCH_THETA[6:9])
    X2 = np.array([[1.0, -1.0], [2.0, 0.5]])  # one column per example
    M = np.array(masks, dtype=float).T
    assert steps["Drop1"].value == pytest.approx(M * np.tanh(W @ X2 + b[:, None]) / (1 - rate), rel=1e-12)
    assert "M1 ⊙ A1/(1 − 0.25)" in steps["Drop1"].equation
    assert "⊙ M1/(1 − 0.25) ⊙" in steps["Delta1"].equation
    grads = [finite_difference(lambda th: batch_loss(th, masks, rate), BATCH_THETA, i) for i in range(12)]
    assert steps["dE/dW1"].value == pytest.approx(np.array(grads[:6]).reshape(3, 2), rel=1e-6, abs=1e-10)
    assert steps["dE/db1"].value.ravel() == pytest.approx(grads[6:9], rel=1e-6, abs=1e-10)
    assert steps["dE/dW2"].value.ravel() == pytest.approx(grads[9:12], rel=1e-6, abs=1e-10)


def test_the_layer_graph_draws_the_mask_between_a_layer_and_the_next():
    result = runner.invoke(app, ["graph", str(DROPOUT), "--view", "matrix"])
    assert result.exit_code == 0, result.output
    edges = set(re_edges(result.output))
    assert {("a1", "drop1"), ("m1", "drop1"), ("drop1", "z2")} <= edges
    assert ("a1", "z2") not in edges
    assert 'label="m1  (3×1)\\n[1]\\n[0]\\n[1]"' in result.output  # the file's mask [1, 0, 1]


def re_edges(dot: str) -> list[tuple[str, str]]:
    import re

    return re.findall(r'^\s*"([^"]+)" -> "([^"]+)";', dot, flags=re.M)


def test_check_takes_the_outputs_after_dropout_as_a_vector(tmp_path):
    h = forward(THETA, X, MASK, RATE)["dropped"]  # the NumPy forward pass written above
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text(f'"drop1": [{h[0]:.6f}, {h[1]:.6f}, {h[2] + 0.01:.6f}]\n', encoding="utf-8")
    result = runner.invoke(app, ["check", str(DROPOUT), str(sheet), "-f", "json"])
    verdicts = {v["element"]: v["status"] for v in json.loads(result.output)["verdicts"]}
    assert verdicts == {"drop1[1]": "right", "drop1[2]": "right", "drop1[3]": "wrong"}
