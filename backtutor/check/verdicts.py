"""What grading a sheet gives back: one Verdict per answer, and the sheet's Report with the counts a
teacher marks by (right, own errors, distinct misconceptions, carried forward)."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from operator import attrgetter

from ..solution.asked import points_text
from .places import Place, Unmatched
from .slips.catalogue import ARITHMETIC

# "imprecise": fewer digits than the assignment asks, not enough to judge (check/questions.py)
STATUSES = ("right", "carried", "wrong", "imprecise", "undecided")
# how sure the diagnosis of an own error is, as a reader is told (the candidates fill in {})
CONFIDENCE = {
    "one slip": "one slip explains it",
    "several": "several slips explain it: {}",
    "none": "no single slip explains it",
    "two slips": "two slips together explain it: {}",
}
_STATUS = attrgetter("status")


@dataclass(frozen=True, slots=True)
class Verdict:
    id: str
    answer: str
    expected: str
    status: str  # one of STATUSES; "carried": wrong only because an earlier answer was
    explanation: str = ""
    slip: str = ""  # a name from the slip catalogue (check/slips/catalogue.py)
    source: str = ""  # for "carried": the first error it comes from
    again: str = ""  # for a repeated slip: the answer where the same misconception first showed
    element: str = ""  # for an element of a matrix answer: as the student wrote it, dE/dW1[1,2]
    where: Place | None = None  # where the answer was written, when the sheet says
    # for "wrong": how sure the diagnosis is, a key of CONFIDENCE; by default "one slip" when a slip
    # that reproduces the number is named, else "none"
    confidence: str = ""
    # for "several": the slips that each reproduce the number; for "two slips": the two that do together
    # (the first sure, the second one of the rest)
    candidates: tuple[str, ...] = ()
    told: tuple[str, ...] = ()  # for "several" and "two slips": what the student is told of each of them
    # for an array answer: where it is furthest from the expected one, dW1[3, 17]: 0.0213 expected
    # 0.0208, or its shape when that is wrong (check/arrays/)
    largest: str = ""
    repeated: tuple[str, ...] = ()  # for "two slips": those of them shown earlier on the sheet

    def __post_init__(self) -> None:
        if self.status == "wrong" and not self.confidence:
            named = self.slip and self.slip != ARITHMETIC.name  # named by elimination, reproduces nothing
            object.__setattr__(self, "confidence", "one slip" if named else "none")

    @property
    def diagnosis(self) -> str:
        """How sure the diagnosis is, in words ("" unless an error of the student's own)."""
        if self.status != "wrong":
            return ""
        return CONFIDENCE[self.confidence].format(", ".join(self.candidates))

    @property
    def label(self) -> str:
        """The answer's name in a report: its id, and the matrix element it was written as."""
        return f"{self.element} = {self.id}" if self.element else self.id


@dataclass(frozen=True, slots=True)
class Score:
    """One question of the assignment on one sheet: its points and what the answers earned."""

    title: str
    points: Fraction
    earned: Fraction
    steps: tuple[str, ...]  # the step ids it asks
    answered: int  # of them

    @property
    def right(self) -> bool:
        return self.earned == self.points


@dataclass(frozen=True)
class Report:
    sheet: str
    verdicts: tuple[Verdict, ...]
    first_error: Verdict | None = None
    note: str = ""  # said about the sheet as a whole (its numbers are another student's variant)
    unmatched: tuple[Unmatched, ...] = ()  # lines with a number that no step was found for
    scores: tuple[Score, ...] = ()  # per question of the problem's assignment; () without one

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
        """Own errors, a slip made again counted once (`distinct`)."""
        return distinct(self.verdicts) if self.own_errors else 0

    @property
    def score(self) -> str:
        return f"{self.right}/{len(self.verdicts)}"

    @property
    def points(self) -> tuple[Fraction, Fraction]:
        """(earned, out of) over the assignment's questions."""
        return sum((s.earned for s in self.scores), Fraction(0)), sum(
            (s.points for s in self.scores), Fraction(0)
        )

    @property
    def summary(self) -> str:
        """The score as a teacher reads it: 5/32 right, 2 own errors (1 misconception), 25 carried;
        with an assignment, its points and questions first, counted over the steps it asks; for a
        sheet in which no answer was found, that (never "0/0 right")."""
        if not self.verdicts:
            lines = len(self.unmatched)
            return "nothing recognised: no answer found" + (
                f" ({_count(lines, 'line')} with a number not graded)" if lines else ""
            )
        if self.scores:
            return self._assignment_summary()
        parts = [f"{self.right}/{len(self.verdicts)} right", *self._errors(self.verdicts)]
        if self.undecided:
            parts.append(f"{self.undecided} could not be decided")
        return ", ".join(parts)

    def _assignment_summary(self) -> str:
        earned, out_of = self.points
        asked = {i for s in self.scores for i in s.steps}
        mine = [v for v in self.verdicts if v.id in asked]
        count = Counter(map(_STATUS, mine))
        parts = [
            f"{points_text(earned)}/{points_text(out_of)} points",
            f"{sum(s.right for s in self.scores)}/{len(self.scores)} questions right",
            *self._errors(mine),
            f"{count['imprecise']} not enough digits",
            f"{len(asked) - sum(s.answered for s in self.scores)} not answered",
        ]
        if count["undecided"]:
            parts.append(f"{count['undecided']} could not be decided")
        extra = len(self.verdicts) - len(mine)
        return ", ".join(parts) + (f"; {_count(extra, 'answer')} not asked (feedback only)" if extra else "")

    @staticmethod
    def _errors(verdicts: Iterable[Verdict]) -> list[str]:
        """Own errors (distinct misconceptions) and carried forward, as the score line says them."""
        count = Counter(map(_STATUS, verdicts := list(verdicts)))
        wrong = count["wrong"]
        own = _count(wrong, "own error")
        return [
            f"{own} ({_count(distinct(verdicts), 'distinct misconception')})" if wrong else own,
            f"{count['carried']} carried forward",
        ]


def distinct(verdicts: Iterable[Verdict]) -> int:
    """Distinct misconceptions among own errors (and right numbers two slips give, one named): a slip
    made again counts once, two slips that show
    together count as the ones of them not shown before, and the errors no slip explains count once
    between them; the checker cannot tell them apart, and on a sheet that skips working they are
    mostly one slip's traces."""
    wrong = [v for v in verdicts if (v.status == "wrong" or v.slip) and not v.again]
    unexplained = [v for v in wrong if not v.slip and not v.candidates]
    pairs = sum(1 - len(v.repeated) for v in wrong if v.confidence == "two slips")
    return len(wrong) - len(unexplained) + bool(unexplained) + pairs


def _count(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")
