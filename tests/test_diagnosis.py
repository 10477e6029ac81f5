"""The diagnosis measured on the independent student model (issue #23): seeded sheets over the bundled
trainable problems × slips × sheet styles × rounding habits × spellings, graded by `check`, the
reports compared with each sheet's truth. The full corpus and its table: bench/bench_diagnosis.py."""

from __future__ import annotations

import random

import pytest

import backtutor

from .diagnosis import PROBLEMS, ROOT, TARGETS, grade, measure, plans, sheets
from .student_model import load
from .student_sheets import make_sheet
from .student_slips import NEW

SHEETS = 210


@pytest.fixture(scope="module")
def graded():
    return grade(sheets(SHEETS, seed=23))


@pytest.mark.parametrize("name", PROBLEMS)
def test_the_model_works_each_problem_as_the_solution_does(name):
    """Two independent workings agree: the model's steps are the solution's, in its order, with its
    values (to 1e-9)."""
    plan = load(ROOT / "problems" / f"{name}.yaml")
    values = dict(plan.given)
    for w in plan.steps:
        values[w.id] = w.rule(values)
    sol = backtutor.solve(ROOT / "problems" / f"{name}.yaml")
    assert [w.id for w in plan.steps] == [s.id for s in sol.steps]
    for s in sol.steps:
        assert values[s.id] == pytest.approx(s.value, rel=1e-9, abs=1e-12), s.id


def test_a_slip_is_carried_on_by_its_own_rule():
    """q4, + for − in w5's update, by hand: w5⁺ = 0.4 + 0.5·0.082167041 (Mazur's ∂E/∂w5) = 0.4411."""
    (plan,) = [p for p in plans() if p.name == "q4"]
    sheet = None
    for seed in range(200):
        sheet = make_sheet(plan, random.Random(seed), "full", "dec4", "written", "canonical", ["plus_update"])
        if sheet is not None and "w5+" in sheet.own:
            break
    assert sheet is not None and sheet.answers["w5+"] == "0.4411"
    assert sheet.own == {"w5+": {"plus_update"}}
    assert all(t == "right" for i, t in sheet.truth.items() if i != "w5+")


def test_the_corpus_covers_every_problem_style_and_slip(graded):
    assert len(graded) >= 200
    made = {s for sheet, _ in graded for s in sheet.slips}
    assert {sheet.problem for sheet, _ in graded} == set(PROBLEMS)
    assert {sheet.style for sheet, _ in graded} == {"full", "sparse", "updates"}
    assert {(sheet.rounding, sheet.carry) for sheet, _ in graded} == {
        (r, c) for r in ("sig4", "dec4") for c in ("written", "full")
    }
    assert len(made) >= 18 and made >= NEW


def test_no_correct_sheet_is_marked_down(graded):
    m = measure(graded)
    assert m.correct_sheets >= 25
    assert m.false_alarms == TARGETS["false_alarms"]


def test_the_first_own_error_is_placed_where_it_was_made(graded):
    assert measure(graded).first_error.value >= TARGETS["first_error"]


def test_a_slip_named_is_the_slip_made_and_a_carried_answer_is_called_carried(graded):
    """Issue #23's targets: named-slip precision ≥ 95 %, recall ≥ 85 % on full and sparse sheets and
    ≥ 70 % on updated parameters only (a slip listed among the several that give the number counts),
    carried answers called carried ≥ 99.5 %."""
    m = measure(graded)
    assert m.precision.value >= TARGETS["precision"]
    assert m.recall(("full", "sparse")).value >= TARGETS["recall_full_sparse"]
    assert m.recall(("updates",)).value >= TARGETS["recall_updates"]
    assert m.carried.value >= TARGETS["carried"]


def test_misconceptions_counted_are_the_slips_made(graded):
    """Misconceptions counted equal to the slips made on ≥ 98 % of sheets: here 98.3 % (100 % without
    the six new slips). The bench's 1,028 sheets with slips reach 98.6 % (seeds 7 and 99: 99.0 %,
    98.9 %); most of the rest are two slips that give the same numbers in the problem (a sign lost
    and σ for σ′ where σ = 0.5, + for − after the sign of ∂E/∂w lost in an earlier update), or two
    slips in one answer of a sheet of updated parameters only that no pair of catalogued rules gives."""
    assert measure(graded).misconceptions.value >= TARGETS["misconceptions"]
    assert measure(graded, without_new=True).misconceptions.value >= TARGETS["misconceptions"]
