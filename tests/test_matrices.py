"""Layers given as matrices (`W: [[…]]`, `b: […]`) and vectors in the data: the published
Schiendorfer example, the same network written unit by unit, the names, and shape errors."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backtutor.cli.app import app
from backtutor.engine.notation import latex_name, mathml_name, text_name
from backtutor.problem.load import FileError, load
from backtutor.solution import solve

from .conftest import PROBLEMS

MATRIX = PROBLEMS / "schiendorfer_matrix.yaml"

# Schiendorfer's 2-2-2 network (no biases) given matrix by matrix, and the same written unit by unit.
LAYERS = """
inputs: [x]
network:
  - activation: sigmoid
    W: [[6, -2], [-3, 5]]
    b: [0.5, -0.25]
  - activation: tanh
    W: [[1, 0.25], [-2, 2]]
    b: [0.1, 0.2]
data: [{x: [3, 1], t: [1, 0]}, {x: [-1, 2], t: [0, 1]}]
loss: {kind: sse, name: E}
training: {learning_rate: 0.5, mode: batch}
"""

UNITS = """
inputs: [x_1, x_2]
network:
  - activation: sigmoid
    units:
      h1: {weights: [a, b], bias: c}
      h2: {weights: [d, e], bias: f}
  - activation: tanh
    units:
      o1: {weights: [g, h], bias: i}
      o2: {weights: [j, k], bias: l}
