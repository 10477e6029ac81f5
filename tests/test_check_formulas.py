"""Formula answers to any gradient step, in the problem's own functions (T1, T2) and their derivatives.

The expected verdicts are derived by hand (and the right formulas checked against sympy.diff of the
loss below), not by the code under test.
"""

import math

import pytest
import sympy

import backtutor
from backtutor.check import Checker, read_sheet
from backtutor.check.quiz import QuizState, answer, start

from .conftest import PROBLEMS

# a homework that names its sigmoid T1 and its tanh T2: E = ½(t − T2(w3·T1(w1·x1 + w2·x2)))²
NAMED = """
inputs: [x1, x2]
functions: {T1: "1/(1 + exp(-x))", T2: "tanh(x)"}
expressions:
  z1: w1*x1 + w2*x2
  h: T1(z1)
  z2: w3*h
  y: T2(z2)
targets: {y: t}
parameters: {w1: 0.3, w2: -0.2, w3: 0.8}
data: [{x1: 0.5, x2: 1.0, t: 0.2}]
loss: {kind: half_sse, name: E}
training: {learning_rate: 0.5}
"""
POINT = {"w1": 0.3, "w2": -0.2, "w3": 0.8, "x1": 0.5, "x2": 1.0, "t": 0.2}


def grade(sol, answers: dict[str, str], tmp_path):
    path = tmp_path / "sheet.yaml"
    path.write_text("".join(f'"{k}": {v}\n' for k, v in answers.items()), encoding="utf-8")
    report = Checker(sol).grade(read_sheet(path, sol), str(path))
    return {v.id: v for v in report.verdicts}


@pytest.fixture(scope="module")
def named(tmp_path_factory):
    path = tmp_path_factory.mktemp("named") / "named.yaml"
    path.write_text(NAMED, encoding="utf-8")
    return backtutor.solve(path)


# by hand: ∂E/∂z2 = (y − t)·(1 − y²); ∂E/∂z1 = ∂E/∂z2·w3·h·(1 − h); ∂E/∂w1 = ∂E/∂z1·x1; ∂E/∂w3 = ∂E/∂z2·h
RIGHT = {
    "dE/dz2": "(y - t)*(1 - T2(z2)**2)",
    "dE/dh": "(y - t)*(1 - y**2)*w3",
    "dE/dz1": "(y - t)*(1 - T2(z2)**2)*w3*T1(z1)*(1 - T1(z1))",
    "dE/dw1": "(y - t)*(1 - y**2)*w3*h*(1 - h)*x1",
    "dE/dw3": "(y - t)*(1 - T2(z2)**2)*h",
}


def test_the_hand_derived_formulas_agree_with_sympy_diff():
    w1, w2, w3, x1, x2, t = symbols = sympy.symbols("w1 w2 w3 x1 x2 t")
    h = 1 / (1 + sympy.exp(-(w1 * x1 + w2 * x2)))
    y = sympy.tanh(w3 * h)
    loss = (t - y) ** 2 / 2
    at = dict(zip(symbols, POINT.values(), strict=True))
    dz2 = (y - t) * (1 - y**2)  # RIGHT's formulas, written in SymPy
    for wrt, by_hand in [(w1, dz2 * w3 * h * (1 - h) * x1), (w3, dz2 * h)]:
        assert math.isclose(float(sympy.diff(loss, wrt).subs(at)), float(by_hand.subs(at)), rel_tol=1e-12)


def test_formula_answers_to_every_gradient_step_in_the_problems_own_functions(named, tmp_path):
    v = grade(named, {k: f"'{f}'" for k, f in RIGHT.items()}, tmp_path)
    assert {k: v[k].status for k in RIGHT} == dict.fromkeys(RIGHT, "right")


def test_the_derivative_of_a_named_function_by_name(named, tmp_path):
    # T2′ = 1 − T2², T1′ = T1·(1 − T1): written by name, with either prime
    v = grade(named, {"dE/dh": '"(y - t)*T2\'(z2)*w3"', "dE/dz1": "'(y - t)*T2′(z2)*w3*T1′(z1)'"}, tmp_path)
    assert v["dE/dh"].status == "right" and v["dE/dz1"].status == "right"


def test_wrong_formulas_for_gradient_steps_are_graded_wrong(named, tmp_path):
    wrong = {
        "dE/dz2": "'(y - t)*T2(z2)'",  # T2 for T2′
        "dE/dz1": "'(y - t)*(1 - y^2)*w3*T1(z1)'",  # T1′ left out
        "dE/dw1": "'(y - t)*(1 - y^2)*w3*h*(1 - h)*x2'",  # the other input
        "dE/dh": "'(t - y)*(1 - y^2)*w3'",  # the sign
    }
    v = grade(named, wrong, tmp_path)
    assert {k: v[k].status for k in wrong} == dict.fromkeys(wrong, "wrong")
    assert v["dE/dh"].slip == "sign"


def test_a_gradient_of_an_inner_node_of_q4_is_graded(tmp_path):
    # Mazur's q4: ∂E/∂net_o1 = (out_o1 − target_o1)·out_o1·(1 − out_o1), ∂E/∂out_h1 sums both outputs
    sol = backtutor.solve(PROBLEMS / "q4.yaml")
    o1, o2 = "(out_o1 - target_o1)*out_o1*(1 - out_o1)", "(out_o2 - target_o2)*out_o2*(1 - out_o2)"
    answers = {
        "dE/dnet_o1": f"'{o1}'",
        "dE/dout_h1": f"'{o1}*w5 + {o2}*w7'",
        "dE/dnet_h1": f"'({o1}*w5 + {o2}*w7)*out_h1*(1 - out_h1)'",
        "dE_total/dout_h2": f"'{o1}*w5 + {o2}*w7'",  # w6 and w8 lead from out_h2
    }
    v = grade(sol, answers, tmp_path)
    assert [v[k].status for k in ("dE_total/dnet_o1", "dE_total/dout_h1", "dE_total/dnet_h1")] == [
        "right"
    ] * 3
    assert v["dE_total/dout_h2"].status == "wrong"


