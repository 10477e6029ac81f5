"""The nested lists of numbers a convolution file writes (image, kernels, weights, biases), checked
and with a name for every entry: a matrix `x` has cells x_1_1 … (row, column, 1-based), a C×H×W
array x_1_1_1 … (channel first)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..cnn.errors import LayerError, Loc
from .fields import number

MAX_CELLS = 4_096  # numbers in one array
_WRITTEN = {1: "a list of numbers", 2: "a matrix", 3: "a list of matrices", 4: "a list of lists of matrices"}


def cell_name(base: str, index: tuple[int, ...]) -> str:
    return base + "".join(f"_{i + 1}" for i in index)


def parse_number(value: Any, loc: Loc, what: str) -> Fraction:
    try:
        return number(value)
    except ValueError as e:
        raise LayerError(loc, f"{what}: {e}") from None


@dataclass(frozen=True)
class Array:
    """A nested list of numbers from the file, with a name for each entry."""

    name: str
    shape: tuple[int, ...]
    values: dict[tuple[int, ...], Fraction]

    def cell(self, *index: int) -> str:
        return cell_name(self.name, index)

    def cells(self) -> list[str]:
        return [self.cell(*i) for i in self.values]


def read_array(name: str, raw: Any, loc: Loc, ranks: tuple[int, ...], what: str) -> Array:
    """Check that `raw` is a rectangular nested list of numbers of one of the allowed ranks."""
    shape: list[int] = []
    probe = raw
    while isinstance(probe, list):
        if not probe:
            raise LayerError(loc, f"{what} '{name}' has an empty list")
        shape.append(len(probe))
        probe = probe[0]
    if len(shape) not in ranks:
        allowed = " or ".join(_WRITTEN[r] for r in ranks)
        raise LayerError(loc, f"{what} '{name}' should be {allowed}")
    count = 1
    for d in shape:
        count *= d
    if count > MAX_CELLS:
        raise LayerError(loc, f"{what} '{name}' has {count:,} numbers; at most {MAX_CELLS:,}")
    values: dict[tuple[int, ...], Fraction] = {}

    def walk(x: Any, index: tuple[int, ...]) -> None:
        depth = len(index)
        if depth == len(shape):
            values[index] = parse_number(x, (*loc, *index), f"{what} '{name}'")
            return
        if not isinstance(x, list) or len(x) != shape[depth]:
            raise LayerError(
                (*loc, *index),
                f"{what} '{name}' is not rectangular: this "
                + ("row" if depth == len(shape) - 1 else "entry")
                + f" should be a list of {shape[depth]}, like the first one",
            )
        for i, item in enumerate(x):
            walk(item, (*index, i))

    walk(raw, ())
    return Array(name, tuple(shape), values)
