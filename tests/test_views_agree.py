"""Every view that shows a quantity shows the same number (issue #19). The scalar steps are the hub;
each other view is held against them: the matrix view (entry by entry, via `check`'s map of its
entries), `solve -f json`, the explore page's embedded data, the closed forms evaluated at the
example's values, and `graph`'s DOT labels (scalar and `--view matrix`), over every bundled problem
and a few generated ones. A view that prints rounded numbers is held to its printed precision."""

from __future__ import annotations

import json
import math
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings

from backtutor.engine.expr import Deriv, Sym
from backtutor.engine.ops import evaluate
from backtutor.matrix.layers import network_layers
from backtutor.matrix.view import matrix_view
from backtutor.problem.load import load
from backtutor.render.documents import dot, dot_matrix, explore
from backtutor.render.documents import json as json_view
from backtutor.solution import solve
from backtutor.solution.gradient_forms import closed_forms

from .conftest import SOLVABLE, explore_block
from .test_matrix_penalty import NET, SIGMOID_NET, assert_matrix_is_scalar, penalised, yaml_of

GENERATED = {  # a penalty with dropout and minibatches, and a softmax batch trained by AdamW
    "dropout_minibatch": SIGMOID_NET
    + "loss: {kind: mse, name: E, reduction: mean, penalty: {l1: 0.02}}\n"
    + "training: {learning_rate: 0.5, mode: minibatch, batch_size: 2, epochs: 1}\n",
    "softmax_adamw": NET
    + "loss: {kind: cross_entropy, name: E, reduction: mean, penalty: {l2: 0.01, half: true}}\n"
    + "training: {learning_rate: 0.1, mode: minibatch, batch_size: 2, weight_decay: 0.1,"
    + " optimizer: {kind: adamw}}\n",
}


@pytest.fixture(autouse=True)
def _no_sympy(monkeypatch):
    """The explore page's numbers without SymPy's simplified forms and Graphviz's layout (neither
    holds a number, and both are slow)."""
    monkeypatch.setattr(explore, "closed_forms", lambda sol, simplify: closed_forms(sol, simplify=False))
    monkeypatch.setattr(explore, "graphviz_layout", lambda columns, g: None)


@pytest.mark.parametrize("path", SOLVABLE, ids=lambda p: p.stem)
def test_every_view_of_a_bundled_problem_agrees(path):
    assert_every_view_agrees(solve(load(path)))


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_every_view_of_a_generated_problem_agrees(write_problem, name):
    assert_every_view_agrees(solve(load(write_problem(GENERATED[name]))))


@settings(max_examples=3, deadline=None)
@given(net=penalised())
def test_every_view_of_a_random_penalised_network_agrees(net):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.yaml"
        path.write_text(yaml_of(*net))
        assert_every_view_agrees(solve(load(path)))


def assert_every_view_agrees(sol) -> None:
    scalar = {s.id: s.value for s in sol.steps}
    data = json_view.to_dict(sol, closed=closed_forms(sol, simplify=False))
    assert_json(json.loads(json.dumps(data)), scalar)
    assert_explore(sol, explore.render(sol), scalar)
    assert_closed_forms(sol)
    assert_dot(sol, dot.render(sol, precision=4))
    if network_layers(sol.problem) is not None:
        assert_matrix_is_scalar(sol)
        assert_dot_matrix(sol, dot_matrix.render_matrix(sol, precision=4))


def assert_json(data: dict, scalar: dict[str, float]) -> None:
    shown = {s["id"]: s["value"] for s in data["steps"]}
    assert shown.keys() == scalar.keys()
    for i, v in scalar.items():
        assert shown[i] == (v if math.isfinite(v) else None), i


def assert_explore(sol, page: str, scalar: dict[str, float]) -> None:
    """The page's embedded Solution, and the given leaves it works each step from: the inputs of the
    example and the parameters as the previous update's w⁺ steps left them."""
    embedded = {block: json.loads(explore_block(page, block)) for block in ("solution", "page")}
    assert_json(embedded["solution"], scalar)
    for key, leaves in embedded["page"]["given"].items():
        t = int(key.split("|")[0])
        for name, value in leaves.items():
            if name in sol.graph.wrt and f"{name}+@{t - 1}" in scalar:
                assert value == pytest.approx(scalar[f"{name}+@{t - 1}"], rel=1e-12, abs=1e-15), (key, name)


def assert_closed_forms(sol) -> None:
    """Each gradient's closed form, evaluated at its example's values (a batch: summed, or averaged,
    over the update's examples), is the step's value."""
    checked = 0
    for s in sol.steps:
        if s.closed_form is None:
            continue
        worked = [w for w in sol.worked if w.update == s.update and s.example in (None, w.example)]
        values = [evaluate(s.closed_form, {k: float(v) for k, v in w.values.items()}) for w in worked]
        total = sum(values) / (len(values) if sol.problem.reduction == "mean" else 1)
        assert total == pytest.approx(s.value, rel=1e-9, abs=1e-12), s.id
        checked += 1
    assert checked or not sol.worked or sol.problem.forward_only  # no loss: no gradient, no closed form


_NODE = re.compile(r'^  ("(?:[^"\\]|\\.)*") \[.*?label=("(?:[^"\\]|\\.)*")', re.MULTILINE)


def labels(text: str) -> dict[str, list[str]]:
    """Each DOT node's label, line by line (the quoted strings are JSON strings)."""
    return {json.loads(n): json.loads(label).split("\n") for n, label in _NODE.findall(text)}


def printed(text: str, value: float, precision: int = 4) -> bool:
    """`text` is `value` rounded to `precision` significant digits."""
    got = float(text.replace("−", "-"))
    if value == 0:
        return got == 0
    unit = 10 ** (math.floor(math.log10(abs(value))) - precision + 1)
    return abs(got - value) <= 0.5 * unit * (1 + 1e-9)


def assert_dot(sol, text: str) -> None:
    """Each node's `value` and `grad` lines against its forward and gradient steps in the update and
    example the graph shows (a leaf: its given value)."""
    w = sol.worked[0] if sol.worked else None
    if w is None:
        return
    steps = {(s.target, s.update, s.example): s.value for s in sol.steps}
    leaves = {**sol.problem.data[w.index], **sol.parameters_during.get(w.update, sol.problem.parameters)}
    matched = 0
    for name, lines in labels(text).items():
        for line in lines:
            kind, _, number = line.partition(" ")
            if kind not in ("value", "grad") or name not in sol.graph.nodes:
                continue
            target = Sym(name) if kind == "value" else Deriv(sol.graph.loss, name)
            expected = steps.get((target, w.update, w.example))
            if expected is None and kind == "value" and name in leaves:
                expected = float(leaves[name])
            if expected is not None:
                assert printed(number, expected), (name, line, expected)
                matched += 1
    assert matched >= len([n for n in sol.graph.nodes.values() if n.expr is not None])


def assert_dot_matrix(sol, text: str) -> None:
    """`graph --view matrix`: each layer quantity's numbers against the matrix view's step."""
    t = sol.worked[0].update
    shown = {}
    for s in matrix_view(sol):
        if s.update == t:
            shown.setdefault(s.id.split("[")[0].split("@")[0], s.value)
    for name, lines in labels(text).items():
        rows = [line.strip("[]").split("  ") for line in lines[1:] if line.startswith("[")]
        if not rows or name not in shown:
            continue
        value = shown[name].reshape(len(rows), -1)
        for row, numbers in zip(value, rows, strict=True):
            for v, n in zip(row, numbers, strict=True):
                assert printed(n, float(v)), (name, n, float(v))
