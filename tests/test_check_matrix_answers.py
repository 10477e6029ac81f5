"""check on matrix and vector answers (issue #12): `dE/dW1: [[…], […]]`, `delta2: […]`, `W1+: [[…]]`
graded element by element as the scalar steps they are, and names like W1[1,2] in sheets and --only.

The numbers come from the published worked example (A. Schiendorfer, "Backpropagation by hand":
E = 0.08699208259994781, ∂E/∂W1 row 2 = [0.00142014, 0.00047338]) and from Nielsen's four equations
written out in NumPy here, not from backtutor.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import backtutor
from backtutor.check import Checker, read_sheet
from backtutor.cli.app import app

from .conftest import PROBLEMS

runner = CliRunner()
SCHIENDORFER = PROBLEMS / "schiendorfer_matrix.yaml"
ETA = 0.5


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def four_equations() -> dict[str, np.ndarray]:
    """The example's forward pass and Nielsen's four equations, in NumPy."""
    W1, W2 = np.array([[6.0, -2.0], [-3.0, 5.0]]), np.array([[1.0, 0.25], [-2.0, 2.0]])
    x, t = np.array([3.0, 1.0]), np.array([1.0, 0.0])
    z1 = W1 @ x
    a1 = sigmoid(z1)
    z2 = W2 @ a1
    a2 = sigmoid(z2)
    grad = -2 * (t - a2)
    delta2 = grad * a2 * (1 - a2)
    delta1 = (W2.T @ delta2) * a1 * (1 - a1)
    out = {"z1": z1, "a1": a1, "z2": z2, "a2": a2, "dE/da2": grad, "delta2": delta2, "delta1": delta1}
    out |= {
        "dE/dW2": np.outer(delta2, a1),
        "dE/dW1": np.outer(delta1, x),
        "E": np.array(((t - a2) ** 2).sum()),
    }
    out |= {"W1+": W1 - ETA * out["dE/dW1"], "W2+": W2 - ETA * out["dE/dW2"]}
    return out


NP = four_equations()


def test_the_oracle_gives_the_published_numbers():
    assert NP["E"] == pytest.approx(0.08699208259994781, rel=1e-12)
    assert NP["dE/dW1"][1] == pytest.approx([0.00142014, 0.00047338], rel=1e-5)


def flow(value: np.ndarray, digits: int = 6) -> str:
    """A vector or matrix as a YAML flow list, each number to `digits` significant figures."""
    if value.ndim == 1:
        return "[" + ", ".join(f"{v:.{digits - 1}e}" for v in value) + "]"
    return "[" + ", ".join(flow(row, digits) for row in value) + "]"


@pytest.fixture(scope="module")
def schiendorfer():
    sol = backtutor.solve(SCHIENDORFER)
    return sol, Checker(sol)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """The example with one update of plain SGD, η = 0.5: W1+ and W2+ are steps."""
    path = tmp_path_factory.mktemp("matrix") / "trained.yaml"
    text = SCHIENDORFER.read_text(encoding="utf-8")
    path.write_text(text + f"training: {{learning_rate: {ETA}, epochs: 1}}\n", encoding="utf-8")
    sol = backtutor.solve(path)
    return path, sol, Checker(sol)


def grade(sol, checker, text: str, tmp_path: Path):
    path = tmp_path / "sheet.yaml"
    path.write_text(text, encoding="utf-8")
    report = checker.grade(read_sheet(path, sol), str(path))
    return report, {v.element or v.id: v for v in report.verdicts}


def test_a_right_matrix_sheet_is_right_element_by_element(schiendorfer, tmp_path):
    sol, checker = schiendorfer
    keys = ("a1", "a2", "dE/da2", "delta2", "dE/dW2", "delta1", "dE/dW1")
    text = "".join(f'"{k}": {flow(NP[k])}\n' for k in keys)
    report, v = grade(sol, checker, text, tmp_path)
    assert report.right == len(report.verdicts) == 2 * 5 + 4 * 2, report.verdicts
    assert v["dE/dW1[2,1]"].id == "dE/dW1_21" and v["dE/dW1[1,2]"].id == "dE/dW1_12"
    assert v["delta2[1]"].id == "dE/dz_2_1" and v["a1[2]"].id == "a_1_2"
    assert v["dE/dW1[2,1]"].label == "dE/dW1[2,1] = dE/dW1_21"


def test_spellings_of_the_matrix_quantities(schiendorfer, tmp_path):
    sol, checker = schiendorfer
    text = (
        f'"∂E/∂W⁽¹⁾": {flow(NP["dE/dW1"])}\n"δ2": {flow(NP["delta2"])}\n"dEtotal/dW2": {flow(NP["dE/dW2"])}\n'
    )
    report, _ = grade(sol, checker, text, tmp_path)
    assert report.right == len(report.verdicts) == 10


def test_a_wrong_element_is_named_and_what_uses_it_is_carried(schiendorfer, tmp_path):
    sol, checker = schiendorfer
    delta2 = NP["delta2"].copy()
    delta2[0] *= -1  # a sign error in the first element
    dW2 = np.outer(delta2, NP["a1"])  # worked on from the student's own δ2
    text = f'"delta2": {flow(delta2)}\n"dE/dW2": {flow(dW2)}\n'
    report, v = grade(sol, checker, text, tmp_path)
    assert v["delta2[1]"].status == "wrong" and v["delta2[1]"].slip == "sign"
    assert v["delta2[2]"].status == "right"
    assert [v[f"dE/dW2[1,{j}]"].status for j in (1, 2)] == ["carried", "carried"]
    assert v["dE/dW2[1,1]"].source == "dE/dz_2_1"
    assert [v[f"dE/dW2[2,{j}]"].status for j in (1, 2)] == ["right", "right"]
    assert report.first_error.element == "delta2[1]"


def test_a_column_vector_and_blank_elements(schiendorfer, tmp_path):
    sol, checker = schiendorfer
    column = "[" + ", ".join(f"[{x:.6e}]" for x in NP["delta1"]) + "]"
    text = f'"delta1": {column}\n"dE/dW1":\n  - [~, ~]\n  - {flow(NP["dE/dW1"][1])}\n'
    report, v = grade(sol, checker, text, tmp_path)
    assert set(v) == {"delta1[1]", "delta1[2]", "dE/dW1[2,1]", "dE/dW1[2,2]"}
    assert report.right == 4


def test_updated_weights_as_a_matrix(trained, tmp_path):
    _, sol, checker = trained
    W1 = NP["W1+"].copy()
    W1[1, 0] = -3.0 + ETA * NP["dE/dW1"][1, 0]  # W1_21 = −3, updated with + instead of −
    text = f'"dE/dW1": {flow(NP["dE/dW1"], 9)}\n"W1+": {flow(W1, 9)}\n"W2_new": {flow(NP["W2+"], 9)}\n'
    _, v = grade(sol, checker, text, tmp_path)
    assert v["W1[2,1]+"].id == "W1_21+" and v["W1[2,1]+"].slip == "plus_update"
    assert all(x.status == "right" for k, x in v.items() if k != "W1[2,1]+")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"dE/dW1": [[1, 2, 3], [4, 5, 6]]\n', "dE/dW1 is a 2×2 matrix, the answer is a 2×3 matrix"),
        ('"z1": [1, 2, 3]\n', "z1 is a vector of 2, the answer is a vector of 3"),
        ('"delta2": [[1, 2], [3]]\n', "delta2 is a vector of 2, the answer is rows of 2, 1 numbers"),
        ('"W1+": [[1, 2], [3, 4]]\n', "'W1+' is none"),
        ('"dE/dW1": [[1, 2], [3, {a: 1}]]\n', "dE/dW1[2,2]: expected a number or a formula"),
        ('"dE/dW1": [[1, 2], [3, "4 +"]]\n', "dE/dW1[2,2]"),
    ],
)
def test_a_bad_matrix_answer_names_the_sheet_the_key_and_the_line(tmp_path, text, expected):
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text('"E": 0.087\n' + text, encoding="utf-8")
    result = runner.invoke(app, ["check", str(SCHIENDORFER), str(sheet)])
    assert result.exit_code == 2, result.output
    assert expected in result.output and f"{sheet}:2" in result.output, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("matrix_first", [True, False])
def test_a_matrix_and_a_scalar_answer_to_one_step_are_both_reported(trained, tmp_path, matrix_first):
    path, _, _ = trained
    W1 = NP["W1+"].copy()
    W1[0, 0] += 0.5  # wrong in the matrix, right as the scalar
    lines = [f'"W1+": {flow(W1, 9)}\n', f'"W1_11+": {NP["W1+"][0, 0]:.8f}\n']
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text("".join(lines if matrix_first else lines[::-1]), encoding="utf-8")
    result = runner.invoke(app, ["check", str(path), str(sheet)])
    assert result.exit_code == 1, result.output  # an own error
    marks: dict[str, str] = {}  # each answer's label and the lines under it (its where may wrap them)
    label = ""
    for line in result.output.splitlines():
        if line.startswith("  ") and not line.startswith("    ") and "W1" in line:
            label = line.split()[0]
            marks[label] = ""
        marks[label] = marks.get(label, "") + line
    assert "✓ right" in marks["W1_11+"] and "✗ wrong" in marks["W1[1,1]+"], result.output
    assert "4/5 right" in result.output and "first error: W1[1,1]+ = W1_11+" in result.output


def test_element_names_in_a_sheet_map_to_the_scalar_names(trained, tmp_path):
    _, sol, checker = trained
    text = (
        f'"dE/dW1[2,1]": {NP["dE/dW1"][1, 0]:.6e}\n"∂E/∂W1[2,2]": {NP["dE/dW1"][1, 1]:.6e}\n'
        f'"W1[1,2]+": {NP["W1+"][0, 1]:.8f}\n"W2[2,1]_new": {NP["W2+"][1, 0]:.8f}\n'
    )
    report, v = grade(sol, checker, text, tmp_path)
    assert {"dE/dW1_21", "dE/dW1_22", "W1_12+", "W2_21+"} == set(v)
    assert report.right == 4


def test_only_takes_element_names(trained):
    path, _, _ = trained
    out = runner.invoke(app, ["solve", str(path), "--only", "W1[2,1]+"]).output
    assert "W1_21⁺" in out or "W1_21+" in out
    assert "W1_11⁺" not in out and "W1_11+" not in out  # only the working that leads to W1_21+
    gradient = runner.invoke(app, ["solve", str(path), "--only", "dE/dW1[2,1]"])
    assert gradient.exit_code == 0 and "dE/dW1_21" in gradient.output
    given = runner.invoke(app, ["solve", str(path), "--only", "W1[2,1]"])
    assert given.exit_code == 2 and "W1_21, which is not a step" in given.output
    assert "W1_21+" in given.output


def test_superscript_naming_maps_too(tmp_path):
    path = tmp_path / "super.yaml"
    text = SCHIENDORFER.read_text(encoding="utf-8")
    path.write_text(
        text.replace('naming: {net: "z_{unit}", out: "a_{unit}"}', "naming: {elements: superscript}"),
        encoding="utf-8",
    )
    sol = backtutor.solve(path)
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text(f'"dE/dW1": {flow(NP["dE/dW1"])}\n', encoding="utf-8")
    report = Checker(sol).grade(read_sheet(sheet, sol))
    assert report.right == 4 and report.verdicts[2].id == "dE/dW⁽¹⁾₂₁"
    sheet.write_text(f'"dE/dW1[2,1]": {NP["dE/dW1"][1, 0]:.6e}\n', encoding="utf-8")
    assert Checker(sol).grade(read_sheet(sheet, sol)).verdicts[0].id == "dE/dW⁽¹⁾₂₁"


def test_every_report_format_names_the_element_as_written(tmp_path):
    delta2 = NP["delta2"].copy()
    delta2[0] *= -1
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text(f'"delta2": {flow(delta2)}\n', encoding="utf-8")
    printed = {
        f: runner.invoke(app, ["check", str(SCHIENDORFER), str(sheet), "-f", f])
        for f in ("json", "markdown", "html")
    }
    verdicts = json.loads(printed["json"].output)["verdicts"]
    assert [(v["element"], v["id"], v["status"]) for v in verdicts] == [
        ("delta2[1]", "dE/dz_2_1", "wrong"),
        ("delta2[2]", "dE/dz_2_2", "right"),
    ]
    assert "`delta2[1] = dE/dz_2_1`" in printed["markdown"].output
    assert "<code>delta2[1] = dE/dz_2_1</code>" in printed["html"].output
