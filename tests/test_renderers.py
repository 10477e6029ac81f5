"""What a new user met in the renderers, each pinned: notes set as math in LaTeX, subscripts x_{1,1},
ŷ, the minus sign, the HTML width, which example an online update uses, substituted numbers that
agree with the value, the graph's input order and --update; and the terminal view at any width."""

from __future__ import annotations

import io
import json
import math
import re
import shutil
import subprocess

import pytest
from rich.console import Console
from typer.testing import CliRunner

import backtutor
from backtutor.cli.app import app
from backtutor.engine.expr import Num, Sym
from backtutor.engine.formula import latex, mathml, text
from backtutor.render.documents import dot, html, markdown
from backtutor.render.documents import json as json_doc
from backtutor.render.documents import latex as latex_doc
from backtutor.render.terminal import solution as terminal
from backtutor.solution import Solution

from .conftest import PROBLEMS

runner = CliRunner()
SATURATED = """
title: a saturated sigmoid
inputs: [x]
expressions:
  y_hat: sigmoid(w*x)
parameters: {w: 16}
data: [{x: 1, y: 1}]
targets: {y_hat: y}
loss: {kind: half_sse, name: E}
training: {learning_rate: 0.5}
"""


def solved(name: str, **options: object) -> Solution:
    return backtutor.solve(PROBLEMS / f"{name}.yaml", **options)


def terminal_text(sol: Solution, width: int = 80, precision: int = 9) -> str:
    console = Console(file=io.StringIO(), width=width, highlight=False, color_system=None)
    console.print(terminal.render(sol, precision))
    return console.file.getvalue()  # type: ignore[attr-defined]


# ---- notation ----------------------------------------------------------------------------------
def test_latex_rule_notes_set_superscripts_and_subscripts_as_math():
    doc = latex_doc.render(solved("softmax_classifier"))
    assert r"\mathrm{softmax}_{k}" in doc and r"\delta_{k j}" in doc and r"softmax\_k" not in doc
    doc = latex_doc.render(solved("q4"))
    assert r"$e^{- x}$" in doc and r"\^{}" not in doc
    assert "e<sup>−x</sup>" in html.render(solved("q4")) and "softmax<sub>k</sub>" in html.render(
        solved("softmax_classifier")
    )


def test_names_of_several_parts_have_comma_subscripts():
    assert latex(Sym("x_1_1")) == "x_{1,1}" and latex(Sym("k_2_1")) == "k_{2,1}"
    sub = '<mrow><mn>1</mn><mo separator="true">,</mo><mn>1</mn></mrow>'
    assert mathml(Sym("x_1_1")) == f"<msub><mi>x</mi>{sub}</msub>"
    doc = latex_doc.render(solved("conv_relu_pool_dense"))
    assert "x_{1,1}" in doc and r"1\_1" not in doc and "x_{1_1}" not in doc
    assert latex(Sym("E_total")) == r"E_{\mathrm{total}}" and latex(Sym("w5")) == "w_{5}"


def test_names_ending_in_hat_wear_a_hat():
    assert latex(Sym("y_hat")) == r"\hat{y}" and text(Sym("y_hat")) == "ŷ"
    assert mathml(Sym("y_hat")) == "<mi>ŷ</mi>"
    assert latex(Sym("z_y_hat")) == r"z_{\hat{y}}" and text(Sym("z_y_hat")) == "z_ŷ"
    assert text(Sym("y_hat", example=2)) == "ŷ[2]"
    doc = markdown.render(solved("conv_relu_pool_dense"))
    assert r"\hat{y}" in doc and "y_{\\mathrm{hat}}" not in doc


def test_the_after_training_line_uses_the_minus_sign():
    out = terminal_text(solved("q4", epochs=30))
    line = out[out.index("After training") : out.index("Working not shown")]
    assert "w5 = −0.78461446" in line.replace("\n", "")
    assert not re.search(r"-\d", line)


