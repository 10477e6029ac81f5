"""Documents against golden files for their layout only, and every number they show against an oracle.

The golden files under tests/golden/ hold a document with each number replaced by `#`: they pin
headings, formulas and line breaks, never a value. To regenerate them after an intended layout
change, run `BACKTUTOR_REGEN_GOLDEN=1 python -m pytest tests/test_golden.py` and review the diff.

The numbers are checked against `WorkingOracle`: the quantities of the first update's working (node
values, every ∂loss/∂node, every local derivative, the batch sums and the updated parameters)
computed with SymPy from the problem's own definitions (tests/oracle.py), sharing nothing with
backtutor's differentiation; and, for a long run, against a training loop written here.
"""

from __future__ import annotations

import bisect
import math
import os
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp

import backtutor
from backtutor.render.documents import html, markdown
from backtutor.render.documents import latex as latex_doc
from backtutor.solution import Solution

from .conftest import PROBLEMS
from .oracle import DIGITS, FirstUpdate, to_sympy
from .test_reference import Q4_TABLE

GOLDEN = Path(__file__).parent / "golden"
NUMBER = re.compile(r"(?<![\w{,^.\\])\d+(?:\.\d+)?(?:e[-+]\d+)?")


def solved(name: str, **options: object) -> Solution:
    return backtutor.solve(PROBLEMS / f"{name}.yaml", **options)


def layout(doc: str) -> str:
    """The document with every number (not the digits of names such as w_{5} or x_{1,1}) as `#`."""
    return NUMBER.sub("#", doc)


@pytest.mark.parametrize("name", ["q4", "chain_fw"])
@pytest.mark.parametrize("kind", ["md", "tex"])
def test_golden_layout(name: str, kind: str) -> None:
    doc = layout(markdown.render(solved(name)) if kind == "md" else latex_doc.render(solved(name)))
    path = GOLDEN / f"{name}.{kind}"
    if os.environ.get("BACKTUTOR_REGEN_GOLDEN"):
        path.write_text(doc, encoding="utf-8")
    assert doc == path.read_text(encoding="utf-8"), f"{path.name} changed; see this module's docstring"
    assert not re.search(r"\d\.\d", path.read_text(encoding="utf-8")), "a golden file holds no value"


# ---- the oracle ---------------------------------------------------------------------------------
class WorkingOracle:
    """Every number the first update's working may show, computed with SymPy (40 digits)."""

    def __init__(self, sol: Solution) -> None:
        self.sol, g, p = sol, sol.graph, sol.problem
        self.symbol = {n: sp.Symbol(n) for n in g.nodes}
        leaf = self.symbol.__getitem__
        self.define = {n: to_sympy(node.expr, leaf) for n, node in g.nodes.items() if node.expr}
        values: list[float] = [float(v) for v in p.parameters.values()]
        values += [float(v) for row in p.data for v in row.values()]
        losses, grads = [], []
        for _, leaves in FirstUpdate(sol).examples():
            at = self.node_values(leaves)
            gradient = {n: self.at(self.gradient(n), at) for n in g.order}
            values += [*at.values(), *gradient.values(), *self.locals(at)]
            losses.append(at[g.loss])
            grads.append(gradient)
        mean = p.reduction == "mean"
        values.append(_reduce(losses, mean))
        batch = {n: _reduce([gr[n] for gr in grads], mean) for n in g.wrt}
        values += batch.values()
        if p.training:
            lr = float(p.training.learning_rate)
            values += [lr, *(float(p.parameters[n]) - lr * batch[n] for n in g.trainable)]
        self.values = sorted(abs(v) for v in values)

    def node_values(self, leaves: dict[str, Fraction]) -> dict[str, float]:
        at: dict[str, float] = {n: float(v) for n, v in leaves.items()}
        for n, e in self.define.items():
            at[n] = self.at(e, at)
        return at

    def at(self, e: sp.Expr, point: dict[str, float]) -> float:
        subs = {self.symbol[n]: sp.Float(v, DIGITS) for n, v in point.items() if n in self.symbol}
        return float(sp.N(e.xreplace(subs), DIGITS))

    def expanded(self, stop: str | None = None) -> sp.Expr:
        """The loss written out down to the leaves, or down to node `stop`, which stays a symbol."""
        memo: dict[str, sp.Expr] = {}

        def full(n: str) -> sp.Expr:
            if n == stop or n not in self.define:
                return self.symbol[n]
            if n not in memo:
                memo[n] = to_sympy(self.sol.graph.nodes[n].expr, full)  # type: ignore[arg-type]
            return memo[n]

        return full(self.sol.graph.loss)

    def gradient(self, node: str) -> sp.Expr:
        """∂loss/∂node by sympy.diff."""
        return sp.diff(self.expanded(node), self.symbol[node])

    def locals(self, at: dict[str, float]) -> Iterable[float]:
        for c, e in self.define.items():
            for n in self.sol.graph.nodes[c].inputs:
                yield self.at(sp.diff(e, self.symbol[n]), at)

    def shows(self, token: str) -> bool:
        """Whether a printed number (digits as written) is one of the oracle's, to its last digit."""
        d = Decimal(token)
        half = 0.5 * 10.0 ** int(d.as_tuple().exponent)
        v = float(d)
        i = bisect.bisect_left(self.values, v - half * 1.001)
        return i < len(self.values) and self.values[i] <= v + half * 1.001


