"""The printable worksheet and blank documents (issue #24): the worksheet PDF compiled once for the
module, its pages rendered with pdftoppm, its QR codes decoded with zbarimg and its text read with
pdftotext (Debian: poppler-utils, zbar-tools); then searched for every computed value of the key."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backtutor.cli.app import app
from backtutor.engine.formula import latex, text
from backtutor.problem.load import load
from backtutor.render.formats import find
from backtutor.solution import Solution, solve_by_hand
from backtutor.solution.asked import asked
from backtutor.solution.gradient_forms import closed_forms

from .conftest import PROBLEMS

runner = CliRunner()
PROBLEM = PROBLEMS / "relu_regression.yaml"  # two online updates: a question's boxes span pages
# a roster id is untrusted: LaTeX specials, a command that would read a file, letters set by commands
HOSTILE = r"Ødegård & Co_#1 $x$ \input{/etc/passwd} 50% ~^{}"
VARIANT = "B-7"


@dataclass(frozen=True)
class Sheet:
    pdf: Path
    pages: list[Path]  # each page as a PNG
    text: list[str]  # each page's text


def _tool(name: str) -> str:
    exe = shutil.which(name)
    if exe is None:
        pytest.skip(f"{name} is not installed (Debian: poppler-utils, zbar-tools; .ci/run installs them)")
    return exe


def _run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def solution() -> Solution:
    return solve_by_hand(load(PROBLEM))


@pytest.fixture(scope="module")
def sheet(tmp_path_factory: pytest.TempPathFactory) -> Sheet:
    for tool in ("pdflatex", "dot", "pdftoppm", "pdftotext", "zbarimg"):
        _tool(tool)
    folder = tmp_path_factory.mktemp("worksheet")
    pdf = folder / "sheet.pdf"
    args = ["worksheet", str(PROBLEM), "-o", str(pdf), "--student", HOSTILE, "--variant", VARIANT]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    _run("pdftoppm", "-r", "100", "-gray", "-png", str(pdf), str(folder / "page"))
    text = unicodedata.normalize("NFC", _run("pdftotext", "-layout", str(pdf), "-")).split("\f")
    return Sheet(pdf, sorted(folder.glob("page-*.png")), [t for t in text if t.strip()])


def test_every_page_carries_a_qr_code_of_the_student_and_the_variant(sheet: Sheet) -> None:
    assert len(sheet.pages) == len(sheet.text) > 2  # the sheet runs over several pages
    for page in sheet.pages:
        decoded = _run("zbarimg", "--raw", "-q", str(page)).strip()
        assert json.loads(decoded) == {"student": HOSTILE, "variant": VARIANT}, page.name


def extracted(s: str) -> str:
    """Text as pdftotext reads it back from LaTeX's default (OT1) fonts, which draw `_` as a rule (read
    as a space) and set `~` and `^` as accents over nothing."""
    return s.replace("_", " ").replace("~", "˜").replace("^", "ˆ")


def test_the_student_id_is_printed_as_written_never_run(sheet: Sheet) -> None:
    for page in sheet.text:
        assert f"Student: {extracted(HOSTILE)}\nVariant: {VARIANT}" in page
    assert not any("root:" in t for t in sheet.text)  # \input read nothing


def test_a_box_per_asked_quantity_grouped_by_question_with_its_points(
    sheet: Sheet, solution: Solution
) -> None:
    text = "\n".join(sheet.text)
    questions = asked(solution)
    assert questions
    position = 0
    for q in questions:
        heading = re.search(rf"{re.escape(q.title)}\s+{float(q.points):g} points?", text[position:])
        assert heading, q.title
        position += heading.end()
        for step_id in map(extracted, q.steps):  # each box says the step's id, in working order
            found = text.find(step_id, position)
            assert found >= 0, step_id
            position = found + len(step_id)


def _printed(value: float) -> set[str]:
    """How a computed value may be printed: rounded to 2–9 significant figures, or to 1–6 decimals
    (Python's own formatting, not backtutor's), without its sign."""
    forms = {f"{abs(value):.{d}g}" for d in range(2, 10)} | {f"{abs(value):.{d}f}" for d in range(1, 7)}
    return {re.sub(r"(\.\d*?)0+$", r"\1", f).rstrip(".") for f in forms if "e" not in f}


def _given(sol: Solution) -> set[str]:
    p = sol.problem
    numbers = [*p.parameters.values(), *(v for row in p.data for v in row.values())]
    numbers += [p.training.learning_rate] if p.training else []
    return {form for v in numbers for form in _printed(float(v))}


def _leaks(sol: Solution, text: str) -> set[str]:
    """The printed forms of the solution's computed values found in `text`; a form that is also a
    given number, or a whole number of one or two digits (an update, a page), says nothing; nor does
    a number a letter follows (a length: 1.2ex, 0.75rem)."""
    found = set()
    given = _given(sol)
    for step in sol.steps:
        for form in _printed(step.value) - given:
            if not re.fullmatch(r"\d{1,2}", form) and re.search(
                rf"(?<![\w.]){re.escape(form)}(?!\w|\.\d)", text
            ):
                found.add(f"{step.id}: {form}")
    return found


def _words(kind: str, doc: str) -> str:
    """A document's text: an HTML page without its tags and style sheet (0.75rem is no answer)."""
    return re.sub(r"<style>.*?</style>|<[^>]+>", " ", doc, flags=re.S) if kind == "html" else doc


