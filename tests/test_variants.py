"""`variants`: one problem per student, the same for the same seed and id, meeting the named
constraints (checked here by working each variant in plain Python), and `check --roster` grading
each sheet against its own student's variant. Bad sections and rosters are clear errors."""

from __future__ import annotations

import csv
import hashlib
import json
import math
import shutil
from pathlib import Path

import numpy as np
import yaml
from typer.testing import CliRunner

from backtutor.cli.app import app

from .conftest import PROBLEMS
from .under_ci import under_ci

runner = CliRunner()

RELU_VARIANTS = """
variants:
  vary:
    W1: {from: -1, to: 1, step: 0.25}
    parameters.W2: {from: -1, to: 1, step: 0.25}
    b1: [0, 0.5, 1]
    data[0].y: {from: 10, to: 30, integer: true}
    training.learning_rate: [0.01, 0.02]
  require: {no_dead_relu: true, min_gradient: 1e-3}
  seed: 7
"""
Q4_VARIANTS = """
variants:
  vary:
    w1: {from: -1, to: 1, step: 0.5}
    w5: {from: -2, to: 2, step: 0.5}
    w6: {from: -2, to: 2, step: 0.5}
    data[0].i1: [0.05, 0.5, 1]
  require: {not_saturated: 0.9, min_gradient: 1e-4}
"""


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def problem(tmp_path: Path, base: str, variants: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text((PROBLEMS / base).read_text() + variants)
    return path


def relu_run(p: dict) -> tuple[list[dict[str, float]], list[dict[str, float]]]:
    """The two-ReLU regression worked in plain Python from the published rule (online SGD on
    E = (y − ŷ)², ReLU′(0) = 0): each example's pre-activations and parameter gradients."""
    w = {k: float(v) for k, v in p["parameters"].items()}
    eta = float(p["training"]["learning_rate"])
    pre, grads = [], []
    for ex in p["data"]:
        x1, x2, y = float(ex["x1"]), float(ex["x2"]), float(ex["y"])
        z_h = w["W1"] * x1 + w["W2"] * x2 + w["b1"]
        h = max(z_h, 0.0)
        z_y = w["W"] * h + w["b2"]
        d_zy = -2 * (y - max(z_y, 0.0)) * (1.0 if z_y > 0 else 0.0)
        d_zh = d_zy * w["W"] * (1.0 if z_h > 0 else 0.0)
        g = {"W": d_zy * h, "b2": d_zy, "W1": d_zh * x1, "W2": d_zh * x2, "b1": d_zh}
        pre.append(
            {"z_h": z_h, "z_y_hat": z_y, "h": h, "y_hat": max(z_y, 0.0), "E": (y - max(z_y, 0.0)) ** 2}
        )
        grads.append(g)
        w = {k: w[k] - eta * g[k] for k in w}
        pre[-1].update({f"{k}+": v for k, v in w.items()})
    return pre, grads


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def test_variants_meet_the_constraints_and_are_the_same_for_the_same_seed(tmp_path):
    path = problem(tmp_path, "relu_regression.yaml", RELU_VARIANTS)
    assert run("variants", path, "--count", 10, "-o", tmp_path / "a", "--no-pdf").exit_code == 0
    assert run("variants", path, "--count", 10, "-o", tmp_path / "b", "--no-pdf", "--seed", 7).exit_code == 0
    (tmp_path / "one.csv").write_text("id\n01\n")
    assert (
        run(
            "variants", path, "--roster", tmp_path / "one.csv", "-o", tmp_path / "c", "--no-pdf", "--seed", 8
        ).exit_code
        == 0
    )
    texts = []
    for sid in (f"{i:02d}" for i in range(1, 11)):
        a = (tmp_path / "a" / sid / "problem.yaml").read_text()
        assert a == (tmp_path / "b" / sid / "problem.yaml").read_text()  # seed 7 from the file or --seed
        texts.append(a.split("\n", 2)[2])  # without the header and title lines
        p = yaml.safe_load(a)
        assert "variants" not in p
        pre, grads = relu_run(p)
        assert all(e["z_h"] > 0 and e["z_y_hat"] > 0 for e in pre)  # no_dead_relu on every worked example
        assert all(abs(g) >= 1e-3 for e in grads for g in e.values())  # min_gradient
        assert -1 <= p["parameters"]["W1"] <= 1 and (p["parameters"]["W1"] * 4) % 1 == 0
        assert p["parameters"]["b1"] in (0, 0.5, 1) and isinstance(p["data"][0]["y"], int)
        for name in ("worksheet.md", "key.md", "answers.yaml"):
            assert (tmp_path / "a" / sid / name).stat().st_size > 0
        assert (tmp_path / "a" / sid / "answers.yaml").read_text().startswith(f"# student: {sid}\n")
    assert len(set(texts)) == 10  # different ids, different numbers
    other = (tmp_path / "c" / "01" / "problem.yaml").read_text()
    assert other.split("\n", 2)[2] != texts[0]  # another seed, another variant


def test_the_draws_follow_the_documented_seeding(tmp_path):
    """SHA-256 of "<seed>:<id>" (first 16 bytes) seeds default_rng; one draw per entry, in order."""
    path = problem(tmp_path, "relu_regression.yaml", RELU_VARIANTS)
    assert run("variants", path, "--count", 5, "-o", tmp_path / "o", "--no-pdf").exit_code == 0
    rows = list(csv.DictReader((tmp_path / "o" / "variants.csv").open()))
    first_try = [r for r in rows if r["tries"] == "1"]
    assert first_try
    for r in first_try:
        digest = hashlib.sha256(f"7:{r['id']}".encode()).digest()
        rng = np.random.default_rng(int.from_bytes(digest[:16], "big"))
        w1 = -1 + 0.25 * rng.integers(9)
        w2 = -1 + 0.25 * rng.integers(9)
        b1 = (0, 0.5, 1)[rng.integers(3)]
        y = 10 + rng.integers(21)
        eta = (0.01, 0.02)[rng.integers(2)]
        got = [float(r[k]) for k in ("W1", "parameters.W2", "b1", "data[0].y", "training.learning_rate")]
        assert got == [w1, w2, b1, y, eta]


def test_sigmoid_variants_are_not_saturated(tmp_path):
    path = problem(tmp_path, "q4.yaml", Q4_VARIANTS)
    result = run("variants", path, "--count", 6, "--seed", 3, "-o", tmp_path / "o", "--no-pdf")
    assert result.exit_code == 0, result.output
    for sid in range(1, 7):
        p = yaml.safe_load((tmp_path / "o" / str(sid) / "problem.yaml").read_text())
        w, ex = p["parameters"], p["data"][0]
        h1 = sigmoid(w["w1"] * ex["i1"] + w["w2"] * ex["i2"] + w["b1"])
        h2 = sigmoid(w["w3"] * ex["i1"] + w["w4"] * ex["i2"] + w["b1"])
        o1 = sigmoid(w["w5"] * h1 + w["w6"] * h2 + w["b2"])
        o2 = sigmoid(w["w7"] * h1 + w["w8"] * h2 + w["b2"])
        assert all(0.1 <= v <= 0.9 for v in (h1, h2, o1, o2))


def test_constraints_that_cannot_be_met_say_so(tmp_path):
    impossible = RELU_VARIANTS.replace("min_gradient: 1e-3", "min_gradient: 1e9").replace(
        "seed: 7", "tries: 5"
    )
    path = problem(tmp_path, "relu_regression.yaml", impossible)
    result = run("variants", path, "--count", 2, "--seed", 1, "-o", tmp_path / "o", "--no-pdf")
    assert result.exit_code == 2
    appended = impossible.split("\n").index("  require: {no_dead_relu: true, min_gradient: 1e9}")
    line = (PROBLEMS / "relu_regression.yaml").read_text().count("\n") + appended + 1
    assert f"p.yaml:{line}: variants.require: no variant for student '1' meets" in result.output
    assert "'min_gradient' failed" in result.output and "in 5 tries" in result.output


def test_bad_variants_sections_name_the_field_and_line(tmp_path):
    lines = (PROBLEMS / "relu_regression.yaml").read_text().count("\n")
    cases = [
        ("    W9: [1, 2]", "variants.vary.W9: parameters has no 'W9'"),
        ("    data[5].x1: [1, 2]", "variants.vary.data[5].x1: data has no 5"),
        ("    loss.kind: [1, 2]", "is 'sse', not a number"),
        ("    W1: {from: 1, to: 0, step: 1}", "'from' (1) is above 'to' (0)"),
        ("    W1: {from: 0, to: 1}", "a range needs a step"),
        ("    W1: {from: 0, to: 1, stp: 1}", "unknown key 'stp'"),
        ("    W1: [1, x]", "variants.vary.W1[1]: expected a number"),
        ("    W1: 3", "expected a list of choices"),
    ]
    for entry, message in cases:
        path = tmp_path / "bad.yaml"
        path.write_text((PROBLEMS / "relu_regression.yaml").read_text() + f"variants:\n  vary:\n{entry}\n")
        result = run("variants", path, "--count", 1, "--seed", 1, "-o", tmp_path / "o", "--no-pdf")
        assert result.exit_code == 2, entry
        assert f"bad.yaml:{lines + 3}" in result.output and message in result.output, (entry, result.output)
    (tmp_path / "none.yaml").write_text((PROBLEMS / "q4.yaml").read_text())
    result = run("variants", tmp_path / "none.yaml", "--count", 1, "--seed", 1, "-o", tmp_path / "o")
    assert result.exit_code == 2 and "no 'variants' section" in result.output
    path = problem(tmp_path, "relu_regression.yaml", RELU_VARIANTS.replace("  seed: 7\n", ""))
    result = run("variants", path, "--count", 1, "-o", tmp_path / "o", "--no-pdf")
    assert result.exit_code == 2 and "give --seed" in result.output


def test_bad_rosters_are_clear_errors(tmp_path):
    path = problem(tmp_path, "relu_regression.yaml", RELU_VARIANTS)
    cases = [
        (
            "name,mail\nAnn,a@x\n",
            "roster.csv:1: no id column; the header needs one of id, sid, student_id, email",
        ),
        ("id,name\n1,Ann\n\n1,Bob\n", "roster.csv:4: id: '1' is the same student"),
        ("sid,name\n1,Ann\n,Bob\n", "roster.csv:3: sid: the student on this line has no id"),
        ("id\n", "roster.csv:1: the roster lists no students"),
        ("", "roster.csv:1: empty roster"),
        ("id\na b\na_b\n", "roster.csv:3: id: 'a_b' is the same student (or file name)"),
    ]
    for text, message in cases:
        (tmp_path / "roster.csv").write_text(text)
        result = run("variants", path, "--roster", tmp_path / "roster.csv", "-o", tmp_path / "o", "--no-pdf")
        assert result.exit_code == 2 and message in result.output, (text, result.output)
    result = run("variants", path, "-o", tmp_path / "o")
    assert result.exit_code == 2 and "either --roster" in result.output


def test_a_class_roster_gets_a_folder_per_student_titled_with_their_name(tmp_path):
    """25 students from a roster with names and emails (the time a class of 200 takes is
    bench/bench_variants.py's: speed is measured there, not asserted here)."""
    path = problem(tmp_path, "relu_regression.yaml", RELU_VARIANTS)
    (tmp_path / "roster.csv").write_text(
        "Student_ID,Name,Email\n" + "".join(f"s{i},Student {i},s{i}@uni.edu\n" for i in range(25))
    )
    result = run("variants", path, "--roster", tmp_path / "roster.csv", "-o", tmp_path / "o", "--no-pdf")
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "o").glob("*/problem.yaml"))) == 25
    assert "Student 7" in (tmp_path / "o" / "s7" / "key.md").read_text()  # the title says whose it is


