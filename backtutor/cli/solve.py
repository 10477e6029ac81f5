"""The `solve` command's steps (also used by `explore`): which updates to show, the working for
`--only`, the renderer for a format and view, the progress bar; a network the array engine works
goes to arrays.py."""

from __future__ import annotations

import difflib
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import (
    TO_TERMINAL,
    EpochsOpt,
    OutputOpt,
    PrecisionOpt,
    ProblemArg,
    SolveFormatOpt,
    emit,
    failing,
)
from .outputs import check_output, write_atomic
from .runs import check_plot, parse_steps

if TYPE_CHECKING:
    from ..solution import Plan, Solution, Step


class View(StrEnum):
    scalar = "scalar"
    matrix = "matrix"


class Engine(StrEnum):
    auto = "auto"
    scalar = "scalar"
    arrays = "arrays"


def shown_updates(spec: str | None, plan: Plan) -> set[int] | None:
    """--steps as update numbers, each one of the run's (None: the plan's default)."""
    from ..errors import InputError

    if not spec:
        return None
    shown = parse_steps(spec, plan.updates)
    bad = sorted(t for t in shown if not 1 <= t <= plan.updates)
    if bad:
        raise InputError(f"--steps: update {bad[0]} does not exist (this run has {plan.updates})")
    return shown


def only_steps(sol: Solution, only: str | None) -> list[Step] | None:
    """The working that leads to the --only step id (None: all of it)."""
    from ..errors import InputError

    if not only:
        return None
    ids = [s.id for s in sol.steps]
    if only not in ids:
        from ..check import canonical_id
        from ..check.names import NameMap

        names, loss = NameMap(sol.graph.nodes), sol.graph.loss
        written, only = only, canonical_id(only, set(ids), loss, names, loss_aliases=False) or only  # W1[1,2]
        name = names.resolve(written)
        if only not in ids and name is not None:  # W1[1,2] is W1_12, a parameter: say which steps it has
            shown = written if len(written) <= 60 else written[:60] + "…"
            steps = [i for i in ids if i.startswith((f"{name}+", f"{name}@", f"d{loss}/d{name}"))][:3]
            hint = f"; its steps: {', '.join(steps)}" if steps else ""
            raise InputError(f"--only: {shown!r} is {name}, which is not a step{hint}")
    if only not in ids:
        close = difflib.get_close_matches(only[:200], ids, n=3)
        hint = f"; closest: {', '.join(close)}" if close else ""
        shown = only if len(only) <= 60 else only[:60] + "…"
        raise InputError(f"--only: no step with id {shown!r}{hint}")
    return sol.working_for(only)


def render(
    sol: Solution,
    format: str,
    precision: int,
    chosen: list[Step] | None,
    blank: bool,
    simplify: bool = False,
) -> object:
    """The solution in the chosen format (a row of the formats table): JSON text, rich renderables,
    or a document's text. The terminal shows closed forms simplified by SymPy only with `simplify`
    (documents always do)."""
    from ..render.formats import find

    row = find("solve", format)
    if row.blank:
        return row.load()(sol, precision, chosen, blank=blank)
    if row.terminal:
        return row.load()(sol, precision, chosen, simplify)
    return row.load()(sol, precision, chosen)


def render_matrix(sol: Solution, format: str, precision: int, only: str | None, blank: bool) -> str:
    """--view matrix: the vectorised working (matrix/view.py) in the chosen format."""
    from ..errors import InputError
    from ..matrix.view import matrix_view
    from ..render.formats import find

    if only or blank:
        raise InputError("--view matrix shows the whole working: without --only or --blank")
    steps = matrix_view(sol)
    row = find("matrix", format)
    text: str = row.load()(sol, steps) if format == "json" else row.load()(sol, steps, precision)
    return text


def progress_bar(enabled: bool) -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    """A progress bar on stderr for long runs: the solver's callback (epochs done, epochs in all)
    and the function that removes the bar."""
    if not enabled or not sys.stderr.isatty():
        return None, lambda: None
    from rich.progress import Progress

    bar = Progress(transient=True, console=None)
    bar.start()
    task = bar.add_task("training", total=None)

    def update(epoch: int, total: int) -> None:
        if epoch % 100 == 0 or epoch == total:
            bar.update(task, completed=epoch, total=total)

    return update, bar.stop


