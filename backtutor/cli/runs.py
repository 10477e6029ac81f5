"""What a run's options share, in `solve` on either engine and in `explore`: --steps read as update
numbers, --plot refused before a long run starts."""

from __future__ import annotations

import re
from pathlib import Path


def parse_steps(spec: str, total: int) -> set[int]:
    """'1,3,5-7', 'last' or 'all' → update numbers, each one of the run's `total` (a range is
    checked before it is expanded, so 1-999999999 costs nothing)."""
    out: set[int] = set()
    for part in spec.replace(" ", "").split(","):
        if part == "all":
            out.update(range(1, total + 1))
        elif part == "last":
            out.add(total)
        elif re.fullmatch(r"\d{1,18}(-\d{1,18})?", part):
            first, _, last = part.partition("-")
            a, b = int(first), int(last or first)
            bad = next((t for t in (a, b) if not 1 <= t <= total), None)
            if bad is not None:
                raise ValueError(f"--steps: update {bad} does not exist (this run has {total})")
            out.update(range(a, b + 1))
        else:
            raise ValueError(f"--steps: cannot read {part[:40]!r}; use e.g. 1,3,5-7, last or all")
    return out


def check_plot(plot: Path, epochs: int) -> None:
    """Refuse --plot early, before a long run: one epoch, a format we cannot write, no matplotlib."""
    from importlib.util import find_spec

    from ..errors import InputError

    if epochs < 2:
        raise InputError("--plot draws the loss per epoch: it needs a run of several epochs (--epochs N)")
    if plot.suffix.lower() not in (".png", ".svg", ".pdf"):
        what = plot.suffix or "a file without a suffix"
        raise InputError(f"--plot: cannot write {what}; use .png, .svg or .pdf")
    if find_spec("matplotlib") is None:
        raise InputError("--plot needs matplotlib, which is not installed: pip install 'backtutor[plot]'")
