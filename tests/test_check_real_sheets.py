"""check on sheets as students really hand them in: sparse, with a slip made twice, with answers that
are not answers, in a batch with broken sheets; and the reports a student reads.

The two-ReLU homework is issue 9's: x1, x2 → ReLU unit → ReLU output; W1_1 = 1, W1_2 = 2, b_1 = 0,
W2_1 = 1, b_2 = 0; data (2, 2, 20) and (3, 4, 28); loss (y − ŷ)²; online SGD, η = 0.001, one epoch.
Its numbers are worked below by hand, independently of backtutor.
"""

from __future__ import annotations

import csv
import io
import json
import math
import time

import pytest
from typer.testing import CliRunner

import backtutor
from backtutor.check import Checker, batch, read_sheet
from backtutor.cli.app import app
from backtutor.engine import bounded

from .conftest import PROBLEMS

runner = CliRunner()
Q4 = PROBLEMS / "q4.yaml"

TWO_RELU = """\
title: Two ReLU units
inputs: [x1, x2]
network:
  - activation: relu
    units:
      h: {weights: [W1_1, W1_2], bias: b_1}
  - activation: relu
    units:
      y_hat: {weights: [W2_1], bias: b_2}
targets: {y_hat: y}
parameters: {W1_1: 1, W1_2: 2, b_1: 0, W2_1: 1, b_2: 0}
data:
  - {x1: 2, x2: 2, y: 20}
  - {x1: 3, x2: 4, y: 28}
loss: {kind: sse, name: L}
training: {learning_rate: 0.001, mode: online, epochs: 1}
"""
PARAMS = ("W1_1", "W1_2", "b_1", "W2_1", "b_2")


def forgot_the_two() -> dict[str, float]:
    """The student's sheet: forward values, ∂L/∂ŷ, the parameters' gradients and the updates, worked
    with ∂L/∂ŷ = −(y − ŷ) (the 2 forgotten) in both examples; local derivatives skipped."""
    w = dict(zip(PARAMS, (1.0, 2.0, 0.0, 1.0, 0.0), strict=True))
    sheet: dict[str, float] = {}
    for t, (x1, x2, y) in enumerate([(2, 2, 20), (3, 4, 28)], 1):
        net_h = w["W1_1"] * x1 + w["W1_2"] * x2 + w["b_1"]
        h = max(net_h, 0.0)
        net_y = w["W2_1"] * h + w["b_2"]
        y_hat = max(net_y, 0.0)
        d_y_hat = -(y - y_hat)  # the slip
        d_net_y = d_y_hat * (net_y > 0)
        d_net_h = d_net_y * w["W2_1"] * (net_h > 0)
        grads = {
            "W1_1": d_net_h * x1,
            "W1_2": d_net_h * x2,
            "b_1": d_net_h,
            "W2_1": d_net_y * h,
            "b_2": d_net_y,
        }
        sheet |= {f"net_h@{t}": net_h, f"out_h@{t}": h, f"net_y_hat@{t}": net_y, f"out_y_hat@{t}": y_hat}
        sheet |= {f"L@{t}": (y - y_hat) ** 2, f"dL/dout_y_hat@{t}": d_y_hat}
        sheet |= {f"dL/d{p}@{t}": grads[p] for p in PARAMS}
        w = {p: w[p] - 0.001 * grads[p] for p in PARAMS}
        sheet |= {f"{p}+@{t}": w[p] for p in PARAMS}
    return sheet


