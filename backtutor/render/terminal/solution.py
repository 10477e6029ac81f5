"""The worked solution for a terminal, with rich: the shared outline (`outline.py`), one line per step.

Steps are laid out here, not by a rich Table: a grid holding every step cost most of a large solve's
time. Each step is wrapped at spaces for the console's width when it is printed; a word wider than
its column moves the step below its id, and only a word wider than the console is folded. Nothing is
ever cut with "…".
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.panel import Panel
from rich.rule import Rule
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from ...engine.expr import Num, Sym
from ...engine.formula import text
from ...solution import Solution, Step
from ...text import terminal
from ..closed_forms import SIMPLIFIED, as_text, left_out
from ..outline import CLOSED_TITLE, Outline, Section, Shown, outline

_SPARK = "▁▂▃▄▅▆▇█"
_ID = Style(dim=True)
_TARGET = Style(bold=True, color="cyan")
_VALUE = Style(bold=True)
_NOTE = Style(italic=True, color="yellow")
_TITLE = Style(bold=True, underline=True)
SHOWN_COLUMNS = 24  # parameters per epoch in the terminal: more is a wall no student reads (and slow)
Run = tuple[str, Style | None]  # a stretch of text and its style


Word = tuple[list[Run], int]  # the runs of one word (no spaces inside) and its width in cells


def words(runs: Iterable[Run]) -> list[Word]:
    """The words of the runs (split at spaces) with their widths; a word may span runs of different
    styles."""
    words: list[list[Run]] = [[]]
    for chunk, style in runs:
        for i, piece in enumerate(chunk.split(" ")):
            if i:
                words.append([])
            if piece:
                words[-1].append((piece, style))
    return [(w, sum(cell_len(piece) for piece, _ in w)) for w in words if w]


def wrap_words(words: list[Word], width: int) -> list[list[Run]]:
    """Words into lines of at most `width` cells, a space between words; a word wider than that is
    folded over several lines, never cut."""
    width = max(width, 1)
    lines: list[list[Run]] = [[]]
    used = 0
    for word, wide in words:
        if used and used + 1 + wide <= width:
            lines[-1] += [(" ", None), *word]
            used += 1 + wide
            continue
        if used:
            lines.append([])
        if wide <= width:
            lines[-1] += word
            used = wide
            continue
        used = 0
        for piece, style in word:  # fold character by character
            for c in piece:
                if used + cell_len(c) > width:
                    lines.append([])
                    used = 0
                lines[-1].append((c, style))
                used += cell_len(c)
    return lines


def wrapped(runs: Iterable[Run], width: int) -> list[list[Run]]:
    return wrap_words(words(runs), width)


class _Steps:
    """One section's steps: the id in a dim column, then `target = … = value` wrapped beside it."""

    def __init__(self, section: Section) -> None:
        self.section = section
        self.label = max((cell_len(s.step.id) for s in section.steps), default=0)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        yield from segments(wrapped([(self.section.title, _TITLE)], width), 0)
        for shown in self.section.steps:
            yield from self._step(shown, width)

    def _step(self, shown: Shown, width: int) -> Iterator[Segment]:
        s = shown.step
        lines, indent = labelled(s.id, self.label, _body(shown), width)
        yield from lines
        if s.note:
            yield from segments(wrapped([(f"rule: {s.note}", _NOTE)], width - indent - 2), indent + 2)


def labelled(label: str, column: int, runs: list[Run], width: int) -> tuple[list[Segment], int]:
    """A dim label in a column `column` cells wide, the runs wrapped beside it; when a word is too
    wide for that, the runs go below the label at full width. Also the indent of the runs' lines."""
    body = words(runs)
    indent = 2 + column + 2
    if max(wide for _, wide in body) <= width - indent:
        lines = wrap_words(body, width - indent)
        first = segments([[(label.ljust(column + 2), _ID), *lines[0]]], 2)
        return [*first, *segments(lines[1:], indent)], indent
    return [*segments(wrapped([(label, _ID)], width - 2), 2), *segments(wrap_words(body, width - 4), 4)], 4


def _body(shown: Shown) -> list[Run]:
    """target = formula = numbers = value, the target and the value styled."""
    target, *parts = shown.texts
    runs: list[Run] = [(target, _TARGET), (" = " + " = ".join(parts[:-1] if len(parts) > 1 else parts), None)]
    if len(parts) > 1:
        runs += [(" = ", None), (parts[-1], _VALUE)]
    return runs


def segments(lines: list[list[Run]], indent: int) -> Iterator[Segment]:
    """Segments of the lines at an indent; neighbouring runs of one style share a segment."""
    for line in lines:
        out, style = " " * indent, None
        for chunk, chunk_style in line:
            if chunk_style is style or chunk == " ":
                out += chunk
            else:
                yield Segment(out, style)
                out, style = chunk, chunk_style
        yield Segment(out + "\n", style)


