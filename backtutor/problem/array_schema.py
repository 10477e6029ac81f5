"""The schema of a matrix network worked by the array engine (array_network.py): layers given as
matrices `W`/`b` or by `size` with an `init`, data as arrays (inline, or from an .npz, .npy or CSV
file beside the problem), and the loss and training sections of every problem file. Numbers are
floats here, not exact fractions: a network at course size holds thousands."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, FiniteFloat, PositiveInt, create_model

from .fields import LAYER_CONSTANT_FIELDS, Name
from .schema import DropoutFile, LossFile, NamingFile, ToleranceFile, TrainingFile
from .schema import _Strict as _Strict  # every problem schema's strictness (unknown keys refused)


class InitFile(_Strict):
    """How the weights of layers given by `size` are drawn (init.py): PyTorch's nn.Linear uniform
    ±1/√fan_in (W and b), He or Xavier (b = 0), by NumPy's default generator from a seed."""

    kind: Literal["uniform", "he", "xavier"] = "uniform"
    seed: Annotated[int, Field(ge=0)]


class ArrayDataFile(_Strict):
    """The data as arrays, one row per example: each of x, t and labels is written inline, names an
    array of `file` (an .npz beside the problem), or names an .npy or .csv file beside it. `labels`
    (class numbers 0 … K−1) stand for one-hot targets."""

    file: str | None = None
    x: str | list[Any]
    t: str | list[Any] | None = None
    labels: str | list[Any] | None = None
    examples: PositiveInt | None = None  # the first n examples only


class _ArrayLayerFields(_Strict):
    activation: str = "sigmoid"
    W: list[list[FiniteFloat]] | None = None  # one row per unit, one column per input of the layer
    b: list[FiniteFloat] | None = None
    size: PositiveInt | None = None  # instead of W: the number of units, W and b drawn by `init`
    bias: bool = True  # with `size`: whether the layer has a bias
    dropout: DropoutFile | None = None


if TYPE_CHECKING:
    ArrayLayerFile = _ArrayLayerFields
else:  # and a key per constant an activation takes (leaky_relu's slope), as a scalar layer has
    ArrayLayerFile = create_model("ArrayLayerFile", __base__=_ArrayLayerFields, **LAYER_CONSTANT_FIELDS)

Example = dict[Name, list[FiniteFloat] | FiniteFloat]


class ArrayNetworkFile(_Strict):
    title: str = ""
    description: str = ""
    inputs: list[Name] = Field(default_factory=lambda: ["x"])  # one name: the input vector
    network: list[ArrayLayerFile] = Field(min_length=1)
    naming: NamingFile = NamingFile.model_construct()  # the scalar view's names; not used here
    init: InitFile | None = None
    data: ArrayDataFile | list[Example]
    loss: LossFile = LossFile.model_construct()
    training: TrainingFile | None = None
    tolerance: ToleranceFile | None = None


ARRAY_ONLY = ("init",)  # keys only a file for the array engine has
Engine = Literal["auto", "scalar", "arrays"]
