"""One equation as a student writes it, `name = … = value`, read into what it answers: the quantity
on the left, the last number (or a matrix, or a formula when no number ends it), and, where a side is
a product of named factors and a later side the same product of numbers, the student's value of each
factor. Plain notation only (latex.py has made it so); nothing is evaluated."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..sheet import _number

_SIDES = re.compile(r":?=(?!=)")
_NAME_COLON = re.compile(r"^\s*([^\W\d][^\s:=]*)\s*:\s+(\S.*)$")  # w5+: 0.3589, as in a plain list
_SPLIT = re.compile(r"(?:;|,(?=\s)|\s(?:and|so|thus|hence|then)\s)\s*(?=[^=,;]*[^\W\d][^=,;]*=)")
_NUMBER = re.compile(r"[-+]?(?:\d+(?:[.,]\d+)?|\.\d+)(?:e[-+]?\d+)?")
_LEADING_NUMBER = re.compile(r"([-+]?(?:\d+(?:[.,]\d+)?|\.\d+)(?:e[-+]?\d+)?)(\s+[(\[]?[A-Za-z].*)?")
_NUMBERISH = re.compile(r"(?<![\w.^_{\\])\d+(?:[.,]\d+)?")  # a number outside names and exponents
_CALLS = r"(?:σ|sigma|f|g|φ|relu|ReLU|tanh|exp|ln|log)'?\([^()]*\)"
_OPERAND = re.compile(
    rf"d[^\W\d][\w']*/d[^\W\d][\w']*|{_CALLS}|[^\W\d][\w']*|\d+(?:\.\d*)?(?:e[-+]?\d+)?|\.\d+|⟦\d+⟧"
)
_SIGNED = re.compile(r"[-+]\s*(?:\d+(?:\.\d*)?(?:e[-+]?\d+)?|\.\d+)")
_OPERATOR = re.compile(r"[-+*/()^]")
_DERIVATIVE = re.compile(r"(?<!\w)d[^\W\d][\w']*/d[^\W\d]")


@dataclass(frozen=True, slots=True)
class Equation:
    lhs: str
    sides: tuple[str, ...]  # after the left-hand side, in order


def equations(maths: str) -> list[Equation]:
    """The equations in a piece of plain maths (several on a line: `a = 1, b = 2`)."""
    found = []
    for part in _SPLIT.split(maths):
        sides = [s.strip().rstrip(".,;:").strip() for s in _SIDES.split(part)]
        if len(sides) < 2:
            m = _NAME_COLON.match(part)
            sides = [m.group(1), m.group(2).rstrip(".,;").strip()] if m else []
        if len(sides) >= 2:
            found.append(Equation(sides[0], tuple(sides[1:])))
    return found


def has_number(text: str) -> bool:
    """Whether text holds a number a student may have meant as an answer (not w_5's 5 nor x^2's 2)."""
    return _NUMBERISH.search(text) is not None


def number(side: str) -> str | None:
    """The number a side is (words after it allowed: `0.3589 (rounded)`), as written; else None."""
    side = side.strip()
    if side.startswith("(") and side.endswith(")"):
        side = side[1:-1].strip()
    m = _LEADING_NUMBER.fullmatch(side)
    if m is None:
        return None
    written = m.group(1).replace(",", ".") if "e" in m.group(1) else m.group(1)  # 3,59e-1
    return written if _number(written) is not None else None


def is_derivative_product(side: str) -> bool:
    """A side that names derivatives (∂E/∂out_o1 · …): the chain rule, for the numbers after it."""
    return _DERIVATIVE.search(side) is not None


def operands(side: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(operands, shape): a side's names and numbers in order, and its operators with every operand
    as `_` (juxtaposition as `*`; a signed number, `(-0.97)` too, one operand); None when something
    else is in it."""
    items: list[str] = []
    shape: list[str] = []
    i, s = 0, side
    while i < len(s):
        after_operand = bool(shape) and shape[-1] in ("_", ")")
        m = _OPERAND.match(s, i) or (None if after_operand else _SIGNED.match(s, i))
        if s[i] == " ":
            i += 1
        elif m:
            shape += ["*", "_"] if after_operand else ["_"]
            items.append(m.group(0).replace(" ", ""))
            i = m.end()
        elif _OPERATOR.match(s, i):
            shape += ["*", "("] if s[i] == "(" and after_operand else [s[i]]
            i += 1
        else:
            return None
        if shape[-3:] == ["(", "_", ")"]:
            shape[-3:] = ["_"]
    return tuple(items), tuple(shape)


def factors(symbolic: str, numeric: str) -> list[tuple[str, str]]:
    """(name, number) pairs of a symbolic side and a numeric side of the same shape."""
    a, b = operands(symbolic), operands(numeric)
    if a is None or b is None or a[1] != b[1]:
        return []
    return [
        (x, y) for x, y in zip(a[0], b[0], strict=True) if not _NUMBER.fullmatch(x) and _NUMBER.fullmatch(y)
    ]
