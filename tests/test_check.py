"""backtutor check and template: verdicts, first error vs carried forward, the named slips.

The student numbers below are written out by hand from the published q4 figures (M. Mazur, "A Step
by Step Backpropagation Example", 2015) with the slip applied, not taken from the code under test.
"""

import csv
import io
import json

import pytest
from typer.testing import CliRunner

import backtutor
from backtutor.check import Checker, canonical_id, read_sheet
from backtutor.cli.app import app

from .conftest import PROBLEMS

runner = CliRunner()
Q4 = PROBLEMS / "q4.yaml"

# Mazur (2015), first step, as a student would round them to 4 decimals.
ROUNDED = {
    "net_h1": "0.3775",
    "out_h1": "0.5933",
    "out_h2": "0.5969",
    "net_o1": "1.1059",
    "out_o1": "0.7514",
    "out_o2": "0.7729",
    "E_o1": "0.2748",
    "E_o2": "0.0236",
    "E_total": "0.2984",
    "dE_total/dout_o1": "0.7414",
    "dout_o1/dnet_o1": "0.1868",
    "dnet_o1/dw5": "0.5933",
    "dE_total/dw5": "0.0822",
    "dE_total/dout_h1": "0.0364",
    "dout_h1/dnet_h1": "0.2413",
    "dE_total/dw1": "0.000439",
    "w1+": "0.1498",
    "w2+": "0.1996",
    "w3+": "0.2498",
    "w4+": "0.2995",
    "w5+": "0.3589",
    "w6+": "0.4087",
    "w7+": "0.5113",
    "w8+": "0.5614",
}


@pytest.fixture(scope="module")
def q4():
    return backtutor.solve(Q4)


def grade(sol, answers: dict[str, str], tmp_path, **tolerance):
    path = tmp_path / "sheet.yaml"
    path.write_text("".join(f'"{k}": {v}\n' for k, v in answers.items()), encoding="utf-8")
    report = Checker(sol, **tolerance).grade(read_sheet(path, sol), str(path))
    return report, {v.id: v for v in report.verdicts}


def test_a_correct_sheet_rounded_to_4_decimals_passes(q4, tmp_path):
    report, _ = grade(q4, ROUNDED, tmp_path)
    assert report.right == len(ROUNDED) and report.first_error is None


def test_a_correctly_rounded_answer_of_fewer_digits_passes_and_a_wrongly_rounded_one_fails(q4, tmp_path):
    _, v = grade(q4, {"out_o1": "0.75", "out_h1": "0.60"}, tmp_path)
    assert v["out_o1"].status == "right"
    assert v["out_h1"].status == "wrong"  # 0.593269992 rounds to 0.59


def test_two_digits_swapped_and_a_slip_in_a_step_of_given_numbers(q4, tmp_path):
    # Mazur: net_h2 = 0.25·0.05 + 0.3·0.1 + 0.35 = 0.3925, out_h2 = σ(0.3925) = 0.596884378
    _, v = grade(q4, {"net_h2": "0.3952", "net_h1": "0.3785"}, tmp_path)
    assert (v["net_h2"].slip, v["net_h2"].status) == ("transposed", "wrong")
    assert "0.3925" in v["net_h2"].explanation
    assert v["net_h1"].slip == "arithmetic"  # only given numbers go into net_h1: its inputs are right
    _, v = grade(q4, {"net_h2": "0.3925", "out_h2": "0.5996"}, tmp_path)
    assert v["out_h2"].slip == "transposed"  # 0.5969 with its 6 and 9 the other way round


def test_given_numbers_are_never_rounded_early(q4, tmp_path):
    # net_h1 = 0.15·0.05 + 0.2·0.1 + 0.35 = 0.3775 (Mazur) is 0.4 to one decimal: 0.3 is wrong, even
    # though the given numbers rounded to one decimal would give it
    _, v = grade(q4, {"net_h1": "0.3"}, tmp_path)
    assert v["net_h1"].status == "wrong" and v["net_h1"].slip == "arithmetic"


