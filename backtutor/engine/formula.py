"""Writing expressions as text (for terminals and answer sheets), LaTeX or MathML.

One printer per style, as sympy.printing does it: `Printer` holds what every style shares (which
operation binds tighter, where brackets go, where a long formula may break) and each subclass only
how its tokens look. Names keep the user's notation (`notation.py`); numbers typed by the user print
as typed, computed values with `precision` significant digits. With `blank`, computed numbers
(floats; typed and exact numbers are Fractions) print as a blank to fill in.
"""

from __future__ import annotations

from .expr import Call, Deriv, Expr, Function, Num, Sym, Updated
from .notation import (
    format_number,
    latex_name,
    mathml_name,
    mathml_number,
    shown_number,
    text_name,
)
from .ops import OPS

__all__ = ["format_number", "latex", "latex_pieces", "mathml", "mathml_pieces", "text", "text_name"]

_PREC = {"add": 1, "sub": 1, "neg": 2, "mul": 3, "div": 3, "pow": 4}
ATOM = 5
_SUPER = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


class Printer:
    """The structure shared by every style. `show` returns the printed expression and how tightly
    it binds; in MathML every result is one element, so that it can be an argument of msub, mfrac
    or msup."""

    open_bracket, close_bracket = "(", ")"  # around a broken formula's first and last piece
    fraction_needs_brackets = False  # inside a product: a·b/c·d is ambiguous as text

    def __init__(self, precision: int, blank: bool = False) -> None:
        self.precision = precision
        self.blank = blank

    def __call__(self, e: Expr) -> str:
        return self.show(e)[0]

    # ---- tokens: each style overrides these ----------------------------------------------------
    def infix(self, symbol: str) -> str:
        """A binary operator with its spacing: "+", "−", "×" or "·"."""
        return symbol if symbol == "·" else f" {symbol} "

    def minus(self) -> str:
        return "−"

    def row(self, *parts: str) -> str:
        return "".join(parts)

    def parens(self, s: str) -> str:
        return f"({s})"

    def blank_number(self) -> str:
        return "______"

    def written(self, text: str, typed: bool) -> str:
        """A formatted number in this style; `typed`: as the user wrote it."""
        return text if typed else text.replace("-", "−")

    def name(self, name: str, example: int | None = None) -> str:
        return text_name(name) + (f"[{example}]" if example is not None else "")

    def deriv(self, of: str, wrt: str) -> str:
        return f"∂{of}/∂{wrt}"

    def direct(self, deriv: str) -> str:
        """A direct local derivative of the loss: the others held fixed."""
        return f"({deriv})|direct"

    def updated(self, name: str) -> str:
        return f"{text_name(name)}⁺"

    def function(self, e: Call, args: list[str], param: str) -> str:
        return OPS[e.op].text.format(*args, args=", ".join(args), p=param)

    def function_name(self, f: Function) -> str:
        """A formula function's name, primed once per derivative: scaled_asinh′."""
        return f.name + "′" * f.order

    def div(self, e: Call) -> str:
        return f"{self.wrap(e.args[0], 3)}/{self.wrap(e.args[1], 4)}"

    def pow(self, e: Call) -> str:
        base, exponent = e.args
        b = self.wrap(base, ATOM)
        if isinstance(exponent, Num) and exponent.value == int(exponent.value) and -9 <= exponent.value <= 9:
            return b + str(int(exponent.value)).translate(_SUPER)
        return f"{b}^{self.wrap(exponent, ATOM)}"

    # ---- structure, the same in every style ----------------------------------------------------
    def number(self, n: Num) -> str:
        if self.blank and not n.text and isinstance(n.value, float):
            return self.blank_number()
        return self.written(n.text or shown_number(n.value, self.precision), bool(n.text))

    def show(self, e: Expr) -> tuple[str, int]:
        if isinstance(e, Num):  # a blank gives away no sign: no brackets around it
            blank = self.blank and not e.text and isinstance(e.value, float)
            return self.number(e), 2 if e.value < 0 and not blank else ATOM
        if isinstance(e, Sym):
            return self.name(e.name, e.example), ATOM
        if isinstance(e, Deriv):
            d = self.deriv(self.name(e.of, e.example), self.name(e.wrt))
            return (self.direct(d) if e.direct else d), ATOM
        if isinstance(e, Updated):
            return self.updated(e.name), ATOM
        if not OPS[e.op].infix:
            return self.call(e), ATOM
        return self.infix_op(e), _PREC[e.op]

    def wrap(self, e: Expr, below: int) -> str:
        """Print e, parenthesised when it binds looser than `below`."""
        s, p = self.show(e)
        return s if p >= below else self.parens(s)

    def call(self, e: Call) -> str:
        op = OPS[e.op]
        param = ""
        if isinstance(e.param, Function):
            param = self.function_name(e.param)
        elif op.param and e.param is not None:  # the softmax component counts from 1 for readers
            param = str(int(e.param) + 1) if op.param == "component" else self.number(Num(e.param))
        return self.function(e, [self.show(a)[0] for a in e.args], param)

    def infix_op(self, e: Call) -> str:
        if e.op == "div":
            return self.div(e)
        if e.op == "pow":
            return self.pow(e)
        return self.row(*self.pieces(e, 0, whole=True))

    def factor_binding(self, a: Expr) -> int:
        return ATOM if self.fraction_needs_brackets and _is_div(a) else 3

    def pieces(self, e: Expr, below: int = 0, whole: bool = False, inside: bool = True) -> list[str]:
        """`wrap(e, below)` cut where a line may break: before each term of a sum and each factor of
        a product, also inside brackets unless not `inside` (joining the pieces gives the same text).
        With `whole`, the top level only: its operands are printed whole."""
        if (
            not isinstance(e, Call)
            or e.op not in ("add", "sub", "neg", "mul")
            or (not inside and _PREC[e.op] < below)
        ):
            return [self.wrap(e, below)]

        def part(x: Expr, b: int) -> list[str]:
            return [self.wrap(x, b)] if whole else self.pieces(x, b, inside=inside)

        out: list[str] = []
        if e.op == "add":
            out = part(e.args[0], 1)
            for t in e.args[1:]:
                if isinstance(t, Call) and t.op == "neg":
                    out += _prefixed(self.infix("−"), part(t.args[0], 3))
                elif isinstance(t, Num) and t.value < 0:
                    out.append(self.infix("−") + self.number(Num(-t.value)))
                else:
                    out += _prefixed(self.infix("+"), part(t, 1))
        elif e.op == "sub":
            out = part(e.args[0], 1) + _prefixed(self.infix("−"), part(e.args[1], 3))
        elif e.op == "neg":
            out = _prefixed(self.minus(), part(e.args[0], 3))
        else:
            sep = self.infix("×" if sum(isinstance(a, Num) for a in e.args) >= 2 else "·")
            for i, a in enumerate(e.args):
                factor = part(a, self.factor_binding(a))
                out += _prefixed(sep, factor) if i else factor
        if _PREC[e.op] < below:
            out[0], out[-1] = self.open_bracket + out[0], out[-1] + self.close_bracket
        return out


