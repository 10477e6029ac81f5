"""Issue #20, the output side: text from a problem, a sheet, a roster or the keyboard reaches every
output as text (backtutor/text.py). One hostile problem, sheet, roster and quiz session go through every
format, and each output is judged by what reads it: a terminal (no control character in it), Chromium
(no injected script runs, no request leaves the page; Markdown turned into HTML first by markdown-it
with raw HTML on, as VS Code's preview and Jupyter do), pdflatex (it compiles, and its -recorder list
shows no file read or written outside its folder), a spreadsheet (no cell starts a formula) and YAML
(a blank answer sheet stays blank)."""

from __future__ import annotations

import contextlib
import csv
import html
import io
import json
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st
from typer.testing import CliRunner

from backtutor import text
from backtutor.cli.app import app
from backtutor.problem.load import load
from backtutor.render.documents.sheet import answer_sheet
from backtutor.solution import solve

from .conftest import PROBLEMS

runner = CliRunner()
UNSAFE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}  # controls, format characters (bidi), line separators
CONTROL = "\x1b]0;pwned\x07 \r\x1b[1A\x9b\u202e\u2028"
TITLE = (
    f'T{CONTROL} <script>window.__pwned=1</script> <img src=x onerror="window.__pwned=1"> '
    "[l](javascript:window.__pwned=1) ![](http://127.0.0.1:9/x.png) [bold red]markup[/] "
    r"\input{/etc/hostname} \immediate\write18{touch pwned} ^^5cinput{/etc/hostname} % # ~ {"
    "\nw5+: 0.1"  # a newline: must not pre-fill an answer in a blank sheet
)
DESCRIPTION = 'Line one.\n\n<iframe src="http://127.0.0.1:9/"></iframe>\n- \x1b[2J `code` *x*'
ANSWERS = {
    "out_h1": "\x1b[1A\r✓ right \x9b",
    "out_h2": "[bold green]✓ right[/] \\input{/etc/hostname}",
    "dE_total/dw5": "<script>window.__pwned=1</script>",
    "dE_total/dw6": "<img src=x onerror=window.__pwned=1>",
    "w5+": '=HYPERLINK("http://x","\x1b]0;pwned\x07")',
    "w6+": "=cmd|' /C calc'!A0",
    "w7+": "-2+3",
    "w8+": "@SUM(1)",
}
SHEET_NAME = "=cmd|' -C calc'!A0 <b>\x1b[2J.yaml"
ROSTER = [
    ["id", "name", "email"],
    ["=HYPERLINK(x)", "<script>window.__pwned=1</script>", "+1+1@x"],
    ["s2", "Ann\x1b]0;pwned\x07 \\input{/etc/hostname}", "@SUM(1)"],
    ["s3", "-2+3 ^^5cinput", "\tx"],
]


def unsafe(s: str) -> set[str]:
    """What a terminal or a YAML reader could act on: Unicode's controls and format characters
    (the oracle, not backtutor/text.py's list), newlines and tabs (and CSV's \\r\\n) aside."""
    return {
        c for c in s.replace("\r\n", "\n") if c not in "\n\t" and unicodedata.category(c) in UNSAFE_CATEGORIES
    }


