"""Writing expressions as text (for terminals and answer sheets) or LaTeX, from one printer.

Names keep the user's notation; in LaTeX `out_h1` becomes out_{h1} and `w5` becomes w_{5}.
Numbers typed by the user print as typed; computed values print with `precision` significant
digits.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from .expr import Call, Deriv, Expr, Num, Sym, Updated
from .ops import OPS

_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "eta", "theta", "lambda", "mu", "sigma", "tau", "phi",
    "psi", "omega", "rho", "kappa", "xi", "zeta", "nu", "chi",
}  # fmt: skip
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
        if d == 1:
            text = f"{float(v):.15g}"
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


def latex_name(name: str) -> str:
    if name == "η":
        return r"\eta"
    base, _, sub = name.partition("_")
    if not sub:
        m = re.fullmatch(r"([A-Za-z]+?)(\d+)", name)
        base, sub = (m.group(1), m.group(2)) if m else (name, "")
    base = rf"\{base}" if base in _GREEK else base if len(base) == 1 else rf"\mathrm{{{base}}}"
    if not sub:
        return base
    sub = sub.replace("_", r"\_")
    sub = sub if len(sub) <= 2 or sub.isdigit() else rf"\mathrm{{{sub}}}"
    return f"{base}_{{{sub}}}"


class _Printer:
    def __init__(self, latex: bool, precision: int) -> None:
        self.latex = latex
        self.precision = precision

    def __call__(self, e: Expr) -> str:
        return self.show(e)[0]

    def number(self, n: Num) -> str:
        text = n.text or format_number(n.value, self.precision)
        if not self.latex:
            return text.replace("-", "−") if not n.text else text
        if "/" in text:
            p, q = text.lstrip("-").split("/")
            return ("-" if text.startswith("-") else "") + rf"\frac{{{p}}}{{{q}}}"
        if "e" in text and not text.startswith(("inf", "-inf")):
            mant, _, exp = text.partition("e")
            return rf"{mant} \times 10^{{{int(exp)}}}"
        return text.replace("inf", r"\infty")

    def tag(self, example: int | None) -> str:
        if example is None:
            return ""
        return f"^{{({example})}}" if self.latex else f"[{example}]"

    def name(self, name: str) -> str:
        return latex_name(name) if self.latex else name

    def show(self, e: Expr) -> tuple[str, int]:
        if isinstance(e, Num):
            return self.number(e), 2 if e.value < 0 else ATOM
        if isinstance(e, Sym):
            return self.name(e.name) + self.tag(e.example), ATOM
        if isinstance(e, Deriv):
            of = self.name(e.of) + self.tag(e.example)
            if self.latex:
                return rf"\frac{{\partial {of}}}{{\partial {self.name(e.wrt)}}}", ATOM
            return f"∂{of}/∂{e.wrt}", ATOM
        if isinstance(e, Updated):
            return (f"{self.name(e.name)}^{{+}}" if self.latex else f"{e.name}⁺"), ATOM
        assert isinstance(e, Call)
        op = OPS[e.op]
        if not op.infix:
            return self.function(e), ATOM
        return getattr(self, e.op)(e), _PREC[e.op]

    def wrap(self, e: Expr, below: int) -> str:
        """Print e, parenthesised when it binds looser than `below`."""
        s, p = self.show(e)
        if p >= below:
            return s
        return rf"\left({s}\right)" if self.latex else f"({s})"

    def function(self, e: Call) -> str:
        op = OPS[e.op]
        template = op.latex if self.latex else op.text
        args = [self.show(a)[0] for a in e.args]
        param = ""
        if op.param == "component":
            param = str(int(e.param) + 1)
        elif op.param:
            param = self.number(Num(e.param))
        return template.format(*args, args=", ".join(args), p=param)

    def add(self, e: Call) -> str:
        out = self.wrap(e.args[0], 1)
        for t in e.args[1:]:
            if isinstance(t, Call) and t.op == "neg":
                out += f" - {self.wrap(t.args[0], 3)}"
            elif isinstance(t, Num) and t.value < 0:
                out += f" - {self.number(Num(-t.value))}"
            else:
                out += f" + {self.wrap(t, 1)}"
        return out if self.latex else out.replace(" - ", " − ")

    def sub(self, e: Call) -> str:
        minus = "-" if self.latex else "−"
        return f"{self.wrap(e.args[0], 1)} {minus} {self.wrap(e.args[1], 3)}"

    def neg(self, e: Call) -> str:
        return ("-" if self.latex else "−") + self.wrap(e.args[0], 3)

    def mul(self, e: Call) -> str:
        numbers = sum(isinstance(a, Num) for a in e.args)
        times, dot = (r" \times ", r" \cdot ") if self.latex else (" × ", "·")
        sep = times if numbers >= 2 else dot
        # a fraction inside a product reads ambiguously as text (a·b/c·d), so it gets brackets there
        return sep.join(self.wrap(a, 3 if self.latex or not _is_div(a) else ATOM) for a in e.args)

    def div(self, e: Call) -> str:
        a, b = e.args
        if self.latex:
            return rf"\frac{{{self.show(a)[0]}}}{{{self.show(b)[0]}}}"
        return f"{self.wrap(a, 3)}/{self.wrap(b, 4)}"

    def pow(self, e: Call) -> str:
        base, exponent = e.args
        b = self.wrap(base, ATOM)
        if self.latex:
            return f"{{{b}}}^{{{self.show(exponent)[0]}}}"
        if isinstance(exponent, Num) and exponent.value == int(exponent.value) and -9 <= exponent.value <= 9:
            return b + str(int(exponent.value)).translate(_SUPER)
        return f"{b}^{self.wrap(exponent, ATOM)}"


def _is_div(e: Expr) -> bool:
    return isinstance(e, Call) and e.op == "div"


def text(e: Expr, precision: int = 9) -> str:
    return _Printer(False, precision)(e)


def latex(e: Expr, precision: int = 9) -> str:
    return _Printer(True, precision)(e)
