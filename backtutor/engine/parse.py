"""A safe parser for formulas in problem and answer files.

Only numbers, names, the constant pi (π), + − * / ^ ** (and the · × − ² ³ a student may paste),
parentheses and calls to the functions of the op table (or to functions a problem file defines as
formulas, passed in as `functions`, and their derivatives written T1′(x) or T1'(x)) are accepted;
with `examples`, a sum over a batch's examples too, `sum_n(…)` or `Σₙ(…)` with each example's names
written `f[n]`, which the parser expands into f[1] + f[2] + ….
Nothing here ever reaches `eval`, `sympify` or `parse_expr`; a name must look like `w1`, `out_h1` or
`x_hat` (no leading underscore, no dots).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from fractions import Fraction

from ..errors import InputError
from .expr import PI, Call, Expr, Function, Num, Sym, in_example
from .ops import FUNCTIONS, OPS, derivative_of

CONSTANTS: dict[str, Num] = {"pi": PI, "π": PI}
SUMS = ("sum_n", "Σ_n", "Σₙ")  # Σ over the examples of a batch, as textbooks write it
EACH = 0  # the example of a name written f[n] inside a sum, until the sum is expanded

# a name as students write it: a letter (Latin or Greek), then letters, digits, _, subscript digits, a hat
# (ŷ), a layer mark in superscript parentheses (W⁽¹⁾), and an index from 1 at the end (W1[1], W[1,2]);
# bare superscript digits stay powers (x²)
_SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_NAME = (
    rf"(?![{_SUP}₀-₉])[^\W\d_]"  # a letter, not a super- or subscript digit
    rf"(?:(?![{_SUP}])[\w\u0302]|⁽[{_SUP}]+⁾)*"  # letters, digits, _, ₁₂, a hat, ⁽¹⁾
    r"(?:\[[1-9]\d*(?:,[1-9]\d*)*\])?"  # an index: [1], [1,2]
)
NAME = re.compile(_NAME + r"\Z")
MAX_LENGTH = 2000
MAX_DEPTH = 60  # levels of nesting: parentheses, signs, powers, calls, chains like a − b − c
MAX_NUMBER = 1e300  # larger literals would overflow as soon as they are multiplied

_TOKEN = re.compile(
    r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,3})?)"
    rf"|(?P<name>σ(?![\w\u0302])|{_NAME}|_\w*)"
    r"|(?P<op>\*\*|\[n\]|[-+*/^(),·×∗−÷²³])"
    r"|(?P<prime>(?<=\w)['′](?=\()))"
)
_CANONICAL = {"·": "*", "×": "*", "∗": "*", "−": "-", "÷": "/", "**": "^", "'": "′"}
_SUPERSCRIPT = {"²": "2", "³": "3"}


class ParseError(InputError):
    """A formula that is not in the accepted language; `column` is 1-based."""

    def __init__(self, message: str, text: str, column: int) -> None:
        if len(text) > 80:  # a long formula is quoted around the column only
            start = max(0, column - 40)
            text = ("…" if start else "") + text[start : start + 60] + ("…" if start + 60 < len(text) else "")
        super().__init__(f"{message} at column {column} of '{text}'")
        self.column = column


def valid_name(name: str) -> bool:
    return len(name) <= 64 and bool(NAME.match(name)) and name not in FUNCTIONS and name not in CONSTANTS


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].isspace():
            break
        m = _TOKEN.match(text, pos)
        if not m:
            raise ParseError(f"unexpected character {text[pos].strip() or 'space'!r}", text, pos + 1)
        kind = m.lastgroup or ""
        value = m.group(kind)
        out.append((kind, _CANONICAL.get(value, value), m.start(kind) + 1))
        pos = m.end()
    out.append(("end", "", len(text) + 1))
    return out


class _Parser:
    def __init__(self, text: str, functions: Mapping[str, Function], examples: int | None = None) -> None:
        self.text = text
        self.functions = functions
        self.examples = examples
        self.summing = False
        self.toks = _tokens(text)
        self.i = 0
        self.depth = 0

    def peek(self) -> tuple[str, str, int]:
        return self.toks[self.i]

    def take(self) -> tuple[str, str, int]:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def fail(self, message: str) -> ParseError:
        kind, value, col = self.peek()
        found = "end of formula" if kind == "end" else repr(value)
        return ParseError(f"{message}, found {found}", self.text, col)

    def expect(self, value: str) -> None:
        if self.peek()[1] != value or self.peek()[0] != "op":
            raise self.fail(f"expected {value!r}")
        self.take()

    def expression(self) -> Expr:
        left = self.term()
        while self.peek()[1] in ("+", "-") and self.peek()[0] == "op":
            op = "add" if self.take()[1] == "+" else "sub"
            right = self.term()
            if op == "add" and isinstance(left, Call) and left.op == "add":
                left = Call("add", (*left.args, right))
            else:
                left = Call(op, (left, right))
        return left

    def term(self) -> Expr:
        left = self.unary()
        while self.peek()[1] in ("*", "/") and self.peek()[0] == "op":
            op = "mul" if self.take()[1] == "*" else "div"
            right = self.unary()
            if op == "mul" and isinstance(left, Call) and left.op == "mul":
                left = Call("mul", (*left.args, right))
            else:
                left = Call(op, (left, right))
        return left

    def unary(self) -> Expr:
        """Every recursion of the grammar passes through here, so the depth is counted here."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"formula nested more than {MAX_DEPTH} levels deep")
        if self.peek()[1] == "-" and self.peek()[0] == "op":
            self.take()
            e: Expr = Call("neg", (self.unary(),))
        elif self.peek()[1] == "+" and self.peek()[0] == "op":
            self.take()
            e = self.unary()
        else:
            e = self.power()
        self.depth -= 1
        return e

    def power(self) -> Expr:
        base = self.atom()
        kind, value, _ = self.peek()
        if kind == "op" and value == "^":
            self.take()
            return Call("pow", (base, self.unary()))
        if kind == "op" and value in _SUPERSCRIPT:
            self.take()
            return Call("pow", (base, Num(Fraction(_SUPERSCRIPT[value]))))
        return base

    def atom(self) -> Expr:
        kind, value, col = self.peek()
        if kind == "num":
            self.take()
            number = Fraction(value)
            if number > MAX_NUMBER:
                raise ParseError(f"number {value} is too large (at most {MAX_NUMBER:g})", self.text, col)
            return Num(number, value)
        if kind == "op" and value == "(":
            self.take()
            inner = self.expression()
            self.expect(")")
            return inner
        if kind == "name":
            self.take()
            if value in SUMS and self.peek()[1] == "(":
                return self.sum(col)
            if self.peek()[1] == "(" and self.peek()[0] == "op":
                return self.call(value, col)
            if self.peek()[1] == "[n]":
                return self.each(value, col)
            if self.peek()[0] == "prime":  # T1′(x): the derivative of a function of the file, by name
                if value not in self.functions:
                    raise ParseError(
                        f"{value}′: only a function the problem defines is derived by name", self.text, col
                    )
                self.take()
                return self.call(value, col, derivative=True)
            if value in CONSTANTS:
                return CONSTANTS[value]
            if value in FUNCTIONS or value in self.functions:
                raise ParseError(f"{value!r} is a function; call it as {value}(…)", self.text, col)
            if not valid_name(value):
                raise ParseError(
                    f"{value!r} is not an allowed name (letters, digits and _, starting with a letter)",
                    self.text,
                    col,
                )
            return Sym(value)
        raise self.fail("expected a number, a name or '('")

    def sum(self, col: int) -> Expr:
        """sum_n(body): body once for each example of the batch, added up."""
        if self.examples is None:
            raise ParseError(
                "sum_n(…) adds up a batch's examples; this answer is not a batch's", self.text, col
            )
        if self.summing:
            raise ParseError("a sum over the examples inside another", self.text, col)
        self.summing = True
        args = self.arguments()
        self.summing = False
        if len(args) != 1:
            raise ParseError(f"sum_n takes 1 input, got {len(args)}", self.text, col)
        return Call("add", tuple(in_example(args[0], k, EACH) for k in range(1, self.examples + 1)))

    def each(self, name: str, col: int) -> Expr:
        """f[n]: f of the example a sum_n(…) is at."""
        if not self.summing:
            raise ParseError(
                f"{name}[n] is written inside sum_n(…); one example's {name}: {name}[1]", self.text, col
            )
        if not valid_name(name):
            raise ParseError(f"{name!r} is not an allowed name", self.text, col)
        self.take()
        return Sym(name, EACH)

    def arguments(self) -> list[Expr]:
        self.expect("(")
        args = [self.expression()]
        while self.peek()[1] == "," and self.peek()[0] == "op":
            self.take()
            args.append(self.expression())
        self.expect(")")
        return args

    def call(self, name: str, col: int, derivative: bool = False) -> Expr:
        if name not in FUNCTIONS and name not in self.functions:
            known = ", ".join(sorted([*FUNCTIONS, *self.functions]))
            raise ParseError(f"unknown function {name!r} (known: {known})", self.text, col)
        args = self.arguments()
        if name in self.functions:  # a function the file defines as a formula of x (or, `derivative`, f′)
            if len(args) != 1:
                raise ParseError(f"{name} takes 1 input, got {len(args)}", self.text, col)
            f = self.functions[name]
            return Call("formula", (args[0],), derivative_of(f) if derivative else f)
        op = OPS[FUNCTIONS[name]]
        param = None
        if op.param:
            last = args.pop()
            if len(args) != 1 or not isinstance(last, Num):
                raise ParseError(f"{name} takes an input and a number ({op.param})", self.text, col)
            param = Fraction(last.value)
        if op.arity is not None and len(args) != op.arity:
            raise ParseError(f"{name} takes {op.arity} input(s), got {len(args)}", self.text, col)
        if op.arity is None and len(args) < 2:
            raise ParseError(f"{name} takes two or more inputs, got {len(args)}", self.text, col)
        return Call(op.name, tuple(args), param)


