"""A class's reports as one CSV table, for a spreadsheet or a grade book."""

from __future__ import annotations

import csv
import io

from .verdicts import Report


def reports_csv(reports: list[Report], ids: list[str]) -> str:
    """One row per sheet: the counts a teacher marks by, the first error, and the verdict of every
    step id anyone answered."""
    answered = set().union(*({v.id for v in r.verdicts} for r in reports)) if reports else set()
    columns = [i for i in ids if i in answered]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    head = ["sheet", "right", "own_errors", "misconceptions", "carried", "undecided", "answered"]
    writer.writerow([*head, "first_error", "first_error_slip", *columns])
    for r in reports:
        status = {v.id: v.status for v in r.verdicts}
        first = r.first_error
        counts = [r.right, r.own_errors, r.misconceptions, r.carried, r.undecided, len(r.verdicts)]
        where = [first.id, first.slip] if first else ["", ""]
        writer.writerow([r.sheet, *counts, *where, *(status.get(c, "") for c in columns)])
    return buffer.getvalue()
