"""Check reports as Markdown: per sheet the score, the table, and the correct working of the first
error of each kind next to the student's number; a class summary when there are several sheets.
Everything from a sheet (its name, keys, answers) is escaped: a viewer that renders HTML runs none."""

from __future__ import annotations

from ...check import Report
from ...text import markdown, markdown_code
from .common import (
    MARKS,
    AnswerKey,
    at,
    class_counts,
    first_errors,
    not_graded,
    question_lines,
    title,
    told,
    totals,
)


def sheet_markdown(report: Report, sol: AnswerKey) -> list[str]:
    lines = [
        f"## {markdown(report.sheet or 'Answer sheet')}",
        "",
        f"**Score:** {markdown(report.summary)}.",
        "",
        *(f"- {markdown(line)}" for line in question_lines(report)),
        *([""] if report.scores else []),
    ]
    placed = any(v.where for v in report.verdicts)  # a write-up's, or a sheet that says its lines
    head = ["where"] * placed + ["id", "your answer", "expected", "verdict", "explanation"]
    lines += ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for v in report.verdicts:
        cells = (v.answer, v.expected, MARKS[v.status], told(v))
        row = [markdown(at(v.where)) or " "] * placed + [markdown_code(v.label)]
        lines.append("| " + " | ".join(row + [markdown(c) or " " for c in cells]) + " |")
    for w in first_errors(report, sol):
        v = w.verdict
        lines += [
            "",
            f"### {markdown_code(v.label)}: {markdown(told(v))}",
            "",
            f"Your number: **{markdown(v.answer)}**. The working:",
            "",
        ]
        lines += ["```", *w.lines, "```"]
    if report.unmatched:
        lines += ["", "### Not graded", ""]
        lines += [
            f"- {markdown(at(u.where))}: {markdown(not_graded(u))}: {markdown_code(u.text)}"
            for u in report.unmatched
        ]
    return lines


def render_reports_markdown(reports: list[Report], sol: AnswerKey, broken: int = 0) -> str:
    name = title(sol)
    lines = [f"# Checked against: {markdown(name)}", ""]
    for r in reports:
        lines += [*sheet_markdown(r, sol), ""]
    if len(reports) > 1:
        unreadable = f", {broken} unreadable" if broken else ""
        lines += [f"## Class: {len(reports)} sheets checked{unreadable}", ""]
        lines += ["- " + ", ".join(f"{n} {what}" for what, n in totals(reports).items()), ""]
        lines += ["| step | sheets with an error of their own |", "|---|---|"]
        lines += [f"| {markdown_code(i)} | {n} |" for i, n in class_counts(reports)[:10]]
    return "\n".join(lines).rstrip() + "\n"
