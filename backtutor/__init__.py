"""backtutor: worked, checkable backpropagation from a small YAML problem file.

>>> import backtutor
>>> sol = backtutor.solve("problems/q4.yaml")
>>> sol.step("dE_total/dw5").value
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .solution import Solution

__all__ = ["solve"]
__version__ = "0.1.0"


def solve(path: str | Path, **options: object) -> Solution:
    """Load a problem file and work it; options as for `backtutor.solution.solve`."""
    from .problem import load
    from .solution import solve as _solve

    return _solve(load(path), **options)  # type: ignore[arg-type]
