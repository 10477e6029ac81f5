"""`backtutor diff` (issue #13): one formula from the command line, worked by the chain rule.

Oracles: the f_w homework's gradients derived by hand below as SymPy expressions (σ′ written from
its definition, e^(−u)/(1 + e^(−u))², not from the op table), central finite differences of the
formula computed here with `math`, and the intermediates computed here by hand."""

from __future__ import annotations

import json
import math
import re
import shlex
import subprocess
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from backtutor.cli.app import app
from backtutor.engine.expr import names
from backtutor.engine.parse import ParseError, parse
from backtutor.engine.sympy_form import to_sympy
from backtutor.solution.derive import derive

from .conftest import ROOT
from .oracle import finite_difference, value_at
from .oracle import to_sympy as oracle_sympy
from .test_documents import _pdflatex
from .test_fuzz import FORMULAS, FUZZ, _invoke

runner = CliRunner()
F_W = "w3*sigmoid(w2*sigmoid(w1*x))"
POINT = {"w1": 0.5, "w2": -1.0, "w3": 2.0, "x": 1.0}
AT = "w1=0.5,w2=-1,w3=2,x=1"


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def _f_w(v: dict[str, float]) -> float:
    return v["w3"] * _sigmoid(v["w2"] * _sigmoid(v["w1"] * v["x"]))


def _hand_derived() -> dict[str, sp.Expr]:
    """∂f/∂w3, ∂f/∂w2, ∂f/∂w1 of f = w3·σ(w2·σ(w1·x)), by the chain rule on paper."""
    w1, w2, w3, x = sp.symbols("w1 w2 w3 x")

    def sigma(u: sp.Expr) -> sp.Expr:
        return 1 / (1 + sp.exp(-u))

    def sigma_prime(u: sp.Expr) -> sp.Expr:
        return sp.exp(-u) / (1 + sp.exp(-u)) ** 2

    h1 = sigma(w1 * x)
    h2 = sigma(w2 * h1)
    return {
        "w3": h2,
        "w2": w3 * sigma_prime(w2 * h1) * h1,
        "w1": w3 * sigma_prime(w2 * h1) * w2 * sigma_prime(w1 * x) * x,
    }


def test_the_closed_forms_of_f_w_are_the_hand_derived_ones():
    sol = derive(F_W, ["w3", "w2", "w1"])
    hand = _hand_derived()
    for w, expected in hand.items():
        closed = sol.step(f"df/d{w}").closed_form
        assert closed is not None, w
        assert sp.simplify(to_sympy(closed, sol.graph) - expected) == 0, w


def test_the_closed_forms_are_in_the_formulas_own_variables_and_simplify_to_the_textbook_form():
    from backtutor.engine.sympy_form import to_sympy as plain_sympy
    from backtutor.solution.gradient_forms import closed_forms

    sol = derive(F_W, ["w1"])
    closed = sol.step("df/dw1").closed_form
    assert closed is not None and set(names(closed)) == {"w1", "w2", "w3", "x"}  # no u1, h1, …
    w, x = sp.symbols("w x")
    softplus = derive("log(1 + exp(w*x))", ["w"])
    (form,) = closed_forms(softplus, simplify=True).forms
    assert form.simplified is not None and set(names(form.simplified)) == {"w", "x"}
    by_hand = x * sp.exp(w * x) / (1 + sp.exp(w * x))  # d/dw log(1 + e^(wx))
    assert sp.simplify(plain_sympy(form.simplified, softplus.graph) - by_hand) == 0


def test_the_intermediates_are_named_in_working_order():
    sol = derive(F_W, ["w1"])
    forward = [(s.id, str(s.formula)) for s in sol.steps if s.phase == "forward"]
    assert [i for i, _ in forward] == ["u1", "h1", "u2", "h2", "f"]
    backward = [s.id for s in sol.steps if s.phase == "backward"]
    assert backward[0] == "df/dh2" and backward[-1] == "df/dw1"
    assert {"dh2/du2", "df/du2", "du2/dh1", "dh1/du1", "df/du1", "du1/dw1"} <= set(backward)


