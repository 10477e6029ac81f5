"""The matrix view's record: one MatrixStep per vector or matrix quantity (its equation, its value,
the right-hand side with the numbers in), what matrix_view.py, matrix_conv.py and matrix_updates.py
make and the renderers draw."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Array = NDArray[np.float64]

Term = Union["Array", str]  # a matrix or vector with numbers, or an operator between them ("·", "−")


@dataclass(frozen=True)
class MatrixStep:
    id: str
    phase: str  # "forward", "backward" or "update"
    equation: str  # the equation in the view's names: "delta1 = (W2ᵀ·delta2) ⊙ σ′(z1)"
    latex: str  # the same in LaTeX: \delta^{(1)} = ((W^{(2)})^{\top} \delta^{(2)}) \odot \sigma'(z^{(1)})
    value: Array  # a vector (1-D) or a matrix (2-D)
    update: int
    example: int | None
    terms: tuple[Term, ...] = ()  # the right-hand side with the numbers in, when it has operands
    note: str = ""  # how to read the step (an optimizer's rule, a shared weight)
