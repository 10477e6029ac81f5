"""Slips of the pen: a number written with two neighbouring digits swapped. The student may have worked
on with the number they meant, not the one they wrote: grade.py reads such a sheet both ways."""

from __future__ import annotations


def transposed(written: float, value: float, decimals: int, slack: float = 0.0) -> str | None:
    """The number meant, when the one written is it with two neighbouring digits swapped (0.3952 for
    0.3925, 30.34 for 33.04: a slip of the pen, not of the method), rounded as written: within half
    its last digit (and `slack`, what the rounding of its inputs moves it by) of `value`; else None."""
    text = f"{written:.{decimals}f}"
    sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
    point, digits = text.find("."), text.replace(".", "")
    half = 0.5 * 10.0**-decimals * (1 + 1e-9)
    for i in range(len(digits) - 1):
        if digits[i] != digits[i + 1]:
            swapped = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
            meant = sign + (swapped if point < 0 else f"{swapped[:point]}.{swapped[point:]}")
            if abs(float(meant) - value) <= half + slack:
                return meant
    return None