def test_a_run_of_several_epochs_is_worked_by_hand_in_its_first_update(tmp_path):
    problem = tmp_path / "q4_3.yaml"
    problem.write_text(Q4.read_text(encoding="utf-8").replace("epochs: 1", "epochs: 3"), encoding="utf-8")
    assert "epochs: 3" in problem.read_text(encoding="utf-8")
    sheet = runner.invoke(app, ["template", str(problem)]).output
    assert '"net_h1@1": ~' in sheet and '"w5+@1": ~' in sheet and "@2" not in sheet
    answers = tmp_path / "a.yaml"
    answers.write_text('"net_h1@1": 0.3775\n"w5+@1": 0.3589\n', encoding="utf-8")  # Mazur's numbers
    result = runner.invoke(app, ["check", str(problem), str(answers)])
    assert result.exit_code == 0, result.output


def test_a_sheet_with_no_answers_is_not_a_perfect_sheet(tmp_path):
    blank = tmp_path / "blank.yaml"
    blank.write_text(runner.invoke(app, ["template", str(Q4)]).output, encoding="utf-8")
    assert runner.invoke(app, ["check", str(Q4), str(blank)]).exit_code == 1


def test_update_with_plus_instead_of_minus(q4, tmp_path):
    # the example: w6 + η·∂E/∂w6 = 0.45 + 0.5 × 0.082667628 = 0.491333814
    report, v = grade(q4, {**ROUNDED, "dE_total/dw6": "0.0827", "w6+": "0.491333814"}, tmp_path)
    assert v["w6+"].status == "wrong" and v["w6+"].slip == "plus_update"
    assert report.first_error.id == "w6+"


def test_a_number_two_slips_give_lists_both_and_names_neither(q4, tmp_path):
    # w6 + η·∂E/∂w6 again, but ∂E/∂w6 not written: + in the update, or a sign lost in the gradient
    _, v = grade(q4, {**ROUNDED, "w6+": "0.491333814"}, tmp_path)
    assert v["w6+"].status == "wrong" and v["w6+"].slip == ""
    assert v["w6+"].candidates == ("plus_update", "sign")
    assert v["w6+"].explanation.startswith("one of 2 slips that give this number: updated with +")
    assert "which you did not write" in v["w6+"].explanation


def test_a_number_a_hair_off_is_not_explained_by_a_slip_in_a_skipped_step(q4, tmp_path):
    # ∂E/∂w5 = 0.0821670406 written 0.0823: w4 and b1 exchanged in the skipped net_h2 moves it there
    # too, through the whole chain, but a slip that moves an answer by 0.2 % is a coincidence
    _, v = grade(q4, {"dE_total/dw5": "0.0823"}, tmp_path)
    assert v["dE_total/dw5"].status == "wrong" and v["dE_total/dw5"].slip in ("", "arithmetic")
    assert v["dE_total/dw5"].candidates == ()


def test_hidden_gradients_with_already_updated_output_weights(q4, tmp_path):
    # δ_o1 = 0.138498562, δ_o2 = −0.0380982365 (Mazur); w5⁺ = 0.35891648, w7⁺ = 0.511301270
    wrong = 0.138498562 * 0.35891648 + (-0.0380982365) * 0.511301270  # 0.030230
    dw1 = wrong * 0.241300709 * 0.05
    answers = {**ROUNDED, "dE_total/dout_h1": f"{wrong:.6f}", "dE_total/dw1": f"{dw1:.4e}"}
    del answers["w1+"]
    report, v = grade(q4, answers, tmp_path)
    assert v["dE_total/dout_h1"].slip == "updated_weights"
    assert v["dE_total/dw1"].status == "carried" and v["dE_total/dw1"].source == "dE_total/dout_h1"
    assert report.first_error.id == "dE_total/dout_h1"
    assert sum(x.status == "wrong" for x in report.verdicts) == 1  # not double-counted


def test_carried_forward_is_labelled_and_not_double_counted(q4, tmp_path):
    # a wrong out_o1 (0.76) carried into ∂E/∂out_o1 = −(0.01 − 0.76) = 0.75 and E_o1 = ½(0.01 − 0.76)²
    report, v = grade(q4, {"out_o1": "0.76", "dE_total/dout_o1": "0.75", "E_o1": "0.28125"}, tmp_path)
    assert v["out_o1"].status == "wrong"
    assert v["dE_total/dout_o1"].status == "carried" and v["E_o1"].status == "carried"
    assert report.first_error.id == "out_o1" and report.right == 0


