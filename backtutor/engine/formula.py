"""Writing expressions as text (for terminals and answer sheets), LaTeX or MathML, from one printer.

Names keep the user's notation; in LaTeX `out_h1` becomes out_{h1} and `w5` becomes w_{5}.
Numbers typed by the user print as typed; computed values print with `precision` significant
digits.
"""

from __future__ import annotations

import math
import re
import unicodedata
from fractions import Fraction
from functools import lru_cache

from .expr import Call, Deriv, Expr, Num, Sym, Updated
from .ops import OPS

_GREEK_LETTERS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η", "theta": "θ",
    "lambda": "λ", "mu": "μ", "sigma": "σ", "tau": "τ", "phi": "φ", "psi": "ψ", "omega": "ω", "rho": "ρ",
    "kappa": "κ", "xi": "ξ", "zeta": "ζ", "nu": "ν", "chi": "χ",
}  # fmt: skip
_GREEK = set(_GREEK_LETTERS)
_SUPER = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_PREC = {"add": 1, "sub": 1, "neg": 2, "mul": 3, "div": 3, "pow": 4}
ATOM = 5


def format_number(v: Fraction | float, precision: int = 9) -> str:
    """A value with `precision` significant digits; integers and short exact decimals in full."""
    if isinstance(v, Fraction):
        if v.denominator == 1:
            return str(v.numerator)
        d = v.denominator
        while d % 2 == 0:
            d //= 2
        while d % 5 == 0:
            d //= 5
        if d == 1:  # a decimal as typed, e.g. micrograd's 6.8813735870195432 (as read: 16 digits)
            for digits in (15, 16, 17):
                text = f"{float(v):.{digits}g}"
                if Fraction(text) == v:
                    return text
        return f"{v.numerator}/{v.denominator}"
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.{precision}g}"


def shown_number(v: Fraction | float, precision: int) -> str:
    """format_number, except that a computed value that is not a whole number never prints as one
    (0.99999989 at 4 digits reads 0.9999999, not 1, which would claim it exact). Rounding noise of
    float arithmetic (1 − 4e−16) is not a difference: such a value prints as the whole number."""
    text = format_number(v, precision)
    if isinstance(v, float) and math.isfinite(v) and abs(v - round(v)) > 1e-12 * max(1.0, abs(v)):
        while text.lstrip("-").isdigit() and precision < 17:
            precision += 1
            text = format_number(v, precision)
    return text


def split_name(name: str) -> list[tuple[str, bool]]:
    """A name's parts, the first its base and the others its subscript, each with whether it wears a
    hat: out_h1 → out, h1; w5 → w, 5; x_1_1 → x, 1, 1; y_hat → ŷ; z_y_hat → z, ŷ. A name that does
    not split cleanly (a leading or doubled underscore) is one part."""
    parts: list[tuple[str, bool]] = []
    for word in name.split("_"):
        if word == "hat" and parts and not parts[-1][1]:
            parts[-1] = (parts[-1][0], True)
        else:
            parts.append((word, False))
    if len(parts) == 1 and not parts[0][1]:
        m = re.fullmatch(r"([A-Za-z]+?)(\d+)", name)
        if m:
            parts = [(m.group(1), False), (m.group(2), False)]
    return parts if all(word for word, _ in parts) else [(name, False)]


def _latex_part(word: str, hat: bool, base: bool) -> str:
    if word in _GREEK:
        out = rf"\{word}"
    elif len(word) == 1 or (not base and (len(word) <= 2 or word.isdigit())):
        out = word
    else:
        escaped = word.replace("_", r"\_")
        out = rf"\mathrm{{{escaped}}}"
    if not hat:
        return out
    return rf"\hat{{{out}}}" if len(word) == 1 or word in _GREEK else rf"\widehat{{{out}}}"


@lru_cache(maxsize=4096)  # names recur in every formula
def latex_name(name: str) -> str:
    """out_h1 → \\mathrm{out}_{h1}, x_1_1 → x_{1,1}, y_hat → \\hat{y}, sigma → \\sigma."""
    if name == "η":
        return r"\eta"
    (base, hat), *subs = split_name(name)
    out = _latex_part(base, hat, True)
    if not subs:
        return out
    return f"{out}_{{{','.join(_latex_part(w, h, False) for w, h in subs)}}}"


def _hatted(letter: str) -> str | None:
    """A letter with a circumflex as one character (ŷ), or None when Unicode has none."""
    out = unicodedata.normalize("NFC", letter + "\u0302")
    return out if len(out) == 1 and letter.isalpha() else None


