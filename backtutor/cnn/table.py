"""The worked shape table: plain data (ints and strings) that the renderers only lay out."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..display import Displayed


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
        return {
            "title": self.title,
            "input": list(self.input),
            "output": list(self.output),
            "layers": [
                {**asdict(r), "branch": list(r.branch), "input": list(r.input), "output": list(r.output)}
                for r in self.rows
            ],
            "totals": {"parameters": self.params, "mult_adds": self.mult_adds},
            "conventions": list(self.conventions),
        }
