"""Free-text write-ups (Markdown, LaTeX, plain text, notebooks) read into Answers (issue #22).

Every expected reading below is written out by hand: the numbers are M. Mazur's published ones ("A
Step by Step Backpropagation Example", 2015; /work/shared/reference/textbook-problems.md) rounded
as a student would, and the ids are the problem's step ids, as a teacher would look them up.
"""

import json

import nbformat
import pytest

import backtutor
from backtutor.check import Checker, SheetError, read_sheet
from backtutor.check.places import Place
from backtutor.check.writeup import WRITEUP_KINDS, parse_writeup, read_writeup

from .conftest import PROBLEMS


@pytest.fixture(scope="module")
def q4():
    return backtutor.solve(PROBLEMS / "q4.yaml")


def read(text: str, sol, kind: str = "markdown", file: str = "hw.md"):
    return parse_writeup(text, file, kind, sol)


def written(writeup) -> dict[str, str]:
    return {a.id: a.written for a in writeup.answers}


def lines(writeup) -> dict[str, int]:
    return {a.id: a.where.line for a in writeup.answers}


MARKDOWN = r"""# Homework 3: one step of backpropagation

## Forward pass
- $net_{h1} = w_1 i_1 + w_2 i_2 + b_1 = 0.15 \times 0.05 + 0.2 \times 0.1 + 0.35 = 0.3775$
- $out_{h1} = \sigma(net_{h1}) = 0.5933$, and $\text{out}_{h2} = 0{,}5969$
- $\mathrm{net}_{o1} \approx 1.1059$

| quantity | value |
|---|---|
| $out_{o1}$ | 0.7514 |
| E_total | 0.2984 |

## Backward pass
$$\frac{\partial E_{total}}{\partial w_5} = \frac{\partial E_{total}}{\partial out_{o1}} \cdot
\frac{\partial out_{o1}}{\partial net_{o1}} \cdot \frac{\partial net_{o1}}{\partial w_5}
= 0.7414 \times 0.1868 \times 0.5933 = 0.0822$$

$$
\begin{align*}
W_5^+ &= W_5 - \eta \frac{\partial E_{total}}{\partial W_5} \\
      &= 0.4 - 0.5 \times 0.0822 \\
      &= 0.3589
\end{align*}
$$

* $\partial E/\partial w_6 = 8.27 \times 10^{-2}$; w_6^{(new)} = 0.4087
* ∂E_total/∂w1 = 4.39e-4 so w1' = 0.1498
* $\delta_{h1}$ is hard: $\sigma'(net_{h1}) = 0.2413$
"""


def test_markdown_homework_is_read_where_it_is_written(q4):
    w = read(MARKDOWN, q4)
    assert written(w) == {
        "net_h1": "0.3775",
        "out_h1": "0.5933",
        "out_h2": "0,5969",
        "net_o1": "1.1059",
        "out_o1": "0.7514",
        "E_total": "0.2984",
        "dE_total/dw5": "0.0822",
        # the factors of the product, given nowhere else, on the product's line
        "dE_total/dout_o1": "0.7414",
        "dout_o1/dnet_o1": "0.1868",
        "dnet_o1/dw5": "0.5933",
        "w5+": "0.3589",
        "dE_total/dw6": "8.27e-2",
        "w6+": "0.4087",
        "dE_total/dw1": "4.39e-4",
        "w1+": "0.1498",
        "dout_h1/dnet_h1": "0.2413",
    }
    at = lines(w)
    assert (at["net_h1"], at["out_h2"], at["out_o1"], at["dE_total/dw5"], at["w5+"]) == (4, 5, 10, 16, 22)
    assert at["dE_total/dout_o1"] == 16 and at["w6+"] == 26
    assert w.answers[0].where == Place("hw.md", 4)
    assert w.unmatched == ()
    report = Checker(q4).grade(w.answers)
    assert [v.id for v in report.verdicts if v.status != "right"] == []


