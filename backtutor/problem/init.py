"""The weights of a layer given by its `size`, drawn from a seed by NumPy's default generator, layer
by layer (W, then b): `uniform` is PyTorch's nn.Linear and the seed homework's U(−1/√fan_in,
1/√fan_in) for W and b; `he` is N(0, 2/fan_in) and `xavier` Glorot's U(±√(6/(fan_in + fan_out))),
each with b = 0."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Array = NDArray[np.float64]
else:
    Array = Any

SCHEMES = {
    "uniform": "W and b uniform on ±1/√fan_in (PyTorch's nn.Linear)",
    "he": "W normal with mean 0 and variance 2/fan_in (He), b = 0",
    "xavier": "W uniform on ±√(6/(fan_in + fan_out)) (Xavier/Glorot), b = 0",
}


def draw(generator: Any, kind: str, units: int, fan_in: int, bias: bool) -> tuple[Array, Array | None]:
    """One layer's W (units × fan_in) and b (None without a bias) from the generator."""
    import numpy as np

    if kind == "uniform":
        bound = 1 / math.sqrt(fan_in)
        W = generator.uniform(-bound, bound, (units, fan_in))
        b = generator.uniform(-bound, bound, units) if bias else None
    elif kind == "he":
        W, b = (
            generator.normal(0.0, math.sqrt(2 / fan_in), (units, fan_in)),
            np.zeros(units) if bias else None,
        )
    else:
        bound = math.sqrt(6 / (fan_in + units))
        W, b = generator.uniform(-bound, bound, (units, fan_in)), np.zeros(units) if bias else None
    return np.asarray(W, dtype=np.float64), None if b is None else np.asarray(b, dtype=np.float64)


def note(kind: str, seed: int) -> str:
    return f"weights drawn from seed {seed} by NumPy's default generator, layer by layer: {SCHEMES[kind]}"