def solve(
    file: ProblemArg,
    format: SolveFormatOpt = TO_TERMINAL,
    precision: PrecisionOpt = 9,
    only: Annotated[
        str | None,
        typer.Option(
            help="Show only the working that leads to this step id (array engine: the steps of these "
            "ids, comma-separated)."
        ),
    ] = None,
    epochs: EpochsOpt = None,
    steps: Annotated[
        str | None, typer.Option(help="Update steps whose working to show: 1,3,5-7, last or all.")
    ] = None,
    output: OutputOpt = None,
    blank: Annotated[
        bool,
        typer.Option(
            "--blank", help="Worksheet: no computed number or closed form (markdown, latex, html, json)."
        ),
    ] = False,
    plot: Annotated[
        Path | None, typer.Option(help="Draw the loss per epoch to this .png/.svg/.pdf (needs matplotlib).")
    ] = None,
    view: Annotated[
        View | None,
        typer.Option(
            help="scalar: one step per number; matrix: per layer, vectors and matrices. "
            "[default: matrix for a problem without a loss (maps), scalar otherwise]"
        ),
    ] = None,
    simplify: Annotated[
        bool, typer.Option("--simplify", help="Terminal: also simplify each closed form with SymPy (slower).")
    ] = False,
    engine: Annotated[
        Engine,
        typer.Option(
            help="auto: NumPy's array engine for a matrix network too large to work by hand (or with "
            "init, sizes or array data), else number by number (scalar)."
        ),
    ] = Engine.auto,
) -> None:
    """Work a problem: forward pass, chain rule for every parameter, closed forms and SGD updates."""
    from ..errors import InputError
    from ..problem.engines import engine_for, is_conv_arrays_file
    from ..problem.load import load_data
    from ..problem.sources import read_source
    from ..render.formats import documents, listed, names
    from ..solution import Plan
    from ..solution import solve as run

    with failing():
        check_output(output, (file,))
        check_output(plot, (file, *([output] if output else [])))
        name, raw, lines = read_source(file)
        conv = is_conv_arrays_file(raw)  # a convolutional network on one image (lenet5_image.yaml)
        if conv or engine_for(name, raw, engine) == "arrays":
            from ..problem.array_conv import conv_arrays_of
            from ..problem.array_network import arrays_of
            from .arrays import solve_with_arrays

            options = {"--epochs": epochs, "--steps": steps, "--only": only, "--blank": blank}
            options |= {"--view scalar": view is View.scalar, "--simplify": simplify}
            network = conv_arrays_of(name, raw, lines) if conv else arrays_of(name, raw, lines)
            solve_with_arrays(network, format, precision, options, output, plot)
            return
        if format not in names("solve"):
            raise InputError(
                f"-f {format} holds the array engine's arrays: a matrix network (--engine arrays)"
            )
        if blank and format not in documents():
            raise InputError(f"--blank makes a worksheet document: use it with -f {listed(documents())}")
        problem = load_data(name, raw, lines)
        if epochs is not None:
            problem.require_loss("--epochs")
        plan = Plan.of(problem, epochs)
        if plot:
            problem.require_loss("--plot")
            check_plot(plot, plan.epochs)
        shown = shown_updates(steps, plan)
        progress, done = progress_bar(plan.updates > 5000 and output is None and format == "terminal")
        try:
            sol = run(problem, epochs=epochs, shown=shown, progress=progress)
        finally:
            done()
        if view is None:  # a problem without a loss is its maps: as matrices, unless one step is asked
            view = View.matrix if problem.forward_only and not (only or blank) else View.scalar
        if view is View.matrix:
            emit(render_matrix(sol, format, precision, only, blank), output)
        else:
            emit(render(sol, format, precision, only_steps(sol, only), blank, simplify), output)
        if plot:
            from ..render.documents.plot import loss_curve

            write_atomic(plot, loss_curve(sol, plot.suffix.lstrip(".").lower()))
