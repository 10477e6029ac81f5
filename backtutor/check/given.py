"""An answer sheet given from Python (`backtutor.check`): a dict of step id → answer, a sheet's YAML
text, or a file's path, each read by the reader the command line uses for it; errors name "(dict)",
"(YAML text)" or the file."""

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
from .sheet import Answer, parse_sheet, read_sheet

Given = Mapping[str, Any] | str | Path


@dataclass(frozen=True)
class Sheet:
    name: str  # what the report and the errors call it
    answers: list[Answer]


def read_given(given: Given, sol: Solution) -> Sheet:
    if isinstance(given, Mapping):
        text = yaml_dump({str(k): _written(v) for k, v in given.items()})
        return Sheet(DICT, parse_sheet(text, DICT, sol))
    if isinstance(given, str) and is_text(given):
        checked_size(given, TEXT)
        if not _is_yaml_sheet(given):  # a write-up: the free-text reader (#22) is not here yet
            raise ValueError(f"{TEXT}: answers are read as 'step id: answer' lines (see backtutor.template)")
        return Sheet(TEXT, parse_sheet(given, TEXT, sol))
    if not isinstance(given, str | Path):
        raise ValueError("answers: give a dict of step id → answer, a sheet's YAML text, or its path")
    return Sheet(str(given), read_sheet(given, sol))


def _is_yaml_sheet(text: str) -> bool:
    """YAML text that maps names to answers."""
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
