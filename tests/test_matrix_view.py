"""The matrix view (`solve --view matrix`): the same numbers as the scalar view for every bundled
layered problem, and random layered networks against the four equations written out here in NumPy."""

from __future__ import annotations

import itertools
import json
import subprocess
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from backtutor.cli.app import app
from backtutor.engine.expr import Updated
from backtutor.matrix.layers import network_layers
from backtutor.matrix.view import matrix_view
from backtutor.problem.load import load
from backtutor.solution import solve

from .conftest import PROBLEMS, SOLVABLE
from .test_documents import _pdflatex

LAYERED = [p for p in SOLVABLE if network_layers(load(p)) is not None]


def test_the_layered_bundled_problems_are_found():
    names = {p.stem for p in LAYERED}
    assert {"q4", "schiendorfer_matrix", "tanh_network", "softmax_classifier", "relu_regression"} <= names


BATCH = """
inputs: [x]
network:
  - {activation: sigmoid, W: [[6, -2], [-3, 5]], b: [0.5, -0.25]}
  - {activation: tanh, W: [[1, 0.25], [-2, 2]]}
data: [{x: [3, 1], t: [1, 0]}, {x: [-1, 2], t: [0, 1]}]
loss: {kind: mse, name: E}
training: {learning_rate: 0.5, mode: batch}
"""


@pytest.mark.parametrize("path", LAYERED, ids=lambda p: p.stem)
def test_matrix_and_scalar_views_agree_on_every_number(path: Path):
    assert_views_agree(solve(load(path)))


def test_views_agree_in_a_batch_with_a_mean(write_problem):
    assert_views_agree(solve(load(write_problem(BATCH))))


def test_the_loss_is_shown_with_its_published_value_and_a_batch_its_mean(write_problem):
    (e,) = [s for s in matrix_view(solve(load(PROBLEMS / "schiendorfer_matrix.yaml"))) if s.id == "E"]
    assert e.value == pytest.approx([0.08699208259994781], rel=1e-12)  # Schiendorfer's E
    assert e.equation == "E = Σₖ (t_k − a_k)²"
    batch = {s.id: s for s in matrix_view(solve(load(write_problem(BATCH))))}
    w1, b1 = np.array([[6, -2], [-3, 5]]), np.array([0.5, -0.25])
    w2 = np.array([[1, 0.25], [-2, 2]])
    x, t = np.array([[3, -1], [1, 2]]), np.array([[1, 0], [0, 1]])
    out = np.tanh(w2 @ (1 / (1 + np.exp(-(w1 @ x + b1[:, None])))))
    each = ((t - out) ** 2).mean(axis=0)  # mse over the two outputs, one column per example
    assert batch["E"].value[0] == pytest.approx(each, rel=1e-12)
    assert batch["E"].note.endswith(f"= {each.mean():.9g}")  # the batch's mean
    assert "b^{(1)}" in batch["Z1"].latex and "B^{(1)}" not in batch["Z1"].latex  # b is the layer's own


def assert_views_agree(sol) -> None:
    """Every number of the matrix view against the scalar view's: an example's vectors, or its column
    of a batch's matrices; the gradients (the batch's sum or mean) and every update."""
    layers = network_layers(sol.problem)
    assert layers is not None
    steps = {s.id: s.value for s in matrix_view(sol)}
    loss = sol.problem.loss
    for t, group in itertools.groupby(sol.worked, key=lambda w: w.update):
        group = list(group)
        at = f"@{t}" if sol.updates > 1 else ""
        batch = len(group) > 1
        sums: dict[str, float] = defaultdict(float)  # a shared weight or bias: the sum of its places
        scalar: dict[str, float] = defaultdict(float)  # the scalar view's gradient over the update
        for k, w in enumerate(group):
            suffix = at if batch else (f"[{w.example}]" if w.example is not None else "") + at

            def column(name: str, n: int, k=k, suffix=suffix, batch=batch):
                value = steps[(name.capitalize() if batch else name) + f"{n}{suffix}"]
                return value[:, k] if batch else value

            for n, layer in enumerate(layers, 1):
                assert column("z", n) == pytest.approx([float(w.values[x]) for x in layer.nets], rel=1e-12)
                assert column("a", n) == pytest.approx([float(w.values[x]) for x in layer.outs], rel=1e-12)
                if layer.dropped:  # the outputs after dropout, what the next layer reads
                    dropped = [float(w.values[x]) for x in layer.dropped]
                    assert column("drop", n) == pytest.approx(dropped, rel=1e-12)
                assert column("delta", n) == pytest.approx([w.gradients[x] for x in layer.nets], rel=1e-9)
                if batch and k > 0:
                    continue
                for i, row in enumerate(layer.weights):
                    for j, name in enumerate(row):
                        sums[name] += steps[f"d{loss}/dW{n}{suffix}"][i, j]
                for i, bias in enumerate(layer.biases):
                    if bias is not None:
                        sums[bias] += steps[f"d{loss}/db{n}{suffix}"][i]
            for name, g in w.gradients.items():
                scalar[name] += g / (len(group) if sol.problem.reduction == "mean" else 1)
            if not batch:  # each example's own gradient
                assert_gradients(sums, scalar)
                sums, scalar = defaultdict(float), defaultdict(float)
        assert_gradients(sums, scalar)
        if sol.problem.training:
            assert_updates(sol, layers, steps, t, at)


