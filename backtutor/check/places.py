"""Where a sheet's answers were written, and what in a sheet could not be matched to a step: what a
report points a student back to (homework.md:14, a notebook's cell and line)."""

from __future__ import annotations

from dataclasses import dataclass

UNMATCHED = ("not recognised", "ambiguous", "could not read")


@dataclass(frozen=True, slots=True)
class Place:
    """A line of a sheet; in a notebook, a line of one of its cells (both counted from 1); line 0: the
    file as a whole (an .npz's array has no line)."""

    file: str
    line: int
    cell: int | None = None

    def __str__(self) -> str:
        if self.cell is None:
            return f"{self.file}:{self.line}" if self.line else self.file
        return f"{self.file} cell {self.cell}, line {self.line}"


@dataclass(frozen=True, slots=True)
class Unmatched:
    """A line with a number that was not graded, and why: nothing in a sheet is silently ignored."""

    where: Place
    text: str  # the line as the student wrote it
    why: str  # one of UNMATCHED
    candidates: tuple[str, ...] = ()  # for "ambiguous": the step ids the name fits
