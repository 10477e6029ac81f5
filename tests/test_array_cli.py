"""`solve` with the array engine through typer's CliRunner: which engine works a file (and says so),
the working at size, -f json and -f npz with every step's array (np.load reads them back), and bad
input: one message naming the file, the field or the array and the shapes, exit 2, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from backtutor.cli.app import app
from backtutor.render.documents.math_rows import tex_text

from .conftest import PROBLEMS, SIZED

runner = CliRunner()
MATRIX = str(PROBLEMS / "schiendorfer_matrix.yaml")
ENGINE = "worked by the array engine"


def run(*args: str):
    return runner.invoke(app, list(args))


def test_a_small_matrix_network_stays_scalar_unless_the_array_engine_is_asked_for():
    assert ENGINE not in run("solve", MATRIX).output
    result = run("solve", MATRIX, "--engine", "arrays")
    assert result.exit_code == 0, result.output
    assert ENGINE in result.output
    assert "dE/dW1  [2×2]  dE/dW1 = delta1·xᵀ" in result.output
    assert "0.00142014367" in result.output  # the published ∂E/∂W1, row 2


def test_a_network_given_by_sizes_is_worked_by_the_array_engine(tmp_path):
    f = tmp_path / "sized.yaml"
    f.write_text(SIZED, encoding="utf-8")
    result = run("solve", str(f))
    assert result.exit_code == 0, result.output
    assert ENGINE in result.output
    # two updates (batches of 2 and 1): ids carry @t, the second reads the first's parameters
    for step in ("z1@1", "delta2@2", "m_W1+@2", "W2+@2"):
        assert f"\n{step}  [" in result.output


@pytest.mark.parametrize("form", ["markdown", "latex", "html"])
def test_documents_show_each_step_with_its_shape_and_summary(tmp_path, form):
    f = tmp_path / "sized.yaml"
    f.write_text(SIZED.replace("title: sized", "title: '<b>x</b> $ \\\\ %'"), encoding="utf-8")
    result = run("solve", str(f), "-f", form)
    assert result.exit_code == 0, result.output
    written = tex_text if form == "latex" else str
    assert written("delta1@2") in result.output and written("5×2") in result.output
    assert "<b>x</b>" not in result.output  # the title escaped for each format


def test_npz_holds_every_step_array_and_json_the_same_numbers(tmp_path):
    f, out = tmp_path / "sized.yaml", tmp_path / "w.npz"
    f.write_text(SIZED, encoding="utf-8")
    assert run("solve", str(f), "-f", "npz").exit_code == 2  # binary: only to a file
    result = run("solve", str(f), "-f", "npz", "-o", str(out))
    assert result.exit_code == 0, result.output
    doc = json.loads(run("solve", str(f), "-f", "json").output)
    with np.load(out, allow_pickle=False) as arrays:
        assert [k for k in arrays.files if not k.startswith("given:")] == [s["id"] for s in doc["steps"]]
        for s in doc["steps"]:
            np.testing.assert_array_equal(arrays[s["id"]], np.array(s["value"]))
        assert arrays["given:W1"].shape == (5, 4)
    checked = run("check", str(f), str(out))  # the working handed back: every step right, the givens skipped
    assert checked.exit_code == 0 and "not recognised" not in checked.output, checked.output
    assert f"{len(doc['steps'])}/{len(doc['steps'])} right" in checked.output


BAD = {
    "W's columns are not the inputs": (
        MATRIX,
        ("W: [[6, -2], [-3, 5]]", "W: [[6, -2, 1], [-3, 5, 1]]"),
        "network[0].W: layer 1: W is 2×3 but there are 2 inputs",
    ),
    "NaN in the data": (SIZED, ("[0.1, 0.2, 0.3, 0.4]", "[.nan, 0.2, 0.3, 0.4]"), "data.x"),
    "a label beyond the classes": (
        SIZED,
        ("labels: [0, 2, 1]", "labels: [0, 3, 1]"),
        "labels run from 0 to 3",
    ),
    "labels for fewer examples": (
        SIZED,
        ("labels: [0, 2, 1]", "labels: [0, 2]"),
        "2 rows but x has 3 examples",
    ),
    "a size without init": (SIZED, ("init: {seed: 3}", ""), "draw its weights with init"),
    "an unknown activation": (SIZED, ("activation: tanh", "activation: tan"), "unknown activation 'tan'"),
    "a formula activation's key": (SIZED, ("size: 5,", "size: 5, units: {h: {}},"), "unknown key 'units'"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_one_message_naming_the_field_and_exit_2(tmp_path, case):
    source, (old, new), message = BAD[case]
    text = (Path(source).read_text(encoding="utf-8") if source == MATRIX else source).replace(old, new)
    assert new in text
    f, out = tmp_path / "bad.yaml", tmp_path / "out.json"
    f.write_text(text, encoding="utf-8")
    result = run("solve", str(f), "--engine", "arrays", "-f", "json", "-o", str(out))
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert str(f) in result.output and not out.exists()


def test_the_scalar_engine_refuses_what_only_the_array_engine_reads(tmp_path):
    f = tmp_path / "sized.yaml"
    f.write_text(SIZED, encoding="utf-8")
    result = run("solve", str(f), "--engine", "scalar")
    assert result.exit_code == 2 and "array engine only" in result.output
    result = run("solve", str(f), "--view", "scalar")
    assert result.exit_code == 2 and "--view scalar shows one step per number" in result.output


def test_the_bundled_perceptron_is_worked_by_the_array_engine_at_its_size():
    result = run("solve", str(PROBLEMS / "perceptron_192_32_50.yaml"))
    assert result.exit_code == 0, result.output
    assert ENGINE in result.output and "16 examples from" in result.output
    assert "dE/dW1  [32×192]" in result.output and "delta2  [50×16]  delta2 = a2 − t" in result.output


FILE = """
inputs: [x]
init: {seed: 1}
network: [{size: 3, activation: sigmoid}, {size: 2, activation: softmax}]
data: {file: d.npz, x: x, labels: y}
loss: {kind: cross_entropy}
"""


@pytest.mark.parametrize(
    "arrays, message",
    [
        ({"x": np.ones((4, 5)), "y": np.zeros(3, dtype=int)}, "array 'y': 3 rows but x has 4 examples"),
        ({"x": np.ones((4, 5))}, "there is no array 'y'"),
        ({"x": np.full((4, 5), np.nan), "y": np.zeros(4, dtype=int)}, "array 'x': nan at [0, 0]"),
        ({"x": np.ones(4), "y": np.zeros(4, dtype=int)}, "array 'x': shape 4 values; x needs one row per"),
        ({"x": np.array([{"a": 1}] * 4, dtype=object), "y": np.zeros(4, dtype=int)}, "is not numbers"),
    ],
    ids=["rows", "missing", "nan", "shape", "pickled"],
)
def test_a_bad_data_file_names_the_file_the_array_and_the_shapes(tmp_path, arrays, message):
    np.savez(tmp_path / "d.npz", **arrays)  # an object array is saved pickled: never loaded
    f = tmp_path / "p.yaml"
    f.write_text(FILE, encoding="utf-8")
    result = run("solve", str(f))
    assert result.exit_code == 2, result.output
    assert message in result.output and str(tmp_path / "d.npz") in result.output
    assert "Traceback" not in result.output