def assert_gradients(sums: dict[str, float], scalar: dict[str, float]) -> None:
    for name, total in sums.items():
        if name in scalar:  # frozen parameters get no scalar gradient
            assert total == pytest.approx(scalar[name], rel=1e-9, abs=1e-15)


def assert_updates(sol, layers, steps, t: int, at: str) -> None:
    """W1+ and b1+ entry by entry against the scalar view's w+ steps (a frozen entry: unchanged)."""
    new = {s.target.name: s.value for s in sol.steps if s.update == t and isinstance(s.target, Updated)}
    before = sol.parameters_during[t]
    for n, layer in enumerate(layers, 1):
        for i, row in enumerate(layer.weights):
            for j, name in enumerate(row):
                expected = new.get(name, float(before[name]))
                assert steps[f"W{n}+{at}"][i, j] == pytest.approx(expected, rel=1e-9, abs=1e-15)
        for i, bias in enumerate(layer.biases):
            if bias is not None:
                expected = new.get(bias, float(before[bias]))
                assert steps[f"b{n}+{at}"][i] == pytest.approx(expected, rel=1e-9, abs=1e-15)


# ---- random layered networks against the four equations, written out independently -----------

ACTS = {
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
    "tanh": (np.tanh, lambda z: 1 / np.cosh(z) ** 2),
    "identity": (lambda z: z, lambda z: np.ones_like(z)),
    "softplus": (lambda z: np.log1p(np.exp(z)), lambda z: 1 / (1 + np.exp(-z))),
}
LOSSES = {"half_sse": lambda a, t: a - t, "sse": lambda a, t: 2 * (a - t)}


def four_equations(Ws, bs, acts, x, t, loss):
    """Nielsen's four equations, from scratch: δᴸ = ∇ₐC ⊙ f′(zᴸ), δˡ = (Wˡ⁺¹ᵀ δˡ⁺¹) ⊙ f′(zˡ),
    ∂C/∂Wˡ = δˡ aˡ⁻¹ᵀ, ∂C/∂bˡ = δˡ."""
    a_s, zs = [x], []
    for W, b, f in zip(Ws, bs, acts, strict=True):
        zs.append(W @ a_s[-1] + b)
        a_s.append(ACTS[f][0](zs[-1]))
    deltas = [LOSSES[loss](a_s[-1], t) * ACTS[acts[-1]][1](zs[-1])]
    for n in range(len(Ws) - 2, -1, -1):
        deltas.insert(0, (Ws[n + 1].T @ deltas[0]) * ACTS[acts[n]][1](zs[n]))
    return zs, a_s[1:], deltas, [np.outer(d, a) for d, a in zip(deltas, a_s, strict=False)]


numbers = st.integers(-20, 20).map(lambda k: k / 10)


def draw_layers(draw, most: int) -> tuple[list[int], list, list, list[str]]:
    """Layer sizes (inputs first, up to `most` of them), and each layer's W, b and activation."""
    sizes = draw(st.lists(st.integers(1, 3), min_size=2, max_size=most))
    Ws = [np.array(draw(st.lists(st.lists(numbers, min_size=m, max_size=m), min_size=n, max_size=n)))
          for m, n in itertools.pairwise(sizes)]  # fmt: skip
    bs = [np.array(draw(st.lists(numbers, min_size=n, max_size=n))) for n in sizes[1:]]
    acts = draw(st.lists(st.sampled_from(sorted(ACTS)), min_size=len(Ws), max_size=len(Ws)))
    return sizes, Ws, bs, acts


@st.composite
def networks(draw):
    sizes, Ws, bs, acts = draw_layers(draw, 4)
    x = np.array(draw(st.lists(numbers, min_size=sizes[0], max_size=sizes[0])))
    t = np.array(draw(st.lists(numbers, min_size=sizes[-1], max_size=sizes[-1])))
    return Ws, bs, acts, x, t, draw(st.sampled_from(sorted(LOSSES)))


def yaml_of(Ws, bs, acts, x, t, loss) -> str:
    layers = "".join(
        f"  - {{activation: {f}, W: {W.tolist()}, b: {b.tolist()}}}\n"
        for W, b, f in zip(Ws, bs, acts, strict=True)
    )
    names = [f"x_{j}" for j in range(1, len(x) + 1)]  # listed: a one-input network has no vector
    data = f"data: [{{x: {x.tolist()}, t: {t.tolist()}}}]\n"
    return f"inputs: {names}\nnetwork:\n{layers}{data}loss: {{kind: {loss}}}\n"


