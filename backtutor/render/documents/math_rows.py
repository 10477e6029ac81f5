"""What the LaTeX of Markdown and of the .tex document share: a step as rows of an align* block,
formulas broken into lines short enough for a page, and plain text (titles, rule notes) as LaTeX
text. The outline itself (parts, sections, sampling, closed forms) is `outline.py`'s.

Worksheets (`blank`) leave computed numbers (floats) blank; numbers given in the problem and the
constants of formulas are exact (Fractions) and stay.
"""

from __future__ import annotations

import re
import unicodedata

from ...engine.expr import Expr
from ...engine.formula import latex, latex_pieces
from ...solution.gradient_forms import ClosedForm
from ...text import visible
from ..closed_forms import SIMPLIFIED, around_latex
from ..outline import Shown, notation

LINE_WIDTH = 80  # LaTeX: about the width of an A4 line at 11pt with 2 cm margins, in digits


# ---- LaTeX (for the .tex document and the $$…$$ of Markdown) ----------------------------------------
def step_rows(shown: Shown, blank: bool, width: float = LINE_WIDTH) -> list[tuple[str, str]]:
    """Rows of an align* / aligned block for one step: (left, right) around the alignment point.
    A short step is one row; a long one gets a row per part, long parts broken into lines."""
    target = latex(shown.step.target)
    items = [latex(e, digits, blank) for e, digits in shown.parts]
    if latex_width(target) + sum(latex_width(x) + 2 for x in items) <= width:
        return [(target, "= " + " = ".join(items))]
    rows: list[tuple[str, str]] = []
    for e, digits in shown.parts:
        for j, line in enumerate(latex_lines(e, digits, blank, width - latex_width(target) - 4)):
            left = target if not rows else ""
            rows.append((left, ("= " if j == 0 else r"\quad ") + line))
    return rows


def closed_rows(cf: ClosedForm, precision: int, width: float = LINE_WIDTH) -> list[tuple[str, str]]:
    """Rows of an align* / aligned block for a closed form: ∂loss/∂p = …, then `simplified = …` and
    SymPy's note, each broken into lines (a batch's Σₙ[…] around each form)."""
    rows = _form_rows(latex(cf.target), cf.chain, precision, around_latex(cf), width)
    if cf.simplified is not None:
        rows += _form_rows(rf"\text{{{SIMPLIFIED}}}", cf.simplified, precision, around_latex(cf), width)
    elif cf.note:
        rows.append(("", rf"\quad\text{{({tex_text(cf.note)})}}"))
    return rows


def _form_rows(
    left: str, e: Expr, precision: int, around: tuple[str, str], width: float
) -> list[tuple[str, str]]:
    before, after = around
    lines = latex_lines(e, precision, False, width - latex_width(left + before) - 4)
    lines[0], lines[-1] = before + lines[0], lines[-1] + after
    return [(left if j == 0 else "", (r"\quad " if j else "= ") + x) for j, x in enumerate(lines)]


def latex_lines(e: Expr, precision: int, blank: bool, width: float = LINE_WIDTH) -> list[str]:
    """latex(e), broken before its top-level terms and factors into lines of about `width` (a
    bracketed factor longer than a line stays whole: no line opens a bracket another closes). Each
    piece's width is measured on from the line's last token (only that one can change), so a long
    form costs its length, not its length squared."""
    lines: list[str] = []
    current = ""
    resume = (0, 0.0)  # where the line's last token starts, and the width before it
    for piece in latex_pieces(e, precision, blank):
        wide, last = _scan(current + piece, *resume)
        if current and wide > width:
            lines.append(current)
            current = piece.lstrip()
            resume = _scan(current)[1]
        else:
            current, resume = current + piece, last
    lines.append(current)
    return lines


_ZERO_WIDTH = {"left", "right", "mathrm", "mathbf", "text", "textbf", "underline"}
_COMMAND = re.compile(r"\\([a-zA-Z]+|.)")
_BRACE = re.compile(r"[{}]")


def latex_width(s: str) -> float:
    """Roughly how wide a LaTeX formula sets, in digit widths: fractions are as wide as their wider
    line, sub- and superscripts count less, commands count as one symbol."""
    return _scan(s)[0]


def _scan(s: str, i: int = 0, width: float = 0.0) -> tuple[float, tuple[int, float]]:
    """latex_width of s, going on from index i with `width` before it; and where the last token
    starts with the width before it (text appended to s can change that token only)."""
    last = (i, width)
    while i < len(s):
        last = (i, width)
        c = s[i]
        if c == "\\":
            m = _COMMAND.match(s, i)
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
    return width, last


