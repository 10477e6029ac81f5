"""The library from Python (#25): a problem as a path, YAML text or a dict; every command's work as a
function; one exception type whose message is the CLI's; and what each gives back shows itself in a
notebook (`_repr_mimebundle_`: Markdown with $…$ maths, HTML that fetches nothing, plain text).
The kernel and the browser are in test_notebook.py."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import backtutor
from backtutor.cli.app import app
from backtutor.solution import Solution

from .conftest import PROBLEMS
from .test_variants import relu_run

Q4 = PROBLEMS / "q4.yaml"
runner = CliRunner()
# M. Mazur (2015), "A Step by Step Backpropagation Example": out_h1, ∂E_total/∂w5, w5 after the update
OUT_H1, DW5, W5_AFTER = 0.593269992, 0.082167041, 0.35891648


@pytest.fixture(scope="module")
def q4() -> Solution:
    return backtutor.solve(Q4)


@pytest.mark.parametrize("source", ["path", "text", "dict"])
def test_a_problem_is_a_path_yaml_text_or_a_dict(source: str) -> None:
    text = Q4.read_text("utf-8")
    given = {"path": str(Q4), "text": text, "dict": yaml.safe_load(text)}[source]
    sol = backtutor.solve(given)
    assert sol.step("out_h1").value == pytest.approx(OUT_H1, abs=1e-9)
    assert sol.step("dE_total/dw5").value == pytest.approx(DW5, abs=1e-9)
    assert sol.final["w5"] == pytest.approx(W5_AFTER, abs=1e-8)


def cli_error(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 2, result.output
    return result.stderr.strip().removeprefix("error: ")


@pytest.mark.parametrize(
    ("call", "command"),
    [
        (lambda: backtutor.solve("missing.yaml"), ["solve", "missing.yaml"]),
        (lambda: backtutor.shapes(str(Q4)), ["shapes", str(Q4)]),
        (
            lambda: backtutor.template(str(Q4), phases="sideways"),
            ["template", str(Q4), "--phases", "sideways"],
        ),
        (lambda: backtutor.diff("w*x", "w", at="w=1"), ["diff", "w*x", "--wrt", "w", "--at", "w=1"]),
        (lambda: backtutor.variants(str(Q4), count=2), ["variants", str(Q4), "--count", "2", "-o", "out"]),
    ],
)
def test_errors_raise_one_type_with_the_message_the_cli_prints(
    call: Callable[[], object], command: list[str]
) -> None:
    with pytest.raises(backtutor.InputError) as raised:
        call()
    assert str(raised.value) == cli_error(*command)


def test_errors_in_text_and_dicts_name_the_field_and_the_line() -> None:
    bad = Q4.read_text("utf-8").replace("learning_rate: 0.5", "learning_rate: fast")
    with pytest.raises(backtutor.InputError, match=r"^\(YAML text\):\d+: training\.learning_rate: "):
        backtutor.load(bad)
    with pytest.raises(backtutor.InputError, match=r"^\(dict\): training\.learning_rate: "):
        backtutor.load(yaml.safe_load(bad))
    with pytest.raises(backtutor.InputError, match="YAML cannot write"):
        backtutor.load({"title": object()})


def test_check_takes_a_dict_yaml_text_or_a_path(tmp_path: Path) -> None:
    answers = {"out_h1": 0.5933, "dE_total/dw5": 0.0822, "w5+": 0.3689}  # w5+ is wrong: 0.3589
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text("out_h1: 0.5933\ndE_total/dw5: 0.0822\nw5+: 0.3689\n")
    for given in (answers, sheet.read_text(), sheet, str(sheet)):
        checked = backtutor.check(Q4, given)
        statuses = {v.id: v.status for v in checked.verdicts}
        assert statuses == {"out_h1": "right", "dE_total/dw5": "right", "w5+": "wrong"}, given
        assert checked.summary.startswith("2/3 right") and not checked.all_right
    assert backtutor.check(Q4, {"w5+": W5_AFTER}).all_right


def test_the_solution_shows_itself_with_maths_and_its_own_styles(q4: Solution) -> None:
    shown = q4._repr_mimebundle_()
    assert set(shown) == {"text/plain", "text/markdown", "text/html"}
    assert "0.593269992" in shown["text/markdown"] and "$$" in shown["text/markdown"]
    page = shown["text/html"]
    assert page.count("<math") > 50 and "0.593269992" in page
    assert not re.search(r"<script|<link|https?://|@import|url\(", page)  # nothing fetched, nothing run
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    selectors = re.findall(r"([^{}]+)\{", style.group(1)) if style else []
    assert selectors and all(s.strip().startswith(".backtutor") for sel in selectors for s in sel.split(","))
    assert "E_total: 0.298371109 before training, 0.291027774 after 1 update" in shown["text/plain"]
    assert set(q4._repr_mimebundle_(include={"text/plain"})) == {"text/plain"}
    assert "text/html" not in q4._repr_mimebundle_(exclude={"text/html"})


def test_a_long_solution_shows_its_first_steps_and_how_to_see_the_rest() -> None:
    from backtutor.render.notebook.solution import SHOWN

    sol = backtutor.solve(Q4, epochs=3, shown=[1, 2, 3])
    assert len(sol.steps) > SHOWN
    shown = sol._repr_mimebundle_()
    for form in ("text/markdown", "text/html"):
        assert f"Showing the first {SHOWN} of {len(sol.steps)} steps" in shown[form]
        assert "backtutor.explore(sol)" in html.unescape(shown[form])
    assert len(shown["text/html"]) < len(backtutor.document(sol, "html")) / 2


def test_a_checked_sheet_shows_its_verdicts(q4: Solution) -> None:
    shown = backtutor.check(Q4, {"dE_total/dw5": 0.0822, "w5+": 0.3689})._repr_mimebundle_()
    assert "✓ right  dE_total/dw5 = 0.0822" in shown["text/plain"]
    assert "✗ wrong  w5+ = 0.3689 (your inputs are right" in shown["text/plain"]
    assert "0.3589" in shown["text/markdown"]  # the working of the wrong update, with its number
    assert '<span class="wrong">' in shown["text/html"] and "<script" not in shown["text/html"]


def test_the_shapes_table_shows_itself() -> None:
    table = backtutor.shapes(PROBLEMS / "lenet5.yaml")
    # LeNet-5 with a fully connected C3, by hand: (F·F·C_in + 1)·C_out per conv, (n_in + 1)·n_out per dense
    params = (5 * 5 * 1 + 1) * 6 + (5 * 5 * 6 + 1) * 16 + (400 + 1) * 120 + (120 + 1) * 84 + (84 + 1) * 10
    assert table.params == params
    shown = table._repr_mimebundle_()
    for form in shown.values():
        assert f"{params:,}" in form and "16×5×5" in form
    assert re.search(rf"^total +10 +{params:,} ", shown["text/plain"], re.M)


def test_explore_is_inline_in_a_sandboxed_iframe(q4: Solution) -> None:
    page = backtutor.explore(q4)
    frame = page._repr_mimebundle_()["text/html"]
    sandbox = re.search(r'sandbox="([^"]*)"', frame)
    assert sandbox and sandbox.group(1) == "allow-scripts"  # its own origin: no access to the notebook
    srcdoc = re.search(r'srcdoc="([^"]*)"', frame)
    assert srcdoc and html.unescape(srcdoc.group(1)) == page.page
    assert not re.search(r"""(src|href)=["']?https?:""", page.page)


