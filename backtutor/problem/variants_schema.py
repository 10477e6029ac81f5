"""The `variants:` section of a problem file: which numbers may change, how, and what must hold.

    variants:
      vary:
        parameters.w1: {from: -1, to: 1, step: 0.25}   # a range with a step
        data[0].x1: {from: 1, to: 5, integer: true}     # whole numbers only
        training.learning_rate: [0.1, 0.5]              # a list of choices
        w5: [0.4, 0.45]                                 # a bare name: parameters.w5
      require: {no_dead_relu: true, min_gradient: 1e-3, not_saturated: 0.99}
      tries: 1000
      seed: 2026

Each `vary` entry (a list of choices, or a RangeFile) and where its path points are checked against
the file in variants.py, which names the entry's line.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PositiveInt, model_validator

from .fields import Number, Positive, positive

MAX_TRIES = 100_000


class _StrictAliased(BaseModel):
    # built on first use: load.py validates the section on its own (see schema.py)
    model_config = ConfigDict(
        extra="forbid", arbitrary_types_allowed=True, frozen=True, populate_by_name=True, defer_build=True
    )


class RangeFile(_StrictAliased):
    """`from`, `from` + `step`, … up to `to` (included when a step lands on it); `integer`: whole numbers."""

    start: Number = Field(alias="from")
    to: Number
    step: Positive | None = None
    integer: bool = False

    @model_validator(mode="after")
    def _sensible(self) -> RangeFile:
        if self.start > self.to:
            raise ValueError(f"'from' ({float(self.start):g}) is above 'to' ({float(self.to):g})")
        if self.step is None and not self.integer:
            raise ValueError("a range needs a step (e.g. step: 0.25) or integer: true")
        if self.integer and self.step is not None and self.step.denominator != 1:
            raise ValueError("integer: true takes a whole-number step")
        if not self.count():
            raise ValueError(f"no value between {float(self.start):g} and {float(self.to):g} fits")
        return self

    def count(self) -> int:
        first = self.first()
        return 0 if first > self.to else int((self.to - first) // self.stride()) + 1

    def first(self) -> Fraction:
        if not self.integer:
            return self.start
        return Fraction(-((-self.start.numerator) // self.start.denominator))  # ceil(from)

    def stride(self) -> Fraction:
        return self.step or Fraction(1)

    def value(self, k: int) -> Fraction:
        """The k-th value (0-based)."""
        return self.first() + k * self.stride()


def _bound(v: Any) -> Any:
    """`not_saturated: true` is the bound 0.99."""
    if v is True:
        return Fraction(99, 100)
    if v is False or v is None:
        return None
    f = positive(v)
    if f >= 1:
        raise ValueError(f"the bound is below 1 (sigmoid and tanh never reach 1), got {v!r}")
    return f


class RequireFile(_StrictAliased):
    """The named constraints every variant must meet (docs/guide/variants.md)."""

    no_dead_relu: bool = False  # every ReLU's input above 0 on every worked example
    min_gradient: Positive | None = None  # every trainable parameter's gradient at least this in size
    not_saturated: Annotated[Fraction | None, BeforeValidator(_bound)] = None  # |tanh| ≤ b, 1 − b ≤ σ ≤ b


class VariantsFile(_StrictAliased):
    vary: dict[str, Any] = Field(min_length=1)  # path ↦ choices or a range, read by variants.py
    require: RequireFile = RequireFile.model_construct()
    tries: Annotated[PositiveInt, Field(le=MAX_TRIES)] = 1000
    seed: int | None = None  # the default of --seed
