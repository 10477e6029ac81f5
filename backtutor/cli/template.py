"""The `template` command: a blank answer sheet, every step id in working order."""

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
    """Write a blank answer sheet: every step id in working order, with what it is."""
    from ..problem.load import load
    from ..render.documents.sheet import blank_sheet, parse_phases
    from ..solution import solve_by_hand

    with failing():
        check_output(output, (file,))
        emit(blank_sheet(solve_by_hand(load(file)), parse_phases(phases)), output)