class TextPrinter(Printer):
    fraction_needs_brackets = True


class LatexPrinter(Printer):
    def infix(self, symbol: str) -> str:
        return {"+": " + ", "−": " - ", "×": r" \times ", "·": r" \cdot "}[symbol]

    def minus(self) -> str:
        return "-"

    def parens(self, s: str) -> str:
        return rf"\left({s}\right)"

    def blank_number(self) -> str:
        return r"\underline{\qquad\qquad}"

    def written(self, text: str, typed: bool) -> str:
        if "/" in text:
            p, q = text.lstrip("-").split("/")
            return ("-" if text.startswith("-") else "") + rf"\frac{{{p}}}{{{q}}}"
        if "e" in text and not text.startswith(("inf", "-inf")):
            mant, _, exp = text.partition("e")
            return rf"{mant} \times 10^{{{int(exp)}}}"
        return text.replace("inf", r"\infty").replace("π", r"\pi")

    def name(self, name: str, example: int | None = None) -> str:
        return latex_name(name) + (f"^{{({example})}}" if example is not None else "")

    def deriv(self, of: str, wrt: str) -> str:
        return rf"\frac{{\partial {of}}}{{\partial {wrt}}}"

    def direct(self, deriv: str) -> str:
        return rf"\left.{deriv}\right|_{{\mathrm{{direct}}}}"

    def updated(self, name: str) -> str:
        return f"{self.name(name)}^{{+}}"

    def function(self, e: Call, args: list[str], param: str) -> str:
        return OPS[e.op].latex.format(*args, args=", ".join(args), p=param)

    def function_name(self, f: Function) -> str:
        name = f.name.replace("_", r"\_")
        return rf"\operatorname{{{name}}}" + "'" * f.order

    def div(self, e: Call) -> str:
        return rf"\frac{{{self.show(e.args[0])[0]}}}{{{self.show(e.args[1])[0]}}}"

    def pow(self, e: Call) -> str:
        return f"{{{self.wrap(e.args[0], ATOM)}}}^{{{self.show(e.args[1])[0]}}}"


