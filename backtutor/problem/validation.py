"""A schema's validation error as the one message a user gets: the first error, typos first, with
the file, the field and the line. Every file kind's schema (a problem, an architecture, a matrix
network) reports through it."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ValidationError

from . import yamlfile
from .files import FileError
from .yamlfile import Lines


def schema_error(
    path: str, lines: Lines, e: ValidationError, root: type[BaseModel], at: tuple[Any, ...] = ()
) -> FileError:
    """The first error of validating the file (or its section `at` by `root`), typos first."""
    errors = e.errors()
    err = next((x for x in errors if x["type"] == "extra_forbidden"), errors[0])
    inner = tuple(err["loc"])
    loc = (*at, *inner)
    if err["type"] == "extra_forbidden":
        model: type[BaseModel] | None = root
        for part in inner[:-1]:
            if isinstance(part, int):  # an item of a list: its model is the list's
                continue
            ann = model.model_fields.get(part) if isinstance(part, str) and model else None
            model = _model_in(ann.annotation) if ann else None
        known = list(model.model_fields) if model else []
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = (
            f"; did you mean '{close[0]}'?"
            if close
            else (f"; known keys: {', '.join(known)}" if known else "")
        )
        msg = f"unknown key '{loc[-1]}'{hint}"
        loc_field = loc[:-1]
    else:
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            msg = f"'{loc[-1]}' is required"
        loc_field = loc
    return FileError(path, msg, yamlfile.line_of(lines, loc), yamlfile.field_name(loc_field) or "(top level)")


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found:
            return found
    return None
