"""A loss that uses a parameter directly (a penalty written into `loss.expr`): the edge into the loss
is its own step, `dJ/dw(direct)`, distinct from the gradient `dJ/dw` (issue #11: the id appeared twice
and the working added the gradient to itself)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import backtutor
from backtutor.cli.app import app

PROBLEM = """\
inputs: [x]
expressions:
  f: w*x
targets: {f: y}
parameters: {w: 1.5}
data: [{x: 3, y: 6}]
loss: {kind: expression, name: J, expr: "(y - f)^2 + 0.1*w^2"}
training: {learning_rate: 0.1}
"""
W, X, Y, LAMBDA, ETA = 1.5, 3.0, 6.0, 0.1, 0.1


@pytest.fixture
def problem(tmp_path: Path) -> Path:
    path = tmp_path / "penalised.yaml"
    path.write_text(PROBLEM, encoding="utf-8")
    return path


def test_the_direct_derivative_is_a_step_of_its_own(problem: Path) -> None:
    sol = backtutor.solve(problem)
    ids = [s.id for s in sol.steps]
    assert len(ids) == len(set(ids))
    # by hand: ∂J/∂f = −2(y − wx), ∂f/∂w = x, the direct term 2λw
    direct, total = 2 * LAMBDA * W, -2 * (Y - W * X) * X + 2 * LAMBDA * W
    assert sol.step("dJ/dw(direct)").value == pytest.approx(direct, rel=1e-12)
    assert sol.step("dJ/dw").value == pytest.approx(total, rel=1e-12)
    assert sol.step("w+").value == pytest.approx(W - ETA * total, rel=1e-12)
    assert "dJ/dw(direct)" in sol.step("dJ/dw").depends_on


def test_the_gradient_agrees_with_finite_differences(problem: Path) -> None:
    def loss(w: float) -> float:
        return (Y - w * X) ** 2 + LAMBDA * w**2

    h = 1e-6
    numeric = (loss(W + h) - loss(W - h)) / (2 * h)
    assert backtutor.solve(problem).step("dJ/dw").value == pytest.approx(numeric, rel=1e-7)


def test_a_right_sheet_with_the_direct_step_is_graded_right(problem: Path, tmp_path: Path) -> None:
    sol = backtutor.solve(problem)
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text("".join(f'"{s.id}": {s.value!r}\n' for s in sol.steps), encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(problem), str(sheet)])
    assert result.exit_code == 0, result.output
    template = CliRunner().invoke(app, ["template", str(problem)])
    assert template.output.count('"dJ/dw(direct)"') == 1 and template.output.count('"dJ/dw"') == 1
