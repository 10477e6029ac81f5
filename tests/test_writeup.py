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
W_5+ = W_5 - eta * dE/dw5
    = 0.4 - 0.5 * 0.0822
    = 0.3589
"""


def test_plain_text_nothing_ignored(q4):
    w = read(PLAIN, q4, "text", "hw.txt")
    assert written(w) == {
        "net_h1": "0.3775",
        "out_h1": "0.5933",
        "dnet_o1/dw5": "out_h1",
        "w5+": "0.3589",
        "dE_total/dw5": "0.0822",  # a factor of w5 − η·∂E/∂w5 = 0.4 − 0.5·0.0822
    }
    assert lines(w)["w5+"] == 12 and lines(w)["dE_total/dw5"] == 12
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
    # a code cell's lines as a Place counts them: its source (shown, not read), then what it printed
    assert w.cells[1].split("\n")[2:] == ["out_h1 = 0.5933", "w5+ = 0.3589"]


def test_yaml_answers_are_located_too(q4, tmp_path):
    path = tmp_path / "sheet.yaml"
    path.write_text('# q4\nnet_h1: 0.3775\n\n"w5+": 0.3589\n', encoding="utf-8")
    assert [(a.id, a.where) for a in read_sheet(path, q4)] == [
        ("net_h1", Place(str(path), 2)),
        ("w5+", Place(str(path), 4)),
    ]


MINIBATCH = """title: two mini-batches, of two examples and of one
inputs: [x1, x2]
naming: {net: "z_{unit}", out: "{unit}"}
network:
  - activation: relu
    units: {h: {weights: [W1, W2], bias: b1}}
  - activation: relu
    units: {y_hat: {weights: [W], bias: b2}}
targets: {y_hat: y}
parameters: {W1: 0.5, W2: 1.0, b1: 0.5, W: 1.5, b2: 0.5}
data:
  - {x1: 2, x2: 2, y: 20}
  - {x1: 3, x2: 4, y: 28}
  - {x1: 1, x2: 1, y: 10}
loss: {kind: sse, name: E}
training: {learning_rate: 0.01, mode: minibatch, batch_size: 2, epochs: 1}
"""


def test_yaml_sheets_may_leave_out_the_update_of_a_quantity_in_one_update_only(write_problem, tmp_path):
    from backtutor.problem.load import load
    from backtutor.solution import solve_by_hand

    sol = solve_by_hand(load(write_problem(MINIBATCH)))
    sheet = tmp_path / "sheet.yaml"
    # z_h of example 1 is worked in update 1 only (its batch of two); z_h alone, in update 2 only
    # (a batch of one): 2·0.5 + 2·1 + 0.5 = 3.5, and after the first update by hand it is not asked
    sheet.write_text('"z_h[1]": 3.5\n', encoding="utf-8")
    assert [a.id for a in read_sheet(sheet, sol)] == ["z_h[1]@1"]
    sheet.write_text('"h": 1\n', encoding="utf-8")
    assert [a.id for a in read_sheet(sheet, sol)] == ["h@2"]
    sheet.write_text('"dE/db2": 1\n', encoding="utf-8")  # in both updates: say which
    with pytest.raises(SheetError, match=r"worked in 2 updates, say which with @t: dE/db2@1, dE/db2@2"):
        read_sheet(sheet, sol)


# The ReLU regression worked by hand (problems/relu_regression.yaml): update 1 on (x1, x2, y) = (2, 2, 20)
# with W1 = 0.5, W2 = 1, b1 = 0.5, W = 1.5, b2 = 0.5: z_h = 1 + 2 + 0.5 = 3.5, y_hat = 1.5·3.5 + 0.5 = 5.75,
# E = (20 − 5.75)² = 203.0625, ∂E/∂y_hat = −2·14.25 = −28.5, ∂E/∂W = −28.5·3.5 = −99.75,
# W⁺ = 1.5 + 0.9975 = 2.4975, b2⁺ = 0.785, ∂E/∂h = −42.75, W1⁺ = 0.5 + 0.855 = 1.355, W2⁺ = 1.855,
# b1⁺ = 0.9275; update 2 on (3, 4, 28): z_h = 4.065 + 7.42 + 0.9275 = 12.4125.
RELU = {"z_h@1": "3.5", "y_hat@1": "5.75", "E@1": "203.0625", "dE/dW@1": "-99.75", "W+@1": "2.4975",
        "W1+@1": "1.355", "z_h@2": "12.4125"}  # fmt: skip


@pytest.fixture(scope="module")
def relu():
    return backtutor.solve(PROBLEMS / "relu_regression.yaml")


def test_the_kth_time_a_quantity_is_given_is_the_kth_update(relu):
    text = """z_h = 2*0.5 + 2*1 + 0.5 = 3.5
