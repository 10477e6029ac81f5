"""The field types every schema module reads: numbers as written (exact), names as allowed, and an
example's vectors spread into scalars. Below schema.py and its sections (variants_schema.py,
conv_schema.py), which all build on them."""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator

from ..engine.constant import Constant
from ..engine.ops import LAYER_CONSTANTS, OPS
from ..engine.parse import valid_name

_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d{1,3})?")


def number(v: Any) -> Fraction:
    """A number as written in the file → an exact Fraction (0.1 is 1/10, not the nearest float)."""
    if isinstance(v, bool) or v is None:
        raise ValueError(f"expected a number, got {v!r}")
    if isinstance(v, int):
        f = Fraction(v)
    elif isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"expected a finite number, got {v!r}")
        f = Fraction(repr(v))
    elif isinstance(v, str) and _NUMBER.fullmatch(v.strip()):
        f = Fraction(v.strip())
    else:
        raise ValueError(f"expected a number, got {v!r}")
    if abs(f) > 10**100:
        raise ValueError(f"number too large: {v!r}")
    return f


def positive(v: Any) -> Fraction:
    """A number above 0, as written."""
    f = number(v)
    if f <= 0:
        raise ValueError(f"expected a number above 0, got {v!r}")
    return f


def _name(v: Any) -> str:
    if not isinstance(v, str) or not valid_name(v):
        raise ValueError(
            f"{v!r} is not an allowed name (a letter, then letters, digits or _; not a function name)"
        )
    return v


def flat_vectors(v: Any) -> Any:
    """An example's vectors as scalars: {x: [3, 1]} → {x_1: 3, x_2: 1} (docs/reference/problem-file.md)."""
    if not isinstance(v, dict):
        return v
    out: dict[Any, Any] = {}
    for key, value in v.items():
        if isinstance(value, list) and isinstance(key, str):
            out.update({f"{key}_{i}": x for i, x in enumerate(value, 1)})
        else:
            out[key] = value
    return out


Number = Annotated[Fraction, BeforeValidator(number)]
Name = Annotated[str, BeforeValidator(_name)]
Positive = Annotated[Fraction, BeforeValidator(positive)]


def _in_range(c: Constant) -> AfterValidator:
    def check(v: Fraction) -> Fraction:
        if why := c.refusal(v):
            raise ValueError(why)
        return v

    return AfterValidator(check)


# a layer's keys for its activation's constants (leaky_relu's slope), from the op table: each an exact
# number in the entry's range, the entry's default when left out
LAYER_CONSTANT_FIELDS: dict[str, Any] = {
    key: (Annotated[Fraction, BeforeValidator(number), _in_range(c)], c.default)
    for key, c in LAYER_CONSTANTS.items()
}


def layer_constant(layer: BaseModel, activation: str) -> Fraction | None:
    """The constant a layer gives its activation (its op's default if left out); None without one."""
    op = OPS.get(activation)
    return getattr(layer, op.constant.key) if op and op.constant else None
