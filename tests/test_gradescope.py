"""Gradescope: `check -f gradescope` writes results.json as Gradescope's autograder specification
documents it (the schema below is written from gradescope-autograders.readthedocs.io, "Autograder
Specifications", Output format), and the zip from `export gradescope` grades a submission folder
when its run_autograder is run here, pointed at a temporary folder instead of /autograder."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import yaml
from typer.testing import CliRunner

from backtutor.cli.app import app

from .conftest import PROBLEMS
from .test_variants import RELU_VARIANTS, problem, relu_run

runner = CliRunner()
Q4 = PROBLEMS / "q4.yaml"

FORMATS = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
TEST = {
    "type": "object",
    "properties": {
        "score": {"type": "number"},
        "max_score": {"type": "number"},
        "status": {"enum": ["passed", "failed"]},
        "name": {"type": "string"},
        "name_format": FORMATS,
        "number": {"type": "string"},
        "output": {"type": "string"},
        "output_format": FORMATS,
        "tags": {"type": "array", "items": {"type": "string"}},
        "visibility": VISIBILITY,
        "extra_data": {"type": "object"},
    },
    "additionalProperties": False,
}
RESULTS = {
    "type": "object",
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "output_format": FORMATS,
        "test_output_format": FORMATS,
        "test_name_format": FORMATS,
        "visibility": VISIBILITY,
        "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"},
        "tests": {"type": "array", "items": TEST},
        "leaderboard": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "value": {}, "order": {"enum": ["asc", "desc"]}},
                "required": ["name", "value"],
            },
        },
    },
    "additionalProperties": False,
    # the score is given at the top, or on every test
    "anyOf": [
        {"required": ["score"]},
        {"required": ["tests"], "properties": {"tests": {"items": {"required": ["score"]}}}},
    ],
}

# published numbers of the 2-2-2 network (Mazur 2015; /work/shared/reference); w6+ is wrong on purpose
Q4_SHEET = """net_h1: 0.3775
out_h1: 0.593269992
out_o1: 0.75136507
E_total: 0.298371109
dE_total/dw5: 0.082167041
w5+: 0.35891648
w6+: 0.912345
w1+: 0.149780716
"""


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def step_count(file: Path) -> int:
    return sum(1 for line in run("template", file).output.splitlines() if line.startswith('"'))


def test_check_writes_results_json_by_the_documented_schema(tmp_path):
    (tmp_path / "sheet.yaml").write_text(Q4_SHEET)
    result = run("check", Q4, tmp_path / "sheet.yaml", "-f", "gradescope", "-o", tmp_path / "results.json")
    assert result.exit_code == 1, result.output  # one answer is wrong
    data = json.loads((tmp_path / "results.json").read_text())
    jsonschema.validate(data, RESULTS)
    tests = {t["name"]: t for t in data["tests"]}
    assert len(data["tests"]) == step_count(Q4)  # one test per step of the problem
    for right in ("net_h1", "out_h1", "out_o1", "E_total", "dE_total/dw5", "w5+", "w1+"):
        assert tests[right]["status"] == "passed" and tests[right]["score"] == tests[right]["max_score"] == 1
    assert tests["w6+"]["status"] == "failed" and tests["w6+"]["score"] == 0
    assert "wrong" in tests["w6+"]["output"] and "0.912345" in tests["w6+"]["output"]
    assert tests["w7+"]["output"] == "not answered" and tests["w7+"]["score"] == 0
    assert data["score"] == sum(t["score"] for t in data["tests"]) == 7
    assert "First error of your own: w6+" in data["output"]


def test_an_unreadable_sheet_still_gets_results(tmp_path):
    (tmp_path / "sheet.yaml").write_text("no_such_step: 1\n")
    result = run("check", Q4, tmp_path / "sheet.yaml", "-f", "gradescope", "-o", tmp_path / "results.json")
    assert result.exit_code == 2
    data = json.loads((tmp_path / "results.json").read_text())
    jsonschema.validate(data, RESULTS)
    assert data["score"] == 0 and "no step with id 'no_such_step'" in data["output"]
    (tmp_path / "other.yaml").write_text(Q4_SHEET)
    result = run("check", Q4, tmp_path / "sheet.yaml", tmp_path / "other.yaml", "-f", "gradescope")
    assert result.exit_code == 2 and "give one sheet" in result.output


def _autograder(tmp_path: Path, zip_path: Path, sheet: str, metadata: dict | None = None) -> dict:
    """Unpack the zip as Gradescope does (its files in source/), hand in `sheet`, run run_autograder."""
    root = tmp_path / "autograder"
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(root / "source")
    (root / "submission").mkdir()
    if sheet:
        (root / "submission" / "answers.yaml").write_text(sheet)
    if metadata is not None:
        (root / "submission_metadata.json").write_text(json.dumps(metadata))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # only the zip's own source
    env |= {"BACKTUTOR_AUTOGRADER_ROOT": str(root), "BACKTUTOR_PYTHON": sys.executable}
    subprocess.run(
        ["bash", str(root / "source" / "run_autograder")], env=env, cwd=tmp_path, check=True, timeout=120
    )
    data = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(data, RESULTS)
    return data


def test_the_autograder_zip_grades_a_submission(tmp_path):
    assert run("export", "gradescope", Q4, "-o", tmp_path / "autograder.zip").exit_code == 0
    with zipfile.ZipFile(tmp_path / "autograder.zip") as z:
        names = set(z.namelist())
        assert {
            "setup.sh",
            "run_autograder",
            "problem.yaml",
            "requirements.txt",
            "backtutor/cli/app.py",
        } <= names
        for script in ("setup.sh", "run_autograder"):
            assert stat.S_IMODE(z.getinfo(script).external_attr >> 16) == 0o755
        assert (
            "numpy" in z.read("requirements.txt").decode()
            and "pytest" not in z.read("requirements.txt").decode()
        )
        (tmp_path / "setup.sh").write_bytes(z.read("setup.sh"))
    assert subprocess.run(["bash", "-n", str(tmp_path / "setup.sh")], check=False).returncode == 0
    data = _autograder(tmp_path, tmp_path / "autograder.zip", Q4_SHEET)
    assert data["score"] == 7 and len(data["tests"]) == step_count(Q4)


def _q4_autograder(tmp_path: Path) -> Path:
    """q4's autograder unpacked as Gradescope does (its files in source/), with an empty submission."""
    assert run("export", "gradescope", Q4, "-o", tmp_path / "autograder.zip").exit_code == 0
    root = tmp_path / "autograder"
    with zipfile.ZipFile(tmp_path / "autograder.zip") as z:
        z.extractall(root / "source")
    (root / "submission").mkdir()
    return root


