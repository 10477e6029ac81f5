"""A convolutional network read back from a problem's named expressions, stage by stage, for the
matrix view (matrix_conv.py): each layer as a linear map (conv or dense: every output a sum of
weight × input, plus a bias), a pooling (max, or the mean of a window) or an activation, by name;
and the numbers of each stage forward and backward by NumPy on whole maps. A linear stage's weights
gradient is one product, im2col style: ∂L/∂w = X_cols · ∂L/∂out, where column i of X_cols holds the
inputs that output i multiplies by each weight; for a conv layer that is the correlation of the input
with the upstream gradient."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..engine.expr import Call, Expr, Num, Param, Sym
from ..problem.records import Problem
from .functions import apply, slope
from .layers import is_activation

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Array = NDArray[np.float64]

Term = tuple[str, int]  # (a weight's name, or "" in a pooling or activation; position in the inputs)


@dataclass(frozen=True)
class Stage:
    kind: str  # "linear", "maxpool", "avgpool" or an activation (relu, sigmoid, …)
    ins: tuple[str, ...]
    outs: tuple[str, ...]
    rows: tuple[tuple[Term, ...], ...]  # per output: what it sums, pools or applies f to
    biases: tuple[str | None, ...] = ()
    divisor: int = 1  # avgpool: the window's F·F (padding counts as 0)
    param: Param = None  # the activation's constant: leaky_relu's slope, a formula's function

    @property
    def weights(self) -> tuple[str, ...]:
        """A linear stage's distinct weights, in the order first used."""
        return tuple(dict.fromkeys(w for row in self.rows for w, _ in row))

    @property
    def shared(self) -> bool:
        """A weight used by several outputs: a convolution (a dense layer uses each weight once)."""
        return len(self.weights) < sum(len(row) for row in self.rows)

    def forward(self, x: Array, params: dict[str, float]) -> Array:
        import numpy as np

        if self.kind == "linear":
            w = np.array([params[n] for n in self.weights])
            b = np.array([params[n] if n else 0.0 for n in self.biases])
            return np.asarray(self.columns(x).T @ w + b, dtype=np.float64)
        windows = [x[[j for _, j in row]] for row in self.rows]
        if self.kind == "maxpool":
            return np.array([float(v.max()) for v in windows])
        if self.kind == "avgpool":
            return np.array([float(v.sum()) / self.divisor for v in windows])
        return np.array([apply(self.kind, float(v[0]), self.param) for v in windows])

    def columns(self, x: Array) -> Array:
        """X_cols: row w, column i the input that output i multiplies by weight w (summed if several)."""
        import numpy as np

        at = {w: r for r, w in enumerate(self.weights)}
        cols = np.zeros((len(self.weights), len(self.rows)))
        for i, row in enumerate(self.rows):
            for w, j in row:
                cols[at[w], i] += x[j]
        return cols

    def backward(self, x: Array, y: Array, g: Array, params: dict[str, float]) -> Array:
        """∂L/∂inputs from ∂L/∂outputs g (x the inputs, y the outputs)."""
        import numpy as np

        out = np.zeros(len(self.ins))
        for i, row in enumerate(self.rows):
            if self.kind == "linear":
                for w, j in row:
                    out[j] += g[i] * params[w]
            elif self.kind == "maxpool":  # to the first largest cell of the window
                j = next(j for _, j in row if x[j] == y[i])
                out[j] += g[i]
            elif self.kind == "avgpool":
                for _, j in row:
                    out[j] += g[i] / self.divisor
            else:
                ((_, j),) = row
                out[j] += g[i] * slope(self.kind, float(x[j]), self.param)
        return out


def network_stages(problem: Problem) -> tuple[Stage, ...] | None:
    """The problem's stages, or None when a layer is not one the view knows."""
    exprs, params = dict(problem.model), set(problem.parameters)
    previous, out = problem.inputs, []
    for names in problem.layers:
        stage = _stage([exprs.get(n) for n in names], names, previous, params)
        if stage is None:
            return None
        out.append(stage)
        previous = names
    return tuple(out) if out else None


