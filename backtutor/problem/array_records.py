"""What `load_arrays` returns: a matrix network for the array engine, its arrays checked and in the
engine's layout (one column per example)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .records import Training

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Array = NDArray[np.float64]
else:
    Array = Any


@dataclass(frozen=True)
class ArrayLayer:
    units: int
    inputs: int
    activation: str  # an op-table activation with a NumPy form
    slope: float = 0.0  # the activation's constant (leaky_relu's), 0 for one without
    bias: bool = True
    dropout: float = 0.0  # the rate of dropout on this layer's outputs (its mask is given m{l})


@dataclass(frozen=True)
class ArrayPenalty:
    """λ·Σw² (½λ·Σw² with half) or λ·Σ|w| over `over` (parameter ids), added to the loss."""

    l2: float
    l1: float
    half: bool
    over: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class ArrayProblem:
    path: str
    title: str
    description: str
    layers: tuple[ArrayLayer, ...]
    # x (inputs × m), t (outputs × m), W1, b1, … and each dropout mask m{l} (units × m)
    given: Mapping[str, Array]
    loss: str  # the loss's name, E
    loss_kind: str
    reduction: str  # over a batch's examples: "sum" or "mean"
    training: Training | None
    penalty: ArrayPenalty | None = None
    notes: tuple[str, ...] = ()  # where the data and the weights came from (a seed, a file)
    tolerance: tuple[float, float] | None = None

    @property
    def examples(self) -> int:
        return int(self.given["x"].shape[1])

    @property
    def parameters(self) -> tuple[str, ...]:
        """The trainable arrays' ids, in order: W1, b1, W2, b2, …"""
        ids: list[str] = []
        for n, layer in enumerate(self.layers, 1):
            ids += [f"W{n}", f"b{n}"] if layer.bias else [f"W{n}"]
        return tuple(ids)

    @property
    def weights(self) -> int:
        """How many numbers the parameters hold."""
        return sum(int(self.given[p].size) for p in self.parameters)