# ---- HTML --------------------------------------------------------------------------------------
def test_html_uses_the_window_and_wraps_long_formulas():
    doc = html.render(solved("conv_relu_pool_dense"))
    style = doc.split("<style>")[1].split("</style>")[0]
    width = re.search(r"body \{[^}]*max-width: min\((\d+)rem", style)
    assert width and int(width.group(1)) >= 75  # a 1200 px window is used, not 630 px of it
    assert "nowrap" not in style
    lines = [line for line in doc.split("<div") if line.startswith(' class="line">')]
    assert any(line.count("<math") > 3 for line in lines), "a long formula is set as pieces that wrap"
    assert all(line.count("<math") == 1 for line in lines if len(re.sub("<[^>]*>", "", line)) < 30)


# ---- which example an online update uses -------------------------------------------------------
def test_an_online_update_says_which_example_it_uses():
    sol = solved("relu_regression")
    assert "## Update 2 of 2 (example 2: x1 = 3, x2 = 4)" in markdown.render(sol)
    assert "Update 1 of 2 (example 1: x1 = 2, x2 = 2)" in terminal_text(sol, 100)
    assert r"\section*{Update 2 of 2 (example 2: x1 = 3, x2 = 4)}" in latex_doc.render(sol)


def test_a_minibatch_section_names_its_data_row(write_problem):
    path = write_problem(
        "inputs: [x]\nexpressions:\n  f: w*x\nparameters: {w: 2}\n"
        "data: [{x: 1, y: 1}, {x: 2, y: 1}, {x: 3, y: 0}, {x: 4, y: 1}]\ntargets: {f: y}\n"
        "loss: {kind: sse, name: L}\ntraining: {learning_rate: 0.01, mode: minibatch, batch_size: 2}\n"
    )
    doc = markdown.render(backtutor.solve(path))
    assert "### Forward pass, example 1 (data example 3)" in doc
    assert "### Forward pass, example 2 (data example 2)" not in doc


# ---- substituted numbers agree with the value ----------------------------------------------------
def _evaluate(written: str) -> float:
    """A substituted product written as text (0.9999999 × (1 − 0.9999999) × 1), worked in Python."""
    code = written.replace("×", "*").replace("·", "*").replace("−", "-")
    code = re.sub(r"(\d)e-(\d)", r"\1e-\2", code)
    assert re.fullmatch(r"[\d.e*+\-() ]+", code), code
    return float(eval(code))  # our own output, digits and operators only


@pytest.mark.parametrize("precision", [2, 3, 4, 6, 9])
def test_substituted_numbers_never_contradict_the_value(write_problem, precision):
    sol = backtutor.solve(write_problem(SATURATED))
    out = terminal_text(sol, 200, precision)
    assert "(1 − 1)" not in out
    step = sol.step("dy_hat/dw")
    line = next(x for x in out.splitlines() if x.strip().startswith("dy_hat/dw"))
    _, _, substituted, value = line.split(" = ")
    assert math.isclose(_evaluate(substituted), step.value, rel_tol=0.1)
    assert value.strip() == text(Num(step.value), precision)
    forward = next(x for x in out.splitlines() if x.strip().startswith("y_hat"))
    assert not forward.rstrip().endswith("= 1"), "0.99999989 is not exactly 1"


def test_float_noise_still_prints_a_whole_number():
    out = terminal_text(solved("micrograd_neuron"))
    assert "0.9999999999" not in out and "1 × 1 × 2 = 1" in out.replace("\n", " ").replace("  ", " ")


# ---- the terminal at any width -------------------------------------------------------------------
@pytest.mark.parametrize("width", [40, 60, 120])
@pytest.mark.parametrize("name", ["q4", "conv_relu_pool_dense", "softmax_classifier"])
def test_no_number_is_cut_at_any_width(name, width):
    sol = solved(name, epochs=30) if name == "q4" else solved(name)
    out = terminal_text(sol, width)
    assert "…" not in out
    assert max(len(line) for line in out.splitlines()) <= width
    tokens = set(re.findall(r"[−\d.e+]+", out))
    for s in sol.steps:
        assert text(Num(s.value)).lstrip("−") in {t.lstrip("−") for t in tokens}, s.id
    if len(sol.history) > 2:  # the loss-per-epoch table
        assert text(Num(sol.history[-1].loss), 6) in tokens


