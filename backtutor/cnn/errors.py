"""The error of a layer, shared by the CNN shape code and the convolution-on-numbers code: one small
module, so that code which only reports a layer's error (problem/arrays.py) does not load the
schemas."""

from __future__ import annotations

from typing import Any

from ..errors import InputError

Loc = tuple[Any, ...]


class LayerError(InputError):
    """A layer that cannot be read or whose shapes are impossible; `loc` is its path in the file."""

    def __init__(self, loc: Loc, message: str) -> None:
        super().__init__(message)
        self.loc, self.message = loc, message
