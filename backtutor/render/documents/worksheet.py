"""The printable worksheet (`backtutor worksheet`, `variants --paper`): the problem as given (the
network drawn by Graphviz without a computed number, the given numbers), then one box per asked
quantity, named as the textbook writes it, with room for the working, grouped by question with its
points. Every page carries the student id, the variant and a QR code of both, so a scanned stack sorts
itself. It shows no formula of a step, no closed form and no computed number: only names and what the
problem file gives.

A pure function of a Solution and its questions: the LaTeX text and the files it includes (the QR
code, vector, by segno; the drawing, by Graphviz), which `pdf.compile_pdf` writes beside it.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass

from ...engine.expr import Num, Sym
from ...engine.formula import latex
from ...errors import InputError
from ...problem.records import Problem
from ...solution import Solution, Step
from ...solution.asked import Question, points_text
from . import dot
from .math_rows import tex_text

MAX_BOXES = 300  # a sheet longer than ~40 pages is no homework: ask fewer steps with an assignment
MAX_DRAWN = 120  # nodes: a larger graph is unreadable on a page, so the sheet says so instead
MAX_GIVEN = 400  # numbers listed from the data set; the problem file has the rest
MAX_LABEL = 200  # characters of a student id or variant label (a roster id is at most 200 bytes)
QR_FILE, GRAPH_FILE = "qr.pdf", "graph.pdf"

PREAMBLE = r"""% A printable worksheet written by backtutor. Compile with: pdflatex FILE.tex
\documentclass[11pt]{article}
\usepackage[utf8]{inputenc}
\usepackage{amsmath,amssymb,graphicx,fancyhdr}
\usepackage[a4paper,margin=2cm,top=3.6cm,headheight=2.4cm,headsep=0.5cm]{geometry}
\setlength{\parindent}{0pt}
\setlength{\parskip}{4pt}
\pagestyle{fancy}
\fancyhf{}
\renewcommand{\headrulewidth}{0.4pt}
"""


@dataclass(frozen=True)
class Worksheet:
    tex: str
    files: dict[str, bytes]  # what the LaTeX includes, by file name


def variant_code(problem: Problem) -> str:
    """A short code of the numbers a problem gives (parameters, data, learning rate): two sheets
    with the same code have the same numbers, whatever their titles say."""
    training = problem.training
    numbers = [sorted(problem.parameters.items()), [sorted(r.items()) for r in problem.data]]
    numbers.append([training.learning_rate if training else None])
    return hashlib.sha256(repr(numbers).encode()).hexdigest()[:8]


def render(
    sol: Solution, questions: tuple[Question, ...], student: str, variant: str, name: str = ""
) -> Worksheet:
    """The worksheet of `questions` for `student` (untrusted text, escaped) and `variant`; the
    student's `name` (from a roster) is printed too, else a line is left for it."""
    for what, label in (("student id", student), ("variant", variant), ("name", name)):
        if len(label) > MAX_LABEL:
            raise InputError(f"the {what} is {len(label)} characters long; at most {MAX_LABEL} fit a page")
    boxes = sum(len(q.steps) for q in questions)
    if boxes > MAX_BOXES:
        raise InputError(
            f"the worksheet would have {boxes} boxes (at most {MAX_BOXES}); ask fewer steps with an "
            "assignment: section in the problem file"
        )
    files = {QR_FILE: qr_pdf(student, variant)}
    figure = []
    if len(sol.graph.nodes) <= MAX_DRAWN:
        files[GRAPH_FILE] = dot.convert(dot.render(sol, blank=True), "pdf")
        figure.append(
            rf"\begin{{center}}\includegraphics[width=\linewidth,height=0.4\textheight,"
            rf"keepaspectratio]{{{GRAPH_FILE}}}\end{{center}}"
        )
    else:
        figure.append(f"The network has {len(sol.graph.nodes)} nodes, too many to draw on a page.")
    p = sol.problem
    head = [PREAMBLE.rstrip("\n"), _header(student, variant, name), r"\begin{document}"]
    head.append(rf"\section*{{{tex_text(p.title or p.path)}}}")
    if p.description.strip():
        head.append(tex_text(p.description.strip()))
    body = [*figure, *_given(sol), *(line for q in questions for line in _question(sol, q))]
    return Worksheet("\n".join([*head, *body, r"\end{document}", ""]), files)