def test_a_wrong_factor_is_the_first_error_and_a_wrong_product_an_arithmetic_slip(q4):
    line = r"$\frac{\partial E}{\partial w_5} = \frac{\partial E}{\partial out_{o1}} \cdot \frac{\partial out_{o1}}{\partial net_{o1}} \cdot \frac{\partial net_{o1}}{\partial w_5} = NUMBERS = PRODUCT$"  # noqa: E501
    wrong_factor = read(
        line.replace("NUMBERS", r"0.7414 \times 0.1886 \times 0.5933").replace("PRODUCT", "0.0830"), q4
    )
    report = Checker(q4).grade(wrong_factor.answers)
    assert report.first_error is not None and report.first_error.id == "dout_o1/dnet_o1"
    assert {v.id: v.status for v in report.verdicts}["dE_total/dw5"] == "carried"  # 0.7414·0.1886·0.5933
    wrong_product = read(
        line.replace("NUMBERS", r"0.7414 \times 0.1868 \times 0.5933").replace("PRODUCT", "0.0872"), q4
    )
    report = Checker(q4).grade(wrong_product.answers)
    assert report.first_error is not None and report.first_error.id == "dE_total/dw5"
    assert report.first_error.slip == "arithmetic"


PLAIN = """Backprop homework, q4 (plain text)
net_h1 = 0.3775
out_h1: 0.5933
E = 0.2984
dE/dw5 = -0.022b
0.08 = 17
The learning rate is 0.5 as given.
dnet_o1/dw5 = out_h1
w_5 = 0.4
W_5+ = 0.3589
"""


def test_plain_text_nothing_ignored(q4):
    w = read(PLAIN, q4, "text", "hw.txt")
    assert written(w) == {"net_h1": "0.3775", "out_h1": "0.5933", "dnet_o1/dw5": "out_h1", "w5+": "0.3589"}
    assert [(u.where.line, u.why, u.candidates) for u in w.unmatched] == [
        (4, "ambiguous", ("E_o1", "E_o2", "E_total")),  # E beside E_o1, E_o2 and E_total
        (5, "could not read", ()),
        (6, "could not read", ()),
        (7, "not recognised", ()),
    ]  # line 1 has no number, w_5 = 0.4 is a given number of the problem
    assert w.unmatched[1].text == "dE/dw5 = -0.022b"


def mazur(dw5: str) -> str:
    """Mazur's derivation of ∂E_total/∂w5 and w5⁺, line by line as he writes it (in his LaTeX)."""
    return rf"""The Forward Pass
$net_{{h1}} = w_1 * i_1 + w_2 * i_2 + b_1 * 1$
$net_{{h1}} = 0.15 * 0.05 + 0.2 * 0.1 + 0.35 * 1 = 0.3775$
$out_{{h1}} = \frac{{1}}{{1+e^{{-net_{{h1}}}}}} = \frac{{1}}{{1+e^{{-0.3775}}}} = 0.593269992$
$out_{{h2}} = 0.596884378$
$out_{{o1}} = 0.75136507$
$E_{{total}} = \sum \frac{{1}}{{2}}(target - output)^{{2}}$
$E_{{o1}} = \frac{{1}}{{2}}(target_{{o1}} - out_{{o1}})^{{2}} = \frac{{1}}{{2}}(0.01 - 0.75136507)^{{2}} = 0.274811083$
$E_{{total}} = E_{{o1}} + E_{{o2}} = 0.274811083 + 0.023560026 = 0.298371109$
The Backwards Pass
$\frac{{\partial E_{{total}}}}{{\partial w_{{5}}}} = \frac{{\partial E_{{total}}}}{{\partial out_{{o1}}}} * \frac{{\partial out_{{o1}}}}{{\partial net_{{o1}}}} * \frac{{\partial net_{{o1}}}}{{\partial w_{{5}}}}$
$\frac{{\partial E_{{total}}}}{{\partial out_{{o1}}}} = -(target_{{o1}} - out_{{o1}}) = -(0.01 - 0.75136507) = 0.74136507$
$\frac{{\partial out_{{o1}}}}{{\partial net_{{o1}}}} = out_{{o1}}(1 - out_{{o1}}) = 0.75136507(1 - 0.75136507) = 0.186815602$
$\frac{{\partial net_{{o1}}}}{{\partial w_{{5}}}} = 1 * out_{{h1}} * w_5^{{(1 - 1)}} + 0 + 0 = out_{{h1}} = 0.593269992$
$\frac{{\partial E_{{total}}}}{{\partial w_{{5}}}} = 0.74136507 * 0.186815602 * 0.593269992 = {dw5}$
$w_5^{{+}} = w_5 - \eta * \frac{{\partial E_{{total}}}}{{\partial w_{{5}}}}$
$w_5^{{+}} = 0.4 - 0.5 * 0.082167041 = 0.35891648$
"""  # noqa: E501