def test_the_graph_is_svg_or_says_how_to_install_graphviz(
    q4: Solution, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = backtutor.graph(q4, path="dE_total/dw1")
    assert "dE_total" in view.dot or "E_total" in view.dot
    svg = view._repr_mimebundle_()["image/svg+xml"]
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "0.5933" in svg
    monkeypatch.setattr("shutil.which", lambda name: None)
    shown = view._repr_mimebundle_()
    assert "image/svg+xml" not in shown and "apt-get install -y graphviz" in shown["text/plain"]
    with pytest.raises(backtutor.InputError, match="update 2 was not worked"):
        backtutor.graph(q4, update=2)


def test_diff_and_template() -> None:
    d = backtutor.diff("w2*sigmoid(w1*x)", "w1", at={"w1": 0.5, "w2": 2, "x": 1})
    s = 1 / (1 + 2.718281828459045**-0.5)
    assert d.steps[-1].value == pytest.approx(2 * s * (1 - s) * 1, rel=1e-12)  # w2·σ′(w1·x)·x
    assert "$$" in d._repr_mimebundle_()["text/markdown"]
    sheet = yaml.safe_load(backtutor.template(Q4, phases="update"))
    assert set(sheet) == {f"w{i}+" for i in range(1, 9)}


def test_variants_are_the_cli_s_and_worked_right(tmp_path: Path) -> None:
    made = backtutor.variants(PROBLEMS / "relu_class.yaml", count=2, seed=3)
    result = runner.invoke(app, ["variants", str(PROBLEMS / "relu_class.yaml"), "--count", "2", "--seed", "3",
                                 "--no-pdf", "-o", str(tmp_path / "class")])  # fmt: skip
    assert result.exit_code == 0, result.output
    for variant in made:
        written = yaml.safe_load(
            (tmp_path / "class" / variant.student.file_name / "problem.yaml").read_text()
        )
        assert written == yaml.safe_load(yaml.safe_dump(variant.raw))
        pre, _ = relu_run(variant.raw)
        assert variant.solution.step("E@1").value == pytest.approx(pre[0]["E"], rel=1e-12)


def test_importing_backtutor_loads_nothing_and_a_solution_shows_without_rich() -> None:
    code = (
        "import sys, backtutor; first = sorted(m for m in sys.modules if m.startswith('backtutor'));"
        "sol = backtutor.solve(sys.argv[1]); sol._repr_mimebundle_(include={'text/plain'});"
        "print(first, sorted(m for m in ('rich', 'sympy', 'typer') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code, str(Q4)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['backtutor'] []"


STUDENT = r"""
**Forward pass.** $out_{h1} = \sigma(net_{h1}) = 0.5933$

**Backward pass.** $\frac{\partial E_{total}}{\partial w_5} = 0.0822$

**Update.** $w_5^+ = w_5 - \eta \cdot 0.0822 = 0.3689$ and the loss went down by 0.01.
"""


def test_check_reads_a_student_s_markdown_as_text_or_as_a_file(tmp_path: Path) -> None:
    written = tmp_path / "homework.md"
    written.write_text(STUDENT, "utf-8")
    for given, name in ((STUDENT, "(Markdown text)"), (written, str(written))):
        checked = backtutor.check(Q4, given)
        statuses = {v.id: v.status for v in checked.verdicts}
        assert statuses == {"out_h1": "right", "dE_total/dw5": "right", "w5+": "wrong"}
        assert checked.report.sheet == name
        assert [u.text for u in checked.report.unmatched if "0.01" in u.text]  # said, not dropped


def test_check_takes_a_cnn_table_as_a_dict_yaml_markdown_or_a_path(tmp_path: Path) -> None:
    # LeNet-5, worked by hand: C1 (5·5·1 + 1)·6 = 156, C3 (5·5·6 + 1)·16 = 2,416; 61,706 in all (LeCun)
    lenet = str(PROBLEMS / "lenet5.yaml")
    answers = {"C1.output": "28x28x6", "C1.params": 156, "C3.params": 1500, "total.params": "61,706"}
    checked = backtutor.check(lenet, answers)
    assert checked.summary.startswith("3/4 right, 1 own error")
    assert [v.status for v in checked.verdicts] == ["right", "right", "wrong", "right"]
    assert "2,416" in checked.verdicts[2].explanation
    assert "C3.params = 1500" in checked._repr_mimebundle_()["text/plain"]
    table = "| Layer | Output size | Parameters |\n|---|---|---|\n| C1 | 6x28x28 | 156 |\n"
    sheet = tmp_path / "table.md"
    sheet.write_text(table)
    yaml_text = "C1.output: 28x28x6\nC1.params: 156\n"
    for given in (table, sheet, yaml_text):
        assert backtutor.check(lenet, given).all_right
    with pytest.raises(backtutor.InputError, match="no layer 'convx'"):
        backtutor.check(lenet, {"convX.output": "3"})
