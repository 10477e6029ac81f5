"""The numbers of the matrix view's activations and losses, by NumPy on column matrices (one column
per example): f(Z), f′(Z) and ∂E/∂Z from ∂E/∂A for each layer, and ∇ₐE of each loss, each written
from its textbook definition (independent of the op table, so the two views check each other)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from .layers import Layer

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Array = NDArray[np.float64]


def activate(layer: Layer, z: Array) -> Array:
    """A = f(Z), each row by its unit's f, or softmax down each column."""
    import numpy as np

    if layer.activations[0] == "softmax":
        e = np.exp(z - z.max(axis=0))
        return np.asarray(e / e.sum(axis=0), dtype=np.float64)
    rows = [
        [_ACTIVATION[f](float(zi), float(p or 0)) for zi in row]
        for f, row, p in zip(layer.activations, z, layer.slopes, strict=True)
    ]
    return np.array(rows, dtype=np.float64).reshape(z.shape)


def slopes(layer: Layer, z: Array, a: Array) -> Array:
    """f′(Z) elementwise (not for softmax, whose f′ is a Jacobian per column)."""
    import numpy as np

    rows = [
        [_SLOPE[f](float(zi), float(ai), float(p or 0)) for zi, ai in zip(zr, ar, strict=True)]
        for f, zr, ar, p in zip(layer.activations, z, a, layer.slopes, strict=True)
    ]
    return np.array(rows, dtype=np.float64).reshape(z.shape)


def back(layer: Layer, z: Array, a: Array, upstream: Array) -> Array:
    """∂E/∂Z from ∂E/∂A: ⊙ f′(Z), or per column the softmax Jacobian (diag(a) − a·aᵀ) times it."""
    import numpy as np

    if layer.activations[0] == "softmax":
        cols = [(np.diag(c) - np.outer(c, c)) @ g for c, g in zip(a.T, upstream.T, strict=True)]
        return np.asarray(np.array(cols).T, dtype=np.float64).reshape(z.shape)
    return np.asarray(upstream * slopes(layer, z, a), dtype=np.float64)


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


_ACTIVATION: dict[str, Callable[[float, float], float]] = {
    "sigmoid": lambda z, p: _sigmoid(z),
    "tanh": lambda z, p: math.tanh(z),
    "relu": lambda z, p: max(z, 0.0),
    "leaky_relu": lambda z, p: z if z > 0 else p * z,
    "softplus": lambda z, p: math.log1p(math.exp(-abs(z))) + max(z, 0.0),
    "swish": lambda z, p: z * _sigmoid(z),
    "identity": lambda z, p: z,
}
_SLOPE: dict[str, Callable[[float, float, float], float]] = {  # f′(z) with a = f(z) at hand
    "sigmoid": lambda z, a, p: a * (1 - a),
    "tanh": lambda z, a, p: 1 - a * a,
    "relu": lambda z, a, p: 1.0 if z > 0 else 0.0,
    "leaky_relu": lambda z, a, p: 1.0 if z > 0 else p,
    "softplus": lambda z, a, p: _sigmoid(z),
    "swish": lambda z, a, p: _sigmoid(z) * (1 + z * (1 - _sigmoid(z))),
    "identity": lambda z, a, p: 1.0,
}

Gradient = Callable[["Array", "Array"], "Array"]
LOSS_GRADIENT: dict[str, Gradient] = {  # ∇ₐE of each example (a column), from each loss's definition
    "half_sse": lambda a, t: a - t,
    "sse": lambda a, t: 2 * (a - t),
    "mse": lambda a, t: 2 * (a - t) / len(a),
    "cross_entropy": lambda a, t: -t / a,
    "binary_cross_entropy": lambda a, t: -t / a + (1 - t) / (1 - a),
}


def apply(kind: str, z: float, p: float = 0.0) -> float:
    """f(z) of one activation (leaky_relu's slope p)."""
    return _ACTIVATION[kind](z, p)


def slope(kind: str, z: float, a: float, p: float = 0.0) -> float:
    """f′(z) of one activation, with a = f(z) at hand."""
    return _SLOPE[kind](z, a, p)
