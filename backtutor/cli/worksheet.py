"""The `worksheet` command: the printable worksheet of a problem (render/documents/worksheet.py),
compiled to PDF with pdflatex, or its LaTeX with `-o sheet.tex` (then its QR code and drawing are
written beside it, as the .tex includes them)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import ProblemArg, failing
from .outputs import check_output, write_atomic


def worksheet(
    file: ProblemArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="The worksheet to write: .pdf or .tex.")],
    student: Annotated[str, typer.Option(help="Student id printed (and in the QR code) on every page.")] = "",
    variant: Annotated[
        str | None,
        typer.Option(help="Variant printed on every page (default: a code of the problem's numbers)."),
    ] = None,
) -> None:
    """A printable worksheet: the problem as given, then a box per asked quantity with room for the
    working; the student id, the variant and a QR code of both on every page. No computed number."""
    from ..errors import InputError
    from ..problem.load import load
    from ..render.documents.pdf import compile_pdf
    from ..render.documents.worksheet import render, variant_code
    from ..solution import solve_by_hand
    from ..solution.asked import asked

    with failing():
        suffix = output.suffix.lower()
        if suffix not in (".pdf", ".tex"):
            raise InputError(f"-o {output}: write a .pdf (compiled with pdflatex) or a .tex")
        check_output(output, (file,))
        sol = solve_by_hand(load(file))
        sheet = render(sol, asked(sol), student, variant_code(sol.problem) if variant is None else variant)
        if suffix == ".pdf":
            write_atomic(output, compile_pdf(sheet.tex, sheet.files), (file,))
        else:
            for name, content in sheet.files.items():
                write_atomic(output.with_name(name), content, (file,))
            write_atomic(output, sheet.tex, (file,))
    print(f"wrote {output}")