@lru_cache(maxsize=4096)  # names recur in every formula
def text_name(name: str) -> str:
    """A name as text: as typed, except that a one-letter part ending in _hat wears its hat (ŷ, z_ŷ)."""
    parts = split_name(name)
    if not any(hat for _, hat in parts):
        return name
    return "_".join((_hatted(w) or f"{w}_hat") if hat else w for w, hat in parts)


class _Printer:
    """One printer, three styles: "text", "latex" and "mathml" (Presentation MathML, for HTML).

    `show` returns the printed expression and how tightly it binds; in MathML every result is one
    element, so that it can be an argument of msub, mfrac or msup. With `blank`, computed numbers
    (floats; typed and exact numbers are Fractions) print as a blank to fill in.
    """

    def __init__(self, style: str, precision: int, blank: bool = False) -> None:
        self.style = style
        self.latex = style == "latex"
        self.mathml = style == "mathml"
        self.precision = precision
        self.blank = blank

    def __call__(self, e: Expr) -> str:
        return self.show(e)[0]

    # ---- tokens that differ between the styles --------------------------------------------------
    def infix(self, symbol: str) -> str:
        """A binary operator with its spacing: "+", "−", "×" or "·"."""
        if self.mathml:
            return f"<mo>{symbol}</mo>"
        if self.latex:
            return {"+": " + ", "−": " - ", "×": r" \times ", "·": r" \cdot "}[symbol]
        return symbol if symbol == "·" else f" {symbol} "

    def minus(self) -> str:
        return "<mo>−</mo>" if self.mathml else "-" if self.latex else "−"

    def row(self, *parts: str) -> str:
        return f"<mrow>{''.join(parts)}</mrow>" if self.mathml else "".join(parts)

    def parens(self, s: str) -> str:
        if self.mathml:  # brackets stretch only around fractions: stretched ones get wide sides
            a = "" if "<mfrac" in s else ' stretchy="false"'
            return f"<mrow><mo{a}>(</mo>{s}<mo{a}>)</mo></mrow>"
        return rf"\left({s}\right)" if self.latex else f"({s})"

    def blank_number(self) -> str:
        if self.mathml:
            return '<mtext class="blank">\u2003\u2003\u2003\u2003</mtext>'
        return r"\underline{\qquad\qquad}" if self.latex else "______"

    # ---- leaves ---------------------------------------------------------------------------------
    def number(self, n: Num) -> str:
        if self.blank and not n.text and isinstance(n.value, float):
            return self.blank_number()
        text = n.text or shown_number(n.value, self.precision)
        if self.mathml:
            return _mathml_number(text)
        if not self.latex:
            return text.replace("-", "−") if not n.text else text
        if "/" in text:
            p, q = text.lstrip("-").split("/")
            return ("-" if text.startswith("-") else "") + rf"\frac{{{p}}}{{{q}}}"
        if "e" in text and not text.startswith(("inf", "-inf")):
            mant, _, exp = text.partition("e")
            return rf"{mant} \times 10^{{{int(exp)}}}"
        return text.replace("inf", r"\infty")

    def name(self, name: str, example: int | None = None) -> str:
        if self.mathml:
            base = mathml_name(name)
            if example is None:
                return base
            return f"<msup>{base}{self.parens(f'<mn>{example}</mn>')}</msup>"
        if example is None:
            return latex_name(name) if self.latex else text_name(name)
        return latex_name(name) + f"^{{({example})}}" if self.latex else f"{text_name(name)}[{example}]"

    def show(self, e: Expr) -> tuple[str, int]:
        if isinstance(e, Num):  # a blank gives away no sign: no brackets around it
            blank = self.blank and not e.text and isinstance(e.value, float)
            return self.number(e), 2 if e.value < 0 and not blank else ATOM
        if isinstance(e, Sym):
            return self.name(e.name, e.example), ATOM
        if isinstance(e, Deriv):
            of, wrt = self.name(e.of, e.example), self.name(e.wrt)
            if self.mathml:
                d = '<mi mathvariant="normal">∂</mi>'
                return f"<mfrac><mrow>{d}{of}</mrow><mrow>{d}{wrt}</mrow></mfrac>", ATOM
            if self.latex:
                return rf"\frac{{\partial {of}}}{{\partial {wrt}}}", ATOM
            return f"∂{of}/∂{wrt}", ATOM
        if isinstance(e, Updated):
            if self.mathml:
                return f"<msup>{self.name(e.name)}<mo>+</mo></msup>", ATOM
            return (f"{self.name(e.name)}^{{+}}" if self.latex else f"{text_name(e.name)}⁺"), ATOM
        assert isinstance(e, Call)
        op = OPS[e.op]
        if not op.infix:
            return self.function(e), ATOM
        return getattr(self, e.op)(e), _PREC[e.op]

    def wrap(self, e: Expr, below: int) -> str:
        """Print e, parenthesised when it binds looser than `below`."""
        s, p = self.show(e)
        return s if p >= below else self.parens(s)

    # ---- operations -----------------------------------------------------------------------------
    def function(self, e: Call) -> str:
        op = OPS[e.op]
        args = [self.show(a)[0] for a in e.args]
        param = ""
        if op.param and e.param is not None:  # the softmax component counts from 1 for readers
            param = str(int(e.param) + 1) if op.param == "component" else self.number(Num(e.param))
        if self.mathml:
            if op.param == "component":
                param = f"<mn>{param}</mn>"
            joined = "<mo>,</mo>".join(args)
            if op.mathml:
                return self.row(op.mathml.format(*args, args=joined, p=param, parens=self.parens(joined)))
            return self.row(f"<mi>{op.text.split('(')[0]}</mi>", self.parens(joined))
        template = op.latex if self.latex else op.text
        return template.format(*args, args=", ".join(args), p=param)

    def add(self, e: Call) -> str:
        out = [self.wrap(e.args[0], 1)]
        for t in e.args[1:]:
            if isinstance(t, Call) and t.op == "neg":
                out += [self.infix("−"), self.wrap(t.args[0], 3)]
            elif isinstance(t, Num) and t.value < 0:
                out += [self.infix("−"), self.number(Num(-t.value))]
            else:
                out += [self.infix("+"), self.wrap(t, 1)]
        return self.row(*out)

    def sub(self, e: Call) -> str:
        return self.row(self.wrap(e.args[0], 1), self.infix("−"), self.wrap(e.args[1], 3))

    def neg(self, e: Call) -> str:
        return self.row(self.minus(), self.wrap(e.args[0], 3))

    def mul(self, e: Call) -> str:
        numbers = sum(isinstance(a, Num) for a in e.args)
        sep = self.infix("×" if numbers >= 2 else "·")
        # a fraction inside a product reads ambiguously as text (a·b/c·d), so it gets brackets there
        below = 3 if self.style != "text" else None
        factors = [self.wrap(a, below or (ATOM if _is_div(a) else 3)) for a in e.args]
        return self.row(*(x for i, f in enumerate(factors) for x in ((sep, f) if i else (f,))))

    def pieces(self, e: Expr, below: int = 0) -> list[str]:
        """`wrap(e, below)` cut where a line may break: before each term of a sum and each factor of
        a product, also inside brackets (joining the pieces gives the same text)."""
        s, p = self.show(e)
        if not isinstance(e, Call) or e.op not in ("add", "sub", "neg", "mul"):
            return [s if p >= below else self.parens(s)]
        out: list[str] = []
        if e.op == "add":
            out = self.pieces(e.args[0], 1)
            for t in e.args[1:]:
                if isinstance(t, Call) and t.op == "neg":
                    out += _prefixed(self.infix("−"), self.pieces(t.args[0], 3))
                elif isinstance(t, Num) and t.value < 0:
                    out.append(self.infix("−") + self.number(Num(-t.value)))
                else:
                    out += _prefixed(self.infix("+"), self.pieces(t, 1))
        elif e.op == "sub":
            out = self.pieces(e.args[0], 1) + _prefixed(self.infix("−"), self.pieces(e.args[1], 3))
        elif e.op == "neg":
            out = _prefixed(self.minus(), self.pieces(e.args[0], 3))
        else:
            sep = self.infix("×" if sum(isinstance(a, Num) for a in e.args) >= 2 else "·")
            for i, a in enumerate(e.args):
                below_a = 3 if self.style != "text" or not _is_div(a) else ATOM
                out += _prefixed(sep, self.pieces(a, below_a)) if i else self.pieces(a, below_a)
        if p < below:
            left, right = {
                "latex": (r"\left(", r"\right)"),
                "mathml": ('<mo stretchy="false">(</mo>', '<mo stretchy="false">)</mo>'),
            }.get(self.style, ("(", ")"))
            out[0], out[-1] = left + out[0], out[-1] + right
        return out

    def div(self, e: Call) -> str:
        a, b = e.args
        if self.mathml:
            return f"<mfrac>{self.show(a)[0]}{self.show(b)[0]}</mfrac>"
        if self.latex:
            return rf"\frac{{{self.show(a)[0]}}}{{{self.show(b)[0]}}}"
        return f"{self.wrap(a, 3)}/{self.wrap(b, 4)}"

    def pow(self, e: Call) -> str:
        base, exponent = e.args
        b = self.wrap(base, ATOM)
        if self.mathml:
            return f"<msup>{b}{self.show(exponent)[0]}</msup>"
        if self.latex:
            return f"{{{b}}}^{{{self.show(exponent)[0]}}}"
        if isinstance(exponent, Num) and exponent.value == int(exponent.value) and -9 <= exponent.value <= 9:
            return b + str(int(exponent.value)).translate(_SUPER)
        return f"{b}^{self.wrap(exponent, ATOM)}"


