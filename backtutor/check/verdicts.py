"""What grading a sheet gives back: one Verdict per answer, and the sheet's Report."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Verdict:
    id: str
    answer: str
    expected: str
    status: str  # "right", "carried" (wrong only because an earlier answer was) or "wrong"
    explanation: str = ""
    slip: str = ""  # a name from slips.SLIPS, or swapped, early_rounding, arithmetic
    source: str = ""  # for "carried": the first error it comes from


@dataclass(frozen=True)
class Report:
    sheet: str
    verdicts: tuple[Verdict, ...]
    first_error: Verdict | None = None

    @property
    def right(self) -> int:
        return sum(v.status == "right" for v in self.verdicts)

    @property
    def score(self) -> str:
        return f"{self.right}/{len(self.verdicts)}"
