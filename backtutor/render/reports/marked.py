"""A free-text sheet handed back marked, the page a TA returns: the student's own document, line by
line, with after each recognised equation its verdict (✓ right, ↷ carried forward and from which line,
✗ with the expected value and the slip), then the lines that were not graded.

A pure function of the Writeup and its Report. The student's lines are shown as they were written,
numbered, in code blocks (Markdown) or `<pre>` (HTML): their LaTeX and Markdown are not run, and what
came from the sheet goes through text.py's escaping for the output.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...check import Report, Verdict
from ...check.places import Place
from ...check.writeup.records import Writeup
from ...text import html, markdown, markdown_block, markdown_code
from .common import MARKS, not_graded, short, told

SIGN = {"right": "✓", "carried": "↷", "wrong": "✗", "imprecise": "…", "undecided": "?"}
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
    "pre{background:#f6f6f6;padding:.4rem .6rem;margin:0;white-space:pre-wrap}"
    ".n{color:#888;user-select:none}.mark{margin:.2rem 0 .6rem 2rem}"
    ".right{color:#080}.carried{color:#a60}.wrong{color:#c00}.imprecise{color:#088}.undecided{color:#808}"
    ".unmatched{color:#555}"
)


@dataclass(frozen=True)
class Mark:
    status: str  # a verdict's status, or "unmatched"
    label: str  # the step id (as a matrix element: dE/dW1[1,2] = dE/dW1_12); "" for a line not graded
    text: str  # the rest of the mark, plain text


@dataclass
class Passage:
    """Lines of the document, in order, and the marks that follow its last line."""

    cell: int | None
    lines: list[tuple[int, str]]
    marks: list[Mark]


def marks(report: Report) -> dict[tuple[int | None, int], list[Mark]]:
    """Each line's marks, by (cell, line): its verdicts in working order, then why it was not graded."""
    first_wrong: dict[str, Place] = {}
    for v in report.verdicts:
        if v.status == "wrong" and v.where is not None:
            first_wrong.setdefault(v.id, v.where)
    found: dict[tuple[int | None, int], list[Mark]] = {}
    for v in report.verdicts:
        key = (v.where.cell, v.where.line) if v.where else (None, 0)
        found.setdefault(key, []).append(Mark(v.status, v.label, _told(v, first_wrong.get(v.source))))
    for u in report.unmatched:
        key = (u.where.cell, u.where.line)
        found.setdefault(key, []).append(Mark("unmatched", "", f" not graded: {not_graded(u)}"))
    return found


def _told(v: Verdict, source: Place | None) -> str:
    said = f" = {v.answer}"
    if v.status == "right":
        return f"{said}: right"
    if v.status == "carried":
        line = f" ({short(source)})" if source else ""
        return f"{said}: carried forward from the error in {v.source}{line}; expected {v.expected}"
    if v.status == "wrong":
        said += f": expected {v.expected}; {told(v)}"  # and how sure its diagnosis is
        return said + (f" (slip: {v.slip})" if v.slip and v.confidence == "one slip" else "")
    return f"{said}: {v.explanation or MARKS[v.status]}"


def pieces(writeup: Writeup, report: Report) -> tuple[list[Passage], list[Mark]]:
    """The document cut after each line with marks, and the marks of no line in it (at the end)."""
    left = marks(report)
    cells = writeup.cells if writeup.cells else (writeup.text,)
    numbers = range(1, len(cells) + 1) if writeup.cells else [None]
    out: list[Passage] = []
    for cell, text in zip(numbers, cells, strict=True):
        if not text.strip():
            continue
        piece = Passage(cell, [], [])
        out.append(piece)
        for n, line in enumerate(text.rstrip("\n").split("\n"), 1):  # a last newline ends a line
            if piece.marks:
                piece = Passage(cell, [], [])
                out.append(piece)
            piece.lines.append((n, line.removesuffix("\r")))
            piece.marks = left.pop((cell, n), [])
    rest = [m for key in sorted(left, key=lambda k: (k[0] or 0, k[1])) for m in left[key]]
    return out, rest