def test_no_computed_number_appears_on_the_worksheet(sheet: Sheet, solution: Solution) -> None:
    key = find("solve", "markdown").load()(solution, 9, list(solution.steps))  # the working, numbers in
    assert len(_leaks(solution, key)) > 20  # the search finds the key's numbers
    assert _leaks(solution, "\n".join(sheet.text)) == set()


@pytest.mark.parametrize("problem", ["q4", "relu_regression"])
@pytest.mark.parametrize("kind", ["markdown", "latex", "html", "json"])
def test_blank_documents_show_no_closed_form_and_no_computed_number(problem: str, kind: str) -> None:
    sol = solve_by_hand(load(PROBLEMS / f"{problem}.yaml"))
    render = find("solve", kind).load()
    doc = render(sol, 9, blank=True)
    assert _leaks(sol, _words(kind, doc)) == set()
    assert _leaks(sol, _words(kind, render(sol, 9, list(sol.steps))))  # as the key shows them: found
    assert "closed" not in doc.lower()  # no section, no JSON key
    forms = closed_forms(sol, simplify=False).forms
    assert forms
    for cf in forms:
        assert latex(cf.chain) not in doc and text(cf.chain) not in doc


def test_variants_write_a_paper_worksheet_per_student(tmp_path: Path) -> None:
    for tool in ("pdflatex", "dot", "pdftoppm", "pdftotext", "zbarimg"):
        _tool(tool)
    roster = tmp_path / "roster.csv"
    name = r"Zoë Brontë & {\relax} 100%"  # roster text: escaped, never run
    roster.write_text(f'id,name\ns-1,"{name}"\n', encoding="utf-8")
    out = tmp_path / "class"
    args = ["variants", str(PROBLEMS / "relu_class.yaml"), "--roster", str(roster), "--paper", "-o", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    paper = str(out / "s-1" / "paper.pdf")
    _run("pdftoppm", "-r", "100", "-gray", "-png", "-f", "1", "-l", "1", paper, str(tmp_path / "p"))
    (page,) = tmp_path.glob("p-*.png")
    code = json.loads(_run("zbarimg", "--raw", "-q", str(page)))
    assert code["student"] == "s-1" and re.fullmatch("[0-9a-f]{8}", code["variant"])
    text = unicodedata.normalize("NFC", _run("pdftotext", "-l", "1", paper, "-"))
    assert f"Student: s-1\nVariant: {code['variant']}\nName: {name}" in text


def test_bad_worksheet_requests_exit_2_and_write_nothing(tmp_path: Path) -> None:
    cases = [
        (["-o", str(tmp_path / "sheet.docx")], "write a .pdf"),
        (["-o", str(tmp_path / "sheet.pdf"), "--student", "x" * 201], "at most 200"),
    ]
    for extra, message in cases:
        result = runner.invoke(app, ["worksheet", str(PROBLEM), *extra])
        assert result.exit_code == 2 and message in result.output, result.output
    args = ["variants", str(PROBLEMS / "relu_class.yaml"), "--count", "1", "--paper", "--no-pdf"]
    result = runner.invoke(app, [*args, "-o", str(tmp_path / "class")])
    assert result.exit_code == 2 and "--paper" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_tex_worksheet_comes_with_the_files_it_includes(tmp_path: Path) -> None:
    _tool("dot")
    result = runner.invoke(app, ["worksheet", str(PROBLEMS / "q4.yaml"), "-o", str(tmp_path / "q4.tex")])
    assert result.exit_code == 0, result.output
    tex = (tmp_path / "q4.tex").read_text(encoding="utf-8")
    for name in ("qr.pdf", "graph.pdf"):
        assert f"{{{name}}}" in tex and (tmp_path / name).read_bytes().startswith(b"%PDF")


def test_solve_blank_takes_json_and_refuses_the_terminal() -> None:
    result = runner.invoke(app, ["solve", str(PROBLEMS / "q4.yaml"), "-f", "json", "--blank"])
    assert result.exit_code == 0, result.output
    steps = json.loads(result.stdout)["steps"]
    assert steps and all("value" not in s and "closed_form" not in s for s in steps)
    result = runner.invoke(app, ["solve", str(PROBLEMS / "q4.yaml"), "--blank"])
    assert result.exit_code == 2 and "json, markdown, latex or html" in result.output


def test_a_students_worksheet_has_the_numbers_variants_gives_them(tmp_path):
    """`worksheet --student` on a problem with variants: the student's own numbers, the same .tex as
    the worksheet of the problem file `variants` writes for them."""
    relu_class = str(PROBLEMS / "relu_class.yaml")
    made = runner.invoke(app, ["variants", relu_class, "--count", "2", "-o", str(tmp_path / "c"), "--no-pdf"])
    assert made.exit_code == 0, made.output
    sheets = {}
    for name, problem in (("class", relu_class), ("own", str(tmp_path / "c" / "2" / "problem.yaml"))):
        out = tmp_path / name / "sheet.tex"
        out.parent.mkdir()
        result = runner.invoke(app, ["worksheet", problem, "--student", "2", "-o", str(out)])
        assert result.exit_code == 0, result.output
        sheets[name] = out.read_text(encoding="utf-8")
    assert sheets["class"] == sheets["own"]
    base = runner.invoke(app, ["worksheet", relu_class, "-o", str(tmp_path / "base.tex")])
    assert base.exit_code == 0 and (tmp_path / "base.tex").read_text(encoding="utf-8") != sheets["own"]
    refused = runner.invoke(app, ["worksheet", str(PROBLEM), "--seed", "3", "-o", str(tmp_path / "x.tex")])
    assert refused.exit_code == 2 and "give --student ID" in refused.output
