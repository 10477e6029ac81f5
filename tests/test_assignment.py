"""The `assignment:` section: which steps each question asks (against ids listed by hand here), and
every bad input refused through the CLI with the file, the field and the line."""

import csv
import json
import re
from fractions import Fraction

import pytest
from typer.testing import CliRunner

from backtutor.cli.app import app
from backtutor.problem.load import load
from backtutor.solution import solve_by_hand
from backtutor.solution.asked import Question, asked

from .conftest import PROBLEMS

runner = CliRunner()
RELU = (PROBLEMS / "relu_regression.yaml").read_text(encoding="utf-8")
PARAMS = ("W1", "W2", "b1", "W", "b2")  # the file's parameters, in the order it lists them

ASSIGNMENT = """
assignment:
  min_digits: 3
  questions:
    - title: After the first example
      steps: ["*+@1"]
      points: 5
    - steps: "*+@2"
      decimals: 4
      carried_forward: none
    - title: Gradients
      steps: [forward@1, "dE/dW*"]
      carried_forward: 0.5
"""


def questions(write_problem, section: str) -> tuple[Question, ...]:
    return asked(solve_by_hand(load(write_problem(RELU + section))))


def test_patterns_resolve_to_the_steps_in_working_order(write_problem):
    first, second, third = questions(write_problem, ASSIGNMENT)
    assert first == Question("After the first example", Fraction(5), tuple(f"{p}+@1" for p in PARAMS), 3)
    # its own precision replaces the section's; no points given: one a step
    assert second == Question(
        "Question 2", Fraction(5), tuple(f"{p}+@2" for p in PARAMS), None, 4, Fraction(0)
    )
    forward = ("z_h@1", "h@1", "z_y_hat@1", "y_hat@1", "E@1")
    grads = tuple(f"dE/d{p}@{t}" for t in (1, 2) for p in ("W", "W1", "W2"))
    assert third == Question("Gradients", Fraction(11), forward + grads, 3, None, Fraction(1, 2))


def test_an_id_with_its_update_and_a_phase(write_problem):
    (q,) = questions(write_problem, "assignment:\n  questions:\n    - steps: [W+@2, updates@1]\n")
    assert q.steps == (*(f"{p}+@1" for p in PARAMS), "W+@2")


def test_without_an_assignment_one_question_per_phase_with_every_step():
    sol = solve_by_hand(load(PROBLEMS / "q4.yaml"))
    got = asked(sol)
    assert [q.title for q in got] == ["Forward pass", "Backward pass", "Updates"]
    assert [s for q in got for s in q.steps] == [s.id for s in sol.steps]
    assert all(q.points == len(q.steps) and q.min_digits is None and q.decimals is None for q in got)
    assert got[2].steps == tuple(f"w{i}+" for i in range(1, 9))


