"""A checked sheet in a notebook: the report as `check -f markdown` and `-f html` lay it out (the
score, each answer's verdict, the working of each first error), and as plain text its lines."""

from __future__ import annotations

from ...check.checked import Checked
from ...text import visible
from ..reports import html, markdown
from ..reports.common import MARKS
from .forms import Forms, html_block


def report_forms(checked: Checked) -> Forms:
    report, sol = checked.report, checked.solution
    return Forms(
        lambda: plain(checked),
        lambda: markdown.render_reports_markdown([report], sol),
        lambda: html_block(html.STYLE, html.sheet_html(report, sol)),
    )


def plain(checked: Checked) -> str:
    """The score, then a line per answer: its verdict, and why when it is not right."""
    report = checked.report
    lines = [visible(f"{report.sheet or 'Answer sheet'}: {report.summary}")]
    for v in report.verdicts:
        why = f" ({v.explanation})" if v.status != "right" and v.explanation else ""
        lines.append(visible(f"  {MARKS[v.status]}  {v.label} = {v.answer}{why}"))
    return "\n".join(lines)