# One sheet per slip, in q4's published numbers (Mazur 2015) with the slip applied by hand.
SLIP_CASES = [
    ({"dE_total/dw5": "-0.0822"}, "dE_total/dw5", "sign"),
    # ∂E/∂out_o1 · ∂net_o1/∂w5 without σ′: 0.74136507 × 0.593269992
    ({"dE_total/dw5": "0.4398"}, "dE_total/dw5", "missing_factor"),
    # w5 − ∂E/∂w5 (no η): 0.4 − 0.082167041
    ({"dE_total/dw5": "0.0822", "w5+": "0.3178"}, "w5+", "missing_factor"),
    # σ(net_o1) = out_o1 instead of out_o1(1 − out_o1)
    ({"dout_o1/dnet_o1": "0.7514"}, "dout_o1/dnet_o1", "sigma_for_derivative"),
    # ∂E/∂out_o1 · out_o1 · out_h1, σ′ replaced by σ inside the chain
    ({"dE_total/dw5": "0.3305"}, "dE_total/dw5", "sigma_for_derivative"),
    # (t − o)² differentiated without its ½: 2 × 0.74136507
    ({"dE_total/dout_o1": "1.4827"}, "dE_total/dout_o1", "factor_two"),
    # net_h1 with h2's weights (w3, w4): the value of net_h2
    ({"net_h1": "0.3925"}, "net_h1", "swapped"),
    # net_h1 with w1 and w2 exchanged: 0.2 × 0.05 + 0.15 × 0.1 + 0.35
    ({"net_h1": "0.375"}, "net_h1", "swapped_weights"),
    # inputs right (0.7414, 0.1868), product wrong
    (
        {"dE_total/dout_o1": "0.7414", "dout_o1/dnet_o1": "0.1868", "dE_total/dnet_o1": "0.1400"},
        "dE_total/dnet_o1",
        "arithmetic",
    ),
    # inputs rounded to 2 decimals first: 0.74 × 0.19 × 0.59
    ({"dE_total/dw5": "0.08295"}, "dE_total/dw5", "early_rounding"),
    # ∂E/∂w5 times ∂net_o1/∂w5 = out_h1 once more: 0.082167041 × 0.593269992
    ({"dE_total/dw5": "0.048747"}, "dE_total/dw5", "extra_factor"),
    # w6 + η·∂E/∂w6 = 0.45 + 0.5 × 0.082667628
    ({"dE_total/dw6": "0.0827", "w6+": "0.491333814"}, "w6+", "plus_update"),
    # δ_o1·w5⁺ + δ_o2·w7⁺ = 0.138498562 × 0.35891648 + (−0.0380982365) × 0.511301270
    ({"dE_total/dout_h1": "0.030230"}, "dE_total/dout_h1", "updated_weights"),
    # net_h2 = 0.3925 (Mazur) with its 2 and 5 the other way round
    ({"net_h2": "0.3952"}, "net_h2", "transposed"),
    # out_o1 = 0.75136507 (Mazur) written as 0.95: no rule reproduces it (0.9 is net_o1 with every
    # activation skipped, 0.4·0.3775 + 0.45·0.3925 + 0.6 = 0.93 to one decimal)
    ({"out_o1": "0.95"}, "out_o1", ""),
]


@pytest.mark.parametrize(("answers", "step", "slip"), SLIP_CASES)
def test_each_slip_is_named(q4, tmp_path, answers, step, slip):
    _, v = grade(q4, answers, tmp_path)
    assert v[step].status == "wrong" and v[step].slip == slip, v[step]


def test_every_entry_of_the_slip_catalogue_has_a_sheet_that_names_it():
    from backtutor.check.slips.catalogue import CATALOGUE

    from .test_check_network_slips import CASES as NETWORK
    from .test_check_optimizer_slips import CASES

    named = {slip for _, _, slip in SLIP_CASES} | {c.named for c in CASES} | {c[-1] for c in NETWORK}
    assert [s.name for s in CATALOGUE if s.name not in named] == []