parameters: {a: 6, b: -2, c: 0.5, d: -3, e: 5, f: -0.25, g: 1, h: 0.25, i: 0.1, j: -2, k: 2, l: 0.2}
targets: {o1: t_1, o2: t_2}
data: [{x_1: 3, x_2: 1, t_1: 1, t_2: 0}, {x_1: -1, x_2: 2, t_1: 0, t_2: 1}]
loss: {kind: sse, name: E}
training: {learning_rate: 0.5, mode: batch}
"""
ELEMENTS = [f"{p}{n}_{i}{j}" if p == "W" else f"b{n}_{i}" for n in (1, 2) for i in (1, 2) for p, j in (
    ("W", 1), ("W", 2), ("b", 0))]  # fmt: skip
RENAMED = dict(zip("abcdefghijkl", ELEMENTS, strict=True))
UNIT = {"h1": "1_1", "h2": "1_2", "o1": "2_1", "o2": "2_2"}


def renamed(name: str) -> str:
    """A name of the unit-by-unit file as the matrix file names it (w → W1_12, out_h2 → out_1_2)."""
    head, _, unit = name.rpartition("_")
    return RENAMED.get(name) or (f"{head}_{UNIT[unit]}" if unit in UNIT else name)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(text)
    return path


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def test_the_published_schiendorfer_numbers():
    """E = 0.08699208259994781 and ∂E/∂W1 row 2 = [0.00142014, 0.00047338], as published."""
    sol = solve(load(MATRIX))
    assert sol.values()["E"] == pytest.approx(0.08699208259994781, rel=1e-12)
    grads = sol.gradients()
    assert grads["W1_21"] == pytest.approx(0.00142014, abs=5e-9)
    assert grads["W1_22"] == pytest.approx(0.00047338, abs=5e-9)


def test_schiendorfer_by_hand():
    """Every gradient of the bundled problem against the four equations written out here."""
    W1, W2, x, t = [[6, -2], [-3, 5]], [[1, 0.25], [-2, 2]], [3, 1], [1, 0]
    a1 = [sigmoid(sum(w * v for w, v in zip(row, x, strict=True))) for row in W1]
    a2 = [sigmoid(sum(w * v for w, v in zip(row, a1, strict=True))) for row in W2]
    d2 = [-2 * (ti - o) * o * (1 - o) for ti, o in zip(t, a2, strict=True)]
    d1 = [sum(W2[k][i] * d2[k] for k in range(2)) * a1[i] * (1 - a1[i]) for i in range(2)]
    grads = solve(load(MATRIX)).gradients()
    for i in range(2):
        for j in range(2):
            assert grads[f"W2_{i + 1}{j + 1}"] == pytest.approx(d2[i] * a1[j], rel=1e-9)
            assert grads[f"W1_{i + 1}{j + 1}"] == pytest.approx(d1[i] * x[j], rel=1e-9)


def test_matrices_are_the_network_written_unit_by_unit(tmp_path: Path):
    """The same network with biases, two examples and a batch update, in both notations."""
    matrix = solve(load(write(tmp_path, LAYERS)))
    units = solve(load(write(tmp_path, UNITS)))
    for k in (1, 2):
        values, grads = units.values(1, k), units.gradients(1, k)
        assert matrix.values(1, k) == pytest.approx({renamed(n): v for n, v in values.items()})
        assert matrix.gradients(1, k) == pytest.approx({renamed(n): g for n, g in grads.items()})
    assert matrix.final == pytest.approx({renamed(n): v for n, v in units.final.items()})


def test_superscript_names_print_as_textbooks_write_them(tmp_path: Path):
    text = LAYERS.replace(
        "inputs: [x]", 'inputs: [x]\nnaming: {net: "z_{unit}", out: "a_{unit}", elements: superscript}'
    )
    sol = solve(load(write(tmp_path, text)))
    assert {"W⁽¹⁾₁₂", "b⁽²⁾₁"} <= set(sol.gradients())
    assert "a_⁽²⁾₁" in sol.values()
    assert latex_name("W⁽¹⁾₁₂") == "W^{(1)}_{12}"
    assert latex_name("a_⁽²⁾₁") == "a^{(2)}_{1}"
    assert latex_name("W⁽¹⁾₁_₁₀") == "W^{(1)}_{1,10}"
    assert text_name("W⁽¹⁾₁₂") == "W⁽¹⁾₁₂"
    assert mathml_name("W⁽¹⁾₁₂") == (
        "<msubsup><mi>W</mi><mn>12</mn><mrow><mo>(</mo><mn>1</mn><mo>)</mo></mrow></msubsup>"
    )
    assert latex_name("W1_12") == "W1_{12}"


@pytest.mark.parametrize(
    ("old", "new", "field", "words"),
    [
        (
            "W: [[1, 0.25], [-2, 2]]",
            "W: [[1, 0.25, 3], [-2, 2, 1]]",
            "network[1].W",
            ["layer 2", "2×3", "2×2"],
        ),
        (
            "W: [[6, -2], [-3, 5]]",
            "W: [[6, -2], [-3]]",
            "network[0].W[1]",
            ["layer 1", "row 2", "has 1 number but"],
        ),
        ("b: [0.1, 0.2]", "b: [0.1]", "network[1].b", ["layer 2", "b has 1 number", "2×2"]),
        ("x: [3, 1]", "x: [3, 1, 2]", "data[0].x_3", ["x_3", "x_1, x_2"]),
    ],
)
def test_shape_errors_name_the_layer_and_both_shapes(tmp_path: Path, old, new, field, words):
    path = write(tmp_path, LAYERS.replace(old, new))
    with pytest.raises(FileError) as e:
        load(path)
    message = str(e.value)
    assert field in message
    assert all(word in message for word in words), message
    result = CliRunner().invoke(app, ["solve", str(path)])
    assert result.exit_code == 2
    assert re.search(r"p\.yaml:\d+: ", result.output), result.output


def test_a_layer_needs_units_or_a_matrix(tmp_path: Path):
    path = write(tmp_path, LAYERS.replace("    W: [[6, -2], [-3, 5]]\n    b: [0.5, -0.25]\n", ""))
    with pytest.raises(FileError, match="layer 1 needs its 'units' or its matrix 'W'"):
        load(path)
    both = LAYERS.replace("b: [0.5, -0.25]", "b: [0.5, -0.25]\n    units: {h: {weights: [x_1, x_2]}}")
    with pytest.raises(FileError, match="not both"):
        load(write(tmp_path, both))


def test_ids_and_only_work_on_element_names():
    result = CliRunner().invoke(app, ["solve", str(MATRIX), "--only", "dE/dW1_21"])
    assert result.exit_code == 0, result.output
    assert "0.00142014367" in result.output


def test_check_grades_element_answers(tmp_path: Path):
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text('"dE/dW1_21": 0.00142014\n"dE/dW1_22": 0.000474\n')
    result = CliRunner().invoke(app, ["check", str(MATRIX), str(sheet), "-f", "json"])
    verdicts = {v["id"]: v["status"] for v in json.loads(result.output)["verdicts"]}
    assert verdicts["dE/dW1_21"] == "right"  # published 0.00142014
    assert verdicts["dE/dW1_22"] != "right"  # published 0.00047338
