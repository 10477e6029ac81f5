"""What every command shares: the problem-file argument and the usual options, one message and exit
code 2 for any bad input, and printing or writing the result. Every command's module builds on it."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ..render.formats import names
from .outputs import write_atomic

ProblemArg = Annotated[Path, typer.Argument(help="Problem file (YAML).")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead.")]
PrecisionOpt = Annotated[int, typer.Option(min=1, max=17, help="Significant digits of computed values.")]
EpochsOpt = Annotated[
    int | None, typer.Option(min=1, help="Train for this many epochs (overrides the file).")
]
RtolOpt = Annotated[
    float | None, typer.Option(min=0, help="Relative tolerance (overrides the rounding rule).")
]
AtolOpt = Annotated[
    float | None, typer.Option(min=0, help="Absolute tolerance (overrides the rounding rule).")
]
RosterOpt = Annotated[
    Path | None, typer.Option(help="Class roster: grade each sheet against its student's variant.")
]
SeedOpt = Annotated[int | None, typer.Option(help="With --roster: the seed the variants were made with.")]


# `-f` choices: the formats table's rows for what the command serves (an Enum, so typer lists them)
# a worked solution's formats, and the array engine's (npz: its arrays)
SolveFormat = StrEnum("SolveFormat", {n: n for n in (*names("solve"), *names("arrays"))})  # type: ignore[misc]
CheckFormat = StrEnum("CheckFormat", {name: name for name in names("check")})  # type: ignore[misc]
TO_TERMINAL, REPORT_TO_TERMINAL = SolveFormat("terminal"), CheckFormat("terminal")  # the defaults
SolveFormatOpt = Annotated[SolveFormat, typer.Option("--format", "-f", help="Output format.")]
CheckFormatOpt = Annotated[CheckFormat, typer.Option("--format", "-f", help="Report format.")]


def report_error(message: str) -> None:
    """One error line on stderr; what it quotes from a file made visible (an escape sequence there
    must not reach the terminal)."""
    from rich.console import Console

    from ..text import terminal

    Console(stderr=True, highlight=False, soft_wrap=True).print(
        f"error: {terminal(message, lines=True)}", markup=False
    )


@contextmanager
def failing() -> Iterator[None]:
    """Any bad input (a file, a flag, a number): its one message on stderr and exit code 2, never a
    traceback."""
    from ..errors import InputError

    try:
        yield
    except (InputError, ValueError, OSError) as e:
        report_error(str(e))
        raise typer.Exit(2) from None


def emit(content: object, output: Path | None) -> None:
    """Print to stdout, or write the file atomically (rich output as plain text)."""
    if not isinstance(content, str):
        from rich.console import Console

        if output is None:
            Console(highlight=False).print(content)
            return
        console = Console(record=True, width=120, file=open(os.devnull, "w"))  # noqa: SIM115
        console.print(content)
        content = console.export_text()
    if output is None:
        sys.stdout.write(content)
    else:
        write_atomic(output, content)
