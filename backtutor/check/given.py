"""An answer sheet given from Python (`backtutor.check`): a dict of step id → answer, YAML or Markdown
text, or a file's path (a YAML sheet, or a write-up: .md, .tex, .txt, .ipynb; for an architecture, a
YAML sheet or a Markdown table), each read by the reader the command line uses for it; errors name
"(dict)", "(YAML text)", "(Markdown text)" or the file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..problem import yamlfile
from ..problem.files import FileError
from ..problem.sources import DICT, TEXT, checked_size, is_text
from ..solution import Solution
from ..text import yaml_dump
from .cnn.answers import ShapeAnswer
from .cnn.grade import ShapeChecker
from .cnn.sheet import parse_shape_sheet
from .cnn.table import parse_table_sheet
from .places import Unmatched
from .sheet import Answer, parse_sheet, read_sheet
from .verdicts import Report
from .writeup.records import WRITEUP_KINDS, Writeup

Given = Mapping[str, Any] | str | Path
MARKDOWN = "(Markdown text)"


@dataclass(frozen=True)
class Sheet:
    name: str  # what the report and the errors call it
    answers: list[Answer]
    unmatched: tuple[Unmatched, ...] = ()  # a write-up's lines with a number that no step was found for


def read_given(given: Given, sol: Solution) -> Sheet:
    if isinstance(given, Mapping):
        text = yaml_dump({str(k): _written(v) for k, v in given.items()})
        return Sheet(DICT, parse_sheet(text, DICT, sol))
    if isinstance(given, str) and is_text(given):
        checked_size(given, TEXT)
        if _is_yaml_sheet(given):
            return Sheet(TEXT, parse_sheet(given, TEXT, sol))
        from .writeup.read import parse_writeup

        return _of_writeup(parse_writeup(given, MARKDOWN, "markdown", sol))
    if not isinstance(given, str | Path):
        raise ValueError(
            "answers: give a dict of step id → answer, a sheet's YAML or Markdown text, or its path"
        )
    if Path(given).suffix.lower() in WRITEUP_KINDS:
        from .writeup.read import read_writeup

        return _of_writeup(read_writeup(given, sol))
    return Sheet(str(given), read_sheet(given, sol))


def grade_shapes(given: Given, checker: ShapeChecker) -> Report:
    """A CNN table's answers graded: a dict of id → answer (conv1.output: "24x24x20"), a sheet's YAML
    text, a Markdown table's text, or a file's path."""
    if isinstance(given, Mapping):
        text = yaml_dump({str(k): _written(v) for k, v in given.items()})
        return checker.grade(parse_shape_sheet(text, DICT, checker.ids), DICT)
    if isinstance(given, str) and is_text(given):
        checked_size(given, TEXT)
        if _is_yaml_sheet(given):
            return checker.grade(parse_shape_sheet(given, TEXT, checker.ids), TEXT)
        answers: list[ShapeAnswer]
        answers, unmatched = parse_table_sheet(given, MARKDOWN, checker.ids)
        return checker.grade(answers, MARKDOWN, unmatched)
    if not isinstance(given, str | Path):
        raise ValueError("answers: give a dict of id → answer, a sheet's YAML or Markdown text, or its path")
    return checker.read_and_grade(Path(given))


def _of_writeup(writeup: Writeup) -> Sheet:
    return Sheet(writeup.file, list(writeup.answers), tuple(writeup.unmatched))


def _is_yaml_sheet(text: str) -> bool:
    """YAML text that maps names to answers (else the text is read as a Markdown write-up)."""
    try:
        data, _ = yamlfile.parse(text, TEXT, raw=True)
    except FileError:
        return False
    return isinstance(data, dict)


def _written(value: object) -> object:
    """An answer as a student writes it: a number's shortest text, a list's elements likewise."""
    if isinstance(value, list | tuple):
        return [_written(v) for v in value]
    return value if isinstance(value, str) else repr(value) if isinstance(value, float) else str(value)
