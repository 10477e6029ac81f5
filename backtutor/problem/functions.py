"""Functions a problem file writes as formulas of x: an activation `{name: scaled_asinh, formula:
"asinh(x)/5 + 1/2"}` on a layer or unit, or a top-level `functions:` mapping that `expressions` call
by name. Each is parsed by the safe parser, may use only x, and its derived derivative must agree
with central finite differences; then its derivation is written (engine/function.py)."""

from __future__ import annotations

from typing import Any

from ..engine.expr import Function
from ..engine.function import derive, described, disagreement, other_name
from .checker import SpecReader


def formula_function(c: SpecReader, loc: tuple[Any, ...], name: str, formula: str) -> Function:
    """`name`(x) = formula, checked; errors name the file, the field and the line."""
    body = c.parse(loc, formula)
    other = other_name(body)
    if other is not None:
        raise c.fail(loc, f"the formula of {name} may use only its variable x, not {other!r}")
    f = derive(name, body)
    problem = disagreement(f)
    if problem is not None:
        raise c.fail(loc, f"{name}(x) = {formula}: {problem}")
    return described(f)


def file_functions(c: SpecReader) -> dict[str, Function]:
    """The file's top-level `functions`, by name."""
    return {
        name: formula_function(c, ("functions", name), name, formula)
        for name, formula in c.spec.functions.items()
    }
