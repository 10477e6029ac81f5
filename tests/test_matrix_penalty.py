"""The matrix view with a penalty (issue #19): ∂E/∂Wˡ = δˡ(aˡ⁻¹)ᵀ + ∂E_penalty/∂Wˡ and the updates
from it, against training written out here in NumPy from PyTorch's definitions (L2: λ·Σw², whose
gradient is 2λw; `half`: ½λ·Σw², PyTorch's weight_decay λw; L1: λ·Σ|w|, gradient λ·sign(w)); each
matrix entry against its scalar step to 1e-12; `check` grading the view's own numbers right; and
each update starting from the W⁺ the view showed for the one before."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backtutor.check import Checker, read_sheet
from backtutor.check.matrix_answers import MatrixIds
from backtutor.matrix.view import matrix_view
from backtutor.problem.load import load
from backtutor.solution import solve

from .test_matrix_batch import NET as BATCH_NET
from .test_matrix_batch import batch_equations, batches
from .test_matrix_view import LAYERED, assert_views_agree

PENALTIES = {  # the file's penalty → its gradient for a parameter matrix, by the published rule
    "{l2: 0.05}": lambda W: 2 * 0.05 * W,
    "{l2: 0.3, half: true}": lambda W: 0.3 * W,
    "{l1: 0.01}": lambda W: 0.01 * np.sign(W),
}


def yaml_of(Ws, bs, acts, X, T, loss, penalty: str, mode: str, decay: float) -> str:
    layers = "".join(
        f"  - {{activation: {f}, W: {W.tolist()}, b: {b.tolist()}}}\n"
        for W, b, f in zip(Ws, bs, acts, strict=True)
    )
    names = [f"x_{j}" for j in range(1, len(X) + 1)]
    data = ", ".join(f"{{x: {x.tolist()}, t: {t.tolist()}}}" for x, t in zip(X.T, T.T, strict=True))
    return (
        f"inputs: {names}\nnetwork:\n{layers}data: [{data}]\n"
        f"loss: {{kind: {loss}, reduction: mean, penalty: {penalty}}}\n"
        f"training: {{learning_rate: 0.25, mode: {mode}, weight_decay: {decay}}}\n"
    )


def numpy_training(Ws, bs, acts, X, T, loss, penalty: str, mode: str, decay: float):
    """Each update's ∂E/∂W, ∂E/∂b and W⁺, b⁺: plain SGD (g + λ_decay·w with weight decay), each
    example's loss the data term plus the penalty over every W and b, a batch's loss the mean."""
    grad = PENALTIES[penalty]
    Ws, bs = [W.astype(float) for W in Ws], [b.astype(float) for b in bs]
    columns = [[k] for k in range(X.shape[1])] if mode == "online" else [list(range(X.shape[1]))]
    out = []
    for cols in columns:
        *_, dWs, dbs = batch_equations(Ws, bs, acts, X[:, cols], T[:, cols], loss, True)
        dWs = [d + grad(W) for d, W in zip(dWs, Ws, strict=True)]
        dbs = [d + grad(b) for d, b in zip(dbs, bs, strict=True)]
        Ws = [W - 0.25 * (d + decay * W) for W, d in zip(Ws, dWs, strict=True)]
        bs = [b - 0.25 * (d + decay * b) for b, d in zip(bs, dbs, strict=True)]
        out.append((dWs, dbs, Ws, bs))
    return out


@st.composite
def penalised(draw):
    net = draw(batches())[:-1]  # the mean over a batch: a penalty needs it
    return (*net, draw(st.sampled_from(sorted(PENALTIES))), draw(st.sampled_from(["online", "batch"])),
            draw(st.sampled_from([0.0, 0.1])))  # fmt: skip


@settings(max_examples=max(4, settings.default.max_examples // 4), deadline=None)
@given(net=penalised())
def test_penalised_networks_against_numpy_and_the_scalar_view(net):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.yaml"
        path.write_text(yaml_of(*net))
        sol = solve(load(path))
    steps = {s.id: s.value for s in matrix_view(sol)}
    expected = numpy_training(*net)
    for t, (dWs, dbs, Ws, bs) in enumerate(expected, 1):
        at = f"@{t}" if len(expected) > 1 else ""
        for n in range(1, len(Ws) + 1):
            assert steps[f"dE/dW{n}{at}"] == pytest.approx(dWs[n - 1], rel=1e-7, abs=1e-12)
            assert steps[f"dE/db{n}{at}"] == pytest.approx(dbs[n - 1], rel=1e-7, abs=1e-12)
            assert steps[f"W{n}+{at}"] == pytest.approx(Ws[n - 1], rel=1e-7, abs=1e-12)
            assert steps[f"b{n}+{at}"] == pytest.approx(bs[n - 1], rel=1e-7, abs=1e-12)
    assert_matrix_is_scalar(sol)
    assert_updates_chain(sol)


NET = BATCH_NET.removesuffix("loss: {kind: cross_entropy, name: E}\n")  # a softmax output layer
OPTIMIZERS = [
    "{kind: momentum, momentum: 0.9}, weight_decay: 0.01",
    "{kind: nesterov, momentum: 0.9}",
    "{kind: rmsprop}",
    "{kind: adagrad}, weight_decay: 0.1",
    "{kind: adam}, weight_decay: 0.1",
    "{kind: adamw}, weight_decay: 0.1",
]


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("mode", ["minibatch, batch_size: 2", "online"])
def test_every_optimizer_with_a_penalty(write_problem, optimizer, mode):
    penalty = "{l2: 0.05, parameters: [W1_11, b2_2]}"
    text = NET + (
        f"loss: {{kind: cross_entropy, name: E, reduction: mean, penalty: {penalty}}}\n"
        f"training: {{learning_rate: 0.1, mode: {mode}, epochs: 1, optimizer: {optimizer}}}\n"
    )
    assert_consistent(solve(load(write_problem(text))))


@pytest.mark.parametrize("path", LAYERED, ids=lambda p: p.stem)
def test_bundled_problems_matrix_entries_are_their_scalar_steps(path):
    assert_matrix_is_scalar(solve(load(path)))


def test_the_equations_show_the_penalty(write_problem):
    text = NET + "loss: {kind: cross_entropy, name: E, penalty: {l1: 0.01, parameters: [W1_11, W1_22]}}\n"
    steps = {s.id: s for s in matrix_view(solve(load(write_problem(text))))}
    assert steps["E_penalty"].equation == "E_penalty = 0.01·(|W1_11| + |W1_22|)"
    assert steps["E_penalty"].value == pytest.approx([0.01 * (0.5 + 0.5)], rel=1e-12)
    assert steps["E"].equation.endswith(" + E_penalty")
    assert steps["dE/dW1"].equation == "∂E/∂W1 = Delta1·A0ᵀ + ∂E_penalty/∂W1"
    assert r"+ \frac{\partial E_{\mathrm{penalty}}}{\partial W^{(1)}}" in steps["dE/dW1"].latex
    assert steps["dE/dW1"].terms[-2:-1] == ("+",)
    assert steps["dE/dW1"].terms[-1] == pytest.approx(np.array([[0.01, 0], [0, 0.01]]))
    assert "(0 where not penalised)" in steps["dE/dW1"].note
    assert steps["dE/dW2"].equation == "∂E/∂W2 = Delta2·A1ᵀ"  # no entry of W2 is penalised


def assert_consistent(sol) -> None:
    """The matrix view against the scalar view, check, and itself from one update to the next."""
    assert_views_agree(sol)
    assert_matrix_is_scalar(sol)
    assert_updates_chain(sol)


def assert_matrix_is_scalar(sol) -> None:
    """Each entry of each matrix step `check` knows is its scalar step, to 1e-12; and the view's
    own numbers, fed back to `check` as matrix answers, are all right."""
    ids = MatrixIds(sol, {s.id for s in sol.steps})
    shown = [s for s in matrix_view(sol) if s.id in ids.grids]
    assert shown, "the view shows quantities that check knows"
    lines = []
    for s in shown:
        grid, matrix = ids.grids[s.id]
        value = s.value if matrix else s.value.reshape(-1, 1)
        for row, got in zip(grid, value, strict=True):
            for element, number in zip(row, got, strict=True):
                if element is not None:
                    assert number == pytest.approx(sol.step(element).value, rel=1e-12, abs=1e-12), element
        lines.append(f'"{s.id}": {written(s.value)}')  # as the view prints them: 9 digits
    with tempfile.TemporaryDirectory() as tmp:
        sheet = Path(tmp) / "sheet.yaml"
        sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
        report = Checker(sol).grade(read_sheet(sheet, sol), str(sheet))
    wrong = [v for v in report.verdicts if v.status != "right"]
    assert not wrong and report.verdicts, wrong[:3]


def written(value: np.ndarray) -> str:
    if value.ndim == 1:
        return "[" + ", ".join(f"{v:.9g}" for v in value) + "]"
    return "[" + ", ".join(written(row) for row in value) + "]"


def assert_updates_chain(sol) -> None:
    """Update t+1 multiplies by the W⁺ the view showed for update t (the W term of its z step)."""
    steps = {s.id: s for s in matrix_view(sol)}
    for t in range(2, sol.updates + 1):
        for n in range(1, len(sol.problem.layers) + 1):
            (z,) = [
                s for s in steps.values() if s.update == t and re.fullmatch(rf"[zZ]{n}(\[1\])?@{t}", s.id)
            ]
            assert z.terms[0] == pytest.approx(steps[f"W{n}+@{t - 1}"].value, rel=1e-12, abs=1e-15)


SIGMOID_NET = """
inputs: [x]
network:
  - activation: tanh
    W: [[0.5, -1], [1, 0.5], [0.2, 0.3]]
    b: [0.1, -0.2, 0]
    dropout: {rate: 0.5, mask: [1, 0, 1]}
  - {activation: sigmoid, W: [[1, -1, 0.5], [0.5, 0.5, -2]], b: [0, 0.1]}
data: [{x: [1, 2], t: [1, 0]}, {x: [-1, 0.5], t: [0, 1]}, {x: [0, 1], t: [1, 1]}]
"""


@pytest.mark.parametrize("loss", ["half_sse", "sse", "mse", "binary_cross_entropy"])
@pytest.mark.parametrize("mode", ["batch", "online"])
def test_every_loss_with_a_penalty_and_dropout(write_problem, loss, mode):
    text = SIGMOID_NET + (
        f"loss: {{kind: {loss}, name: E, reduction: mean, penalty: {{l2: 0.1, half: true}}}}\n"
        f"training: {{learning_rate: 0.5, mode: {mode}, epochs: 1}}\n"
    )
    assert_consistent(solve(load(write_problem(text))))
