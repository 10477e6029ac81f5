"""The commands on a network the array engine works (a matrix network at course size, a convolutional
network on one image): `solve`'s options on its working (--view matrix, --only by step id, --plot),
`graph`'s node per array, and, for the commands that work number by number, the one sentence that
says why not and what to use instead (the REFUSALS table)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .common import emit
from .outputs import write_atomic

if TYPE_CHECKING:
    from ..arrays.records import ArraySolution
    from ..problem.array_conv import ArrayConvProblem
    from ..problem.array_records import ArrayProblem

# what each number-by-number command says of a file the array engine works, and what to use instead
REFUSALS = {
    "explore": "explore steps through a graph of single numbers; {file} is worked by the array engine: "
    "`backtutor solve {file} -f html -o page.html` writes its working per layer as one page",
    "quiz": "quiz asks for single numbers of the working; {file} is worked by the array engine: "
    "`backtutor template {file}` lists the arrays a student computes and `backtutor check {file} "
    "answers.npz` grades them",
    "variants": "variants changes the numbers of a number-by-number problem's `variants:` section; "
    "{file} is worked by the array engine: give each student a copy with another init seed or data file",
}

# solve's options that only the number-by-number working has, and why (the array engine's working
# is already the matrix form)
NUMBER_BY_NUMBER = {
    "--blank": "--blank leaves a blank for every number, useless at this size: `backtutor template "
    "{file}` lists the arrays to fill in (id, shape) and how to save them for `check`",
    "--view scalar": "--view scalar shows one step per number; this network is worked by the array "
    "engine, whose working is its matrix form (--view matrix, the default)",
    "--simplify": "--simplify simplifies closed forms of the number-by-number working; the array "
    "engine's formulas are matrix forms already",
}


def by_arrays(file: Path) -> bool:
    """`solve` works the file with the array engine (engines.worked_by_arrays)."""
    from ..problem.engines import worked_by_arrays
    from ..problem.sources import read_source

    name, raw, _ = read_source(file)
    return worked_by_arrays(name, raw)


def refuse_arrays(command: str, file: Path) -> None:
    """An InputError with REFUSALS' sentence when `file` is worked by the array engine; nothing
    otherwise."""
    from ..errors import InputError

    if by_arrays(file):
        raise InputError(REFUSALS[command].format(file=file))


def graph_arrays(file: Path, precision: int, update: int) -> str:
    """`graph` on a network the array engine works: DOT text of update `update`'s arrays."""
    from ..arrays.conv_run import solve_conv
    from ..arrays.run import ArrayPlan, solve_arrays
    from ..errors import InputError
    from ..problem.array_conv import conv_arrays_of
    from ..problem.array_network import arrays_of
    from ..problem.engines import is_conv_arrays_file
    from ..problem.sources import read_source
    from ..render.documents.dot_arrays import render_arrays

    name, raw, lines = read_source(file)
    if is_conv_arrays_file(raw):
        if update > 1:
            raise InputError(f"--update: update {update} does not exist (this run has 1)")
        return render_arrays(solve_conv(conv_arrays_of(name, raw, lines)), precision)
    problem = arrays_of(name, raw, lines)
    plan = ArrayPlan.of(problem)
    if update > plan.updates:
        raise InputError(f"--update: update {update} does not exist (this run has {plan.updates})")
    epochs = -(-update // len(plan.batches)) if plan.training else None  # the epoch update t is in
    return render_arrays(solve_arrays(problem, epochs, (update,)), precision, update)


def solve_with_arrays(
    problem: ArrayProblem | ArrayConvProblem,
    format: str,
    precision: int,
    options: Mapping[str, object],
    output: Path | None,
    plot: Path | None,
) -> None:
    """A network worked by the array engine, in one of its formats (npz to a file only); `options`:
    --epochs, --steps, --only and those of NUMBER_BY_NUMBER, by name."""
    from ..errors import InputError
    from ..render.formats import find

    used = next((o for o in NUMBER_BY_NUMBER if options.get(o)), None)
    if used:
        raise InputError(NUMBER_BY_NUMBER[used].format(file=problem.path))
    if format == "npz" and output is None:
        raise InputError("-f npz writes a binary file: give it with -o FILE.npz")
    sol = _worked(problem, options.get("--epochs"), options.get("--steps"), plot)
    only = options.get("--only")
    if isinstance(only, str) and only:
        sol = only_array_steps(sol, only)
    content = find("arrays", format).load()(sol, min(precision, 9))
    if isinstance(content, bytes):
        assert output is not None
        write_atomic(output, content)
    else:
        emit(content, output)
    if plot:
        from ..render.documents.plot import loss_curve

        write_atomic(plot, loss_curve(sol, plot.suffix.lstrip(".").lower()))


def _worked(
    problem: ArrayProblem | ArrayConvProblem, epochs: object, steps: object, plot: Path | None
) -> ArraySolution:
    """The run, its --epochs and --steps read (and --plot checked before it starts)."""
    from ..arrays.conv_run import solve_conv
    from ..arrays.run import ArrayPlan, solve_arrays
    from ..errors import InputError
    from ..problem.array_conv import ArrayConvProblem
    from .runs import check_plot, parse_steps

    if isinstance(problem, ArrayConvProblem):  # one SGD step on one image
        if epochs or steps:
            raise InputError(
                "--epochs and --steps: a convolutional network is worked for one step on its image"
            )
        if plot:
            check_plot(plot, 1)
        return solve_conv(problem)
    n = epochs if isinstance(epochs, int) else None
    plan = ArrayPlan.of(problem, n)
    if plot:
        if not plan.training:
            raise InputError("--plot draws the loss per epoch: this network has no training")
        check_plot(plot, plan.epochs)
    shown = parse_steps(steps, plan.updates) if isinstance(steps, str) and steps else None
    return solve_arrays(problem, n, shown)


def only_array_steps(sol: ArraySolution, only: str) -> ArraySolution:
    """The working's steps named by --only (ids as -f json and -f npz write them, comma-separated,
    or the names course code uses: dW1, A1, …); an unknown one gets the list of the known ids."""
    from ..check.arrays.names import step_id
    from ..errors import InputError

    if not sol.steps:
        raise InputError("--only: this run shows no update's working; add --steps (e.g. --steps 1,last)")
    chosen: set[str] = set()
    for name in (part.strip() for part in only.split(",")):
        found = name if name in sol else step_id(name, sol)
        if found is None:
            shown = name if len(name) <= 40 else name[:40] + "…"
            raise InputError(f"--only: no step {shown!r}; the steps are {_known(sol)}")
        base = found.partition("@")[0]  # z1 in a run of several updates: z1@t of each one shown
        chosen.update([found] if "@" in name else (s.id for s in sol.steps if s.id.partition("@")[0] == base))
    return replace(sol, steps=tuple(s for s in sol.steps if s.id in chosen))


def _known(sol: ArraySolution) -> str:
    """The ids of the first shown update's steps (with how later updates' ids read)."""
    first = sol.steps[0].update
    ids = ", ".join(s.id for s in sol.steps if s.update == first)
    return ids + (" (and @t for update t)" if len(sol.shown) > 1 or sol.updates > 1 else "")
