"""The `template` command: a blank answer sheet, every step id in working order (or the steps the
problem's `assignment:` asks, by question)."""

from __future__ import annotations

from typing import Annotated

import typer

from .arrays import by_arrays
from .common import (
    OutputOpt,
    ProblemArg,
    emit,
    failing,
)
from .outputs import check_output


def template(
    file: ProblemArg,
    phases: Annotated[
        str, typer.Option(help="Phases to include, comma-separated: forward, backward, update.")
    ] = "forward,backward,update",
    output: OutputOpt = None,
) -> None:
    """Write a blank answer sheet: every step id in working order, with what it is (with an
    `assignment:`, the steps it asks, by question; for a network the array engine works, a Python
    script that saves each array for `check`)."""
    from ..problem.load import load_answer_key
    from ..problem.records import Problem
    from ..render.documents.sheet import blank_sheet, parse_phases
    from ..solution import solve_by_hand
    from ..solution.asked import asked

    with failing():
        check_output(output, (file,))
        if by_arrays(file):
            from ..check.arrays import worked
            from ..render.documents.array_sheet import array_sheet

            emit(array_sheet(worked(file), parse_phases(phases)), output)
            return
        problem = load_answer_key(file)
        if not isinstance(problem, Problem):  # an architecture: its table's shapes and counts
            from ..render.documents.shape_sheet import blank_shape_sheet

            emit(blank_shape_sheet(str(file), problem), output)
            return
        sol = solve_by_hand(problem)
        if sol.problem.forward_only and not sol.problem.assignment:  # its maps, as matrices
            from ..matrix.view import matrix_view
            from ..render.documents.sheet import map_sheet

            emit(map_sheet(sol, matrix_view(sol)), output)
            return
        questions = asked(sol) if sol.problem.assignment else ()
        emit(blank_sheet(sol, parse_phases(phases), questions), output)
