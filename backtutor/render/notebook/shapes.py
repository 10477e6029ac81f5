"""A CNN's shape table in a notebook: each layer's output shape, parameters and multiply-adds, and the
totals (the terminal's summary table, `shapes` lays out the working beside it); as Markdown, HTML
and aligned plain text, from the same cells."""

from __future__ import annotations

from ...cnn.sizes import n, shape_text
from ...cnn.table import Row, ShapeTable
from ...text import html as escape
from ...text import markdown, visible
from .forms import Forms, html_block

HEAD = ("layer", "kind", "output", "parameters", "multiply-adds")
STYLE = (
    "table {border-collapse: collapse; font-variant-numeric: tabular-nums}"
    "th, td {padding: 0.2rem 0.75rem; text-align: right; border-bottom: 1px solid #e6e8f0}"
    "th:nth-child(-n+2), td:nth-child(-n+2) {text-align: left}"
    "tr.total td {font-weight: bold; border-top: 2px solid #1b1b1f}"
    ".note {color: #555; font-style: italic}"
)


def shapes_forms(table: ShapeTable) -> Forms:
    return Forms(lambda: plain(table), lambda: as_markdown(table), lambda: as_html(table))


def cells(table: ShapeTable) -> list[tuple[str, ...]]:
    """A row per layer (a branch's subtotal too), then the totals; text from a file, unescaped."""
    out = [_cells(row) for row in table.rows]
    out.append(("total", "", shape_text(table.output), n(table.params), n(table.mult_adds)))
    return out


def _cells(row: Row) -> tuple[str, ...]:
    label = " › ".join([*row.branch, *([] if row.role == "branch" else [row.name])])
    if row.role == "branch":
        return (f"{label} (total)", "", shape_text(row.output), n(row.params), n(row.mult_adds))
    kind = "branches" if row.role == "block" else row.kind
    counts = (n(c) if c else "—" for c in (row.params, row.mult_adds))
    return (label, kind, shape_text(row.output), *counts)


def _title(table: ShapeTable) -> str:
    return f"{table.title or 'Shapes'}: input {shape_text(table.input)}"


def plain(table: ShapeTable) -> str:
    rows = [HEAD, *cells(table)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEAD))]
    lines = [_title(table)]
    for r in rows:
        pairs = enumerate(zip(r, widths, strict=True))
        aligned = (c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in pairs)
        lines.append("  ".join(aligned).rstrip())
    return "\n".join(visible(line) for line in [*lines, *(f"• {c}" for c in table.conventions)])


def as_markdown(table: ShapeTable) -> str:
    lines = [f"**{markdown(_title(table))}**", "", "| " + " | ".join(HEAD) + " |", "|---|---|---:|---:|---:|"]
    lines += ["| " + " | ".join(markdown(c) or " " for c in r) + " |" for r in cells(table)]
    lines += [""] + [f"- *{markdown(c)}*" for c in table.conventions]
    return "\n".join(lines).rstrip() + "\n"


def as_html(table: ShapeTable) -> str:
    rows = cells(table)
    body = ["<tr>" + "".join(f"<th>{h}</th>" for h in HEAD) + "</tr>"]
    for i, r in enumerate(rows):
        total = ' class="total"' if i == len(rows) - 1 else ""
        body.append(f"<tr{total}>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>")
    notes = [f'<p class="note">{escape(c)}</p>' for c in table.conventions]
    return html_block(STYLE, [f"<p><b>{escape(_title(table))}</b></p>", "<table>", *body, "</table>", *notes])
