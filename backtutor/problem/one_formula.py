"""One formula typed on the command line (`backtutor diff`) as a Problem: the formula is cut into named
intermediates (u1 = w1·x, h1 = σ(u1), …, f = w3·h2), the variables to differentiate by become
parameters and the others inputs, and its output is differentiated itself (loss kind `output`), so
the working is the same chain rule, closed forms and renderers as a problem file's.

Errors name the command-line argument (FORMULA, --wrt, --at) they come from.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from fractions import Fraction

from ..engine.expr import Call, Expr, Sym, constant, names
from ..engine.formula import text
from ..engine.ops import OPS
from ..engine.parse import ParseError, parse
from ..errors import InputError
from .limits import graph_size, too_much_working
from .records import Problem

OUTPUT = "f"  # the formula's own name, unless the formula already uses it


def formula_problem(
    formula: str, wrt: Iterable[str], at: Mapping[str, Fraction] | None, attempt: int = 0
) -> Problem:
    """The Problem of `formula` differentiated by each of `wrt`, at the point `at` (every variable's
    value) or, when None, at the `attempt`-th trial point, whose numbers only carry the working (the
    caller hides them)."""
    try:
        expr = parse(formula)
    except ParseError as e:
        raise InputError(f"FORMULA: {e}") from None
    variables = names(expr)
    chosen = _wrt(list(wrt), variables)
    if at is not None:
        _check_point(at, variables)
    point = dict(at) if at is not None else trial(variables, attempt)
    model = intermediates(expr)
    size = graph_size(model, len(variables))
    if why := too_much_working(1, size, "the formula"):
        raise InputError(f"FORMULA: {why}")
    inputs = tuple(v for v in variables if v not in chosen)
    return Problem(
        path="FORMULA",
        title=f"{model[-1][0]} = {text(expr)}",
        description="",
        inputs=inputs,
        targets=(),
        parameters={v: point[v] for v in chosen},
        frozen=frozenset(),
        model=tuple(model),
        loss=model[-1][0],
        loss_kind="output",
        reduction="sum",
        data=({v: point[v] for v in inputs},),
        training=None,
        input_gradients=(),
        derivations=True,
        size=size,
    )


def intermediates(expr: Expr) -> list[tuple[str, Expr]]:
    """Each operation of `expr` that uses a variable as a named node, innermost first: uK for an
    operator (u1 = w1·x), hK for a function (h1 = σ(u1)), the whole formula last (f = w3·h2). A
    repeated part is named once; parts made of numbers only stay in the formula."""
    taken = set(names(expr))
    counters = {"u": 0, "h": 0}
    named: dict[Expr, str] = {}
    model: list[tuple[str, Expr]] = []

    def fresh(prefix: str) -> str:
        while True:
            counters[prefix] += 1
            name = f"{prefix}{counters[prefix]}"
            if name not in taken:
                return name

    def name_of(e: Expr, last: bool) -> Expr:  # recursive: the parser bounds the depth (MAX_DEPTH)
        if not isinstance(e, Call) or constant(e) is not None or not names(e):
            return e
        inner = Call(e.op, tuple(name_of(a, False) for a in e.args), e.param)
        if inner in named:
            return Sym(named[inner])
        name = _output_name(taken) if last else fresh("u" if OPS[e.op].infix else "h")
        named[inner] = name
        model.append((name, inner))
        return Sym(name)

    top = name_of(expr, True)
    if not model:  # the formula is a single variable: f = x
        model.append((_output_name(taken), top))
    return model


def _output_name(taken: set[str]) -> str:
    name, k = OUTPUT, 0
    while name in taken:
        k += 1
        name = f"{OUTPUT}_{k}"
    return name


def _wrt(wrt: list[str], variables: list[str]) -> list[str]:
    """The variables to differentiate by, each one of the formula's, in the order given."""
    if not wrt:
        raise InputError("--wrt: give the variable(s) to differentiate by, e.g. --wrt w1 or --wrt w1,w2")
    for v in wrt:
        if v not in variables:
            raise InputError(f"--wrt: {_not_a_variable(v, variables)}")
    return list(dict.fromkeys(wrt))


def _check_point(at: Mapping[str, Fraction], variables: list[str]) -> None:
    for v in at:
        if v not in variables:
            raise InputError(f"--at: {_not_a_variable(v, variables)}")
    missing = [v for v in variables if v not in at]
    if missing:
        raise InputError(f"--at: no value for {', '.join(missing)}; give every variable, e.g. {missing[0]}=1")


def _not_a_variable(v: str, variables: list[str]) -> str:
    shown = v if len(v) <= 40 else v[:40] + "…"
    if not variables:
        return f"'{shown}' is not in the formula, which has no variables"
    close = difflib.get_close_matches(v[:100], variables, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"'{shown}' is not a variable of the formula ({', '.join(variables)}){hint}"


def parse_point(items: Iterable[str]) -> dict[str, Fraction]:
    """--at text `w1=0.5,w2=-1` (possibly given several times) as exact numbers; each value is read
    by the formula parser and must be a number such as 0.5, -1, 1/3 or 2^-3."""
    point: dict[str, Fraction] = {}
    for item in items:
        for part in item.split(","):
            if not part.strip():
                continue
            name, eq, value = (s.strip() for s in part.partition("="))
            if not eq or not name:
                raise InputError(f"--at: cannot read {part.strip()[:40]!r}; write name=value, e.g. w1=0.5")
            if name in point:
                raise InputError(f"--at: {name[:40]} is given twice")
            point[name] = _number(name, value)
    return point


def _number(name: str, value: str) -> Fraction:
    try:
        number = constant(parse(value)) if value else None
    except ParseError:
        number = None
    if number is None:
        example = "e.g. 0.5, -1, 1/3"
        raise InputError(f"--at: the value of {name[:40]} is not a number: {value[:40]!r} ({example})")
    return number


# values that carry the working when no point is given (never shown): distinct and away from 0, 1 and
# each other, first in (0, 1), then above 1 (log(x − 1)), then below 0 (log(−x))
_TRIAL = (Fraction(3, 7), Fraction(5, 11), Fraction(7, 13), Fraction(2, 3), Fraction(9, 17), Fraction(4, 19))
TRIAL_SHIFTS = (0, 2, -3)


def trial(variables: list[str], attempt: int) -> dict[str, Fraction]:
    shift = TRIAL_SHIFTS[attempt]
    return {v: _TRIAL[i % len(_TRIAL)] + i // len(_TRIAL) + shift for i, v in enumerate(variables)}
