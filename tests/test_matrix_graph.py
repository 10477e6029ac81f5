"""`graph --view matrix`: one node per layer quantity (x, W, b, z, a, δ, the targets and the loss)
instead of one per number, with the numbers of the scalar view; DOT text and SVG through Graphviz."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from backtutor.cli.app import app
from backtutor.problem.load import load
from backtutor.solution import solve

from .conftest import PROBLEMS

runner = CliRunner()
NODE = re.compile(r'^  "([^"]+)" \[shape=', re.M)


def graph(*args: str) -> str:
    result = runner.invoke(app, ["graph", *args, "--view", "matrix"])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize(
    ("name", "nodes"),
    [
        # x, t, E_total; per layer W, b, z, a, δ
        ("q4", ["x", "t", "E_total", "W1", "b1", "z1", "a1", "delta1", "W2", "b2", "z2", "a2", "delta2"]),
        # no biases
        ("schiendorfer_matrix", ["x", "t", "E", "W1", "z1", "a1", "delta1", "W2", "z2", "a2", "delta2"]),
    ],
)
def test_one_node_per_layer_quantity(name, nodes):
    dot = graph(str(PROBLEMS / f"{name}.yaml"))
    assert NODE.findall(dot) == nodes
    scalar = runner.invoke(app, ["graph", str(PROBLEMS / f"{name}.yaml")]).output
    assert len(NODE.findall(scalar)) > len(nodes)  # the scalar graph: a node per number


def test_nodes_carry_the_scalar_views_numbers():
    sol = solve(load(PROBLEMS / "q4.yaml"))
    dot = graph(str(PROBLEMS / "q4.yaml"), "--precision", "6")
    v, g = sol.values(), sol.gradients()
    z1 = re.search(r'"z1" \[[^\]]*label="z1  \(2×1\)\\n\[([^\]]+)\]\\n\[([^\]]+)\]', dot)
    assert z1 and [float(x) for x in z1.groups()] == pytest.approx([v["net_h1"], v["net_h2"]], rel=1e-5)
    delta2 = re.search(r'label="delta2  \(2×1\)\\n\[([^\]]+)\]\\n\[([^\]]+)\]', dot)
    assert delta2
    numbers = [float(x.replace("−", "-")) for x in delta2.groups()]
    assert numbers == pytest.approx([g["net_o1"], g["net_o2"]], rel=1e-5)
    assert f"E_total = {sol.history[0].loss:.6g}" in dot


def test_a_batch_is_drawn_with_capitals_and_a_column_per_example(write_problem):
    path = write_problem(
        "inputs: [x]\nnetwork:\n  - {activation: sigmoid, W: [[1, 2]], b: [0.5]}\n"
        "data: [{x: [1, 0], t: [1]}, {x: [0, 1], t: [0]}, {x: [1, 1], t: [1]}]\n"
        "loss: {kind: mse, name: E}\ntraining: {learning_rate: 0.5, mode: batch}\n"
    )
    dot = graph(str(path))
    assert NODE.findall(dot) == ["X", "T", "E", "W1", "b1", "Z1", "A1", "Delta1"]
    assert 'label="X  (2×3)\\n[1  0  1]\\n[0  1  1]"' in dot and "one column per example" in dot


def test_svg_through_graphviz(tmp_path):
    out = tmp_path / "g.svg"
    result = runner.invoke(app, ["graph", str(PROBLEMS / "q4.yaml"), "--view", "matrix", "-o", str(out)])
    assert result.exit_code == 0, result.output
    svg = out.read_text(encoding="utf-8")
    assert svg.startswith("<?xml") and svg.count('class="node"') == 13


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["chain_fw.yaml"], "needs a network of layers"),
        (["q4.yaml", "--path", "w5"], "without --view matrix"),
    ],
)
def test_graph_matrix_refuses_what_it_cannot_draw(args, words):
    result = runner.invoke(app, ["graph", str(PROBLEMS / args[0]), *args[1:], "--view", "matrix"])
    assert result.exit_code == 2 and words in result.output


@pytest.mark.parametrize(
    ("name", "nodes"),
    [
        ("edge_filter", ["x", "c", "∂p_1_1/∂c", "k", "p", "∂p_1_1/∂p"]),  # the loss is p_1_1 itself
        (
            "three_filters",
            [
                "x",
                "c",
                "∂E/∂c",
                "k",
                "b",
                "a",
                "∂E/∂a",
                "p",
                "∂E/∂p",
                "z",
                "∂E/∂z",
                "w",
                "b2",
                "y_hat",
                "∂E/∂y_hat",
                "t",
                "E",
            ],
        ),
    ],
)
def test_a_convolution_has_one_node_per_map_quantity(name, nodes, tmp_path):
    dot = graph(str(PROBLEMS / f"{name}.yaml"))
    assert NODE.findall(dot) == nodes
    out = tmp_path / "g.svg"
    result = runner.invoke(app, ["graph", str(PROBLEMS / f"{name}.yaml"), "--view", "matrix", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").count('class="node"') == len(nodes)


def test_a_convolutions_maps_carry_the_scalar_views_numbers():
    sol = solve(load(PROBLEMS / "edge_filter.yaml"))
    dot = graph(str(PROBLEMS / "edge_filter.yaml"))
    v, g = sol.values(), sol.gradients()
    c = re.search(r'label="c  \(2×2\)\\n\[(\S+)  (\S+)\]\\n\[(\S+)  (\S+)\]"', dot)
    assert c and [float(x) for x in c.groups()] == [v["c_1_1"], v["c_1_2"], v["c_2_1"], v["c_2_2"]]
    dc = re.search(r'label="∂p_1_1/∂c  \(2×2\)\\n\[(\S+)  (\S+)\]', dot)
    assert dc and [float(x) for x in dc.groups()] == [g["c_1_1"], g["c_1_2"]]
