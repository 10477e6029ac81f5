"""The activations and losses of the op and loss tables on whole NumPy arrays, for the array engine
(backtutor/arrays/): each is the table entry's forward rule or derivative applied elementwise, as
stable in float64 as `floats.py` (σ and softplus of ±1000 without overflow, softmax after
subtracting each column's largest value). The tables point here (`Op.vector`, `Loss.vector`), so an
activation or loss without a NumPy form is one the array engine refuses by name. NumPy is imported
when a function runs, never with the tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Array = NDArray[np.float64]
else:
    Array = Any

# forward: (z, the op's constant) → f(z); slope: (z, f(z), constant) → f′(z), elementwise
Forward = Callable[[Array, float], Array]
Slope = Callable[[Array, Array, float], Array]
# a loss's per-output term and its derivative by the output: (a, t) → array of a's shape
Term = Callable[[Array, Array], Array]


@dataclass(frozen=True, slots=True)
class VectorActivation:
    """An activation's NumPy forms for the array engine: the values and, if elementwise, f′."""

    forward: Forward
    slope: Slope | None  # None: f′ is not elementwise (softmax's Jacobian, see arrays/rules.py)


@dataclass(frozen=True, slots=True)
class VectorLoss:
    """A loss's NumPy forms for the array engine: the term per output and its gradient."""

    term: Term
    gradient: Term


def _np() -> Any:
    import numpy

    return numpy


def sigmoid(z: Array, p: float = 0.0) -> Array:
    """1/(1 + e^(−z)), within 2 ulp of the exact value everywhere: below z = −709, e^(−z) overflows to
    inf and σ is 0 (the exact value is under 1e-308), without a warning. Three passes, in place:
    the array engine's training runs spend much of their time here."""
    import numpy as np

    r = np.negative(z, out=np.empty(np.shape(z)))
    if r.size and r.max() > 709.0:  # e^(−z) overflows: a context for the warning costs as much
        with np.errstate(over="ignore"):
            np.exp(r, out=r)
    else:
        np.exp(r, out=r)
    np.add(r, 1.0, out=r)
    return np.reciprocal(r, out=r)


def softplus(z: Array, p: float = 0.0) -> Array:
    import numpy as np

    return np.asarray(np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z))), dtype=np.float64)


def softmax(z: Array, p: float = 0.0) -> Array:
    """Down each column (one column per example)."""
    import numpy as np

    e: Array = np.subtract(z, z.max(axis=0, keepdims=True), dtype=np.float64)
    np.exp(e, out=e)  # in place, as below: a training run calls this on every batch
    e /= np.add.reduce(e, axis=0, keepdims=True)
    return e


SIGMOID = VectorActivation(sigmoid, lambda z, a, p: a * (1.0 - a))
TANH = VectorActivation(lambda z, p: _np().tanh(z), lambda z, a, p: 1.0 - a * a)
RELU = VectorActivation(lambda z, p: _np().where(z > 0, z, 0.0), lambda z, a, p: _np().where(z > 0, 1.0, 0.0))
LEAKY_RELU = VectorActivation(
    lambda z, p: _np().where(z > 0, z, p * z), lambda z, a, p: _np().where(z > 0, 1.0, p)
)
SOFTPLUS = VectorActivation(softplus, lambda z, a, p: sigmoid(z))
SWISH = VectorActivation(
    lambda z, p: z * sigmoid(z), lambda z, a, p: sigmoid(z) * (1.0 + z * (1.0 - sigmoid(z)))
)
IDENTITY = VectorActivation(lambda z, p: _np().array(z, dtype=float), lambda z, a, p: _np().ones_like(z))
SOFTMAX = VectorActivation(softmax, None)


def _log(x: Array) -> Array:
    """log that gives −inf at 0 without a warning (a loss of ∞, as the scalar engine's)."""
    import numpy as np

    with np.errstate(divide="ignore"):
        return np.asarray(np.log(x), dtype=np.float64)


HALF_SSE = VectorLoss(lambda a, t: 0.5 * (t - a) ** 2, lambda a, t: a - t)
SSE = VectorLoss(lambda a, t: (t - a) ** 2, lambda a, t: 2.0 * (a - t))
CROSS_ENTROPY = VectorLoss(lambda a, t: -(t * _log(a)), lambda a, t: -t / a)
BINARY_CROSS_ENTROPY = VectorLoss(
    lambda a, t: -(t * _log(a) + (1.0 - t) * _log(1.0 - a)), lambda a, t: -t / a + (1.0 - t) / (1.0 - a)
)