def _sheet(sid: str, p: dict) -> str:
    """A sheet of forward values and updates, from the plain-Python working of the variant."""
    pre, _ = relu_run(p)
    lines = [f"# student: {sid}"]
    for t, e in enumerate(pre, 1):
        lines += [f'"{k}@{t}": {v:.6f}' for k, v in e.items()]
    return "\n".join(lines) + "\n"


def test_check_with_a_roster_grades_each_sheet_against_its_own_variant(tmp_path):
    path = problem(tmp_path, "relu_regression.yaml", RELU_VARIANTS)
    (tmp_path / "roster.csv").write_text("id,name\nann,Ann\nbob,Bob\n")
    assert (
        run("variants", path, "--roster", tmp_path / "roster.csv", "-o", tmp_path / "o", "--no-pdf").exit_code
        == 0
    )
    variants = {s: yaml.safe_load((tmp_path / "o" / s / "problem.yaml").read_text()) for s in ("ann", "bob")}
    (tmp_path / "ann.yaml").write_text(_sheet("ann", variants["ann"]))
    (tmp_path / "bob.yaml").write_text(_sheet("bob", variants["bob"]).split("\n", 1)[1])  # found by its name
    (tmp_path / "copied.yaml").write_text(_sheet("bob", variants["ann"]))  # Ann's numbers, handed in as Bob
    args = ["check", path, "--roster", tmp_path / "roster.csv", "-f", "json", "--csv", tmp_path / "g.csv"]
    result = run(*args, tmp_path / "ann.yaml", tmp_path / "bob.yaml", tmp_path / "copied.yaml")
    assert result.exit_code == 1, result.output
    rows = {r["sheet"]: r for r in csv.DictReader((tmp_path / "g.csv").open())}
    assert rows[str(tmp_path / "ann.yaml")]["student"] == "ann"
    assert rows[str(tmp_path / "bob.yaml")]["student"] == "bob"
    for sheet in ("ann", "bob"):
        row = rows[str(tmp_path / f"{sheet}.yaml")]
        assert row["right"] == row["answered"] == "20"
    assert rows[str(tmp_path / "copied.yaml")]["own_errors"] != "0"
    (tmp_path / "stranger.yaml").write_text("# student: eve\n")
    result = run("check", path, "--roster", tmp_path / "roster.csv", tmp_path / "stranger.yaml")
    assert (
        result.exit_code == 2
        and "student 'eve' (its '# student:' line) is not on the roster" in result.output
    )


