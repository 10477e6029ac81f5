"""The `check` command's steps: which sheets to read, grading them all (a sheet that cannot be
read is reported and skipped), and writing the reports in the chosen format."""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import (
    REPORT_TO_TERMINAL,
    AtolOpt,
    CheckFormatOpt,
    ProblemArg,
    RosterOpt,
    RtolOpt,
    SeedOpt,
    failing,
    report_error,
)
from .outputs import check_output, write_atomic

if TYPE_CHECKING:
    from ..check import Checker, Report
    from ..check.batch import RosterChecker
    from ..check.cnn.grade import ShapeChecker
    from ..check.writeup.records import Writeup
    from ..render.reports.common import AnswerKey


def check_format(format: str, output: bool, sheets: int, roster: bool) -> None:
    """Refuse, before any grading, a report format that cannot serve these options."""
    from ..errors import InputError
    from ..render.formats import listed, names

    files = tuple(n for n in names("check") if n != "terminal")
    if output and format == "terminal":
        raise InputError(f"--output writes a file: use it with -f {listed(files)}")
    if format == "gradescope" and sheets != 1:
        raise InputError("-f gradescope writes one submission's results.json: give one sheet")
    if roster and format in ("markdown", "html"):
        raise InputError("with --roster, use -f terminal, json or gradescope (and --csv)")


@dataclass
class Graded:
    """A batch's reports, each with the Solution it was graded against and (with a roster) whose it is."""

    reports: list[Report] = field(default_factory=list)
    sols: list[AnswerKey] = field(default_factory=list)
    students: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)  # why each unreadable sheet was skipped
    base: AnswerKey | None = None  # the one problem's Solution or table (None with a roster: one per student)
    writeup: Writeup | None = None  # one free-text sheet's document, for the marked copy

    def add(self, outcome: Report | str, sol: AnswerKey | None, student: str = "") -> None:
        if isinstance(outcome, str) or sol is None:
            self.broken.append(str(outcome))
            report_error(str(outcome))
        else:
            self.reports.append(outcome)
            self.sols.append(sol)
            self.students.append(student)


def grade_all(checker: Checker | ShapeChecker, paths: list[Path]) -> Graded:
    """Every sheet's report; a sheet that cannot be read or graded is reported and skipped."""
    from ..check.batch import grade_all as outcomes
    from ..check.batch import read_and_grade

    graded = Graded(base=checker.key)
    if len(paths) == 1:  # one sheet: a write-up's document is kept, for the marked copy
        outcome, graded.writeup = read_and_grade(checker, paths[0])
        graded.add(outcome, checker.key)
        return graded
    for outcome in outcomes(checker, paths):
        graded.add(outcome, checker.key)
    return graded


def grade_roster(roster: RosterChecker, paths: list[Path]) -> Graded:
    """Every sheet graded against its own student's variant (`check --roster`)."""
    from ..check import Report

    outcomes = [roster.grade(path) for path in paths]
    graded = Graded()
    for outcome, student, checker in outcomes:  # all variants solved: a copied sheet can be told
        if isinstance(outcome, Report) and student is not None:
            source = roster.copied_from(outcome, student)
            if source is not None:
                note = f"its numbers are student {source.id}'s variant, not {student.id}'s (copied?)"
                outcome = dataclasses.replace(outcome, note=note)
        graded.add(outcome, checker.sol if checker else None, student.id if student else "")
    return graded


def emit_reports(graded: Graded, format: str, output: Path | None) -> None:
    """The reports in the chosen format (a row of the formats table), printed or written; one
    free-text sheet in Markdown or HTML is its own document handed back marked. Gradescope gets
    results.json even for a sheet that could not be read (no points, and why)."""
    from ..render.formats import find, names

    reports, broken, sol = graded.reports, len(graded.broken), graded.base
    if not reports and format != "gradescope":  # no sheet could be read: said, nothing written
        return
    if graded.writeup is not None and format in names("marked"):
        _write(find("marked", format).load()(graded.writeup, reports[0]), output)
        return
    render = find(
        "check", format if sol is not None or format in ("terminal", "gradescope") else "json"
    ).load()
    if format == "gradescope":
        from ..render.reports.gradescope import failed, results

        data = (
            results(reports[0], graded.sols[0], graded.students[0]) if reports else failed(graded.broken[0])
        )
        _write(render(data), output)
    elif format == "terminal" and output is None:
        from rich.console import Console

        from ..render.terminal.report import render_class

        out = Console(highlight=False)
        for report in reports if len(reports) <= 5 else []:
            out.print(render(report))
        if len(reports) > 1:
            out.print(render_class(reports, broken))
    elif sol is None or format == "json":  # (no one problem's Solution: only with a roster)
        _write(find("check", "json").load()(reports), output)
    else:
        _write(render(reports, sol, broken), output)


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, text)


