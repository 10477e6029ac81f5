"""The `diff` command's steps: one formula from the command line, its --wrt variables and --at point
read, the chain-rule working made (solution/derive.py) and rendered as `solve` renders a problem."""

from __future__ import annotations

from .solve import render


def derivation(formula: str, wrt: list[str], at: list[str], format: str, precision: int) -> object:
    """The working of `formula` by each --wrt variable (comma-separated or repeated), at the --at
    point when one is given, in the chosen format."""
    from ..problem.one_formula import parse_point
    from ..solution.derive import derive

    chosen = [v.strip() for item in wrt for v in item.split(",") if v.strip()]
    point = parse_point(at) if at else None
    # the simplified closed form too in the terminal: asking about one formula is why diff exists
    return render(derive(formula, chosen, point), format, precision, None, blank=False, simplify=True)