def test_worksheet_and_key_are_pdfs_with_pdflatex_and_markdown_without(tmp_path, monkeypatch):
    path = problem(tmp_path, "relu_regression.yaml", RELU_VARIANTS)
    assert shutil.which("pdflatex") or not under_ci(), "the PDF worksheets need pdflatex (texlive-latex-base)"
    if shutil.which("pdflatex"):
        assert run("variants", path, "--count", 1, "-o", tmp_path / "pdf").exit_code == 0
        for name in ("worksheet.pdf", "key.pdf"):
            assert (tmp_path / "pdf" / "1" / name).read_bytes().startswith(b"%PDF")
    monkeypatch.setattr("backtutor.render.documents.pdf.shutil.which", lambda name: None)
    result = run("variants", path, "--count", 1, "-o", tmp_path / "md")
    assert result.exit_code == 0 and "Markdown documents" in result.output
    assert (tmp_path / "md" / "1" / "key.md").exists() and not (tmp_path / "md" / "1" / "key.pdf").exists()


def test_the_bundled_class_problem_makes_variants_that_meet_its_constraints(tmp_path):
    path = PROBLEMS / "relu_class.yaml"
    assert run("variants", path, "--count", 5, "-o", tmp_path / "class", "--no-pdf").exit_code == 0
    for sid in (f"{i}" for i in range(1, 6)):
        p = yaml.safe_load((tmp_path / "class" / sid / "problem.yaml").read_text())
        pre, grads = relu_run(p)
        assert all(e["z_h"] > 0 and e["z_y_hat"] > 0 for e in pre)  # no_dead_relu
        assert all(abs(g) >= 1e-3 for e in grads for g in e.values())  # min_gradient 1e-3
        assert p["training"]["learning_rate"] in (0.01, 0.02)


