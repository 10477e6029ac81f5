"""Notebook display (Jupyter, Colab): each record's `_repr_mimebundle_` (display.py) comes here for
Markdown with $…$ maths, HTML that carries its own styles and fetches nothing, and plain text. Only
the forms the notebook asks for are made; each is laid out from the same outline as the documents."""

from __future__ import annotations

from collections.abc import Container
from typing import Any

from .forms import MIMES, Forms, wanted


def bundle(
    record: object, include: Container[str] | None = None, exclude: Container[str] | None = None
) -> dict[str, Any]:
    """The record's forms, by mime type, among those the notebook wants."""
    forms = _forms_of(record)
    return {mime: forms.make(mime) for mime in wanted(include, exclude)}


def _forms_of(record: object) -> Forms:
    from ...arrays.records import ArraySolution
    from ...check.checked import Checked
    from ...cnn.table import ShapeTable
    from ...solution import Solution

    if isinstance(record, Solution):
        from .solution import solution_forms

        return solution_forms(record)
    if isinstance(record, ArraySolution):
        from .arrays import array_forms

        return array_forms(record)
    if isinstance(record, Checked):
        from .report import report_forms

        return report_forms(record)
    if isinstance(record, ShapeTable):
        from .shapes import shapes_forms

        return shapes_forms(record)
    raise TypeError(f"no notebook display for {type(record).__name__}")


__all__ = ["MIMES", "bundle"]
