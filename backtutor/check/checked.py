"""One answer sheet checked from Python (`backtutor.check`): its Report and the Solution it was graded
against, which the report's working of each first error needs to be shown."""

from __future__ import annotations

from dataclasses import dataclass

from ..arrays.records import ArraySolution
from ..display import Displayed
from ..solution import Solution
from .cnn.grade import ShapeKey
from .verdicts import Report, Verdict

# what a sheet is graded against: steps worked by hand, arrays, or a CNN's table of shapes and counts
Worked = Solution | ArraySolution | ShapeKey


@dataclass(frozen=True)
class Checked(Displayed):
    report: Report
    solution: Worked

    @property
    def verdicts(self) -> tuple[Verdict, ...]:
        return self.report.verdicts

    @property
    def summary(self) -> str:
        """5/32 right, 2 own errors (1 distinct misconception), 25 carried forward."""
        return self.report.summary

    @property
    def all_right(self) -> bool:
        """Every answer right (and at least one given): what the CLI's exit code 0 means."""
        return bool(self.verdicts) and all(v.status == "right" for v in self.verdicts)