def test_narrow_piped_output_changes_layout_instead_of_cutting():
    done = subprocess.run(
        ["python", "-m", "backtutor", "solve", str(PROBLEMS / "q4.yaml"), "--epochs", "30"],
        capture_output=True,
        text=True,
        env={"COLUMNS": "40", "PATH": "/usr/bin:/bin", **_python_env()},
    )
    assert done.returncode == 0, done.stderr
    assert "…" not in done.stdout and "0.0991265" in done.stdout


def _python_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k.startswith(("PYTHON", "HOME", "VIRTUAL_ENV", "PATH"))}


# ---- JSON ------------------------------------------------------------------------------------------
def test_json_is_compact_and_has_every_step():
    sol = solved("q4")
    out = json_doc.render(sol)
    assert out.count("\n") == 1 and out.endswith("}\n")  # no indent: the C encoder
    assert [s["id"] for s in json.loads(out)["steps"]] == [s.id for s in sol.steps]


# ---- the graph -----------------------------------------------------------------------------------
def test_graph_keeps_the_declared_input_order():
    sol = solved("softmax_classifier", shown=[1])
    out = dot.render(sol)
    inputs = " -> ".join(f'"{n}"' for n in sol.problem.inputs)
    assert f"{inputs} [style=invis]" in out and "rank=same" in out


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed (Debian: graphviz)")
@pytest.mark.parametrize("name", ["softmax_classifier", "relu_regression", "q4"])
def test_graphviz_draws_the_inputs_in_declared_order(name):
    sol = solved(name, shown=[1])
    plain = subprocess.run(["dot", "-Tplain"], input=dot.render(sol), capture_output=True, text=True).stdout
    rows = [line.split() for line in plain.splitlines()]
    y = {p[1].strip('"'): float(p[3]) for p in rows if p[0] == "node"}
    heights = [y[n] for n in sol.problem.inputs]
    assert heights == sorted(heights, reverse=True), heights  # top to bottom, as declared


def test_graph_update_draws_a_later_update_and_refuses_a_missing_one():
    path = str(PROBLEMS / "relu_regression.yaml")
    result = runner.invoke(app, ["graph", path, "--update", "2"])
    assert result.exit_code == 0, result.output
    assert 'label="values and gradients (update 2, example 2)"' in result.output
    sol = solved("relu_regression", shown=[2])
    assert 'label="x1\\ninput\\nvalue 3"' in result.output  # example 2: x1 = 3
    gradient = text(Num(sol.gradients(2)["W1"]), 4)
    assert f"grad {gradient}" in result.output
    result = runner.invoke(app, ["graph", path, "--update", "3"])
    assert result.exit_code == 2 and "update 3 does not exist (this run has 2)" in result.output


def test_graph_update_in_a_later_epoch(tmp_path):
    source = (PROBLEMS / "q4.yaml").read_text(encoding="utf-8").replace("epochs: 1", "epochs: 3")
    path = tmp_path / "q4.yaml"
    path.write_text(source, encoding="utf-8")
    result = runner.invoke(app, ["graph", str(path), "--update", "3"])
    assert result.exit_code == 0, result.output
    later = backtutor.solve(path, shown=[3])
    assert f"value {text(Num(later.values(3)['w5']), 4)}" in result.output
    assert runner.invoke(app, ["graph", str(path), "--update", "4"]).exit_code == 2


@pytest.mark.parametrize("width", [40, 120])
def test_a_check_report_shows_every_answer_whole_at_any_width(width, tmp_path):
    from backtutor.check import Checker, read_sheet
    from backtutor.render.terminal.report import render_report

    sol = solved("q4")
    sheet = tmp_path / "sheet.yaml"
    answers = {"net_h1": "0.3775", "dE_total/dw5": "-0.0822", "w5+": "0.35891648"}
    sheet.write_text("".join(f'"{k}": {v}\n' for k, v in answers.items()), encoding="utf-8")
    report = Checker(sol).grade(read_sheet(sheet, sol), "sheet.yaml")
    console = Console(file=io.StringIO(), width=width, record=True)
    console.print(render_report(report))
    out = console.export_text()
    words = out.split()
    for step_id, answer in answers.items():
        assert step_id in words and answer in words  # never cut with "…"
    assert "…" not in out
    assert "0.0821670406):" in words  # the expected value of the wrong answer (sign error)
    assert "sign" in words and out.count("✓") == 2
