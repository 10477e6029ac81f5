"""A class's reports as one CSV table, for a spreadsheet or a grade book."""

from __future__ import annotations

import csv
import io

from .verdicts import Report


def reports_csv(reports: list[Report], ids: list[str]) -> str:
    """One row per sheet: score, first error, and the verdict of every step id anyone answered."""
    answered = set().union(*({v.id for v in r.verdicts} for r in reports)) if reports else set()
    columns = [i for i in ids if i in answered]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["sheet", "right", "answered", "first_error", "first_error_slip", *columns])
    for r in reports:
        status = {v.id: v.status for v in r.verdicts}
        first = r.first_error
        writer.writerow(
            [r.sheet, r.right, len(r.verdicts), first.id if first else "", first.slip if first else "",
             *(status.get(c, "") for c in columns)]
        )  # fmt: skip
    return buffer.getvalue()
