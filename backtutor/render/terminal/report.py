"""Check reports for a terminal, with rich: one line per answer, and a summary for a class.

Answers are laid out as the worked solution's steps are (`terminal.py`), not by a rich Table: a
table of a few thousand rows took seconds to measure. The id stands in a dim column; the answer,
the verdict, the expected value when it is not right, and the explanation wrap beside it.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from ...check import Report, Verdict
from ...text import terminal
from ..reports.common import MARKS, class_counts, not_graded, question_lines, short, told, totals
from .solution import Run, labelled, segments, wrapped

_STYLE = {"right": "green", "carried": "yellow", "wrong": "red", "imprecise": "cyan", "undecided": "magenta"}
_ANSWER = _BOLD = Style(bold=True)
_DIM = Style(dim=True)


class _Verdicts:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.label = max((cell_len(terminal(v.label)) for v in report.verdicts), default=0)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        if self.report.sheet:
            yield from segments(wrapped([(terminal(self.report.sheet), Style(bold=True))], width), 0)
        for v in self.report.verdicts:
            yield from self._verdict(v, width)
        if self.report.unmatched:
            yield from segments(
                wrapped([("Not graded (no step was found for these lines):", _BOLD)], width), 0
            )
        for u in self.report.unmatched:
            runs: list[Run] = [(short(u.where) + ":", _DIM), (f" {not_graded(u)}: ", None)]
            yield from segments(wrapped([*runs, (terminal(u.text), _ANSWER)], width), 0)

    def _verdict(self, v: Verdict, width: int) -> Iterator[Segment]:
        yield from labelled(terminal(v.label), self.label, verdict_runs(v), width)[0]


def verdict_runs(v: Verdict) -> list[Run]:
    """The answer, its mark, the expected value when it is not right, the explanation; what came from
    the sheet made visible (an escape sequence in an answer could forge another verdict)."""
    runs: list[Run] = [
        (terminal(v.answer), _ANSWER),
        ("  ", None),
        (MARKS[v.status], Style.parse(_STYLE[v.status])),
    ]
    if v.status not in ("right", "imprecise"):  # too few digits: not judged, the value not given away
        runs.append((f" (expected {terminal(v.expected)})", None))
    if v.explanation:
        runs.append((f": {terminal(v.explanation)}", None))
    if v.diagnosis and v.diagnosis not in v.explanation:
        runs.append((f" [{terminal(v.diagnosis)}]", _DIM))
    if v.where:  # in its sheet, whose name heads the report
        runs.append((f"  ({short(v.where)})", _DIM))
    return runs


def render_report(report: Report) -> RenderableType:
    note = [Text(f"Note: {terminal(report.note)}", style="bold red")] if report.note else []
    questions = [Text(f"  {terminal(line)}") for line in question_lines(report)]
    return Group(_Verdicts(report), *questions, score_line(report), *note)


def score_line(report: Report) -> Text:
    """Score: the counts, and the first error of the student's own with its explanation."""
    summary = Text(f"Score: {report.summary}", style="bold")
    if report.first_error:
        summary.append(f"; first error: {terminal(report.first_error.label)}", style="red")
        if report.first_error.explanation:
            summary.append(f" ({terminal(told(report.first_error))})")
    return summary


def render_class(reports: list[Report], broken: int) -> RenderableType:
    """The class's score, and which steps it got wrong most (errors of their own, not carried ones)."""
    table = Table(title=f"{len(reports)} sheets checked" + (f", {broken} unreadable" if broken else ""))
    table.add_column("step")
    table.add_column("sheets with an error of their own", justify="right")
    for step_id, n in class_counts(reports)[:10]:
        table.add_row(Text(terminal(step_id)), str(n))
    score = ", ".join(f"{n} {what}" for what, n in totals(reports).items())
    return Group(table, Text(f"Class: {score}", style="bold"))
