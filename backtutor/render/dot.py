"""The computational graph as Graphviz DOT text, written by our own code (no binary needed for it):
every node with its name, op, forward value and gradient; inputs, targets, parameters and the loss
drawn differently; left to right. `path` highlights every path the chain rule follows for one
gradient. `convert` turns the text into SVG or PNG with Graphviz's `dot`, when it is installed.
"""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess

from ..engine.expr import Call, Deriv, Sym
from ..engine.formula import format_number, text
from ..errors import InputError
from ..solution import Solution

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


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


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


def render(sol: Solution, precision: int = 4, path: str | None = None) -> str:
    g = sol.graph
    on_path = path_nodes(sol, path) if path else set()
    first = sol.steps[0] if sol.steps else None
    t, k = (first.update, first.example) if first else (1, None)
    values: dict[str, float] = {}
    grads: dict[str, float] = {}
    for s in sol.steps:
        if s.update != t or s.example != k:
            continue
        if s.phase == "forward" and isinstance(s.target, Sym):
            values[s.target.name] = s.value
            for leaf, _, value in s.leaves:
                if isinstance(leaf, Sym) and leaf.example is None:
                    values.setdefault(leaf.name, float(value))
        elif s.phase == "backward" and isinstance(s.target, Deriv) and s.target.of == g.loss:
            grads[s.target.wrt] = s.value
    for n in g.nodes:
        if n == g.loss or (n in g.consumers and g.is_unit(n)):
            grads.setdefault(n, 1.0)  # the loss, and the terms of a plain sum: ∂loss/∂term = 1
    where = []
    if sol.updates > 1:
        where.append(f"update {t}")
    if k is not None:
        where.append(f"example {k}")
    caption = "values and gradients" + (f" ({', '.join(where)})" if where else "")
    if path:
        caption += f"; highlighted: the paths of {path}"
    out = [
        "digraph backtutor {",
        "  rankdir=LR;",
        f"  label={_quote(caption)}; labelloc=t; fontname=Helvetica; fontsize=12;",
        "  node [fontname=Helvetica, fontsize=11];",
        '  edge [color="#555555", arrowsize=0.7];',
    ]
    for node in g.nodes.values():
        n = node.name
        kind = "loss" if n == g.loss else node.kind
        if kind == "param" and n not in g.wrt:
            kind = "frozen"
        lines = [n]
        if node.expr is None:
            lines.append(_KIND[node.kind if kind != "frozen" else "frozen"])
        else:
            op = node.expr.op if isinstance(node.expr, Call) else "identity"
            formula = text(node.expr, precision)
            lines.append(f"{op}: {formula}" if len(formula) <= FORMULA_CHARS else op)
        if n in values:
            lines.append(f"value {format_number(values[n], precision)}")
        if n in grads:
            lines.append(f"grad {format_number(grads[n], precision)}")
        attrs = [_STYLE[kind], f"label={_quote(chr(10).join(lines))}"]
        if node.expr is not None:
            attrs.append(f"tooltip={_quote(f'{n} = {text(node.expr, precision)}')}")
        if n in on_path:
            attrs.append(f'color="{HIGHLIGHT}", penwidth=2.5, fontcolor="{HIGHLIGHT}"')
        out.append(f"  {_quote(n)} [{', '.join(attrs)}];")
    for node in g.nodes.values():
        for i in node.inputs:
            attrs = ""
            if i in on_path and node.name in on_path and node.name in g.consumers.get(i, ()):
                attrs = f' [color="{HIGHLIGHT}", penwidth=2.5]'
            out.append(f"  {_quote(i)} -> {_quote(node.name)}{attrs};")
    out.append("}")
    return "\n".join(out) + "\n"


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
