"""When a student's array counts as the expected one, element by element, at a tolerance that fits the
precision it was computed in; its largest error and where; an array summed up in one line.

A float32 array is right to float32 rounding: each element within ULPS × 2⁻²⁴ of the array's scale
(its largest magnitude) plus of its own magnitude, since one layer's sums of a few hundred products
round that much; float16 likewise at 2⁻¹¹, float64 at FLOAT64_RTOL (the same maths summed in another
order). --rtol/--atol (or the problem's tolerance) replace this with NumPy's isclose rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

ULPS = 32  # float32 or float16 rounding a student's code can gather in one layer
FLOAT64_RTOL = 1e-9  # float64 answers: the same maths in another order differs by far less


@dataclass(frozen=True)
class Bounds:
    """|answer − expected| ≤ atol + rtol·|expected| + scaled·max|expected|, elementwise."""

    rtol: float
    atol: float
    scaled: float

    @staticmethod
    def of(dtype: np.dtype, given: tuple[float | None, float | None] | None) -> Bounds:
        """The bounds for an answer of this dtype; `given` (rtol, atol) from the command line or the
        problem file wins."""
        import numpy as np

        if given and (given[0] is not None or given[1] is not None):
            return Bounds(given[0] or 0.0, given[1] or 0.0, 0.0)
        if dtype.kind == "f" and dtype.itemsize < 8:
            eps = float(np.finfo(dtype).eps) / 2  # the unit roundoff: 2⁻²⁴ for float32
            return Bounds(ULPS * eps, 0.0, ULPS * eps)
        return Bounds(FLOAT64_RTOL, 0.0, FLOAT64_RTOL)

    def close(self, answer: np.ndarray, expected: np.ndarray) -> bool:
        import numpy as np

        if answer.shape != expected.shape:
            return False
        with np.errstate(invalid="ignore", over="ignore"):
            error = np.abs(answer.astype(np.float64) - expected)
            scale = float(np.abs(expected).max()) if expected.size else 0.0
            bound = self.atol + self.rtol * np.abs(expected) + self.scaled * scale
            return bool(np.all(error <= bound))  # NaN is never close


def largest_error(name: str, answer: np.ndarray, expected: np.ndarray, transposed: bool = False) -> str:
    """Where the answer is furthest from the expected array: dW1[3, 17]: 0.0213 expected 0.0208
    (NaN or ±inf first); `transposed`: the student's array is the transpose, so is the index."""
    import numpy as np

    if answer.shape != expected.shape:
        return ""
    error = np.abs(answer.astype(np.float64) - expected)
    bad = ~np.isfinite(error)
    flat = int(np.argmax(bad)) if bad.any() else int(np.argmax(error))
    index = np.unravel_index(flat, expected.shape) if expected.shape else ()
    written = index[::-1] if transposed else index
    at = f"[{', '.join(str(int(i)) for i in written)}]" if index else ""
    return f"{name}{at}: {_number(answer[index])} expected {_number(expected[index])}"


def describe(a: np.ndarray) -> str:
    """An array in one line: its shape and dtype, and its norm (the value itself for a number)."""
    import numpy as np

    if a.ndim == 0 or a.size == 1:
        return _number(a.reshape(()))
    shape = " × ".join(map(str, a.shape))
    with np.errstate(invalid="ignore", over="ignore"):
        norm = float(np.linalg.norm(a.astype(np.float64).ravel()))
    return f"{shape} {a.dtype}, norm {_number(norm)}"


def _number(x: object) -> str:
    return f"{float(x):.6g}"  # type: ignore[arg-type]