def _group(s: str, i: int) -> tuple[str, int]:
    """The brace group (or single character) at s[i], and the index after it."""
    while i < len(s) and s[i] == " ":
        i += 1
    if i >= len(s):
        return "", i
    if s[i] != "{":
        return s[i], i + 1
    depth = 0
    for m in _BRACE.finditer(s, i):
        depth += 1 if m.group() == "{" else -1
        if depth == 0:
            return s[i + 1 : m.start()], m.end()
    return s[i + 1 :], len(s)


_TEX_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#", "%": r"\%",
    "_": r"\_", "^": r"\^{}", "~": r"\~{}", "<": r"$<$", ">": r"$>$", "|": r"$|$",
}  # fmt: skip
_TEX_MATH = {
    "·": r"\cdot", "−": "-", "×": r"\times", "′": "'", "∂": r"\partial", "Σ": r"\Sigma", "→": r"\to",
    "≤": r"\leq", "≥": r"\geq", "≠": r"\neq", "≈": r"\approx", "∞": r"\infty", "±": r"\pm", "…": r"\ldots",
    "√": r"\surd", "∈": r"\in", "∑": r"\sum", "∏": r"\prod", "⁺": "^{+}", "ˣ": "^{x}", "←": r"\leftarrow",
    "⊙": r"\odot", "⋆": r"\star", "∇": r"\nabla", "÷": r"\div", "ᵀ": r"^{\top}",
}  # fmt: skip
_TEX_TEXT = {"–": "--", "—": "---", "“": "``", "”": "''", "‘": "`", "’": "'", "\u00a0": "~"}
# letters of European names with a command of their own in plain LaTeX (Ødegård, Łukasz, Strauß)
_TEX_TEXT |= {"ø": r"{\o}", "Ø": r"{\O}", "æ": r"{\ae}", "Æ": r"{\AE}", "œ": r"{\oe}", "Œ": r"{\OE}"}
_TEX_TEXT |= {"ß": r"{\ss}", "ł": r"{\l}", "Ł": r"{\L}", "ı": r"{\i}", "å": r"{\aa}", "Å": r"{\AA}"}
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻ⁿⁱ", "0123456789-ni")
_ACCENTS = {
    "\u0301": "'",
    "\u0300": "`",
    "\u0302": "^",
    "\u0308": '"',
    "\u0303": "~",
    "\u0327": "c",
    "\u030c": "v",
    "\u030a": "r",
    "\u0304": "=",
    "\u0307": ".",
    "\u030b": "H",
    "\u0306": "u",
}


def tex_text(s: str, scripts: bool = False) -> str:
    """Plain text (a title, a rule such as σ′(x) = σ(x)·(1 − σ(x))) as LaTeX text that pdflatex
    sets without extra packages: specials escaped, symbols and Greek letters as math, accented
    letters as accents, ø, ł, ß and their kin by their commands; any other character (李) becomes
    `?` rather than an error; control characters written visibly (`\\x1b`), as every output does.
    The text cannot run a command: `\\`, `^`, `%`, `#`, braces… are all escaped. With `scripts`
    (rule notes), e^(−x) is set as a superscript and softmax_k as a subscript."""
    s = visible(s, lines=True)
    out: list[str] = []
    math: list[str] = []  # math symbols next to each other share one $…$
    for before, base, mark, script in notation(s) if scripts else [(s, "", "", "")]:
        _tex_chars(before, out, math)
        if base:
            base_tex = _tex_math(base) if len(base) == 1 else rf"\mathrm{{{base}}}"
            math.append(f"{base_tex}{mark}{{{_tex_math(script)}}}")
    _flush(out, math)
    return "".join(out)


def _tex_math(s: str) -> str:
    """Characters of a sub- or superscript as math: −x → - x, δ → \\delta; others become ?."""
    return " ".join(_tex_symbol(c) for c in s if c != " ")


def _tex_symbol(c: str) -> str:
    if (c.isascii() and c.isalnum()) or c in "+-*/=(),.'":
        return c
    return _TEX_MATH.get(c) or _greek(c) or "?"


def _flush(out: list[str], math: list[str]) -> None:
    if math:
        out.append("$" + " ".join(math) + "$")
        math.clear()


def _tex_chars(s: str, out: list[str], math: list[str]) -> None:
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
            _flush(out, math)
            if c in _TEX_SPECIAL:
                out.append(_TEX_SPECIAL[c])
            elif c.isascii():
                out.append(c)
            else:
                out.append(_TEX_TEXT.get(c) or _accented(c))


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
    decomposed = unicodedata.normalize("NFD", c)
    base, marks = decomposed[0], decomposed[1:]
    if base.isascii() and base.isalpha() and len(marks) == 1 and marks[0] in _ACCENTS:
        return f"\\{_ACCENTS[marks[0]]}{{{base}}}"
    return "?"
