"""Matrix and vector answers: `dE/dW1: [[…], […]]`, `delta2: […]`, `W1+: [[…]]` in a sheet, for the
quantities of the matrix view (solution/matrix_view.py), each element graded as the scalar step it
is (dE/dW1[1,2] is dE/dW1_12 in the problem's naming), so tolerance, carried-forward and slips are
the scalars' own.

The quantities, per layer n of a layered network: z{n}, a{n}, d{loss}/da{n}, delta{n} (∂loss/∂z),
d{loss}/dW{n}, d{loss}/db{n}, and after an update W{n}+ and b{n}+; each with the scalar ids' `[k]`
and `@t` suffixes. Of a convolution on numbers: each map as the matrix view names it (c(1), p), with
a loss ∂loss/∂(map) and ∂loss/∂(kernel), element [i,j] the map's cell _i_j.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence

from ..engine.expr import names
from ..matrix.layers import Layer, network_layers
from ..matrix.penalty import penalty_of
from ..matrix.stages import base, maps, network_stages
from ..solution import Solution
from .names import NameMap

Grid = tuple[tuple[str | None, ...], ...]  # element ids (None: no such step), one row per unit
_SUFFIX = re.compile(r"(\[\d+\])?(@\d+)?$")


class MatrixIds:
    """A Solution's matrix quantities and the scalar step of each element."""

    def __init__(self, sol: Solution, known: set[str]) -> None:
        self.grids: dict[str, tuple[Grid, bool]] = {}  # id with suffix ↦ (elements, is a matrix)
        layers = network_layers(sol.problem)
        suffixes = sorted({m.group(0) for i in known if (m := _SUFFIX.search(i))})
        if layers is not None:
            self._layers(sol, layers, known, suffixes)
        elif sol.problem.layers:
            self._maps(sol, known, suffixes)
        self.names = NameMap({p for i in self.grids for p in _parts(i)})

    def _layers(self, sol: Solution, layers: tuple[Layer, ...], known: set[str], suffixes: list[str]) -> None:
        """A layered network's vectors and matrices, layer by layer."""
        loss = sol.graph.loss
        penalty = penalty_of(sol.problem)
        penalised = set(names(penalty.formula)) if penalty else set()
        uses = Counter(
            x for layer in layers for x in (*layer.biases, *(w for row in layer.weights for w in row))
        )
        for n, layer in enumerate(layers, 1):
            grad_b = [
                _bias(b, z, loss, uses, penalised) for b, z in zip(layer.biases, layer.nets, strict=True)
            ]
            columns: dict[str, Sequence[str | None]] = {
                f"z{n}": layer.nets,
                f"a{n}": layer.outs,
                f"d{loss}/da{n}": [f"d{loss}/d{o}" for o in layer.outs],
                f"delta{n}": [f"d{loss}/d{z}" for z in layer.nets],
                f"d{loss}/db{n}": grad_b,
                f"b{n}+": [f"{b}+" if b else None for b in layer.biases],
                f"drop{n}": layer.dropped,  # the outputs after dropout, when the layer has it
            }
            matrices: dict[str, Sequence[Sequence[str | None]]] = {
                f"d{loss}/dW{n}": [
                    [f"d{loss}/d{w}" if uses[w] == 1 else None for w in row] for row in layer.weights
                ],
                f"W{n}+": [[f"{w}+" for w in row] for row in layer.weights],
            }
            for s in suffixes:
                for key, column in columns.items():
                    self._add(key + s, [[_id(e, s, known)] for e in column], False)
                for key, rows in matrices.items():
                    self._add(key + s, [[_id(e, s, known) for e in row] for row in rows], True)

    def _maps(self, sol: Solution, known: set[str], suffixes: list[str]) -> None:
        """Convolution on numbers: each stage's maps as the matrix view names them (c(1), p for a
        layer of one map) and, with a loss, ∂loss/∂(each map) and ∂loss/∂(each kernel); element
        [i,j] is the step of the map's cell _i_j."""
        loss = sol.graph.loss
        for stage in network_stages(sol.problem) or ():
            kernels = maps(stage.weights) if stage.kind == "linear" and stage.shared else None
            grids = [
                (base(stage.outs) + label, stage.outs, cells, True) for label, cells in maps(stage.outs) or ()
            ]
            grids += [
                (base(stage.weights) + label, stage.weights, cells, False) for label, cells in kernels or ()
            ]
            for key, cell_names, cells, forward in grids:
                rows = [[cell_names[p] for p in row] for row in cells]
                for s in suffixes:
                    if forward:
                        self._add(key + s, [[_id(c, s, known) for c in row] for row in rows], True)
                    gradient = [[_id(f"d{loss}/d{c}", s, known) for c in row] for row in rows]
                    self._add(f"d{loss}/d{key}{s}", gradient, True)

    def _add(self, key: str, grid: list[list[str | None]], matrix: bool) -> None:
        if any(e for row in grid for e in row):
            self.grids[key] = (tuple(tuple(row) for row in grid), matrix)


