"""The command line: thin wrappers that parse flags, call the library and pick a renderer.

Heavy modules are imported inside the commands so `backtutor --help` starts fast.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .cli_check import CheckFormat, report_error
from .cli_solve import Format, View
from .outputs import check_output, write_atomic

if TYPE_CHECKING:
    pass

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Work backpropagation problems step by step, exactly as a TA would write them.",
)


@app.callback()
def _main() -> None:
    """Work backpropagation problems step by step, exactly as a TA would write them."""


def _fail(message: str) -> typer.Exit:
    report_error(message)
    return typer.Exit(2)


@app.command()
def solve(
    file: Annotated[Path, typer.Argument(help="Problem file (YAML).")],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.terminal,
    precision: Annotated[int, typer.Option(min=1, max=17, help="Significant digits of computed values.")] = 9,
    only: Annotated[
        str | None, typer.Option(help="Show only the working that leads to this step id.")
    ] = None,
    epochs: Annotated[
        int | None, typer.Option(min=1, help="Train for this many epochs (overrides the file).")
    ] = None,
    steps: Annotated[
        str | None, typer.Option(help="Update steps whose working to show: 1,3,5-7, last or all.")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead.")] = None,
    blank: Annotated[
        bool, typer.Option("--blank", help="Worksheet: leave computed numbers blank (markdown, latex, html).")
    ] = False,
    plot: Annotated[
        Path | None, typer.Option(help="Draw the loss per epoch to this .png/.svg/.pdf (needs matplotlib).")
    ] = None,
    view: Annotated[
        View, typer.Option(help="scalar: one step per number; matrix: per layer, vectors and matrices.")
    ] = View.scalar,
    simplify: Annotated[
        bool, typer.Option("--simplify", help="Terminal: also simplify each closed form with SymPy (slower).")
    ] = False,
) -> None:
    """Work a problem: forward pass, chain rule for every parameter, closed forms and SGD updates."""
    from .cli_solve import check_plot, only_steps, progress_bar, render, render_matrix, shown_updates
    from .errors import InputError
    from .problem.load import load
    from .solution import Plan
    from .solution import solve as run

    try:
        check_output(output, (file,))
        check_output(plot, (file, *([output] if output else [])))
        if blank and format in (Format.terminal, Format.json):
            raise InputError("--blank makes a worksheet document: use it with -f markdown, latex or html")
        problem = load(file)
        plan = Plan.of(problem, epochs)
        if plot:
            check_plot(plot, plan.epochs)
        shown = shown_updates(steps, plan)
        progress, done = progress_bar(plan.updates > 5000 and output is None and format is Format.terminal)
        try:
            sol = run(problem, epochs=epochs, shown=shown, progress=progress)
        finally:
            done()
        if view is View.matrix:
            _emit(render_matrix(sol, format, precision, only, blank), output)
        else:
            _emit(render(sol, format, precision, only_steps(sol, only), blank, simplify), output)
        if plot:
            from .render.plot import loss_curve

            write_atomic(plot, loss_curve(sol, plot.suffix.lstrip(".").lower()))
    except (InputError, ValueError, OSError) as e:
        raise _fail(str(e)) from None


def _emit(content: object, output: Path | None) -> None:
    """Print to stdout, or write the file atomically (rich output as plain text)."""
    if not isinstance(content, str):
        from rich.console import Console

        if output is None:
            Console(highlight=False).print(content)
            return
        console = Console(record=True, width=120, file=open(os.devnull, "w"))  # noqa: SIM115
        console.print(content)
        content = console.export_text()
    if output is None:
        sys.stdout.write(content)
    else:
        write_atomic(output, content)


@app.command()
def graph(
    file: Annotated[Path, typer.Argument(help="Problem file (YAML).")],
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
) -> None:
    """Draw the computational graph: every node with its op, forward value and gradient."""
    from .errors import InputError
    from .problem.load import load
    from .render.dot import convert, render
    from .solution import Plan
    from .solution import solve as run

    try:
        check_output(output, (file,))
        kind = output.suffix.lstrip(".").lower() if output else "dot"
        if kind not in ("dot", "gv", "svg", "png"):
            raise InputError(f"-o: cannot write .{kind}; use .dot (DOT text), .svg or .png")
        problem = load(file)
        plan = Plan.of(problem)  # the file's run: update t is in epoch ⌈t / updates per epoch⌉
        if update > plan.updates:
            raise InputError(f"--update: update {update} does not exist (this run has {plan.updates})")
        sol = run(problem, epochs=-(-update // plan.updates_per_epoch), shown={update})
        dot = render(sol, precision, path, update)
        if output and kind in ("svg", "png"):
            write_atomic(output, convert(dot, kind))
        else:
            _emit(dot, output)
    except (InputError, ValueError, OSError) as e:
        raise _fail(str(e)) from None


@app.command()
def explore(
    file: Annotated[Path, typer.Argument(help="Problem file (YAML).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The page to write, e.g. page.html.")],
    precision: Annotated[int, typer.Option(min=1, max=17, help="Significant digits of computed values.")] = 9,
    epochs: Annotated[
        int | None, typer.Option(min=1, help="Train for this many epochs (overrides the file).")
    ] = None,
    steps: Annotated[
        str | None, typer.Option(help="Updates whose working to show (as solve; longer runs: 1,last).")
    ] = None,
) -> None:
    """Write one offline web page that steps through the forward and backward pass on the graph."""
    from .cli_solve import shown_updates
    from .errors import InputError
    from .problem.load import load
    from .render.explore import render
    from .solution import Plan
    from .solution import solve as run

    try:
        check_output(output, (file,))
        problem = load(file)
        plan = Plan.of(problem, epochs)
        shown = shown_updates(steps or (None if plan.default_shown else "1,last"), plan)
        write_atomic(output, render(run(problem, epochs=epochs, shown=shown), precision), (file,))
    except (InputError, ValueError, OSError) as e:
        raise _fail(str(e)) from None


class ShapesFormat(StrEnum):
    terminal = "terminal"
    json = "json"


@app.command()
def shapes(
    file: Annotated[Path, typer.Argument(help="Problem file (YAML) with an architecture.")],
    format: Annotated[
        ShapesFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ShapesFormat.terminal,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead.")] = None,
) -> None:
    """Output shape, parameters and multiply-adds of every layer of a CNN, with the formulas worked."""
    from .errors import InputError
    from .problem.load import load_shapes

    try:
        check_output(output, (file,))
        table = load_shapes(file)
        if format is ShapesFormat.json:
            import json

            _emit(json.dumps(table.as_dict(), indent=2, ensure_ascii=False) + "\n", output)
        else:
            from .render.terminal_shapes import render as render_shapes

            _emit(render_shapes(table), output)
    except (InputError, ValueError, OSError) as e:
        raise _fail(str(e)) from None


@app.command()
def template(
    file: Annotated[Path, typer.Argument(help="Problem file (YAML).")],
    phases: Annotated[
        str, typer.Option(help="Phases to include, comma-separated: forward, backward, update.")
    ] = "forward,backward,update",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead.")] = None,
) -> None:
    """Write a blank answer sheet: every step id in working order, with what it is."""
    from .errors import InputError
    from .problem.load import load
    from .render.sheet import PHASES, blank_sheet
    from .solution import solve as run

    try:
        check_output(output, (file,))
        chosen = tuple(p.strip() for p in phases.split(",") if p.strip())
        unknown = [p for p in chosen if p not in PHASES]
        if unknown or not chosen:
            raise InputError(
                f"--phases: unknown phase {unknown[0] if unknown else ''!r}; use {', '.join(PHASES)}"
            )
        _emit(blank_sheet(run(load(file)), chosen), output)
    except (InputError, ValueError, OSError) as e:
        raise _fail(str(e)) from None


@app.command()
def check(
    file: Annotated[Path, typer.Argument(help="Problem file (YAML).")],
    sheets: Annotated[list[Path], typer.Argument(help="Answer sheets (YAML), or folders of them.")],
    format: Annotated[
        CheckFormat, typer.Option("--format", "-f", help="Report format.")
    ] = CheckFormat.terminal,
    rtol: Annotated[
        float | None, typer.Option(min=0, help="Relative tolerance (overrides the rule).")
    ] = None,
    atol: Annotated[
        float | None, typer.Option(min=0, help="Absolute tolerance (overrides the rule).")
    ] = None,
    csv: Annotated[Path | None, typer.Option(help="Write one row per sheet to this CSV file.")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file instead.")
    ] = None,
) -> None:
    """Check answer sheets: right, carried forward, or wrong with the likely slip.

    Exit code 0 when every answer is right, 1 when one is not, 2 when a file cannot be read."""
    from .check import Checker
    from .cli_check import emit_reports, grade_all, sheet_paths
    from .errors import InputError
    from .problem.load import load
    from .solution import solve as run

    try:
        paths = sheet_paths(sheets)
        for out in (csv, output):
            check_output(out, (file, *paths))
        if output and format is CheckFormat.terminal:
            raise InputError("--output writes a file: use it with -f json, markdown or html")
        sol = run(load(file))
    except (InputError, ValueError, OSError) as e:
        raise _fail(str(e)) from None
    reports, broken = grade_all(Checker(sol, rtol, atol), paths)
    try:
        if csv:
            from .check import reports_csv

            write_atomic(csv, reports_csv(reports, [s.id for s in sol.steps]))
        emit_reports(reports, sol, broken, format, output)
    except OSError as e:
        raise _fail(str(e)) from None
    if broken:
        raise typer.Exit(2)
    if any(v.status != "right" for r in reports for v in r.verdicts):
        raise typer.Exit(1)


def main() -> None:
    app()
