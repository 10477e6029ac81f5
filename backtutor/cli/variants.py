"""The `variants` command's steps: one problem per student from a file's `variants:` section, each with
a blank worksheet, an answer sheet to fill in and an answer key, and an index of who got what.

DIR/<id>/problem.yaml     the student's problem (no variants section)
DIR/<id>/answers.yaml     the blank answer sheet (`template`), its first line `# student: <id>`
DIR/<id>/worksheet.pdf    the worked solution with the numbers blank (worksheet.md without pdflatex)
DIR/<id>/key.pdf          the worked solution (key.md without pdflatex)
DIR/<id>/paper.pdf        with --paper: the printable worksheet (a box per asked quantity; the id, the
                          variant and a QR code of both on every page)
DIR/variants.csv          one row per student: id, name, folder, draws taken, the numbers drawn
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import InputError
from .arrays import refuse_arrays
from .common import failing
from .outputs import write_atomic

if TYPE_CHECKING:
    from ..problem.roster import Student
    from ..problem.variants import Base
    from ..solution.constraints import Variant

Job = tuple["Student", Path, str, dict[str, bytes]]  # whose document, the PDF to write, its LaTeX and files
STUDENT_LINE = "# student: "  # the answer sheet's first line; `check --roster` reads the id from it


@dataclass(frozen=True)
class Written:
    count: int
    documents: str  # "PDF" or "Markdown"


def students_of(roster: Path | None, count: int | None) -> tuple[Student, ...]:
    """The roster's students, or `--count N` numbered ones; exactly one of the two."""
    from ..problem.roster import numbered, read_roster

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
    paper: bool = False,
) -> Written:
    """Every student's files under `out` (a new or empty folder), never over one of the `inputs` (the
    problem file first, then the roster); the PDFs compiled on every core. The class is built in a
    temporary folder beside `out` and moved into place only when every file is written, so a failure
    (named by the student's roster line) leaves nothing behind and the rerun is not blocked."""
    from ..problem.variants import read_base, seed_for
    from ..render.documents.pdf import have_pdflatex

    base = read_base(inputs[0])
    chosen = seed_for(base, seed)
    if out.exists() and not out.is_dir():
        raise InputError(f"-o {out}: not a folder")
    if out.exists() and any(out.iterdir()):  # a class made before: its answer sheets may be filled in
        raise InputError(f"-o {out}: the folder is not empty; write the class to a new folder")
    if paper and not (pdf and have_pdflatex()):
        raise InputError("--paper writes PDF worksheets: it needs pdflatex, and not --no-pdf")
    pdf = pdf and have_pdflatex()
    building = _new_folder(out)
    try:
        index = _write_class(inputs, base, students, chosen, building, (pdf, paper), precision)
        write_atomic(building / "variants.csv", index, inputs)
        os.replace(building, out)  # onto a missing or an empty folder, in one step
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return Written(len(students), "PDF" if pdf else "Markdown")


def _new_folder(out: Path) -> Path:
    """A temporary folder beside `out` (on its file system, so it can be renamed to it), with the
    permissions a new folder normally gets."""
    try:
        building = Path(tempfile.mkdtemp(dir=out.absolute().parent, prefix=f".{out.name}."))
    except OSError as e:
        raise InputError(f"-o {out}: cannot write ({e.strerror or e})") from None
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(building, 0o777 & ~umask)
    return building


def _write_class(
    inputs: tuple[Path, ...],
    base: Base,
    students: tuple[Student, ...],
    seed: int,
    out: Path,
    pdf: tuple[bool, bool],
    precision: int,
) -> str:
    """Each student's folder under `out`; the index (variants.csv) as text. `pdf`: PDF documents, and
    the printable worksheet too."""
    from ..problem.variants import drawn
    from ..solution.constraints import variant_for
    from ..text import csv_row

    index = io.StringIO()
    table = csv.writer(index)
    table.writerow(["id", "name", "folder", "tries", *base.spec.vary])
    jobs: list[Job] = []
    for student in students:
        with _naming(inputs, student):
            folder = out / student.file_name
            folder.mkdir()
            variant = variant_for(base, student, seed, "problem.yaml")  # as the student's sheet names it
            jobs += [(student, *job) for job in _write_student(inputs, folder, variant, seed, pdf, precision)]
        who = csv_row([student.id, student.name, student.file_name])  # roster text: never a formula
        table.writerow([*who, variant.tries, *drawn(base, variant.raw).values()])
    _compile_all(jobs, inputs)
    return index.getvalue()