def _stage(
    exprs: list[Expr | None], outs: tuple[str, ...], ins: tuple[str, ...], params: set[str]
) -> Stage | None:
    at = {n: i for i, n in enumerate(ins)}
    rows, biases, kinds, divisor, param = [], [], set(), 1, None
    for e in exprs:
        parsed = _row(e, at, params)
        if parsed is None:
            return None
        kind, row, bias, d = parsed
        kinds.add(kind)
        rows.append(row)
        biases.append(bias)
        divisor = d
        if isinstance(e, Call) and is_activation(e.op):
            if param is not None and e.param != param:
                return None  # one stage, one f: units with other slopes or formulas are not one map
            param = e.param
    if len(kinds) != 1:
        return None
    return Stage(kinds.pop(), ins, outs, tuple(rows), tuple(biases), divisor, param)


def _row(
    e: Expr | None, at: dict[str, int], params: set[str]
) -> tuple[str, tuple[Term, ...], str | None, int] | None:
    """One output's kind, terms, bias and divisor; None for anything else."""
    if not isinstance(e, Call):
        return None
    syms = [a.name for a in e.args if isinstance(a, Sym)]
    if is_activation(e.op) and e.op != "softmax" and len(syms) == len(e.args) == 1 and syms[0] in at:
        return e.op, (("", at[syms[0]]),), None, 1
    if e.op == "max" and len(syms) == len(e.args) and all(s in at for s in syms):
        return "maxpool", tuple(("", at[s]) for s in syms), None, 1
    if e.op == "div" and isinstance(e.args[1], Num) and isinstance(e.args[0], Call) and e.args[0].op == "add":
        cells = [a.name for a in e.args[0].args if isinstance(a, Sym) and a.name in at]
        if len(cells) == len(e.args[0].args):
            return "avgpool", tuple(("", at[s]) for s in cells), None, int(e.args[1].value)
        return None
    terms = e.args if e.op == "add" else (e,)
    row: list[Term] = []
    bias = None
    for t in terms:
        pair = [a.name for a in t.args if isinstance(a, Sym)] if isinstance(t, Call) and t.op == "mul" else []
        if len(pair) == 2 == len(t.args):  # type: ignore[union-attr]
            w, x = pair if pair[0] in params else pair[::-1]
            if w not in params or x not in at:
                return None
            row.append((w, at[x]))
        elif isinstance(t, Sym) and t.name in params and bias is None:
            bias = t.name
        else:
            return None
    return ("linear", tuple(row), bias, 1) if row else None


_INDEX = re.compile(r"^(.*?)((?:_\d+)+)$")


def maps(names: tuple[str, ...]) -> list[tuple[str, list[list[int]]]] | None:
    """Names as maps: cells base_i_j form one map, base_c_i_j one per leading index c (label `(c)`),
    each as the positions of its cells in `names`; None when they are not the cells of full maps."""
    found = [_INDEX.match(n) for n in names]
    idx = [tuple(int(i) for i in m.group(2)[1:].split("_")) if m else () for m in found]
    if not idx or any(len(i) < 2 or len(i) != len(idx[0]) for i in idx):
        return None
    groups: dict[tuple[int, ...], dict[tuple[int, int], int]] = {}
    for p, i in enumerate(idx):
        groups.setdefault(i[:-2], {})[(i[-2], i[-1])] = p
    out = []
    for lead, cells in groups.items():
        h, w = max(r for r, _ in cells), max(c for _, c in cells)
        if len(cells) != h * w:
            return None
        label = "(" + ",".join(map(str, lead)) + ")" if lead else ""
        out.append((label, [[cells[(r, c)] for c in range(1, w + 1)] for r in range(1, h + 1)]))
    return out


def shaped(names: tuple[str, ...], values: Array) -> list[tuple[str, Array]]:
    """The values of `names` as their maps (label, matrix), or as one vector when they are not maps."""
    import numpy as np

    found = maps(names)
    if found is None:
        return [("", np.asarray(values, dtype=np.float64))]
    return [(label, np.array([[values[p] for p in row] for row in cells])) for label, cells in found]


def base(names: tuple[str, ...]) -> str:
    """The name of a layer's outputs: c for c_1_1 …, z for z."""
    m = _INDEX.match(names[0])
    return m.group(1) if m and (len(names) > 1 or maps(names)) else names[0]
