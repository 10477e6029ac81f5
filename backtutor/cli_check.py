"""The `check` command's steps: which sheets to read, grading them all (a sheet that cannot be
read is reported and skipped), and writing the reports in the chosen format."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from .outputs import write_atomic

if TYPE_CHECKING:
    from .check import Checker, Report
    from .solution import Solution


def report_error(message: str) -> None:
    """One error line on stderr."""
    from rich.console import Console

    Console(stderr=True, highlight=False, soft_wrap=True).print(f"error: {message}", markup=False)


class CheckFormat(StrEnum):
    terminal = "terminal"
    json = "json"
    markdown = "markdown"
    html = "html"


def grade_all(checker: Checker, paths: list[Path]) -> tuple[list[Report], int]:
    """Every sheet's report; a sheet that cannot be read or graded is reported and skipped."""
    from .check.batch import grade_all as outcomes

    reports, broken = [], 0
    for outcome in outcomes(checker, paths):
        if isinstance(outcome, str):
            broken += 1
            report_error(outcome)
        else:
            reports.append(outcome)
    return reports, broken


def emit_reports(
    reports: list[Report], sol: Solution, broken: int, format: CheckFormat, output: Path | None
) -> None:
    if format is CheckFormat.terminal and output is None:
        from rich.console import Console

        from .render.terminal_report import render_class, render_report

        out = Console(highlight=False)
        for report in reports if len(reports) <= 5 else []:
            out.print(render_report(report))
        if len(reports) > 1:
            out.print(render_class(reports, broken))
        return
    if format is CheckFormat.json:
        from .render.json_report import render_reports

        text = render_reports(reports)
    elif format is CheckFormat.html:
        from .render.report_html import render_reports_html

        text = render_reports_html(reports, sol, broken)
    else:
        from .render.report_markdown import render_reports_markdown

        text = render_reports_markdown(reports, sol, broken)
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, text)


def sheet_paths(sheets: list[Path]) -> list[Path]:
    from .errors import InputError

    paths: list[Path] = []
    for p in sheets:
        if p.is_dir():
            found = sorted(q for q in p.iterdir() if q.suffix in (".yaml", ".yml"))
            for q in found:
                if not q.is_file():  # a pipe or a device would hang or never end: report, skip
                    report_error(f"{q}: not a regular file; skipped")
            paths += [q for q in found if q.is_file()]
        elif p.exists():
            paths.append(p)
        else:
            raise InputError(f"{p}: no such file or folder")
    if not paths:
        raise InputError("no answer sheets found")
    return paths