@settings(max_examples=max(5, settings.default.max_examples // 5), deadline=None)
@given(net=networks())
def test_random_networks_against_the_four_equations(net):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.yaml"
        path.write_text(yaml_of(*net))
        steps = {s.id: s.value for s in matrix_view(solve(load(path)))}
    zs, outs, deltas, dWs = four_equations(*net)
    for n in range(1, len(zs) + 1):
        assert steps[f"z{n}"] == pytest.approx(zs[n - 1], rel=1e-9, abs=1e-12)
        assert steps[f"a{n}"] == pytest.approx(outs[n - 1], rel=1e-9, abs=1e-12)
        assert steps[f"delta{n}"] == pytest.approx(deltas[n - 1], rel=1e-7, abs=1e-12)
        assert steps[f"dE/dW{n}"] == pytest.approx(dWs[n - 1], rel=1e-7, abs=1e-12)
        assert steps[f"dE/db{n}"] == pytest.approx(deltas[n - 1], rel=1e-7, abs=1e-12)


def test_cli_prints_bracketed_matrices_and_json_nested_lists():
    path = str(PROBLEMS / "schiendorfer_matrix.yaml")
    text = CliRunner().invoke(app, ["solve", path, "--view", "matrix"])
    assert text.exit_code == 0, text.output
    assert "∂E/∂W1 = delta1·a0ᵀ" in text.output
    assert "⎣   0.00142014367   0.000473381224 ⎦" in text.output  # published row 2: 0.00142014, 0.00047338
    result = CliRunner().invoke(app, ["solve", path, "--view", "matrix", "-f", "json"])
    steps = {s["id"]: s for s in json.loads(result.output)["steps"]}
    assert steps["dE/dW1"]["shape"] == [2, 2]
    assert steps["dE/dW1"]["value"][1] == pytest.approx([0.00142014, 0.00047338], abs=5e-9)
    assert steps["delta2"]["value"] == pytest.approx(
        [-2 * (1 - o) * o * (1 - o) for o in steps["a2"]["value"][:1]] + [steps["delta2"]["value"][1]]
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["chain_fw.yaml"], "needs a network of layers"),
        (["q4.yaml", "-f", "markdown", "--blank"], "without --only or --blank"),
        (["q4.yaml", "--only", "delta1"], "without --only or --blank"),
    ],
)
def test_cli_refuses_what_the_matrix_view_cannot_show(args, words):
    result = CliRunner().invoke(app, ["solve", str(PROBLEMS / args[0]), *args[1:], "--view", "matrix"])
    assert result.exit_code == 2 and words in result.output


def document(name: str, fmt: str) -> str:
    result = CliRunner().invoke(app, ["solve", str(PROBLEMS / f"{name}.yaml"), "--view", "matrix", "-f", fmt])
    assert result.exit_code == 0, result.output
    return result.output


def test_documents_write_matrices_as_bmatrix_and_mtable():
    md = document("schiendorfer_matrix", "markdown")
    assert r"\frac{\partial E}{\partial W^{(1)}} = \delta^{(1)} (a^{(0)})^{\top} = \begin{bmatrix}" in md
    assert r"\\ 0.00142014367 & 0.000473381224 \end{bmatrix}" in md  # published row 2
    html = document("schiendorfer_matrix", "html")
    assert "<mtable" in html and "<mn>0.00142014367</mn>" in html
    tex = document("softmax_classifier", "latex")
    assert r"\operatorname{diag}(a^{(1)})" in tex and r"\end{bmatrix}" in tex


@pytest.mark.parametrize("name", ["q4", "schiendorfer_matrix", "softmax_classifier"])
def test_the_matrix_tex_compiles(name, tmp_path):
    exe = _pdflatex()
    (tmp_path / "m.tex").write_text(document(name, "latex"), encoding="utf-8")
    done = subprocess.run(
        [exe, "-interaction=nonstopmode", "-halt-on-error", "m.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:]


def test_a_layer_of_mixed_activations_names_each_units_f(write_problem):
    text = """inputs: [x1, x2]
network:
  - units:
      h1: {weights: [w1, w2], bias: b1, activation: tanh}
      h2: {weights: [w3, w4], bias: b2, activation: {name: softsign, formula: "x/(1 + abs(x))"}}
  - activation: sigmoid
    units:
      o: {weights: [w5, w6]}
parameters: {w1: 0.1, w2: 0.2, w3: -0.3, w4: 0.4, w5: 0.5, w6: -0.6, b1: 0.1, b2: 0.0}
data: [{x1: 1, x2: 2, target_o: 1}]
loss: {kind: half_sse, name: E}
"""
    sol = solve(load(write_problem(text)))
    steps = {s.id: s for s in matrix_view(sol)}
    assert steps["a1"].note == steps["delta1"].note == "f unit by unit: tanh, softsign"
    # tanh(0.1 + 0.4 + 0.1) and softsign(−0.3 + 0.8) = 0.5/1.5, by hand
    assert steps["a1"].value == pytest.approx([np.tanh(0.6), 1 / 3], rel=1e-12)
    assert_views_agree(sol)
