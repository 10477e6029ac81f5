"""The matrix view of a batch (one column per example, the gradient as one product, the sum or the
mean over the batch) and of the updates: random layered networks against the four equations and
W ← W − η·∂E/∂W written out here in NumPy; bundled-style problems against the scalar view."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from backtutor.cli.app import app
from backtutor.matrix.view import matrix_view
from backtutor.problem.load import load
from backtutor.solution import solve

from .test_matrix_view import ACTS, LOSSES, assert_views_agree, draw_layers, numbers


def batch_equations(Ws, bs, acts, X, T, loss, mean):
    """The four equations on a batch, one column per example: Δᴸ = ∇_A C ⊙ f′(Zᴸ),
    Δˡ = (Wˡ⁺¹ᵀ Δˡ⁺¹) ⊙ f′(Zˡ), ∂C/∂Wˡ = c·Δˡ Aˡ⁻¹ᵀ, ∂C/∂bˡ = c·Σ_columns Δˡ (c = 1/m for a mean)."""
    As, Zs = [X], []
    for W, b, f in zip(Ws, bs, acts, strict=True):
        Zs.append(W @ As[-1] + b[:, None])
        As.append(ACTS[f][0](Zs[-1]))
    Ds = [LOSSES[loss](As[-1], T) * ACTS[acts[-1]][1](Zs[-1])]
    for n in range(len(Ws) - 2, -1, -1):
        Ds.insert(0, (Ws[n + 1].T @ Ds[0]) * ACTS[acts[n]][1](Zs[n]))
    c = 1 / X.shape[1] if mean else 1.0
    dWs = [c * D @ A.T for D, A in zip(Ds, As, strict=False)]
    return Zs, As[1:], Ds, dWs, [c * D.sum(axis=1) for D in Ds]


@st.composite
def batches(draw):
    sizes, Ws, bs, acts = draw_layers(draw, 3)
    m = draw(st.integers(2, 3))
    X = np.array(
        draw(st.lists(st.lists(numbers, min_size=m, max_size=m), min_size=sizes[0], max_size=sizes[0]))
    )
    T = np.array(
        draw(st.lists(st.lists(numbers, min_size=m, max_size=m), min_size=sizes[-1], max_size=sizes[-1]))
    )
    return Ws, bs, acts, X, T, draw(st.sampled_from(sorted(LOSSES))), draw(st.booleans())


def yaml_of(Ws, bs, acts, X, T, loss, mean) -> str:
    layers = "".join(
        f"  - {{activation: {f}, W: {W.tolist()}, b: {b.tolist()}}}\n"
        for W, b, f in zip(Ws, bs, acts, strict=True)
    )
    names = [f"x_{j}" for j in range(1, len(X) + 1)]
    data = ", ".join(f"{{x: {x.tolist()}, t: {t.tolist()}}}" for x, t in zip(X.T, T.T, strict=True))
    reduction = "mean" if mean else "sum"
    return (
        f"inputs: {names}\nnetwork:\n{layers}data: [{data}]\n"
        f"loss: {{kind: {loss}, reduction: {reduction}}}\ntraining: {{learning_rate: 0.25, mode: batch}}\n"
    )


@settings(max_examples=max(4, settings.default.max_examples // 4), deadline=None)
@given(net=batches())
def test_random_batches_against_the_four_equations_and_the_update(net):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.yaml"
        path.write_text(yaml_of(*net))
        steps = {s.id: s.value for s in matrix_view(solve(load(path)))}
    Ws, bs, X = net[0], net[1], net[3]
    Zs, As, Ds, dWs, dbs = batch_equations(*net)
    assert steps["X"] == pytest.approx(X) and steps["T"] == pytest.approx(net[4])
    for n in range(1, len(Zs) + 1):
        assert steps[f"Z{n}"] == pytest.approx(Zs[n - 1], rel=1e-9, abs=1e-12)
        assert steps[f"A{n}"] == pytest.approx(As[n - 1], rel=1e-9, abs=1e-12)
        assert steps[f"Delta{n}"] == pytest.approx(Ds[n - 1], rel=1e-7, abs=1e-12)
        assert steps[f"dE/dW{n}"] == pytest.approx(dWs[n - 1], rel=1e-7, abs=1e-12)
        assert steps[f"dE/db{n}"] == pytest.approx(dbs[n - 1], rel=1e-7, abs=1e-12)
        assert steps[f"W{n}+"] == pytest.approx(Ws[n - 1] - 0.25 * dWs[n - 1], rel=1e-7, abs=1e-12)
        assert steps[f"b{n}+"] == pytest.approx(bs[n - 1] - 0.25 * dbs[n - 1], rel=1e-7, abs=1e-12)


NET = """
inputs: [x]
network:
  - {activation: sigmoid, W: [[0.5, -1], [1, 0.5]], b: [0.1, -0.2]}
  - {activation: softmax, W: [[1, -1], [0.5, 0.5], [-1, 1]], b: [0, 0.1, 0]}
data:
  - {x: [1, 2], t: [1, 0, 0]}
  - {x: [-1, 0.5], t: [0, 1, 0]}
  - {x: [0, 1], t: [0, 0, 1]}
  - {x: [2, -1], t: [0, 1, 0]}
loss: {kind: cross_entropy, name: E}
"""


@pytest.mark.parametrize(
    "training",
    [
        "training: {learning_rate: 0.5, mode: batch}",
        "training: {learning_rate: 0.5, mode: minibatch, batch_size: 2, epochs: 1}",
        "training: {learning_rate: 0.5, mode: online}",
        "training: {learning_rate: 0.1, mode: batch, optimizer: {kind: adam}}",
        "training: {learning_rate: 0.1, mode: online, optimizer: {kind: momentum, momentum: 0.9}}",
    ],
)
def test_batches_and_updates_agree_with_the_scalar_view(write_problem, training):
    assert_views_agree(solve(load(write_problem(NET + training))))


def test_softmax_with_cross_entropy_shows_delta_as_a_minus_t(write_problem):
    sol = solve(load(write_problem(NET + "training: {learning_rate: 0.5, mode: batch}")))
    steps = {s.id: s for s in matrix_view(sol)}
    assert steps["Delta2"].equation.endswith("= A2 − T")
    assert steps["Delta2"].value == pytest.approx(steps["A2"].value - steps["T"].value, abs=1e-12)
    assert steps["dE/dW2"].equation == "∂E/∂W2 = Delta2·A1ᵀ"  # cross-entropy sums over the batch
    assert steps["dE/db2"].value == pytest.approx(steps["Delta2"].value.sum(axis=1))


def test_cli_writes_the_batch_and_the_updates(write_problem):
    path = write_problem(NET + "training: {learning_rate: 0.1, mode: batch, optimizer: {kind: adam}}")
    out = CliRunner().invoke(app, ["solve", str(path), "--view", "matrix"]).output
    assert "Z1:  Z1 = W1·A0 + b1·1ᵀ" in out and "dE/db1:  ∂E/∂b1 = Delta1·1" in out
    assert "W2+:  W2+ = W2 updated entry by entry by the rule below" in out and "Adam" in out
    sgd = write_problem(NET + "training: {learning_rate: 0.5, mode: batch}")
    out = CliRunner().invoke(app, ["solve", str(sgd), "--view", "matrix"]).output
    assert "W1+:  W1+ = W1 − η·∂E/∂W1" in out and "− 0.5·" in out
