"""The matrix view (`solve --view matrix`) as text with bracketed matrices, and as JSON where each
step's value is a nested list (a vector a list, a matrix a list of rows)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...engine.notation import shown_number
from ...matrix.records import MatrixStep, Term
from ...solution import Solution
from ...text import json_dumps

if TYPE_CHECKING:
    from ...matrix.records import Array


def to_dict(sol: Solution, steps: tuple[MatrixStep, ...]) -> dict[str, Any]:
    return {
        "title": sol.problem.title,
        "file": sol.problem.path,
        "loss": None if sol.problem.forward_only else sol.problem.loss,
        "view": "matrix",
        "updates": sol.updates,
        "steps": [
            {
                "id": s.id,
                "phase": s.phase,
                "update": s.update,
                "example": s.example,
                "equation": s.equation,
                "shape": list(s.value.shape),
                "value": s.value.tolist(),
                "terms": [t if isinstance(t, str) else t.tolist() for t in s.terms],
                "note": s.note,
            }
            for s in steps
        ],
    }


def render_json(sol: Solution, steps: tuple[MatrixStep, ...]) -> str:
    return json_dumps(to_dict(sol, steps)) + "\n"


WIDTH = 110  # a step's written-out line wider than this puts its value on lines of its own


def section_of(sol: Solution, s: MatrixStep, capital: bool = False) -> str:
    """The section a step goes under: its phase, update and example ("forward pass" alone for a
    problem without a loss, which has one pass and no update)."""
    phase = f"{s.phase.capitalize()} pass" if capital else s.phase
    if sol.problem.forward_only:
        return phase if capital else f"{phase} pass"
    return f"{phase} (update {s.update}" + (f", example {s.example})" if s.example else ")")


def render_text(sol: Solution, steps: tuple[MatrixStep, ...], precision: int) -> str:
    """Each step's equation, then its value as a bracketed column vector or matrix."""
    lines = [sol.problem.title or sol.problem.path, ""] if sol.problem.title or sol.problem.path else []
    heading = None
    for s in steps:
        where = section_of(sol, s)
        if where != heading:
            lines += ([""] if heading else []) + [where, "─" * len(where)]
            heading = where
        if s.terms:
            lines.append(f"{s.id}:  {s.equation}")
            rows = side_by_side(("=", *s.terms, "=", s.value), precision)
            if max(len(row) for row in rows) > WIDTH:  # the value on lines of its own
                rows = side_by_side(("=", *s.terms), precision) + side_by_side(("=", s.value), precision)
            lines += ["    " + row for row in rows]
        else:
            lines.append(f"{s.id}:  {s.equation} =")
            lines += ["    " + row for row in bracketed(s.value, precision)]
        if s.note:
            lines.append(f"    ({s.note})")
    return "\n".join(lines) + "\n"


def side_by_side(terms: tuple[Term, ...], precision: int) -> list[str]:
    """Matrices and the operators between them in one row of blocks, each centred on the middle line."""
    blocks = [[t] if isinstance(t, str) else bracketed(t, precision) for t in terms]
    height = max(len(b) for b in blocks)
    rows = [""] * height
    for block in blocks:
        width, top = max(len(line) for line in block), (height - len(block)) // 2
        for r in range(height):
            line = block[r - top] if 0 <= r - top < len(block) else ""
            rows[r] += line.ljust(width) + " "
    return [row.rstrip() for row in rows]


def bracketed(value: Array, precision: int) -> list[str]:
    """A vector (as a column) or a matrix as rows between brackets: ⎡ 1  2 ⎤ / ⎣ 3  4 ⎦, or [ 1  2 ]."""
    rows = [[float(v)] for v in value] if value.ndim == 1 else [[float(v) for v in row] for row in value]
    cells = [[shown_number(v, precision).replace("-", "−") for v in row] for row in rows]
    widths = [max(len(row[j]) for row in cells) for j in range(len(cells[0]))] if cells else []
    texts = ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    if len(texts) == 1:
        return [f"[ {texts[0]} ]"]
    ends = [("⎡", "⎤")] + [("⎢", "⎥")] * (len(texts) - 2) + [("⎣", "⎦")]
    return [f"{left} {t} {right}" for t, (left, right) in zip(texts, ends, strict=True)]
