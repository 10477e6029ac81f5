"""Check reports as Markdown: per sheet the score, the table, and the correct working of the first
error of each kind next to the student's number; a class summary when there are several sheets."""

from __future__ import annotations

from ..check import Report
from ..solution import Solution
from .report import MARKS, class_counts, first_errors, totals


def _cell(s: str) -> str:
    return s.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ") or " "


def sheet_markdown(report: Report, sol: Solution) -> list[str]:
    lines = [f"## {report.sheet or 'Answer sheet'}", "", f"**Score:** {report.summary}.", ""]
    lines += ["| id | your answer | expected | verdict | explanation |", "|---|---|---|---|---|"]
    for v in report.verdicts:
        cells = (f"`{v.label}`", v.answer, v.expected, MARKS[v.status], v.explanation)
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    for w in first_errors(report, sol):
        v = w.verdict
        lines += [
            "",
            f"### `{v.label}`: {v.explanation}",
            "",
            f"Your number: **{v.answer}**. The working:",
            "",
        ]
        lines += ["```", *w.lines, "```"]
    return lines


def render_reports_markdown(reports: list[Report], sol: Solution, broken: int = 0) -> str:
    title = sol.problem.title or sol.problem.path
    lines = [f"# Checked against: {title}", ""]
    for r in reports:
        lines += [*sheet_markdown(r, sol), ""]
    if len(reports) > 1:
        unreadable = f", {broken} unreadable" if broken else ""
        lines += [f"## Class: {len(reports)} sheets checked{unreadable}", ""]
        lines += ["- " + ", ".join(f"{n} {what}" for what, n in totals(reports).items()), ""]
        lines += ["| step | sheets with an error of their own |", "|---|---|"]
        lines += [f"| `{i}` | {n} |" for i, n in class_counts(reports)[:10]]
    return "\n".join(lines).rstrip() + "\n"
