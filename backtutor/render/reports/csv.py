"""A class's reports as one CSV table, for a spreadsheet or a grade book; a cell from a sheet or a
roster that a spreadsheet would run as a formula is written as text."""

from __future__ import annotations

import csv
import io
from itertools import repeat
from operator import attrgetter

from ...check import Report
from ...solution.asked import points_text
from ...text import csv_cell, csv_row
from .common import at

_ID, _ID_STATUS = attrgetter("id"), attrgetter("id", "status")


def reports_csv(reports: list[Report], ids: list[str], students: list[str] | None = None) -> str:
    """One row per sheet: the counts a teacher marks by, the first error and where it was written, how
    many lines of a write-up were not graded, and the verdict of every step id anyone answered; with
    `students` (check --roster), whose sheet it is after its name; with an assignment, the points and
    each question's after the counts."""
    answered: set[str] = set()
    for r in reports:  # map and attrgetter: a class's verdicts run into the millions
        answered.update(map(_ID, r.verdicts))
    columns = [i for i in ids if i in answered]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    who = ["student", "note"] if students is not None else []  # note: another student's numbers
    head = ["sheet", *who, "right", "own_errors", "misconceptions", "carried", "undecided", "answered"]
    titles: list[object] = [s.title for s in reports[0].scores] if reports else []
    points = ["points", *csv_row(titles)] if titles else []  # question titles come from the problem file
    first_cols = [
        "first_error",
        "first_error_slip",
        "first_error_confidence",
        "first_error_where",
        "not_graded",
    ]
    writer.writerow([*head, *points, *first_cols, *columns])
    for n, r in enumerate(reports):
        status = dict(map(_ID_STATUS, r.verdicts))
        first = r.first_error
        counts = [r.right, r.own_errors, r.misconceptions, r.carried, r.undecided, len(r.verdicts)]
        marks = [points_text(r.points[0]), *(points_text(s.earned) for s in r.scores)] if titles else []
        where = [first.id, first.slip, first.confidence, csv_cell(at(first.where))] if first else [""] * 4
        whose = csv_row([r.sheet, *([students[n], r.note] if students is not None else [])])  # untrusted
        row = [*whose, *counts, *marks, *where, len(r.unmatched), *map(status.get, columns, repeat(""))]
        writer.writerow(row)
    return buffer.getvalue()