def _line(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


BAD = [  # the section, what the message says, the field it names, the text on the line it names
    ("    - steps: ['w*+']\n", "'w*+' matches no step", "assignment.questions[0].steps[0]", "w*+"),
    ("    - steps: [W1+]\n      points: 0\n", "above 0", "assignment.questions[0].points", "points"),
    ("    - steps: [W1+]\n      points: -2\n", "above 0", "assignment.questions[0].points", "points"),
    ("    - steps: [W1+]\n      min_digits: 16\n", "from 1 to 15", "questions[0].min_digits", "min_digits"),
    ("    - steps: [W1+]\n      decimals: 2.5\n", "from 1 to 15", "questions[0].decimals", "decimals"),
    ("    - steps: [W1+]\n      decimals: 0\n", "from 1 to 15", "questions[0].decimals", "decimals"),
    (
        "    - steps: [W1+]\n      pionts: 2\n",
        "did you mean 'points'",
        "questions[0]",
        "pionts",
    ),
    (
        "    - steps: [W1+]\n      carried_forward: half\n",
        "full, none or a fraction",
        "carried_forward",
        "carried",
    ),
    ("    - steps: [W1+]\n      min_digits: 3\n      decimals: 3\n", "not both", "questions[0]", "- steps"),
    ("    - steps: []\n", "at least 1 item", "questions[0].steps", "steps"),
    ("    - steps: ['*+@1']\n    - steps: [W1+]\n", "'W1+@1' is asked by", "questions[1]", "- steps: [W1+]"),
]


@pytest.mark.parametrize(("section", "message", "field", "on_line"), BAD)
def test_bad_input_names_the_file_the_field_and_the_line(
    write_problem, tmp_path, section, message, field, on_line
):
    text = RELU + "assignment:\n  questions:\n" + section
    path = write_problem(text)
    out = tmp_path / "sheet.yaml"
    result = runner.invoke(app, ["template", str(path), "-o", str(out)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and not out.exists()
    first = text.index("assignment:")
    line = _line(text[first:], on_line) + text[:first].count("\n")
    assert f"{path}:{line}: " in result.output
    assert field in result.output and message in result.output


def test_an_unknown_key_of_the_section_lists_the_known_ones(write_problem):
    path = write_problem(RELU + "assignment:\n  marks: 3\n  questions:\n    - steps: [W1+]\n")
    result = runner.invoke(app, ["solve", str(path)])
    assert result.exit_code == 2
    assert "unknown key 'marks'" in result.output and "min_digits" in result.output


def test_template_writes_the_asked_steps_by_question(write_problem):
    out = runner.invoke(app, ["template", str(write_problem(RELU + ASSIGNMENT))]).output
    heads = [line for line in out.splitlines() if line.startswith("# ") and "points" in line]
    assert heads == [
        "# After the first example (5 points, at least 3 significant figures)",
        "# Question 2 (5 points, at least 4 decimals)",
        "# Gradients (11 points, at least 3 significant figures)",
    ]
    ids = [line.split(":")[0].strip('"') for line in out.splitlines() if line.startswith('"')]
    assert ids == [s for q in questions(write_problem, ASSIGNMENT) for s in q.steps]
    assert '"dE/db1@1"' not in out and '"dE/dh@1"' not in out  # not asked


HOMEWORK = """
assignment:
  min_digits: 3
  carried_forward: 0.5
  questions:
    - title: Forward
      steps: [forward@1]
      points: 5
    - title: Updates
      steps: ["*+@1"]
      points: 10
"""
SHEET = """
"z_h@1": 3.5          # right (written exactly: 2 figures are enough)
"h@1": 3.5            # right
"z_y_hat@1": 5.75     # right
"y_hat@1": 6.00       # an own error (ReLU of 5.75 is 5.75)
"E@1": 196            # (20 - 6)², carried forward from it: half the credit
"dE/dW@1": -99.75     # right, but no question asks it: feedback only
"W1+@1": 1.355        # right
"W2+@1": 1.9          # 1.855 to 2 figures: not enough digits to judge
"b1+@1": 0.9275       # right
"b2+@1": 0.785        # right; W+@1 not answered
"""


def test_a_sheet_is_scored_by_question(write_problem, tmp_path):
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text(SHEET)
    table = tmp_path / "class.csv"
    args = ["check", str(write_problem(RELU + HOMEWORK)), str(sheet), "-f", "json", "--csv", str(table)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    # by hand: Forward 5·(3 + ½)/5 = 3.5 of 5; Updates 10·3/5 = 6 of 10
    assert (
        "9.5/15 points, 0/2 questions right, 1 own error (1 distinct misconception), 1 carried forward, "
        "1 not enough digits, 1 not answered; 1 answer not asked (feedback only)"
    ) in result.output
    report = json.loads(result.output)
    assert [(q["title"], q["points"], q["max_points"]) for q in report["questions"]] == [
        ("Forward", 3.5, 5),
        ("Updates", 6, 10),
    ]
    (row,) = csv.DictReader(table.open())
    assert (row["points"], row["Forward"], row["Updates"], row["W2+@1"]) == ("9.5", "3.5", "6", "imprecise")


def test_too_few_digits_is_not_right(write_problem, tmp_path):
    q4 = (PROBLEMS / "q4.yaml").read_text(encoding="utf-8")
    section = "assignment:\n  min_digits: 3\n  questions:\n    - {steps: [updates], points: 8}\n"
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text("w1+: 0.1\nw2+: 0.210\nw3+: 0.250\n")  # true 0.14978, 0.19956, 0.24975
    result = runner.invoke(app, ["check", str(write_problem(q4 + section)), str(sheet), "-f", "json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    status = {v["id"]: (v["status"], v["explanation"]) for v in report["verdicts"]}
    assert status["w1+"] == (
        "imprecise",
        "not enough digits to judge: 1 significant figure written, at least 3 asked",
    )
    assert status["w2+"][0] == "wrong" and status["w3+"][0] == "right"
    assert (report["points"], report["max_points"]) == (1, 8)


def test_the_bundled_homework_is_graded_by_its_two_questions(tmp_path):
    """problems/relu_homework.yaml: the parameters after each example, 5 points each, 3 figures,
    half the credit for an answer carried forward."""
    # the student's W1 after example 1 is wrong (1.455 for 1.355); their example 2 worked from it
    # here by hand: z_h = W1·3 + W2·4 + b1, ŷ = W·z_h + b2, ∂E/∂W1 = −2(y − ŷ)·W·x1
    w1, w2, b1, w, b2 = 1.455, 1.855, 0.9275, 2.4975, 0.785
    y_hat = w * (w1 * 3 + w2 * 4 + b1) + b2
    carried = w1 - 0.01 * (-2 * (28 - y_hat) * w * 3)
    assert round(carried, 4) == 0.7755
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text(
        f"W1+@1: {w1}\nW2+@1: {w2}\nb1+@1: {b1}\nW+@1: {w}\nb2+@1: {b2}\n"
        "W1+@2: 0.7755\nW2+@2: 1.0987\nb1+@2: 0.74\nW+@2: 1.558\nb2+@2: 0.709\n"  # b1+@2: 2 figures
    )
    result = runner.invoke(app, ["check", str(PROBLEMS / "relu_homework.yaml"), str(sheet), "-f", "json"])
    report = json.loads(result.output)
    status = {v["id"]: v["status"] for v in report["verdicts"]}
    assert (status["W1+@1"], status["W1+@2"], status["b1+@2"]) == ("wrong", "carried", "imprecise")
    # by hand: example 1, 4 of 5 right: 4 points; example 2, 3 right and one carried at ½: 3.5
    assert [q["points"] for q in report["questions"]] == [4, 3.5]
    assert report["summary"] == (
        "7.5/10 points, 0/2 questions right, 1 own error (1 distinct misconception), "
        "1 carried forward, 1 not enough digits, 0 not answered"
    )
    page = runner.invoke(app, ["check", str(PROBLEMS / "relu_homework.yaml"), str(sheet), "-f", "markdown"])
    assert "- The five parameters after the second example: 3.5/5 points" in page.output


def test_the_assignment_pages_example_resolves(write_problem):
    page = (PROBLEMS.parent / "docs" / "guide" / "assignments.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```yaml\n(.*?)```", page, re.S) if "assignment:" in b)
    first, gradients, forward = asked(solve_by_hand(load(write_problem(block))))
    assert first.steps == tuple(f"{p}+@1" for p in PARAMS)
    assert gradients.steps == ("dE/dW@2", "dE/db2@2", "dE/dW1@2", "dE/dW2@2", "dE/db1@2")
    assert (gradients.points, gradients.decimals, gradients.min_digits) == (4, 2, None)
    assert forward.points == len(forward.steps) == 10 and forward.min_digits == 3


def test_the_quiz_asks_the_asked_steps_and_again_for_more_digits(write_problem):
    q4 = (PROBLEMS / "q4.yaml").read_text(encoding="utf-8")
    path = write_problem(q4 + "assignment:\n  questions:\n    - {steps: [out_h1, w5+], min_digits: 3}\n")
    # Mazur (2015): out_h1 = 0.593269992, w5+ = 0.35891648; 0.59 is right to its 2 figures only
    lines = "0.59\n0.5933\n0.3589\n"
    result = runner.invoke(app, ["quiz", str(path)], input=lines, env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert "2 steps." in result.output and "[1/2] out_h1" in result.output and "[2/2] w5⁺" in result.output
    assert (
        "0.59  … too few digits: not enough digits to judge: 2 significant figures written" in result.output
    )
    assert "0.593269992" not in result.output  # the value is not given away
    assert "Score: 2/2 right" in result.output


def test_variants_write_sheets_and_keys_of_the_asked_steps(tmp_path):
    from .test_variants import RELU_VARIANTS, problem

    path = problem(tmp_path, "relu_homework.yaml", RELU_VARIANTS)
    result = runner.invoke(
        app, ["variants", str(path), "--count", "1", "-o", str(tmp_path / "c"), "--no-pdf"]
    )
    assert result.exit_code == 0, result.output
    sheet = (tmp_path / "c" / "1" / "answers.yaml").read_text()
    ids = [line.split(":")[0].strip('"') for line in sheet.splitlines() if line.startswith('"')]
    assert ids == [f"{p}+@{t}" for t in (1, 2) for p in PARAMS]
    assert "# The five parameters after the second example (5 points" in sheet
    assert "assignment:" in (tmp_path / "c" / "1" / "problem.yaml").read_text()  # check --roster reads it


@pytest.mark.parametrize("command", ["check", "quiz", "export"])
def test_every_command_that_reads_the_assignment_refuses_a_bad_pattern(write_problem, tmp_path, command):
    path = write_problem(RELU + "assignment:\n  questions:\n    - steps: [W1+, 'v*+']\n")
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text("W1+@1: 1.355\n")
    out = tmp_path / "out.csv"
    args = {
        "check": ["check", str(path), str(sheet), "--csv", str(out)],
        "quiz": ["quiz", str(path), "--save", str(out)],
        "export": ["export", "gradescope", str(path), "-o", str(out)],
    }[command]
    result = runner.invoke(app, args, input="1\n")
    line = RELU.count("\n") + 3
    assert result.exit_code == 2 and not out.exists()
    assert f"{path}:{line}: assignment.questions[0].steps[1]: 'v*+' matches no step" in result.output
