"""Compiled numeric evaluation of a graph: forward values, local derivatives and gradients.

The graph is turned into one straight-line Python function over floats (what `lambdify` does
for SymPy, without SymPy): variables are numbered slots, constants are float literals, and the
only functions called are the op table's stable forward rules. No text from a problem file ends
up in the generated source. For networks of this size, scalar code beats NumPy's per-call
overhead, and it is what long training runs loop over.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import cast

from .expr import Call, Expr, Function, Num, Sym
from .graph import Graph
from .ops import OPS, X

Full = Callable[..., tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]]]
Fast = Callable[..., tuple[float, list[float]]]
Loss = Callable[..., float]
Formula = Callable[[Sequence[float]], float]

_INFIX = {"add": " + ", "sub": " - ", "mul": " * ", "div": " / "}
_MAX_INFIX = 32  # more operands than this are summed (multiplied) by a loop, in the same order


def _literal(value: Fraction | float) -> str:
    """A constant as Python source; one too large for a float is inf (1e999), which the solver
    then reports as the step whose value became infinite."""
    try:
        return repr(float(value))
    except OverflowError:
        return "1e999" if value > 0 else "-1e999"


def _add(*v: float) -> float:
    """v[0] + v[1] + … left to right, exactly as the infix chain would add them."""
    total = v[0]
    for x in v[1:]:
        total += x
    return total


def _mul(*v: float) -> float:
    """v[0] · v[1] · … left to right, exactly as the infix chain would multiply them."""
    total = v[0]
    for x in v[1:]:
        total *= x
    return total


@dataclass(frozen=True)
class Program:
    """`full(x, p)` → (node values, local derivative values, gradients) in the orders below;
    `fast(x, p)` → (loss, gradients of `graph.trainable`); `loss(x, p)` → the loss alone.
    x holds inputs then targets, p every parameter in `graph.params` order."""

    data_names: tuple[str, ...]
    values: tuple[str, ...]  # every node, in graph order
    edges: tuple[tuple[str, str], ...]
    grads: tuple[str, ...]  # nodes with a gradient, in graph.order
    full: Full
    fast: Fast
    loss: Loss


class _Emitter:
    def __init__(self, graph: Graph) -> None:
        self.var = {name: f"v{i}" for i, name in enumerate(graph.nodes)}
        # a subexpression that *is* a node's definition reuses that node's value (σ(net_o1) → out_o1)
        self.known = {node.expr: self.var[node.name] for node in graph.computed}

    def __call__(self, e: Expr, top: bool = False) -> str:
        if not top and e in self.known:
            return self.known[e]
        if isinstance(e, Num):
            return _literal(e.value)
        if isinstance(e, Sym):
            return self.var[e.name]
        assert isinstance(e, Call)
        if isinstance(e.param, Function):  # a formula function: its body, inline, x bound to the argument
            return f"({self(_bind(e.param.body, e.args[0]))})"
        args = [self(a) for a in e.args]
        if e.op in _INFIX and len(args) > _MAX_INFIX:  # a long sum (a big pooling window) as one call,
            return f"_{e.op}({', '.join(args)})"  # not a chain Python's compiler must recurse through
        if e.op in _INFIX:
            return "(" + _INFIX[e.op].join(args) + ")"
        if e.op == "neg":
            return f"(-{args[0]})"
        if OPS[e.op].param:
            assert e.param is not None, f"{e.op} needs its {OPS[e.op].param}"
            args.insert(0, repr(e.param if isinstance(e.param, int) else float(e.param)))
        return f"{e.op}({', '.join(args)})"


def _bind(body: Expr, arg: Expr) -> Expr:
    """A formula function's body with its variable x replaced by `arg`."""
    if isinstance(body, Sym):
        return arg if body.name == X else body
    if isinstance(body, Call):
        return Call(body.op, tuple(_bind(a, arg) for a in body.args), body.param)
    return body


