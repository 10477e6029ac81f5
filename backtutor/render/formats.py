"""The output formats, one row each: what it serves, which function renders it, whether it is a document
that takes `--blank`, its file suffix. The CLI's format choices, `backtutor.document()` and the tests read
this table, so a new format is its module plus one row. A row names its renderer by a dotted path and
imports it only when used: `backtutor --help` must not pay for NumPy, SymPy or rich."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any, Literal

# a Solution, the matrix view (`--view matrix`), the array engine's working (a matrix network at size),
# a check report, a write-up handed back marked (`check -f markdown|html` on one free-text sheet)
Serves = Literal["solve", "matrix", "arrays", "check", "marked"]


@dataclass(frozen=True)
class OutputFormat:
    """One row of the output-format table: what `-f` accepts and which renderer (loaded lazily) writes it."""

    name: str  # as `-f` spells it
    serves: Serves
    renderer: str  # "module:function", relative to backtutor.render
    blank: bool = False  # a document that can leave its numbers blank (a worksheet)
    suffix: str = ""  # of a file in this format ("" for the terminal)

    @property
    def module(self) -> str:
        return f"backtutor.render.{self.renderer.partition(':')[0]}"

    @property
    def terminal(self) -> bool:
        """Drawn with rich: the only rows whose module may import it."""
        return self.module.startswith("backtutor.render.terminal.")

    def load(self) -> Callable[..., Any]:
        """The rendering function, its module imported now."""
        function: Callable[..., Any] = getattr(import_module(self.module), self.renderer.partition(":")[2])
        return function


FORMATS = (
    OutputFormat("terminal", "solve", "terminal.solution:render"),
    OutputFormat("json", "solve", "documents.json:render", blank=True, suffix=".json"),
    OutputFormat("markdown", "solve", "documents.markdown:render", blank=True, suffix=".md"),
    OutputFormat("latex", "solve", "documents.latex:render", blank=True, suffix=".tex"),
    OutputFormat("html", "solve", "documents.html:render", blank=True, suffix=".html"),
    OutputFormat("terminal", "matrix", "documents.matrix_text:render_text"),
    OutputFormat("json", "matrix", "documents.matrix_text:render_json", suffix=".json"),
    OutputFormat("markdown", "matrix", "documents.matrix:render_markdown", suffix=".md"),
    OutputFormat("latex", "matrix", "documents.matrix:render_latex", suffix=".tex"),
    OutputFormat("html", "matrix", "documents.matrix:render_html", suffix=".html"),
    OutputFormat("terminal", "arrays", "documents.arrays:render_text"),
    OutputFormat("json", "arrays", "documents.arrays:render_json", suffix=".json"),
    OutputFormat("markdown", "arrays", "documents.arrays:render_markdown", suffix=".md"),
    OutputFormat("latex", "arrays", "documents.arrays:render_latex", suffix=".tex"),
    OutputFormat("html", "arrays", "documents.arrays:render_html", suffix=".html"),
    OutputFormat("npz", "arrays", "documents.arrays:render_npz", suffix=".npz"),  # bytes: needs -o
    OutputFormat("terminal", "check", "terminal.report:render_report"),
    OutputFormat("json", "check", "reports.json:render_reports", suffix=".json"),
    OutputFormat("markdown", "check", "reports.markdown:render_reports_markdown", suffix=".md"),
    OutputFormat("html", "check", "reports.html:render_reports_html", suffix=".html"),
    OutputFormat("gradescope", "check", "reports.gradescope:render_results", suffix=".json"),
    OutputFormat("markdown", "marked", "reports.marked:render_marked_markdown", suffix=".md"),
    OutputFormat("html", "marked", "reports.marked:render_marked_html", suffix=".html"),
)


def serving(serves: Serves) -> tuple[OutputFormat, ...]:
    return tuple(f for f in FORMATS if f.serves == serves)


def names(serves: Serves) -> tuple[str, ...]:
    """The `-f` choices of what `serves`, in the table's order."""
    return tuple(f.name for f in serving(serves))


def documents() -> tuple[str, ...]:
    """The formats of a worked solution that take `--blank` (a worksheet)."""
    return tuple(f.name for f in serving("solve") if f.blank)


def listed(choices: tuple[str, ...]) -> str:
    """ "markdown, latex or html": choices as an error message lists them."""
    return " or ".join((", ".join(choices[:-1]), choices[-1])) if len(choices) > 1 else "".join(choices)


def find(serves: Serves, name: str) -> OutputFormat:
    """The row of `name`; a ValueError naming the choices when there is none."""
    for f in serving(serves):
        if f.name == name:
            return f
    raise ValueError(f"no {serves} format {name!r}; use {listed(names(serves))}")
