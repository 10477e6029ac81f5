"""A convolutional network for the array engine, file → ArrayConvProblem: an `architecture` as
`shapes` reads it (conv, max/avg pooling, activations, flatten, dense), its weights drawn from an
`init` seed, one image from an array file beside the problem, the class it shows, and one SGD step
on softmax cross-entropy. The shapes are the architecture's own, checked by cnn/shapes.py."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, ValidationError

from ..cnn.errors import LayerError
from ..cnn.schema import KINDS, ArchitectureFile, Conv, Dense, Pool, Spec, Strict, validate
from ..cnn.shapes import compute
from ..cnn.table import ShapeTable
from .array_files import read_arrays, show_shape
from .files import FileError
from .records import Training
from .sources import Source, read_source
from .yamlfile import Lines, field_name, line_of

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Array = NDArray[np.float64]
else:
    Array = Any

WORKED = (
    "conv",
    "maxpool",
    "avgpool",
    "flatten",
    "dense",
    "relu",
    "tanh",
    "sigmoid",
    "leaky_relu",
    "identity",
)


class ConvInitFile(Strict):
    """Kernels and weights U(±1/√fan_in), PyTorch's default for Conv2d and Linear, from a seed."""

    kind: Literal["uniform"] = "uniform"
    seed: Annotated[int, Field(ge=0)]


class ConvArraysFile(Strict):
    title: str = ""
    description: str = ""
    architecture: ArchitectureFile
    init: ConvInitFile
    image: str  # an .npy, .npz (array x) or .csv file beside the problem: C × H × W (a CSV: H × W)
    target: Annotated[int, Field(ge=0)]  # the class the image shows
    learning_rate: Annotated[float, Field(gt=0, le=10)] = 0.1


@dataclass(frozen=True)
class ConvLayer:
    """One layer as the engine works it; n numbers the layers with parameters (K1/W1, b1, …)."""

    kind: str  # conv, pool, flatten, dense, or an activation's name
    n: int
    stride: int = 1
    padding: int = 0
    size: int = 0  # a pooling window
    pool: str = ""  # "max" or "avg"
    slope: float = 0.0


@dataclass(frozen=True, eq=False)
class ArrayConvProblem:
    path: str
    title: str
    description: str
    layers: tuple[ConvLayer, ...]
    given: dict[str, Array]  # x (C × H × W), t (one-hot column), K1, b1, …, W5, b5
    learning_rate: float
    notes: tuple[str, ...] = ()
    tolerance: tuple[float, float] | None = None
    loss: str = "E"  # softmax cross-entropy on the outputs
    examples: int = 1  # the one image

    @property
    def training(self) -> Training:
        """One SGD step on the one image, as the array engine's working states a run."""
        return Training(Fraction(str(self.learning_rate)), "batch", 1, 1)

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(k for k in self.given if k[0] in "KWb")


def load_conv_arrays(source: Source) -> ArrayConvProblem:
    return conv_arrays_of(*read_source(source))


def conv_arrays_of(name: str, raw: Any, lines: Lines) -> ArrayConvProblem:
    spec = _validated(name, raw, lines)
    try:
        return _problem(name, spec)
    except LayerError as e:
        raise _fail(name, lines, e.loc, e.message) from None


def conv_shapes(name: str, raw: Any, lines: Lines) -> ShapeTable:
    """The architecture's table, as `shapes` gives it for any architecture."""
    spec = _validated(name, raw, lines)
    try:
        return compute(spec.architecture, spec.title)
    except LayerError as e:
        raise _fail(name, lines, e.loc, e.message) from None


def _validated(name: str, raw: Any, lines: Lines) -> ConvArraysFile:
    try:
        return ConvArraysFile.model_validate(raw)
    except ValidationError as e:
        err = next((x for x in e.errors() if x["type"] == "extra_forbidden"), e.errors()[0])
        raise _fail(name, lines, tuple(err["loc"]), err["msg"]) from None


def _fail(name: str, lines: Lines, loc: tuple[Any, ...], message: str) -> FileError:
    return FileError(name, message, line_of(lines, loc), field_name(loc))


