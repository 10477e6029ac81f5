"""Answer sheets → verdicts: right, carried forward, or an error of its own with the slip named."""

from .export import reports_csv
from .formulas import formulas_equal
from .grade import Checker
from .sheet import Answer, SheetError, canonical_id, read_sheet
from .verdicts import Report, Verdict

__all__ = [
    "Answer",
    "Checker",
    "Report",
    "SheetError",
    "Verdict",
    "canonical_id",
    "formulas_equal",
    "read_sheet",
    "reports_csv",
]