def test_class_folders_are_never_overwritten_and_check_finds_the_sheets_in_them(tmp_path):
    path, out = PROBLEMS / "relu_class.yaml", tmp_path / "class"
    (tmp_path / "roster.csv").write_text("id\ns1\ns2\n")
    assert run("variants", path, "--roster", tmp_path / "roster.csv", "-o", out, "--no-pdf").exit_code == 0
    again = run("variants", path, "--roster", tmp_path / "roster.csv", "-o", out, "--no-pdf")
    assert again.exit_code == 2 and "not empty" in again.output  # returned answers are never wiped
    graded = run("check", path, "--roster", tmp_path / "roster.csv", out, "-f", "json")
    assert graded.exit_code == 1  # two blank sheets, found in the students' folders
    assert {r["sheet"] for r in json.loads(graded.output)} == {
        str(out / s / "answers.yaml") for s in ("s1", "s2")
    }


def test_a_file_with_variants_is_not_graded_without_its_roster(tmp_path):
    sheet = tmp_path / "a.yaml"
    sheet.write_text('"z_h@1": 3.5\n')
    result = run("check", PROBLEMS / "relu_class.yaml", sheet)
    assert result.exit_code == 2 and "give --roster" in result.output


def test_ids_that_differ_only_in_case_are_one_student(tmp_path):
    (tmp_path / "roster.csv").write_text("id\nS001\ns001\n")
    result = run(
        "variants", PROBLEMS / "relu_class.yaml", "--roster", tmp_path / "roster.csv", "-o", tmp_path / "o"
    )
    assert result.exit_code == 2 and "same student" in result.output


