"""backtutor: worked, checkable backpropagation from a small YAML problem file.

>>> import backtutor
>>> sol = backtutor.solve("problems/q4.yaml")
>>> sol.step("dE_total/dw5").value
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .solution import Solution

__all__ = ["document", "solve"]
__version__ = "0.1.0"


def solve(
    path: str | Path,
    *,
    epochs: int | None = None,
    shown: Iterable[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Solution:
    """Load a problem file and work it; the options are those of `backtutor.solution.solve`."""
    from .problem.load import load
    from .solution import solve as _solve

    return _solve(load(path), epochs=epochs, shown=shown, progress=progress)


def document(solution: Solution, kind: str = "markdown", precision: int = 9, blank: bool = False) -> str:
    """The worked solution as a document: kind "markdown", "latex", "html" or "json" (the formats
    table's documents); `blank` for a worksheet."""
    from .render.formats import documents, find, listed

    if kind not in documents():
        raise ValueError(f"no document kind {kind!r}; use {listed(documents())}")
    return str(find("solve", kind).load()(solution, precision, blank=blank))
