"""The worked solution for a terminal, with rich: sections per update, one line per step."""

from __future__ import annotations

import math
from itertools import groupby

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from ..engine.expr import Num
from ..engine.formula import format_number, text
from ..solution import Solution, Step

_PHASES = {"forward": "Forward pass", "backward": "Backward pass (chain rule)", "update": "Updates (SGD)"}
_SPARK = "▁▂▃▄▅▆▇█"
SUMMARY_ROWS = 12


def step_line(s: Step, precision: int) -> Text:
    """target = formula = numbers substituted = value, leaving out repeats."""
    line = Text()
    line.append(text(s.target, precision), style="bold cyan")
    line.append(" = ")
    formula = text(s.formula, precision)
    value = text(Num(s.value), precision)
    parts = [formula]
    if s.substitution is not None:
        sub = text(s.substitution, precision)
        if sub not in parts:
            parts.append(sub)
    line.append(" = ".join(parts))
    if value not in parts:
        line.append(" = ")
        line.append(value, style="bold")
    if s.note:
        line.append(f"\n  rule: {s.note}", style="italic yellow")
    return line


def _section(title: str, steps: list[Step], precision: int) -> list[RenderableType]:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    for s in steps:
        grid.add_row(s.id, step_line(s, precision))
    return [Text(title, style="bold underline"), Padding(grid, (0, 0, 0, 2))]


def _update_block(sol: Solution, t: int, steps: list[Step], precision: int) -> RenderableType:
    parts: list[RenderableType] = []
    for example, group in groupby(steps, key=lambda s: (s.example, s.phase)):
        k, phase = example
        title = _PHASES[phase]
        if k is not None:
            title += f", example {k}"
        elif phase != "update" and len({s.example for s in steps}) > 1:
            what = "Loss" if phase == "forward" else "Gradients"
            title = f"{what} over the batch ({sol.problem.reduction} of the examples)"
        parts += _section(title, list(group), precision)
    heading = f"Update {t} of {sol.updates}" if sol.problem.training else "Working"
    epoch = (t - 1) // sol.updates_per_epoch + 1
    if sol.problem.training and len(sol.history) > 2:
        heading += f" (epoch {epoch})"
    return Group(Rule(heading, style="blue"), *parts)


def _closed_forms(sol: Solution, precision: int) -> RenderableType | None:
    seen: dict[str, Step] = {}
    for s in sol.steps:
        if s.closed_form is not None and s.phase == "backward" and text(s.target) not in seen:
            seen[text(s.target)] = s
    if not seen:
        return None
    lines = [Text("Closed form of each gradient, in the problem's names", style="bold underline")]
    for target, s in seen.items():
        lines.append(Padding(Text(f"{target} = {text(s.closed_form, precision)}"), (0, 0, 0, 2)))  # type: ignore[arg-type]
    return Group(*lines)


def sparkline(values: list[float]) -> str:
    """A one-line loss curve, on a log scale when the loss falls by more than 100×."""
    log = min(values) > 0 and max(values) > 100 * min(values)
    if log:
        values = [math.log10(v) for v in values]
    lo, hi = min(values), max(values)
    if hi == lo:
        return _SPARK[0] * len(values)
    line = "".join(_SPARK[round((v - lo) / (hi - lo) * (len(_SPARK) - 1))] for v in values)
    return line + (" (log scale)" if log else "")


def _summary(sol: Solution, precision: int) -> RenderableType:
    g, h = sol.graph, sol.history
    table = Table(title=f"{g.loss} on the whole data set after each epoch", show_lines=False)
    table.add_column("epoch", justify="right")
    table.add_column(g.loss, justify="right")
    for name in g.trainable:
        table.add_column(name, justify="right")
    n = len(h)
    rows = (
        sorted({round(i * (n - 1) / (SUMMARY_ROWS - 1)) for i in range(SUMMARY_ROWS)})
        if n > SUMMARY_ROWS
        else range(n)
    )
    position = {name: i for i, name in enumerate(g.params)}
    index = [position[p] for p in g.trainable]
    for i in rows:
        e = h[i]
        digits = min(precision, 6)  # a table of many columns stays readable
        values = [e.loss, *(e.params[j] for j in index)]
        table.add_row(str(e.epoch), *(format_number(v, digits) for v in values))
    width = min(60, n)
    sample = [h[round(i * (n - 1) / max(width - 1, 1))].loss for i in range(width)]
    return Group(table, Text(f"loss per epoch: {sparkline(sample)}", style="green"))


def render(sol: Solution, precision: int = 9, steps: list[Step] | None = None) -> RenderableType:
    p = sol.problem
    shown = sol.steps if steps is None else steps
    blocks: list[RenderableType] = []
    head = Text(p.title or p.path, style="bold")
    if p.description:
        head.append("\n" + p.description.strip(), style="default")
    blocks.append(Panel(head, expand=False))
    for t, group in groupby(shown, key=lambda s: s.update):
        blocks.append(_update_block(sol, t, list(group), precision))
    if steps is None:
        closed = _closed_forms(sol, precision)
        if closed is not None:
            blocks.append(Group(Rule(style="blue"), closed))
        if len(sol.history) > 2:
            blocks.append(Group(Rule("Training", style="blue"), _summary(sol, precision)))
            if not sol.shown:
                blocks.append(
                    Text("Working not shown: add --steps 1 (or 1-3, last, all) to see it.", style="dim")
                )
        elif p.training:
            final = ", ".join(
                f"{k} = {format_number(v, precision)}"
                for k, v in sol.final.items()
                if k in sol.graph.trainable
            )
            loss = format_number(sol.history[-1].loss, precision)
            blocks.append(Text(f"After training: {final}; {sol.graph.loss} = {loss}", style="bold green"))
    return Group(*blocks)


def print_solution(
    sol: Solution, console: Console, precision: int = 9, steps: list[Step] | None = None
) -> None:
    console.print(render(sol, precision, steps))
