"""`backtutor explore`: one self-contained offline page that steps through a problem's forward and
backward pass on its graph. The page embeds the Solution's JSON (render/json.py's dict, exactly what
`solve -f json` prints), so every computed number on it is one of those; beside it, what only the page
needs: the graph's layered layout, each step's place on the graph and its working set in MathML. Both
are deflated (`packed`); the browser unpacks them. The style and the scripts are package data
(explore.css, explore_view.js, explore.js), written inline into the page.
"""

from __future__ import annotations

import base64
import shlex
import shutil
import zlib
from importlib.resources import files
from typing import Any

from ...engine.expr import Deriv, Expr, Sym, Updated
from ...engine.formula import mathml
from ...engine.graph import Graph
from ...errors import InputError
from ...solution import Solution, Step
from ...solution.asked import asked, question_of
from ...solution.gradient_forms import ClosedForms, closed_forms
from ...text import dot, json_dumps
from .dot import convert
from .json import to_dict


def layers(g: Graph, inputs: tuple[str, ...]) -> list[list[str]]:
    """The nodes in columns by depth (an input 0, a node one more than its deepest input, a given
    leaf just before its first consumer); the problem's inputs first in their declared order, then
    each column ordered by where its inputs sit (one barycentre pass: a layered network's units stay
    in file order)."""
    depth = {n: 0 for n in g.nodes}
    for node in g.computed:  # topological order: a node after its inputs
        depth[node.name] = 1 + max((depth[i] for i in node.inputs), default=0)
    leaf_at: dict[str, int] = {}  # a given leaf (not an input) sits just before its first consumer
    for node in g.computed:
        for i in node.inputs:
            if g.nodes[i].expr is None and i not in inputs:
                leaf_at[i] = min(leaf_at.get(i, depth[node.name]), depth[node.name] - 1)
    depth.update(leaf_at)
    columns: list[list[str]] = [[] for _ in range(max(depth.values(), default=0) + 1)]
    declared = [n for n in inputs if n in g.nodes]
    for name in declared:
        columns[0].append(name)
    for name in g.nodes:
        if name not in declared:
            columns[depth[name]].append(name)
    row: dict[str, float] = {}
    for c, column in enumerate(columns):
        if c > 0:
            column[:] = _ordered(g, row, column)
        row.update({n: float(k) for k, n in enumerate(column)})
    return columns


GRAPHVIZ_MOST = 2_000  # nodes Graphviz lays out for the page; a larger graph takes the built-in layout
BOX = (132, 56)  # a node's box on the page, in pixels (explore.js draws it)


def graphviz_layout(columns: list[list[str]], g: Graph) -> dict[str, tuple[float, float]] | None:
    """Each node's centre in page pixels as Graphviz's dot places the graph left to right, or None
    without Graphviz, when it fails or the graph is too large (the built-in layout serves then).
    The columns and their order are the built-in ones (`layers`: a layer's units in file order,
    as textbooks draw them); dot chooses the coordinates, each node level with its neighbours."""
    if shutil.which("dot") is None or len(g.nodes) > GRAPHVIZ_MOST:
        return None
    q = dot
    lines = [
        "digraph { rankdir=LR; nodesep=0.2; ranksep=0.55;",
        f"node [shape=box, fixedsize=true, width={BOX[0] / 72}, height={BOX[1] / 72}];",
        *(f"{q(i)} -> {q(node.name)};" for node in g.nodes.values() for i in node.inputs),
        *(f"{{ rank=same; {' -> '.join(map(q, c))} [style=invis]; }}" for c in columns if len(c) > 1),
    ]
    try:
        plain = convert("\n".join(lines) + "}", "plain").decode()
    except InputError:
        return None
    height = float(plain.split(maxsplit=4)[3])
    centres = {}
    for line in plain.splitlines():
        if line.startswith("node "):
            _, name, x, y, *_ = shlex.split(line)
            centres[name] = (round(float(x) * 72, 1), round((height - float(y)) * 72, 1))
    return centres if centres.keys() == g.nodes.keys() else None


def _ordered(g: Graph, row: dict[str, float], column: list[str]) -> list[str]:
    """A column by the mean row of each node's placed inputs, ties in graph order."""
    first = {n: k for k, n in enumerate(column)}

    def place(n: str) -> tuple[float, int]:
        ins = [row[i] for i in g.nodes[n].inputs if i in row]
        return (sum(ins) / len(ins) if ins else float(first[n]), first[n])

    return sorted(column, key=place)


def focus(step: Step, g: Graph) -> tuple[str, str, str, str]:
    """Where a step sits on the graph: (kind, node, from, to). "v" a forward value (the node's
    input edges light up), "g" a derivative ∂to/∂from (the edges of every path from → to, the
    chain-rule product's factors), "u" an update of a parameter."""
    t: Expr = step.target
    if isinstance(t, Sym):
        return ("v", t.name, "", t.name)
    if isinstance(t, Deriv):
        return ("g", t.wrt, t.wrt, t.of)
    if isinstance(t, Updated):
        return ("u", t.name, "", "")
    return ("v", "", "", "")


def _math(e: Expr | None, precision: int) -> str:
    return "" if e is None else mathml(e, precision)