def qr_pdf(student: str, variant: str) -> bytes:
    """A QR code (vector PDF) of the student id and the variant as ASCII JSON (every other character
    a \\u escape), which any scanner reads back as written, whatever character set it guesses."""
    import segno

    out = io.BytesIO()
    segno.make(json.dumps({"student": student, "variant": variant}), error="m").save(
        out, kind="pdf", scale=4, border=2
    )
    return out.getvalue()


def _header(student: str, variant: str, name: str) -> str:
    """Every page's header: who and which variant on the left, the QR code on the right."""
    who = [("Student", student), ("Variant", variant), ("Name", name)]
    lines = r"\\ ".join(rf"\textbf{{{label}:}} {tex_text(text)}" for label, text in who)
    return "\n".join(
        [
            rf"\fancyhead[L]{{\parbox[b]{{0.7\textwidth}}{{\raggedright {lines}}}}}",
            rf"\fancyhead[R]{{\includegraphics[height=2.2cm]{{{QR_FILE}}}}}",
            r"\fancyfoot[C]{\thepage}",
        ]
    )


def _given(sol: Solution) -> list[str]:
    """The numbers the problem gives: initial parameters, the data set, the training settings."""
    p = sol.problem
    out = [r"\subsection*{Given}"]
    params = [f"${latex(Sym(n))} = {latex(Num(v))}$" for n, v in p.parameters.items()]
    if params:
        out.append(r"\textbf{Parameters:} " + _listed(params, "parameters") + r"\par")
    names = [*p.inputs, *p.targets]
    shown = 0
    for k, row in enumerate(p.data, 1):
        numbers = [f"${latex(Sym(n))} = {latex(Num(row[n]))}$" for n in names if n in row]
        if shown + len(numbers) > MAX_GIVEN:
            out.append(rf"\dots{{}} and {len(p.data) - k + 1} more examples (in the problem file).")
            break
        shown += len(numbers)
        out.append(rf"\textbf{{Example {k}:}} " + ", ".join(numbers) + r".\par")
    if p.training:
        out.append(r"\textbf{Training:} " + _training(p) + r"\par")
    out.append(rf"\textbf{{Loss:}} ${latex(Sym(p.loss))}$ ({tex_text(p.loss_kind)}).")
    return out


def _listed(items: list[str], what: str) -> str:
    if len(items) <= MAX_GIVEN:
        return ", ".join(items) + "."
    return ", ".join(items[:MAX_GIVEN]) + rf", \dots{{}} and {len(items) - MAX_GIVEN} more {what}."


def _training(p: Problem) -> str:
    t = p.training
    assert t is not None
    said = [
        f"learning rate $\\eta = {latex(Num(t.learning_rate))}$",
        f"{tex_text(t.optimizer.optimizer.title)}",
        f"{tex_text(t.mode)}",
    ]
    if t.mode != "online":
        said.append(f"batches of {t.batch_size}")
    said.append(f"{t.epochs} epoch{'s' if t.epochs != 1 else ''}")
    return ", ".join(said) + "."


def _question(sol: Solution, q: Question) -> list[str]:
    """A question's heading (its title, points and the precision asked), then a box per step."""
    points = f"{points_text(q.points)} point{'s' if q.points != 1 else ''}"
    out = [rf"\section*{{{tex_text(q.title)} \hfill \normalsize {points}}}"]
    if q.min_digits:
        out.append(rf"\emph{{Give at least {q.min_digits} significant figures.}}")
    if q.decimals:
        out.append(rf"\emph{{Give at least {q.decimals} decimal places.}}")
    out += [_box(sol, sol.step(step_id)) for step_id in q.steps]
    return out


def _box(sol: Solution, s: Step) -> str:
    """A framed box for one quantity: its name, where it is in the working, room for the working and
    a line for the answer; never split across pages."""
    where = [f"update {s.update}"] if sol.updates > 1 else []
    if s.example is not None:
        where.append(f"example {s.example}")
    name = f"${latex(s.target)}$" + (f" ({', '.join(where)})" if where else "")
    inner = r"\dimexpr\linewidth-2\fboxsep-2\fboxrule\relax"
    return "\n".join(
        [
            r"\par\noindent\begin{minipage}{\linewidth}",
            rf"{name} \hfill {{\small\texttt{{{tex_text(s.id)}}}}}\\[2pt]",
            rf"\fbox{{\begin{{minipage}}[t][2cm]{{{inner}}}\vfill\hfill",
            rf"${latex(s.target)} = $ \rule{{5cm}}{{0.4pt}}\end{{minipage}}}}",
            r"\end{minipage}\par\medskip",
        ]
    )
