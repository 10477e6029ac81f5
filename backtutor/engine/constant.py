"""A number a problem file may set for a table entry (an optimizer's β1, leaky_relu's slope): the
entry owns its key, its symbol in the working, its default and its range, so the schema and the
checks read them from the table instead of repeating them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from .notation import format_number


@dataclass(frozen=True)
class Constant:
    """A constant an op or optimizer takes from the file: its key, its symbol, its default and range."""

    key: str  # as the file names it
    symbol: str  # its Sym in the working ("beta1", "mu"); the key when the working never names it
    default: Fraction
    within: Callable[[Fraction], bool]  # the range
    range: str  # the range as a message states it: "in [0, 1)"

    def refusal(self, value: Fraction) -> str | None:
        """What is wrong with `value` for this constant, None if it is in range."""
        if self.within(value):
            return None
        return f"{self.key} must be {self.range}, got {format_number(value)}"
