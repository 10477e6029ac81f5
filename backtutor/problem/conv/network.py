"""Convolution and pooling on small matrices, as named scalar expressions for the one graph engine.

A file gives `image: {x: [[…]]}` and `layers: [{kind: conv, …}, {kind: maxpool, …}, …]`; this
module turns them into named expressions, the way `network.network_model` does for units, so the
forward and backward steps, `check`, the closed forms and every oracle work unchanged:

- conv:     c_i_j = Σ k_u_v · x_(i+u−1)_(j+v−1) + b over the window (cross-correlation, no kernel
            flip, as in PyTorch); padding cells are 0 and left out of the sum
- maxpool:  p_i_j = max(window), one n-ary `max` whose gradient goes to the first largest cell
- avgpool:  p_i_j = (sum of the window)/(F·F); padding counts as 0 (PyTorch's count_include_pad)
- flatten:  the cells in channel, row, column order; dense: z_u = Σ w_u_j · in_j + b_u
- relu, sigmoid, tanh, …: elementwise; softmax over a vector

Names follow the arrays as written: a matrix `x` has cells x_1_1 … (row, column, 1-based), a
C×H×W array x_1_1_1 … (channel first). A layer's output is named by its `name` with the same
suffixes (a channel index only when there are several channels). The backward pass then reads as
the textbooks say: ∂L/∂kernel is the correlation of the input with the upstream gradient, ∂L/∂input
the full convolution of the upstream gradient with the flipped kernel, max-pool routes the gradient
to the winner and average pooling spreads it evenly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ...cnn.errors import LayerError, Loc
from ...cnn.schema import ArchitectureFile, Flatten, validate
from ...engine.expr import Expr, names
from ..arrays import Array, read_array
from ..checker import BuiltModel, SpecReader
from ..schema import LossFile, ProblemFile
from . import layers as conv_layers
from .build import Builder, Grid, LayerOutput
from .schema import KINDS, NumericConv, NumericDense, NumericPool


@dataclass(frozen=True)
class ConvNetwork:
    inputs: tuple[str, ...]  # the image's cells that the model uses, in the image's order
    cells: dict[str, Fraction]  # every cell of the image and its value
    parameters: dict[str, Fraction]  # kernels, biases and weights, with their values
    tensors: dict[str, tuple[str, ...]]  # image, kernel, weight and bias names ↦ their cells
    model: list[tuple[str, Expr]]
    outputs: list[str]
    layers: tuple[tuple[str, ...], ...]  # node names by layer
    names: tuple[str, ...] = ()  # each layer's name, the base of its cells' names
    notes: dict[str, str] = field(default_factory=dict)  # node ↦ how to read its working
    live: frozenset[str] = frozenset()  # the image's cells the loss depends on
    architecture: ArchitectureFile | None = None  # the same network in `shapes` terms


def _image(image: dict[str, Any]) -> tuple[Array, list[Grid]]:
    """The one image and its channels (one for a matrix, C for a C×H×W array)."""
    if len(image) != 1:
        raise LayerError(
            ("image",), "give one image: image: {x: [[…], …]} (a C×H×W array for several channels)"
        )
    ((iname, iraw),) = image.items()
    picture = read_array(iname, iraw, ("image", iname), (2, 3), "image")
    if len(picture.shape) == 2:
        return picture, [
            [[picture.cell(i, j) for j in range(picture.shape[1])] for i in range(picture.shape[0])]
        ]
    return picture, [
        [[picture.cell(c, i, j) for j in range(picture.shape[2])] for i in range(picture.shape[1])]
        for c in range(picture.shape[0])
    ]


def _layers(b: Builder, state: LayerOutput, raw_layers: list[Any]) -> LayerOutput:
    """Each layer in turn on the current value; the last one's output."""
    if not raw_layers:
        raise LayerError(("layers",), "give at least one layer")
    for li, raw in enumerate(raw_layers):
        loc: Loc = ("layers", li)
        layer = validate(raw, KINDS, loc)
        if isinstance(layer, NumericConv):
            state = conv_layers.conv(b, layer, state, loc)
        elif isinstance(layer, NumericPool):
            state = conv_layers.pool(b, layer, state, loc)
        elif isinstance(layer, Flatten):
            state = LayerOutput(None, state.all())
            b.arch.append({"kind": "flatten"})
        elif isinstance(layer, NumericDense):
            state = conv_layers.dense(b, layer, state, loc)
        else:
            state = conv_layers.activation(b, layer, state, loc)
    return state


def conv_network(image: dict[str, Any], raw_layers: list[Any]) -> ConvNetwork:
    """The named expressions of `layers` applied to `image`; LayerError on anything wrong."""
    picture, maps = _image(image)
    cells = {picture.cell(*i): v for i, v in picture.values.items()}
    b = Builder()
    b.tensors[picture.name] = tuple(cells)
    state = _layers(b, LayerOutput(maps, None), raw_layers)
    used = {n for _, e in b.model for n in names(e)}
    for name in b.parameters:
        if name not in used:
            raise LayerError(
                ("layers",), f"'{name}' only ever meets padding, never a cell; use less padding or stride"
            )
    inputs = tuple(c for c in cells if c in used)
    outputs = state.all()
    reach = set(outputs)  # nodes the loss depends on
    for name, expr in reversed(b.model):
        if name in reach:
            reach.update(names(expr))
    channels = 1 if len(picture.shape) == 2 else picture.shape[0]
    size = picture.shape[-2:]
    architecture = ArchitectureFile.model_validate({"input": [channels, *size], "layers": b.arch})
    return ConvNetwork(
        inputs=inputs,
        cells=cells,
        parameters=b.parameters,
        tensors=b.tensors,
        model=b.model,
        outputs=outputs,
        layers=tuple(b.layers),
        names=tuple(b.names),
        notes=_notes(b, tuple(cells)),
        live=frozenset(c for c in inputs if c in reach),
        architecture=architecture,
    )