def compile_graph(graph: Graph) -> Program:
    emit = _Emitter(graph)
    data_names = tuple(n.name for n in graph.nodes.values() if n.kind in ("input", "target"))
    v = emit.var
    head = [
        f"    {', '.join(v[n] for n in data_names)}, = x" if data_names else "",
        f"    {', '.join(v[p] for p in graph.params)}, = p" if graph.params else "",
    ]
    forward = [f"    {v[n.name]} = {emit(n.expr, top=True)}" for n in graph.computed if n.expr is not None]
    edges = tuple(graph.local)
    locals_ = [f"    d{i} = {emit(graph.local[edge])}" for i, edge in enumerate(edges)]
    edge_index = {edge: i for i, edge in enumerate(edges)}
    gvar = {graph.loss: "1.0"}
    backward = []
    for step in graph.sweep():
        terms = [f"{gvar[c]} * d{edge_index[(c, n)]}" for c, n in step.edges]
        gvar[step.node] = f"g{len(gvar)}"
        backward.append(f"    {gvar[step.node]} = {' + '.join(terms)}")
    body = [*head, *forward, *locals_, *backward]
    values = tuple(graph.nodes)
    full = "\n".join(
        [
            "def full(x, p):",
            *body,
            f"    return ({''.join(v[n] + ', ' for n in values)}), "
            f"({''.join(f'd{i}, ' for i in range(len(edges)))}), "
            f"({''.join(gvar[n] + ', ' for n in graph.order)})",
        ]
    )
    source = "\n".join(
        [
            "def fast(x, p):",
            *body,
            f"    return {v[graph.loss]}, [{', '.join(gvar[n] for n in graph.trainable)}]",
            "def loss(x, p):",
            *head,
            *forward,
            f"    return {v[graph.loss]}",
        ]
    )
    namespace: dict[str, object] = {op.name: op.forward for op in OPS.values()}
    namespace.update(_add=_add, _mul=_mul)
    exec(compile(source, "<backtutor graph>", "exec"), namespace)  # source built from numbered slots only
    return Program(
        data_names,
        values,
        edges,
        tuple(graph.order),
        _on_first_call(full, namespace),
        cast(Fast, namespace["fast"]),
        cast(Loss, namespace["loss"]),
    )


def _on_first_call(source: str, namespace: dict[str, object]) -> Full:
    """`full`, compiled when first called: only worked examples call it, and a model too large to
    work step by step (most of the size limit) would compile it for nothing, in seconds."""
    compiled: list[Full] = []

    def full(x: Sequence[float], p: Sequence[float]) -> tuple[tuple[float, ...], ...]:
        if not compiled:
            exec(compile(source, "<backtutor graph>", "exec"), namespace)  # numbered slots only
            compiled.append(cast(Full, namespace["full"]))
        return compiled[0](x, p)

    return cast(Full, full)


def compile_formula(formula: Expr, place: Mapping[int, int]) -> Formula:
    """`formula` as one straight-line function of its leaves' values `v` (leaf ↦ `v[place[id(leaf)]]`),
    for a formula worked again for every sheet. It makes exactly the calls `ops.evaluate` makes
    (the same forward rules, params and constants, in the same order), so the numbers are the same
    to the bit. Generated names only: slots, `k` constants and `f` forward rules from the op table.
    Raises KeyError for a leaf missing from `place` and OverflowError for a constant too large for a
    float: where `evaluate` would fail on every call, this fails once, here."""
    namespace: dict[str, object] = {}
    slot: dict[int, str] = {}
    lines: list[str] = []
    todo: list[tuple[Expr, bool]] = [(formula, False)]  # children first, without recursion
    while todo:
        e, ready = todo.pop()
        if id(e) in slot:
            continue
        if isinstance(e, Call) and not ready:
            todo.append((e, True))
            todo.extend((a, False) for a in reversed(e.args))
            continue
        if isinstance(e, Num):
            name = slot[id(e)] = f"k{len(namespace)}"
            namespace[name] = float(e.value)
        elif isinstance(e, Call):
            op = OPS[e.op]
            rule = f"f{len(namespace)}"
            namespace[rule] = op.forward
            args = [slot[id(a)] for a in e.args]
            if op.param:
                param = f"k{len(namespace)}"
                namespace[param] = e.param
                args.insert(0, param)
            name = slot[id(e)] = f"t{len(lines)}"
            lines.append(f"    {name} = {rule}({', '.join(args)})")
        else:
            slot[id(e)] = f"v[{place[id(e)]}]"
    source = "\n".join(["def formula(v):", *lines, f"    return {slot[id(formula)]}"])
    exec(compile(source, "<backtutor formula>", "exec"), namespace)  # numbered slots only
    return cast(Formula, namespace["formula"])
