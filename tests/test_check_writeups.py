"""`check` on free-text write-ups (.md, .tex, .txt, .ipynb) wherever a sheet is accepted: one sheet, a
folder, `--roster`, the Gradescope autograder; the marked copy; bad files; nothing recognised.

Verdicts are derived by hand from the published q4 figures (M. Mazur, "A Step by Step
Backpropagation Example", 2015): out_h1 = 0.593269992 (0.5933 right), ∂E_total/∂w5 = 0.082167041
(0.0822 right, 0.0823 wrong), w5+ = 0.35891648, and 0.4 − 0.5 · 0.0823 = 0.35885 follows from the
wrong gradient (carried forward from it); E alone could be E_o1, E_o2 or E_total (ambiguous).
"""

import csv
import json
import subprocess
import sys

import nbformat
import pytest
import yaml
from typer.testing import CliRunner

from backtutor.cli.app import app
from backtutor.cli.gradescope import autograde

from .conftest import PROBLEMS
from .test_variants import RELU_VARIANTS, problem, relu_run

runner = CliRunner()
Q4 = PROBLEMS / "q4.yaml"
HOMEWORK = """# Homework 3

Forward pass:

$$out_{h1} = \\sigma(net_{h1}) = 0.5933$$

Backward pass:

$$\\frac{\\partial E_{total}}{\\partial w_5} = 0.0823$$

$$w_5^+ = w_5 - \\eta \\frac{\\partial E_{total}}{\\partial w_5} = 0.4 - 0.5 \\times 0.0823 = 0.35885$$

E = 0.2984
"""
TEX = """\\documentclass{article}
\\begin{document}
\\begin{align*}
out_{h1} &= 0.5933 \\\\
\\frac{\\partial E_{total}}{\\partial w_5} &= 0.0822
\\end{align*}
\\end{document}
"""


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def notebook() -> str:
    """A notebook as a student hands it in: a code cell, then the answers in a Markdown cell (cell 2)."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import numpy as np"),
        nbformat.v4.new_markdown_cell(
            "## Answers\n$$out_{h1} = 0.5933$$\n$$\\partial E/\\partial w_5 = 0.0823$$"
        ),
    ]
    return nbformat.writes(nb)


def test_one_writeup_each_verdict_at_its_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # short places: the terminal wraps at 80 columns
    path = tmp_path / "hw.md"
    path.write_text(HOMEWORK)
    path = path.relative_to(tmp_path)
    result = run("check", Q4, path)
    assert result.exit_code == 1, result.output  # a wrong answer
    out = result.stdout
    assert out.startswith(f"{path}\n")
    assert "0.5933 ✓ right (line 5)" in out
    assert "0.0823 ✗ wrong (expected 0.0821670406)" in out and "(line 9)" in out
    assert "line 13: ambiguous: it could be E_o1, E_o2, E_total: E = 0.2984" in out


def test_the_marked_copy_in_markdown_and_html(tmp_path):
    path = tmp_path / "hw.md"
    path.write_text(HOMEWORK)
    result = run("check", Q4, path, "-f", "markdown", "-o", tmp_path / "marked.md")
    assert result.exit_code == 1 and result.stdout == ""
    marked = (tmp_path / "marked.md").read_text().split("\n")
    marks = [line for line in marked if line.startswith(">")]
    assert marks[1].startswith("> ✗ `dE_total/dw5` = 0.0823: expected 0.0821670406; wrong — no single slip")
    assert marks[:1] + marks[2:] == [
        "> ✓ `out_h1` = 0.5933: right",
        "> ↷ `w5+` = 0.35885: carried forward from the error in dE\\_total/dw5 (line 9); expected 0.35891648",
        "> · not graded: ambiguous: it could be E\\_o1, E\\_o2, E\\_total",
    ]
    numbered = [line for line in marked if line[:2].strip().isdigit()]  # the document, every line
    assert [line[4:] for line in numbered] == HOMEWORK.rstrip("\n").split("\n")
    assert "- line 13: ambiguous: it could be E\\_o1, E\\_o2, E\\_total: `E = 0.2984`" in marked
    assert run("check", Q4, path, "-f", "html", "-o", tmp_path / "marked.html").exit_code == 1
    page = (tmp_path / "marked.html").read_text()
    assert page.count('<p class="mark') == 4 and '<p class="mark carried">↷ <code>w5+</code>' in page


def test_a_class_of_writeups_and_a_broken_one(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "ann.md").write_text(HOMEWORK)
    (folder / "bad.ipynb").write_text('{"cells": [')
    (folder / "cat.yaml").write_text('"out_h1": 0.5933\n')
    (folder / "dan.tex").write_text(TEX)
    (folder / "eve.ipynb").write_text(notebook())
    (folder / "notes.csv").write_text("not a sheet, 0.5\n")  # not a sheet's suffix: not read
    result = run("check", Q4, folder, "--csv", tmp_path / "g.csv", "-f", "json")
    assert result.exit_code == 2  # one sheet could not be read; the others are graded
    assert result.stderr.count("bad.ipynb") == 1 and "not valid JSON" in result.stderr
    rows = {r["sheet"].rpartition("/")[2]: r for r in csv.DictReader((tmp_path / "g.csv").open())}
    assert set(rows) == {"ann.md", "cat.yaml", "dan.tex", "eve.ipynb"}
    assert (
        rows["ann.md"]["first_error_where"] == f"{folder / 'ann.md'}:9"
        and rows["ann.md"]["not_graded"] == "1"
    )
    assert rows["dan.tex"]["right"] == rows["dan.tex"]["answered"] == "2"  # lines 4 and 5 of the align*
    assert rows["eve.ipynb"]["first_error"] == "dE_total/dw5"
    docs = {d["sheet"].rpartition("/")[2]: d for d in json.loads(result.stdout)}
    assert [v["where"] for v in docs["eve.ipynb"]["verdicts"]] == [
        {"file": str(folder / "eve.ipynb"), "line": 2, "cell": 2},
        {"file": str(folder / "eve.ipynb"), "line": 3, "cell": 2},
    ]
    assert [v["where"]["line"] for v in docs["dan.tex"]["verdicts"]] == [4, 5]


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("bad.ipynb", b'{"cells": [', "not valid JSON"),
        ("bad.ipynb", b'{"cells": 3}', "not a valid Jupyter notebook"),
        ("bad.md", b"\x89PNG\r\n\x1a\n\x00\x00", ""),
        ("bad.tex", b"caf\xe9 = 0.5\n", ""),
    ],
)
def test_a_bad_writeup_alone_is_one_message_and_exit_2(tmp_path, name, content, why):
    path = tmp_path / name
    path.write_bytes(content)
    result = run("check", Q4, path, "-f", "markdown", "-o", tmp_path / "marked.md")
    assert result.exit_code == 2 and not (tmp_path / "marked.md").exists()
    assert result.stderr.startswith(f"error: {path}") and why in result.stderr
    assert "Traceback" not in result.output and len(result.stderr.strip().split("\n")) == 1


def test_nothing_recognised_says_so_and_exits_1(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "empty.txt"
    path.write_text("I did not finish: 3 of the 5 questions are missing.\n")
    result = run("check", Q4, path.name)
    assert result.exit_code == 1
    assert "nothing recognised: no answer found (1 line with a number not graded)" in result.stdout
    assert "0/0" not in result.stdout
    doc = json.loads(run("check", Q4, path, "-f", "json").stdout)
    assert doc["total"] == 0 and doc["unmatched"][0]["why"] == "not recognised"


def test_the_autograder_grades_a_writeup(tmp_path):
    assert run("export", "gradescope", Q4, "-o", tmp_path / "autograder.zip").exit_code == 0
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    (root / "source" / "autograder.json").write_text(
        '{"problem": "problem.yaml", "roster": null, "seed": null}'
    )
    (root / "source" / "problem.yaml").write_bytes(Q4.read_bytes())
    (root / "submission").mkdir()
    (root / "submission" / "homework.ipynb").write_text(notebook())
    data = autograde(root)
    tests = {t["name"]: t for t in data["tests"]}
    assert data["score"] == 1 and tests["out_h1"]["output"].endswith("/homework.ipynb cell 2, line 2)")
    assert "First error of your own: dE_total/dw5" in data["output"]
    (root / "submission" / "answers.md").write_text(HOMEWORK)  # two sheets: answers.* is the one
    data = autograde(root)
    assert data["score"] == 2  # out_h1 right, w5+ carried forward: the error counted once
    assert "E = 0.2984" in data["output"]  # the line not graded, listed


def test_roster_writeups_each_against_its_own_variant(tmp_path):
    path = problem(tmp_path, "relu_regression.yaml", RELU_VARIANTS)
    (tmp_path / "roster.csv").write_text("id,name\nann,Ann\nbob,Bob\n")
    args = ["variants", path, "--roster", tmp_path / "roster.csv", "-o", tmp_path / "o", "--no-pdf"]
    assert run(*args).exit_code == 0
    for sid, head in (("ann", "# student: ann\n"), ("bob", "")):  # bob's found by the file's name
        pre, _ = relu_run(yaml.safe_load((tmp_path / "o" / sid / "problem.yaml").read_text()))
        lines = [
            f"## Update {t}\n" + "".join(f"- {k} = {v:.6f}\n" for k, v in e.items())
            for t, e in enumerate(pre, 1)
        ]
        (tmp_path / f"{sid}.md" if sid == "bob" else tmp_path / "ann_homework.md").write_text(
            head + "".join(lines)
        )
    sheets = [tmp_path / "ann_homework.md", tmp_path / "bob.md"]
    result = run("check", path, "--roster", tmp_path / "roster.csv", *sheets, "--csv", tmp_path / "g.csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((tmp_path / "g.csv").open()))
    assert [r["student"] for r in rows] == ["ann", "bob"]
    assert all(r["right"] == r["answered"] == "20" and r["not_graded"] == "0" for r in rows)


def test_a_notebook_handed_back_marked_cell_by_cell(tmp_path):
    path = tmp_path / "homework.ipynb"
    path.write_text(notebook())
    assert run("check", Q4, path, "-f", "markdown", "-o", tmp_path / "marked.md").exit_code == 1
    marked = (tmp_path / "marked.md").read_text()
    cell2 = marked[marked.index("## Cell 2") :].split("\n")
    assert cell2[2:6] == ["```text", "1  ## Answers", "2  $$out_{h1} = 0.5933$$", "```"]
    assert cell2[7] == "> ✓ `out_h1` = 0.5933: right"
    assert cell2[13].startswith("> ✗ `dE_total/dw5` = 0.0823: expected 0.0821670406")
    assert "## Cell 1" in marked and "import numpy as np" in marked  # the code cell, as read


def test_a_class_of_yaml_sheets_does_not_load_the_write_up_reader() -> None:
    """The reader's regexes are compiled when a write-up is first read, not by every `check`."""
    code = "import sys, backtutor.check.batch; print('backtutor.check.writeup.read' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
