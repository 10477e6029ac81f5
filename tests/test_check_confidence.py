"""check (issue #23): each error of the student's own says how sure its diagnosis is (one slip explains
it, several do, or none), in every report format and in JSON.

The sheet is q4 with Mazur's ∂E/∂w5 = 0.082167041 written with its sign flipped (one slip: `sign`) and
out_o2 = 0.772928465 written 0.8123 (no rule reproduces it), as in tests/test_check.py.
"""

import csv
import dataclasses
import io
import json

import pytest
from typer.testing import CliRunner

from backtutor.check import Verdict
from backtutor.cli.app import app

from .conftest import PROBLEMS

runner = CliRunner()
Q4 = PROBLEMS / "q4.yaml"
SHEET = '"out_o2": 0.8123\n"dE_total/dw5": -0.0822\n'


@pytest.fixture(scope="module")
def sheet(tmp_path_factory):
    path = tmp_path_factory.mktemp("confidence") / "sheet.yaml"
    path.write_text(SHEET, encoding="utf-8")
    return str(path)


def check(*args: str) -> str:
    result = runner.invoke(app, ["check", str(Q4), *args])
    assert result.exit_code == 1, result.output
    return result.output


def test_json_gives_each_own_errors_confidence_and_candidates(sheet):
    doc = json.loads(check(sheet, "-f", "json"))
    verdicts = {v["id"]: v for v in doc["verdicts"]}
    assert (verdicts["dE_total/dw5"]["slip"], verdicts["dE_total/dw5"]["confidence"]) == ("sign", "one slip")
    assert (verdicts["out_o2"]["slip"], verdicts["out_o2"]["confidence"]) == ("", "none")
    assert verdicts["out_o2"]["candidates"] == []
    assert doc["first_error"]["confidence"] == "none"


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "html", "gradescope"])
def test_every_text_format_says_how_sure(sheet, fmt):
    out = " ".join(check(sheet, "-f", fmt).split())  # the terminal wraps its lines
    assert "one slip explains it" in out and "no single slip explains it" in out


def test_the_csv_gives_the_first_errors_confidence(sheet, tmp_path):
    grades = tmp_path / "grades.csv"
    check(sheet, "--csv", str(grades))
    (row,) = csv.DictReader(io.StringIO(grades.read_text(encoding="utf-8")))
    assert (row["first_error"], row["first_error_confidence"]) == ("out_o2", "none")


def test_several_candidates_are_listed_and_escaped():
    v = Verdict("w5+", "0.3", "0.3589", "wrong", "x", confidence="several", candidates=("sign", "<b>"))
    assert v.diagnosis == "several slips explain it: sign, <b>"
    from backtutor.render.reports.html import sheet_html

    said = [line for line in sheet_html(_report(v), _q4()) if "several slips explain it" in line]
    assert said and all("<b>" not in line and "&lt;b&gt;" in line for line in said)


def _q4():
    import backtutor

    return backtutor.solve(Q4)


def _report(v: Verdict):
    from backtutor.check import Report

    return Report("s", (v,), v)


def _wrong(i: str, slip: str = "", told: str = "", listed: tuple[tuple[str, str], ...] = ()) -> Verdict:
    names, texts = tuple(n for n, _ in listed), tuple(t for _, t in listed)
    return Verdict(i, "1", "2", "wrong", told, slip, candidates=names, told=texts)


def test_misconceptions_count_what_the_student_is_told_not_the_slips_name():
    """η left out and 2 left out are both `missing_factor` but two misconceptions; 2 left out listed
    once as missing_factor and once as factor_two is one; errors no slip explains count once between
    them (the checker cannot tell them apart)."""
    from backtutor.check.misconceptions import Seen
    from backtutor.check.verdicts import distinct

    eta, two = "left out the factor η (the learning rate)", "left out the factor 2"
    sheet = [
        _wrong("a", listed=(("input_missing", "left out the input"), ("missing_factor", two))),
        _wrong(
            "b",
            listed=(("missing_factor", f"{two} (in dE/dy, which you did not write)"), ("factor_two", "x")),
        ),
        _wrong("c", "missing_factor", eta),
        _wrong("d", "factor_two", "x"),
        _wrong("e"),
        _wrong("f"),
    ]
    seen = Seen()
    again = [seen.again(v) for v in sheet]
    assert again == ["", "a", "", "b", "", ""]
    assert distinct(dataclasses.replace(v, again=a) for v, a in zip(sheet, again, strict=True)) == 3
