"""Documents (Markdown, LaTeX, HTML), worksheets, the graph as DOT and the loss plot.

Properties: every number a document shows is a number of the Solution at the chosen precision (and,
in tests/test_golden.py, of an independent oracle), worksheets show no computed number, the .tex
compiles. Layout is pinned by tests/test_golden.py.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

import backtutor
from backtutor.cli.app import app
from backtutor.engine.expr import Call, Expr, Num, Sym
from backtutor.engine.formula import format_number, latex, mathml, text
from backtutor.engine.ops import OPS
from backtutor.render.documents import dot, html, markdown
from backtutor.render.documents import latex as latex_doc
from backtutor.render.documents.math_rows import latex_lines, tex_text
from backtutor.solution import Solution

from .conftest import PROBLEMS, SOLVABLE

GOLDEN = Path(__file__).parent / "golden"
ALL_PROBLEMS = SOLVABLE  # architecture-only files have nothing to solve (see `backtutor shapes`)
runner = CliRunner()


def solved(name: str, **options: object) -> Solution:
    return backtutor.solve(PROBLEMS / f"{name}.yaml", **options)


# ---- every number shown is a number of the Solution -----------------------------------------------
def _nums(e: Expr | None) -> list[Fraction | float]:
    if isinstance(e, Num):
        return [e.value]
    if isinstance(e, Call):
        return [v for a in e.args for v in _nums(a)] + ([e.param] if e.param is not None else [])
    return []


def given_numbers(sol: Solution, precision: int) -> set[str]:
    """Numbers typed in the problem file and the exact constants of formulas."""
    p = sol.problem
    values: list[Fraction | float] = [*p.parameters.values(), *(v for ex in p.data for v in ex.values())]
    if p.training:
        values.append(p.training.learning_rate)
    for s in sol.steps:
        values += [v for v in _nums(s.formula) + _nums(s.closed_form) if isinstance(v, Fraction)]
        values += [v for v in _nums(s.substitution) if isinstance(v, Fraction)]
    return {format_number(v, precision).lstrip("-") for v in values}


def solution_numbers(sol: Solution, precision: int) -> set[str]:
    """Every number of the Solution at `precision`: step values, the numbers substituted into
    formulas, the given ones, and the loss and parameters per epoch."""
    values: list[Fraction | float] = []
    for s in sol.steps:
        values += [s.value, *(v for _, _, v in s.leaves), *_nums(s.substitution)]
    for e in sol.history:
        values += [e.loss, *e.params]
    shown = {format_number(v, precision).lstrip("-") for v in values}
    return shown | given_numbers(sol, precision)


def latex_numbers(doc: str) -> list[str]:
    """Numbers in a LaTeX or Markdown document, without the digits of names (w_{5}, y^{(1)}) and of
    layout (\\\\[1.2ex]); a \\times 10^{-5} is read back as 1.5e-05, as format_number writes it."""
    doc = doc.split(r"\begin{document}")[-1]
    doc = re.sub(r"\\\\\[[^\]]*\]", "", doc)
    doc = re.sub(r"(\d(?:\.\d+)?) \\times 10\^\{(-?\d+)\}", lambda m: f"{m[1]}e{int(m[2]):+03d}", doc)
    doc = re.sub(r"_\{[^{}]*\}|\^\{\(\d+\)\}", "", doc)
    return re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?:e[-+]\d+)?", doc)


def _check_numbers(tokens: list[str], allowed: set[str], sol: Solution) -> None:
    small = {str(i) for i in range(sol.updates + len(sol.history) + len(sol.problem.data) + 3)}
    for token in tokens:
        if "." in token or "e" in token:
            assert token in allowed, f"{token} is not a number of the Solution"
        else:
            assert token in allowed | small, f"{token} is not a number of the Solution"


@pytest.mark.parametrize("name", ["q4", "chain_fw", "relu_regression", "softmax_classifier"])
@pytest.mark.parametrize("precision", [9, 4])
@pytest.mark.parametrize("render", [markdown.render, latex_doc.render], ids=["markdown", "latex"])
def test_every_number_is_a_number_of_the_solution(name, precision, render):
    sol = solved(name)
    tokens = latex_numbers(render(sol, precision))
    _check_numbers(tokens, solution_numbers(sol, precision), sol)
    missing = {format_number(s.value, precision).lstrip("-") for s in sol.steps} - set(tokens)
    assert not missing, f"step values not shown: {sorted(missing)}"


def test_numbers_at_another_precision_are_rounded_not_cut():
    doc = markdown.render(solved("q4"), precision=4)
    assert "0.08217" in doc and "0.0821670406" not in doc
    assert "0.15 \\times 0.05" in doc  # typed numbers print as typed


def test_a_long_run_shows_the_loss_per_epoch_at_the_chosen_precision():
    sol = solved("q4", epochs=30, shown=[1, 30])
    for render in (markdown.render, latex_doc.render):
        tokens = latex_numbers(render(sol, 6))
        _check_numbers(tokens, solution_numbers(sol, 6), sol)
        assert format_number(sol.history[-1].loss, 6) in tokens


# ---- worksheets -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["q4", "chain_fw", "relu_regression", "micrograd_neuron"])
@pytest.mark.parametrize("render", [markdown.render, latex_doc.render], ids=["markdown", "latex"])
def test_a_worksheet_shows_only_given_numbers(name, render):
    sol = solved(name)
    sheet = render(sol, 9, blank=True)
    _check_numbers(latex_numbers(sheet), given_numbers(sol, 9), sol)
    assert sheet.count(r"\underline{\qquad\qquad}") >= len(sol.steps) // 2
    assert "fill in the blanks" in sheet


def test_a_worksheet_has_the_same_formulas_as_the_key():
    sol = solved("q4")
    key, sheet = latex_doc.render(sol), latex_doc.render(sol, blank=True)
    assert r"w_{1} \cdot i_{1} + w_{2} \cdot i_{2} + b_{1} = 0.15 \times 0.05" in sheet
    assert r"\sigma\left(\underline{\qquad\qquad}\right)" in sheet
    assert "0.593269992" in key and "0.593269992" not in sheet
    assert r"\left(\underline" not in latex_doc.render(sol, blank=True).replace(r"\sigma\left(\underline", "")


# ---- LaTeX ------------------------------------------------------------------------------------
def test_latex_is_a_standalone_amsmath_document_with_aligned_products():
    doc = latex_doc.render(solved("q4"))
    assert doc.startswith("%") and r"\documentclass" in doc and r"\usepackage{amsmath" in doc
    assert doc.rstrip().endswith(r"\end{document}")
    assert doc.count(r"\begin{align*}") == doc.count(r"\end{align*}") >= 4
    assert r"\frac{\partial E_{\mathrm{total}}}{\partial w_{5}} &= " in doc
    assert all(ord(c) < 128 for c in doc), "pdflatex needs no Unicode set-up"


def test_long_formulas_break_only_between_top_level_terms_and_factors():
    sol = solved("q4")  # its hidden weights' closed forms: sums of products in nested brackets
    closed = max((s.closed_form for s in sol.steps if s.closed_form is not None), key=lambda e: len(text(e)))
    lines = latex_lines(closed, 9, False, 40)
    assert len(lines) >= 2
    assert_top_level(lines)
    assert "".join(lines).replace(" ", "") == latex(closed).replace(" ", "")


def assert_top_level(lines: list[str]) -> None:
    """Every line closes each bracket it opens: the breaks sit at depth 0 of the written formula."""
    for line in lines:
        assert len(re.findall(r"\\left(?![a-z])", line)) == len(re.findall(r"\\right(?![a-z])", line)), line
        assert r"\left." not in line.replace(r"\left.\frac", "") and r"\right." not in line, line
        assert line.count("(") == line.count(")"), line


def align_rows(doc: str) -> list[str]:
    """The right-hand side of every row of the document's align* blocks."""
    blocks = re.findall(r"\\begin\{align\*\}\n(.*?)\n\\end\{align\*\}", doc, re.S)
    rows = [row for block in blocks for row in block.split("\n") if not row.strip().startswith(r"\intertext")]
    return [row.split("&", 1)[-1] for row in rows]


