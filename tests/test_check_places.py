"""Where each answer was written, and the lines no step was found for, in every report format.

The answers are placed by hand (as a write-up's reader places them) and their verdicts derived by hand
from the published q4 figures (M. Mazur, "A Step by Step Backpropagation Example", 2015): out_h1 =
0.593269992 (0.5933 is right), ∂E_total/∂w5 = 0.082167041 (0.0823 is not), and w5+ = 0.4 − 0.5 · 0.0823
= 0.35885 follows from that wrong gradient (carried forward from it).
"""

import csv
import dataclasses
import io
import json

import pytest
from rich.console import Console

import backtutor
from backtutor.check import Checker
from backtutor.check.places import Place, Unmatched
from backtutor.check.sheet import parse_answer
from backtutor.render.reports.csv import reports_csv
from backtutor.render.reports.gradescope import results
from backtutor.render.reports.html import render_reports_html
from backtutor.render.reports.json import render_reports
from backtutor.render.reports.markdown import render_reports_markdown
from backtutor.render.terminal.report import render_report

from .conftest import PROBLEMS

WRITTEN = [("out_h1", "0.5933", 3), ("dE_total/dw5", "0.0823", 7), ("w5+", "0.35885", 12)]
HOSTILE = "E = 0.2984 <script>x</script> | =1+1 \x1b[31m"
UNMATCHED = (
    Unmatched(Place("hw.md", 9), HOSTILE, "ambiguous", ("E_o1", "E_total")),
    Unmatched(Place("hw.md", 14), "b2 = 0.6b", "could not read"),
    Unmatched(Place("hw.md", 2, cell=4), "lr = 0.5", "not recognised"),
)


@pytest.fixture(scope="module")
def graded():
    sol = backtutor.solve(PROBLEMS / "q4.yaml")
    answers = [dataclasses.replace(parse_answer(i, w, sol), where=Place("hw.md", n)) for i, w, n in WRITTEN]
    return sol, Checker(sol).grade(answers, "hw.md", UNMATCHED)


def test_each_verdict_is_where_its_answer_was_written(graded):
    _, report = graded
    assert [(v.id, v.status, str(v.where)) for v in report.verdicts] == [
        ("out_h1", "right", "hw.md:3"),
        ("dE_total/dw5", "wrong", "hw.md:7"),
        ("w5+", "carried", "hw.md:12"),
    ]
    assert report.verdicts[2].source == "dE_total/dw5" and report.unmatched == UNMATCHED
    assert str(UNMATCHED[2].where) == "hw.md cell 4, line 2"


def test_a_class_sharing_verdicts_keeps_each_sheets_places(graded):
    """Right verdicts are shared across a class (grade.py's fast path): each sheet still gets its own."""
    sol, _ = graded
    checker = Checker(sol)
    for name in ("a.md", "b.md"):  # the second is all known: graded by the fast path
        answers = [
            dataclasses.replace(parse_answer(i, w, sol), where=Place(name, n)) for i, w, n in WRITTEN[:1] * 2
        ]
        report = checker.grade(answers, name)
        assert [str(v.where) for v in report.verdicts] == [f"{name}:3", f"{name}:3"]


def test_nothing_recognised_says_so(graded):
    sol, _ = graded
    report = Checker(sol).grade([], "hw.md", UNMATCHED)
    assert report.summary == "nothing recognised: no answer found (3 lines with a number not graded)"
    assert "0/0" not in Checker(sol).grade([], "empty.md").summary


def test_terminal(graded):
    _, report = graded
    console = Console(width=200, record=True, file=io.StringIO(), highlight=False)
    console.print(render_report(report))
    out = console.export_text()
    assert "hw.md\n" in out  # the sheet's name heads its report; each place is in it
    assert "0.0823 ✗ wrong (expected 0.0821670406)" in out and "(line 7)" in out
    assert "first error: dE_total/dw5 (" in out
    assert "line 9: ambiguous: it could be E_o1, E_total: E = 0.2984" in out
    assert "cell 4, line 2: not recognised: lr = 0.5" in out
    assert "\x1b" not in out and "\\x1b[31m" in out  # the sheet's escape sequence shown, not run


def test_markdown(graded):
    sol, report = graded
    out = render_reports_markdown([report], sol)
    assert "| where | id | your answer | expected | verdict | explanation |" in out
    assert "| hw.md:12 | `w5+` | 0.35885 | 0.35891648 | ↪ carried |" in out
    assert "- hw.md:14: could not read: `b2 = 0.6b`" in out
    code = "`E = 0.2984 <script>x</script> \\| =1+1 \\x1b[31m`"  # verbatim in a code span
    assert f"- hw.md:9: ambiguous: it could be E\\_o1, E\\_total: {code}" in out


def test_html(graded):
    sol, report = graded
    out = render_reports_html([report], sol)
    assert "<td>hw.md:7</td><td><code>dE_total/dw5</code></td><td>0.0823</td>" in out
    assert (
        "<li>hw.md:9: ambiguous: it could be E_o1, E_total: <code>E = 0.2984 &lt;script&gt;x&lt;/script&gt;"
        in out
    )
    assert "<script>" not in out


def test_json(graded):
    _, report = graded
    doc = json.loads(render_reports([report]))
    assert doc["verdicts"][1]["where"] == {"file": "hw.md", "line": 7, "cell": None}
    assert doc["first_error"]["where"] == {"file": "hw.md", "line": 7, "cell": None}
    assert doc["unmatched"][0] == {
        "where": {"file": "hw.md", "line": 9, "cell": None},
        "text": HOSTILE,
        "why": "ambiguous",
        "candidates": ["E_o1", "E_total"],
    }
    assert doc["unmatched"][2]["where"] == {"file": "hw.md", "line": 2, "cell": 4}


def test_csv(graded):
    sol, report = graded
    (row,) = csv.DictReader(io.StringIO(reports_csv([report], [s.id for s in sol.steps])))
    assert row["first_error"] == "dE_total/dw5" and row["first_error_where"] == "hw.md:7"
    assert row["not_graded"] == "3" and row["w5+"] == "carried"


def test_gradescope(graded):
    sol, report = graded
    data = results(report, sol)
    tests = {t["name"]: t["output"] for t in data["tests"]}
    assert tests["w5+"].startswith("↪ carried: your answer 0.35885 (hw.md:12). method right")
    assert "First error of your own: dE_total/dw5 (hw.md:7)" in data["output"]
    assert "  hw.md:14: could not read: b2 = 0.6b" in data["output"]
    assert "\x1b" not in data["output"]
