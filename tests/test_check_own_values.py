"""check (issue #23): a sheet is recomputed from the student's own written values wherever they exist,
and "your inputs are right" is said only of inputs that were written (or given).
A written out gives σ′ = out·(1 − out), and the softmax Jacobian −out_i·out_j and out_i·(1 − out_i),
for every later step, whether or not net was written; a wrong out carries into them, never an own error.

q4 (Mazur 2015): out_h1 = 0.593269992, out_o1 = 0.75136507, target_o1 = 0.01. The student writes
out_o1 = 0.76 (wrong), skips net_o1, and works on: ∂E/∂out_o1 = −(0.01 − 0.76) = 0.75, σ′ = 0.76 × 0.24
= 0.1824, ∂E/∂w5 = 0.75 × 0.1824 × 0.5933 = 0.08116.
softmax_classifier: net = (0.2 − 0.2 + 0, 0.1 + 0.6 + 0.1, −0.3 + 0.4 + 0) = (0, 0.8, 0.1), so
out = (1, e^0.8, e^0.1)/(1 + e^0.8 + e^0.1) = (0.230908, 0.513898, 0.255194); the student writes
out_c2 = 0.55 (wrong), skips the nets, and works ∂out_c2/∂net_c1 = −0.55 × 0.2309 = −0.1270 and
∂out_c2/∂net_c2 = 0.55 × 0.45 = 0.2475.
"""

import pytest

import backtutor
from backtutor.check import Checker, read_sheet

from .conftest import PROBLEMS

SHEETS = [
    (
        "q4.yaml",
        {"out_h1": "0.5933", "out_o1": "0.76", "dE_total/dout_o1": "0.75", "dout_o1/dnet_o1": "0.1824",
         "dE_total/dw5": "0.08116"},
        "out_o1",
    ),
    ("q4.yaml", {"out_h1": "0.5933", "out_o1": "0.76", "dE_total/dw5": "0.08116"}, "out_o1"),  # σ′ skipped
    (
        "softmax_classifier.yaml",
        {"out_c1": "0.2309", "out_c2": "0.55", "dout_c2/dnet_c1": "-0.1270", "dout_c2/dnet_c2": "0.2475"},
        "out_c2",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("problem", "answers", "wrong"), SHEETS)
def test_a_written_out_is_what_later_steps_are_worked_from(tmp_path, problem, answers, wrong):
    sol = backtutor.solve(PROBLEMS / problem)
    path = tmp_path / "sheet.yaml"
    path.write_text("".join(f'"{k}": {v}\n' for k, v in answers.items()), encoding="utf-8")
    report = Checker(sol).grade(read_sheet(path, sol), str(path))
    v = {x.id: x for x in report.verdicts}
    assert v[wrong].status == "wrong" and report.own_errors == 1 and report.misconceptions == 1, v
    later = list(answers)[list(answers).index(wrong) + 1 :]
    assert all(v[i].status == "carried" and v[i].source == wrong for i in later), v


# Mazur's ∂E/∂out_o1 = 0.74136507 and σ′(net_o1) = 0.186815602 give δ_o1 = 0.138498562; 0.1523 is wrong.
UNWRITTEN = [
    (
        {"dE_total/dout_o1@1": "0.7414", "dE_total/dnet_o1@1": "0.1523"},
        "dE_total/dnet_o1@1",
        "dout_o1/dnet_o1@1",
    ),
    ({"w5+@1": "0.3589", "w5+@2": "0.3000"}, "w5+@2", "dE_total/dw5@2"),  # its gradient never written
]


@pytest.mark.parametrize(("answers", "step", "skipped"), UNWRITTEN)
def test_inputs_are_right_only_when_written_or_given(tmp_path, answers, step, skipped):
    sol = backtutor.solve(PROBLEMS / "q4.yaml", epochs=2, shown={1, 2})
    path = tmp_path / "sheet.yaml"
    path.write_text("".join(f'"{k}": {v}\n' for k, v in answers.items()), encoding="utf-8")
    v = {x.id: x for x in Checker(sol).grade(read_sheet(path, sol), str(path)).verdicts}[step]
    assert v.status == "wrong" and v.slip != "arithmetic" and "inputs are right" not in v.explanation
    assert f"not written: {skipped}" in v.explanation, v
    # the same step with every input written (and right) is an arithmetic slip
    full = {**answers, "dout_o1/dnet_o1@1": "0.1868"} if step == "dE_total/dnet_o1@1" else None
    if full:
        path.write_text("".join(f'"{k}": {x}\n' for k, x in full.items()), encoding="utf-8")
        assert {x.id: x for x in Checker(sol).grade(read_sheet(path, sol)).verdicts}[
            step
        ].slip == "arithmetic"