def test_the_numbers_at_a_point_are_the_formulas_own():
    sol = derive(F_W, ["w1", "w2", "w3"], {k: Fraction(v) for k, v in POINT.items()})
    u1 = POINT["w1"] * POINT["x"]
    h1 = _sigmoid(u1)
    u2 = POINT["w2"] * h1
    h2 = _sigmoid(u2)
    for step_id, value in {"u1": u1, "h1": h1, "u2": u2, "h2": h2, "f": POINT["w3"] * h2}.items():
        assert sol.step(step_id).value == pytest.approx(value, rel=1e-12)
    order = list(POINT)
    x = [POINT[k] for k in order]
    for w in ("w1", "w2", "w3"):
        fd = finite_difference(lambda v: _f_w(dict(zip(order, v, strict=True))), x, order.index(w))
        assert sol.step(f"df/d{w}").value == pytest.approx(fd, rel=1e-7, abs=1e-10)
    # every chain-rule product shows its numbers: ∂f/∂u1 = ∂f/∂h2·∂h2/∂u2·∂u2/∂h1·∂h1/∂u1
    product = sol.step("df/du1")
    assert product.substitution is not None
    assert product.value == pytest.approx(POINT["w3"] * h2 * (1 - h2) * POINT["w2"] * h1 * (1 - h1))


def test_several_variables_comma_separated_or_repeated():
    one = runner.invoke(app, ["diff", F_W, "--wrt", "w1,w3", "--at", AT, "-f", "json"])
    two = runner.invoke(app, ["diff", F_W, "--wrt", "w1", "--wrt", "w3", "--at", AT, "-f", "json"])
    assert one.exit_code == two.exit_code == 0, one.output + two.output
    assert one.output == two.output
    steps = {s["id"]: s for s in json.loads(one.output)["steps"]}
    assert "df/dw1" in steps and "df/dw3" in steps and "df/dw2" not in steps
    assert steps["df/dw3"]["value"] == pytest.approx(_sigmoid(-_sigmoid(0.5)))


def test_without_a_point_no_number_is_shown():
    out = runner.invoke(app, ["diff", F_W, "--wrt", "w1", "-f", "json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    assert all(s["value"] is None and s["substitution"] is None for s in doc["steps"])
    assert doc["parameters"] == {"w1": None}
    for fmt in ("terminal", "markdown", "latex", "html"):
        text = runner.invoke(app, ["diff", F_W, "--wrt", "w1", "-f", fmt]).output
        text = re.sub(r"<style>.*?</style>", "", text.replace(r"\\[1.2ex]", ""), flags=re.S)  # layout
        assert not re.search(r"\d\.\d", text), fmt  # no computed number (the trial point stays hidden)
        assert "in its two forms" in text, fmt  # how σ′ = e^(−u)/(1 + e^(−u))² becomes σ(u)·(1 − σ(u))


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "latex", "html", "json"])
@pytest.mark.parametrize("point", [[], ["--at", AT]], ids=["symbolic", "at"])
def test_every_format_writes_a_file(fmt, point, tmp_path):
    path = tmp_path / f"out.{fmt}"
    out = runner.invoke(app, ["diff", F_W, "--wrt", "w1,w2", *point, "-f", fmt, "-o", str(path)])
    assert out.exit_code == 0, out.output
    written = path.read_text(encoding="utf-8")
    assert "w1" in written or "w_{1}" in written
    if point and fmt != "json":
        assert "0.622459331" in written  # h1 = σ(0.5), at the default 9 digits


@pytest.mark.parametrize("point", [[], ["--at", AT]], ids=["symbolic", "at"])
def test_the_latex_compiles(point, tmp_path):
    exe = _pdflatex()
    tex = tmp_path / "diff.tex"
    out = runner.invoke(app, ["diff", F_W, "--wrt", "w1,w2,w3", *point, "-f", "latex", "-o", str(tex)])
    assert out.exit_code == 0, out.output
    done = subprocess.run(
        [exe, "-interaction=nonstopmode", "-halt-on-error", tex.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([F_W[:-1], "--wrt", "w1"], "FORMULA: expected ')'"),
        (["", "--wrt", "w1"], "FORMULA: empty formula"),
        ([F_W], "--wrt: give the variable"),
        ([F_W, "--wrt", "w4"], "--wrt: 'w4' is not a variable of the formula (w3, w2, w1, x)"),
        (["2*3", "--wrt", "x"], "--wrt: 'x' is not in the formula"),
        ([F_W, "--wrt", "w1", "--at", "w1=0.5,w2=-1"], "--at: no value for w3, x"),
        ([F_W, "--wrt", "w1", "--at", AT + ",z=1"], "--at: 'z' is not a variable"),
        ([F_W, "--wrt", "w1", "--at", "w1=half,w2=-1,w3=2,x=1"], "--at: the value of w1 is not a number"),
        ([F_W, "--wrt", "w1", "--at", "w1=1e999,w2=-1,w3=2,x=1"], "--at: the value of w1 is not a number"),
        ([F_W, "--wrt", "w1", "--at", "w1"], "--at: cannot read 'w1'"),
        ([F_W, "--wrt", "w1", "--at", AT + ",x=2"], "--at: x is given twice"),
        (["log(x)", "--wrt", "x", "--at", "x=0"], "--at: "),
        (["log(x - 100)", "--wrt", "x"], "FORMULA: the working needs one point"),
    ],
)
def test_errors_name_the_argument(args, message):
    out = runner.invoke(app, ["diff", *args])
    assert out.exit_code == 2, out.output
    assert f"error: {message}" in out.output
    assert "Traceback" not in out.output and out.output.count("\n") == 1