def _prefixed(prefix: str, pieces: list[str]) -> list[str]:
    return [prefix + pieces[0], *pieces[1:]]


def _is_div(e: Expr) -> bool:
    return isinstance(e, Call) and e.op == "div"


@lru_cache(maxsize=4096)  # names recur in every formula
def mathml_name(name: str) -> str:
    """A name as MathML, split like `latex_name`: out_h1 → out with subscript h1, w5 → w₅,
    x_1_1 → x with subscript 1,1, y_hat → ŷ."""
    if name == "η":
        return "<mi>η</mi>"
    (base, hat), *subs = split_name(name)
    base_ml = _mathml_part(_GREEK_LETTERS.get(base, base), hat)
    if not subs:
        return base_ml
    parts = [_mathml_part(w, h) for w, h in subs]
    comma = '<mo separator="true">,</mo>'
    sub_ml = parts[0] if len(parts) == 1 else f"<mrow>{comma.join(parts)}</mrow>"
    return f"<msub>{base_ml}{sub_ml}</msub>"


def _mathml_part(word: str, hat: bool) -> str:
    if not hat:
        return f"<mn>{word}</mn>" if word.isdigit() else f"<mi>{word}</mi>"
    one = _hatted(word) if len(word) == 1 else None
    return f"<mi>{one}</mi>" if one else f'<mover accent="true"><mi>{word}</mi><mo>^</mo></mover>'


