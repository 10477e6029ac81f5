"""A model given as named `expressions`: parse each (calls to the file's `functions` included), check
that every name it uses is defined, and order them so each comes after what it uses (or name the
cycle that makes that impossible)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..engine.expr import Expr, names
from .checker import BuiltModel, SpecReader
from .files import FileError
from .functions import file_functions


def expressions_model(c: SpecReader) -> BuiltModel:
    s = c.spec
    assert s.expressions is not None
    functions = file_functions(c)
    parsed: dict[str, Expr] = {}
    for name, text in s.expressions.items():
        parsed[name] = c.parse(("expressions", name), text, functions)
    known = set(s.inputs) | set(s.parameters) | set(parsed)
    for name, e in parsed.items():
        for n in names(e):
            if n not in known:
                raise c.fail(("expressions", name), c.undefined(n, known))
    order = topological(parsed, c.fail)
    used = {n for e in parsed.values() for n in names(e)}
    outputs = list(s.outputs) if s.outputs else [n for n in parsed if n not in used]
    for i, o in enumerate(outputs):
        if o not in parsed:
            raise c.fail(("outputs", i), f"'{o}' is not one of the expressions")
    return BuiltModel([(n, parsed[n]) for n in order], outputs, outputs)


def topological(parsed: dict[str, Expr], fail: Callable[[tuple[Any, ...], str], FileError]) -> list[str]:
    """The names in an order where each comes after those it uses (depth first, without recursion,
    so a long chain cannot overflow the stack); a cycle is an error at its first expression."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1: in progress, 2: done
    for start in parsed:
        stack: list[tuple[str, list[str]]] = [(start, [d for d in names(parsed[start]) if d in parsed])]
        if state.get(start):
            continue
        state[start] = 1
        while stack:
            node, deps = stack[-1]
            if deps:
                d = deps.pop(0)
                if state.get(d) == 1:
                    cycle = [n for n, _ in stack]
                    cycle = [*cycle[cycle.index(d) :], d]
                    raise fail(("expressions", d), f"the expressions form a cycle: {' → '.join(cycle)}")
                if not state.get(d):
                    state[d] = 1
                    stack.append((d, [x for x in names(parsed[d]) if x in parsed]))
            else:
                stack.pop()
                state[node] = 2
                order.append(node)
    return order
