"""check (issue #23): a bare integer is exact, and a number the problem gives, copied by the student,
is the exact value: neither widens the tolerance of what is worked from it.

The numbers are Mazur's ("A Step by Step Backpropagation Example", 2015) for q4: δ_o1 = 0.138498562,
δ_o2 = −0.0380982365, ∂out_h1/∂net_h1 = 0.241300709, ∂E/∂out_h1 = 0.036350306, ∂E/∂w1 = 0.000438568,
w5⁺ = 0.35891648, net_o1 = 1.105905967; relu_regression's x1 = 2 and ∂h/∂z_h = 1 are its data.
"""

import pytest

import backtutor
from backtutor.check import Checker, read_sheet

from .conftest import PROBLEMS


@pytest.fixture(scope="module")
def q4():
    return backtutor.solve(PROBLEMS / "q4.yaml")


def grade(sol, answers: dict[str, str], tmp_path):
    path = tmp_path / "sheet.yaml"
    path.write_text("".join(f'"{k}": {v}\n' for k, v in answers.items()), encoding="utf-8")
    return {v.id: v for v in Checker(sol).grade(read_sheet(path, sol), str(path)).verdicts}


@pytest.mark.parametrize(("step", "written"), [("w5+", "0"), ("net_o1", "1"), ("net_o1", "+1")])
def test_a_bare_integer_is_not_the_value_rounded_to_units(q4, tmp_path, step, written):
    assert grade(q4, {step: written}, tmp_path)[step].status == "wrong"


def test_a_bare_integer_that_is_the_value_is_right(tmp_path):
    sol = backtutor.solve(PROBLEMS / "relu_regression.yaml")
    v = grade(sol, {"dz_h/dW1@1": "2", "dh/dz_h@1": "1", "dz_h/dW2@1": "3"}, tmp_path)
    assert [v[i].status for i in ("dz_h/dW1@1", "dh/dz_h@1", "dz_h/dW2@1")] == ["right", "right", "wrong"]


# ∂E/∂out_h1 = δ_o1·w5 + δ_o2·w7 = 0.036350306 written 10 % high (0.0400), with w5 = 0.4 and w7 = 0.5
# copied as the problem gives them: read as rounded to one decimal, they would excuse ±0.007 of it.
# ∂E/∂w1 = ∂E/∂out_h1 · σ′(net_h1) · i1 = 0.000438568 written 5 % high, with i1 = 0.05 copied.
COPIED = [
    (
        {"dE_total/dnet_o1": "0.138498562", "dE_total/dnet_o2": "-0.0380982365", "dnet_o1/dout_h1": "0.4",
         "dnet_o2/dout_h1": "0.5", "dE_total/dout_h1": "0.0400"},
        "dE_total/dout_h1",
    ),
    (
        {"dE_total/dout_h1": "0.036350306", "dout_h1/dnet_h1": "0.241300709", "dnet_h1/dw1": "0.05",
         "dE_total/dw1": "0.0004605"},
        "dE_total/dw1",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("answers", "step"), COPIED)
def test_a_given_number_copied_is_exact_and_loosens_nothing(q4, tmp_path, answers, step):
    v = grade(q4, answers, tmp_path)
    assert all(x.status == "right" for i, x in v.items() if i != step), v
    assert v[step].status == "wrong", v[step]
    # the same sheet with the step right, to its written digits, is right
    right = {**answers, step: {"dE_total/dout_h1": "0.03635", "dE_total/dw1": "0.0004386"}[step]}
    assert grade(q4, right, tmp_path)[step].status == "right"


def test_a_written_input_is_not_rounded_to_a_coarser_answer_s_decimals(q4, tmp_path):
    """0.4 − 0.5 × 0.0822 = 0.3589: a student who wrote 0.0822 did not carry 0.1, so 0.3 is wrong;
    without the gradient written, 0.3 is what carrying everything at one decimal gives (0.4 − 0.05)."""
    written = grade(q4, {"dE_total/dw5": "0.0822", "w5+": "0.3"}, tmp_path)
    assert written["dE_total/dw5"].status == "right" and written["w5+"].status == "wrong"
    assert grade(q4, {"w5+": "0.3"}, tmp_path)["w5+"].status == "right"
