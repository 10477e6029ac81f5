"""The numbers of the matrix view's activations and losses, by NumPy on column matrices (one column
per example): f(Z), f′(Z) and ∂E/∂Z from ∂E/∂A for each layer, and ∇ₐE of each loss. Each comes from
the op and loss tables (an op's forward rule and local derivative, a loss's per-output term), so what
those tables gain works here too; the tests hold the view against the scalar view and against the
four equations written out in NumPy."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..engine.expr import Call, Param, Sym
from ..engine.losses import LOSSES
from ..engine.ops import OPS, diff, evaluate
from .layers import Layer

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Array = NDArray[np.float64]

Z, OUT, TARGET = Sym("z"), Sym("o"), Sym("t")
Gradient = Callable[["Array", "Array"], "Array"]  # ∇ₐE of one example from its output and target columns


def apply(kind: str, z: float, p: Param = None) -> float:
    """f(z) of one activation with its constant p (leaky_relu's slope, a formula's function)."""
    return evaluate(Call(kind, (Z,), p), {Z.name: z})


def slope(kind: str, z: float, p: Param = None) -> float:
    """f′(z) of one activation: the op's local derivative at z."""
    return evaluate(OPS[kind].partial(Call(kind, (Z,), p), 0), {Z.name: z})


def activate(layer: Layer, z: Array) -> Array:
    """A = f(Z), each row by its unit's f, or softmax down each column."""
    import numpy as np

    if layer.activations[0] == "softmax":
        return np.array([[OPS["softmax"].forward(k, *col) for col in z.T] for k in range(len(z))])
    rows = [
        [apply(f, float(zi), p) for zi in row]
        for f, row, p in zip(layer.activations, z, layer.params, strict=True)
    ]
    return np.array(rows, dtype=np.float64).reshape(z.shape)


def slopes(layer: Layer, z: Array) -> Array:
    """f′(Z) elementwise (not for softmax, whose f′ is a Jacobian per column)."""
    import numpy as np

    rows = [
        [slope(f, float(zi), p) for zi in row]
        for f, row, p in zip(layer.activations, z, layer.params, strict=True)
    ]
    return np.array(rows, dtype=np.float64).reshape(z.shape)


def back(layer: Layer, z: Array, upstream: Array) -> Array:
    """∂E/∂Z from ∂E/∂A: ⊙ f′(Z), or per column the softmax Jacobian (diag(a) − a·aᵀ) times it."""
    import numpy as np

    if layer.activations[0] == "softmax":
        cols = [_softmax_jacobian(col) @ g for col, g in zip(z.T, upstream.T, strict=True)]
        return np.asarray(np.array(cols).T, dtype=np.float64).reshape(z.shape)
    return np.asarray(upstream * slopes(layer, z), dtype=np.float64)


def _softmax_jacobian(z: Array) -> Array:
    """∂softmax_k/∂z_j at one column z, from the op table's local derivative."""
    import numpy as np

    zs = tuple(Sym(f"z{j}") for j in range(len(z)))
    env = {s.name: float(v) for s, v in zip(zs, z, strict=True)}
    partial = OPS["softmax"].partial
    return np.array(
        [[evaluate(partial(Call("softmax", zs, k), j), env) for j in range(len(z))] for k in range(len(z))]
    )


def loss_gradient(kind: str) -> Gradient | None:
    """∇ₐE of one example (a and t columns) for a loss with a per-output term, from its term's
    derivative (with the 1/n of a mean over n outputs); None for a loss that has none."""
    loss = LOSSES[kind]
    if loss.term is None:
        return None
    d = diff(loss.term(TARGET, OUT), OUT.name)

    def gradient(a: Array, t: Array) -> Array:
        import numpy as np

        n = len(a)
        scale = 1 / n if loss.over_outputs == "mean" and n > 1 else 1.0
        pairs = zip(np.ravel(a), np.ravel(t), strict=True)
        values = [scale * evaluate(d, {OUT.name: float(ai), TARGET.name: float(ti)}) for ai, ti in pairs]
        return np.array(values, dtype=np.float64).reshape(np.shape(a))

    return gradient
