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


@pytest.mark.parametrize("options", [["--epochs", "3"], ["--plot", "curve.png"]])
def test_options_that_need_a_loss_say_so(options, tmp_path):
    result = runner.invoke(app, ["solve", str(FORWARD), *options], catch_exceptions=False)
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


def test_kind_none_goes_with_layers_only(write_problem):
    path = write_problem("inputs: [x]\nexpressions: {f: w*x}\nparameters: {w: 2}\nloss: {kind: none}\n")
    result = runner.invoke(app, ["solve", str(path)], catch_exceptions=False)
    assert result.exit_code == 2 and "loss.kind" in result.output and "'image' and 'layers'" in result.output
