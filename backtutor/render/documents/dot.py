"""The computational graph as Graphviz DOT text, written by our own code (no binary needed for it):
every node with its name, op, forward value and gradient; inputs, targets, parameters and the loss
drawn differently; left to right. `path` highlights every path the chain rule follows for one
gradient. `blank` draws the network alone, without a computed number (the printable worksheet's
figure). `convert` turns the text into SVG, PNG or PDF with Graphviz's `dot`, when it is installed.
"""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess

from ...engine.expr import Call, Num
from ...engine.formula import text
from ...engine.graph import Node
from ...errors import InputError
from ...solution import Solution, Value
from ...text import dot

FORMULA_CHARS = 32  # a node's formula is written out when it is at most this long
HIGHLIGHT = "#d62728"
_STYLE = {
    "input": 'shape=ellipse, style=filled, fillcolor="#dbeafe"',
    "target": 'shape=ellipse, style="filled,dashed", fillcolor="#f1f5f9"',
    "param": 'shape=box, style=filled, fillcolor="#fef3c7"',
    "frozen": 'shape=box, style="filled,dashed", fillcolor="#fef9e7"',
    "value": 'shape=box, style="rounded"',
    "loss": 'shape=box, style="rounded,filled,bold", fillcolor="#fecaca"',
}
_KIND = {"input": "input", "target": "target", "param": "parameter", "frozen": "parameter (frozen)"}


def path_nodes(sol: Solution, spec: str) -> set[str]:
    """The nodes on every path from the quantity of a gradient id (dE/dw1, or w1) to the loss."""
    g = sol.graph
    name = re.sub(r"(\[\d+\])?(@\d+)?$", "", spec)
    prefix = f"d{g.loss}/d"
    name = name[len(prefix) :] if name.startswith(prefix) else name
    if name not in g.consumers:
        close = difflib.get_close_matches(spec, [f"{prefix}{n}" for n in g.order], n=3)
        hint = (
            f"; closest: {', '.join(close)}"
            if close
            else f"; use {prefix}<name> of a node on the way to {g.loss}"
        )
        raise InputError(f"--path: no gradient {spec!r} in this graph{hint}")
    nodes, todo = set(), [name]
    while todo:
        n = todo.pop()
        if n not in nodes:
            nodes.add(n)
            todo.extend(g.consumers.get(n, ()))
    return nodes


def render(
    sol: Solution,
    precision: int = 4,
    path: str | None = None,
    update: int | None = None,
    blank: bool = False,
) -> str:
    """The graph with the values and gradients of a worked update (the first one by default) and its
    first example; the inputs stacked in the order the problem declares them. `blank`: the network
    alone, each node with its name and op, no value or gradient."""
    g = sol.graph
    on_path = path_nodes(sol, path) if path else set()
    t = update if update is not None else (sol.worked[0].update if sol.worked else 1)
    worked = next((w for w in sol.worked if w.update == t), None)
    k = worked.example if worked else None
    values, grads = sol.values(t, k), sol.gradients(t, k)
    where = [f"update {t}"] if sol.updates > 1 else []
    if k is not None:
        where.append(f"example {k}")
    elif worked and len(sol.problem.data) > 1:  # an online update: which example it learns from
        where.append(f"example {worked.index + 1}")
    caption = "values and gradients" + (f" ({', '.join(where)})" if where else "")
    if blank:
        values, grads, caption = {}, {}, "the network"
    if path:
        caption += f"; highlighted: the paths of {path}"
    out = [
        "digraph backtutor {",
        "  rankdir=LR;",
        f"  label={dot(caption)}; labelloc=t; fontname=Helvetica; fontsize=12;",
        "  node [fontname=Helvetica, fontsize=11];",
        '  edge [color="#555555", arrowsize=0.7];',
    ]
    for node in g.nodes.values():
        out.append(_node(sol, node, values.get(node.name), grads.get(node.name), precision, on_path))
    out += _input_order(sol)
    for node in g.nodes.values():
        for i in node.inputs:
            attrs = ""
            if i in on_path and node.name in on_path and node.name in g.consumers.get(i, ()):
                attrs = f' [color="{HIGHLIGHT}", penwidth=2.5]'
            out.append(f"  {dot(i)} -> {dot(node.name)}{attrs};")
    out.append("}")
    return "\n".join(out) + "\n"


def _node(
    sol: Solution, node: Node, value: Value | None, grad: float | None, precision: int, on_path: set[str]
) -> str:
    """One node's line: its name, what it is (its op and formula when short), value and gradient."""
    g, n, forward_only = sol.graph, node.name, sol.problem.forward_only  # no loss: nothing is frozen
    kind = "loss" if n == g.loss and not forward_only else node.kind
    if kind == "param" and n not in g.wrt and not forward_only:
        kind = "frozen"
    lines = [n]
    if node.expr is None:
        lines.append(_KIND[kind if kind == "frozen" else node.kind])
    else:
        op = node.expr.op if isinstance(node.expr, Call) else "identity"
        formula = text(node.expr, precision)
        lines.append(f"{op}: {formula}" if len(formula) <= FORMULA_CHARS else op)
    if value is not None:
        lines.append(f"value {text(Num(float(value)), precision)}")
    if grad is not None:
        lines.append(f"grad {text(Num(grad), precision)}")
    attrs = [_STYLE[kind], f"label={dot(chr(10).join(lines))}"]
    if node.expr is not None:
        attrs.append(f"tooltip={dot(f'{n} = {text(node.expr, precision)}')}")
    if n in on_path:
        attrs.append(f'color="{HIGHLIGHT}", penwidth=2.5, fontcolor="{HIGHLIGHT}"')
    return f"  {dot(n)} [{', '.join(attrs)}];"


def _input_order(sol: Solution) -> list[str]:
    """The inputs in one rank, held in the declared order by invisible edges (Graphviz would
    otherwise order them to shorten edges)."""
    inputs = [dot(n) for n in sol.problem.inputs if n in sol.graph.nodes]
    if len(inputs) < 2:
        return []
    chain = " -> ".join(inputs)
    return [f"  {{ rank=same; {'; '.join(inputs)}; {chain} [style=invis]; }}"]


def convert(dot: str, fmt: str) -> bytes:
    """DOT text → SVG or PNG bytes with Graphviz's `dot` program."""
    exe = shutil.which("dot")
    if exe is None:
        raise InputError(
            f"writing .{fmt} needs Graphviz's `dot` program, which is not installed: install the Debian "
            "package graphviz (apt-get install graphviz), or write DOT text with -o graph.dot"
        )
    try:
        done = subprocess.run([exe, f"-T{fmt}"], input=dot.encode(), capture_output=True, timeout=120)
    except subprocess.TimeoutExpired:
        raise InputError(
            "Graphviz's dot took more than 2 minutes; write DOT text with -o graph.dot"
        ) from None
    if done.returncode != 0:
        raise InputError(f"Graphviz's dot failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout
