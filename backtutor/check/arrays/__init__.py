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
    """The problem worked by the array engine, for grading arrays against."""
    from ...arrays.conv_run import solve_conv
    from ...problem.array_conv import conv_arrays_of, is_conv_arrays_file
    from ...problem.files import FileError
    from ...problem.sources import read_source

    name, raw, lines = read_source(source)
    if is_conv_arrays_file(raw):
        return solve_conv(conv_arrays_of(name, raw, lines))
    raise FileError(
        name, "arrays are checked against a network the array engine works (an 'architecture' with an 'init')"
    )


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