def grade_sheets(
    file: Path,
    paths: list[Path],
    roster: Path | None,
    seed: int | None,
    tolerance: tuple[float | None, float | None],
) -> Graded:
    """Grade against the problem, or with a roster each sheet against its own student's variant."""
    from ..check import Checker
    from ..check.arrays import is_array_sheet
    from ..check.batch import RosterChecker
    from ..check.cnn.grade import ShapeChecker
    from ..errors import InputError
    from ..problem.load import load_answer_key
    from ..problem.records import Problem
    from ..problem.roster import read_roster
    from ..problem.variants import read_base, seed_for
    from ..solution import solve_by_hand

    arrays = [is_array_sheet(p) for p in paths]
    if any(arrays):
        if not all(arrays) or roster is not None:
            raise InputError(
                "a student's arrays (.npz) are checked on their own: no other sheets, no --roster"
            )
        return grade_arrays(file, paths, tolerance)
    if roster is None:
        problem = load_answer_key(file)
        if not isinstance(problem, Problem):  # an architecture: its table's shapes and counts
            return grade_all(ShapeChecker(problem, str(file)), paths)
        if problem.variants:
            raise InputError(
                f"{file} has variants: give --roster (and --seed) so that each sheet is graded against "
                "its own student's variant"
            )
        return grade_all(Checker(solve_by_hand(problem), *tolerance), paths)
    if not isinstance(load_answer_key(file), Problem):
        raise InputError(f"{file} describes an architecture, which has no variants: check without --roster")
    base = read_base(file)
    return grade_roster(RosterChecker(base, seed_for(base, seed), read_roster(roster), *tolerance), paths)


def grade_arrays(file: Path, paths: list[Path], tolerance: tuple[float | None, float | None]) -> Graded:
    """Each .npz graded against the problem worked by the array engine; one that cannot be read is
    reported and skipped."""
    from ..check.arrays import check_arrays, worked
    from ..errors import InputError

    sol = worked(file)
    graded = Graded(base=sol)
    for path in paths:
        try:
            graded.add(check_arrays(sol, path, tolerance), sol)
        except InputError as e:
            graded.add(str(e), None)
    return graded


def sheet_paths(sheets: list[Path]) -> list[Path]:
    from ..check.arrays import ARRAY_SHEETS
    from ..check.batch import SHEET_SUFFIXES
    from ..errors import InputError

    paths: list[Path] = []
    for p in sheets:
        if p.is_dir():  # its sheets, and the answers of each student's folder (answers.yaml from `variants`)
            found = sorted(q for q in p.iterdir() if q.suffix.lower() in (*SHEET_SUFFIXES, *ARRAY_SHEETS))
            answers = (q / f"answers{suffix}" for q in p.iterdir() for suffix in SHEET_SUFFIXES)
            found += sorted(a for a in answers if a.exists())
            paths += found  # one that is not a regular file is reported as unreadable (exit code 2)
        elif p.exists() or p.is_symlink():  # a dangling link (in class/*/answers.yaml) is reported
            paths.append(p)
        else:
            raise InputError(f"{p}: no such file or folder")
    if not paths:
        raise InputError("no answer sheets found")
    return paths


def check(
    file: ProblemArg,
    sheets: Annotated[
        list[Path],
        typer.Argument(
            help="Answer sheets (YAML) or write-ups (.md, .tex, .txt, .ipynb), or folders of them; or a "
            "student's NumPy arrays (.npz)."
        ),
    ],
    format: CheckFormatOpt = REPORT_TO_TERMINAL,
    rtol: RtolOpt = None,
    atol: AtolOpt = None,
    csv: Annotated[Path | None, typer.Option(help="Write one row per sheet to this CSV file.")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file instead.")
    ] = None,
    roster: RosterOpt = None,
    seed: SeedOpt = None,
) -> None:
    """Check answer sheets: right, carried forward, or wrong with the likely slip.

    Exit code 0 when every answer is right, 1 when one is not, 2 when a file cannot be read."""

    with failing():
        paths = sheet_paths(sheets)
        for out in (csv, output):
            check_output(out, (file, *paths, *([roster] if roster else [])))
        check_format(format, output is not None, len(paths), roster is not None)
        graded = grade_sheets(file, paths, roster, seed, (rtol, atol))
    with failing():
        if csv:
            from ..render.reports.csv import reports_csv

            ids = [s.id for s in graded.sols[0].steps] if graded.sols else []
            write_atomic(csv, reports_csv(graded.reports, ids, graded.students if roster else None))
        emit_reports(graded, format, output)
    if graded.broken:
        raise typer.Exit(2)
    if any(not r.verdicts or any(v.status != "right" for v in r.verdicts) for r in graded.reports):
        raise typer.Exit(1)  # a wrong answer, or a sheet with none: not a perfect sheet