@contextmanager
def _naming(inputs: tuple[Path, ...], student: Student) -> Iterator[None]:
    """A failure while making a student's files, named by the student's roster line."""
    try:
        yield
    except (InputError, OSError) as e:
        where = f"{inputs[1]}:{student.line}: " if student.line and len(inputs) > 1 else ""
        why = f"{e.strerror} ({e.filename})" if isinstance(e, OSError) else str(e)
        raise InputError(f"{where}student {student.id!r}: {why}") from None


def _write_student(
    inputs: tuple[Path, ...],
    folder: Path,
    variant: Variant,
    seed: int,
    pdf: tuple[bool, bool],
    precision: int,
) -> list[tuple[Path, str, dict[str, bytes]]]:
    """The student's problem and answer sheet, and their documents (Markdown now; LaTeX to compile)."""
    from ..problem.variants import variant_text
    from ..render.documents.sheet import blank_sheet
    from ..render.formats import find
    from ..solution.asked import asked, asked_working
    from ..text import yaml_comment

    sid, sol = yaml_comment(variant.student.id), variant.solution  # a newline must not end the comment
    source = yaml_comment(inputs[0].name)
    header = f"Problem for student {sid}: a variant of {source} (backtutor variants, seed {seed})"
    write_atomic(folder / "problem.yaml", variant_text(variant.raw, header), inputs)
    questions = asked(sol) if sol.problem.assignment else ()  # an assignment: what it asks, by question
    sheet = blank_sheet(sol, questions=questions)
    write_atomic(folder / "answers.yaml", f"{STUDENT_LINE}{sid}\n{sheet}", inputs)
    document = find("solve", "latex" if pdf[0] else "markdown").load()
    jobs: list[tuple[Path, str, dict[str, bytes]]] = []
    working = asked_working(sol)
    for name, blank in (("worksheet", True), ("key", False)):
        text: str = document(sol, precision, working, blank=blank)
        if pdf[0]:
            jobs.append((folder / f"{name}.pdf", text, {}))
        else:
            write_atomic(folder / f"{name}.md", text, inputs)
    if pdf[1]:
        from ..render.documents.worksheet import render, variant_code

        who = variant.student
        paper = render(sol, asked(sol), who.id, variant_code(sol.problem), who.name)
        jobs.append((folder / "paper.pdf", paper.tex, paper.files))
    return jobs


def _compile_all(jobs: list[Job], inputs: tuple[Path, ...]) -> None:
    """Each LaTeX document to its PDF, pdflatex running on every core."""
    from concurrent.futures import ThreadPoolExecutor  # (threading and logging: not at start-up)

    from ..render.documents.pdf import compile_pdf

    def one(job: Job) -> None:
        with _naming(inputs, job[0]):
            write_atomic(job[1], compile_pdf(job[2], job[3]), inputs)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(one, jobs))


def variants(
    file: Annotated[Path, typer.Argument(help="Problem file (YAML) with a variants: section.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write (one folder per student).")],
    roster: Annotated[Path | None, typer.Option(help="Class roster (CSV with an id column).")] = None,
    count: Annotated[
        int | None, typer.Option(min=1, max=100_000, help="Or: this many numbered variants.")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed (else the file's variants.seed).")] = None,
    pdf: Annotated[
        bool, typer.Option("--pdf/--no-pdf", help="PDF documents (Markdown without pdflatex).")
    ] = True,
    precision: Annotated[int, typer.Option(min=1, max=17, help="Significant digits in the keys.")] = 9,
    paper: Annotated[
        bool,
        typer.Option(
            "--paper", help="Also a printable worksheet each (paper.pdf: boxes, id and QR code; pdflatex)."
        ),
    ] = False,
) -> None:
    """One problem per student (the same network, other numbers): problem file, answer sheet,
    worksheet and answer key each, the same every time for the same seed and student id."""

    with failing():
        refuse_arrays("variants", file)
        inputs = (file, *([roster] if roster else []))
        written = write_variants(inputs, students_of(roster, count), seed, output, pdf, precision, paper)
    what = f"{written.count} variant{'s' if written.count != 1 else ''}"
    print(f"wrote {what} to {output} ({written.documents} documents; index: variants.csv)")