def test_tex_text_escapes_specials_and_writes_symbols_as_math():
    assert (
        tex_text("f_w(x) = w3·σ(w2·x) 100% & $5 #1")
        == r"f\_w(x) = w3$\cdot \sigma$(w2$\cdot$x) 100\% \& \$5 \#1"
    )
    assert tex_text("xⁿ⁻¹, tanh²(x), Δ, é, 中") == r"x$^{n-1}$, tanh$^{2}$(x), $\Delta$, \'{e}, ?"
    assert tex_text("λ ϟ") == r"$\lambda$ ?"  # Unicode's LAMDA; an archaic letter has no command


def test_european_names_are_set_by_their_latex_commands_and_compile(tmp_path):
    names = "Zoë Ødegård, Łukasz Straußberg, Dvořák, Jiří, Őry"
    tex = tex_text(names)
    assert "?" not in tex
    for command in (r"{\O}", r"{\aa}", r"{\L}", r"{\ss}", r"\v{r}", r"\H{O}", r"\"{e}"):
        assert command in tex, command
    (tmp_path / "names.tex").write_text(
        f"\\documentclass{{article}}\\begin{{document}}{tex}\\end{{document}}\n"
    )
    done = subprocess.run(
        [_pdflatex(), "-interaction=nonstopmode", "-halt-on-error", "names.tex"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:]


def _pdflatex() -> str:
    exe = shutil.which("pdflatex")
    if exe is None:
        message = "pdflatex is not installed (Debian: texlive-latex-base texlive-latex-recommended)"
        if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
            pytest.fail(f"{message}; CI must install it (.ci/run)")
        pytest.skip(message)
    return exe


def _compile(exe: str, folder: Path, stem: str, doc: str) -> tuple[str, str]:
    """pdflatex on one document: its return code's verdict ("" when it compiled) and its log."""
    (folder / f"{stem}.tex").write_text(doc, encoding="utf-8")
    args = [exe, "-interaction=nonstopmode", "-halt-on-error", f"{stem}.tex"]
    done = subprocess.run(args, cwd=folder, capture_output=True, text=True, timeout=300)
    return ("" if done.returncode == 0 else done.stdout[-3000:]), done.stdout


@pytest.fixture(scope="module")
def bundled_tex(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, str]]:
    """Every bundled problem's document and blank sheet, {stem: (the .tex, "" or why it did not
    compile)}. pdflatex spends most of a small document's time starting (0.2 s of CPU of 0.25 s), and
    the documents share one preamble: so they are compiled as one, each body in a group of its own
    and ending its own pages; a document that fails there is compiled alone, to say which one."""
    exe = _pdflatex()
    folder = tmp_path_factory.mktemp("tex")
    docs = {}
    for problem in ALL_PROBLEMS:
        sol = backtutor.solve(problem)
        docs[problem.stem] = latex_doc.render(sol)
        docs[f"{problem.stem}_sheet"] = latex_doc.render(sol, blank=True)
    split = {stem: doc.partition("\\begin{document}\n") for stem, doc in docs.items()}
    preambles = {head.split("\n", 1)[1] for head, _, _ in split.values()}  # less the comment line
    end = "\\end{document}"
    bodies = [
        f"\\begingroup\n{body.rpartition(end)[0]}\\endgroup\n"
        f"\\clearpage\\typeout{{backtutor-doc {stem} \\arabic{{page}}}}\n"
        for stem, (_, _, body) in split.items()
    ]
    if len(preambles) == 1:
        together = f"{preambles.pop()}\\begin{{document}}\n{''.join(bodies)}{end}\n"
        failed, log = _compile(exe, folder, "all", together)
        pages = dict(re.findall(r"^backtutor-doc (\S+) (\d+)$", log, re.M))
        if not failed and list(pages) == list(docs):
            ends = [1, *map(int, pages.values())]
            empty = {s for s, a, b in zip(pages, ends, ends[1:], strict=False) if b <= a}
            return {
                stem: (doc, f"no page of its own: {log[-2000:]}" if stem in empty else "")
                for stem, doc in docs.items()
            }
    return {stem: (doc, _compile(exe, folder, stem, doc)[0]) for stem, doc in docs.items()}


