"""A student's NumPy arrays graded against the array engine's working (an .npz from the command
line, a dict of arrays from Python): right, carried forward, or wrong with the array-level slip
named and the largest error located. `names.py` (course names → step ids), `compare.py` (tolerance
by dtype), `slips.py` (the table), `grade.py` (the grading)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..verdicts import Report

if TYPE_CHECKING:
    from ...arrays.records import ArraySolution
    from ...problem.sources import Source

ARRAY_SHEETS = (".npz",)


def is_array_sheet(given: Any) -> bool:
    """A dict holding NumPy arrays, or an .npz file's path."""
    if isinstance(given, Mapping):
        return any(hasattr(v, "shape") and hasattr(v, "dtype") for v in given.values())
    return (
        isinstance(given, str | Path)
        and "\n" not in str(given)
        and Path(given).suffix.lower() in ARRAY_SHEETS
    )


def worked(source: Source) -> ArraySolution:
    """The problem worked by the array engine, for grading arrays against: a convolutional network on
    its image, or a network of matrix layers (the first update of a run the working would not show)."""
    from ...arrays.conv_run import solve_conv
    from ...arrays.run import solve_arrays
    from ...problem.array_conv import conv_arrays_of
    from ...problem.array_network import arrays_of
    from ...problem.engines import engine_for, is_conv_arrays_file
    from ...problem.sources import read_source

    name, raw, lines = read_source(source)
    if is_conv_arrays_file(raw):
        return solve_conv(conv_arrays_of(name, raw, lines))
    engine_for(name, raw, "arrays")  # a FileError unless the file is a network of matrix layers
    problem = arrays_of(name, raw, lines)
    sol = solve_arrays(problem)
    return sol if sol.steps else solve_arrays(problem, shown=(1,))


def check_arrays(
    sol: ArraySolution,
    given: Mapping[str, Any] | str | Path,
    tolerance: tuple[float | None, float | None] | None = None,
) -> Report:
    """The report on an .npz (its path) or a dict of arrays (named "(dict)")."""
    import numpy as np

    from ...problem.array_files import read_arrays
    from ...problem.sources import DICT
    from .grade import grade_arrays

    if isinstance(given, Mapping):
        arrays = {str(k): np.asarray(v) for k, v in given.items()}
        return grade_arrays(sol, arrays, DICT, tolerance)
    found = read_arrays(given, finite=False)
    return grade_arrays(sol, found.arrays, str(given), tolerance)
