"""Check reports for a terminal, with rich: one table per sheet, and a summary for a class."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..check import Report
from .report import MARKS, class_counts, totals

_STYLE = {"right": "green", "carried": "yellow", "wrong": "red", "undecided": "magenta"}


def render_report(report: Report) -> RenderableType:
    table = Table(title=report.sheet or None, title_justify="left")
    for name in ("id", "your answer", "expected", "verdict", "explanation"):
        table.add_column(name, overflow="fold")
    for v in report.verdicts:
        table.add_row(
            v.id, v.answer, v.expected, Text(MARKS[v.status], style=_STYLE[v.status]), v.explanation
        )
    summary = Text(f"Score: {report.summary}", style="bold")
    if report.first_error:
        summary.append(f"; first error: {report.first_error.id}", style="red")
        if report.first_error.explanation:
            summary.append(f" ({report.first_error.explanation})")
    return Group(table, summary)


def render_class(reports: list[Report], broken: int) -> RenderableType:
    """The class's score, and which steps it got wrong most (errors of their own, not carried ones)."""
    table = Table(title=f"{len(reports)} sheets checked" + (f", {broken} unreadable" if broken else ""))
    table.add_column("step")
    table.add_column("sheets with an error of their own", justify="right")
    for step_id, n in class_counts(reports)[:10]:
        table.add_row(step_id, str(n))
    score = ", ".join(f"{n} {what}" for what, n in totals(reports).items())
    return Group(table, Text(f"Class: {score}", style="bold"))