ŷ = 1.5 × 3.5 + 0.5 = 5.75
E = (20 - 5.75)^2 = 203.0625
dE/dW = -28.5 * 3.5 = -99.75
W+ = 1.5 - 0.01 * (-99.75) = 2.4975
W1' = 1.355
z_h = 1.355*3 + 1.855*4 + 0.9275 = 12.4125
"""
    w = read(text, relu, "text", "hw.txt")
    assert written(w) == RELU
    assert w.unmatched == ()
    assert Checker(relu).grade(w.answers).first_error is None


def test_a_label_says_which_update_whatever_the_order(relu):
    text = r"""## Example 2
$z_h = 12.4125$

## Update 1
- $z_h = 3.5$, $\hat{y} = 5.75$
- **after (x², y²)**: nothing more
"""
    w = read(text, relu)
    assert {a.id: (a.written, a.where.line) for a in w.answers} == {
        "z_h@2": ("12.4125", 2),
        "z_h@1": ("3.5", 5),
        "y_hat@1": ("5.75", 5),
    }
    labelled = read("Epoch 2\nz_h = 12.4125\n", relu, "text", "hw.txt")
    assert written(labelled) == {"z_h@2": "12.4125"}


def test_a_noisy_ocr_transcription(relu):
    """What a phone's OCR makes of handwriting: decimal commas, stray spaces, primes for ⁺, Unicode
    minus signs, a letter read for a digit."""
    text = """Z_h = 3,5
y_hat =5 ,75  (forward)
dE / dW = −99.75
W ' = 2.4975
W1† = 1.355
b l+ = 0.9275
dE/db2 = -28.5O
"""
    w = read(text, relu, "text", "scan.txt")
    assert written(w) == {"z_h@1": "3,5", "dE/dW@1": "-99.75", "W+@1": "2.4975", "W1+@1": "1.355"}
    assert [(u.where.line, u.why) for u in w.unmatched] == [
        (2, "could not read"),  # 5 ,75: a stray space in the number
        (6, "not recognised"),  # b l+: the 1 read as a letter
        (7, "could not read"),  # -28.5O: a letter O read for a zero
    ]


SOFTMAX_TEX = r"""\documentclass{article}
\usepackage[utf8]{inputenc}
\usepackage{amsmath}
\begin{document}
\section*{Forward pass}
\begin{align*}
net_{c2} &= w_{21} x_1 + w_{22} x_2 + b_2 = 0.1 + 0.6 + 0.1 = 0.8 \\
out_{c2} &= \frac{e^{0.8}}{e^{0} + e^{0.8} + e^{0.1}} = 0.5139 \\
E &= -\ln out_{c2} = 0.6657
\end{align*}
\section*{Backward pass}
\begin{equation}
\delta_{c2} = \frac{\partial E}{\partial net_{c2}} = out_{c2} - 1 = -0.4861 % p - t
\end{equation}
\[ \frac{\partial E}{\partial w_{22}} = \delta_{c2} \, x_2 = -0.4861 \times 2 = -0.9722 \]
$w_{22}^{(new)} = w_{22} - \eta \frac{\partial E}{\partial w_{22}} = 0.3 - 0.1 \times (-0.9722) = 0.3972$
\end{document}
"""


def test_a_typed_latex_homework_softmax():
    """softmax_classifier by hand: net = (0, 0.8, 0.1), e^net = (1, 2.22554, 1.10517) summing to 4.33071,
    out_c2 = 0.5139, E = −ln 0.5139 = 0.6657, ∂E/∂net_c2 = out_c2 − 1 = −0.4861 (p − t), ∂E/∂w22 =
    −0.4861·x2 = −0.9722, w22⁺ = 0.3 + 0.1·0.9722 = 0.3972."""
    sol = backtutor.solve(PROBLEMS / "softmax_classifier.yaml")
    w = read(SOFTMAX_TEX, sol, "latex", "hw.tex")
    assert written(w) == {"net_c2": "0.8", "out_c2": "0.5139", "E": "0.6657", "dE/dnet_c2": "-0.4861",
                          "dE/dw22": "-0.9722", "w22+": "0.3972"}  # fmt: skip
    assert lines(w) == {"net_c2": 7, "out_c2": 8, "E": 9, "dE/dnet_c2": 13, "dE/dw22": 15, "w22+": 16}
    assert w.unmatched == ()  # the preamble's utf8 and the comment are not read
    assert Checker(sol).grade(w.answers).first_error is None


def _schiendorfer_by_hand() -> tuple[list[list[float]], list[float]]:
    """∂E/∂W1 and a2 of the 2-2-2 network, worked here in plain Python (Schiendorfer publishes
    E = 0.08699208 and row 2 of ∂E/∂W1 = [0.00142014, 0.00047338])."""
    import math

    sig = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    x, t = [3, 1], [1, 0]
    w1, w2 = [[6, -2], [-3, 5]], [[1, 0.25], [-2, 2]]
    a1 = [sig(sum(w * xi for w, xi in zip(row, x, strict=True))) for row in w1]
    a2 = [sig(sum(w * a for w, a in zip(row, a1, strict=True))) for row in w2]
    d2 = [-2 * (ti - a) * a * (1 - a) for ti, a in zip(t, a2, strict=True)]
    d1 = [sum(w2[k][j] * d2[k] for k in range(2)) * a1[j] * (1 - a1[j]) for j in range(2)]
    return [[d * xi for xi in x] for d in d1], a2


def test_matrices_answer_the_matrix_views_quantities():
    sol = backtutor.solve(PROBLEMS / "schiendorfer_matrix.yaml")
    dw1, a2 = _schiendorfer_by_hand()
    assert abs(dw1[1][0] - 0.00142014) < 1e-8 and abs(dw1[1][1] - 0.00047338) < 1e-8
    cell = lambda v: f"{v:.4e}".replace("e", r" \times 10^{") + "}"  # noqa: E731
    text = rf"""$$a^{{[2]}} = \begin{{pmatrix}} {a2[0]:.4f} \\ {a2[1]:.4f} \end{{pmatrix}}$$
