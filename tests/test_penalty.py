"""`loss.penalty` (issue #11): the penalised loss and its gradients against `sympy.diff` of the loss
written out here, and the penalty node's ids."""

from __future__ import annotations

import math

import pytest
import sympy as sp
from typer.testing import CliRunner

import backtutor
from backtutor.cli.app import app

runner = CliRunner()
PROBLEM = """
inputs: [x]
expressions: {{f: "w*x + b"}}
targets: {{f: y}}
parameters: {{w: 0.7, b: -0.4}}
data: [{{x: 1, y: 4}}, {{x: 2, y: 3}}, {{x: -1, y: 0.5}}]
loss: {{kind: sse, name: J, reduction: {reduction}, penalty: {penalty}}}
training: {{learning_rate: 0.1, mode: {mode}}}
"""
W, B = sp.symbols("w b", real=True)
DATA = [(1, 4), (2, 3), (-1, sp.Rational(1, 2))]

# (the file's penalty, the penalty as SymPy writes it)
CASES = [
    ("{l2: 0.05}", sp.Rational(5, 100) * (W**2 + B**2)),
    ("{l2: 0.05, half: true}", sp.Rational(1, 2) * sp.Rational(5, 100) * (W**2 + B**2)),
    ("{l2: 0.3, parameters: [w]}", sp.Rational(3, 10) * W**2),
    ("{l1: 0.2}", sp.Rational(2, 10) * (sp.Abs(W) + sp.Abs(B))),
]


def sympy_run(penalty, batches, mean):
    """The updates by sympy.diff of the penalised loss; each update's gradient and parameters."""
    point = {W: sp.Rational(7, 10), B: sp.Rational(-4, 10)}
    out = []
    for batch in batches:
        losses = [(y - (W * x + B)) ** 2 + penalty for x, y in batch]
        loss = sum(losses) / len(batch) if mean else sum(losses)
        grads = {n: float(sp.diff(loss, s).subs(point)) for n, s in (("w", W), ("b", B))}
        point = {s: point[s] - sp.Rational(1, 10) * grads[n] for n, s in (("w", W), ("b", B))}
        out.append((grads, {n: float(point[s]) for n, s in (("w", W), ("b", B))}))
    return out


@pytest.mark.parametrize(("written", "penalty"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("mode", ["online", "batch"])
def test_penalised_gradients_and_updates_equal_sympy_diff(write_problem, written, penalty, mode):
    mean = mode == "batch"
    path = write_problem(PROBLEM.format(reduction="mean" if mean else "sum", penalty=written, mode=mode))
    sol = backtutor.solve(path)
    batches = [[d] for d in DATA] if mode == "online" else [DATA]
    for t, (grads, params) in enumerate(sympy_run(penalty, batches, mean), start=1):
        suffix = f"@{t}" if mode == "online" else ""
        for n in ("w", "b"):
            assert math.isclose(sol.step(f"dJ/d{n}{suffix}").value, grads[n], rel_tol=1e-12)
            assert math.isclose(sol.step(f"{n}+{suffix}").value, params[n], rel_tol=1e-12)


def test_the_penalty_is_a_node_with_its_own_ids(write_problem):
    sol = backtutor.solve(write_problem(PROBLEM.format(reduction="sum", penalty="{l2: 0.05}", mode="online")))
    assert sol.step("J_penalty@1").value == pytest.approx(0.05 * (0.7**2 + 0.4**2))
    assert sol.step("J@1").depends_on[-1] == "J_penalty@1"
    assert sol.step("dJ_penalty/dw@1").value == pytest.approx(0.1 * 0.7)
    ids = [s.id for s in sol.steps]
    assert len(ids) == len(set(ids))
    assert "dJ_penalty/dw@1" in sol.step("dJ/dw@1").depends_on


@pytest.mark.parametrize(
    ("penalty", "mode", "reduction", "expected"),
    [
        ("{l2: 0.1, l1: 0.1}", "online", "sum", "give one of l2"),
        ("{l1: 0.1, half: true}", "online", "sum", "half goes with l2"),
        ("{l2: -1}", "online", "sum", "loss.penalty.l2: λ must be ≥ 0"),
        ("{l2: 0.1, parameters: [q]}", "online", "sum", "'q' is not a parameter"),
        ("{l2: 0.1}", "batch", "sum", "needs reduction: mean"),
    ],
)
def test_bad_penalties_get_a_clear_message(write_problem, penalty, mode, reduction, expected):
    path = write_problem(PROBLEM.format(reduction=reduction, penalty=penalty, mode=mode))
    result = runner.invoke(app, ["solve", str(path)])
    assert result.exit_code == 2 and "loss.penalty" in result.output and expected in result.output


def test_bundled_l2_regression_first_update():
    from .conftest import PROBLEMS

    sol = backtutor.solve(PROBLEMS / "l2_regression.yaml")
    w1, w2, b = sp.symbols("w1 w2 b", real=True)
    loss = sp.Rational(1, 2) * (1 - (w1 * 1 + w2 * 2 + b)) ** 2 + sp.Rational(1, 10) * (w1**2 + w2**2)
    point = {w1: sp.Rational(1, 2), w2: sp.Rational(-3, 10), b: sp.Rational(1, 4)}
    for name, s in (("w1", w1), ("w2", w2), ("b", b)):
        assert math.isclose(
            sol.step(f"dE/d{name}@1").value, float(sp.diff(loss, s).subs(point)), rel_tol=1e-12
        )