def _mathml_number(text: str) -> str:
    """A formatted number ("0.15", "-1/2", "1.5e-05", "inf") as one MathML element."""
    sign, body = ("<mo>−</mo>", text[1:]) if text.startswith("-") else ("", text)
    if body in ("inf", "nan"):
        out = "<mi>∞</mi>" if body == "inf" else "<mi>NaN</mi>"
    elif "/" in body:
        p, q = body.split("/")
        out = f"<mfrac><mn>{p}</mn><mn>{q}</mn></mfrac>"
    elif "e" in body:
        mant, _, exp = body.partition("e")
        power = int(exp)
        exponent = f"<mrow><mo>−</mo><mn>{-power}</mn></mrow>" if power < 0 else f"<mn>{power}</mn>"
        out = f"<mrow><mn>{mant}</mn><mo>×</mo><msup><mn>10</mn>{exponent}</msup></mrow>"
    else:
        out = f"<mn>{body}</mn>"
    return f"<mrow>{sign}{out}</mrow>" if sign else out


def text(e: Expr, precision: int = 9, blank: bool = False) -> str:
    return _Printer("text", precision, blank)(e)


def latex(e: Expr, precision: int = 9, blank: bool = False) -> str:
    return _Printer("latex", precision, blank)(e)


def latex_pieces(e: Expr, precision: int = 9, blank: bool = False) -> list[str]:
    """latex(e) in pieces that a line may break between (see `_Printer.pieces`)."""
    return _Printer("latex", precision, blank).pieces(e)


def mathml_pieces(e: Expr, precision: int = 9, blank: bool = False) -> list[str]:
    """mathml(e) in pieces between which a line may break, each a row of whole elements."""
    return _Printer("mathml", precision, blank).pieces(e)


def mathml(e: Expr, precision: int = 9, blank: bool = False) -> str:
    """Presentation MathML for the inside of a <math> element (browsers render it natively)."""
    return _Printer("mathml", precision, blank)(e)
