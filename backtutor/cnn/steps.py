"""The answers a CNN table asks for, each a step with an id: `conv1.output`, `conv1.params`,
`fc1.in_features`, `total.params`. `template`, `check` and `shapes -f json` all take them from here,
so the three cannot drift apart.

Per layer: its output shape and parameter count; a conv or dense layer also its weight shape, bias
count and multiply-adds, a dense layer its input features (the flatten size); a branches block its
concatenated output, parameters and multiply-adds; then the network's totals.
"""

from __future__ import annotations

from dataclasses import dataclass

from .sizes import n, product, shape_text
from .table import Row, ShapeTable

QUANTITIES = {  # what each kind of row is asked, in a table's column order
    "conv": ("output", "weights", "biases", "params", "mult_adds"),
    "dense": ("in_features", "output", "weights", "biases", "params", "mult_adds"),
    "block": ("output", "params", "mult_adds"),
    "other": ("output", "params"),  # pooling, flatten, activations, dropout, batch norm
}
Value = tuple[int, ...] | int  # a shape, or a count
SHAPES = frozenset({"output", "weights"})  # the quantities that are shapes; the others are counts
TOTAL = "total"  # the layer name of the network's totals
WHAT = {
    "output": "output shape",
    "weights": "weight shape",
    "biases": "biases",
    "params": "parameters",
    "mult_adds": "multiply-adds",
    "in_features": "input features (the flatten size)",
}


@dataclass(frozen=True)
class ShapeStep:
    """One answer of the table: a shape (C×H×W, a weight tensor) or a count."""

    id: str
    layer: str  # the row's name, or TOTAL
    quantity: str  # a key of WHAT
    value: Value
    working: tuple[str, ...]  # how it is worked, with the layer's numbers
    about: str = ""  # the layer as the file gives it: "conv 5×5, 20 filters"

    @property
    def phase(self) -> str:
        """What a report tags it with (a Gradescope test's tag)."""
        return self.quantity

    @property
    def expected(self) -> str:
        return shape_text(self.value) if isinstance(self.value, tuple) else n(self.value)

    def as_dict(self) -> dict[str, object]:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"id": self.id, "layer": self.layer, "quantity": self.quantity, "value": value}

    @property
    def what(self) -> str:
        return (
            f"{WHAT[self.quantity]} of {self.layer}"
            if self.layer != TOTAL
            else f"total {WHAT[self.quantity]}"
        )


def quantities(row: Row) -> tuple[str, ...]:
    if row.role == "block":
        return QUANTITIES["block"]
    return QUANTITIES.get(row.kind, QUANTITIES["other"])


def document(table: ShapeTable) -> dict[str, object]:
    """`shapes -f json`: the table, and the answers `template` and `check` ask for, by id."""
    return {**table.as_dict(), "steps": [s.as_dict() for s in shape_steps(table)]}


def shape_steps(table: ShapeTable) -> tuple[ShapeStep, ...]:
    """Every answer of the table in working order, the totals last."""
    out: list[ShapeStep] = []
    for row in table.rows:
        if row.role != "branch":  # a branch's subtotal is not asked: the block's sum is
            out += [_step(row, q) for q in quantities(row)]
    layers = [r for r in table.rows if r.role == "layer"]
    for q, value, parts in (
        ("params", table.params, [r.params for r in layers]),
        ("mult_adds", table.mult_adds, [r.mult_adds for r in layers]),
    ):
        summed = " + ".join(n(p) for p in parts if p)
        out.append(ShapeStep(f"{TOTAL}.{q}", TOTAL, q, value, (f"{summed} = {n(value)}",)))
    return tuple(out)


def _step(row: Row, q: str) -> ShapeStep:
    what = f"{row.kind} {row.description}".strip()
    working: tuple[str, ...]
    if q == "output":
        value: Value = row.output
        working = (f"{what}: {shape_text(row.input)} → {shape_text(row.output)}", *row.size)
    elif q == "in_features":
        value = product(row.input)
        working = (f"n_in = {n(value)}, the output of {row.after or 'the input'}",)
    elif q == "weights":
        value = weight_dims(row.weights)
        order = "C_out×C_in×F×F, or F×F×C_in×C_out" if row.kind == "conv" else "n_out×n_in, or n_in×n_out"
        working = (f"{what}: weights {shape_text(value)} ({order})",)
    elif q == "biases":
        value = row.biases
        working = (f"{what}: one bias per output channel or unit, {n(value)}",)
    elif q == "params":
        value = row.params
        working = (row.params_formula or f"{what}: no parameters, 0",)
    else:
        value = row.mult_adds
        working = (row.mult_adds_formula or f"multiply-adds {n(value)}",)
    return ShapeStep(f"{row.name}.{q}", row.name, q, value, working, what)


def weight_dims(weights: str) -> tuple[int, ...]:
    """A row's weight tensor (rows.py writes it out-channels first, as PyTorch stores it:
    C_out×C_in×F×F, n_out×n_in) as numbers."""
    return tuple(int(d) for d in weights.split("×"))