@pytest.mark.parametrize(
    "formula",
    [
        "exp(-w*x)/(1 + exp(-w*x))",  # a part used twice: one intermediate, a fork
        "tanh(w*x + b)^2 - sqrt(w^2 + x^2)",
        "max(w*x, b) * log(1 + w^2) / (b - 3)",
        "sigmoid(w*sigmoid(b*x))*sigmoid(b*x) + abs(w - b)",
    ],
)
def test_every_gradient_is_sympy_diff_of_the_whole_formula(formula):
    """The formula as one SymPy expression (the oracle's own op definitions), differentiated."""
    point = {"w": Fraction(7, 10), "x": Fraction(13, 10), "b": Fraction(-2, 5)}
    symbols = {v: sp.Symbol(v) for v in point}
    whole = oracle_sympy(parse(formula), symbols.__getitem__)
    used = [v for v in point if sp.Symbol(v) in whole.free_symbols]
    sol = derive(formula, used, {v: point[v] for v in used})
    at = {symbols[v]: sp.Rational(point[v].numerator, point[v].denominator) for v in used}
    assert sol.step(sol.graph.loss).value == pytest.approx(value_at(whole, at), rel=1e-12)
    for v in used:
        expected = value_at(sp.diff(whole, symbols[v]), at)
        assert sol.step(f"df/d{v}").value == pytest.approx(expected, rel=1e-10, abs=1e-14), v


def test_a_single_variable_and_a_name_the_formula_already_uses():
    sol = derive("x", ["x"], {"x": Fraction(3)})
    assert sol.step("df/dx").value == 1
    sol = derive("f*u1 + h1", ["f", "h1"], {"f": Fraction(2), "u1": Fraction(5), "h1": Fraction(7)})
    assert sol.graph.loss == "f_1"
    assert sol.step("df_1/df").value == 5 and sol.step("df_1/dh1").value == 1


def test_a_repeated_part_is_one_intermediate_with_a_fork():
    """f = σ(x)·(1 − σ(x)): h1 = σ(x) is used twice, so ∂f/∂h1 sums two paths; ∂f/∂x = σ′·(1 − 2σ)."""
    sol = derive("sigmoid(x)*(1 - sigmoid(x))", ["x"], {"x": Fraction(3, 10)})
    assert [s.id for s in sol.steps if s.phase == "forward"] == ["h1", "u1", "f"]
    s = _sigmoid(0.3)
    assert sol.step("df/dx").value == pytest.approx(s * (1 - s) * (1 - 2 * s), rel=1e-12)


def _arguments(formula: str, numbers: bool) -> list[str]:
    """--wrt the formula's first variable (x when it has none or does not parse), and with `numbers`
    --at a value for each of its variables."""
    try:
        variables = names(parse(formula))
    except ParseError:
        variables = []
    wrt = ["--wrt", variables[0] if variables else "x"]
    if not numbers or not variables:
        return wrt
    return [*wrt, "--at", ",".join(f"{v}={0.3 + i / 7:.4f}" for i, v in enumerate(variables))]


@FUZZ
@given(formula=FORMULAS, numbers=st.booleans())
def test_formulas_never_crash_diff(formula, numbers):
    _invoke(["diff", *_arguments(formula, numbers), "-f", "json", "--", formula])


def test_the_diff_pages_examples_run(tmp_path, monkeypatch):
    page = (ROOT / "docs" / "tutorial" / "diff.md").read_text(encoding="utf-8")
    commands = re.findall(r"^\$ backtutor (diff .*?)(?:\s+#.*)?$", page, re.M)
    assert len(commands) >= 3
    monkeypatch.chdir(tmp_path)  # where -o writes
    for command in commands:
        out = runner.invoke(app, shlex.split(command))
        assert out.exit_code == 0, (command, out.output)