def test_a_weight_of_another_unit_is_its_value_during_that_update(tmp_path):
    # update 2 of q4: net_h1 = w1⁺·i1 + w2⁺·i2 + b1 written with w3⁺ = 0.24975114 (Mazur) for w1⁺:
    # 0.24975114 × 0.05 + 0.19956143 × 0.1 + 0.35 = 0.382444 (with the first w3 = 0.25 it would be 0.382456)
    sol = backtutor.solve(Q4, epochs=2, shown={1, 2})
    _, v = grade(sol, {"net_h1@2": "0.382444"}, tmp_path)
    assert v["net_h1@2"].slip == "swapped_weights" and "used w3 where w1 belongs" in v["net_h1@2"].explanation
    _, v = grade(sol, {"net_h1@2": "0.382456"}, tmp_path)
    assert v["net_h1@2"].status == "wrong" and v["net_h1@2"].slip == ""


def test_explicit_tolerance_overrides_the_rule(q4, tmp_path):
    _, v = grade(q4, {"out_o1": "0.76"}, tmp_path, rtol=0.02)
    assert v["out_o1"].status == "right"


def test_formula_answers(q4, tmp_path):
    _, v = grade(
        q4,
        {
            "dout_o1/dnet_o1": "'out_o1*(1 - out_o1)'",  # same as σ(net_o1)(1 − σ(net_o1))
            "dE_total/dw5": "'(out_o1 - target_o1)*sigmoid(net_o1)*(1-sigmoid(net_o1))*out_h1'",
            "dE_total/dw6": "'(target_o1 - out_o1)*out_o1*(1-out_o1)*out_h2'",
            "dE_total/dw7": "'out_o2*out_h1'",
        },
        tmp_path,
    )
    assert v["dout_o1/dnet_o1"].status == "right"
    assert v["dE_total/dw5"].status == "right" and "equal" in v["dE_total/dw5"].explanation
    assert v["dE_total/dw6"].slip == "sign"
    assert v["dE_total/dw7"].status == "wrong"


def test_alternative_spellings_of_ids(q4):
    known = {s.id for s in q4.steps}
    for written, meant in [
        ("w5_new", "w5+"),
        ("w5'", "w5+"),
        ("w5⁺", "w5+"),
        ("dE/dw5", "dE_total/dw5"),
        ("dEtotal/dw5", "dE_total/dw5"),
        ("∂E/∂w5", "dE_total/dw5"),
        ("dE_total / dw5", "dE_total/dw5"),
    ]:
        assert canonical_id(written, known, "E_total") == meant
    assert canonical_id("dE/dw9", known, "E_total") is None


