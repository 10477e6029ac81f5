"""The problem file's schema: what each field may hold, as pydantic models.

The schema catches wrong types, unknown keys and missing fields; what a schema cannot see (names
used but never defined, cycles, weight lists of the wrong length, …) the checks after it catch
(see load.py). Numbers are read as exact fractions, from the digits as written.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PositiveInt, ValidationError, create_model

from ..engine.losses import DEFAULT_LOSS, LossKind
from ..engine.ops import ACTIVATIONS, ActivationName
from ..engine.optimizers import CONSTANT_KEYS, FORMS, KINDS
from .fields import LAYER_CONSTANT_FIELDS, Name, Number, flat_vectors

MAX_NODES = 5_000
MAX_EXAMPLES = 10_000


class _Strict(BaseModel):
    # built on the first validation, not at import: only ProblemFile's validator is built then (its
    # sections' schemas inside it), so a command that reads no problem file never pays for them;
    # hence the defaults below are made by model_construct, which needs no validator
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, frozen=True, defer_build=True)


class FormulaActivation(_Strict):
    """An activation written as a formula of x (problem/functions.py), e.g.
    {name: scaled_asinh, formula: "asinh(x)/5 + 1/2"}."""

    name: Name
    formula: str


def _activation(v: Any) -> Any:
    """An activation's name from the op table, or a mapping {name, formula}: one message for either."""
    if isinstance(v, dict):
        try:
            return FormulaActivation.model_validate(v)
        except ValidationError as e:
            err = e.errors()[0]
            raise ValueError(f"{'.'.join(map(str, err['loc']))}: {err['msg']}") from None
    if v not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {v!r}; use one of {', '.join(ACTIVATIONS)}, or write one as a formula "
            '{name: …, formula: "…"} of x'
        )
    return v


Activation = Annotated[ActivationName | FormulaActivation, BeforeValidator(_activation)]


class UnitFile(_Strict):
    weights: list[Name]
    bias: Name | None = None
    activation: Activation | None = None


class DropoutFile(_Strict):
    """Dropout on a layer's outputs (problem/dropout.py): the rate and either the mask or a seed."""

    rate: Number
    mask: list[Any] | None = None  # one 0/1 per unit, or one such list per example
    seed: Annotated[int, Field(ge=0)] | None = None


class _LayerFields(_Strict):
    activation: Activation = "sigmoid"
    units: dict[Name, UnitFile] = Field(default_factory=dict, min_length=1)
    W: list[list[Number]] | None = None  # instead of `units`: one row per unit (problem/matrices.py)
    b: list[Number] | None = None
    dropout: DropoutFile | None = None


# a layer: the fields above and a key per constant an activation of the op table takes (leaky_relu's
# slope, fields.py), read by name; for mypy, the fields above
if TYPE_CHECKING:
    LayerFile = _LayerFields
else:
    LayerFile = create_model("LayerFile", __base__=_LayerFields, **LAYER_CONSTANT_FIELDS)


class NamingFile(_Strict):
    net: str = "net_{unit}"
    out: str = "out_{unit}"
    elements: Literal["plain", "superscript"] = "plain"  # a matrix layer's names: W1_12 or W⁽¹⁾₁₂


class PenaltyFile(_Strict):
    """A penalty on the parameters added to each example's loss: λ·Σw² (`half`: ½λ·Σw²) or λ·Σ|w|."""

    l2: Number | None = None
    l1: Number | None = None
    half: bool = False
    parameters: list[Name] | None = None  # None: every parameter that is not frozen


class LossFile(_Strict):
    kind: LossKind = DEFAULT_LOSS
    name: Name = "E"
    expr: str | None = None
    reduction: Literal["sum", "mean"] | None = None
    penalty: PenaltyFile | None = None


# an optimizer as the file gives it: its kind and form, and a key per constant of the optimizer
# table (engine/optimizers.py); which constants go with which kind, and their ranges, are checked
# in data.py. For mypy, the model with the constants read by name (getattr).
if TYPE_CHECKING:
    OptimizerKind = str

    class OptimizerFile(_Strict):
        kind: str
        form: str | None = None

else:
    OptimizerKind = Literal[KINDS]
    OptimizerFile = create_model(
        "OptimizerFile",
        __base__=_Strict,
        __doc__="An optimizer with its constants, as the optimizer table names them.",
        kind=(OptimizerKind, ...),
        **{key: (Number | None, None) for key in CONSTANT_KEYS},
        form=(Literal[FORMS] | None, None),
    )


def _kind_alone(v: Any) -> Any:
    """`optimizer: adam` is short for `optimizer: {kind: adam}`."""
    if isinstance(v, str):
        return {"kind": v}
    if not isinstance(v, dict):
        raise ValueError(f"expected an optimizer's name or a mapping {{kind: …, its constants}}, got {v!r}")
    return v


class TrainingFile(_Strict):
    learning_rate: Number
    mode: Literal["online", "batch", "minibatch"] = "online"
    batch_size: PositiveInt | None = None
    epochs: PositiveInt = 1
    optimizer: Annotated[OptimizerFile, BeforeValidator(_kind_alone)] = OptimizerFile.model_construct(
        kind="sgd"
    )
    weight_decay: Number | None = None


class ToleranceFile(_Strict):
    rtol: Number = Fraction(0)
    atol: Number = Fraction(0)


class ProblemFile(_Strict):
    title: str = ""
    description: str = ""
    inputs: list[Name] = []
    network: list[LayerFile] | None = None
    naming: NamingFile = NamingFile.model_construct()
    expressions: dict[Name, str] | None = None
    functions: dict[Name, str] = {}  # functions of x the expressions call by name (problem/functions.py)
    image: dict[Name, list[Any]] | None = None  # with `layers`: convolution on numbers (convolution.py)
    layers: list[Any] | None = None
    # a CNN in textbook terms, for `shapes`: checked by cnn/schema.py's ArchitectureFile when present
    # (load.py), so its models and the CNN code load only for the files that have one
    architecture: dict[str, Any] | None = None
    outputs: list[Name] | None = None
    targets: dict[Name, Name] = {}
    parameters: dict[Name, Number] = {}
    frozen: list[Name] = []
    input_gradients: list[Name] = []
    data: list[Annotated[dict[Name, Number], BeforeValidator(flat_vectors)]] = []
    loss: LossFile = LossFile.model_construct()
    training: TrainingFile | None = None
    tolerance: ToleranceFile | None = None  # for `check`: overrides the from-what-was-written rule
    # the two sections for a class, each checked by its own model when present (load.py), so that a
    # file without them (most) never builds those models
    variants: dict[str, Any] | None = None  # VariantsFile: the numbers each student's copy may change
    assignment: dict[str, Any] | None = None  # AssignmentFile: what a homework asks
