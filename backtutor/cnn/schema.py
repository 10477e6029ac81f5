"""The layers of an `architecture` as a file writes them: one pydantic model per `kind`.

Layers are validated one at a time by their `kind` (unknown keys rejected), so an error points at
the layer's own line: `validate` raises `LayerError` with the layer's path in the file, which the
problem loader turns into a file error with a line number. Convolution on numbers
(problem/conv_schema.py) reuses `validate`, `Flatten` and `Pool` from here.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, create_model

from ..engine.ops import ACTIVATIONS, LAYER_CONSTANTS, ActivationName
from .errors import LayerError, Loc

MAX_SIZE = 10**7  # largest channel count, height, width, kernel, stride, padding or unit count


def _positive(v: Any, low: int = 1) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise ValueError(f"expected a whole number, got {v!r}")
    if v < low:
        raise ValueError(f"expected a whole number ≥ {low}, got {v}")
    if v > MAX_SIZE:
        raise ValueError(f"{v} is too large (at most {MAX_SIZE:,})")
    return v


def _pair(low: int) -> BeforeValidator:
    def check(v: Any) -> tuple[int, int]:
        if isinstance(v, list | tuple):
            if len(v) != 2:
                raise ValueError(f"expected one number or two [height, width], got {len(v)}")
            return (_positive(v[0], low), _positive(v[1], low))
        n = _positive(v, low)
        return (n, n)

    return BeforeValidator(check)


Count = Annotated[int, BeforeValidator(_positive)]
Size = Annotated[tuple[int, int], _pair(1)]  # kernel, window, stride, dilation: n or [h, w]
Padding = Annotated[tuple[int, int], _pair(0)]
LayerName = Annotated[str, Field(min_length=1, max_length=40)]
M = TypeVar("M", bound=BaseModel)


class Strict(BaseModel):
    """Unknown keys are errors (a typo is never silently ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NamedLayer(Strict):
    name: LayerName | None = None


class Conv(NamedLayer):
    kind: Literal["conv"]
    out_channels: Count
    kernel: Size
    stride: Size = (1, 1)
    padding: Padding = (0, 0)
    dilation: Size = (1, 1)
    groups: Count = 1
    bias: bool = True
    in_channels: Count | None = None  # optional: checked against the input


class Pool(NamedLayer):
    kind: Literal["maxpool", "avgpool"]
    window: Size
    stride: Size | None = None  # default: the window
    padding: Padding = (0, 0)


class Flatten(NamedLayer):
    kind: Literal["flatten"]


class Dense(NamedLayer):
    kind: Literal["dense"]
    units: Count
    bias: bool = True
    in_features: Count | None = None  # optional: checked against the input


class _ActivationFields(NamedLayer):
    kind: ActivationName


# and a key per constant an activation of the op table takes (leaky_relu's slope): no parameters
# either way, so any number
if TYPE_CHECKING:
    Activation = _ActivationFields
else:
    Activation = create_model(
        "Activation", __base__=_ActivationFields, **{key: (float | None, None) for key in LAYER_CONSTANTS}
    )


class Dropout(NamedLayer):
    kind: Literal["dropout"]
    rate: Annotated[float, Field(ge=0, lt=1)] = 0.5


class BatchNorm(NamedLayer):
    kind: Literal["batchnorm"]


class Branches(NamedLayer):
    """Parallel lists of layers on the same input, their outputs concatenated along the channels."""

    kind: Literal["branches"]
    branches: dict[LayerName, list[Any]] = Field(min_length=1)


Spec = Conv | Pool | Flatten | Dense | Activation | Dropout | BatchNorm | Branches
KINDS: dict[str, type[Spec]] = {
    "conv": Conv,
    "maxpool": Pool,
    "avgpool": Pool,
    "flatten": Flatten,
    "dense": Dense,
    "dropout": Dropout,
    "batchnorm": BatchNorm,
    "branches": Branches,
    **dict.fromkeys(ACTIVATIONS, Activation),
}


class ArchitectureFile(Strict):
    input: list[Count] = Field(min_length=1, max_length=3)  # [C, H, W], or [n] for features
    exact: bool = False  # sizes must divide exactly (no flooring)
    layers: list[Any] = Field(min_length=1)


_ALIASES = {  # other libraries' names for a kind, for the "did you mean" hint
    "convolution": "conv", "conv2d": "conv", "convolutional": "conv",
    "pool": "maxpool", "max_pool": "maxpool", "maxpool2d": "maxpool", "maxpooling2d": "maxpool",
    "avg_pool": "avgpool", "avgpool2d": "avgpool", "averagepooling2d": "avgpool", "average_pool": "avgpool",
    "linear": "dense", "fc": "dense", "fully_connected": "dense", "full": "dense",
    "batch_norm": "batchnorm", "batchnorm2d": "batchnorm", "bn": "batchnorm",
    "batchnormalization": "batchnorm",
    "concat": "branches", "inception": "branches", "parallel": "branches",
}  # fmt: skip


def validate(raw: Any, kinds: Mapping[str, type[M]], loc: Loc) -> M:
    """One layer mapping → the pydantic model of its `kind`; errors carry the layer's path."""
    if not isinstance(raw, dict):
        raise LayerError(loc, f"expected a layer as a mapping such as {{kind: conv, …}}, got {raw!r}")
    kind = raw.get("kind")
    if kind is None:
        raise LayerError(loc, f"each layer needs a 'kind' ({', '.join(dict.fromkeys(kinds))})")
    if not isinstance(kind, str) or kind not in kinds:
        alias = _ALIASES.get(str(kind).lower().replace("-", "_"))
        close = [alias] if alias in kinds else difflib.get_close_matches(str(kind), list(kinds), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else f" (known: {', '.join(dict.fromkeys(kinds))})"
        raise LayerError((*loc, "kind"), f"unknown layer kind {kind!r}{hint}")
    model = kinds[kind]
    try:
        return model.model_validate(raw)
    except ValidationError as e:
        raise _layer_error(e, model, kind, loc) from None


def _layer_error(e: ValidationError, model: type[BaseModel], kind: str, loc: Loc) -> LayerError:
    """The first error (unknown keys first: typos are the likeliest), at its path in the file."""
    errors = e.errors()
    err = next((x for x in errors if x["type"] == "extra_forbidden"), errors[0])
    where = tuple(err["loc"])
    if err["type"] == "extra_forbidden":
        known = [k for k in model.model_fields if k != "kind"]
        close = difflib.get_close_matches(str(where[-1]), known, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else f"; a {kind} layer takes {', '.join(known)}"
        return LayerError((*loc, *where[:-1]), f"unknown key '{where[-1]}'{hint}")
    message = err["msg"].removeprefix("Value error, ")
    if err["type"] == "missing":
        message = f"a {kind} layer needs '{where[-1]}'"
        where = where[:-1]
    return LayerError((*loc, *where), message)
