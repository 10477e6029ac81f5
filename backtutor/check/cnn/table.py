"""A CNN table handed in as text: a Markdown table whose rows are layers and whose columns are
named (Layer | Weight tensor | Output size | Biases | Parameters | Connections), and `id: answer`
lines (total.params: 431,080). A row or line that names no layer of the architecture is listed as
not recognised, as a write-up's unknown names are; a column that restates the problem (filters,
filter size, stride) is not graded."""

from __future__ import annotations

import re
from pathlib import Path

from ...cnn.steps import TOTAL
from ...problem.files import read_text
from ..places import Place, Unmatched
from .answers import ShapeAnswer
from .sheet import ShapeIds, answer, quantity_of

TABLE_SUFFIXES = (".md", ".markdown", ".txt")
LAYER_COLUMNS = ("layer", "layers", "name", "layer name")
GIVEN_COLUMNS = ("filters", "filter size", "filter", "kernel", "kernel size", "type", "kind", "stride",
                 "padding", "description", "activation", "#", "no", "notes", "units")  # fmt: skip
TOTAL_ROWS = ("total", "totals", "sum", "network", "whole network")
BLANK = frozenset({"", "-", "—", "–", "n/a", "none", "~"})
_RULE = re.compile(r"^\s*\|?[\s:|-]+\|?\s*$")
_ID_LINE = re.compile(r"^\s*(?:[-*+]\s+)?`?([^:=`|]{1,60}?)`?\s*[:=]\s*(.+?)\s*$")  # key: answer
_HEADING = re.compile(r"^\s*#{1,6}\s")
_EMPHASIS = re.compile(r"\*\*|__|`")


def read_table_sheet(path: str | Path, ids: ShapeIds) -> tuple[list[ShapeAnswer], tuple[Unmatched, ...]]:
    """The answers of a Markdown (or plain-text) sheet, and the lines not graded."""
    return parse_table_sheet(read_text(path, give="a .md or .yaml file"), str(path), ids)


def parse_table_sheet(text: str, name: str, ids: ShapeIds) -> tuple[list[ShapeAnswer], tuple[Unmatched, ...]]:
    answers: list[ShapeAnswer] = []
    unmatched: list[Unmatched] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if _is_row(lines[i]) and i + 1 < len(lines) and _RULE.match(lines[i + 1]) and "-" in lines[i + 1]:
            end = i + 2
            while end < len(lines) and _is_row(lines[end]):
                end += 1
            _table(lines, i, end, name, ids, answers, unmatched)
            i = end
            continue
        _line(i + 1, lines[i], name, ids, answers, unmatched)
        i += 1
    return answers, tuple(unmatched)


def _is_row(line: str) -> bool:
    return line.strip().startswith("|") or line.count("|") >= 2


def _cells(line: str) -> list[str]:
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") else body
    return [_EMPHASIS.sub("", c).strip() for c in re.split(r"(?<!\\)\|", body)]


def _table(
    lines: list[str],
    head: int,
    end: int,
    name: str,
    ids: ShapeIds,
    answers: list[ShapeAnswer],
    unmatched: list[Unmatched],
) -> None:
    """One table: its header's columns, then a row per layer (or the totals)."""
    header = [h.lower() for h in _cells(lines[head])]
    layer_at = next((k for k, h in enumerate(header) if h in LAYER_COLUMNS), 0)
    columns: dict[int, str] = {}
    for k, h in enumerate(header):
        q = quantity_of(h)
        if k == layer_at or h in GIVEN_COLUMNS or not h:
            continue
        if q is None:
            unmatched.append(Unmatched(Place(name, head + 1), f"column '{h}'", "not recognised"))
        else:
            columns[k] = q
    for n in range(head + 2, end):
        cells = _cells(lines[n])
        layer = cells[layer_at] if layer_at < len(cells) else ""
        label = TOTAL if layer.lower() in TOTAL_ROWS else layer
        where = Place(name, n + 1)
        found = False
        for k, q in columns.items():
            written = cells[k] if k < len(cells) else ""
            if written.lower() in BLANK:
                continue
            sid = ids.resolve(label, q)
            if sid is None:
                if ids.resolve(label, "output") or ids.resolve(label, "params"):  # a layer without it
                    unmatched.append(Unmatched(where, f"{layer}: {q} {written}", "not recognised"))
                continue
            found = True
            answers.append(answer(sid, written, where))
        if not found and not ids.resolve(label, "params"):
            unmatched.append(Unmatched(where, lines[n].strip(), "not recognised"))


def _line(
    n: int, line: str, name: str, ids: ShapeIds, answers: list[ShapeAnswer], unmatched: list[Unmatched]
) -> None:
    """A line outside the tables: `id: answer`, else (with a number in it) not recognised."""
    if not line.strip() or _HEADING.match(line):
        return
    m = _ID_LINE.match(line)
    sid = ids.key(m.group(1)) if m else None
    if m and sid is not None:
        answers.append(answer(sid, m.group(2), Place(name, n)))
    elif re.search(r"\d", line):
        unmatched.append(Unmatched(Place(name, n), line.strip(), "not recognised"))
