"""The layers of convolution on numbers (`image` and `layers`), one pydantic model per `kind`.

Flatten and pooling are the architecture's own layers (cnn/schema.py); a pooling layer's name here
must also make valid node names, as its cells are named after it. Conv and dense differ from the
architecture's: they carry the kernel's and weights' numbers ({k: [[…]]}), whose shapes give the
filter and unit counts, where an architecture gives sizes and counts (out_channels, kernel: 5,
units). An activation's constant (leaky_relu's slope) here is an exact number in its range with its
op's default, as it enters the working; `shapes` never uses it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, create_model

from ...cnn import schema as shapes
from ...cnn.schema import Flatten, NamedLayer, Padding, Size
from ...engine.ops import ACTIVATIONS, ActivationName
from ..fields import LAYER_CONSTANT_FIELDS, Name


class NumericConv(NamedLayer):
    kind: Literal["conv"]
    name: Name | None = None
    kernel: dict[Name, Any] = Field(min_length=1, max_length=1)
    bias: dict[Name, Any] | None = Field(default=None, min_length=1, max_length=1)
    stride: Size = (1, 1)
    padding: Padding = (0, 0)


class NumericPool(shapes.Pool):
    name: Name | None = None


class NumericDense(NamedLayer):
    kind: Literal["dense"]
    name: Name | None = None
    weights: dict[Name, Any] = Field(min_length=1, max_length=1)
    bias: dict[Name, Any] | None = Field(default=None, min_length=1, max_length=1)


class _NumericActivationFields(NamedLayer):
    kind: ActivationName
    name: Name | None = None


# and a key per constant an activation of the op table takes (leaky_relu's slope, fields.py)
if TYPE_CHECKING:
    NumericActivation = _NumericActivationFields
else:
    NumericActivation = create_model(
        "NumericActivation", __base__=_NumericActivationFields, **LAYER_CONSTANT_FIELDS
    )


Layer = NumericConv | NumericPool | Flatten | NumericDense | NumericActivation
KINDS: dict[str, type[Layer]] = {
    "conv": NumericConv,
    "maxpool": NumericPool,
    "avgpool": NumericPool,
    "flatten": Flatten,
    "dense": NumericDense,
    **dict.fromkeys(ACTIVATIONS, NumericActivation),
}
DEFAULT_NAMES = {"conv": "c", "maxpool": "p", "avgpool": "p", "dense": "z"}  # activations: "a"