def _bias(b: str | None, net: str, loss: str, uses: Counter[str | None], penalised: set[str]) -> str | None:
    """The step of an entry of ∂loss/∂b: its bias's gradient; for a bias several units share (one
    gradient, their sum), the unit's δ, which is its part unless a penalty adds to the first."""
    if b is None or (uses[b] > 1 and b in penalised):
        return None
    return f"d{loss}/d{b if uses[b] == 1 else net}"


def _id(element: str | None, suffix: str, known: set[str]) -> str | None:
    return element + suffix if element is not None and element + suffix in known else None


def _parts(key: str) -> Iterator[str]:
    """The names in a matrix id (W1 and the loss in dE/dW1@2), for resolving a student's spelling."""
    base = _SUFFIX.sub("", key).removesuffix("+")
    yield from (p[1:] for p in base.split("/")) if "/" in base else (base,)


def shape_text(grid: Grid, matrix: bool) -> str:
    rows, cols = len(grid), len(grid[0])
    return f"a {rows}×{cols} matrix" if matrix else f"a vector of {rows}"


def label(key: str, i: int, j: int, matrix: bool) -> str:
    """An element as a student writes it: dE/dW1[2,1], delta2[1] (1-based)."""
    base = _SUFFIX.sub("", key)
    suffix = key[len(base) :]
    plus = "+" if base.endswith("+") else ""
    base = base.removesuffix("+")
    index = f"[{i + 1},{j + 1}]" if matrix else f"[{i + 1}]"
    return f"{base}{index}{plus}{suffix}"


def elements(written: list[object], grid: Grid, matrix: bool) -> Iterator[tuple[int, int, object]] | None:
    """(row, column, element as written) of an answer of the grid's shape, or None when its shape is
    another. A vector may be written flat ([1, 2]) or as a column ([[1], [2]])."""
    rows, cols = len(grid), len(grid[0])
    if len(written) != rows:
        return None
    if not matrix and not any(isinstance(x, list) for x in written):
        return ((i, 0, x) for i, x in enumerate(written))
    if not all(isinstance(row, list) and len(row) == cols for row in written):
        return None
    return ((i, j, x) for i, row in enumerate(written) if isinstance(row, list) for j, x in enumerate(row))


def written_shape(written: list[object]) -> str:
    """What a student wrote, as a shape: a vector of 3, a 2×2 matrix, rows of 2 and 3 numbers."""
    if not any(isinstance(x, list) for x in written):
        return f"a vector of {len(written)}"
    lengths = [len(x) if isinstance(x, list) else 1 for x in written]
    if len(set(lengths)) == 1:
        return f"a {len(written)}×{lengths[0]} matrix"
    return "rows of " + ", ".join(map(str, lengths)) + " numbers"
