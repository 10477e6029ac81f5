"""The worked shape table: plain data (ints and strings) that the renderers only lay out."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from ..display import Displayed
from .schema import Spec


@dataclass(frozen=True)
class Row:
    """One line of the table. `role`: "layer", "branch" (a branch's subtotal) or "block" (a
    branches layer: its concatenated output and the sum over its branches)."""

    name: str
    kind: str
    role: str
    branch: tuple[str, ...]  # the branches it sits in, outermost first
    description: str  # "5×5, 20 filters" …
    input: tuple[int, ...]
    output: tuple[int, ...]
    size: tuple[str, ...] = ()  # the output-size formula worked with the layer's numbers
    weights: str = ""  # weight shape: "20×1×5×5", "500×800", "γ: 6, β: 6"
    biases: int = 0
    params: int = 0
    params_formula: str = ""
    mult_adds: int = 0
    mult_adds_formula: str = ""
    # how it was worked, for recomputing it from a student's numbers (check/cnn): the layer as the
    # file gives it, the row whose output is its input ("" for the network's input), and for a block
    # the last row of each branch (its own input's source for an empty branch)
    spec: Spec | None = field(default=None, compare=False, repr=False)
    after: str = ""
    joins: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The row as `shapes -f json` writes it (plain data: the spec and sources left out)."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in _INTERNAL}
        return {**out, "branch": list(self.branch), "input": list(self.input), "output": list(self.output)}


_INTERNAL = frozenset({"spec", "after", "joins"})


@dataclass(frozen=True)
class ShapeTable(Displayed):  # a notebook shows it (display.py)
    title: str
    input: tuple[int, ...]
    output: tuple[int, ...]
    rows: tuple[Row, ...]
    params: int
    mult_adds: int
    conventions: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """The table as data; `shapes -f json` adds its steps (cnn/steps.py: `document`)."""
        return {
            "title": self.title,
            "input": list(self.input),
            "output": list(self.output),
            "layers": [r.as_dict() for r in self.rows],
            "totals": {"parameters": self.params, "mult_adds": self.mult_adds},
            "conventions": list(self.conventions),
        }