def test_a_sheet_copied_from_a_classmate_is_named_as_such(tmp_path):
    path, out = PROBLEMS / "relu_class.yaml", tmp_path / "class"
    (tmp_path / "roster.csv").write_text("id\ns1\ns2\ns3\n")
    assert run("variants", path, "--roster", tmp_path / "roster.csv", "-o", out, "--no-pdf").exit_code == 0
    s1 = yaml.safe_load((out / "s1" / "problem.yaml").read_text())
    pre, grads = relu_run(s1)  # s1's numbers, worked here: the sheet s2 hands in
    numbers = {f"z_h@{k}": e["z_h"] for k, e in enumerate(pre, 1)}
    numbers |= {f"y_hat@{k}": e["y_hat"] for k, e in enumerate(pre, 1)}
    numbers |= {f"dE/dW1@{k}": g["W1"] for k, g in enumerate(grads, 1)}
    (out / "s2" / "answers.yaml").write_text(
        "# student: s2\n" + "".join(f'"{k}": {v:.6g}\n' for k, v in numbers.items())
    )
    graded = run(
        "check", path, "--roster", tmp_path / "roster.csv", out, "-f", "json", "--csv", tmp_path / "g.csv"
    )
    notes = {r["sheet"].split("/")[-2]: r["note"] for r in json.loads(graded.output)}
    assert notes == {"s1": None, "s2": "its numbers are student s1's variant, not s2's (copied?)", "s3": None}
    assert "s1's variant" in (tmp_path / "g.csv").read_text()


def test_a_constraint_about_units_the_network_lacks_is_an_error(tmp_path):
    variants = (
        "variants:\n  vary:\n    w1: {from: 0.1, to: 0.5, step: 0.05}\n  require: {no_dead_relu: true}\n"
    )
    path = problem(tmp_path, "q4.yaml", variants)  # sigmoid units only
    result = run("variants", path, "--count", 1, "--seed", 1, "--no-pdf", "-o", tmp_path / "o")
    assert result.exit_code == 2
    assert "variants.require.no_dead_relu: no_dead_relu is about relu units, and this network has none" in (
        result.output
    )
