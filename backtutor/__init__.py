"""backtutor: worked, checkable backpropagation from a small YAML problem file. The library: from
Python (a notebook, a script) all that the command line does.

>>> import backtutor
>>> sol = backtutor.solve("problems/q4.yaml")
>>> sol.step("dE_total/dw5").value
0.08216704056423078

A problem is a file's path, YAML text (a str with a line break) or a dict; every bad input raises
`InputError` with the message the CLI prints. Each function imports what it needs when called, so
`import backtutor` loads nothing heavy; what they give back shows itself in Jupyter and Colab.
"""

from __future__ import annotations

import functools
import sys
import types
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

__all__ = [
    "InputError",
    "check",
    "diff",
    "document",
    "explore",
    "graph",
    "load",
    "shapes",
    "solve",
    "solve_arrays",
    "template",
    "variants",
]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from typing import ParamSpec, TypeVar

    from .arrays.records import ArraySolution
    from .check.checked import Checked
    from .cnn.table import ShapeTable
    from .errors import InputError
    from .problem.array_records import ArrayProblem
    from .problem.records import Problem
    from .problem.sources import Source
    from .render.notebook.inline import Explore, GraphView
    from .solution import Solution
    from .solution.constraints import Variant

    _P = ParamSpec("_P")
    _R = TypeVar("_R")
    from .check.given import Given as Answers