def _width(writeup: Writeup) -> int:
    """The line numbers' column: as wide as the longest cell's (or the document's) last number."""
    return len(str(max((t.count("\n") + 1 for t in (*writeup.cells, writeup.text)), default=1)))


class _Page:
    """How a marked page writes each of its parts; what goes where is `_parts`'."""

    join = "\n\n"

    def heading(self, level: int, text: str) -> str:
        return f"{'#' * level} {markdown(text)}"

    def said(self, what: str, text: str) -> str:  # text: already escaped
        return f"**{what}:** {text}."

    def code(self, s: str) -> str:
        return markdown_code(s)

    def plain(self, s: str) -> str:
        return markdown(s)

    def lines(self, lines: list[tuple[int, str]], width: int) -> str:
        return markdown_block("\n".join(f"{n:>{width}}  {line}" for n, line in lines))

    def mark(self, m: Mark) -> str:
        label = f" {markdown_code(m.label)}" if m.label else ""
        return f"> {SIGN.get(m.status, '·')}{label}{markdown(m.text)}"

    def items(self, items: list[str]) -> str:
        return "\n".join(f"- {i}" for i in items)

    def page(self, title: str, parts: list[str]) -> str:
        return self.join.join(parts) + "\n"


class _Html(_Page):
    join = "\n"

    def heading(self, level: int, text: str) -> str:
        return f"<h{level}>{html(text)}</h{level}>"

    def said(self, what: str, text: str) -> str:
        return f"<p><strong>{what}:</strong> {text}.</p>"

    def code(self, s: str) -> str:
        return f"<code>{html(s)}</code>"

    def plain(self, s: str) -> str:
        return html(s)

    def lines(self, lines: list[tuple[int, str]], width: int) -> str:
        numbered = (f'<span class="n">{n:>{width}}</span>  {html(line)}' for n, line in lines)
        return "<pre>" + "\n".join(numbered) + "</pre>"

    def mark(self, m: Mark) -> str:
        label = f" <code>{html(m.label)}</code>" if m.label else ""
        return f'<p class="mark {m.status}">{SIGN.get(m.status, "·")}{label}{html(m.text)}</p>'

    def items(self, items: list[str]) -> str:
        return "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"

    def page(self, title: str, parts: list[str]) -> str:
        head = f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html(title)}</title>'
        return f"{head}<style>{_STYLE}</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n"


def _parts(writeup: Writeup, report: Report, page: _Page) -> str:
    body, rest = pieces(writeup, report)
    width = _width(writeup)
    title = f"Marked: {writeup.file}"
    out = [page.heading(1, title), page.said("Score", page.plain(report.summary))]
    first = report.first_error
    if first is not None and first.where is not None:
        where = f"{short(first.where)}, {page.code(first.label)}: {page.plain(told(first))}"
        out.append(page.said("First error", where))
    cell: int | None = None
    for piece in body:
        if piece.cell is not None and piece.cell != cell:
            cell = piece.cell
            out.append(page.heading(2, f"Cell {cell}"))
        out += [page.lines(piece.lines, width), *map(page.mark, piece.marks)]
    if rest:
        out += [page.heading(2, "Answers placed nowhere in the document"), *map(page.mark, rest)]
    if report.unmatched:
        out.append(page.heading(2, "Not graded"))
        said = [
            f"{short(u.where)}: {page.plain(not_graded(u))}: {page.code(u.text)}" for u in report.unmatched
        ]
        out.append(page.items(said))
    return page.page(title, out)


def render_marked_markdown(writeup: Writeup, report: Report) -> str:
    return _parts(writeup, report, _Page())


def render_marked_html(writeup: Writeup, report: Report) -> str:
    """The same as a self-contained page (its style inline, nothing loaded)."""
    return _parts(writeup, report, _Html())
