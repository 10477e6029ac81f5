"""What the documents (Markdown, LaTeX, HTML) share: the outline of a worked solution, the parts of
one step, and LaTeX lines short enough for a page. Pure functions of a Solution, no I/O.

The outline follows the terminal renderer: one part per update step, in it one section per
(example, phase), then the closed forms and, for runs of several epochs, the loss per epoch.
Worksheets (`blank`) leave computed numbers (floats) blank; numbers given in the problem and the
constants of formulas are exact (Fractions) and stay.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import groupby

from ..engine.expr import Expr, Num
from ..engine.formula import latex, latex_pieces, text
from ..solution import Epoch, Solution, Step

PHASES = {"forward": "Forward pass", "backward": "Backward pass (chain rule)", "update": "Updates (SGD)"}
CLOSED_TITLE = "Closed form of each gradient, in the problem's names"
SUMMARY_ROWS = 12
LINE_WIDTH = 80  # LaTeX: about the width of an A4 line at 11pt with 2 cm margins, in digits


@dataclass(frozen=True)
class Section:
    title: str
    steps: list[Step]


@dataclass(frozen=True)
class Part:
    heading: str  # "Update 1 of 2 (epoch 1)", or "Working" when the problem does not train
    sections: list[Section]


@dataclass(frozen=True)
class Outline:
    title: str
    description: str
    loss: str
    parts: list[Part]
    closed_forms: list[tuple[Expr, Expr]]  # (∂loss/∂p, its closed form)
    history: list[Epoch]  # rows of the loss-per-epoch table (runs of several epochs)
    final: list[tuple[str, float]]  # trained parameters after the run, then the loss
    hint: str  # said when a long run shows no working


def outline(sol: Solution, steps: list[Step] | None = None) -> Outline:
    p = sol.problem
    shown = list(sol.steps if steps is None else steps)
    parts = [_part(sol, t, list(group)) for t, group in groupby(shown, key=lambda s: s.update)]
    closed: list[tuple[Expr, Expr]] = []
    history: list[Epoch] = []
    final: list[tuple[str, float]] = []
    hint = ""
    if steps is None:
        seen: set[str] = set()
        for s in sol.steps:
            if s.closed_form is not None and s.phase == "backward" and text(s.target) not in seen:
                seen.add(text(s.target))
                closed.append((s.target, s.closed_form))
        if p.training:
            final = [(k, v) for k, v in sol.final.items() if k in sol.graph.trainable]
            final.append((sol.graph.loss, sol.history[-1].loss))
        if len(sol.history) > 2:
            history = sample(sol.history)
            if not sol.shown:
                hint = "Working not shown: add --steps 1 (or 1-3, last, all) to see it."
    return Outline(
        p.title or p.path, p.description.strip(), sol.graph.loss, parts, closed, history, final, hint
    )


def _part(sol: Solution, t: int, steps: list[Step]) -> Part:
    sections = []
    batch = len({s.example for s in steps}) > 1
    for (k, phase), group in groupby(steps, key=lambda s: (s.example, s.phase)):
        title = PHASES[phase]
        if k is not None:
            title += f", example {k}"
        elif phase != "update" and batch:
            what = "Loss" if phase == "forward" else "Gradients"
            title = f"{what} over the batch ({sol.problem.reduction} of the examples)"
        sections.append(Section(title, list(group)))
    heading = f"Update {t} of {sol.updates}" if sol.problem.training else "Working"
    if sol.problem.training and len(sol.history) > 2:
        heading += f" (epoch {(t - 1) // sol.updates_per_epoch + 1})"
    return Part(heading, sections)


def sample(history: tuple[Epoch, ...] | list[Epoch]) -> list[Epoch]:
    """At most SUMMARY_ROWS epochs, evenly spaced, the first and the last among them."""
    n = len(history)
    if n <= SUMMARY_ROWS:
        return list(history)
    return [
        history[i] for i in sorted({round(i * (n - 1) / (SUMMARY_ROWS - 1)) for i in range(SUMMARY_ROWS)})
    ]


def parts(s: Step, precision: int) -> list[Expr]:
    """What follows `target =`: the formula, the numbers substituted, the value, leaving out a part
    that reads the same as the one before it (compared with every number filled in)."""
    out: list[Expr] = [s.formula]
    seen = [text(s.formula, precision)]
    for e in (s.substitution, Num(s.value)):
        if e is not None and text(e, precision) not in seen:
            out.append(e)
            seen.append(text(e, precision))
    return out


# ---- LaTeX (for the .tex document and the $$…$$ of Markdown) ----------------------------------------
def step_rows(s: Step, precision: int, blank: bool, width: int = LINE_WIDTH) -> list[tuple[str, str]]:
    """Rows of an align* / aligned block for one step: (left, right) around the alignment point.
    A short step is one row; a long one gets a row per part, long parts broken into lines."""
    target = latex(s.target, precision)
    items = [latex(e, precision, blank) for e in parts(s, precision)]
    if latex_width(target) + sum(latex_width(x) + 2 for x in items) <= width:
        return [(target, "= " + " = ".join(items))]
    rows: list[tuple[str, str]] = []
    for e in parts(s, precision):
        for j, line in enumerate(latex_lines(e, precision, blank, width - latex_width(target) - 4)):
            left = target if not rows else ""
            rows.append((left, ("= " if j == 0 else r"\quad ") + line))
    return rows


def closed_rows(target: Expr, closed: Expr, precision: int, width: int = LINE_WIDTH) -> list[tuple[str, str]]:
    """Rows of an align* / aligned block for a closed form: ∂loss/∂p = …, broken into lines."""
    left = latex(target, precision)
    lines = latex_lines(closed, precision, False, width - latex_width(left) - 4)
    return [(left if j == 0 else "", (r"\quad " if j else "= ") + x) for j, x in enumerate(lines)]


def latex_lines(e: Expr, precision: int, blank: bool, width: int = LINE_WIDTH) -> list[str]:
    """latex(e), broken before terms and factors into lines of about `width`; brackets that a break
    cuts are closed with \\right. and reopened with \\left. so that every line compiles."""
    lines: list[str] = []
    current = ""
    for piece in latex_pieces(e, precision, blank):
        if current and latex_width(current + piece) > width:
            lines.append(current)
            current = piece.lstrip()
        else:
            current += piece
    lines.append(current)
    out, depth = [], 0
    for line in lines:
        opened = r"\left. " * depth + line
        depth = _depth(opened)
        out.append(opened + r" \right." * depth)
    return out


def _depth(s: str) -> int:
    return len(re.findall(r"\\left(?![a-zA-Z])", s)) - len(re.findall(r"\\right(?![a-zA-Z])", s))


_ZERO_WIDTH = {"left", "right", "mathrm", "mathbf", "text", "textbf", "underline"}


def latex_width(s: str) -> float:
    """Roughly how wide a LaTeX formula sets, in digit widths: fractions are as wide as their wider
    line, sub- and superscripts count less, commands count as one symbol."""
    width, i = 0.0, 0
    while i < len(s):
        c = s[i]
        if c == "\\":
            m = re.match(r"\\([a-zA-Z]+|.)", s[i:])
            name = m.group(1) if m else ""
            i += len(name) + 1
            if name == "frac":
                a, i = _group(s, i)
                b, i = _group(s, i)
                width += max(latex_width(a), latex_width(b)) + 0.5
            elif name in ("qquad", "quad"):
                width += 4 if name == "qquad" else 2
            elif name in ("cdot", "times"):
                width += 1.5
            elif name not in _ZERO_WIDTH:
                width += 1
        elif c in "_^":
            g, i = _group(s, i + 1)
            width += 0.7 * latex_width(g)
        elif c in "{} ":
            i += 1
        else:
            width += 1.6 if c in "+-=" else 1
            i += 1
    return width


def _group(s: str, i: int) -> tuple[str, int]:
    """The brace group (or single character) at s[i], and the index after it."""
    while i < len(s) and s[i] == " ":
        i += 1
    if i >= len(s):
        return "", i
    if s[i] != "{":
        return s[i], i + 1
    depth = 0
    for j in range(i, len(s)):
        depth += {"{": 1, "}": -1}.get(s[j], 0)
        if depth == 0:
            return s[i + 1 : j], j + 1
    return s[i + 1 :], len(s)


_TEX_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#", "%": r"\%",
    "_": r"\_", "^": r"\^{}", "~": r"\~{}", "<": r"$<$", ">": r"$>$", "|": r"$|$",
}  # fmt: skip
_TEX_MATH = {
    "·": r"\cdot", "−": "-", "×": r"\times", "′": "'", "∂": r"\partial", "Σ": r"\Sigma", "→": r"\to",
    "≤": r"\leq", "≥": r"\geq", "≠": r"\neq", "≈": r"\approx", "∞": r"\infty", "±": r"\pm", "…": r"\ldots",
    "√": r"\surd", "∈": r"\in", "∑": r"\sum", "∏": r"\prod", "⁺": "^{+}", "ˣ": "^{x}",
}  # fmt: skip
_TEX_TEXT = {"–": "--", "—": "---", "“": "``", "”": "''", "‘": "`", "’": "'", "\u00a0": "~"}
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻ⁿⁱ", "0123456789-ni")
_ACCENTS = {
    "\u0301": "'",
    "\u0300": "`",
    "\u0302": "^",
    "\u0308": '"',
    "\u0303": "~",
    "\u0327": "c",
    "\u030c": "v",
}


def tex_text(s: str) -> str:
    """Plain text (a title, a rule such as σ′(x) = σ(x)·(1 − σ(x))) as LaTeX text that pdflatex
    sets without extra packages: specials escaped, symbols and Greek letters as math, accented
    letters as accents; any other character becomes `?` rather than an error."""
    out: list[str] = []
    math: list[str] = []  # math symbols next to each other share one $…$

    def flush() -> None:
        if math:
            out.append("$" + " ".join(math) + "$")
            math.clear()

    i = 0
    while i < len(s):
        c = s[i]
        i += 1
        if c in _SUPER_CHARS:
            j = i
            while j < len(s) and s[j] in _SUPER_CHARS:
                j += 1
            math.append(f"^{{{s[i - 1 : j].translate(_SUPERSCRIPTS)}}}")
            i = j
        elif c in _TEX_MATH:
            math.append(_TEX_MATH[c])
        elif (greek := _greek(c)) is not None:
            math.append(greek)
        else:
            flush()
            if c in _TEX_SPECIAL:
                out.append(_TEX_SPECIAL[c])
            elif c.isascii():
                out.append(c)
            else:
                out.append(_TEX_TEXT.get(c) or _accented(c))
    flush()
    return "".join(out)


_SUPER_CHARS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁻ⁿⁱ"
_GREEK_NAMES = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu",
    "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
}  # fmt: skip
_LATIN_LOOKALIKE = {
    "alpha": "A", "beta": "B", "epsilon": "E", "zeta": "Z", "eta": "H", "iota": "I", "kappa": "K", "mu": "M",
    "nu": "N", "omicron": "O", "rho": "P", "tau": "T", "chi": "X",
}  # fmt: skip


def _greek(c: str) -> str | None:
    """A Greek letter as a math command (σ → \\sigma, Δ → \\Delta), else None."""
    name = unicodedata.name(c, "")
    if not name.startswith(("GREEK SMALL LETTER ", "GREEK CAPITAL LETTER ")) or " WITH " in name:
        return None
    letter = name.rsplit(" ", 1)[-1].lower().replace("lamda", "lambda")  # Unicode spells it lamda
    if letter not in _GREEK_NAMES:
        return None  # archaic letters (koppa, …): no LaTeX command
    if "CAPITAL" in name:
        return _LATIN_LOOKALIKE.get(letter) or "\\" + letter.capitalize()
    if letter == "omicron":
        return "o"
    return "\\varepsilon" if letter == "epsilon" else "\\" + letter


def _accented(c: str) -> str:
    base, *marks = unicodedata.normalize("NFD", c)
    if base.isascii() and base.isalpha() and len(marks) == 1 and marks[0] in _ACCENTS:
        return f"\\{_ACCENTS[marks[0]]}{{{base}}}"
    return "?"