@pytest.mark.parametrize("problem", ALL_PROBLEMS, ids=lambda p: p.stem)
def test_the_tex_of_every_bundled_problem_compiles(problem, bundled_tex):
    for stem in (problem.stem, f"{problem.stem}_sheet"):
        doc, failed = bundled_tex[stem]
        assert not failed, failed
        assert_top_level(align_rows(doc))  # a long formula breaks between factors, never inside one


# ---- Markdown ---------------------------------------------------------------------------------
def test_markdown_has_the_sections_and_display_math():
    doc = markdown.render(solved("chain_fw"))
    for heading in (
        "## Update 1 of 1",
        "### Forward pass, example 1",
        "### Backward pass (chain rule), example 2",
        "### Gradients over the batch (sum of the examples)",
        "### Updates (SGD)",
        "## Closed form of each gradient, in the problem's names",
    ):
        assert f"\n{heading}\n" in doc
    assert doc.count("$$") % 2 == 0
    assert "\\begin{aligned}\n\\frac{\\partial E}{\\partial w_{1}} &= " in doc
    assert doc.startswith(r"# Chain of sigmoids f\_w(x)")


# ---- HTML -------------------------------------------------------------------------------------
class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.stack: list[str] = []
        self.mn: list[str] = []
        self.cells: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs
        self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1:]}>"
        self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] == "mn":
            self.mn.append(data)
        elif self.stack and self.stack[-1] == "td":
            self.cells.append(data)