$$
\frac{{\partial E}}{{\partial W^{{[1]}}}} = \begin{{bmatrix}}
{cell(dw1[0][0])} & {cell(dw1[0][1])} \\
0.00142014 & 0.00047338
\end{{bmatrix}}
$$
$$\delta^{{[2]}} = \begin{{bmatrix}} 1 & 2 & 3 \end{{bmatrix}}$$
"""
    w = read(text, sol)
    assert {a.element: a.id for a in w.answers} == {
        "a2[1]": "a_2_1",
        "a2[2]": "a_2_2",
        "dE/dW1[1,1]": "dE/dW1_11",
        "dE/dW1[1,2]": "dE/dW1_12",
        "dE/dW1[2,1]": "dE/dW1_21",
        "dE/dW1[2,2]": "dE/dW1_22",
    }
    assert {a.where.line for a in w.answers} == {1, 3}  # where each equation begins
    assert [(u.where.line, u.why) for u in w.unmatched] == [(8, "could not read")]  # δ2 is a vector of 2
    assert Checker(sol).grade(w.answers).first_error is None


def _textbook(step_id: str) -> str:
    """A step id as a textbook writes it: dE_total/dw5 → \\frac{\\partial E_{total}}{\\partial w_{5}}."""
    import re

    def name(n: str) -> str:
        plus = n.endswith("+")
        n = n.removesuffix("+")
        head, _, tail = n.partition("_")
        if not tail and (m := re.fullmatch(r"([A-Za-z]+)(\d+)", n)):
            head, tail = m.groups()
        return head + (f"_{{{tail}}}" if tail else "") + ("^{+}" if plus else "")

    base = step_id.partition("@")[0]
    if "/" in base:
        of, wrt = base[1:].split("/d")
        return rf"\frac{{\partial {name(of)}}}{{\partial {name(wrt)}}}"
    return name(base)


STYLES = (
    lambda lhs, v: f"- ${lhs} = {v}$",
    lambda lhs, v: f"| ${lhs}$ | {v} |",
    lambda lhs, v: f"$$\\begin{{aligned}} {lhs} &= {v} \\end{{aligned}}$$",
    lambda lhs, v: f"The value: ${lhs} = {v}$.",
)


@pytest.mark.parametrize("problem", ["q4", "relu_regression"])
def test_a_yaml_sheet_written_as_markdown_is_graded_the_same(problem, tmp_path):
    from hypothesis import given
    from hypothesis import strategies as st

    sol = backtutor.solve(PROBLEMS / f"{problem}.yaml")
    checker = Checker(sol)
    steps = sol.steps
    rows = st.lists(
        st.tuples(st.integers(0, len(steps) - 1), st.sampled_from([1.0, 1.0, 1.1, -1.0]), st.integers(0, 3)),
        min_size=1,
        max_size=12,
        unique_by=lambda r: r[0],
    )

    @given(rows)
    def same(chosen):
        chosen = sorted(chosen)  # the working's order, as a student writes it
        answers = [(steps[i].id, f"{steps[i].value * scale:.4g}", style) for i, scale, style in chosen]
        yaml_path = tmp_path / "sheet.yaml"
        yaml_path.write_text("".join(f'"{i}": {v}\n' for i, v, _ in answers), encoding="utf-8")
        lines, update = [], None
        for i, v, style in answers:
            t = steps[[s.id for s in steps].index(i)].update
            if "@" in i and t != update:
                lines.append(f"## Update {t}")
                update = t
            lines.append(STYLES[style](_textbook(i), v))
        md = read("\n".join(lines) + "\n", sol)
        assert md.unmatched == ()
        by_yaml = checker.grade(read_sheet(yaml_path, sol))
        by_md = checker.grade(md.answers)
        assert [(v.id, v.answer, v.status, v.slip) for v in by_md.verdicts] == [
            (v.id, v.answer, v.status, v.slip) for v in by_yaml.verdicts
        ]

    same()


NOTATIONS = [  # (problem, the left-hand side as written, the step id a teacher reads it as)
    ("q4", r"\frac{\partial E_{total}}{\partial w_5}", "dE_total/dw5"),
    ("q4", r"\partial E/\partial w_5", "dE_total/dw5"),
    ("q4", "dE/dw5", "dE_total/dw5"),
    ("q4", "∂E_total/∂w5", "dE_total/dw5"),
    ("q4", r"\left. \frac{dE}{dw_{5}} \right.", "dE_total/dw5"),
    ("q4", "w_5^+", "w5+"),
    ("q4", "w_5^{(new)}", "w5+"),
    ("q4", "w5'", "w5+"),
    ("q4", r"w_5^{\dagger}", "w5+"),
    ("q4", "W_5^{+}", "w5+"),
    ("q4", r"\delta_{o1}", "dE_total/dnet_o1"),
    ("q4", r"\text{out}_{h1}", "out_h1"),
    ("q4", r"\mathrm{net}_{o1}", "net_o1"),
    ("q4", r"\sigma'(net_{h1})", "dout_h1/dnet_h1"),
    ("schiendorfer_matrix", r"\frac{\partial E}{\partial W^{[1]}_{12}}", "dE/dW1_12"),
    ("schiendorfer_matrix", "a_1^{(2)}", "a_2_1"),
    ("schiendorfer_matrix", r"\delta_1^{(2)}", "dE/dz_2_1"),
    ("relu_regression", r"\hat{y}", "y_hat@1"),
]


@pytest.mark.parametrize(("problem", "lhs", "step_id"), NOTATIONS)
def test_textbook_notation(problem, lhs, step_id):
    sol = backtutor.solve(PROBLEMS / f"{problem}.yaml")
    w = read(f"$${lhs} = 0.5$$\n", sol)
    assert [a.id for a in w.answers] == [step_id]


def test_numbers_as_typed(q4):
    typed = {
        r"3.59 \times 10^{-1}": 0.359,
        "3.59e-1": 0.359,
        "3,59 · 10^{-1}": 0.359,
        r"0.358\,916": 0.358916,
        "0.358\u2009916": 0.358916,
        "−0.0822": -0.0822,
        r"\mathbf{0.3589}": 0.3589,
        r"\left( 0.3589 \right)": 0.3589,
    }
    for text, value in typed.items():
        (answer,) = read(f"$w_5^+ = {text}$\n", q4).answers
        assert answer.value == pytest.approx(value), text