class _Library(types.ModuleType):
    """`backtutor.check` stays the function, though a subpackage has that name too: importing a
    subpackage sets its package's attribute to it, which must not hide the function (the subpackage
    stays `sys.modules["backtutor.check"]`, where `from backtutor.check import …` finds it)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in __all__ and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Library


def __getattr__(name: str) -> Any:
    """`backtutor.InputError`, imported when first named (`import backtutor` imports no module)."""
    if name == "InputError":
        from .errors import InputError

        return InputError
    raise AttributeError(f"module 'backtutor' has no attribute {name!r}")


def _failing(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """Every bad input raises InputError with the CLI's message (the CLI reports ValueError and
    OSError alike; from Python, one exception type to catch)."""

    @functools.wraps(function)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        from .errors import InputError

        try:
            return function(*args, **kwargs)
        except InputError:
            raise
        except (ValueError, OSError) as e:
            raise InputError(str(e)) from None

    return wrapper


@_failing
def load(problem: Source) -> Problem:
    """The problem read and checked.

    >>> problem = backtutor.load("problems/q4.yaml")   # or YAML text, or a dict
    """
    from .problem.load import load as _load

    return _load(problem)


def _problem(problem: Problem | Source) -> Problem:
    from .problem.records import Problem

    return problem if isinstance(problem, Problem) else load(problem)


def _solution(solution: Solution | Problem | Source) -> Solution:
    from .solution import Solution

    return solution if isinstance(solution, Solution) else solve(solution)


@_failing
def solve(
    problem: Problem | Source,
    *,
    epochs: int | None = None,
    shown: Iterable[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Solution:
    """Work a problem: forward pass, chain rule, closed forms and updates. `shown`: the updates whose
    working to keep (default: every update of a one-epoch run, none of a longer one).

    >>> sol = backtutor.solve("problems/q4.yaml")
    >>> sol.step("dE_total/dw5").value
    0.08216704056423078
    """
    from .solution import solve as _solve

    return _solve(_problem(problem), epochs=epochs, shown=shown, progress=progress)


@_failing
def solve_arrays(
    problem: ArrayProblem | Source, *, epochs: int | None = None, shown: Iterable[int] | None = None
) -> ArraySolution:
    """Work a network of matrix layers with the array engine (NumPy, at course size): each step an
    array, by id (z1, delta2, dE/dW1, W1+, with @t when the run has several updates).

    >>> sol = backtutor.solve_arrays("problems/schiendorfer_matrix.yaml")
    >>> sol.step("dE/dW1").value[1]
    array([0.00142014, 0.00047338])
    """
    from .arrays.run import solve_arrays as _solve
    from .problem.array_network import load_arrays
    from .problem.array_records import ArrayProblem

    return _solve(
        problem if isinstance(problem, ArrayProblem) else load_arrays(problem), epochs=epochs, shown=shown
    )


@_failing
def document(solution: Solution, kind: str = "markdown", precision: int = 9, blank: bool = False) -> str:
    """The worked solution as a document: kind "markdown", "latex", "html" or "json" (the formats
    table's documents); `blank` for a worksheet.

    >>> text = backtutor.document(sol, "latex", blank=True)
    """
    from .render.formats import documents, find, listed

    if kind not in documents():
        raise ValueError(f"no document kind {kind!r}; use {listed(documents())}")
    return str(find("solve", kind).load()(solution, precision, blank=blank))


@_failing
def check(
    problem: Problem | Source, answers: Answers, *, rtol: float | None = None, atol: float | None = None
) -> Checked:
    """Check one student's answers: right, carried forward, or wrong with the likely slip. `answers`:
    a dict of step id → answer, a sheet's YAML text, a student's Markdown (their equations as they
    write them), or a file's path: a YAML sheet or a write-up (.md, .tex, .txt, .ipynb); or a
    student's NumPy arrays, a dict of step id (or dW1, grad_W1, …) → array or an .npz's path. For an
    architecture (a CNN's table): a dict of id → answer ("conv1.output": "24x24x20"), a sheet's YAML,
    a Markdown table's text, or their file's path.

    >>> report = backtutor.check("problems/q4.yaml", {"dE_total/dw5": 0.0822, "w5+": 0.3589})
    >>> report.summary
    '2/2 right, 0 own errors, 0 carried forward'
    """
    from .check import Checker
    from .check.arrays import check_arrays, is_array_sheet, worked
    from .check.checked import Checked
    from .check.cnn.grade import ShapeChecker
    from .check.given import grade_shapes, read_given
    from .cnn.table import ShapeTable
    from .problem.load import load_answer_key
    from .problem.records import Problem
    from .problem.sources import source_name
    from .solution import solve_by_hand

    if is_array_sheet(answers):  # a student's NumPy arrays: against the array engine's working
        arrays = worked(problem.path if isinstance(problem, Problem) else problem)
        return Checked(check_arrays(arrays, answers, (rtol, atol)), arrays)
    key = problem if isinstance(problem, Problem) else load_answer_key(problem)
    if isinstance(key, ShapeTable):  # an architecture: its table's shapes and counts
        assert not isinstance(problem, Problem)
        checker = ShapeChecker(key, source_name(problem))
        return Checked(grade_shapes(answers, checker), checker.key)
    sol = solve_by_hand(key)
    sheet = read_given(answers, sol)
    return Checked(Checker(sol, rtol, atol).grade(sheet.answers, sheet.name, sheet.unmatched), sol)


@_failing
def template(problem: Problem | Source, phases: str = "forward,backward,update") -> str:
    """A blank answer sheet (YAML): every step id in working order, with what it is; for a network
    the array engine works, a Python script that saves a student's arrays for `check`.

    >>> print(backtutor.template("problems/q4.yaml", phases="backward"))
    # Answer sheet: Step-by-step backpropagation (2-2-2 sigmoid network)
    ...
    "dE_total/dout_o1": ~  # ∂E_total/∂out_o1 = −(target_o1 − out_o1)
    ...
    """
    from .problem.records import Problem
    from .render.documents.sheet import blank_sheet, parse_phases
    from .solution import solve_by_hand

    if not isinstance(problem, Problem):
        from .problem.engines import worked_by_arrays
        from .problem.sources import read_source

        if worked_by_arrays(*read_source(problem)[:2]):
            from .check.arrays import worked
            from .render.documents.array_sheet import array_sheet

            return array_sheet(worked(problem), parse_phases(phases))
    return blank_sheet(solve_by_hand(_problem(problem)), parse_phases(phases))


@_failing
def shapes(problem: Source) -> ShapeTable:
    """A CNN's output shape, parameters and multiply-adds per layer, and the totals.

    >>> backtutor.shapes("problems/lenet5.yaml").params
    61706
    """
    from .problem.load import load_shapes

    return load_shapes(problem)


@_failing
def diff(formula: str, wrt: str | Iterable[str], at: Mapping[str, Any] | str | None = None) -> Solution:
    """Differentiate one formula by the chain rule, each intermediate named; `wrt`: "w1" or
    "w1,w2"; `at`: the point, as {"w1": 0.5, "x": 1} or "w1=0.5,x=1" (else no numbers).

    >>> d = backtutor.diff("w2*sigmoid(w1*x)", "w1", at="w1=0.5,w2=2,x=1")
    """
    from .problem.one_formula import parse_point
    from .solution.derive import derive

    names = [wrt] if isinstance(wrt, str) else list(wrt)
    chosen = [v.strip() for item in names for v in item.split(",") if v.strip()]
    items = [at] if isinstance(at, str) else [f"{k}={v}" for k, v in (at or {}).items()]
    return derive(formula, chosen, parse_point(items) if items else None)


@_failing
def variants(
    problem: Source,
    *,
    count: int | None = None,
    roster: str | Path | None = None,
    seed: int | None = None,
) -> list[Variant]:
    """One problem per student from the file's `variants:` section (the same network, other numbers),
    each with its Solution; `count` numbered students or a `roster` CSV; the same every time for the
    same seed and student id. To write each student's files, run `backtutor variants`.

    >>> class_ = backtutor.variants("problems/relu_class.yaml", count=30, seed=7)
    >>> sheet = backtutor.document(class_[0].solution, "markdown", blank=True)
    """
    from .problem.roster import numbered, read_roster
    from .problem.variants import read_base, seed_for
    from .solution.constraints import variant_for

    if (roster is None) == (count is None):
        raise ValueError("give either roster='students.csv' or count=N")
    students = read_roster(roster) if roster is not None else numbered(count or 0)
    base = read_base(problem)
    chosen = seed_for(base, seed)
    return [variant_for(base, student, chosen, "problem.yaml") for student in students]


@_failing
def explore(solution: Solution | Problem | Source, precision: int = 9) -> Explore:
    """The explore page, shown inline in a notebook: step through the working on the graph with ← →.
    `.page` is the page, to save as an .html file.

    >>> backtutor.explore(sol)
    Explore(page='<!DOCTYPE html>...', height=640)
    """
    from .render.documents.explore import render
    from .render.notebook.inline import Explore

    return Explore(render(_solution(solution), precision))


@_failing
def graph(
    solution: Solution | Problem | Source, *, path: str | None = None, update: int = 1, precision: int = 4
) -> GraphView:
    """The computational graph with each node's value and gradient, shown as SVG in a notebook (with
    Graphviz installed); `path` highlights a gradient's paths; `.dot` is its DOT text.

    >>> backtutor.graph(sol, path="dE_total/dw1")
    GraphView(dot='digraph backtutor {...')
    """
    from .render.documents.dot import render
    from .render.notebook.inline import GraphView

    sol = _solution(solution)
    if update not in sol.shown:
        shown = ", ".join(map(str, sol.shown)) or "none"
        raise ValueError(f"update {update} was not worked (worked: {shown}); solve with shown=[{update}]")
    return GraphView(render(sol, precision, path, update))
