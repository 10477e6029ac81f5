"""A CNN table's answers as students write them: shapes as textbooks print them (24x24x20,
24 × 24 × 20, [20, 24, 24], (24, 24, 20), 1×1×192×128) and counts with or without thousands
separators (520, 25,050, 25 050, 25_050). One reader for every sheet (YAML or a Markdown table), so
that the same text is read the same way; what cannot be read is said, never raised past the sheet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from ..places import Place

Dims = tuple[Fraction, ...]

MAX_DIMS = 6
MAX_DIGITS = 24  # more is no network's count (and big numbers would cost the recomputation)
_GROUPED = re.compile(r"\d{1,3}(?:([,  _'])\d{3})(?:\1\d{3})*")  # 25,050 · 1 000 000 · 431_080
_NUMBER = re.compile(r"\d+(?:\.\d+)?|\.\d+|\d+/\d+")  # 24, 13.5, 27/2 (a size whose ⌊…⌋ was left out)
_TIMES = re.compile(r"\s*[x×X*·]\s*")
_LIST = re.compile(r"\s*,\s*|\s+")


@dataclass(frozen=True, slots=True)
class ShapeAnswer:
    """One answer of a sheet: its step id, the text as written and the numbers read from it."""

    id: str
    written: str
    dims: Dims | None = None  # the numbers as written, in their order
    unreadable: str = ""  # why it could not be read (graded as such)
    where: Place | None = None


class Unreadable(ValueError):
    """Why an answer could not be read as a shape or a count."""


def read_dims(written: object) -> Dims:
    """The numbers of a shape or a count, in the order written; Unreadable says why not."""
    if isinstance(written, bool):
        raise Unreadable("expected a shape such as 24×24×20 or a count such as 520")
    if isinstance(written, int):
        return (Fraction(written),)
    if isinstance(written, list):
        return _all([str(x).strip() for x in written])
    if not isinstance(written, str):
        raise Unreadable("expected a shape such as 24×24×20 or a count such as 520")
    text = written.strip().replace("−", "-").rsplit("=", 1)[-1].strip()  # (5·5·1 + 1)·20 = 520
    if text[:1] in "[(" and text[-1:] in "])":  # [20, 24, 24], (24, 24, 20): a list, commas separate
        return _all([p for p in _LIST.split(text[1:-1].strip()) if p])
    if _GROUPED.fullmatch(text):
        return _all([re.sub(r"[,  _']", "", text)])
    parts = _TIMES.split(text)
    if len(parts) == 1:
        parts = [p for p in _LIST.split(text) if p]  # 24, 24, 20 without brackets
    return _all(parts)


def _all(parts: list[str]) -> Dims:
    if not parts or len(parts) > MAX_DIMS:
        raise Unreadable(f"expected a shape of 1 to {MAX_DIMS} numbers, such as 24×24×20, or a count")
    out = []
    for p in parts:
        p = p.strip()
        grouped = _GROUPED.fullmatch(p)
        if grouped and grouped.group(1) != ",":  # 1 000 inside a list, 1_000
            p = re.sub(r"[  _']", "", p)
        if not _NUMBER.fullmatch(p):
            shown = p if len(p) <= 20 else p[:20] + "…"
            raise Unreadable(f"{shown!r} is not a whole number (a shape is written 24×24×20 or [20, 24, 24])")
        if len(p) > MAX_DIGITS:
            raise Unreadable(f"a number of {len(p)} digits is not a layer's size or count")
        out.append(Fraction(p))
    return tuple(out)