VOID = {"meta", "br", "img", "link", "hr", "input"}


def parse_html(doc: str) -> _Collect:
    parser = _Collect()
    parser.stack = []
    original = parser.handle_starttag

    def start(tag, attrs):
        original(tag, attrs)
        if tag in VOID:
            parser.stack.pop()

    parser.handle_starttag = start  # type: ignore[method-assign]
    parser.feed(doc)
    parser.close()
    assert parser.stack == [], f"unclosed: {parser.stack}"
    return parser


@pytest.mark.parametrize("name", ["q4", "chain_fw", "softmax_classifier", "relu_regression"])
def test_html_parses_is_self_contained_and_has_mathml(name):
    sol = solved(name)
    doc = html.render(sol)
    parsed = parse_html(doc)
    assert "math" in parsed.tags and "mfrac" in parsed.tags
    assert ("name", "viewport") in parsed.attrs
    assert "script" not in parsed.tags and "link" not in parsed.tags and "img" not in parsed.tags
    assert not re.search(r"(src|href)\s*=|https?://|@import|url\(", doc.split("</style>")[-1] + doc)
    allowed = solution_numbers(sol, 9)
    allowed |= {x.split("e")[0] for x in allowed}  # 1.5e-05 is <mn>1.5</mn>×10<sup>−5</sup>
    for token in parsed.mn:
        if "." in token:
            assert token in allowed, token
    shown = set(parsed.mn)
    assert {format_number(s.value, 9).lstrip("-").split("e")[0] for s in sol.steps} <= shown


def test_html_worksheet_leaves_blanks():
    sol = solved("q4")
    parsed = parse_html(html.render(sol, blank=True))
    given = given_numbers(sol, 9)
    assert all(t in given for t in parsed.mn if "." in t)
    assert html.render(sol, blank=True).count('class="blank"') > 50


