"""Which engine works a file, from its raw data before any schema: the array engine for a
convolutional network on one image (`architecture` with `init`), for what only it reads (an `init`,
a layer's `size`, `data` as arrays) and for a network of matrices too large to work by hand; the
scalar engine otherwise. Kept apart from the array engine's schemas so that the scalar path (every
bundled exercise) does not build them: deciding is a few dictionary lookups."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import limits
from .files import FileError


def is_conv_arrays_file(raw: Any) -> bool:
    """A convolutional network the array engine works on one image (lenet5_image.yaml)."""
    return isinstance(raw, dict) and "architecture" in raw and "init" in raw


def is_array_file(raw: Any) -> bool:
    """The file uses what only the array engine reads: an `init`, a layer's `size`, `data` as arrays."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("network"), list):
        return False
    sized = any(isinstance(layer, Mapping) and "size" in layer for layer in raw["network"])
    return "init" in raw or sized or isinstance(raw.get("data"), Mapping)


def by_hand(raw: Any) -> bool:
    """A network of matrices `W` small enough to work number by number (limits.BY_HAND weights)."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("network"), list):
        return True
    cells = 0
    for layer in raw["network"]:
        W = layer.get("W") if isinstance(layer, Mapping) else None
        if not isinstance(W, list):
            return True  # units by name: the scalar engine's
        cells += sum(len(row) for row in W if isinstance(row, list))
    return cells <= limits.BY_HAND


def engine_for(name: str, raw: Any, engine: str) -> str:
    """Which engine works a file: "arrays" or "scalar". `engine` is the user's choice: "auto" takes
    the array engine for what only it reads and for a network of matrices too large to work by hand."""
    if engine == "scalar" and is_array_file(raw):
        raise FileError(
            name, "this network's init, sizes or array data are read by the array engine only (--engine auto)"
        )
    if engine == "arrays" and not _matrices(raw):
        raise FileError(
            name, "the array engine works a network of matrix layers (W or size); this file has none"
        )
    if engine == "auto":
        return "arrays" if is_array_file(raw) or (_matrices(raw) and not by_hand(raw)) else "scalar"
    return engine


def worked_by_arrays(name: str, raw: Any) -> bool:
    """`solve` works the file with the array engine (--engine auto): a convolutional network on an
    image, a matrix network with an init, sizes or array data, or one too large to work by hand."""
    return is_conv_arrays_file(raw) or engine_for(name, raw, "auto") == "arrays"


def _matrices(raw: Any) -> bool:
    layers = raw.get("network") if isinstance(raw, Mapping) else None
    return isinstance(layers, list) and all(
        isinstance(layer, Mapping) and ("W" in layer or "size" in layer) for layer in layers
    )