def architecture_of(image: dict[str, Any], raw_layers: list[Any]) -> ArchitectureFile:
    """The layers of a convolution-on-numbers file in `shapes` terms."""
    net = conv_network(image, raw_layers)
    assert net.architecture is not None
    return net.architecture


def _notes(b: Builder, image: tuple[str, ...]) -> dict[str, str]:
    """Each conv or pooling cell ↦ its layer's note, which also names the cells of the layer's input
    that fall under none of its windows (the ⌊…⌋ of the size formula drops them)."""
    exprs = dict(b.model)
    out: dict[str, str] = {}
    for j, (cells, text) in enumerate(zip(b.layers, b.texts, strict=True)):
        if not text:
            continue
        used = {n for c in cells for n in names(exprs[c])}
        skipped = [c for c in (b.layers[j - 1] if j else image) if c not in used]
        if skipped:
            listing = ", ".join(skipped[:6]) + (", …" if len(skipped) > 6 else "")
            text += f"; {listing} fall under no window (the ⌊…⌋ of the size formula) and take no part"
        out.update(dict.fromkeys(cells, text))
    return out


def convolution_model(c: SpecReader) -> tuple[ProblemFile, BuiltModel]:
    """Convolution on numbers in a problem file: the layers' named expressions, and the file's spec
    with the image's cells as the inputs (and the values of every example) and the kernels' and
    weights' values as parameters, so the checks after it see an ordinary model."""
    s = c.spec
    assert s.layers is not None
    if s.image is None:
        raise c.fail(
            ("layers",), "'layers' work on an 'image', a matrix of values: image: {x: [[1, 0], [0, 1]]}"
        )
    if s.inputs:
        raise c.fail(("inputs",), "with an 'image' the inputs are its cells; leave out 'inputs'")
    try:
        net = conv_network(s.image, s.layers)
    except LayerError as e:
        raise c.fail(e.loc, e.message) from None
    _check_names(c, net)

    def expand(chosen: list[str]) -> list[str]:
        """Kernel and image names → their cells; cells the loss does not depend on are left out."""
        cells = (cell for name in chosen for cell in net.tensors.get(name, (name,)))
        return list(dict.fromkeys(cell for cell in cells if cell in net.live or cell not in net.cells))

    values = {cell: net.cells[cell] for cell in net.inputs}
    forward_only = "loss" not in s.model_fields_set and not s.targets and not s.data
    spec = s.model_copy(
        update={
            "loss": LossFile.model_construct(kind="none") if forward_only else s.loss,
            "inputs": list(net.inputs),
            "parameters": {**net.parameters, **s.parameters},
            "data": [{**example, **values} for example in s.data] or [values],
            "frozen": expand(s.frozen),
            "input_gradients": expand(s.input_gradients),
        }
    )
    if not forward_only and s.outputs is not None:
        raise c.fail(
            ("outputs",),
            "'outputs' picks the maps a forward-pass exercise asks for (a file without a loss); "
            "with a loss the working shows every map: leave out 'outputs'",
        )
    maps = _asked_maps(c, net)
    return spec, BuiltModel(net.model, net.outputs, net.outputs, net.layers, net.notes, maps)


def _asked_maps(c: SpecReader, net: ConvNetwork) -> tuple[str, ...]:
    """The layers whose maps `outputs` asks for, by name, in the network's order (every layer's
    when the file does not say)."""
    asked = c.spec.outputs
    if asked is None:
        return net.names
    for i, name in enumerate(asked):
        if name not in net.names:
            raise c.fail(
                ("outputs", i), f"'{name}' is not a layer's name (the layers are {', '.join(net.names)})"
            )
    return tuple(n for n in net.names if n in asked)


def _check_names(c: SpecReader, net: ConvNetwork) -> None:
    """Names the file gives besides `layers` must not clash with what the layers define."""
    s = c.spec
    for name in s.parameters:
        if name in net.parameters:
            raise c.fail(("parameters", name), f"'{name}' already has its value in 'layers'")
    for i, example in enumerate(s.data):
        for key in example:
            if key in net.cells:
                raise c.fail(("data", i, key), f"'{key}' is a cell of the image, given in 'image'")
    arrays = set(net.tensors) - set(s.image or ())  # kernels, weights and biases by their names
    for key, allowed, what in (
        ("frozen", set(net.parameters) | set(s.parameters) | arrays, "a parameter or a kernel"),
        ("input_gradients", set(net.cells) | set(s.image or ()), "the image or one of its cells"),
    ):
        for i, name in enumerate(getattr(s, key)):
            if name not in allowed:
                raise c.fail((key, i), f"'{name}' is not {what}")
