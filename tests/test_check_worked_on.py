"""check (issue #23): what the student worked on with. A number written with two digits swapped may
have been carried on as meant; a right number may come from two slips that undo each other; a wrong
out carries into σ′ = out·(1 − out) with the rounding of the out. Every number below is worked by hand
here (q4: Mazur 2015; schiendorfer_matrix: W1 = [[6, −2], [−3, 5]], W2 = [[1, 0.25], [−2, 2]],
x = [3, 1], t = [1, 0], E = Σ(t − o)²), not by the code under test.
"""

import math

import pytest

import backtutor
from backtutor.check import Checker, read_sheet
from backtutor.check.pen import transposed

from .conftest import PROBLEMS
from .student_model import load
from .student_sheets import work
from .student_slips import Slip, _factor_two, _no_eta, _plus, _w_for_wt


def σ(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def grade(problem: str, answers: dict[str, str], tmp_path):
    sol = backtutor.solve(PROBLEMS / problem)
    path = tmp_path / "sheet.yaml"
    path.write_text("".join(f'"{k}": {v}\n' for k, v in answers.items()), encoding="utf-8")
    report = Checker(sol).grade(read_sheet(path, sol), str(path))
    return report, {v.id: v for v in report.verdicts}


@pytest.mark.parametrize(
    ("written", "value", "decimals", "slack", "meant"),
    [
        (0.3952, 0.3925, 4, 0.0, "0.3925"),
        (30.34, 33.04, 2, 0.0, "33.04"),  # across the decimal point
        (-0.100, -1.0, 3, 0.0, "-1.000"),
        (0.5264, 0.56246, 4, 0.0, None),  # 0.56246 is 0.5625: not 0.5624's digits swapped …
        (0.5264, 0.56246, 4, 2e-5, "0.5624"),  # … unless the rounding of its inputs moves it that far
        (0.5264, 0.5264 + 0.01, 4, 0.0, None),
    ],
)
def test_the_number_meant_by_two_digits_swapped(written, value, decimals, slack, meant):
    assert transposed(written, value, decimals, slack) == meant


def test_a_number_written_with_digits_swapped_and_worked_on_as_meant(tmp_path):
    """q4: out_o1 = 0.77 (wrong: Mazur's is 0.75136507), so ∂E/∂out_o1 = −(0.01 − 0.77) = 0.76, written
    0.67 but worked on as 0.76: ∂E/∂net_o1 = 0.76 · 0.77 · 0.23 = 0.1346, carried from out_o1."""
    answers = {"out_o1": "0.77", "dE_total/dout_o1": "0.67", "dE_total/dnet_o1": "0.1346"}
    report, v = grade("q4.yaml", answers, tmp_path)
    assert v["dE_total/dout_o1"].slip == "transposed" and "0.76" in v["dE_total/dout_o1"].explanation
    assert (v["dE_total/dnet_o1"].status, v["dE_total/dnet_o1"].source) == ("carried", "out_o1")
    assert report.misconceptions == 2
    # worked on as written (0.67 · 0.1771 = 0.1187): carried too
    report, v = grade("q4.yaml", {**answers, "dE_total/dnet_o1": "0.1187"}, tmp_path)
    assert v["dE_total/dnet_o1"].status == "carried" and report.misconceptions == 2


def test_a_right_number_two_slips_give_names_the_second(tmp_path):
    """q4: ∂E/∂w5 = 0.082167041 (Mazur) written −0.0822 (sign), then w5⁺ = 0.4 + 0.5 · (−0.0822) =
    0.3589: Mazur's right w5⁺ (0.4 − 0.5 · 0.0822), by + for − on the student's own gradient."""
    report, v = grade("q4.yaml", {"dE_total/dw5": "-0.0822", "w5+": "0.3589"}, tmp_path)
    assert (v["w5+"].status, v["w5+"].slip) == ("right", "plus_update")
    assert "two slips undo each other" in v["w5+"].explanation
    assert report.right == 1 and report.misconceptions == 2
    # the same right number after a right gradient: right, nothing named
    _, v = grade("q4.yaml", {"dE_total/dw5": "0.0822", "w5+": "0.3589"}, tmp_path)
    assert (v["w5+"].status, v["w5+"].slip, v["w5+"].explanation) == ("right", "", "")


def test_a_wrong_out_carries_into_its_derivative_with_its_rounding(tmp_path):
    """net for out in a_2_2: a_2_2 = z_2_2 = −2σ(16) + 2σ(−4), ∂E/∂a_2_2 = −2(0 − a_2_2), and σ′ from
    the student's own out, a_2_2(1 − a_2_2): ∂E/∂z_2_2 carried, within the rounding of a_2_2."""
    z = -2 * σ(16) + 2 * σ(-4)
    d = -2 * (0 - z) * z * (1 - z)
    answers = {"z_2_2": f"{z:.4f}", "a_2_2": f"{z:.4f}", "dE/dz_2_2": f"{d:.4f}"}
    report, v = grade("schiendorfer_matrix.yaml", answers, tmp_path)
    assert v["a_2_2"].slip == "net_for_out"
    assert (v["dE/dz_2_2"].status, v["dE/dz_2_2"].source) == ("carried", "a_2_2")
    assert report.misconceptions == 1


def test_w_for_wt_in_a_later_update_reads_the_students_own_weights(tmp_path):
    """q4_momentum worked by the independent student model (tests/student_model.py): η left out of
    w5⁺ in update 2, then W for Wᵀ in the hidden ∂E/∂out of update 3, which reads the weights the
    student has then (their own w5⁺ and w6⁺ of update 2), not the correct ones."""
    plan = load(PROBLEMS / "q4_momentum.yaml")
    at = plan.index()
    slips = [
        Slip("missing_lr", {"w5+@2": _no_eta(at["w5+@2"], at["w5+@2"].rule)}),
        Slip(
            "W_for_WT",
            {
                w.id: _w_for_wt(plan, w, w.rule)
                for w in plan.steps
                if w.tag == "hidden_slope" and w.info["t"] == 3
            },
        ),
    ]
    written = {w.id for w in plan.steps if w.tag == "param" and w.info["t"] < 3} | {"dE_total/dw1@3"}
    texts, _ = work(plan, slips, written, "sig4", "full")
    report, v = grade("q4_momentum.yaml", texts, tmp_path)
    assert v["w5+@2"].slip == "missing_factor"
    assert v["dE_total/dw1@3"].slip == "W_for_WT"
    assert report.misconceptions == 2


def test_a_slip_in_skipped_working_under_a_saturated_sigmoid_allows_for_the_nets_rounding(tmp_path):
    """schiendorfer_matrix, the sign of ∂E/∂a_2_2 lost in skipped working: a_1_1 = σ(16) is 1.000 to
    4 figures, so σ′(z_1_1) comes from the net (1.125e-7), and ∂E/∂W1_1j = δ_1_1·x_j with δ_1_1 =
    (δ_2_1·1 + δ_2_2·(−2))·σ′(16) moves with the rounding of every written number under it."""
    a11, a12 = σ(16), σ(-4)
    z21, z22 = a11 + 0.25 * a12, -2 * a11 + 2 * a12
    a21, a22 = σ(z21), σ(z22)
    d21 = -2 * (1 - a21) * a21 * (1 - a21)
    d22 = 2 * (0 - a22) * a22 * (1 - a22)  # −2(0 − a_2_2) with its sign lost
    d11 = (d21 * 1 + d22 * -2) * a11 * (1 - a11)
    d12 = (d21 * 0.25 + d22 * 2) * a12 * (1 - a12)
    numbers = {"z_1_1": 16.0, "a_1_1": a11, "a_1_2": a12, "z_2_1": z21, "z_2_2": z22, "a_2_1": a21}
    numbers |= {"a_2_2": a22, "E": (1 - a21) ** 2 + a22**2, "dE/dz_2_1": d21}
    numbers |= {"dE/dW2_11": d21 * a11, "dE/dW2_12": d21 * a12}
    numbers |= {"dE/dW2_21": d22 * a11, "dE/dW2_22": d22 * a12}
    numbers |= {"dE/dW1_11": 3 * d11, "dE/dW1_12": 1 * d11, "dE/dW1_21": 3 * d12, "dE/dW1_22": 1 * d12}
    report, v = grade("schiendorfer_matrix.yaml", {k: f"{x:#.4g}" for k, x in numbers.items()}, tmp_path)
    assert v["dE/dW2_21"].slip == "sign"
    assert v["dE/dW1_11"].slip == v["dE/dW1_12"].slip == "sign"
    assert report.misconceptions == 1


def test_two_answers_that_look_swapped_in_turn_are_one_swap_worked_on_as_meant(tmp_path):
    """relu_regression worked by the student model: + for − in W1⁺ of update 1 carries into z_h of
    update 2, which is written with its first two digits swapped but worked on as meant; h = ReLU(z_h)
    then looks like z_h's digits swapped back. Read as meant, one swap: h and all after it carried."""
    plan = load(PROBLEMS / "relu_regression.yaml")
    at = plan.index()

    def swap(text: str) -> str:
        digits = text.replace(".", "")
        swapped = digits[1] + digits[0] + digits[2:]
        return f"{swapped[: text.index('.')]}.{swapped[text.index('.') :]}"

    slips = [
        Slip("plus_update", {"W1+@1": _plus(at["W1+@1"], at["W1+@1"].rule)}),
        Slip("transposed", {}, {"z_h@2": swap}),
    ]
    written = {w.id for w in plan.steps if w.info.get("t", 1) == 2 or w.id == "W1+@1"}
    texts, _ = work(plan, slips, written, "sig4", "full")
    assert texts["h@2"] == swap(texts["z_h@2"])
    report, v = grade("relu_regression.yaml", texts, tmp_path)
    assert "plus_update" in v["W1+@1"].candidates and v["z_h@2"].slip == "transposed"
    assert all(
        v[i].status == "carried" for i in texts if i not in ("W1+@1", "z_h@2") and v[i].status != "right"
    )
    assert report.misconceptions == 2


def test_sigma_prime_from_a_wrong_out_and_from_the_net_under_a_right_one(tmp_path):
    """net for out in a_2_2 (the student's own −1.9640), a_1_2 = σ(−4) written right as 0.0180: the
    student works σ′ of layer 2 from their out and of layer 1 from their full-precision a_1_2, so
    ∂E/∂W1_21 = 3·δ_1_2, δ_1_2 = (0.25·δ_2_1 + 2·δ_2_2)·σ′(−4), is carried from a_2_2; neither σ′
    from every written out (0.0180·0.9820 is 0.07 % off) nor from every net gives it."""
    a11, a12 = σ(16), σ(-4)
    z21, z22 = a11 + 0.25 * a12, -2 * a11 + 2 * a12
    a21 = σ(z21)
    d21 = -2 * (1 - a21) * a21 * (1 - a21)
    d22 = -2 * (0 - z22) * z22 * (1 - z22)  # a_2_2 = z_2_2, σ′ = a_2_2·(1 − a_2_2)
    d12 = (0.25 * d21 + 2 * d22) * a12 * (1 - a12)
    numbers = {"a_1_2": a12, "z_2_2": z22, "a_2_2": z22, "dE/dW1_21": 3 * d12, "dE/dW1_22": 1 * d12}
    report, v = grade("schiendorfer_matrix.yaml", {k: f"{x:.4f}" for k, x in numbers.items()}, tmp_path)
    assert v["a_2_2"].slip == "net_for_out"
    assert (v["dE/dW1_21"].status, v["dE/dW1_21"].source) == ("carried", "a_2_2")
    assert (v["dE/dW1_22"].status, v["dE/dW1_22"].source) == ("carried", "a_2_2")
    assert report.misconceptions == 1


def test_two_slips_listed_as_alternatives_then_shown_together_count_twice(tmp_path):
    """relu_class by the student model, updated parameters only: the factor 2 of ∂E/∂ŷ left out
    (every update shows it) and the input left out of ∂E/∂W (only W⁺ shows it). W1⁺ alone cannot
    tell the two apart (one of them, listed); W⁺ shows both together: two misconceptions, not one."""
    plan = load(PROBLEMS / "relu_class.yaml")
    at = plan.index()
    slope, grad = at["dE/dy_hat@1"], at["dE/dW@1"]
    slips = [
        Slip("factor_two", {slope.id: _factor_two(slope, slope.rule)}),
        Slip("input_missing", {grad.id: lambda v: v[grad.info["delta"]]}),
    ]
    written = {w.id for w in plan.steps if w.tag == "param" and w.info["t"] == 1}
    texts, _ = work(plan, slips, written, "sig4", "full")
    report, v = grade("relu_class.yaml", texts, tmp_path)
    assert set(v["W1+@1"].candidates) == {"input_missing", "missing_factor"}
    assert v["W+@1"].confidence == "two slips"
    assert report.misconceptions == 2


def test_a_right_out_of_one_written_as_one_leaves_sigma_prime_to_the_net(tmp_path):
    """net for out in a_1_1 (16.00): z_2_1 = 16 + 0.25·σ(−4), a_2_1 = σ(z_2_1) written 1.000, and
    ∂E/∂z_2_1 = −2(1 − a_2_1)·a_2_1(1 − a_2_1) = −2.5e-14 from the student's full a_2_1: 0 from the
    written 1.000, within the rounding of their net 16.00 from it: carried, not an error."""
    z21 = 16 + 0.25 * σ(-4)
    a21 = σ(z21)
    numbers = {"a_1_1": 16.0, "z_2_1": z21, "a_2_1": a21, "dE/dz_2_1": -2 * (1 - a21) * a21 * (1 - a21)}
    report, v = grade("schiendorfer_matrix.yaml", {k: f"{x:#.4g}" for k, x in numbers.items()}, tmp_path)
    assert "net_for_out" in (v["a_1_1"].slip, *v["a_1_1"].candidates)
    assert (v["dE/dz_2_1"].status, v["dE/dz_2_1"].source) == ("carried", "a_1_1")
    assert report.misconceptions == 1
