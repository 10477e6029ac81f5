"""When a written number counts as a value: rounded the way it was written, or within rtol/atol.

Unless the problem file or the command line sets rtol/atol, a number is right when it is the value
rounded to the digits the student wrote (k decimals, or k significant figures in e-notation), so a
sheet never needs a tolerance chosen for it. A bare integer, and a number written as exactly the value
(a given 0.4 copied), has no last digit rounded: it must be the value, to the float's own noise.
"""

from __future__ import annotations

import math

from .sheet import Answer

EXACT = 1e-12  # an exact number is the value to float arithmetic's noise: this much relative (or absolute)


def half_unit(a: Answer, value: float) -> float:
    """Half a unit in the answer's last written digit: the most its rounding moved it."""
    return 0.5 * a.unit * (1 + 1e-9) if a.unit else EXACT * (abs(value) + 1)


class Tolerance:
    def __init__(
        self, rtol: float | None, atol: float | None, default: tuple[float, float] | None = None
    ) -> None:
        """rtol/atol from the command line win over the problem file's `default`; neither: rounding."""
        tol = (rtol, atol) if rtol is not None or atol is not None else default
        self.bounds = (tol[0] or 0.0, tol[1] or 0.0) if tol else None

    def close(self, a: Answer, value: float, slack: float = 0.0) -> bool:
        """Equal to `value` rounded the way `a` was written (or within rtol/atol), ± slack."""
        assert a.value is not None
        if not math.isfinite(value):
            return False
        if self.bounds:
            rtol, atol = self.bounds
            return abs(a.value - value) <= atol + rtol * abs(value) + slack
        return abs(a.value - value) <= half_unit(a, value) + slack

    def reach(self, a: Answer) -> float:
        """How far from `a` a value can be and still be close to it (no slack): a bound for searching."""
        assert a.value is not None
        if not self.bounds:
            return half_unit(a, a.value) * (1 + 2 * EXACT)
        rtol, atol = self.bounds
        if rtol >= 1:
            return math.inf
        return atol + rtol * (abs(a.value) + atol) / (1 - rtol) * (1 + 1e-9)

    def decimals(self, a: Answer) -> int | None:
        """How many decimals `a` was written to, when rounding (not rtol/atol) decides."""
        if self.bounds or not 0 < a.unit < math.inf:
            return None
        return max(0, round(-math.log10(a.unit)))