def _reduce(values: list[float], mean: bool) -> float:
    return math.fsum(values) / (len(values) if mean else 1)


def numbers(doc: str) -> list[str]:
    """Numbers printed in a document; a \\times 10^{-5} read back as 1.5e-05."""
    doc = doc.split(r"\begin{document}")[-1].replace("−", "-")
    doc = re.sub(r"(\d(?:\.\d+)?) \\times 10\^\{(-?\d+)\}", lambda m: f"{m[1]}e{int(m[2]):+03d}", doc)
    power = r"<mn>(\d(?:\.\d+)?)</mn><mo>×</mo><msup><mn>10</mn><mrow><mo>-</mo><mn>(\d+)</mn>"
    doc = re.sub(power, r"\1e-\2", doc)
    doc = re.sub(r"\\\\\[[^\]]*\]", "", doc)  # LaTeX row spacing, \\[1.2ex]
    doc = re.sub(r"<msub>(<mi>[^<]*</mi>|<mover.*?</mover>).*?</msub>", r"\1", doc)  # MathML: w₄ is a name
    doc = re.sub(r"<[^>]*>", " ", doc.split("</style>")[-1])  # HTML: the text, not tags and styles
    return NUMBER.findall(doc)


def _check(doc: str, oracle: WorkingOracle, counters: int) -> None:
    for token in numbers(doc):
        if "." in token or "e" in token or int(token) > counters:
            assert oracle.shows(token), f"{token} is no number of the working"


RENDERERS: dict[str, Callable[..., str]] = {
    "markdown": markdown.render,
    "latex": latex_doc.render,
    "html": html.render,
}


@pytest.mark.parametrize("name", ["q4", "chain_fw", "relu_regression"])
@pytest.mark.parametrize("precision", [9, 4])
def test_every_number_of_a_document_is_the_oracles(name: str, precision: int) -> None:
    sol = solved(name, shown=[1])
    oracle = WorkingOracle(sol)
    steps = [s for s in sol.steps if s.update == 1]
    for render in RENDERERS.values():
        _check(render(sol, precision, steps), oracle, counters=len(sol.problem.data) + 2)


@pytest.mark.parametrize("render", RENDERERS.values(), ids=RENDERERS.keys())
def test_the_q4_key_shows_the_published_numbers(render: Callable[..., str]) -> None:
    """Each published figure is printed, to the digits of the coarser of the two."""
    shown = [Decimal(t) for t in numbers(render(solved("q4")))]
    for step_id, published in Q4_TABLE.items():
        figure = Decimal(published)
        assert any(abs(d - figure) <= _half_unit(d, figure) for d in shown), (step_id, published)


def _half_unit(*printed: Decimal) -> Decimal:
    return Decimal(10) ** max(int(d.as_tuple().exponent) for d in printed) / 2


def test_a_long_run_shows_the_loss_and_parameters_of_an_independent_training_loop() -> None:
    sol = solved("q4", epochs=30, shown=[1])
    g = sol.graph
    oracle = WorkingOracle(sol)
    full = oracle.expanded().subs({oracle.symbol[n]: float(v) for n, v in sol.problem.data[0].items()})
    symbols = [oracle.symbol[n] for n in g.params]
    f_loss = sp.lambdify(symbols, full, "math")
    f_grad = [sp.lambdify(symbols, sp.diff(full, s), "math") for s in symbols]
    params = [float(sol.problem.parameters[n]) for n in g.params]
    lr = float(sol.problem.training.learning_rate)  # type: ignore[union-attr]
    extra = [f_loss(*params)]
    for _ in range(30):
        grads = [f(*params) for f in f_grad]
        steps = zip(g.params, params, grads, strict=True)
        params = [p - lr * d if n in g.trainable else p for n, p, d in steps]
        extra += [f_loss(*params), *params]
    oracle.values = sorted([*oracle.values, *map(abs, extra)])
    for render in RENDERERS.values():
        _check(render(sol, 6), oracle, counters=30)