def page_data(
    sol: Solution, precision: int = 9, graphviz: bool = True, closed: ClosedForms | None = None
) -> dict[str, Any]:
    """What the page's script reads besides the Solution: the graph, its layout (Graphviz's when
    installed, else the built-in columns) and the working. closed: the closed forms, when the caller
    has them already (SymPy simplifies them once per page)."""
    g = sol.graph
    columns = layers(g, sol.problem.inputs)
    at = graphviz_layout(columns, g) if graphviz else None
    forms = (closed if closed is not None else closed_forms(sol, simplify=True)).forms
    simplified = {cf.chain: cf.simplified for cf in forms}
    loss = None if sol.problem.forward_only else g.loss  # no loss: the last map is a map
    nodes = [
        {
            "id": n,
            "kind": "loss" if n == loss else g.nodes[n].kind,
            "col": c,
            "row": r,
            "expr": _math(g.nodes[n].expr, precision),
            **({"x": at[n][0], "y": at[n][1]} if at else {}),
        }
        for c, column in enumerate(columns)
        for r, n in enumerate(column)
    ]
    steps = [
        {
            "at": focus(s, g),
            "target": _math(s.target, precision),
            "formula": _math(s.formula, precision),
            "substitution": _math(s.substitution, precision),
            "closed": _math(s.closed_form, precision),
            "simplified": _math(simplified.get(s.closed_form) if s.closed_form else None, precision),
        }
        for s in sol.steps
    ]
    edges = [[i, node.name] for node in g.nodes.values() for i in node.inputs]
    return {
        "nodes": nodes,
        "edges": edges,
        "steps": steps,
        "given": given(sol),
        "loss": loss,
        "layout": "graphviz" if at else "built-in",
        "precision": precision,
        "tolerance": sol.problem.tolerance,  # the file's (rtol, atol): practice judges as check does
        "asked": asked_precision(sol),
    }


def asked_precision(sol: Solution) -> list[list[int | None] | None] | None:
    """Practice asks what the problem's assignment asks: per step, the precision its question
    requires ([min_digits, decimals]), null for a step no question asks; None without an assignment."""
    if not sol.problem.assignment:
        return None
    of = question_of(asked(sol, strict=False))
    return [[q.min_digits, q.decimals] if (q := of.get(s.id)) else None for s in sol.steps]


def given(sol: Solution) -> dict[str, dict[str, float]]:
    """The given leaves (inputs, targets, parameters as they stand) of each worked example, keyed
    "update|example" as the script looks them up ("t|null": an update's batch-level steps, which
    show its first example's)."""
    leaves = [n.name for n in sol.graph.nodes.values() if n.expr is None]
    out: dict[str, dict[str, float]] = {}
    for w in sol.worked:
        numbers = {n: float(w.values[n]) for n in leaves if n in w.values}
        out[f"{w.update}|{'null' if w.example is None else w.example}"] = numbers
        out.setdefault(f"{w.update}|null", numbers)
    return out


def _asset(name: str) -> str:
    """explore.css or one of its scripts, package data beside this module."""
    return files(__package__ or "backtutor.render.documents").joinpath(name).read_text(encoding="utf-8")


def packed(value: Any) -> str:
    """JSON, deflated (zlib) and in base64, which explore.js unpacks: the working's MathML and its
    repeated names shrink about 30-fold, so the largest working allowed stays a page of a few MB;
    base64 also keeps any `<` from closing the <script> element early."""
    text = json_dumps(value, separators=(",", ":"))
    return base64.b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii")


def render(sol: Solution, precision: int = 9) -> str:
    """The page: the graph beside the working, the step controls and the node details."""
    from ...text import html as escape

    title = escape(sol.problem.title or "backtutor")
    closed = closed_forms(sol, simplify=True)  # once, for both scripts: SymPy is the page's slowest part
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · explore</title>
<style>{_asset("explore.css")}</style>
</head><body>
<header><h1>{title}</h1>
<nav aria-label="Steps">
<button id="prev" type="button" aria-label="Previous step (left arrow)">←</button>
<span id="counter" aria-live="polite"></span>
<button id="next" type="button" aria-label="Next step (right arrow)">→</button>
<button id="practice" type="button" aria-pressed="false">Practice</button>
<span id="score" aria-live="polite"></span>
<label>Paths of <select id="path"><option value="">none</option></select></label>
</nav></header>
<main>
<section id="graph" aria-label="Computational graph">
<div id="zoom" role="group" aria-label="Zoom (or the wheel, a pinch, + and −; drag to pan)">
<button id="zoom-in" type="button" aria-label="Zoom in (+)">+</button>
<button id="zoom-out" type="button" aria-label="Zoom out (−)">−</button>
<button id="zoom-fit" type="button" aria-label="Fit the whole graph (0)">Fit</button></div>
</section>
<section id="side">
<div id="working" aria-live="polite"></div>
<div id="details" aria-live="polite"><p class="hint">Click a node (or Tab to it and press Enter)
to see its value, gradient and working. ← / → step through the working.</p></div>
<div id="run" hidden><h2>Training</h2>
<label><span id="run-unit">Epoch</span> <input type="range" id="epoch" min="0" max="0" value="0"></label>
<svg id="curve" viewBox="0 0 300 120" role="img" aria-label="Loss per epoch"></svg>
<p id="epoch-loss" aria-live="polite"></p><dl id="epoch-params"></dl></div>
</section>
</main>
<script type="application/zlib" id="solution">{packed(to_dict(sol, precision, closed=closed))}</script>
<script type="application/zlib" id="page">{packed(page_data(sol, precision, closed=closed))}</script>
<script type="module">{_asset("explore_view.js")}{_asset("explore.js")}</script>
</body></html>
"""
