"""The `worksheet` command: the printable worksheet of a problem (render/documents/worksheet.py),
compiled to PDF with pdflatex, or its LaTeX with `-o sheet.tex` (then its QR code and drawing are
written beside it, as the .tex includes them)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import ProblemArg, failing

if TYPE_CHECKING:
    from ..solution import Solution
from .outputs import check_output, write_atomic


def worksheet(
    file: ProblemArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="The worksheet to write: .pdf or .tex.")],
    student: Annotated[
        str,
        typer.Option(
            help="Student id printed (and in the QR code) on every page; on a problem with variants, "
            "the worksheet has that student's numbers, as `variants` draws them."
        ),
    ] = "",
    seed: Annotated[
        int | None, typer.Option(help="Seed of the variants (else the file's variants.seed).")
    ] = None,
    variant: Annotated[
        str | None,
        typer.Option(help="Variant printed on every page (default: a code of the problem's numbers)."),
    ] = None,
) -> None:
    """A printable worksheet: the problem as given, then a box per asked quantity with room for the
    working; the student id, the variant and a QR code of both on every page. No computed number."""
    from ..errors import InputError
    from ..render.documents.pdf import compile_pdf
    from ..render.documents.worksheet import render, variant_code
    from ..solution.asked import asked

    with failing():
        suffix = output.suffix.lower()
        if suffix not in (".pdf", ".tex"):
            raise InputError(f"-o {output}: write a .pdf (compiled with pdflatex) or a .tex")
        check_output(output, (file,))
        sol = _worked(file, student, seed)
        sheet = render(sol, asked(sol), student, variant_code(sol.problem) if variant is None else variant)
        if suffix == ".pdf":
            write_atomic(output, compile_pdf(sheet.tex, sheet.files), (file,))
        else:
            for name, content in sheet.files.items():
                write_atomic(output.with_name(name), content, (file,))
            write_atomic(output, sheet.tex, (file,))
    print(f"wrote {output}")


def _worked(file: Path, student: str, seed: int | None) -> Solution:
    """The problem worked by hand; with variants and a student, that student's variant (the numbers
    `variants` gives them for the same seed)."""
    from ..errors import InputError
    from ..problem.load import load
    from ..problem.roster import Student
    from ..problem.variants import read_base, seed_for
    from ..solution import solve_by_hand
    from ..solution.constraints import variant_for

    problem = load(file)
    if problem.variants and student:
        base = read_base(file)
        return variant_for(
            base, Student(student), seed_for(base, seed), f"{file} [student {student}]"
        ).solution
    if seed is not None:
        raise InputError("--seed draws a student's variant: give --student ID, on a problem with variants")
    return solve_by_hand(problem)
