"""A `network` whose layers are given as matrices, `W: [[…]]` (one row per unit) and `b: […]`, written
out as the same network of named units, so that every id, `--only` and `check` work as for scalars.

Names, as textbooks write them (the file's `naming.elements`): layer l's weight in row i, column j is
`W{l}_{i}{j}` (plain, W1_12; W1_10_2 once a row or column number has two digits) or `W⁽ˡ⁾ᵢⱼ`
(superscript); its bias for unit i is `b{l}_{i}` or `b⁽ˡ⁾ᵢ`; unit i of layer l is `{l}_{i}` or `⁽ˡ⁾ᵢ`
(so `net_{unit}` makes net_1_2 or net_⁽¹⁾₂). A vector input `x` of n values is x_1 … x_n, and a
matrix output layer's targets are t_1 … t_n (the data's vectors, see schema.flat_vectors).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .arrays import MAX_CELLS
from .checker import SpecReader
from .schema import LayerFile, ProblemFile, UnitFile

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def element(letter: str, layer: int, index: tuple[int, ...], superscript: bool) -> str:
    """The name of a matrix element: element("W", 1, (1, 2), False) = "W1_12" ("W⁽¹⁾₁₂" superscript)."""
    joint = "" if all(i < 10 for i in index) else "_"
    if superscript:
        return f"{letter}⁽{str(layer).translate(_SUP)}⁾" + joint.join(str(i).translate(_SUB) for i in index)
    return f"{letter}{layer}_" + joint.join(str(i) for i in index)


def unit_name(layer: int, row: int, superscript: bool) -> str:
    return f"⁽{str(layer).translate(_SUP)}⁾{str(row).translate(_SUB)}" if superscript else f"{layer}_{row}"


def expand(c: SpecReader) -> ProblemFile:
    """The spec with every matrix layer written as units and parameters (unchanged without any);
    a shape that does not fit is an error naming the layer and both shapes."""
    s = c.spec
    assert s.network is not None
    for li, layer in enumerate(s.network):
        if layer.W is None and (layer.b is not None or not layer.units):
            key = "b" if layer.b is not None else "units"
            raise c.fail(
                ("network", li, key), f"layer {li + 1} needs its 'units' or its matrix 'W' (with 'b')"
            )
    if all(layer.W is None for layer in s.network):
        return s
    superscript = s.naming.elements == "superscript"
    inputs = _inputs(c)
    layers: list[LayerFile] = []
    parameters: dict[str, Fraction] = {}
    size = len(inputs)
    for li, layer in enumerate(s.network):
        if layer.W is None:
            layers.append(layer)
            size = len(layer.units)
            continue
        units = _units(c, li, layer, size, superscript, parameters)
        layers.append(layer.model_copy(update={"units": units, "W": None, "b": None}))
        size = len(units)
    update: dict[str, Any] = {
        "network": layers,
        "inputs": inputs,
        "parameters": {**parameters, **s.parameters},
    }
    last = s.network[-1]
    if last.W is not None and not s.targets:
        update["targets"] = {unit: f"t_{i}" for i, unit in enumerate(layers[-1].units, 1)}
    return s.model_copy(update=update)


def _inputs(c: SpecReader) -> list[str]:
    """The inputs, one per column of the first layer: a single name x of a vector stands for x_1 … x_n."""
    s = c.spec
    assert s.network is not None
    first = s.network[0].W
    if first is None or not first or len(s.inputs) != 1 or len(first[0]) == 1:
        return list(s.inputs)
    return [f"{s.inputs[0]}_{j}" for j in range(1, len(first[0]) + 1)]


def _units(
    c: SpecReader, li: int, layer: LayerFile, size: int, superscript: bool, parameters: dict[str, Fraction]
) -> dict[str, UnitFile]:
    """Layer `li`'s rows as units of `size` weights each, their values added to `parameters`."""
    W, b, n = layer.W or [], layer.b, li + 1
    loc = ("network", li)
    if layer.units:
        raise c.fail((*loc, "units"), f"layer {n}: give either 'units' or the matrix 'W', not both")
    if not W or sum(len(row) for row in W) > MAX_CELLS:
        raise c.fail((*loc, "W"), f"layer {n}: W needs between 1 and {MAX_CELLS:,} numbers")
    for i, row in enumerate(W):
        if len(row) != len(W[0]):
            raise c.fail(
                (*loc, "W", i),
                f"layer {n}: W's row {i + 1} has {_numbers(len(row))} but row 1 has {len(W[0])}; "
                "every row (one per unit) has one number per input of the layer",
            )
    shape = f"{len(W)}×{len(W[0])}"
    if len(W[0]) != size:
        before = "inputs" if li == 0 else f"units in layer {li}"
        raise c.fail(
            (*loc, "W"),
            f"layer {n}: W is {shape} but there are {size} {before}, so W must be {len(W)}×{size} "
            "(one row per unit, one column per input of the layer)",
        )
    if b is not None and len(b) != len(W):
        raise c.fail((*loc, "b"), f"layer {n}: b has {_numbers(len(b))} but W is {shape}; b needs {len(W)}")
    units: dict[str, UnitFile] = {}
    for i, row in enumerate(W, 1):
        weights = [element("W", n, (i, j), superscript) for j in range(1, len(row) + 1)]
        parameters.update(zip(weights, row, strict=True))
        bias = element("b", n, (i,), superscript) if b is not None else None
        if bias is not None and b is not None:
            parameters[bias] = b[i - 1]
        units[unit_name(n, i, superscript)] = UnitFile.model_construct(weights=weights, bias=bias)
    return units


def _numbers(n: int) -> str:
    return f"{n} number" + ("" if n == 1 else "s")
