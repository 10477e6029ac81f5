"""The command line: thin wrappers that parse flags, call the library and pick a renderer.

Heavy modules are imported inside the commands so `backtutor --help` starts fast.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .common import (
    REPORT_TO_TERMINAL,
    TO_TERMINAL,
    AtolOpt,
    CheckFormatOpt,
    EpochsOpt,
    OutputOpt,
    PrecisionOpt,
    ProblemArg,
    RosterOpt,
    RtolOpt,
    SeedOpt,
    SolveFormatOpt,
    emit,
    failing,
)
from .outputs import check_output, write_atomic
from .solve import View

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Work backpropagation problems step by step, exactly as a TA would write them.",
)


@app.callback()
def _main() -> None:
    """Work backpropagation problems step by step, exactly as a TA would write them."""


@app.command()
def solve(
    file: ProblemArg,
    format: SolveFormatOpt = TO_TERMINAL,
    precision: PrecisionOpt = 9,
    only: Annotated[
        str | None, typer.Option(help="Show only the working that leads to this step id.")
    ] = None,
    epochs: EpochsOpt = None,
    steps: Annotated[
        str | None, typer.Option(help="Update steps whose working to show: 1,3,5-7, last or all.")
    ] = None,
    output: OutputOpt = None,
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
    from ..errors import InputError
    from ..problem.load import load
    from ..render.formats import documents, listed
    from ..solution import Plan
    from ..solution import solve as run
    from .solve import check_plot, only_steps, progress_bar, render, render_matrix, shown_updates

    with failing():
        check_output(output, (file,))
        check_output(plot, (file, *([output] if output else [])))
        if blank and format not in documents():
            raise InputError(f"--blank makes a worksheet document: use it with -f {listed(documents())}")
        problem = load(file)
        plan = Plan.of(problem, epochs)
        if plot:
            check_plot(plot, plan.epochs)
        shown = shown_updates(steps, plan)
        progress, done = progress_bar(plan.updates > 5000 and output is None and format == "terminal")
        try:
            sol = run(problem, epochs=epochs, shown=shown, progress=progress)
        finally:
            done()
        if view is View.matrix:
            emit(render_matrix(sol, format, precision, only, blank), output)
        else:
            emit(render(sol, format, precision, only_steps(sol, only), blank, simplify), output)
        if plot:
            from ..render.documents.plot import loss_curve

            write_atomic(plot, loss_curve(sol, plot.suffix.lstrip(".").lower()))


@app.command()
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
    from .diff import derivation

    with failing():
        check_output(output, ())
        emit(derivation(formula, wrt or [], at or [], format, precision), output)


@app.command()
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
    """Draw the computational graph: every node with its op, forward value and gradient."""
    from ..errors import InputError
    from ..problem.load import load
    from ..render.documents.dot import convert, render
    from ..render.documents.dot_matrix import render_matrix
    from ..solution import Plan
    from ..solution import solve as run

    with failing():
        check_output(output, (file,))
        kind = output.suffix.lstrip(".").lower() if output else "dot"
        if kind not in ("dot", "gv", "svg", "png"):
            raise InputError(f"-o: cannot write .{kind}; use .dot (DOT text), .svg or .png")
        problem = load(file)
        plan = Plan.of(problem)  # the file's run: update t is in epoch ⌈t / updates per epoch⌉
        if update > plan.updates:
            raise InputError(f"--update: update {update} does not exist (this run has {plan.updates})")
        sol = run(problem, epochs=-(-update // plan.updates_per_epoch), shown={update})
        if view is View.matrix and path:
            raise InputError("--path highlights scalar paths: use it without --view matrix")
        dot = (
            render_matrix(sol, precision, update)
            if view is View.matrix
            else render(sol, precision, path, update)
        )
        if output and kind in ("svg", "png"):
            write_atomic(output, convert(dot, kind))
        else:
            emit(dot, output)


@app.command()
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
        problem = load(file)
        plan = Plan.of(problem, epochs)
        shown = shown_updates(steps or (None if plan.default_shown else "1,last"), plan)
        write_atomic(output, render(run(problem, epochs=epochs, shown=shown), precision), (file,))


class ShapesFormat(StrEnum):
    terminal = "terminal"
    json = "json"


@app.command()
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
            from ..text import json_dumps

            emit(json_dumps(table.as_dict(), indent=2) + "\n", output)
        else:
            from ..render.terminal.shapes import render as render_shapes

            emit(render_shapes(table), output)


@app.command()
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


@app.command()
def check(
    file: ProblemArg,
    sheets: Annotated[list[Path], typer.Argument(help="Answer sheets (YAML), or folders of them.")],
    format: CheckFormatOpt = REPORT_TO_TERMINAL,
    rtol: RtolOpt = None,
    atol: AtolOpt = None,
    csv: Annotated[Path | None, typer.Option(help="Write one row per sheet to this CSV file.")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file instead.")
    ] = None,
    roster: RosterOpt = None,
    seed: SeedOpt = None,
) -> None:
    """Check answer sheets: right, carried forward, or wrong with the likely slip.

    Exit code 0 when every answer is right, 1 when one is not, 2 when a file cannot be read."""
    from .check import check_format, emit_reports, grade_sheets, sheet_paths

    with failing():
        paths = sheet_paths(sheets)
        for out in (csv, output):
            check_output(out, (file, *paths, *([roster] if roster else [])))
        check_format(format, output is not None, len(paths), roster is not None)
        graded = grade_sheets(file, paths, roster, seed, (rtol, atol))
    with failing():
        if csv:
            from ..render.reports.csv import reports_csv

            ids = [s.id for s in graded.sols[0].steps] if graded.sols else []
            write_atomic(csv, reports_csv(graded.reports, ids, graded.students if roster else None))
        emit_reports(graded, format, output)
    if graded.broken:
        raise typer.Exit(2)
    if any(not r.verdicts or any(v.status != "right" for v in r.verdicts) for r in graded.reports):
        raise typer.Exit(1)  # a wrong answer, or a sheet with none: not a perfect sheet


@app.command()
def variants(
    file: Annotated[Path, typer.Argument(help="Problem file (YAML) with a variants: section.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write (one folder per student).")],
    roster: Annotated[Path | None, typer.Option(help="Class roster (CSV with an id column).")] = None,
    count: Annotated[
        int | None, typer.Option(min=1, max=100_000, help="Or: this many numbered variants.")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed (else the file's variants.seed).")] = None,
    pdf: Annotated[
        bool, typer.Option("--pdf/--no-pdf", help="PDF documents (Markdown without pdflatex).")
    ] = True,
    precision: Annotated[int, typer.Option(min=1, max=17, help="Significant digits in the keys.")] = 9,
) -> None:
    """One problem per student (the same network, other numbers): problem file, answer sheet,
    worksheet and answer key each, the same every time for the same seed and student id."""
    from .variants import students_of, write_variants

    with failing():
        inputs = (file, *([roster] if roster else []))
        written = write_variants(inputs, students_of(roster, count), seed, output, pdf, precision)
    what = f"{written.count} variant{'s' if written.count != 1 else ''}"
    print(f"wrote {what} to {output} ({written.documents} documents; index: variants.csv)")


export_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Export to other tools.")
app.add_typer(export_app, name="export")


@export_app.command("gradescope")
def export_gradescope(
    file: ProblemArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="The zip to write, e.g. autograder.zip.")],
    roster: RosterOpt = None,
    seed: SeedOpt = None,
) -> None:
    """Build a Gradescope autograder zip that grades a submitted answer sheet with `check`."""
    from .gradescope import autograder_zip

    with failing():
        check_output(output, (file, *([roster] if roster else [])))
        write_atomic(output, autograder_zip(file, roster, seed))
    print(f"wrote {output}: upload it as the assignment's autograder (README, For instructors)")


@app.command(hidden=True)
def autograde(
    root: Annotated[Path, typer.Argument(help="The autograder folder.")] = Path("/autograder"),
) -> None:
    """Run by the zip's run_autograder: grade root/submission, write root/results/results.json."""
    from ..render.reports.gradescope import render_results
    from .gradescope import autograde as grade

    text = render_results(grade(root))
    with failing():
        (root / "results").mkdir(parents=True, exist_ok=True)
        write_atomic(root / "results" / "results.json", text)
    print(text, end="")


@app.command()
def quiz(
    file: ProblemArg,
    phases: Annotated[
        str, typer.Option(help="Phases to ask, comma-separated: forward, backward, update.")
    ] = "forward,backward,update",
    only: Annotated[str | None, typer.Option(help="Ask only the steps that lead to this step id.")] = None,
    rtol: RtolOpt = None,
    atol: AtolOpt = None,
    save: Annotated[Path | None, typer.Option(help="Write your answers to this sheet (for check).")] = None,
) -> None:
    """Practise: each step asked in working order, graded at once as check grades a sheet.

    Type a number or a formula; or hint, skip, quit. Exit code 0 when every answer is right, 1 when
    one is not, 2 when a file cannot be read or written."""
    from .quiz import check_save, practise, prepare

    with failing():
        check_output(save, (file,))
        if save is not None:
            check_save(save)
        chosen = prepare(file, phases, only, rtol, atol)
    raise typer.Exit(practise(chosen, save))


def main() -> None:
    # pydantic looks for plugins (observers of every validation) by scanning the entry points of
    # every installed distribution, on the first model it builds: a cost on every command for no
    # use, since this process validates only its own models (a user's setting wins)
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "1")
    app()