def test_a_published_worked_example_with_one_digit_changed_gets_that_line(q4):
    right, checker = read(mazur("0.082167041"), q4), Checker(q4)
    assert right.unmatched == ()  # Σ ½(target − output)² is a definition: no value in it
    assert checker.grade(right.answers).first_error is None
    assert "E_o2" in written(right)  # a term of the sum E_o1 + E_o2, given nowhere else
    changed = read(mazur("0.082167641"), q4)  # one digit of ∂E/∂w5 changed
    first = checker.grade(changed.answers).first_error
    assert first is not None and first.id == "dE_total/dw5"
    at = {a.written: a.where for a in changed.answers}
    assert at["0.082167641"] == Place("hw.md", 15)


def test_write_up_kinds_and_bad_files(q4, tmp_path):
    assert WRITEUP_KINDS == {
        ".md": "markdown",
        ".markdown": "markdown",
        ".tex": "latex",
        ".txt": "text",
        ".ipynb": "notebook",
    }
    ok = tmp_path / "hw.md"
    ok.write_text("w5+ = 0.3589\n", encoding="utf-8")
    assert written(read_writeup(ok, q4)) == {"w5+": "0.3589"}
    binary = tmp_path / "scan.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    bad_utf8 = tmp_path / "latin1.txt"
    bad_utf8.write_bytes("w5+ = 0,3589 \u00e9t\u00e9".encode("latin-1"))
    not_json = tmp_path / "nb.ipynb"
    not_json.write_text("{ not json", encoding="utf-8")
    not_notebook = tmp_path / "other.ipynb"
    not_notebook.write_text(json.dumps({"cells": "none"}), encoding="utf-8")
    for path in (binary, bad_utf8, not_json, not_notebook):
        with pytest.raises(SheetError) as e:
            read_writeup(path, q4)
        assert str(e.value).startswith(str(path)), str(e.value)


def test_notebook_markdown_cells_and_printed_output(q4, tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Forward pass\n$$net_{h1} = 0.3775$$"),
        nbformat.v4.new_code_cell("out_h1 = 0.9  # code is not read\nprint(out_h1)"),
        nbformat.v4.new_markdown_cell("$$\n\\frac{\\partial E_{total}}{\\partial w_5} = 0.0822\n$$"),
    ]
    nb.cells[1].outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="out_h1 = 0.5933\n"),
        nbformat.v4.new_output("execute_result", data={"text/plain": "w5+ = 0.3589"}, execution_count=1),
    ]
    path = tmp_path / "hw.ipynb"
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    w = read_writeup(path, q4)
    assert written(w) == {"net_h1": "0.3775", "out_h1": "0.5933", "dE_total/dw5": "0.0822", "w5+": "0.3589"}
    where = {a.id: a.where for a in w.answers}
    assert where["net_h1"] == Place(str(path), 2, 1)
    assert where["out_h1"] == Place(str(path), 3, 2) and where["w5+"] == Place(str(path), 4, 2)
    assert where["dE_total/dw5"] == Place(str(path), 2, 3)
    assert w.kind == "notebook" and "print(out_h1)" in w.text


def test_yaml_answers_are_located_too(q4, tmp_path):
    path = tmp_path / "sheet.yaml"
    path.write_text('# q4\nnet_h1: 0.3775\n\n"w5+": 0.3589\n', encoding="utf-8")
    assert [(a.id, a.where) for a in read_sheet(path, q4)] == [
        ("net_h1", Place(str(path), 2)),
        ("w5+", Place(str(path), 4)),
    ]
