"""A class roster (CSV): one student a row, found by an id column; names optional.

The header names the id column: the first of `id`, `sid`, `student_id`, `email` it has (any case).
`name` (or `first_name` and `last_name`) and `email` are kept when present. Every id is unique and
not blank, and gives a distinct file name (see `file_name`), so each student gets their own files; an
id that could not be a folder name (a path separator, only dots, a control character, too long, a
device name) is refused with its line. The file is read by the csv module (a quoted cell may hold a
comma or a line break); an unclosed quote, a row with more or fewer cells than the header, or a file
separated by `;` is an error naming its line.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .files import FileError, read_text

ID_COLUMNS = ("id", "sid", "student_id", "email")
MAX_STUDENTS = 100_000
MAX_ID_BYTES = 200  # a folder name, and ID.yaml or ID.pdf beside it, stay under the usual 255 bytes
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"{d}{n}" for d in ("COM", "LPT") for n in range(1, 10))}
_UNSAFE = re.compile(r"[^\w@.+-]|^\.")


@dataclass(frozen=True, slots=True)
class Student:
    id: str
    name: str = ""
    email: str = ""
    line: int = field(default=0, compare=False)  # the roster's line (0: numbered by --count)

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
    head = next(rows, None)
    if head is None or not any(cell.strip() for cell in head[1]):
        raise FileError(name, f"empty roster; give a header row with one of {', '.join(ID_COLUMNS)}", 1)
    header = [h.strip().lower() for h in head[1]]
    id_col = _id_column(name, header)
    students: list[Student] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        if len(row) != len(header):
            raise FileError(
                name, f"{len(row)} cells on this line, the header has {len(header)} (a stray comma?)", line
            )
        cells = dict(zip(header, (cell.strip() for cell in row), strict=True))
        student = Student(cells.get(id_col, ""), _name(cells), cells.get("email", ""), line)
        if not student.id:
            raise FileError(name, "the student on this line has no id", line, id_col)
        why = unsafe_id(student.id)
        if why:
            raise FileError(name, f"the id {student.id[:40]!r} {why}", line, id_col)
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


def _id_column(name: str, header: list[str]) -> str:
    found = next((c for c in ID_COLUMNS if c in header), None)
    if found is not None:
        return found
    if len(header) == 1 and (sep := next((c for c in ";\t|" if c in header[0]), None)):
        shown = "a tab" if sep == "\t" else repr(sep)
        raise FileError(name, f"the columns are separated by {shown}; save the roster as CSV (commas)", 1)
    listed = ", ".join(h for h in header if h) or "nothing"
    raise FileError(
        name, f"no id column; the header needs one of {', '.join(ID_COLUMNS)} (found {listed})", 1
    )


def unsafe_id(sid: str) -> str:
    """Why `sid` cannot name a student's folder (empty when it can): it becomes a path on disk."""
    if "/" in sid or "\\" in sid or sid.strip(".") == "":
        return "contains a path separator or is only dots; ids name folders"
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in sid):
        return "contains a control character"
    if len(Student(sid).file_name.encode()) > MAX_ID_BYTES:
        return f"is longer than {MAX_ID_BYTES} bytes as a file name"
    if sid.split(".")[0].upper() in _RESERVED:
        return "is a name Windows reserves for a device"
    return ""


def _rows(name: str) -> Iterator[tuple[int, list[str]]]:
    """Each row with the line it starts on, read by the csv module (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(read_text(name, give="a .csv file"), newline=""), strict=True)
    start = 1
    try:
        for row in reader:
            yield start, row
            start = reader.line_num + 1
    except csv.Error as e:
        why = "a quote opened here is never closed" if "end of data" in str(e) else f"not valid CSV: {e}"
        raise FileError(name, why, start) from None


def _name(cells: dict[str, str]) -> str:
    if cells.get("name"):
        return cells["name"]
    return " ".join(x for x in (cells.get("first_name", ""), cells.get("last_name", "")) if x)
