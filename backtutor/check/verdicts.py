"""What grading a sheet gives back: one Verdict per answer, and the sheet's Report with the counts a
teacher marks by (right, own errors, distinct misconceptions, carried forward)."""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from operator import attrgetter

from .places import Place, Unmatched

STATUSES = ("right", "carried", "wrong", "undecided")
_STATUS = attrgetter("status")


@dataclass(frozen=True, slots=True)
class Verdict:
    id: str
    answer: str
    expected: str
    status: str  # "right", "carried" (wrong only because an earlier answer was), "wrong", "undecided"
    explanation: str = ""
    slip: str = ""  # a name from the slip catalogue (check/slips/catalogue.py)
    source: str = ""  # for "carried": the first error it comes from
    again: str = ""  # for a repeated slip: the answer where the same misconception first showed
    element: str = ""  # for an element of a matrix answer: as the student wrote it, dE/dW1[1,2]
    where: Place | None = None  # where the answer was written, when the sheet says

    @property
    def label(self) -> str:
        """The answer's name in a report: its id, and the matrix element it was written as."""
        return f"{self.element} = {self.id}" if self.element else self.id


@dataclass(frozen=True)
class Report:
    sheet: str
    verdicts: tuple[Verdict, ...]
    first_error: Verdict | None = None
    note: str = ""  # said about the sheet as a whole (its numbers are another student's variant)
    unmatched: tuple[Unmatched, ...] = ()  # lines with a number that no step was found for

    @functools.cached_property
    def _counts(self) -> Counter[str]:
        return Counter(map(_STATUS, self.verdicts))  # a class's verdicts run into the millions

    def count(self, status: str) -> int:
        return self._counts[status]

    @property
    def right(self) -> int:
        return self.count("right")

    @property
    def own_errors(self) -> int:
        return self.count("wrong")

    @property
    def carried(self) -> int:
        return self.count("carried")

    @property
    def undecided(self) -> int:
        return self.count("undecided")

    @property
    def misconceptions(self) -> int:
        """Own errors, a slip made again counted once."""
        if not self.own_errors:
            return 0
        return len([v for v in self.verdicts if v.status == "wrong" and not v.again])

    @property
    def score(self) -> str:
        return f"{self.right}/{len(self.verdicts)}"

    @property
    def summary(self) -> str:
        """The score as a teacher reads it: 5/32 right, 2 own errors (1 misconception), 25 carried."""
        parts = [f"{self.right}/{len(self.verdicts)} right"]
        own = _count(self.own_errors, "own error")
        parts.append(
            f"{own} ({_count(self.misconceptions, 'distinct misconception')})" if own[0] != "0" else own
        )
        parts.append(f"{self.carried} carried forward")
        if self.undecided:
            parts.append(f"{self.undecided} could not be decided")
        return ", ".join(parts)


def _count(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")
