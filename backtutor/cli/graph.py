"""The `graph` command: the computational graph as DOT, SVG or PNG, each node with its value and
gradient (a node per number, per layer quantity, or, on a network the array engine works, per array)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .arrays import by_arrays, graph_arrays
from .common import (
    ProblemArg,
    emit,
    failing,
)
from .outputs import check_output, write_atomic
from .solve import View


def graph(
    file: ProblemArg,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write graph.dot, graph.svg or graph.png (else DOT on stdout)."),
    ] = None,
    path: Annotated[
        str | None, typer.Option(help="Highlight every path of this gradient, e.g. dE_total/dw1.")
    ] = None,
    precision: Annotated[int, typer.Option(min=1, max=17, help="Significant digits of the values.")] = 4,
    update: Annotated[
        int, typer.Option(min=1, help="Show the values and gradients of this update step (default 1).")
    ] = 1,
    view: Annotated[
        View, typer.Option(help="scalar: a node per number; matrix: a node per layer quantity.")
    ] = View.scalar,
) -> None:
    """Draw the computational graph: every node with its op, forward value and gradient (a network
    the array engine works: a node per array)."""
    from ..errors import InputError
    from ..render.documents.dot import convert

    with failing():
        check_output(output, (file,))
        kind = output.suffix.lstrip(".").lower() if output else "dot"
        if kind not in ("dot", "gv", "svg", "png"):
            raise InputError(f"-o: cannot write .{kind}; use .dot (DOT text), .svg or .png")
        if by_arrays(file):  # a node per array: at this size, the layer graph is the one to draw
            if path:
                raise InputError(
                    "--path highlights the paths through single numbers; this network is worked by the "
                    "array engine and drawn one node per array"
                )
            dot = graph_arrays(file, precision, update)
        else:
            dot = number_graph(file, precision, update, view, path)
        if output and kind in ("svg", "png"):
            write_atomic(output, convert(dot, kind))
        else:
            emit(dot, output)


def number_graph(file: Path, precision: int, update: int, view: View, path: str | None) -> str:
    """DOT text of a graph the scalar engine works: a node per number, or per layer quantity."""
    from ..errors import InputError
    from ..problem.load import load
    from ..render.documents.dot import render
    from ..render.documents.dot_matrix import render_matrix
    from ..solution import Plan
    from ..solution import solve as run

    problem = load(file)
    plan = Plan.of(problem)  # the file's run: update t is in epoch ⌈t / updates per epoch⌉
    if update > plan.updates:
        raise InputError(f"--update: update {update} does not exist (this run has {plan.updates})")
    sol = run(problem, epochs=-(-update // plan.updates_per_epoch), shown={update})
    if view is View.matrix and path:
        raise InputError("--path highlights scalar paths: use it without --view matrix")
    return (
        render_matrix(sol, precision, update) if view is View.matrix else render(sol, precision, path, update)
    )
