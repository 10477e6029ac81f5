"""Convolution and pooling without a loss (#26): the forward pass alone, every map as a matrix. The
maps are checked against a convolution and pooling written out again here with plain loops (cross-
correlation as PyTorch's conv2d, the mean or max of each window as avg_pool2d and max_pool2d), not
the package's code."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from backtutor.cli.app import app

from .conftest import PROBLEMS

FORWARD = PROBLEMS / "three_filters_forward.yaml"
runner = CliRunner()


def correlate(x: np.ndarray, k: np.ndarray, stride: int = 1, padding: int = 0) -> np.ndarray:
    """Cross-correlation of a C×H×W input with a C×F×F kernel, no flip, zero padding."""
    x = np.pad(x, ((0, 0), (padding, padding), (padding, padding)))
    f = k.shape[-1]
    rows = (x.shape[1] - f) // stride + 1
    cols = (x.shape[2] - f) // stride + 1
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            total = 0.0
            for c in range(x.shape[0]):
                for u in range(f):
                    for v in range(f):
                        total += k[c, u, v] * x[c, i * stride + u, j * stride + v]
            out[i, j] = total
    return out


def pool(a: np.ndarray, window: int, stride: int, how: str) -> np.ndarray:
    rows, cols = (a.shape[0] - window) // stride + 1, (a.shape[1] - window) // stride + 1
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            cells = [a[i * stride + u, j * stride + v] for u in range(window) for v in range(window)]
            out[i, j] = max(cells) if how == "max" else sum(cells) / (window * window)
    return out


def steps_of(path, *options: str) -> dict[str, np.ndarray]:
    """The matrix view's steps, id ↦ value, from `solve -f json` (the default view of such a file)."""
    result = runner.invoke(app, ["solve", str(path), "-f", "json", *options])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["loss"] is None
    return {s["id"]: np.array(s["value"]) for s in data["steps"]}


def test_the_bundled_three_filter_maps_are_the_loops():
    spec = yaml.safe_load(FORWARD.read_text(encoding="utf-8"))
    x = np.array(spec["image"]["x"], dtype=float)[None]
    kernels = np.array(spec["layers"][0]["kernel"]["k"], dtype=float)
    biases = spec["layers"][0]["bias"]["b"]
    steps = steps_of(FORWARD)
    assert len(kernels) == 3 and not any(i.startswith("d") for i in steps)  # no backward pass
    for f in range(3):
        c = correlate(x, kernels[f][None]) + biases[f]
        a = np.maximum(c, 0)
        p = pool(a, 2, 2, "avg")
        for name, want in (("c", c), ("a", a), ("p", p)):
            np.testing.assert_allclose(
                steps[f"{name}({f + 1})"], want, rtol=1e-12, err_msg=f"{name}({f + 1})"
            )


ONE_FILTER = """
title: One filter, stride 2, padding 1, max pooling
image:
  x: [[[1, 2, 0, 1], [0, 1, 3, 1], [2, 0, 1, 2], [1, 3, 0, 1]],
      [[0, 1, 1, 0], [2, 0, 1, 1], [1, 1, 0, 2], [0, 2, 1, 0]]]
layers:
  - {kind: conv, name: c, kernel: {k: [[[1, -1], [0, 2]], [[0, 1], [-1, 1]]]}, stride: 2, padding: 1}
  - {kind: maxpool, name: m, window: 2, stride: 1}
"""


def test_one_filter_on_two_channels_with_stride_padding_and_max_pooling(write_problem):
    spec = yaml.safe_load(ONE_FILTER)
    x, k = np.array(spec["image"]["x"], dtype=float), np.array(spec["layers"][0]["kernel"]["k"], dtype=float)
    c = correlate(x, k, stride=2, padding=1)
    steps = steps_of(write_problem(ONE_FILTER))
    np.testing.assert_allclose(steps["c"], c)  # one filter: the map is c, no (f)
    np.testing.assert_allclose(steps["m"], pool(c, 2, 1, "max"))


def test_outputs_chooses_the_maps_shown(write_problem):
    text = FORWARD.read_text(encoding="utf-8").replace("outputs: [c, a, p]", "outputs: [p]")
    steps = steps_of(write_problem(text))
    assert sorted(steps) == ["p(1)", "p(2)", "p(3)", "x"]


def test_the_terminal_shows_maps_and_no_loss():
    result = runner.invoke(app, ["solve", str(FORWARD)])
    assert result.exit_code == 0, result.output
    assert "c(3) = x ⋆ k(3) + b_3" in result.output and "+ -" not in result.output  # − 2, not + -2
    assert "⎡" in result.output and "forward pass" in result.output
    for absent in ("backward", "∂", "E", "update"):
        assert absent not in result.output.replace(result.output.splitlines()[0], "")


