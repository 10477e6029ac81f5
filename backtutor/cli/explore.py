"""The `explore` command: one offline web page that steps through the working on the graph."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .arrays import refuse_arrays
from .common import (
    EpochsOpt,
    PrecisionOpt,
    ProblemArg,
    failing,
)
from .outputs import check_output, write_atomic


def explore(
    file: ProblemArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="The page to write, e.g. page.html.")],
    precision: PrecisionOpt = 9,
    epochs: EpochsOpt = None,
    steps: Annotated[
        str | None, typer.Option(help="Updates whose working to show (as solve; longer runs: 1,last).")
    ] = None,
) -> None:
    """Write one offline web page that steps through the forward and backward pass on the graph."""
    from ..problem.load import load
    from ..render.documents.explore import render
    from ..solution import Plan
    from ..solution import solve as run
    from .solve import shown_updates

    with failing():
        check_output(output, (file,))
        refuse_arrays("explore", file)
        problem = load(file)
        if epochs is not None:
            problem.require_loss("--epochs")
        plan = Plan.of(problem, epochs)
        shown = shown_updates(steps or (None if plan.default_shown else "1,last"), plan)
        write_atomic(output, render(run(problem, epochs=epochs, shown=shown), precision), (file,))