def test_the_quiz_grades_a_formula_for_a_gradient_step(named):
    quiz = start(named, [named.step("dE/dz1")])
    _, verdict = answer(quiz, QuizState(), "(y - t)*T2′(z2)*w3*T1′(z1)")
    assert verdict.status == "right"
    _, verdict = answer(quiz, QuizState(), "(y - t)*T2′(z2)*w3*T1(z1)")
    assert verdict.status == "wrong"


# ---- a sum over a batch's examples -----------------------------------------------------------------
# chain_fw: f = w3·σ(w2·σ(w1·x)), E = Σₙ (y[n] − f[n])², examples (x, y) = (1, 1), (2, 0). By hand:
# ∂E/∂w3 = Σₙ −2·(y[n] − f[n])·σ(x2[n]); ∂E/∂w2 = Σₙ −2·(y[n] − f[n])·w3·σ′(x2[n])·σ(x1[n])
DW3 = "-2*(y[n] - f[n])*sigmoid(x2[n])"
DW2 = "2*(f[n] - y[n])*w3*sigmoid(x2[n])*(1 - sigmoid(x2[n]))*sigmoid(x1[n])"


@pytest.fixture(scope="module")
def chain():
    return backtutor.solve(PROBLEMS / "chain_fw.yaml")


def test_the_hand_derived_sums_agree_with_sympy_diff():
    w1, w2, w3 = sympy.symbols("w1 w2 w3")
    at = {w1: sympy.Rational(1, 2), w2: -1, w3: 2}

    def sig(z):
        return 1 / (1 + sympy.exp(-z))

    loss = dw3 = dw2 = 0
    for x, y in [(1, 1), (2, 0)]:
        x2 = w2 * sig(w1 * x)
        f = w3 * sig(x2)
        loss += (y - f) ** 2
        dw3 += -2 * (y - f) * sig(x2)  # DW3, DW2 written in SymPy
        dw2 += 2 * (f - y) * w3 * sig(x2) * (1 - sig(x2)) * sig(w1 * x)
    for wrt, by_hand in [(w3, dw3), (w2, dw2)]:
        assert math.isclose(float(sympy.diff(loss, wrt).subs(at)), float(by_hand.subs(at)), rel_tol=1e-12)


def test_a_batch_gradient_as_a_sum_over_the_examples(chain, tmp_path):
    right = {
        "dE/dw3": f"'sum_n({DW3})'",
        "dE/dw2": f"'Σₙ({DW2})'",
        "E": "'E[1] + E[2]'",
        "dE/dw1[2]": "'-2*(y - f)*w3*sigmoid(x2)*(1 - sigmoid(x2))*w2*sigmoid(x1)*(1 - sigmoid(x1))*x'",
    }
    v = grade(chain, right, tmp_path)
    assert {k: v[k].status for k in right} == dict.fromkeys(right, "right")
    each = "'-2*(y[1] - f[1])*sigmoid(x2[1]) - 2*(y[2] - f[2])*sigmoid(x2[2])'"  # written out: the same
    v = grade(chain, {"dE/dw3": each, "E": "'Σ_n((y[n] - f[n])^2)'"}, tmp_path)
    assert v["dE/dw3"].status == "right" and v["E"].status == "right"


def test_wrong_sums_are_graded_wrong(chain, tmp_path):
    wrong = {
        "dE/dw3": "'-2*(y[1] - f[1])*sigmoid(x2[1])'",  # the first example only
        "dE/dw2": "'sum_n(2*(f[n] - y[n])*w3*sigmoid(x2[n])*sigmoid(x1[n]))'",  # σ′ left out
        "E": "'sum_n((y[n] - f[n])^2)/2'",  # E is not halved here
        "dE/dw3[1]": "'-2*(y[2] - f[2])*sigmoid(x2[2])'",  # the other example's
    }
    v = grade(chain, wrong, tmp_path)
    assert {k: v[k].status for k in wrong} == dict.fromkeys(wrong, "wrong")


def test_the_mean_of_a_batch(tmp_path):
    text = (
        (PROBLEMS / "chain_fw.yaml")
        .read_text(encoding="utf-8")
        .replace("name: E", "name: E\n  reduction: mean")
    )
    path = tmp_path / "mean.yaml"
    path.write_text(text, encoding="utf-8")
    sol = backtutor.solve(path)
    v = grade(sol, {"dE/dw3": f"'sum_n({DW3})/2'", "dE/dw2": f"'sum_n({DW2})'"}, tmp_path)
    assert v["dE/dw3"].status == "right" and v["dE/dw2"].status == "wrong"


@pytest.mark.parametrize(
    ("problem", "answer", "said"),
    [
        ("chain_fw", "-2*(y - f)*sigmoid(x2)", "y differs from example to example"),  # whose y?
        ("chain_fw", f"sum_n({DW3}) + f[3]", "the batch's examples are 1 to 2"),
        ("chain_fw", "f[n]", "f[n] is written inside sum_n"),
        ("q4", "sum_n(out_h1[n])", "this answer is not a batch's"),
    ],
)
def test_a_sum_written_wrong_is_said(problem, answer, said, tmp_path):
    sol = backtutor.solve(PROBLEMS / f"{problem}.yaml")
    step = "dE/dw3" if problem == "chain_fw" else "dE_total/dw5"
    v = grade(sol, {step: f"'{answer}'"}, tmp_path)[step]
    assert v.status == "undecided" and said in v.explanation
