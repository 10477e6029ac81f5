"""One layer of a CNN table worked again from a student's own numbers, as `shapes` works it (the
same cnn/ code, so the rules cannot differ): what a carried-forward answer must equal."""

from __future__ import annotations

from ...cnn import rows
from ...cnn.errors import LayerError
from ...cnn.schema import Conv, Dense, Pool
from ...cnn.sizes import product
from ...cnn.steps import Value, weight_dims
from ...cnn.table import Row


def work(row: Row, shape_in: tuple[int, ...], output: tuple[int, ...] | None) -> dict[str, Value] | None:
    """The row's answers from the student's input shape (a dense layer's: its features), and its
    multiply-adds from their own output when they give it; None when that input does not fit the
    layer (a window larger than the map): nothing can be carried forward through it."""
    spec = row.spec
    try:
        if isinstance(spec, Conv) and len(shape_in) == 3:
            parts = rows.conv((), spec.model_copy(update={"in_channels": None}), row.name, shape_in, False)
        elif isinstance(spec, Pool) and len(shape_in) == 3:
            parts = rows.pool((), spec, row.name, shape_in, False)
        elif isinstance(spec, Dense):
            shape_in = (product(shape_in),)
            parts = rows.dense((), spec.model_copy(update={"in_features": None}), row.name, shape_in, None)
        elif spec is not None and row.role == "layer" and not isinstance(spec, Conv | Pool):
            parts = rows.shaped(spec, shape_in)
        else:
            return None
    except LayerError:
        return None
    out: dict[str, Value] = {
        "output": parts["output"],
        "params": parts.get("params", 0),
        "biases": parts.get("biases", 0),
        "in_features": product(shape_in),
        "mult_adds": parts.get("mult_adds", 0),
    }
    if "weights" in parts:
        out["weights"] = weight_dims(parts["weights"])
    if isinstance(spec, Conv) and output is not None and len(output) == 3:  # H_out·W_out·C_out·F·F·C_in
        per = parts.get("mult_adds", 0) // product(parts["output"]) if product(parts["output"]) else 0
        out["mult_adds"] = product(output[1:]) * spec.out_channels * per
    return out
