"""Dropout on a layer's outputs, `dropout: {rate: p, mask: […]}` or `{rate: p, seed: N}`, checked and
made into data: each unit's mask is an input of the model (`mask_h1`, one 0 or 1 per example, so every
example may drop other units), and the next layer reads `drop_h1 = mask_h1·out_h1/(1 − p)` (inverted
dropout: a kept unit is scaled by 1/(1 − p) during training). The mask is thus an ordinary factor of
the graph: the forward pass shows the dropped values as 0, the chain rule shows the mask factor in
∂drop_h1/∂out_h1, and the sweep, the compiled code, `template` and `check` need nothing of their own.

A seed draws the mask as `numpy.random.default_rng(seed).random((examples, units)) >= p` (1: kept);
the note beside the working says so without the name (a `_` there would be set as a subscript).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..engine.notation import format_number
from .checker import SpecReader
from .fields import number
from .network import dropout_names
from .schema import DropoutFile, ProblemFile

MAX_LISTED = 8  # examples whose mask the note lists
MAX_MASK_VALUES = 200_000  # examples × units with dropout: a seed could otherwise ask for any number
_BITS = (Fraction(0), Fraction(1))


@dataclass(frozen=True)
class LayerDropout:
    """A layer's dropout: its rate and one mask (a 0 or 1 per unit) per example."""

    rate: Fraction
    masks: tuple[tuple[int, ...], ...]
    note: str  # what the working says of it: the rate, the scale and the masks


def dropout_of(c: SpecReader, li: int, units: list[str]) -> LayerDropout | None:
    """Layer `li`'s dropout over its `units`, checked (None without one)."""
    s = c.spec
    assert s.network is not None
    d = s.network[li].dropout
    if d is None:
        return None
    where = ("network", li, "dropout")
    if li == len(s.network) - 1:
        raise c.fail(
            where, "dropout goes on a hidden layer (its outputs feed the next layer), not the output layer"
        )
    if not 0 <= d.rate < 1:
        raise c.fail((*where, "rate"), f"rate must be in [0, 1), got {format_number(d.rate)}")
    if not s.data:
        raise c.fail(("data",), "the data set is empty; dropout's mask is per example, so give the examples")
    _names_free(c, units)
    values = len(s.data) * sum(len(layer.units) for layer in s.network if layer.dropout)
    if values > MAX_MASK_VALUES:
        raise c.fail(
            where,
            f"too many mask values: {len(s.data):,} examples × the units with dropout make {values:,} "
            f"(at most {MAX_MASK_VALUES:,})",
        )
    if d.mask is not None and d.seed is not None:
        raise c.fail((*where, "seed"), "give the mask or a seed to draw it, not both")
    if d.mask is None and d.seed is None:
        raise c.fail(where, "give the mask (one 0 or 1 per unit, e.g. mask: [1, 0]) or a seed to draw it")
    masks = _drawn(d, len(s.data), len(units)) if d.seed is not None else _given(c, li, d, units)
    return LayerDropout(d.rate, masks, _note(li, units, d, masks))


def _names_free(c: SpecReader, units: list[str]) -> None:
    """The names dropout gives its nodes must be new: a `mask_h1` the file writes itself would
    otherwise be silently replaced by the layer's mask."""
    s = c.spec
    used: dict[str, tuple[Any, ...]] = {}  # each name the file uses ↦ where it first does
    for i, ex in reversed(list(enumerate(s.data))):
        used.update({n: ("data", i, n) for n in ex})
    used.update({n: ("parameters", n) for n in s.parameters})
    used.update({n: ("inputs",) for n in s.inputs})
    for unit in units:
        mask, dropped = dropout_names(unit)
        for name, what in ((mask, "mask"), (dropped, "output after dropout")):
            if name in used:
                raise c.fail(
                    used[name],
                    f"{name} is the name dropout gives unit {unit}'s {what}; give the mask in the "
                    "layer's dropout option and rename this one",
                )


def _drawn(d: DropoutFile, examples: int, units: int) -> tuple[tuple[int, ...], ...]:
    import numpy as np

    kept = np.random.default_rng(d.seed).random((examples, units)) >= float(d.rate)
    return tuple(tuple(int(k) for k in row) for row in kept)


def _given(c: SpecReader, li: int, d: DropoutFile, units: list[str]) -> tuple[tuple[int, ...], ...]:
    """The file's mask: one list for every example, or one list per example."""
    assert d.mask is not None and c.spec.network is not None
    where = ("network", li, "dropout", "mask")
    examples = len(c.spec.data)
    nested = [isinstance(m, list) for m in d.mask]
    if any(nested) and not all(nested):
        raise c.fail(
            where, "give one list of 0s and 1s (for every example) or a list of such lists, one per example"
        )
    if not all(nested):
        return (_one(c, where, d.mask, units, ""),) * examples
    if len(d.mask) != examples:
        raise c.fail(
            where,
            f"the mask has {len(d.mask)} lists but the data has {examples} "
            + ("example" if examples == 1 else "examples")
            + "; give one list per example (or one list for every example)",
        )
    return tuple(_one(c, (*where, i), m, units, f"example {i + 1}'s ") for i, m in enumerate(d.mask))


def _one(
    c: SpecReader, where: tuple[Any, ...], mask: list[Any], units: list[str], whose: str
) -> tuple[int, ...]:
    if len(mask) != len(units):
        raise c.fail(
            where,
            f"{whose}mask has {len(mask)} values but the layer has {len(units)} units ({', '.join(units)}); "
            "give one 0 (dropped) or 1 (kept) per unit, in order",
        )
    out = []
    for k, v in enumerate(mask):
        try:
            value = number(v)
        except ValueError:
            value = None
        if value not in (0, 1):
            raise c.fail((*where, k), f"a mask value is 0 (dropped) or 1 (kept), got {v!r}")
        out.append(int(value))
    return tuple(out)


def _note(li: int, units: list[str], d: DropoutFile, masks: tuple[tuple[int, ...], ...]) -> str:
    p = format_number(d.rate)
    scale = format_number(1 / (1 - d.rate))
    listed = [f"[{', '.join(map(str, m))}]" for m in masks[:MAX_LISTED]]
    if len(set(masks)) == 1:
        shown = f"mask {listed[0]}" + (" for every example" if len(masks) > 1 else "")
    else:
        shown = "masks " + ", ".join(f"example {i} {m}" for i, m in enumerate(listed, 1))
        shown += f", … ({len(masks)} examples)" if len(masks) > MAX_LISTED else ""
    if d.seed is not None:
        drawn = f"random(({len(masks)}, {len(units)})) ≥ {p}"
        shown += f" (drawn from seed {d.seed} by NumPy's default generator: 1 where {drawn})"
    return (
        f"dropout on layer {li + 1} ({', '.join(units)}): {shown}; a kept unit's output is scaled by "
        f"1/(1 − {p}) = {scale}, a dropped one's is 0 and so is its gradient"
    )


def masked(spec: ProblemFile, layers: list[tuple[list[str], LayerDropout | None]]) -> ProblemFile:
    """The spec with each mask an input, its values in every example (unchanged without dropout)."""
    names: list[str] = []
    data = [dict(ex) for ex in spec.data]
    for units, d in layers:
        if d is None:
            continue
        for k, unit in enumerate(units):
            mask, _ = dropout_names(unit)
            names.append(mask)
            for ex, m in zip(data, d.masks, strict=True):
                ex[mask] = _BITS[m[k]]
    if not names:
        return spec
    return spec.model_copy(update={"inputs": [*spec.inputs, *names], "data": data})
