"""The `template` command: a blank answer sheet, every step id in working order (or the steps the
problem's `assignment:` asks, by question)."""

from __future__ import annotations

from typing import Annotated

import typer

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
    `assignment:`, the steps it asks, by question)."""
    from ..problem.load import load
    from ..render.documents.sheet import blank_sheet, parse_phases
    from ..solution import solve_by_hand
    from ..solution.asked import asked

    with failing():
        check_output(output, (file,))
        sol = solve_by_hand(load(file))
        questions = asked(sol) if sol.problem.assignment else ()
        emit(blank_sheet(sol, parse_phases(phases), questions), output)
