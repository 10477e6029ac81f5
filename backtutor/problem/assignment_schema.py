"""The `assignment:` section of a problem file: what a homework asks, its points and the precision.

    assignment:
      min_digits: 3                # for every question: 3 significant figures at least (or decimals: 4)
      carried_forward: 0.5         # an answer carried forward from an earlier error: full, none or a fraction
      questions:
        - title: The parameters after the first example
          steps: ["*+@1"]          # step ids and patterns ("w*+", "dE_total/dw*"), or whole phases
          points: 5
        - title: The gradients
          steps: [gradients]
          points: 4
          decimals: 4              # a question's own precision wins over the section's

Which steps a pattern names is worked out against the Solution (solution/asked.py), which names the
pattern's line when it matches none.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from .fields import Positive, number

MAX_PRECISION = 15  # a double holds 15 significant figures


def _precision(v: Any) -> Any:
    """A whole number of digits from 1 to 15 (not 3.5, not `true`)."""
    if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= MAX_PRECISION:
        raise ValueError(f"expected a whole number from 1 to {MAX_PRECISION}, got {v!r}")
    return v


def _credit(v: Any) -> Any:
    """`full` (1), `none` (0) or a fraction of the points between."""
    words = {"full": Fraction(1), "none": Fraction(0)}
    if isinstance(v, str) and v in words:
        return words[v]
    why = f"expected full, none or a fraction from 0 to 1, got {v!r}"
    try:
        f = number(v)
    except ValueError:
        raise ValueError(why) from None
    if not 0 <= f <= 1:
        raise ValueError(why)
    return f


def _listed(v: Any) -> Any:
    """`steps: updates` is short for `steps: [updates]`."""
    return [v] if isinstance(v, str) else v


Precision = Annotated[int, BeforeValidator(_precision)]
Credit = Annotated[Fraction, BeforeValidator(_credit)]


class _Precise(BaseModel):
    # built on first use: load.py validates the section on its own (see schema.py)
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, frozen=True, defer_build=True)

    min_digits: Precision | None = None  # significant figures an answer must give at least
    decimals: Precision | None = None  # decimals an answer must give at least
    carried_forward: Credit | None = None  # the credit for an answer carried forward

    @model_validator(mode="after")
    def _one_precision(self) -> Any:
        if self.min_digits is not None and self.decimals is not None:
            raise ValueError("give min_digits or decimals, not both")
        return self


class QuestionFile(_Precise):
    title: str = ""
    steps: Annotated[list[Annotated[str, Field(min_length=1)]], BeforeValidator(_listed), Field(min_length=1)]
    points: Positive | None = None  # None: a point per step asked


class AssignmentFile(_Precise):
    questions: list[QuestionFile] = Field(min_length=1)
