"""A CNN table's YAML answer sheet, as `template` writes it: one `layer.quantity: answer` a line
(conv1.output: 24x24x20, conv1.params: 520, total.params: 431,080). The quantity may be written as
students name the columns (parameters, #params, MACs, connections, shape, in features)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from pathlib import Path

from ...cnn.steps import TOTAL, ShapeStep
from ...problem import yamlfile
from ...problem.files import read_text
from ..places import Place
from ..sheet import SheetError
from .answers import ShapeAnswer, Unreadable, read_dims

QUANTITY_NAMES = {  # a column's or key's name as students write it ↦ the quantity
    "output": ("output", "out", "output shape", "output size", "shape", "size", "activation shape",
               "feature map", "activations"),
    "weights": ("weights", "weight", "weight shape", "weight tensor", "filter shape", "kernel shape",
                "w", "weights shape", "filter tensor"),
    "biases": ("biases", "bias", "bias count", "b", "#biases"),
    "params": ("params", "param", "parameters", "#params", "# params", "parameter count", "n params",
               "weights and biases"),
    "mult_adds": ("mult_adds", "mult-adds", "multiply-adds", "multiply adds", "macs", "mac",
                  "connections", "flops", "operations", "ops"),
    "in_features": ("in_features", "in features", "input features", "flatten size", "inputs", "n_in",
                    "fan-in"),
}  # fmt: skip


def _norm(name: str) -> str:
    return re.sub(r"[\s_]+", " ", name.strip().lower())


_QUANTITY = {_norm(x): q for q, names in QUANTITY_NAMES.items() for x in names}


_OF = re.compile(r"(.+?)\s+of\s+(?:layer\s+)?(\S+)", re.IGNORECASE)  # output size of conv2


def quantity_of(name: str) -> str | None:
    """The quantity a column or key names, or None."""
    return _QUANTITY.get(_norm(name))


class ShapeIds:
    """A table's step ids and how a sheet may name them."""

    def __init__(self, steps: Iterable[ShapeStep]) -> None:
        self.ids = {s.id: s for s in steps}
        self.layers = {s.layer.lower(): s.layer for s in self.ids.values()}

    def resolve(self, layer: str, quantity: str) -> str | None:
        """The step id of a layer's quantity as a sheet names them (case and aliases aside)."""
        name = self.layers.get(layer.strip().lower())
        q = quantity_of(quantity)
        if name is None or q is None:
            return None
        sid = f"{name}.{q}"
        return sid if sid in self.ids else None

    def key(self, key: str) -> str | None:
        """The step id a key names: conv1.params, conv1 params, "parameters of conv1", "Total
        parameters"."""
        if key in self.ids:
            return key
        of = _OF.fullmatch(key.strip())
        if of:
            return self.resolve(of.group(2), of.group(1))
        for layer, found, quantity in (key.rpartition("."), key.strip().partition(" ")):
            if found and self.resolve(layer, quantity):
                return self.resolve(layer, quantity)
        return None

    def hint(self, key: str) -> str:
        layer = key.rpartition(".")[0].strip().lower()
        if layer and layer not in self.layers:
            known = ", ".join([*dict.fromkeys(self.layers.values())][:12])
            return f"; there is no layer {layer!r} (the layers: {known})"
        close = difflib.get_close_matches(key, list(self.ids), n=3)
        return (
            f"; closest: {', '.join(close)}"
            if close
            else f"; the ids are layer.quantity, e.g. {TOTAL}.params"
        )


def read_shape_sheet(path: str | Path, ids: ShapeIds) -> list[ShapeAnswer]:
    return parse_shape_sheet(read_text(path), str(path), ids)


def parse_shape_sheet(text: str, name: str, ids: ShapeIds) -> list[ShapeAnswer]:
    """The answers of a YAML sheet (blanks, `~`, left out); a key that names no answer of the table
    is an error naming its line."""
    data, lines = yamlfile.parse(text, name, raw=True)
    if data is None:
        return []
    if not isinstance(data, dict):
        raise SheetError(name, "an answer sheet maps ids to answers, e.g. 'conv1.output: 24x24x20'", 1)
    answers = []
    for key, written in data.items():
        line = yamlfile.line_of(lines, (key,))
        sid = ids.key(str(key))
        if sid is None:
            raise SheetError(name, f"no answer with id {key!r}{ids.hint(str(key))}", line, str(key))
        if written is None or written == "":
            continue
        answers.append(answer(sid, written, Place(name, line) if line else None))
    return answers


def answer(sid: str, written: object, where: Place | None) -> ShapeAnswer:
    """One answer read (or why it cannot be: graded as such, the others still are)."""
    text = ", ".join(map(str, written)).join("[]") if isinstance(written, list) else str(written)
    try:
        return ShapeAnswer(sid, text, read_dims(written), where=where)
    except Unreadable as e:
        return ShapeAnswer(sid, text, unreadable=str(e), where=where)
