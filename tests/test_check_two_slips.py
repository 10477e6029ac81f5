"""check (issue #23): two slips that show only together, in answers that carry both, are named
together and counted as two misconceptions; a slip's rule reads the student's own numbers.

The tanh_network sheet is the independent student model's (tests/student_slips.py, corpus seed 2023,
sheet 656): the bias left out of net_o1 and the sign of ∂E/∂out_o1 lost, only the updated parameters
written, so every answer carries both and no single catalogued slip gives any of them.
"""

import json

from typer.testing import CliRunner

import backtutor
from backtutor.check import Checker, Verdict, read_sheet
from backtutor.cli.app import app

from .conftest import PROBLEMS

runner = CliRunner()
TANH = {
    "w1+": "0.06884",
    "w2+": "0.1844",
    "w3+": "0.3259",
    "w4+": "0.4130",
    "w5+": "0.4802",
    "w6+": "-0.6412",
    "b1+": "0.06884",
    "b2+": "0.2259",
    "b3+": "0.03189",
}


def _sheet(tmp_path, answers: dict[str, str]) -> str:
    path = tmp_path / "sheet.yaml"
    path.write_text("".join(f'"{k}": {v}\n' for k, v in answers.items()), encoding="utf-8")
    return str(path)


def test_two_slips_shown_together_are_named_together_and_counted_twice(tmp_path):
    checker = Checker(backtutor.solve(PROBLEMS / "tanh_network.yaml"))
    path = _sheet(tmp_path, TANH)
    report = checker.grade(read_sheet(path, checker.sol), path)
    first, *rest = report.verdicts
    assert (first.status, first.confidence, first.slip) == ("wrong", "two slips", "")
    assert first.candidates[0] == "bias_left_out" and "sign" in first.candidates[1:]
    assert "two slips together give this number: left the bias out" in first.explanation
    assert all(v.confidence == "two slips" and v.again == "w1+" for v in rest)
    assert report.misconceptions == 2
    assert "9 own errors (2 distinct misconceptions)" in report.summary


def test_json_says_two_slips(tmp_path):
    result = runner.invoke(
        app, ["check", str(PROBLEMS / "tanh_network.yaml"), _sheet(tmp_path, TANH), "-f", "json"]
    )
    doc = json.loads(result.output)
    assert doc["verdicts"][0]["confidence"] == "two slips" and doc["misconceptions"] == 2


def test_a_pair_with_one_slip_shown_before_adds_one_misconception():
    from backtutor.check.misconceptions import Seen
    from backtutor.check.verdicts import distinct

    sign = Verdict("a", "1", "2", "wrong", "sign error", "sign")
    pair = Verdict(
        "b",
        "1",
        "2",
        "wrong",
        "two",
        confidence="two slips",
        candidates=("sign", "bias_left_out"),
        told=("sign error (in dE/dout_o1, which you did not write)", "left the bias out"),
    )
    seen = Seen()
    marked = [seen.mark(sign), seen.mark(pair), seen.mark(pair)]
    assert marked[1].repeated == ("sign",) and not marked[1].again and marked[2].again == "a"
    assert distinct(marked) == 2


def test_updated_weights_are_the_students_own(tmp_path):
    """q4: ∂E/∂w5 = 0.0900 (not Mazur's 0.0822), so their w5⁺ = 0.4 − 0.5 × 0.0900 = 0.3550, and
    ∂net_o1/∂out_h1 written as that w5⁺: the already-updated weight, theirs (the solution's w5⁺ is
    0.3589)."""
    sheet = {"dE_total/dw5": "0.0900", "w5+": "0.3550", "dnet_o1/dout_h1": "0.3550"}
    checker = Checker(backtutor.solve(PROBLEMS / "q4.yaml"))
    path = _sheet(tmp_path, sheet)
    v = {x.id: x for x in checker.grade(read_sheet(path, checker.sol), path).verdicts}
    assert (v["w5+"].status, v["dnet_o1/dout_h1"].slip) == ("carried", "updated_weights")


def test_no_pair_search_over_a_whole_skipped_map(monkeypatch):
    """A bias gradient of the three-filter network written alone: its skipped working holds ~170 single
    slips, whose ~15,000 pairs would cost most of a second and explain almost any number; none is tried."""
    from backtutor.check import pairs

    tried = []
    monkeypatch.setattr(pairs.PairSearch, "_gives", lambda self, *a, **k: tried.append(a) or False)
    sol = backtutor.solve(PROBLEMS / "three_filters.yaml")
    value = sol.step("dE/db_3").value
    (v,) = backtutor.check(sol.problem, {"dE/db_3": round(1.37 * value + 0.0123, 4)}).verdicts
    assert v.status == "wrong" and not tried
    small = backtutor.check(PROBLEMS / "q4.yaml", {"w5+": 0.2977})  # a pair search of a few slips runs
    assert small.verdicts[0].status == "wrong" and tried
