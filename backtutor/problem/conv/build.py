"""What convolution on numbers builds as it goes: named expressions, the kernels' and weights'
values, and the current value between layers (a map of channels, or a flat vector)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ...cnn.errors import LayerError, Loc
from ...engine.expr import Expr
from ..arrays import Array, cell_name, parse_number, read_array
from ..schema import MAX_NODES
from .schema import DEFAULT_NAMES, Layer

Grid = list[list[str]]  # a channel: rows of cell names


@dataclass
class LayerOutput:
    """The current value: a map (channels of grids of names) or a vector of names."""

    maps: list[Grid] | None
    vector: list[str] | None

    def shape(self) -> tuple[int, ...]:
        if self.maps is not None:
            return (len(self.maps), len(self.maps[0]), len(self.maps[0][0]))
        assert self.vector is not None
        return (len(self.vector),)

    def all(self) -> list[str]:
        if self.maps is not None:
            return [c for grid in self.maps for row in grid for c in row]
        assert self.vector is not None
        return list(self.vector)


def out_names(base: str, channels: int, rows: int, cols: int) -> list[Grid]:
    """A layer's output cells: base_i_j, with a channel index first only when there are several."""
    return [
        [[cell_name(base, (c, i, j) if channels > 1 else (i, j)) for j in range(cols)] for i in range(rows)]
        for c in range(channels)
    ]


def _are(count: int, what: str) -> str:
    return f"is 1 {what}" if count == 1 else f"are {count} {what}s"


class Builder:
    def __init__(self) -> None:
        self.model: list[tuple[str, Expr]] = []
        self.parameters: dict[str, Fraction] = {}
        self.tensors: dict[str, tuple[str, ...]] = {}
        self.layers: list[tuple[str, ...]] = []
        self.names: list[str] = []  # per layer: its name (the base of its cells' names)
        self.texts: list[str] = []  # per layer: how to read its working ("" for none)
        self.arch: list[dict[str, Any]] = []  # the layers in `shapes` terms
        self.counts: dict[str, int] = {}

    def name(self, layer: Layer) -> str:
        """The layer's own name, or c, c2, … by kind (p for pooling, z for dense, a otherwise)."""
        if layer.name:
            self.names.append(layer.name)
            return layer.name
        base = DEFAULT_NAMES.get(layer.kind, "a")
        self.counts[base] = self.counts.get(base, 0) + 1
        self.names.append(base if self.counts[base] == 1 else f"{base}{self.counts[base]}")
        return self.names[-1]

    def layer(self, cells: list[str], text: str = "") -> None:
        self.layers.append(tuple(cells))
        self.texts.append(text)

    def add(self, name: str, expr: Expr, loc: Loc) -> None:
        self.model.append((name, expr))
        if len(self.model) > MAX_NODES:
            raise LayerError(loc, f"the layers make more than {MAX_NODES:,} values; use a smaller image")

    def param_array(self, array: Array) -> None:
        for index, value in array.values.items():
            self.parameters[array.cell(*index)] = value
        self.tensors[array.name] = tuple(array.cells())

    def bias(self, raw: dict[str, Any] | None, count: int, loc: Loc, per: str) -> list[str | None]:
        """Bias names, one per filter or unit: {b: 0.1} for one, {b: [0.1, 0.2]} for several."""
        if raw is None:
            return [None] * count
        ((name, value),) = raw.items()
        if isinstance(value, list):
            array = read_array(name, value, (*loc, name), (1,), "bias")
            if array.shape[0] != count:
                raise LayerError(
                    (*loc, name), f"bias '{name}' has {array.shape[0]} values but there {_are(count, per)}"
                )
            self.param_array(array)
            return [*array.cells()]
        if count != 1:
            raise LayerError(
                (*loc, name), f"there are {count} {per}s: give bias '{name}' as a list of {count} values"
            )
        self.parameters[name] = parse_number(value, (*loc, name), f"bias '{name}'")
        self.tensors[name] = (name,)
        return [name]