def _problem(name: str, spec: ConvArraysFile) -> ArrayConvProblem:
    import numpy as np

    arch = spec.architecture
    table = compute(arch, spec.title)  # every shape checked, as `shapes` checks it
    specs = [validate(raw, KINDS, ("architecture", "layers", i)) for i, raw in enumerate(arch.layers)]
    layers, shapes = _layers(specs), [r.input for r in table.rows if r.role == "layer"]
    if layers[-1].kind != "dense":
        why = "end with a dense layer: its outputs go through softmax into cross-entropy"
        raise LayerError(("architecture", "layers"), why)
    classes = int(np.prod(table.output))
    if spec.target >= classes:
        raise LayerError(
            ("target",),
            f"class {spec.target} is not one of the network's {classes} outputs (0 … {classes - 1})",
        )
    rng = np.random.default_rng(spec.init.seed)
    given: dict[str, Array] = {"x": _image(name, spec.image, tuple(arch.input))}
    given["t"] = np.eye(classes)[:, [spec.target]]
    for layer, s, shape in zip(layers, specs, shapes, strict=True):
        if isinstance(s, Conv):
            fan_in = shape[0] * s.kernel[0] * s.kernel[1]
            bound = 1 / np.sqrt(fan_in)
            given[f"K{layer.n}"] = rng.uniform(-bound, bound, (s.out_channels, shape[0], *s.kernel))
            given[f"b{layer.n}"] = rng.uniform(-bound, bound, s.out_channels)
        elif isinstance(s, Dense):
            fan_in = int(np.prod(shape))
            bound = 1 / np.sqrt(fan_in)
            given[f"W{layer.n}"] = rng.uniform(-bound, bound, (s.units, fan_in))
            given[f"b{layer.n}"] = rng.uniform(-bound, bound, s.units)
    note = (
        f"kernels and weights drawn from seed {spec.init.seed} by NumPy's default generator, layer by "
        "layer: U(±1/√fan_in)"
    )
    return ArrayConvProblem(name, spec.title, spec.description, layers, given, spec.learning_rate, (note,))


def _layers(specs: list[Spec]) -> tuple[ConvLayer, ...]:
    layers: list[ConvLayer] = []
    n = 0
    for i, s in enumerate(specs):
        loc = ("architecture", "layers", i)
        if s.kind not in WORKED:
            raise LayerError(
                (*loc, "kind"), f"the array engine works {', '.join(WORKED)} layers, not '{s.kind}'"
            )
        if isinstance(s, Conv | Pool) and (len(set(s.stride or (0, 0))) > 1 or len(set(s.padding)) > 1):
            raise LayerError(loc, "the array engine works the same stride and padding across and down")
        if isinstance(s, Conv):
            if s.dilation != (1, 1) or s.groups != 1 or not s.bias:
                raise LayerError(
                    loc, "the array engine works convolutions without dilation or groups, with a bias"
                )
            n += 1
            layers.append(ConvLayer("conv", n, s.stride[0], s.padding[0]))
        elif isinstance(s, Pool):
            if s.padding != (0, 0) or s.window[0] != s.window[1]:
                raise LayerError(loc, "the array engine pools square windows without padding")
            stride = s.stride[0] if s.stride else s.window[0]
            layers.append(ConvLayer("pool", n, stride, 0, s.window[0], s.kind[:3]))
        elif isinstance(s, Dense):
            if not s.bias:
                raise LayerError(loc, "the array engine works dense layers with a bias")
            n += 1
            layers.append(ConvLayer("dense", n))
        else:
            layers.append(ConvLayer(s.kind, n, slope=float(getattr(s, "slope", None) or 0.0)))
    return tuple(layers)


def _image(problem: str, image: str, shape: tuple[int, ...]) -> Array:
    import numpy as np

    path = Path(problem).parent / image
    found = read_arrays(path)
    key = next(iter(found.arrays)) if len(found.arrays) == 1 else "x"  # an .npz of several: its x
    x = np.asarray(found.get(key), dtype=np.float64)
    if x.ndim == 2 and len(shape) == 3 and shape[0] == 1:
        x = x[None]  # one grey image as a matrix (a CSV)
    if x.shape != shape:
        wanted = f"the architecture's input is {show_shape(shape)}"
        raise FileError(str(path), f"shape {show_shape(x.shape)}; {wanted}", field=f"array '{key}'")
    return x