def invoke(*args: str, input: str | None = None, codes: tuple[int, ...] = (0, 1)) -> str:
    result = runner.invoke(app, list(args), input=input, env={"COLUMNS": "1000"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in codes, result.output
    return result.output


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    files = {}
    for name in ("q4", "relu_class", "lenet5"):
        raw = yaml.safe_load((PROBLEMS / f"{name}.yaml").read_text(encoding="utf-8"))
        raw |= {"title": TITLE, "description": DESCRIPTION}
        files[name] = folder / f"{name}.yaml"
        files[name].write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    files["sheet"] = folder / SHEET_NAME
    files["sheet"].write_text(yaml.safe_dump(ANSWERS, allow_unicode=True), encoding="utf-8")
    buffer = io.StringIO()
    csv.writer(buffer).writerows(ROSTER)
    files["roster"] = folder / "roster.csv"
    files["roster"].write_text(buffer.getvalue(), encoding="utf-8")
    files["folder"] = folder
    return files


@pytest.fixture(scope="module")
def outputs(hostile: dict[str, Path]) -> dict[str, str]:
    """Every output format, written from the hostile files."""
    q4, sheet, out = str(hostile["q4"]), str(hostile["sheet"]), hostile["folder"]
    invoke(
        "variants",
        str(hostile["relu_class"]),
        "--roster",
        str(hostile["roster"]),
        "-o",
        str(out / "v"),
        "--no-pdf",
    )
    shown = {f"solve -f {f}": invoke("solve", q4, "-f", f) for f in ("terminal", "markdown", "html", "json")}
    shown["solve -f latex"] = invoke("solve", q4, "-f", "latex")
    shown["check -f terminal"] = invoke("check", q4, sheet)
    for f in ("markdown", "html", "json", "gradescope"):
        invoke("check", q4, sheet, "-f", f, "-o", str(out / f"check.{f}"))
        shown[f"check -f {f}"] = (out / f"check.{f}").read_text("utf-8")
    with contextlib.chdir(out):  # the sheet as a class names it, by a relative path: its cell starts with =
        invoke("check", q4, SHEET_NAME, "--csv", "grades.csv")
    shown["grades.csv"] = (out / "grades.csv").read_text("utf-8")
    invoke("explore", q4, "-o", str(out / "explore.html"))
    shown["explore"] = (out / "explore.html").read_text("utf-8")
    shown["graph"] = invoke("graph", q4)
    shown["template"] = invoke("template", q4)
    shown["shapes"] = invoke("shapes", str(hostile["lenet5"]))
    shown["shapes -f json"] = invoke("shapes", str(hostile["lenet5"]), "-f", "json")
    shown["diff, a formula it cannot read"] = invoke("diff", f"w*x{CONTROL}", "--wrt", "w", codes=(2,))
    bad_key = out / f"key{CONTROL}.yaml"
    bad_key.write_text(yaml.safe_dump({f"w5+{CONTROL}": 0.1}), encoding="utf-8")
    shown["a sheet with a key it does not know"] = invoke("check", q4, str(bad_key), codes=(2,))
    student = str(out / "v" / "s2" / "problem.yaml")  # the roster's name in its title
    shown["solve -f latex (a student's variant)"] = invoke("solve", student, "-f", "latex")
    typed = "\n".join([ANSWERS["out_h1"], ANSWERS["w5+"], "quit"]) + "\n"
    shown["quiz"] = invoke("quiz", q4, input=typed)
    for path in sorted((out / "v").rglob("*.*")):
        shown[f"variants {path.relative_to(out / 'v')}"] = path.read_text("utf-8")
    return shown


def test_visible_escapes_exactly_unicodes_controls_and_format_characters():
    every = [chr(c) for c in range(sys.maxunicode + 1)]
    kinds = [unicodedata.category(c) for c in every]
    bad = "".join(c for c, k in zip(every, kinds, strict=True) if k in UNSAFE_CATEGORIES)
    rest = "".join(c for c, k in zip(every, kinds, strict=True) if k not in UNSAFE_CATEGORIES | {"Cn"})
    shown = text.visible(bad)
    assert not unsafe(shown) and shown.count("\\") == len(bad), "each one an escape"
    assert text.visible(rest) == rest, "every other character as it is"
    assert text.visible("\x1b\u202e\U000e0041") == "\\x1b\\u202e\\U000e0041"


@given(st.text(max_size=40))
@example("0) x <b>&amp; [a](b) ![i](u) `c` *e* \\ | ~~s~~ # 1. + - = >")
@example("\x1b]0;t\x07\u202e\u2028")
def test_markdown_text_renders_as_itself_and_nothing_else(s):
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True})
    paragraph, inline = text.markdown(s, lines=True), "Text: " + text.markdown(s)
    for source, expected in ((paragraph, text.visible(s, lines=True)), (inline, "Text: " + text.visible(s))):
        rendered = md.render(source)
        assert set(re.findall(r"</?([a-z0-9]+)", rendered)) <= {"p", "br"}, rendered
        shown = html.unescape(re.sub(r"<[^>]+>", "", rendered))
        assert " ".join(shown.split()) == " ".join(expected.split())


@given(st.text(max_size=40))
def test_yaml_and_json_strings_read_back_as_written_and_dot_compiles(s):
    assert yaml.safe_load(text.yaml_string(s)) == s
    assert "\n" not in text.yaml_string(s) and not unsafe(text.yaml_string(s))
    assert json.loads(text.json_dumps(s)) == s and not unsafe(text.json_dumps(s))
    assert text.csv_cell(s)[:1] not in ("=", "+", "-", "@", "\t", "\r") or text.PLAIN_NUMBER.fullmatch(s)


