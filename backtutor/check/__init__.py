"""Answer sheets → verdicts: right, carried forward, or an error of its own with the slip named."""

from .formulas import FormulaJudge
from .grade import Checker
from .sheet import Answer, SheetError, canonical_id, read_sheet
from .verdicts import Report, Verdict

__all__ = [
    "Answer",
    "Checker",
    "FormulaJudge",
    "Report",
    "SheetError",
    "Verdict",
    "canonical_id",
    "read_sheet",
]
