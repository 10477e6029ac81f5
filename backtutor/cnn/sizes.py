"""The output size of a sliding window, worked with the layer's own numbers as a textbook writes it.

Output size per spatial dimension: ⌊(N + 2P − D·(F − 1) − 1)/S⌋ + 1, which is ⌊(N + 2P − F)/S⌋ + 1
when the dilation D is 1. Both `shapes` and convolution on numbers size their layers here, so an
impossible window gets the same explanation in either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .errors import LayerError, Loc


def shape_text(shape: Sequence[int]) -> str:
    return "×".join(str(n) for n in shape)


def n(v: int) -> str:
    """A count with thousands separators, as textbooks print them: 431,080."""
    return f"{v:,}"


def product(shape: Sequence[int]) -> int:
    out = 1
    for d in shape:
        out *= d
    return out


@dataclass(frozen=True)
class Dim:
    """One spatial dimension of a sliding window: input N, window F, stride S, padding P, dilation D."""

    n: int
    f: int
    s: int
    p: int
    d: int = 1

    @property
    def numerator(self) -> int:
        return self.n + 2 * self.p - self.d * (self.f - 1) - 1

    @property
    def out(self) -> int:
        return self.numerator // self.s + 1

    def inside(self) -> str:
        """The numerator written with the layer's numbers: 28 + 2·0 − 5."""
        if self.d == 1:
            return f"{self.n} + 2·{self.p} − {self.f}"
        return f"{self.n} + 2·{self.p} − {self.d}·({self.f} − 1) − 1"

    def worked(self) -> str:
        """⌊(28 + 2·0 − 5)/1⌋ + 1 = 24, with ⌊11.5⌋ shown when the division is not exact."""
        head = f"⌊({self.inside()})/{self.s}⌋ + 1"
        if self.numerator % self.s:
            return f"{head} = ⌊{_decimal(self.numerator, self.s)}⌋ + 1 = {self.out}"
        return f"{head} = {self.out}"


def _decimal(a: int, b: int) -> str:
    """a/b as a short decimal: 11.5, 2.3333…"""
    text = f"{abs(a) / b:.4f}".rstrip("0").rstrip(".")
    return ("−" if a < 0 else "") + (text if a * 10**4 % b == 0 else text + "…")


def sizes(
    name: str, what: str, dims: tuple[Dim, Dim], exact: bool, loc: Loc
) -> tuple[int, int, tuple[str, ...]]:
    """Output height and width of a window layer with the worked formula, or a LayerError that
    explains why the window does not fit or (with `exact`) does not divide evenly."""
    h, w = dims
    for label, d in zip(("H", "W"), dims, strict=True):
        if d.numerator < 0:
            spans = ""
            if h.d > 1 or w.d > 1:
                reach = (h.d * (h.f - 1) + 1, w.d * (w.f - 1) + 1)
                spans = f" with dilation {shape_text((h.d, w.d))} (spanning {shape_text(reach)})"
            padded = f" (padded to {h.n + 2 * h.p}×{w.n + 2 * w.p})" if h.p or w.p else ""
            raise LayerError(
                loc,
                f"layer {name}: the {h.f}×{w.f} {what}{spans} does not fit its {h.n}×{w.n} input{padded}: "
                f"{label} = {d.worked()}, less than 1. Use a smaller {what} or more padding.",
            )
        if exact and d.numerator % d.s:
            raise LayerError(
                loc,
                f"layer {name}: ({d.inside()})/{d.s} = {_decimal(d.numerator, d.s)} is not a whole number, "
                f"so {label} = {d.worked()} only by rounding down, and this architecture asks for exact "
                "division (exact: true); change the kernel, stride or padding so that the windows fit "
                "exactly",
            )
    if (h.n, h.f, h.s, h.p, h.d) == (w.n, w.f, w.s, w.p, w.d):
        return h.out, w.out, (f"H = W = {h.worked()}",)
    return h.out, w.out, (f"H = {h.worked()}", f"W = {w.worked()}")
