"""The `diff` command's steps: one formula from the command line, its --wrt variables and --at point
read, the chain-rule working made (solution/derive.py) and rendered as `solve` renders a problem."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import (
    TO_TERMINAL,
    OutputOpt,
    PrecisionOpt,
    SolveFormatOpt,
    emit,
    failing,
)
from .outputs import check_output
from .solve import render


def derivation(formula: str, wrt: list[str], at: list[str], format: str, precision: int) -> object:
    """The working of `formula` by each --wrt variable (comma-separated or repeated), at the --at
    point when one is given, in the chosen format."""
    from ..problem.one_formula import parse_point
    from ..solution.derive import derive

    chosen = [v.strip() for item in wrt for v in item.split(",") if v.strip()]
    point = parse_point(at) if at else None
    # the simplified closed form too in the terminal: asking about one formula is why diff exists
    return render(derive(formula, chosen, point), format, precision, None, blank=False, simplify=True)


def diff(
    formula: Annotated[
        str, typer.Argument(metavar="FORMULA", help='One formula, e.g. "w3*sigmoid(w2*sigmoid(w1*x))".')
    ],
    wrt: Annotated[
        list[str] | None,
        typer.Option(metavar="VAR[,VAR…]", help="Variable(s) to differentiate by: w1, w1,w2, or repeated."),
    ] = None,
    at: Annotated[
        list[str] | None,
        typer.Option(
            metavar="NAME=VALUE[,…]", help="The point, every variable's value: w1=0.5,x=1 (else no numbers)."
        ),
    ] = None,
    format: SolveFormatOpt = TO_TERMINAL,
    precision: PrecisionOpt = 9,
    output: OutputOpt = None,
) -> None:
    """Differentiate one formula: the chain rule step by step, each intermediate named, the closed form."""
    from ..errors import InputError
    from ..render.formats import listed, names

    with failing():
        check_output(output, ())
        if formula.strip().lower().endswith((".yaml", ".yml")):  # no formula ends so: a problem file
            raise InputError(
                f'diff differentiates one formula typed on the command line, e.g. diff "w2*sigmoid(w1*x)" '
                f"--wrt w1; {formula[:300]} is a problem file: `backtutor solve {formula[:300]}` works it"
            )
        if format not in names("solve"):
            raise InputError(
                f"-f {format} holds the array engine's arrays; diff writes {listed(names('solve'))}"
            )
        emit(derivation(formula, wrt or [], at or [], format, precision), output)
