"""The `shapes` output for a terminal, with rich: each layer's working, then a summary table."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from ...cnn.shapes import Row, ShapeTable, n, shape_text
from ...text import terminal


def _label(row: Row) -> str:
    path = " › ".join(row.branch)
    if row.role == "branch":
        return path
    return f"{path} › {row.name}" if path else row.name


def _working(row: Row) -> Text:
    """The layer's lines: what it is and its shapes, then each formula worked with its numbers."""
    text = Text()
    if row.role == "branch":
        text.append(f"branch total: {shape_text(row.input)} → {shape_text(row.output)}", style="italic")
    else:
        kind = "branches, concatenated along the channels" if row.role == "block" else row.kind
        text.append(kind, style="bold")
        if row.description and row.role == "layer":
            text.append(f" {terminal(row.description)}")
        text.append(f": {shape_text(row.input)} → {shape_text(row.output)}")
    for line in row.size:
        text.append(f"\n{line}")
    if row.weights:
        biases = (
            f", biases {row.biases}" if row.biases else ", no bias" if row.kind in ("conv", "dense") else ""
        )
        text.append(f"\nweights {row.weights}{biases}")
    if row.params_formula or row.params:
        text.append("\nparameters ")
        text.append(_result(row.params_formula or n(row.params)))
    if row.mult_adds_formula:
        text.append("\nmultiply-adds ")
        text.append(_result(row.mult_adds_formula))
    return text


def _result(formula: str) -> Text:
    head, sep, value = formula.rpartition(" = ")
    return Text(head + sep).append(value, style="bold")


def _summary(table: ShapeTable) -> Table:
    out = Table(title="Summary", title_justify="left")
    for name in ("layer", "kind", "output", "parameters", "multiply-adds"):  # fold, never cut with …
        out.add_column(name, justify="left" if name in ("layer", "kind") else "right", overflow="fold")
    for row in table.rows:
        dash = "—"
        if row.role == "branch":
            out.add_row(
                Text(f"{_label(row)} (total)", style="italic"),
                "",
                shape_text(row.output),
                n(row.params),
                n(row.mult_adds),
                style="dim",
            )
            continue
        out.add_row(
            _label(row),
            "branches" if row.role == "block" else row.kind,
            shape_text(row.output),
            n(row.params) if row.params else dash,
            n(row.mult_adds) if row.mult_adds else dash,
            style="bold" if row.role == "block" else None,
        )
    out.add_section()
    out.add_row(
        "total", "", shape_text(table.output), n(table.params), n(table.mult_adds), style="bold green"
    )
    return out


def render(table: ShapeTable) -> RenderableType:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="cyan", no_wrap=True)
    grid.add_column()
    for row in table.rows:
        grid.add_row(_label(row), _working(row))
        grid.add_row("", "")
    head = Text(terminal(table.title or "Shapes"), style="bold")
    head.append(f"\ninput {shape_text(table.input)}", style="default")
    notes = [Padding(Text(f"• {c}", style="italic yellow"), (0, 0, 0, 2)) for c in table.conventions]
    return Group(
        head,
        Rule(style="blue"),
        grid,
        _summary(table),
        *notes,
    )
