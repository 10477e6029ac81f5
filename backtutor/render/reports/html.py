"""Check reports as one self-contained HTML page: the same content as the Markdown report."""

from __future__ import annotations

from ...check import Report
from ...text import html as escape
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

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}"
    ".right{color:#080}.carried{color:#a60}.wrong{color:#c00}.undecided,.imprecise{color:#808}"
    "pre{background:#f6f6f6;padding:.5rem}"
)


def _row(cells: list[str], tag: str = "td") -> str:
    return "<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in cells) + "</tr>"


def sheet_html(report: Report, sol: AnswerKey) -> list[str]:
    out = [f"<h2>{escape(report.sheet or 'Answer sheet')}</h2>"]
    out.append(f"<p><strong>Score:</strong> {escape(report.summary)}.</p>")
    if report.scores:
        out.append("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in question_lines(report)) + "</ul>")
    out.append("<table>")
    placed = any(v.where for v in report.verdicts)  # a write-up's, or a sheet that says its lines
    out.append(_row(["where"] * placed + ["id", "your answer", "expected", "verdict", "explanation"], "th"))
    for v in report.verdicts:
        mark = f'<span class="{v.status}">{escape(MARKS[v.status])}</span>'
        out.append(_row([escape(at(v.where))] * placed + [f"<code>{escape(v.label)}</code>", escape(v.answer),
                         escape(v.expected), mark, escape(told(v))]))  # fmt: skip
    out.append("</table>")
    for w in first_errors(report, sol):
        v = w.verdict
        out.append(f"<h3><code>{escape(v.label)}</code>: {escape(told(v))}</h3>")
        out.append(f"<p>Your number: <strong>{escape(v.answer)}</strong>. The working:</p>")
        out.append("<pre>" + escape("\n".join(w.lines)) + "</pre>")
    if report.unmatched:
        out.append("<h3>Not graded</h3><ul>")
        out += [
            f"<li>{escape(at(u.where))}: {escape(not_graded(u))}: <code>{escape(u.text)}</code></li>"
            for u in report.unmatched
        ]
        out.append("</ul>")
    return out


def render_reports_html(reports: list[Report], sol: AnswerKey, broken: int = 0) -> str:
    name = escape(title(sol))
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">']
    out += [f"<title>Checked against: {name}</title><style>{STYLE}</style></head><body>"]
    out.append(f"<h1>Checked against: {name}</h1>")
    for r in reports:
        out += sheet_html(r, sol)
    if len(reports) > 1:
        unreadable = f", {broken} unreadable" if broken else ""
        score = ", ".join(f"{n} {what}" for what, n in totals(reports).items())
        out.append(f"<h2>Class: {len(reports)} sheets checked{unreadable}</h2><p>{escape(score)}</p><table>")
        out.append(_row(["step", "sheets with an error of their own"], "th"))
        out += [_row([f"<code>{escape(i)}</code>", str(n)]) for i, n in class_counts(reports)[:10]]
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
