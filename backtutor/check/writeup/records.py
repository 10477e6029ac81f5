"""What reading a free-text write-up gives: its answers, located, and every line not graded."""

from __future__ import annotations

from dataclasses import dataclass

from ..places import Unmatched
from ..sheet import Answer

# a write-up's kind by its file's suffix (what batch.py and given.py dispatch on without the reader)
WRITEUP_KINDS = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".tex": "latex",
    ".txt": "text",
    ".ipynb": "notebook",
}


@dataclass(frozen=True)
class Writeup:
    file: str
    kind: str  # "markdown", "latex", "text" or "notebook"
    text: str  # the document as read (a notebook: its cells, in order), for the marked copy
    answers: tuple[Answer, ...]  # each with its `where`
    unmatched: tuple[Unmatched, ...]
    # a notebook: the text read from each of its cells, every cell in the notebook's order (cell n is
    # cells[n - 1], "" for one with nothing read), whose lines a Place(file, line, cell) counts: the
    # marked copy writes each cell back under its number
    cells: tuple[str, ...] = ()