class _Heading:
    """A rule with the heading in it, or the heading alone (wrapped) when the console is too narrow."""

    def __init__(self, heading: str) -> None:
        self.heading = heading

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if cell_len(self.heading) + 6 <= options.max_width:
            yield Rule(Text(self.heading), style="blue")  # text as is: no markup, no :emoji: codes
        else:
            yield Text(self.heading, style="bold blue")


class _Indented:
    """Lines of text at an indent, continued further in when they wrap."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines  # a line's own leading spaces indent it further

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines:
            indent = 2 + len(line) - len(line.lstrip(" "))
            first, *rest = wrapped([(line.lstrip(" "), None)], options.max_width - indent - 2)
            yield from segments([first], indent)
            yield from segments(rest, indent + 2)


class _History:
    """The loss and trained parameters per epoch, as tables narrow enough for the console: columns
    that do not fit go to a further table (each with the epoch), so that no number is cut. Only the
    first SHOWN_COLUMNS parameters are shown, with a note saying where the rest are."""

    def __init__(self, doc: Outline) -> None:
        digits = min(doc.precision, 6)  # a table of many columns stays readable
        self.title = f"{doc.loss} on the whole data set after each epoch"
        self.epochs = [str(e.epoch) for e in doc.history]
        self.columns = [(doc.loss, [text(Num(e.loss), digits) for e in doc.history])]
        self.columns += [
            (name, [text(Num(e.params[i]), digits) for e in doc.history])
            for name, i in doc.columns[:SHOWN_COLUMNS]
        ]
        hidden = len(doc.columns) - SHOWN_COLUMNS
        self.note = (
            f"The other {hidden:,} parameters per epoch are in `solve -f json` (its history)."
            if hidden > 0
            else ""
        )

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.table import Table  # only runs of several epochs have a table: not at start-up

        room = options.max_width - (max(5, *map(len, self.epochs)) + 4)
        groups: list[list[tuple[str, list[str]]]] = [[]]
        used = 0
        for name, cells in self.columns:
            wide = max(cell_len(name), *map(cell_len, cells)) + 3
            if groups[-1] and used + wide > room:
                groups.append([])
                used = 0
            groups[-1].append((name, cells))
            used += wide
        for i, group in enumerate(groups):
            table = Table(title=self.title if i == 0 else None)
            table.add_column("epoch", justify="right", overflow="fold")
            for name, _ in group:
                table.add_column(name, justify="right", overflow="fold")
            for row, epoch in enumerate(self.epochs):
                table.add_row(epoch, *(cells[row] for _, cells in group))
            yield table
        if self.note:
            yield Text(self.note, style=_NOTE)


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


def _closed_lines(doc: Outline) -> list[str]:
    """Each closed form, its simplified form under it, then the note on those left out."""
    lines = []
    for cf in doc.closed.forms:
        lines.append(f"{text(cf.target)} = {as_text(cf, cf.chain, doc.precision)}")
        if cf.simplified is not None:
            lines.append(f"  {SIMPLIFIED}: {as_text(cf, cf.simplified, doc.precision)}")
        elif cf.note:
            lines.append(f"  ({cf.note})")
    return lines + ([note] if (note := left_out(doc.closed)) else [])


def render(
    sol: Solution, precision: int = 9, steps: list[Step] | None = None, simplify: bool = False
) -> RenderableType:
    """simplify: show each closed form simplified by SymPy too (loads SymPy, so only when asked)."""
    doc = outline(sol, precision, steps, simplify)
    head = Text(terminal(doc.title), style="bold")
    if doc.description:
        head.append("\n" + terminal(doc.description, lines=True), style="default")
    blocks: list[RenderableType] = [Panel(head, expand=False)]
    for part in doc.parts:
        blocks.append(_Heading(part.heading))
        blocks += [_Steps(section) for section in part.sections]
    if doc.closed.forms or doc.closed.missing:
        blocks += [Rule(style="blue"), Text(CLOSED_TITLE, style=_TITLE), _Indented(_closed_lines(doc))]
    if doc.history:
        blocks += [_Heading("Training"), _History(doc)]
        blocks.append(Text(f"loss per epoch: {sparkline(doc.curve)}", style="green"))
    if doc.final:
        *params, (loss, value) = doc.final
        final = ", ".join(f"{text(Sym(k))} = {text(Num(v), precision)}" for k, v in params)
        blocks.append(
            Text(
                f"After training: {final}; {text(Sym(loss))} = {text(Num(value), precision)}",
                style="bold green",
            )
        )
    if doc.hint:
        blocks.append(Text(doc.hint, style="dim"))
    return Group(*blocks)
