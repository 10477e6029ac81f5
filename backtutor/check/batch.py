"""A class's sheets at once: each sheet graded on its own (one broken sheet never stops the batch),
on every core for a big class, the reports in the sheets' order; or, with a roster, each sheet
against its own student's variant."""

from __future__ import annotations

import multiprocessing
import os
import re
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ..errors import InputError
from ..problem.files import read_bytes
from ..problem.roster import Student
from ..problem.variants import Base
from ..solution.constraints import variant_for
from .cnn.grade import ShapeChecker
from .grade import Checker
from .sheet import parse_answer, read_sheet
from .verdicts import Report
from .writeup.records import WRITEUP_KINDS, Writeup

PARALLEL_FROM = 200  # sheets; fewer are graded in this process (starting workers costs more)
Outcome = Report | str  # a report, or why the sheet could not be checked

_checker: Checker | ShapeChecker | None = None  # the workers' Checker, inherited when they are forked


SHEET_SUFFIXES = (".yaml", ".yml", *WRITEUP_KINDS)  # a YAML sheet, or a write-up (.md, .tex, .txt, .ipynb)


def is_writeup(path: Path) -> bool:
    return path.suffix.lower() in WRITEUP_KINDS


def read_and_grade(checker: Checker | ShapeChecker, path: Path) -> tuple[Outcome, Writeup | None]:
    """The sheet's outcome, and the write-up it was read from (None for a YAML sheet, or not read)."""
    try:
        if isinstance(checker, ShapeChecker):
            return checker.read_and_grade(path), None
        if is_writeup(path):
            from .writeup.read import read_writeup

            w = read_writeup(path, checker.sol)
            return checker.grade(w.answers, str(path), w.unmatched), w
        return checker.grade(read_sheet(path, checker.sol), str(path)), None
    except InputError as e:
        return str(e), None
    except Exception as e:  # one pathological sheet must not stop a class's batch
        return f"{path}: could not be checked ({type(e).__name__}: {e})", None


def grade_one(checker: Checker | ShapeChecker, path: Path) -> Outcome:
    return read_and_grade(checker, path)[0]


def _grade_chunk(paths: Sequence[Path]) -> list[Outcome]:
    assert _checker is not None
    return [grade_one(_checker, p) for p in paths]


def grade_all(checker: Checker | ShapeChecker, paths: Sequence[Path]) -> Iterator[Outcome]:
    """Each sheet's outcome, in order."""
    workers = min(os.cpu_count() or 1, 8)
    fork = "fork" in multiprocessing.get_all_start_methods()
    if len(paths) < PARALLEL_FROM or workers < 2 or not fork:
        yield from (grade_one(checker, p) for p in paths)
        return
    global _checker
    _checker = checker
    size = -(-len(paths) // (workers * 4))
    chunks = [paths[i : i + size] for i in range(0, len(paths), size)]
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            for outcomes in pool.map(_grade_chunk, chunks):
                yield from outcomes
    finally:
        _checker = None


# ---- a class with a variant each (`check --roster`) --------------------------------------------------
_STUDENT = re.compile(r"^[#%]\s*student:\s*(\S.*?)\s*$", re.MULTILINE)  # a YAML, Markdown or LaTeX line


def sheet_student(path: Path, students: Sequence[Student]) -> Student | str:
    """Whose sheet it is: its `# student: ID` line (answers.yaml from `variants` starts with it; in
    LaTeX `% student: ID`), else its file name (ID.yaml, ID.md), else its folder's name
    (ID/answers.yaml); why not, when none says."""
    by_key = {s.file_name: s for s in students} | {s.id: s for s in students}
    try:
        head = read_bytes(path)[:4096].decode("utf-8", "replace")
    except InputError as e:
        return str(e)
    m = _STUDENT.search(head)
    if m:
        found = by_key.get(m.group(1))
        return found or f"{path}: student {m.group(1)!r} (its '# student:' line) is not on the roster"
    for key in (path.stem, path.parent.name):
        if key in by_key:
            return by_key[key]
    return (
        f"{path}: whose sheet is this? Keep its first line '# student: ID', name it ID.yaml, "
        "or put it in a folder named ID"
    )


class RosterChecker:
    """Grades each sheet against its own student's variant (each variant solved once)."""

    def __init__(
        self, base: Base, seed: int, students: Sequence[Student], rtol: float | None, atol: float | None
    ):
        self.base, self.seed, self.students = base, seed, students
        self.rtol, self.atol = rtol, atol
        self._checkers: dict[str, Checker] = {}

    def checker(self, student: Student) -> Checker:
        if student.id not in self._checkers:
            variant = variant_for(self.base, student, self.seed, f"{self.base.path} [student {student.id}]")
            self._checkers[student.id] = Checker(variant.solution, self.rtol, self.atol)
        return self._checkers[student.id]

    def grade(
        self, path: Path, student: Student | None = None
    ) -> tuple[Outcome, Student | None, Checker | None]:
        """The sheet's outcome, its student (given, else found by `sheet_student`) and the checker
        that graded it (None: not graded)."""
        who = student or sheet_student(path, self.students)
        if isinstance(who, str):
            return who, None, None
        try:
            checker = self.checker(who)
        except InputError as e:
            return str(e), who, None
        return grade_one(checker, path), who, checker

    def copied_from(self, report: Report, student: Student) -> Student | None:
        """The classmate whose variant the sheet's numbers are, when they are not its own student's:
        at least 90% of its numbers are that variant's values (as written) and fewer than 90% are its
        own's. Only the variants solved for this class's sheets are compared."""
        own = self.checker(student)
        numbers = [(v.id, parse_answer(v.id, v.answer, own.sol)) for v in report.verdicts if v.answer]
        numbers = [(i, a) for i, a in numbers if a.value is not None]
        need = 0.9 * len(numbers)

        def matches(checker: Checker) -> int:
            index, close = checker.index, checker.tolerance.close
            return sum(i in index and close(a, index[i].value) for i, a in numbers)

        if len(numbers) < 3 or matches(own) >= need:
            return None
        found = [(matches(c), other) for other, c in self._checkers.items() if other != student.id]
        n, other = max(found, default=(0, ""))
        return next((s for s in self.students if s.id == other), None) if n >= need else None