def test_dot_quoting_compiles_with_graphviz():
    dot = shutil.which("dot")
    if dot is None:
        pytest.skip("Graphviz is not installed")
    label = text.dot(TITLE + ' "quoted" \\ back')
    done = subprocess.run(
        [dot, "-Tsvg"], input=f"digraph {{ a [label={label}]; }}", capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "&lt;script&gt;" in done.stdout and "<script" not in done.stdout


def test_every_output_is_free_of_control_characters(outputs):
    assert len(outputs) > 20
    for name, shown in outputs.items():
        assert not unsafe(shown), (name, unsafe(shown))


def test_terminal_outputs_show_markup_and_escapes_as_text(outputs):
    for name in (
        "solve -f terminal",
        "check -f terminal",
        "quiz",
        "shapes",
        "diff, a formula it cannot read",
    ):
        assert "\\x1b" in outputs[name], name
    assert "[bold red]markup[/]" in outputs["solve -f terminal"]
    assert "[bold green]✓ right[/]" in outputs["check -f terminal"]


def test_no_spreadsheet_cell_from_input_is_a_formula(outputs):
    for name in ("grades.csv", "variants variants.csv"):
        for row in csv.reader(io.StringIO(outputs[name])):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or text.PLAIN_NUMBER.fullmatch(
                    cell
                )
    assert "'=cmd|' -C calc'!A0" in outputs["grades.csv"]
    assert "'=HYPERLINK(x)" in outputs["variants variants.csv"]


def test_blank_sheets_stay_blank_and_typed_answers_read_back(outputs):
    blanks = [outputs["template"]] + [v for k, v in outputs.items() if k.endswith("answers.yaml")]
    assert len(blanks) == 4
    for sheet in blanks:
        assert all(v is None for v in yaml.safe_load(sheet).values())
    assert "\\x1b[1A" in outputs["quiz"], "the typed line is echoed, made visible"
    sol = solve(load(PROBLEMS / "q4.yaml"))
    saved = yaml.safe_load(answer_sheet(sol, sol.steps, ANSWERS))  # as quiz --save writes what was typed
    assert {k: v for k, v in saved.items() if v is not None} == ANSWERS
    problem = next(v for k, v in outputs.items() if k.endswith("problem.yaml"))
    assert yaml.safe_load(problem)["title"].startswith(TITLE)  # and the student's name after it


def _documents(outputs: dict[str, str]) -> dict[str, str]:
    """Every HTML output, and every Markdown output rendered as a viewer that passes HTML would."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    pages = {k: v for k, v in outputs.items() if k.endswith(("html", "explore"))}
    pages |= {k: md.render(v) for k, v in outputs.items() if k.endswith(("markdown", ".md"))}
    return pages


def _serving(origin: str, page: str, left: list[str]) -> Any:
    """A route handler: the page at `origin`; any other request recorded and refused."""

    def route(r: Any) -> None:
        if r.request.url == origin:
            r.fulfill(body=page, content_type="text/html; charset=utf-8")
        else:
            left.append(r.request.url)
            r.abort()

    return route


def test_html_and_markdown_outputs_run_no_script_and_fetch_nothing_in_chromium(outputs, chromium_tab):
    pages = _documents(outputs)
    assert len(pages) == 11, sorted(pages)  # 2 solve, 2 check, explore, 3 worksheets and keys
    origin = "http://backtutor.test/"
    tab = chromium_tab.page
    for name, page in pages.items():
        left: list[str] = []
        tab.route("**/*", _serving(origin, page, left))
        chromium_tab.open(origin)
        tab.wait_for_load_state("load")
        tab.wait_for_timeout(50)
        assert tab.evaluate("window.__pwned") is None, name
        assert tab.evaluate("document.querySelectorAll('img, iframe, a[href^=javascript]').length") == 0, name
        assert not left, (name, left)
        assert "<script>window.__pwned=1</script>" in tab.inner_text("body"), name
        tab.unroute("**/*")


@pytest.mark.parametrize("document", ["solve -f latex", "solve -f latex (a student's variant)"])
def test_latex_from_hostile_text_compiles_and_touches_no_outside_file(outputs, document, tmp_path):
    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:
        pytest.skip("pdflatex is not installed")
    assert "\\input{/etc/hostname}" in TITLE + ROSTER[2][1]
    (tmp_path / "doc.tex").write_text(outputs[document], encoding="utf-8")
    args = [pdflatex, "-interaction=nonstopmode", "-halt-on-error", "-recorder", "doc.tex"]
    done = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout[-2000:]
    recorded = (tmp_path / "doc.fls").read_text()
    assert "/etc/hostname" not in recorded
    written = re.findall(r"^OUTPUT (.*)$", recorded, flags=re.M)
    assert written and all(not Path(w).is_absolute() or Path(w).is_relative_to(tmp_path) for w in written)
    assert not (tmp_path / "pwned").exists()


def test_a_raw_escape_in_a_title_never_reaches_the_terminal(tmp_path):
    """The title written with raw ESC and BEL bytes (not YAML's \\e): an error or the working, and
    never the raw bytes."""
    q4 = (PROBLEMS / "q4.yaml").read_text(encoding="utf-8")
    path = tmp_path / "q4.yaml"
    path.write_text(
        re.sub("^title: .*$", 'title: "T\x1b]0;pwned\x07 \x1b[2J"', q4, flags=re.M), encoding="utf-8"
    )
    shown = invoke("solve", str(path), codes=(0, 2))
    assert "\x1b" not in shown and "\x07" not in shown