def parse(text: str, functions: Mapping[str, Function] | None = None, examples: int | None = None) -> Expr:
    """Parse a formula; raises ParseError with the column of the first problem. `functions`: the
    formula functions a problem file defines, callable by name; `examples`: the batch's, which
    sum_n(…) adds up."""
    if not isinstance(text, str):
        raise ParseError("expected a formula as text", str(text), 1)
    if len(text) > MAX_LENGTH:
        raise ParseError(f"formula longer than {MAX_LENGTH} characters", text[:40] + "…", MAX_LENGTH)
    p = _Parser(text, functions or {}, examples)
    if p.peek()[0] == "end":
        raise ParseError("empty formula", text, 1)
    e = p.expression()
    if p.peek()[0] != "end":
        raise p.fail("expected an operator or the end of the formula")
    if depth(e) > MAX_DEPTH:  # a − b − c − … nests without recursing in the parser
        raise ParseError(f"formula nested more than {MAX_DEPTH} levels deep", text, 1)
    return e


def depth(e: Expr) -> int:
    """Levels of calls in an expression (a name or a number is none), counted without recursion: as
    the parser counts a level per parenthesis or call, so `sin(` and `(` nest alike."""
    deepest, stack = 0, [(e, 0)]
    while stack:
        x, d = stack.pop()
        if isinstance(x, Call):
            deepest = max(deepest, d + 1)
            stack.extend((a, d + 1) for a in x.args)
    return deepest
