"""What every check of a problem file shares: the file's schema-valid spec and errors that name the
file, the field and its line."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..engine.expr import Expr, Function
from ..engine.parse import ParseError, parse
from . import yamlfile
from .files import FileError
from .schema import ProblemFile
from .yamlfile import Lines


@dataclass(frozen=True)
class BuiltModel:
    """A file's model as named expressions (each after what it uses), before the loss is added."""

    nodes: list[tuple[str, Expr]]
    outputs: list[str]  # the output nodes
    labels: list[str]  # what the file calls them (a network's unit names), for targets
    layers: tuple[tuple[str, ...], ...] = ()  # node names by layer, for display
    notes: dict[str, str] = field(default_factory=dict)  # node ↦ how to read its working
    maps: tuple[str, ...] = ()  # convolution on numbers: the layers whose maps `outputs` asks for


class Located:
    """A file being checked, with the line of each key: `fail` makes the error for a field of it."""

    def __init__(self, path: str, lines: Lines) -> None:
        self.path, self.lines = path, lines

    def fail(self, loc: tuple[Any, ...], message: str) -> FileError:
        return FileError(self.path, message, yamlfile.line_of(self.lines, loc), yamlfile.field_name(loc))


class SpecReader(Located):
    """A schema-valid problem file being checked."""

    def __init__(self, path: str, lines: Lines, spec: ProblemFile) -> None:
        super().__init__(path, lines)
        self.spec = spec

    def parse(self, loc: tuple[Any, ...], text: Any, functions: Mapping[str, Function] | None = None) -> Expr:
        try:
            return parse(text, functions)
        except ParseError as e:
            raise self.fail(loc, str(e)) from None

    def undefined(self, name: str, known: set[str]) -> str:
        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        what = "not an input, an expression, or a parameter with a value"
        return f"'{name}' is used but never defined ({what}){hint}"
