"""A class roster (CSV): one student a row, found by an id column; names optional.

The header names the id column: the first of `id`, `sid`, `student_id`, `email` it has (any case).
`name` (or `first_name` and `last_name`) and `email` are kept when present. Every id is unique and
not blank, and gives a distinct file name (see `file_name`), so each student gets their own files.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from .yamlfile import MAX_BYTES, FileError

ID_COLUMNS = ("id", "sid", "student_id", "email")
MAX_STUDENTS = 100_000
_UNSAFE = re.compile(r"[^\w@.+-]|^\.")


@dataclass(frozen=True, slots=True)
class Student:
    id: str
    name: str = ""
    email: str = ""

    @property
    def file_name(self) -> str:
        """The id as a file or folder name: characters other than letters, digits and @ . + - _
        (and a leading dot) become _."""
        return _UNSAFE.sub("_", self.id)


def numbered(count: int) -> tuple[Student, ...]:
    """`--count N`: students 1 … N, zero-padded to one width (01 … 12)."""
    width = len(str(count))
    return tuple(Student(f"{i:0{width}d}") for i in range(1, count + 1))


def read_roster(path: str | Path) -> tuple[Student, ...]:
    """The roster's students in file order; FileError naming the file, line and column otherwise."""
    name = str(path)
    rows = _rows(name)
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise FileError(name, f"empty roster; give a header row with one of {', '.join(ID_COLUMNS)}", 1)
    header = [h.strip().lower() for h in rows[0]]
    id_col = next((c for c in ID_COLUMNS if c in header), None)
    if id_col is None:
        found = ", ".join(h for h in header if h) or "nothing"
        raise FileError(
            name, f"no id column; the header needs one of {', '.join(ID_COLUMNS)} (found {found})", 1
        )
    students: list[Student] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        cells = dict(zip(header, (cell.strip() for cell in row), strict=False))
        student = Student(cells.get(id_col, ""), _name(cells), cells.get("email", ""))
        if not student.id:
            raise FileError(name, "the student on this line has no id", line, id_col)
        # ids that differ only in case are one student to a grade book that ignores case, and one
        # folder on a file system that does (Gradescope's submitter is matched ignoring case)
        for key in {student.id.casefold(), student.file_name.casefold()}:
            if key in seen:
                raise FileError(
                    name,
                    f"{student.id!r} is the same student (or file name) as on line {seen[key]}",
                    line,
                    id_col,
                )
            seen[key] = line
        students.append(student)
        if len(students) > MAX_STUDENTS:
            raise FileError(name, f"more than {MAX_STUDENTS:,} students", line)
    if not students:
        raise FileError(name, "the roster lists no students (only a header)", 1)
    return tuple(students)


def _rows(name: str) -> list[list[str]]:
    try:
        with open(name, "rb") as f:
            data = f.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise FileError(name, f"file is larger than {MAX_BYTES // 1000:,} kB")
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    except FileError:
        raise
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise FileError(
            name, f"cannot read the roster ({type(e).__name__}: {getattr(e, 'strerror', None) or e})"
        ) from None


def _name(cells: dict[str, str]) -> str:
    if cells.get("name"):
        return cells["name"]
    return " ".join(x for x in (cells.get("first_name", ""), cells.get("last_name", "")) if x)
