"""The worked solution as one self-contained HTML page: math as MathML, which browsers typeset
natively, no scripts, no fonts or styles fetched from anywhere; a narrow layout for phones.
"""

from __future__ import annotations

from ...engine.expr import Expr, Num, Sym
from ...engine.formula import mathml, mathml_pieces, text
from ...solution import Solution, Step
from ...solution.gradient_forms import ClosedForm
from ...text import html as escape
from ..closed_forms import SIMPLIFIED, around_mathml, as_text, left_out
from ..outline import CLOSED_TITLE, Outline, Shown, notation, outline

ONE_LINE = 32  # a step whose text is at most this long stays on one line (a phone's width)
UNBROKEN = 48  # a part whose text is longer is set as pieces that wrap with the window

STYLE = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       line-height: 1.45; color: #1b1b1f; background: #fff; margin: 0 auto; padding: 0.75rem 1rem 3rem;
       max-width: min(96rem, 100%); box-sizing: border-box; }
h1, h2, h3, p { max-width: 52rem; }
h1 { font-size: 1.35rem; margin: 0.5rem 0 0.75rem; }
h2 { font-size: 1.15rem; margin: 1.75rem 0 0.5rem; padding-bottom: 0.2rem; border-bottom: 2px solid #d8dcf0; }
h3 { font-size: 1rem; margin: 1.25rem 0 0.4rem; color: #2b3a67; }
.step { margin: 0.45rem 0; padding: 0.25rem 0.5rem; border-left: 3px solid #d8dcf0; overflow-x: auto; }
.line { padding: 0.1rem 0; }
.line + .line { padding-left: 1.25rem; }
.line > math { margin-right: 0.3em; }
.id { font: 0.72rem ui-monospace, "DejaVu Sans Mono", monospace; color: #6b6f80; }
math { font-size: 1.08em; font-family: "Latin Modern Math", "STIX Two Math", "Cambria Math", math; }
mtext.blank { border-bottom: 1px solid #1b1b1f; margin: 0 0.2em; }
.rule { font-size: 0.88rem; color: #6a4b00; background: #fff8e6; padding: 0.25rem 0.5rem; margin: 0.3rem 0; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 0.2rem 0.75rem; text-align: right; border-bottom: 1px solid #e6e8f0; }
.note { color: #555; font-style: italic; }
"""


def _math(inner: str) -> str:
    return f'<math displaystyle="true"><mrow>{inner}</mrow></math>'


def _line(first: str, e: Expr, digits: int, blank: bool, written: str, last: str = "") -> str:
    """One line of a step: `first` (the target and =, or =) then e (then `last`); a long e is set as
    several <math> pieces with room to break between them, so it wraps instead of scrolling sideways."""
    if len(written) <= UNBROKEN:
        return f'<div class="line">{_math(first + mathml(e, digits, blank) + last)}</div>'
    pieces = mathml_pieces(e, digits, blank)
    pieces[0] = first + pieces[0]
    pieces[-1] += last
    return '<div class="line">' + "\n".join(_math(p) for p in pieces) + "</div>"


def _closed(cf: ClosedForm, precision: int) -> str:
    """A closed form, then `simplified = …` (or SymPy's note), a batch's Σₙ[…] around each form."""
    before, after = around_mathml(cf)
    first = mathml(cf.target, precision) + "<mo>=</mo>" + before
    out = [
        '<div class="step">',
        _line(first, cf.chain, precision, False, as_text(cf, cf.chain, precision), after),
    ]
    if cf.simplified is not None:
        label = f"<mtext>{SIMPLIFIED}</mtext><mo>=</mo>" + before
        written = as_text(cf, cf.simplified, precision)
        out.append(_line(label, cf.simplified, precision, False, written, after))
    elif cf.note:
        out.append(f'<p class="note">{escape(cf.note)}</p>')
    return "\n".join([*out, "</div>"])


def _step(shown: Shown, blank: bool) -> str:
    s = shown.step
    target = mathml(s.target)
    eq = "<mo>=</mo>"
    out = [f'<div class="step" id="{escape(s.id)}">', f'<div class="id">{escape(s.id)}</div>']
    if len(" = ".join(shown.texts)) <= ONE_LINE:
        inner = target + "".join(eq + mathml(e, digits, blank) for e, digits in shown.parts)
        out.append(f'<div class="line">{_math(inner)}</div>')
    else:
        for i, ((e, digits), written) in enumerate(zip(shown.parts, shown.texts[1:], strict=True)):
            out.append(_line((target if i == 0 else "") + eq, e, digits, blank, written))
    out.append("</div>")
    if s.note:
        out.append(f'<p class="rule"><b>Rule:</b> {note_html(s.note)}</p>')
    return "\n".join(out)


def note_html(note: str) -> str:
    """A rule note as HTML: e^(−x) with a real superscript, softmax_k with a real subscript."""
    out = []
    for before, base, mark, script in notation(note):
        out.append(escape(before))
        if base:
            tag = "sup" if mark == "^" else "sub"
            out.append(f"{escape(base)}<{tag}>{escape(script)}</{tag}>")
    return "".join(out)


def _equation(target: Expr, value: Expr, precision: int, blank: bool = False) -> str:
    return _math(mathml(target, precision) + "<mo>=</mo>" + mathml(value, precision, blank))


def render(sol: Solution, precision: int = 9, steps: list[Step] | None = None, blank: bool = False) -> str:
    doc = outline(sol, precision, steps, simplify=True, blank=blank)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="backtutor">',
        f"<title>{escape(doc.title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        "<main>",
        *body(doc, blank),
        "</main>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(out)


def body(doc: Outline, blank: bool = False) -> list[str]:
    """The page's content, from its title on (a notebook shows it inside its own styles)."""
    precision = doc.precision
    out = [f"<h1>{escape(doc.title)}</h1>"]
    if blank:
        out.append('<p class="note">Worksheet: fill in the blanks.</p>')
    if doc.description:
        out.append(f"<p>{escape(doc.description)}</p>")
    for part in doc.parts:
        out.append(f"<section>\n<h2>{escape(part.heading)}</h2>")
        for section in part.sections:
            out.append(f"<h3>{escape(section.title)}</h3>")
            out += [_step(s, blank) for s in section.steps]
        out.append("</section>")
    if doc.closed.forms or doc.closed.missing:
        out.append(f"<section>\n<h2>{escape(CLOSED_TITLE)}</h2>")
        out += [_closed(cf, precision) for cf in doc.closed.forms]
        if doc.closed.missing:
            out.append(f'<p class="note">{left_out(doc.closed, lambda e: _math(mathml(e)))}</p>')
        out.append("</section>")
    if doc.history:
        loss = _math(mathml(Sym(doc.loss), precision))
        rows = "\n".join(
            f"<tr><td>{e.epoch}</td><td>{escape(text(Num(e.loss), precision, blank))}</td></tr>"
            for e in doc.history
        )
        out.append(
            f"<section>\n<h2>Training</h2>\n<table>\n<tr><th>epoch</th><th>{loss}</th></tr>\n{rows}\n"
            "</table>\n</section>"
        )
    if doc.final:
        values = [_equation(Sym(k), Num(v), precision, blank) for k, v in doc.final]
        out.append(f"<p><b>After training:</b> {', '.join(values[:-1])}; loss {values[-1]}.</p>")
    if doc.hint:
        out.append(f'<p class="note">{escape(doc.hint)}</p>')
    return out