def write_sheet(path, answers: dict[str, object]) -> str:
    path.write_text("".join(f'"{k}": {v}\n' for k, v in answers.items()), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def two_relu(tmp_path_factory):
    folder = tmp_path_factory.mktemp("relu")
    problem = folder / "two_relu.yaml"
    problem.write_text(TWO_RELU, encoding="utf-8")
    return problem, backtutor.solve(problem)


def test_the_two_relu_sheet_names_one_slip_made_twice_and_carries_the_rest(two_relu, tmp_path):
    _, sol = two_relu
    student = forgot_the_two()
    assert student["dL/dout_y_hat@1"] == -14 and student["W2_1+@1"] == pytest.approx(1.084)
    sheet = write_sheet(tmp_path / "s.yaml", {k: round(v, 6) for k, v in student.items()})
    report = Checker(sol).grade(read_sheet(sheet, sol))
    v = {x.id: x for x in report.verdicts}
    assert report.first_error.id == "dL/dout_y_hat@1"
    assert v["dL/dout_y_hat@1"].slip == "missing_factor" and "factor 2" in v["dL/dout_y_hat@1"].explanation
    assert v["dL/dout_y_hat@2"].slip == "missing_factor" and v["dL/dout_y_hat@2"].again == "dL/dout_y_hat@1"
    assert [x.id for x in report.verdicts if x.status == "wrong"] == ["dL/dout_y_hat@1", "dL/dout_y_hat@2"]
    assert {x.slip for x in report.verdicts} == {"", "missing_factor"}
    right = {f"{q}@1" for q in ("net_h", "out_h", "net_y_hat", "out_y_hat", "L")}
    assert {x.id for x in report.verdicts if x.status == "right"} == right
    assert all(x.source == "dL/dout_y_hat@1" for x in report.verdicts if x.status == "carried")
    assert (report.right, report.own_errors, report.misconceptions, report.carried) == (5, 2, 1, 25)


def test_the_same_sheet_with_every_step_filled_in_gets_the_same_verdict(two_relu, tmp_path):
    _, sol = two_relu
    student = forgot_the_two()
    full = {}
    for s in sol.steps:  # the skipped steps, worked from the student's own numbers
        if s.id in student:
            full[s.id] = student[s.id]
        else:
            env = {leaf: full.get(lid, float(v)) if lid else float(v) for leaf, lid, v in s.leaves}
            full[s.id] = backtutor.engine.ops.evaluate(s.formula, env.__getitem__)
    sheet = write_sheet(tmp_path / "full.yaml", {k: round(v, 6) for k, v in full.items()})
    report = Checker(sol).grade(read_sheet(sheet, sol))
    assert [x.id for x in report.verdicts if x.status == "wrong"] == ["dL/dout_y_hat@1", "dL/dout_y_hat@2"]
    assert report.misconceptions == 1 and {x.slip for x in report.verdicts} == {"", "missing_factor"}


NOT_ANSWERS = {
    "dE_total/dw5": "'log(0-1)'",
    "dE_total/dw6": "'1/(w1-w1)'",
    "dE_total/dw7": "'(w1+w2+w3+w4+w5+w6+w7+w8)^40 + log(0-1)'",
    "dE_total/dw8": "'sigmoid(sigmoid(sigmoid(sigmoid(sigmoid(sigmoid(w1*w2+w3))))))*w4'",
}
NUMBERS = {
    "w5+": "1e400",
    "w6+": "'1e400'",
    "w7+": "0." + "0" * 399 + "1",
    "w8+": "1" * 400,
    "w1+": ".inf",
    "w2+": ".nan",
    "w3+": "-inf",
    "w4+": "1e-400",
}


def test_non_answers_are_never_right_and_every_number_gets_a_verdict(tmp_path):
    sheet = write_sheet(tmp_path / "s.yaml", {**NOT_ANSWERS, **NUMBERS})
    start = time.monotonic()
    result = runner.invoke(app, ["check", str(Q4), sheet, "-f", "json"])
    assert time.monotonic() - start < 2 * len(NOT_ANSWERS) + 5
    assert result.exit_code == 1, result.output
    doc = json.loads(result.output)
    verdicts = {v["id"]: v for v in doc["verdicts"]}
    assert set(verdicts) == set(NOT_ANSWERS) | set(NUMBERS)
    assert all(v["status"] != "right" for v in verdicts.values())
    assert "not defined" in verdicts["dE_total/dw5"]["explanation"]
    for key in ("w5+", "w6+", "w8+", "w1+", "w2+", "w3+"):
        assert "not a finite number" in verdicts[key]["explanation"]


def test_sympy_past_its_time_limit_could_not_decide_is_never_a_hang(monkeypatch, tmp_path):
    # equal to ∂E/∂w5 at every point, but SymPy expands (D² − 1)²⁰ over eight weights: minutes, gigabytes
    d = "(w1-w2+w3-w4+w5-w6+w7-w8)"
    answer = f"'(out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h1 + ({d}+1)^20*({d}-1)^20 - ({d}^2-1)^20'"
    monkeypatch.setattr(bounded, "ANSWER_SECONDS", 0.5)
    sol = backtutor.solve(Q4)
    start = time.monotonic()
    report = Checker(sol).grade(read_sheet(write_sheet(tmp_path / "s.yaml", {"dE_total/dw5": answer}), sol))
    assert time.monotonic() - start < 30  # not SymPy's minutes: the 0.5 s limit held (load aside)
    (v,) = report.verdicts
    assert v.status == "right" and "random points" in v.explanation  # the points decide, SymPy could not


def test_known_numbers_are_put_in_before_comparing(tmp_path):
    sol = backtutor.solve(PROBLEMS / "softmax_classifier.yaml")
    answers = {"dE/dw11": "'(out_c1 - target_c1)*x1'", "dE/dw22": "'(out_c2 - target_c2)*x2'"}
    report = Checker(sol).grade(read_sheet(write_sheet(tmp_path / "s.yaml", answers), sol))
    assert [v.status for v in report.verdicts] == ["right", "right"]
    wrong = {"dE/dw11": "'out_c1*x2'"}
    report = Checker(sol).grade(read_sheet(write_sheet(tmp_path / "w.yaml", wrong), sol))
    assert report.verdicts[0].status == "wrong"


LOGISTIC = """\
title: One sigmoid unit, binary cross-entropy
inputs: [x1, x2]
network:
  - activation: sigmoid
    units:
      o: {weights: [w1, w2], bias: b}
parameters: {w1: 0.3, w2: -0.2, b: 0.1}
data:
  - {x1: 1.5, x2: 0.5, target_o: 1}
loss: {kind: binary_cross_entropy, name: E}
training: {learning_rate: 0.1, mode: online, epochs: 1}
"""


def test_a_minus_t_times_x_is_right_for_sigmoid_and_binary_cross_entropy(tmp_path):
    problem = tmp_path / "logistic.yaml"
    problem.write_text(LOGISTIC, encoding="utf-8")
    sol = backtutor.solve(problem)
    answers = {
        "dE/dw1": "'(out_o - target_o)*x1'",
        "dE/db": "'out_o - target_o'",
        "dE/dw2": "'(out_o - target_o)*x1'",
    }
    v = {
        x.id: x.status
        for x in Checker(sol).grade(read_sheet(write_sheet(tmp_path / "s.yaml", answers), sol)).verdicts
    }
    assert v == {"dE/dw1": "right", "dE/db": "right", "dE/dw2": "wrong"}


@pytest.mark.parametrize("parallel_from", [200, 2])  # in this process, and on every core
def test_a_batch_mixing_good_and_broken_sheets_grades_every_good_one(tmp_path, monkeypatch, parallel_from):
    monkeypatch.setattr(batch, "PARALLEL_FROM", parallel_from)
    folder = tmp_path / "class"
    folder.mkdir()
    rounded = {"out_o1": "0.7514", "dE_total/dw5": "0.0822", "w5+": "0.3589"}
    write_sheet(folder / "a_good.yaml", rounded)
    write_sheet(folder / "b_huge.yaml", {**rounded, "w5+": "1e400"})
    write_sheet(folder / "c_nonanswer.yaml", {"dE_total/dw5": "'log(0-1)'"})
    (folder / "d_not_yaml.yaml").write_text("x: [\n", encoding="utf-8")
    write_sheet(folder / "e_unknown_id.yaml", {"dE/dw99": "0.1"})
    write_sheet(folder / "f_deep.yaml", {"dE_total/dw5": "'" + "(" * 5000 + "w1" + ")" * 5000 + "'"})
    write_sheet(folder / "g_digits.yaml", {"w5+": "1" * 400, "out_o1": "0." + "0" * 399 + "1"})
    grades = tmp_path / "grades.csv"
    result = runner.invoke(app, ["check", str(Q4), str(folder), "--csv", str(grades)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    rows = {r["sheet"].rsplit("/", 1)[-1]: r for r in csv.DictReader(io.StringIO(grades.read_text()))}
    assert {"a_good.yaml", "b_huge.yaml", "c_nonanswer.yaml", "g_digits.yaml"} <= set(rows)
    assert "d_not_yaml.yaml" not in rows and "e_unknown_id.yaml" not in rows
    assert rows["a_good.yaml"]["right"] == "3" and rows["a_good.yaml"]["own_errors"] == "0"
    assert rows["b_huge.yaml"]["own_errors"] == "1" and rows["b_huge.yaml"]["first_error"] == "w5+"
    assert rows["c_nonanswer.yaml"]["right"] == "0"
    assert {"right", "own_errors", "misconceptions", "carried"} <= set(rows["a_good.yaml"])


def test_no_output_overwrites_the_problem_or_a_sheet(tmp_path):
    problem = tmp_path / "q4.yaml"
    problem.write_text(Q4.read_text(encoding="utf-8"), encoding="utf-8")
    sheet = write_sheet(tmp_path / "s.yaml", {"out_o1": "0.7514"})
    before = (problem.read_text(), (tmp_path / "s.yaml").read_text())
    for flags in (["--csv", str(problem)], ["--csv", sheet], ["-f", "markdown", "-o", sheet]):
        result = runner.invoke(app, ["check", str(problem), sheet, *flags])
        assert result.exit_code == 2 and "refusing to overwrite" in result.output
    assert (problem.read_text(), (tmp_path / "s.yaml").read_text()) == before


def test_reports_a_student_can_read(two_relu, tmp_path):
    problem, _ = two_relu
    sheet = write_sheet(tmp_path / "s.yaml", {k: round(v, 6) for k, v in forgot_the_two().items()})
    md = runner.invoke(app, ["check", str(problem), sheet, "-f", "markdown"])
    assert md.exit_code == 1
    assert (
        "| `dL/dout_y_hat@1` | -14.0 | -28 | ✗ wrong | left out the factor 2 \\[one slip explains it\\] |"
        in md.output
    )
    assert "**Score:** 5/32 right, 2 own errors (1 distinct misconception), 25 carried forward." in md.output
    # the first error of each kind, with the correct working next to the student's number; once
    assert md.output.count("### ") == 1 and "Your number: **-14.0**" in md.output
    assert "= −2·(20 − 6)" in md.output and "= −28" in md.output
    page = tmp_path / "report.html"
    html = runner.invoke(app, ["check", str(problem), sheet, "-f", "html", "-o", str(page)])
    assert html.exit_code == 1 and page.read_text().startswith("<!DOCTYPE html>")
    assert "<strong>-14.0</strong>" in page.read_text() and "= −2·(20 − 6)" in page.read_text()
    doc = json.loads(runner.invoke(app, ["check", str(problem), sheet, "-f", "json"]).output)
    assert (doc["own_errors"], doc["misconceptions"], doc["carried"]) == (2, 1, 25)
    help_text = runner.invoke(app, ["check", "--help"]).output
    assert "terminal|json|markdown|html" in help_text and "latex" not in help_text
    assert runner.invoke(app, ["check", str(problem), sheet, "-f", "latex"]).exit_code == 2


def as_students_write(step_id: str) -> str:
    """dL/dW1_2@1 → ∂L/∂W1[2]@1, W2_1+@1 → W⁽²⁾₁⁺@1, dL/dout_y_hat@1 → ∂L/∂ŷ@1, out_h@2 → h@2."""
    base, at = step_id.split("@")
    for name, written in (("out_y_hat", "ŷ"), ("W1_1", "W1[1]"), ("W1_2", "W1[2]"), ("W2_1", "W⁽²⁾₁")):
        base = base.replace(name, written)
    base = base.replace("dL/d", "∂L/∂").replace("+", "⁺").replace("out_h", "h")
    return f"{base}@{at}"


def test_answer_ids_as_students_write_them(two_relu, tmp_path):
    _, sol = two_relu
    student = {as_students_write(k): round(v, 6) for k, v in forgot_the_two().items()}
    assert "∂L/∂ŷ@1" in student and "W1[1]⁺@1" in student and "W⁽²⁾₁⁺@2" in student
    report = Checker(sol).grade(read_sheet(write_sheet(tmp_path / "s.yaml", student), sol))
    assert [x.id for x in report.verdicts if x.status == "wrong"] == ["dL/dout_y_hat@1", "dL/dout_y_hat@2"]
    assert (report.right, report.carried) == (5, 25)
    # formulas in the student's names: ∂L/∂ŷ = −2(y − ŷ) with the problem's known y put in
    formula = {"∂L/∂ŷ@1": "'-2*(y - ŷ)'", "∂L/∂W1[1]@1": "'2*(ŷ - y)*W2[1]*x1'"}
    report = Checker(sol).grade(read_sheet(write_sheet(tmp_path / "f.yaml", formula), sol))
    assert [v.status for v in report.verdicts] == ["right", "right"]


def test_problem_files_accept_the_same_names_and_print_them_as_written(tmp_path):
    text = TWO_RELU.replace("W1_1", '"W1[1]"').replace("W1_2", '"W1[2]"').replace("W2_1", "θ1")
    problem = tmp_path / "greek.yaml"
    problem.write_text(text.replace("y_hat", "ŷ"), encoding="utf-8")
    out = runner.invoke(app, ["solve", str(problem)]).output
    assert "net_h = W1[1]·x1 + W1[2]·x2 + b_1" in out and "net_ŷ = θ1·out_h + b_2" in out
    sol = backtutor.solve(problem)
    assert {"W1[1]", "θ1"} <= set(sol.graph.params) and "dL/dθ1@1" in {s.id for s in sol.steps}
    sheet = write_sheet(tmp_path / "s.yaml", {"dL/dtheta1@1": "-168", "W1_1+@1": "1.056", "∂L/∂ŷ@1": "-28"})
    report = Checker(sol).grade(read_sheet(sheet, sol))
    assert [(v.id, v.status) for v in report.verdicts] == [
        ("dL/dout_ŷ@1", "right"),
        ("dL/dθ1@1", "right"),
        ("W1[1]+@1", "right"),
    ]


def test_only_a_later_update_worked_still_marks_from_the_students_numbers(tmp_path):
    # update 3 of q4 alone: its parameters come from updates that were not worked (not in the steps)
    sol = backtutor.solve(Q4, epochs=3, shown={3})
    net = sol.step("net_h1@3").value + 0.01  # a wrong net_h1, and out_h1 = σ(net_h1) from it
    out = 1 / (1 + math.exp(-net))
    sheet = write_sheet(tmp_path / "s.yaml", {"net_h1@3": f"{net:.6f}", "out_h1@3": f"{out:.6f}"})
    v = {x.id: x for x in Checker(sol).grade(read_sheet(sheet, sol)).verdicts}
    assert v["net_h1@3"].status == "wrong" and v["out_h1@3"].status == "carried"