def test_mathml_of_every_op_is_well_formed():
    x, y = Sym("net_h1"), Sym("w5", example=2)
    for op in OPS.values():
        arity = op.arity or 3
        args = (x, y, Num(Fraction(1, 2), "1/2"))[:arity] if arity <= 3 else (x,) * arity
        e = Call(op.name, args, Fraction(1, 100) if op.param == "slope" else 0 if op.param else None)
        ET.fromstring(f'<math xmlns="http://www.w3.org/1998/Math/MathML">{mathml(e)}</math>')
    power = "<msup><mn>10</mn><mrow><mo>−</mo><mn>5</mn></mrow></msup>"
    assert mathml(Num(1.5e-05)) == f"<mrow><mn>1.5</mn><mo>×</mo>{power}</mrow>"
    assert mathml(Sym("out_h1")) == "<msub><mi>out</mi><mi>h1</mi></msub>"
    assert mathml(Num(-0.25)) == "<mrow><mo>−</mo><mn>0.25</mn></mrow>"


# ---- DOT --------------------------------------------------------------------------------------
def test_dot_shows_every_node_with_op_value_and_gradient():
    sol = solved("q4", shown=[1])
    text_ = dot.render(sol)
    assert text_.startswith("digraph backtutor {") and "rankdir=LR;" in text_
    for name in sol.graph.nodes:
        assert re.search(rf'^  "{name}" \[.*label="{name}\\n', text_, re.M), name
    assert 'label="w5\\nparameter\\nvalue 0.4\\ngrad 0.08217"' in text_
    assert 'label="out_h1\\nsigmoid: σ(net_h1)\\nvalue 0.5933\\ngrad 0.03635"' in text_
    assert '"i1" [shape=ellipse' in text_ and '"w1" [shape=box, style=filled' in text_
    assert '"E_total" [shape=box, style="rounded,filled,bold"' in text_
    assert '"b1" [shape=box, style="filled,dashed"' in text_  # frozen
    edges = re.findall(r'^  "[^"]+" -> "[^"]+"', text_, re.M)  # drawn edges (not the invisible order)
    assert len(edges) == sum(len(n.inputs) for n in sol.graph.nodes.values())


def test_dot_path_highlights_every_path_of_one_gradient():
    sol = solved("q4", shown=[1])
    text_ = dot.render(sol, path="dE_total/dw1")
    lit = set(re.findall(r'^  "(\w+)" \[.*penwidth=2.5', text_, re.M))
    assert lit == set(
        ["w1", "net_h1", "out_h1", "net_o1", "net_o2", "out_o1", "out_o2", "E_o1", "E_o2", "E_total"]
    )
    edges = set(re.findall(r'^  "(\w+)" -> "(\w+)" \[color', text_, re.M))
    assert ("out_h1", "net_o2") in edges and ("w1", "net_h1") in edges and ("i1", "net_h1") not in edges
    assert len(edges) == 10


def test_dot_of_a_batch_says_which_example():
    assert 'label="values and gradients (example 1)"' in dot.render(solved("chain_fw"))


def test_graph_command_writes_dot_and_rejects_unknown_paths(tmp_path):
    out = tmp_path / "g.dot"
    result = runner.invoke(app, ["graph", str(PROBLEMS / "q4.yaml"), "-o", str(out), "--path", "w5"])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("digraph")
    result = runner.invoke(app, ["graph", str(PROBLEMS / "q4.yaml"), "--path", "dE_total/dw9"])
    assert result.exit_code == 2 and "closest: dE_total/dw8" in result.output
    result = runner.invoke(app, ["graph", str(PROBLEMS / "q4.yaml"), "-o", str(tmp_path / "g.jpg")])
    assert result.exit_code == 2 and ".svg" in result.output