class MathMLPrinter(Printer):
    """Presentation MathML for the inside of a <math> element (browsers render it natively)."""

    open_bracket, close_bracket = '<mo stretchy="false">(</mo>', '<mo stretchy="false">)</mo>'

    def infix(self, symbol: str) -> str:
        return f"<mo>{symbol}</mo>"

    def minus(self) -> str:
        return "<mo>−</mo>"

    def row(self, *parts: str) -> str:
        return f"<mrow>{''.join(parts)}</mrow>"

    def parens(self, s: str) -> str:  # brackets stretch only around fractions: stretched ones get wide sides
        a = "" if "<mfrac" in s else ' stretchy="false"'
        return f"<mrow><mo{a}>(</mo>{s}<mo{a}>)</mo></mrow>"

    def blank_number(self) -> str:
        return '<mtext class="blank">\u2003\u2003\u2003\u2003</mtext>'

    def written(self, text: str, typed: bool) -> str:
        return "<mi>π</mi>" if text == "π" else mathml_number(text)

    def name(self, name: str, example: int | None = None) -> str:
        base = mathml_name(name)
        return base if example is None else f"<msup>{base}{self.parens(f'<mn>{example}</mn>')}</msup>"

    def deriv(self, of: str, wrt: str) -> str:
        d = '<mi mathvariant="normal">∂</mi>'
        return f"<mfrac><mrow>{d}{of}</mrow><mrow>{d}{wrt}</mrow></mfrac>"

    def direct(self, deriv: str) -> str:
        return f"<msub><mrow>{deriv}<mo>|</mo></mrow><mtext>direct</mtext></msub>"

    def updated(self, name: str) -> str:
        return f"<msup>{self.name(name)}<mo>+</mo></msup>"

    def function_name(self, f: Function) -> str:
        name = f"<mi>{f.name}</mi>"
        return f"<msup>{name}<mo>{'′' * f.order}</mo></msup>" if f.order else name

    def function(self, e: Call, args: list[str], param: str) -> str:
        op = OPS[e.op]
        if op.param == "component":
            param = f"<mn>{param}</mn>"
        joined = "<mo>,</mo>".join(args)
        if op.mathml:
            return self.row(op.mathml.format(*args, args=joined, p=param, parens=self.parens(joined)))
        return self.row(f"<mi>{op.text.split('(')[0]}</mi>", self.parens(joined))

    def div(self, e: Call) -> str:
        return f"<mfrac>{self.show(e.args[0])[0]}{self.show(e.args[1])[0]}</mfrac>"

    def pow(self, e: Call) -> str:
        return f"<msup>{self.wrap(e.args[0], ATOM)}{self.show(e.args[1])[0]}</msup>"


def _prefixed(prefix: str, pieces: list[str]) -> list[str]:
    return [prefix + pieces[0], *pieces[1:]]


def _is_div(e: Expr) -> bool:
    return isinstance(e, Call) and e.op == "div"


def text(e: Expr, precision: int = 9, blank: bool = False) -> str:
    return TextPrinter(precision, blank)(e)


def latex(e: Expr, precision: int = 9, blank: bool = False) -> str:
    return LatexPrinter(precision, blank)(e)


def mathml(e: Expr, precision: int = 9, blank: bool = False) -> str:
    return MathMLPrinter(precision, blank)(e)


def latex_pieces(e: Expr, precision: int = 9, blank: bool = False) -> list[str]:
    """latex(e) in pieces that a line may break between (see `Printer.pieces`): its top-level terms
    and factors, never inside brackets, so a page never shows '(1' on one line and '− out)' on the next."""
    return LatexPrinter(precision, blank).pieces(e, inside=False)


def mathml_pieces(e: Expr, precision: int = 9, blank: bool = False) -> list[str]:
    """mathml(e) in pieces between which a line may break, each a row of whole elements."""
    return MathMLPrinter(precision, blank).pieces(e)
