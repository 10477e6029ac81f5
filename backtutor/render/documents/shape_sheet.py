"""A blank answer sheet (YAML) for a CNN table: every answer id in working order, layer by layer,
with what it is; `check` reads it back (check/cnn/sheet.py)."""

from __future__ import annotations

from itertools import groupby

from ...cnn.sizes import shape_text
from ...cnn.steps import TOTAL, shape_steps
from ...cnn.table import ShapeTable
from ...text import yaml_comment, yaml_string


def blank_shape_sheet(path: str, table: ShapeTable) -> str:
    lines = [
        f"# Answer sheet: {yaml_comment(table.title or path)}",
        "# Replace ~ with your answer: a shape as you write it (24x24x20, 20×24×24 or [20, 24, 24];",
        "# weights 5x5x1x20 or 20×1×5×5) or a count (520, 25,050). Leave ~ for answers you skip.",
        f"# Check it with: backtutor check {yaml_comment(path)} THIS_FILE",
        "",
        f"# input: {shape_text(table.input)}",
    ]
    for layer, group in groupby(shape_steps(table), key=lambda s: s.layer):
        items = list(group)
        lines += ["", f"# {'totals' if layer == TOTAL else yaml_comment(f'{layer}: {items[0].about}')}"]
        lines += [f"{yaml_string(s.id)}: ~  # {yaml_comment(s.what)}" for s in items]
    return "\n".join(lines) + "\n"