def test_online_run_ids_with_update_suffix(tmp_path):
    sol = backtutor.solve(PROBLEMS / "relu_regression.yaml")
    known = {s.id for s in sol.steps}
    assert canonical_id("W1_new@2", known, "E") == "W1+@2"
    w1_after_2 = sol.step("W1+@2").value
    _, v = grade(sol, {"W1+@2": f"{w1_after_2:.4f}"}, tmp_path)
    assert v["W1+@2"].status == "right"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_cli_check_exit_codes_and_json(tmp_path):
    right = write(tmp_path, "right.yaml", "".join(f'"{k}": {v}\n' for k, v in ROUNDED.items()))
    result = runner.invoke(app, ["check", str(Q4), right])
    assert result.exit_code == 0 and "24/24" in result.output
    wrong = write(tmp_path, "wrong.yaml", '"dE_total/dw6": 0.0827\n"w6+": 0.491333814\n')
    result = runner.invoke(app, ["check", str(Q4), wrong, "-f", "json"])
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert doc["first_error"]["slip"] == "plus_update"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dE/dw5: abc def\n", "could not read this answer"),
        ("dE/dw5: \"__import__('os').system('touch pwned')\"\n", "could not read this answer"),
        ("dE/dw5: ().__class__\n", "could not read this answer"),
        ("dE/dw5: 'w5*zz'\n", "unknown name 'zz'"),
        ("dE/dw5: 8%\n", "unexpected character '%'"),
    ],
)
def test_an_unreadable_answer_is_said_and_the_others_are_graded(tmp_path, text, expected, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sheet = write(tmp_path, "one.yaml", text + '"net_h1": 0,3775\n')  # and a decimal comma: right
    result = runner.invoke(app, ["check", str(Q4), sheet, "-f", "json"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    verdicts = {v["id"]: v for v in json.loads(result.output)["verdicts"]}
    assert (
        verdicts["dE_total/dw5"]["status"] == "undecided"
        and expected in verdicts["dE_total/dw5"]["explanation"]
    )
    assert verdicts["net_h1"]["status"] == "right"
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dE/dw5: [unclosed\n", "not valid YAML"),
        ("dE/dw9: 0.1\n", "no step with id 'dE/dw9'"),
        ("- 0.1\n- 0.2\n", "maps step ids"),
    ],
)
def test_bad_sheets_get_a_clear_message_and_exit_2(tmp_path, text, expected, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sheet = write(tmp_path, "bad.yaml", text)
    result = runner.invoke(app, ["check", str(Q4), sheet])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and expected in result.output
    assert not (tmp_path / "pwned").exists()


def test_a_class_at_once_with_csv_and_a_broken_sheet(tmp_path):
    folder = tmp_path / "sheets"
    folder.mkdir()
    (folder / "a.yaml").write_text("".join(f'"{k}": {v}\n' for k, v in ROUNDED.items()))
    (folder / "b.yaml").write_text('"w6+": 0.491333814\n"dE/dw5": -0.0822\n')
    (folder / "c.yaml").write_text('"dE/dw6": 0.0827\n"w6+": 0.4913\n')
    (folder / "broken.yaml").write_text("x: [\n")
    grades = tmp_path / "grades.csv"
    result = runner.invoke(app, ["check", str(Q4), str(folder), "--csv", str(grades)])
    assert result.exit_code == 2  # one sheet unreadable; the others were still checked
    assert "broken.yaml" in result.output and "3 sheets checked" in result.output
    rows = list(csv.DictReader(io.StringIO(grades.read_text())))
    assert [r["sheet"].rsplit("/", 1)[-1] for r in rows] == ["a.yaml", "b.yaml", "c.yaml"]
    assert rows[0]["right"] == "24" and rows[0]["first_error"] == ""
    assert rows[1]["first_error"] == "dE_total/dw5" and rows[1]["w6+"] == "wrong"
    assert rows[2]["first_error_slip"] == "plus_update"


def test_a_line_read_before_reads_the_same_again(tmp_path, q4):
    """Sheet lines are matched once per process (a class writes the same lines): a line seen before,
    simple or one left to the YAML reader, must give what it gave the first time."""
    simple = write(tmp_path, "a.yaml", '"net_h1": 0.3775\nw5+: 0.3589  # updated\n\n# done\n')
    flow = write(tmp_path, "b.yaml", '{"net_h1": 0.3775, "w5+": ~}\n')
    for _ in range(2):
        assert [(a.id, a.written) for a in read_sheet(simple, q4)] == [
            ("net_h1", "0.3775"),
            ("w5+", "0.3589"),
        ]
        assert [(a.id, a.written) for a in read_sheet(flow, q4)] == [("net_h1", "0.3775")]


def test_template_lists_every_id_in_working_order_and_round_trips(tmp_path, q4):
    result = runner.invoke(app, ["template", str(Q4)])
    assert result.exit_code == 0
    lines = [ln for ln in result.output.splitlines() if ln.startswith('"')]
    assert [ln.split('"')[1] for ln in lines] == [s.id for s in q4.steps]
    assert '"net_h1": ~  # net_h1 = w1·i1 + w2·i2 + b1' in result.output
    sheet = write(tmp_path, "blank.yaml", result.output)
    assert read_sheet(sheet, q4) == []  # a blank sheet is valid and empty
    only = runner.invoke(app, ["template", str(Q4), "--phases", "update"]).output
    assert '"w5+"' in only and '"net_h1"' not in only