def test_graph_svg_without_graphviz_names_the_package(tmp_path, monkeypatch):
    monkeypatch.setattr(dot.shutil, "which", lambda name: None)
    out = tmp_path / "g.svg"
    result = runner.invoke(app, ["graph", str(PROBLEMS / "q4.yaml"), "-o", str(out)])
    assert result.exit_code == 2
    assert "graphviz" in result.output and "-o graph.dot" in result.output
    assert not out.exists()


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed (Debian: graphviz)")
@pytest.mark.parametrize("suffix, magic", [("svg", b"<?xml"), ("png", b"\x89PNG")])
def test_graph_svg_and_png_with_graphviz(tmp_path, suffix, magic):
    out = tmp_path / f"g.{suffix}"
    result = runner.invoke(
        app, ["graph", str(PROBLEMS / "chain_fw.yaml"), "-o", str(out), "--path", "dE/dw1"]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(magic)


# ---- the command line and the library ----------------------------------------------------------
@pytest.mark.parametrize("fmt, start", [("markdown", "# "), ("latex", "% "), ("html", "<!DOCTYPE html>")])
def test_solve_writes_documents(tmp_path, fmt, start):
    out = tmp_path / f"q4.{fmt}"
    result = runner.invoke(app, ["solve", str(PROBLEMS / "q4.yaml"), "-f", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith(start)
    result = runner.invoke(app, ["solve", str(PROBLEMS / "q4.yaml"), "-f", fmt, "--blank"])
    assert result.exit_code == 0 and "fill in the blanks" in result.output.lower()


def test_solve_only_limits_the_document():
    result = runner.invoke(app, ["solve", str(PROBLEMS / "q4.yaml"), "-f", "markdown", "--only", "out_h1"])
    assert result.exit_code == 0
    assert "sigma" in result.output and "w_{5}" not in result.output and "Closed form" not in result.output


def test_blank_needs_a_document_format():
    result = runner.invoke(app, ["solve", str(PROBLEMS / "q4.yaml"), "--blank"])
    assert result.exit_code == 2 and "markdown, latex or html" in result.output


def test_a_failed_document_leaves_no_file(tmp_path):
    out = tmp_path / "q4.tex"
    result = runner.invoke(
        app, ["solve", str(PROBLEMS / "q4.yaml"), "-f", "latex", "--only", "nope", "-o", str(out)]
    )
    assert result.exit_code == 2
    assert list(tmp_path.iterdir()) == []


def test_plot_draws_the_loss_per_epoch(tmp_path):
    pytest.importorskip("matplotlib", reason="matplotlib is the optional extra backtutor[plot]")
    out = tmp_path / "loss.png"
    result = runner.invoke(app, ["solve", str(PROBLEMS / "q4.yaml"), "--epochs", "20", "--plot", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\x89PNG")


def test_plot_needs_several_epochs_and_matplotlib(tmp_path, monkeypatch):
    out = tmp_path / "loss.png"
    result = runner.invoke(app, ["solve", str(PROBLEMS / "q4.yaml"), "--plot", str(out)])
    assert result.exit_code == 2 and "several epochs" in result.output
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: None if n == "matplotlib" else real(n, *a))
    result = runner.invoke(app, ["solve", str(PROBLEMS / "q4.yaml"), "--epochs", "5", "--plot", str(out)])
    assert result.exit_code == 2 and "backtutor[plot]" in result.output
    assert not out.exists()


def test_library_document_function():
    sol = solved("q4")
    sheet = backtutor.document(sol, "latex", blank=True)
    assert sheet.startswith("%") and "fill in the blanks" in sheet and "0.593269992" not in sheet
    assert backtutor.document(sol).startswith("# ") and "0.593269992" in backtutor.document(sol)
    assert "<math" in backtutor.document(sol, "html")
    with pytest.raises(backtutor.InputError, match="no document kind"):
        backtutor.document(sol, "docx")


def test_renderers_are_imported_only_when_used():
    code = (
        "import sys, backtutor, backtutor.cli.app as cli; cli.whole_app(); backtutor.solve(sys.argv[1]);"
        "print(sorted(m for m in sys.modules if m.startswith(('backtutor.render', 'sympy', 'matplotlib'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(PROBLEMS / "q4.yaml")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    # the formats table itself is read at start-up (the CLI's -f choices): only the renderers wait
    assert done.stdout.strip() == "['backtutor.render', 'backtutor.render.formats']"
