"""The `shapes` command: a CNN's layer shapes, parameters and multiply-adds, worked."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .common import (
    OutputOpt,
    emit,
    failing,
)
from .outputs import check_output


class ShapesFormat(StrEnum):
    terminal = "terminal"
    json = "json"


def shapes(
    file: Annotated[Path, typer.Argument(help="Problem file (YAML) with an architecture.")],
    format: Annotated[
        ShapesFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ShapesFormat.terminal,
    output: OutputOpt = None,
) -> None:
    """Output shape, parameters and multiply-adds of every layer of a CNN, with the formulas worked."""
    from ..problem.load import load_shapes

    with failing():
        check_output(output, (file,))
        table = load_shapes(file)
        if format is ShapesFormat.json:
            from ..cnn.steps import document
            from ..text import json_dumps

            emit(json_dumps(document(table), indent=2) + "\n", output)
        else:
            from ..render.terminal.shapes import render as render_shapes

            emit(render_shapes(table), output)