def _autograded(root: Path) -> dict:
    """The command run_autograder runs, in this process, and the results.json it writes."""
    assert run("autograde", root).exit_code == 0
    data = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(data, RESULTS)
    return data


def test_the_autograder_says_when_nothing_was_handed_in(tmp_path):
    data = _autograded(_q4_autograder(tmp_path))
    assert data["score"] == 0 and "no answer sheet" in data["output"]


def test_the_autograder_picks_answers_yaml_and_refuses_a_guess_between_sheets(tmp_path):
    root = _q4_autograder(tmp_path)
    (root / "submission" / "a_draft.yaml").write_text("")  # sorts first; the sheet is answers.yaml
    (root / "submission" / "answers.yaml").write_text(Q4_SHEET)
    assert _autograded(root)["score"] == 7
    (root / "submission" / "answers.yaml").rename(root / "submission" / "mine.yaml")
    data = _autograded(root)
    assert data["score"] == 0 and "several answer sheets" in data["output"]


def test_the_autograder_grades_against_the_students_variant(tmp_path):
    path = problem(tmp_path, "relu_regression.yaml", RELU_VARIANTS)
    (tmp_path / "roster.csv").write_text("student_id,name,email\n101,Ann,ann@uni.edu\n102,Bob,bob@uni.edu\n")
    assert (
        run("variants", path, "--roster", tmp_path / "roster.csv", "-o", tmp_path / "o", "--no-pdf").exit_code
        == 0
    )
    result = run("export", "gradescope", path, "-o", tmp_path / "ag.zip")
    assert result.exit_code == 2 and "give --roster" in result.output
    result = run("export", "gradescope", path, "--roster", tmp_path / "roster.csv", "-o", tmp_path / "ag.zip")
    assert result.exit_code == 0, result.output
    bob = yaml.safe_load((tmp_path / "o" / "102" / "problem.yaml").read_text())
    pre, _ = relu_run(bob)  # Bob's numbers worked in plain Python
    sheet = "".join(f'"{k}@{t}": {v:.6f}\n' for t, e in enumerate(pre, 1) for k, v in e.items())
    metadata = {"users": [{"email": "bob@uni.edu", "id": 7, "name": "Bob"}]}  # Gradescope's, by email
    data = _autograder(tmp_path, tmp_path / "ag.zip", sheet, metadata)
    assert data["score"] == 20 and "student 102" in data["output"]


Q4_ASSIGNMENT = """
assignment:
  min_digits: 3
  questions:
    - title: Forward pass
      steps: [forward]
      points: 11
    - title: Output weights
      steps: ["w*+"]
      points: 8
"""


def test_with_an_assignment_one_test_per_question_worth_its_points(tmp_path):
    path = tmp_path / "q4.yaml"
    path.write_text(Q4.read_text(encoding="utf-8") + Q4_ASSIGNMENT.replace('"w*+"', "w5+, w6+, w7+, w8+"))
    assert run("export", "gradescope", path, "-o", tmp_path / "autograder.zip").exit_code == 0
    root = tmp_path / "autograder"
    with zipfile.ZipFile(tmp_path / "autograder.zip") as z:
        z.extractall(root / "source")
    (root / "submission").mkdir()
    (root / "submission" / "answers.yaml").write_text(Q4_SHEET)
    data = _autograded(root)  # validated against the documented schema
    # by hand: 4 of the 11 forward steps right, 11 points: 4; w5+ of w5+…w8+ right, 8 points: 2
    assert [(t["name"], t["score"], t["max_score"]) for t in data["tests"]] == [
        ("Forward pass", 4, 11),
        ("Output weights", 2, 8),
    ]
    assert data["score"] == 6 and all(t["status"] == "failed" for t in data["tests"])
    weights = data["tests"][1]["output"].splitlines()
    assert weights[0].startswith("w5+: ✓ right") and weights[1].startswith("w6+: ✗ wrong")
    assert weights[2:] == ["w7+: not answered", "w8+: not answered"]
    assert "6/19 points" in data["output"] and "2 answers not asked (feedback only)" in data["output"]
