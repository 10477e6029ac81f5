"""The `variants` command's steps: one problem per student from a file's `variants:` section, each with
a blank worksheet, an answer sheet to fill in and an answer key, and an index of who got what.

DIR/<id>/problem.yaml     the student's problem (no variants section)
DIR/<id>/answers.yaml     the blank answer sheet (`template`), its first line `# student: <id>`
DIR/<id>/worksheet.pdf    the worked solution with the numbers blank (worksheet.md without pdflatex)
DIR/<id>/key.pdf          the worked solution (key.md without pdflatex)
DIR/variants.csv          one row per student: id, name, folder, draws taken, the numbers drawn
"""

from __future__ import annotations

import csv
import io
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError
from .outputs import write_atomic

if TYPE_CHECKING:
    from .problem.roster import Student
    from .solution.constraints import Variant

STUDENT_LINE = "# student: "  # the answer sheet's first line; `check --roster` reads the id from it


@dataclass(frozen=True)
class Written:
    count: int
    documents: str  # "PDF" or "Markdown"


def students_of(roster: Path | None, count: int | None) -> tuple[Student, ...]:
    """The roster's students, or `--count N` numbered ones; exactly one of the two."""
    from .problem.roster import numbered, read_roster

    if (roster is None) == (count is None):
        raise InputError("give either --roster students.csv or --count N")
    return read_roster(roster) if roster is not None else numbered(count or 0)


def write_variants(
    inputs: tuple[Path, ...],
    students: tuple[Student, ...],
    seed: int | None,
    out: Path,
    pdf: bool,
    precision: int,
) -> Written:
    """Every student's files under `out` (made if missing), never over one of the `inputs` (the
    problem file first, then the roster); the PDFs compiled on every core."""
    from .problem.variants import drawn, read_base, seed_for
    from .render.pdf import have_pdflatex
    from .solution.constraints import variant_for

    base = read_base(inputs[0])
    chosen = seed_for(base, seed)
    if out.exists() and not out.is_dir():
        raise InputError(f"-o {out}: not a folder")
    if out.exists() and any(out.iterdir()):  # a class made before: its answer sheets may be filled in
        raise InputError(f"-o {out}: the folder is not empty; write the class to a new folder")
    out.mkdir(exist_ok=True)
    pdf = pdf and have_pdflatex()
    index = io.StringIO()
    table = csv.writer(index)
    table.writerow(["id", "name", "folder", "tries", *base.spec.vary])
    jobs: list[tuple[Path, str]] = []
    for student in students:
        folder = out / student.file_name
        folder.mkdir(exist_ok=True)
        variant = variant_for(base, student, chosen, "problem.yaml")  # as the student's sheet names it
        jobs += _write_student(inputs, folder, variant, chosen, pdf, precision)
        table.writerow(
            [student.id, student.name, student.file_name, variant.tries, *drawn(base, variant.raw).values()]
        )
    _compile_all(jobs, inputs)
    write_atomic(out / "variants.csv", index.getvalue(), inputs)
    return Written(len(students), "PDF" if pdf else "Markdown")


def _write_student(
    inputs: tuple[Path, ...], folder: Path, variant: Variant, seed: int, pdf: bool, precision: int
) -> list[tuple[Path, str]]:
    """The student's problem and answer sheet, and their documents (Markdown now; LaTeX to compile)."""
    from importlib import import_module

    from .problem.variants import variant_text
    from .render.sheet import blank_sheet

    sid, sol = variant.student.id, variant.solution
    header = f"Problem for student {sid}: a variant of {inputs[0].name} (backtutor variants, seed {seed})"
    write_atomic(folder / "problem.yaml", variant_text(variant.raw, header), inputs)
    write_atomic(folder / "answers.yaml", f"{STUDENT_LINE}{sid}\n{blank_sheet(sol)}", inputs)
    document = import_module(f"{__package__}.render.{'latex' if pdf else 'markdown'}")
    jobs = []
    for name, blank in (("worksheet", True), ("key", False)):
        text: str = document.render(sol, precision, None, blank=blank)
        if pdf:
            jobs.append((folder / f"{name}.pdf", text))
        else:
            write_atomic(folder / f"{name}.md", text, inputs)
    return jobs


def _compile_all(jobs: list[tuple[Path, str]], inputs: tuple[Path, ...]) -> None:
    """Each LaTeX document to its PDF, pdflatex running on every core."""
    from .render.pdf import compile_pdf

    def one(job: tuple[Path, str]) -> None:
        write_atomic(job[0], compile_pdf(job[1]), inputs)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(one, jobs))
