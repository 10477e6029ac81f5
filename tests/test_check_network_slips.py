"""check names the six slips about the network's structure (issue #23), each on a sheet worked here by
hand from the published rule, never from backtutor's numbers:

- q4 (Mazur 2015): i = (0.05, 0.1), w1…w8 = 0.15, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55, b1 = 0.35,
  δ_o1 = 0.138498562, δ_o2 = −0.0380982365, η = 0.5.
- softmax_classifier: out = (0.230908, 0.513898, 0.255194), one-hot target c2, so ∂E/∂out_i = 0 for
  i ≠ 2 and the diagonal term of ∂E/∂net_1 and ∂E/∂net_3 is 0 (the right value is out_1, out_3).
- chain_fw: f = w3·σ(w2·σ(w1·x)), w = (0.5, −1, 2), examples (x, y) = (1, 1), (2, 0), E = Σ (y − f)²,
  η = 0.1; each example's ∂E/∂w3 = −2(y − f)·σ(w2·σ(w1·x)) is worked below.
"""

from __future__ import annotations

import math

import pytest

import backtutor
from backtutor.check import Checker, read_sheet

from .conftest import PROBLEMS


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def _chain_fw_dw3(x: float, y: float) -> float:
    a2 = _sigmoid(-1 * _sigmoid(0.5 * x))
    return -2 * (y - 2 * a2) * a2


D1, D2 = 0.138498562, -0.0380982365  # Mazur's δ_o1, δ_o2
NET_H1 = 0.15 * 0.05 + 0.2 * 0.1 + 0.35  # 0.3775
NET_O1 = 0.40 * _sigmoid(NET_H1) + 0.45 * _sigmoid(0.25 * 0.05 + 0.3 * 0.1 + 0.35) + 0.60

CASES = [
    # ∂E/∂out_h1 = δ_o1·w5 + δ_o2·w6 (the row of W) for δ_o1·w5 + δ_o2·w7 (its column)
    ("q4", {"dE_total/dout_h1": f"{D1 * 0.40 + D2 * 0.45:.6f}"}, "dE_total/dout_h1", "W_for_WT"),
    # ∂E/∂w5 = δ_o1, without ∂net_o1/∂w5 = out_h1
    ("q4", {"dE_total/dw5": f"{D1:.4f}"}, "dE_total/dw5", "input_missing"),
    # w5⁺ = w5 − η·δ_o1, ∂E/∂w5 never written
    ("q4", {"w5+": f"{0.40 - 0.5 * D1:.4f}"}, "w5+", "input_missing"),
    # net_h1 = w1·i1 + w2·i2, without b1
    ("q4", {"net_h1": f"{0.15 * 0.05 + 0.2 * 0.1:.4f}"}, "net_h1", "bias_left_out"),
    # out_h1 = σ(w1·i1 + w2·i2), net_h1 never written
    ("q4", {"out_h1": f"{_sigmoid(0.15 * 0.05 + 0.2 * 0.1):.4f}"}, "out_h1", "bias_left_out"),
    # out_h1 = net_h1 = 0.3775, and out_o1 = net_o1 with the hidden outputs right
    ("q4", {"out_h1": f"{NET_H1:.4f}"}, "out_h1", "net_for_out"),
    ("q4", {"out_o1": f"{NET_O1:.4f}"}, "out_o1", "net_for_out"),
    # ∂E/∂net_1 = ∂E/∂out_1·∂out_1/∂net_1 alone = 0 (the right value is out_1 = 0.2309)
    ("softmax_classifier", {"dE/dnet_c1": "0"}, "dE/dnet_c1", "softmax_diagonal"),
    # ∂E/∂w11 = (the diagonal's 0)·x1
    ("softmax_classifier", {"dE/dw11": "0"}, "dE/dw11", "softmax_diagonal"),
    # the batch's ∂E/∂w3 taken as example 1's, or example 2's; and w3⁺ = w3 − η·(example 1's)
    ("chain_fw", {"dE/dw3": f"{_chain_fw_dw3(1, 1):.4f}"}, "dE/dw3", "one_example"),
    ("chain_fw", {"dE/dw3": f"{_chain_fw_dw3(2, 0):.4f}"}, "dE/dw3", "one_example"),
    ("chain_fw", {"w3+": f"{2 - 0.1 * _chain_fw_dw3(1, 1):.5f}"}, "w3+", "one_example"),
    # a_1_1_1 = ReLU(x ∗ k(1)), the kernel turned by 180° (convolution): 2 where x ⋆ k(1) gives −2;
    # and p_3_1_1 = (6 + 0 + 0 + 2)/2, the window's sum over its side, not its 4 cells
    ("three_filters_forward", {"a_1_1_1": "2"}, "a_1_1_1", "kernel_flipped"),
    ("three_filters_forward", {"p_3_1_1": "4"}, "p_3_1_1", "pool_divisor"),
]


@pytest.fixture(scope="module")
def checkers():
    made: dict[str, tuple[object, Checker]] = {}

    def get(name: str):
        if name not in made:
            sol = backtutor.solve(PROBLEMS / f"{name}.yaml")
            made[name] = (sol, Checker(sol))
        return made[name]

    return get


@pytest.mark.parametrize(("problem", "answers", "step", "slip"), CASES, ids=lambda c: str(c)[:30])
def test_each_network_slip_is_named(checkers, tmp_path, problem, answers, step, slip):
    sol, checker = checkers(problem)
    path = tmp_path / "sheet.yaml"
    path.write_text("".join(f'"{k}": {v}\n' for k, v in answers.items()), encoding="utf-8")
    v = {x.id: x for x in checker.grade(read_sheet(path, sol), str(path)).verdicts}[step]
    assert (v.status, v.slip, v.confidence) == ("wrong", slip, "one slip"), v


@pytest.mark.parametrize(
    ("problem", "slip"),
    [
        ("q4", "softmax_diagonal"),
        ("q4", "one_example"),
        ("softmax_classifier", "W_for_WT"),
        ("q4", "kernel_flipped"),
        ("q4", "pool_divisor"),
    ],
)
def test_a_slip_is_never_offered_where_its_rule_does_not_exist(checkers, problem, slip):
    from backtutor.check.slips.catalogue import hypotheses

    sol, checker = checkers(problem)
    assert not any(h.slip == slip for s in sol.steps for h in hypotheses(checker.slips, s))