@pytest.mark.parametrize(
    "options",
    [
        ["solve", "--epochs", "3"],
        ["solve", "--plot", "curve.png"],
        ["explore", "--epochs", "2", "-o", "page.html"],
    ],
)
def test_options_that_need_a_loss_say_so(options, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    command, *options = options
    result = runner.invoke(app, [command, str(FORWARD), *options], catch_exceptions=False)
    assert result.exit_code == 2
    assert f"{options[0]}: {FORWARD}" in result.output and "has no loss" in result.output


@pytest.mark.parametrize(
    ("extra", "field", "says"),
    [
        ("training: {learning_rate: 0.1}\n", "training", "takes no training"),
        ("outputs: [q]\n", "outputs[0]", "'q' is not a layer's name"),
    ],
)
def test_a_file_without_a_loss_refuses_what_needs_one(write_problem, extra, field, says):
    text = FORWARD.read_text(encoding="utf-8").replace("outputs: [c, a, p]", "")
    path = write_problem(text + extra)
    result = runner.invoke(app, ["solve", str(path)], catch_exceptions=False)
    assert result.exit_code == 2
    assert re.search(rf"problem\.yaml:\d+: {re.escape(field)}: .*{says}", result.output), result.output


def test_the_graph_draws_no_loss_and_nothing_frozen():
    drawn = {}
    for path in (FORWARD, PROBLEMS / "three_filters.yaml"):
        result = runner.invoke(app, ["graph", str(path)])
        assert result.exit_code == 0, result.output
        drawn[path] = result.output
    assert "#fecaca" in drawn[PROBLEMS / "three_filters.yaml"]  # the loss node's colour
    assert "#fecaca" not in drawn[FORWARD] and "frozen" not in drawn[FORWARD] and "k_2_3_3" in drawn[FORWARD]


def test_kind_none_goes_with_layers_only(write_problem):
    path = write_problem("inputs: [x]\nexpressions: {f: w*x}\nparameters: {w: 2}\nloss: {kind: none}\n")
    result = runner.invoke(app, ["solve", str(path)], catch_exceptions=False)
    assert result.exit_code == 2 and "loss.kind" in result.output and "'image' and 'layers'" in result.output


def maps_of(kernels: np.ndarray, biases: list[float], x: np.ndarray, flip: int | None = None):
    """Each filter's feature, activated and pooled map by the loops; filter `flip` convolved instead
    (its kernel turned by 180°), the slip the checker should name."""
    out = []
    for f, k in enumerate(kernels):
        c = correlate(x, (k[::-1, ::-1] if f == flip else k)[None]) + biases[f]
        a = np.maximum(c, 0)
        out.append((c, a, pool(a, 2, 2, "avg")))
    return out


def rows(m: np.ndarray) -> list[list[str]]:
    return [[f"{v:g}" for v in row] for row in m]


def test_template_writes_the_maps_and_check_grades_them_as_matrices(tmp_path):
    result = runner.invoke(app, ["template", str(FORWARD)])
    assert result.exit_code == 0, result.output
    blank = yaml.safe_load(result.output)
    assert list(blank) == [f"{m}({f})" for m in "cap" for f in (1, 2, 3)]  # the input x is given
    assert [len(blank["c(1)"]), len(blank["c(1)"][0]), len(blank["p(3)"])] == [4, 4, 2]

    spec = yaml.safe_load(FORWARD.read_text(encoding="utf-8"))
    x = np.array(spec["image"]["x"], dtype=float)[None]
    conv = spec["layers"][0]
    maps = maps_of(np.array(conv["kernel"]["k"], dtype=float), conv["bias"]["b"], x, flip=1)
    sheet = {
        "c(1)": rows(maps[0][0]),  # right
        "c(2)": rows(maps[1][0]),  # kernel 2 flipped
        "p(2)": rows(maps[1][2]),  # pooled from the student's own (flipped) map, a(2) not written
        "p(3)": rows(maps[2][2] * 2),  # each window's sum over 2, not 4
    }
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(sheet), encoding="utf-8")
    result = runner.invoke(app, ["check", str(FORWARD), str(path), "-f", "json"])
    assert result.exit_code == 1, result.output
    verdicts = {v["element"]: v for v in json.loads(result.output)["verdicts"]}
    assert len(verdicts) == 16 + 16 + 4 + 4
    by_map: dict[str, list[dict]] = {}
    for element, v in verdicts.items():
        by_map.setdefault(element.split("[")[0], []).append(v)
    assert all(v["status"] == "right" for v in by_map["c(1)"])
    flipped = [v for v in by_map["c(2)"] if v["status"] != "right"]
    assert len(flipped) > 8  # one rule gives every wrong cell of the map: it alone is named
    assert all((v["slip"], v["confidence"]) == ("kernel_flipped", "one slip") for v in flipped)
    assert not any("kernel_flipped" in [v["slip"], *v["candidates"]] for v in by_map["p(3)"])
    carried = [v for v in by_map["p(2)"] if v["status"] != "right"]
    assert carried and all(v["status"] == "carried" for v in carried)
    divided = [v for v in by_map["p(3)"] if v["expected"] != "0"]
    assert divided and all(v["slip"] == "pool_divisor" for v in divided)
    assert all(v["status"] == "right" for v in by_map["p(3)"] if v["expected"] == "0")


def test_a_write_up_s_bmatrix_is_graded_cell_by_cell(tmp_path):
    spec = yaml.safe_load(FORWARD.read_text(encoding="utf-8"))
    x = np.array(spec["image"]["x"], dtype=float)[None]
    conv = spec["layers"][0]
    c = maps_of(np.array(conv["kernel"]["k"], dtype=float), conv["bias"]["b"], x)[0][0]
    matrix = r" \\ ".join(" & ".join(row) for row in rows(c))
    page = tmp_path / "homework.md"
    page.write_text(
        f"The first map:\n\n$$\nc(1) = \\begin{{bmatrix}} {matrix} \\end{{bmatrix}}\n$$\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["check", str(FORWARD), str(page), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["right"] == 16


def test_outputs_on_a_problem_with_a_loss_is_refused_not_ignored(write_problem):
    text = (PROBLEMS / "three_filters.yaml").read_text(encoding="utf-8")
    result = runner.invoke(app, ["solve", str(write_problem(text + "outputs: [conv1]\n"))])
    assert result.exit_code == 2
    assert re.search(r"problem\.yaml:\d+: outputs: .*leave out 'outputs'", result.output), result.output
