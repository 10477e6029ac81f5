"""Convolution and pooling on small matrices, as named scalar expressions for the one graph engine.

A file gives `image: {x: [[…]]}` and `layers: [{kind: conv, …}, {kind: maxpool, …}, …]`; this
module turns them into named expressions, the way `model.network_model` does for units, so the
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

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

from pydantic import Field

from ..cnn.shapes import ArchitectureFile, Dim, LayerError, Loc, Padding, Size, _Layer, sizes, validate
from ..engine.expr import Call, Expr, Num, Sym, names
from ..engine.ops import ACTIVATIONS, ActivationName
from .load import MAX_NODES, Name, Number, _number

MAX_CELLS = 4_096  # numbers in one array
Grid = list[list[str]]  # a channel: rows of cell names


class Conv(_Layer):
    kind: Literal["conv"]
    name: Name | None = None  # type: ignore[assignment]
    kernel: dict[Name, Any] = Field(min_length=1, max_length=1)
    bias: dict[Name, Any] | None = Field(default=None, min_length=1, max_length=1)
    stride: Size = (1, 1)
    padding: Padding = (0, 0)


class Pool(_Layer):
    kind: Literal["maxpool", "avgpool"]
    name: Name | None = None  # type: ignore[assignment]
    window: Size
    stride: Size | None = None  # default: the window
    padding: Padding = (0, 0)


class Flatten(_Layer):
    kind: Literal["flatten"]


class Dense(_Layer):
    kind: Literal["dense"]
    name: Name | None = None  # type: ignore[assignment]
    weights: dict[Name, Any] = Field(min_length=1, max_length=1)
    bias: dict[Name, Any] | None = Field(default=None, min_length=1, max_length=1)


class Activation(_Layer):
    kind: ActivationName
    name: Name | None = None  # type: ignore[assignment]
    slope: Number = Fraction(1, 100)  # leaky_relu


Layer = Conv | Pool | Flatten | Dense | Activation
KINDS: dict[str, type[_Layer]] = {
    "conv": Conv,
    "maxpool": Pool,
    "avgpool": Pool,
    "flatten": Flatten,
    "dense": Dense,
    **dict.fromkeys(ACTIVATIONS, Activation),
}
DEFAULT_NAMES = {"conv": "c", "maxpool": "p", "avgpool": "p", "dense": "z"}  # activations: "a"


@dataclass(frozen=True)
class ConvNetwork:
    inputs: tuple[str, ...]  # the image's cells that the model uses, in the image's order
    cells: dict[str, Fraction]  # every cell of the image and its value
    parameters: dict[str, Fraction]  # kernels, biases and weights, with their values
    tensors: dict[str, tuple[str, ...]]  # image, kernel, weight and bias names ↦ their cells
    model: list[tuple[str, Expr]]
    outputs: list[str]
    layers: tuple[tuple[str, ...], ...]  # node names by layer
    notes: dict[str, str] = field(default_factory=dict)  # node ↦ how to read its working
    live: frozenset[str] = frozenset()  # the image's cells the loss depends on
    architecture: ArchitectureFile | None = None  # the same network in `shapes` terms


def cell_name(base: str, index: tuple[int, ...]) -> str:
    return base + "".join(f"_{i + 1}" for i in index)


@dataclass(frozen=True)
class Array:
    """A nested list of numbers from the file, with a name for each entry."""

    name: str
    shape: tuple[int, ...]
    values: dict[tuple[int, ...], Fraction]

    def cell(self, *index: int) -> str:
        return cell_name(self.name, index)

    def cells(self) -> list[str]:
        return [self.cell(*i) for i in self.values]


def read_array(name: str, raw: Any, loc: Loc, ranks: tuple[int, ...], what: str) -> Array:
    """Check that `raw` is a rectangular nested list of numbers of one of the allowed ranks."""
    shape: list[int] = []
    probe = raw
    while isinstance(probe, list):
        if not probe:
            raise LayerError(loc, f"{what} '{name}' has an empty list")
        shape.append(len(probe))
        probe = probe[0]
    if len(shape) not in ranks:
        written = {
            1: "a list of numbers",
            2: "a matrix",
            3: "a list of matrices",
            4: "a list of lists of matrices",
        }
        allowed = " or ".join(written[r] for r in ranks)
        raise LayerError(loc, f"{what} '{name}' should be {allowed}")
    count = 1
    for d in shape:
        count *= d
    if count > MAX_CELLS:
        raise LayerError(loc, f"{what} '{name}' has {count:,} numbers; at most {MAX_CELLS:,}")
    values: dict[tuple[int, ...], Fraction] = {}

    def walk(x: Any, index: tuple[int, ...]) -> None:
        depth = len(index)
        if depth == len(shape):
            try:
                values[index] = _number(x)
            except ValueError as e:
                raise LayerError((*loc, *index), f"{what} '{name}': {e}") from None
            return
        if not isinstance(x, list) or len(x) != shape[depth]:
            raise LayerError(
                (*loc, *index),
                f"{what} '{name}' is not rectangular: this "
                + ("row" if depth == len(shape) - 1 else "entry")
                + f" should be a list of {shape[depth]}, like the first one",
            )
        for i, item in enumerate(x):
            walk(item, (*index, i))

    walk(raw, ())
    return Array(name, tuple(shape), values)


@dataclass
class _State:
    """The current value: a map (channels of grids of names) or a vector of names."""

    maps: list[Grid] | None
    vector: list[str] | None

    def shape(self) -> tuple[int, ...]:
        if self.maps is not None:
            return (len(self.maps), len(self.maps[0]), len(self.maps[0][0]))
        assert self.vector is not None
        return (len(self.vector),)

    def all(self) -> list[str]:
        if self.maps is not None:
            return [c for grid in self.maps for row in grid for c in row]
        assert self.vector is not None
        return list(self.vector)


class _Builder:
    def __init__(self) -> None:
        self.model: list[tuple[str, Expr]] = []
        self.parameters: dict[str, Fraction] = {}
        self.tensors: dict[str, tuple[str, ...]] = {}
        self.layers: list[tuple[str, ...]] = []
        self.texts: list[str] = []  # per layer: how to read its working ("" for none)
        self.arch: list[dict[str, Any]] = []
        self.counts: dict[str, int] = {}

    def name(self, layer: Layer) -> str:
        if layer.name:
            return layer.name
        base = DEFAULT_NAMES.get(layer.kind, "a")
        self.counts[base] = self.counts.get(base, 0) + 1
        return base if self.counts[base] == 1 else f"{base}{self.counts[base]}"

    def layer(self, cells: list[str], text: str = "") -> None:
        self.layers.append(tuple(cells))
        self.texts.append(text)

    def add(self, name: str, expr: Expr, loc: Loc) -> None:
        self.model.append((name, expr))
        if len(self.model) > MAX_NODES:
            raise LayerError(loc, f"the layers make more than {MAX_NODES:,} values; use a smaller image")

    def param_array(self, array: Array, loc: Loc) -> None:
        for index, value in array.values.items():
            self.parameters[array.cell(*index)] = value
        self.tensors[array.name] = tuple(array.cells())

    def bias(self, raw: dict[str, Any] | None, count: int, loc: Loc, per: str) -> list[str | None]:
        """Bias names, one per filter or unit: {b: 0.1} for one, {b: [0.1, 0.2]} for several."""
        if raw is None:
            return [None] * count
        ((name, value),) = raw.items()
        if isinstance(value, list):
            array = read_array(name, value, (*loc, name), (1,), "bias")
            if array.shape[0] != count:
                raise LayerError(
                    (*loc, name), f"bias '{name}' has {array.shape[0]} values but there {_are(count, per)}"
                )
            self.param_array(array, loc)
            return array.cells()
        if count != 1:
            raise LayerError(
                (*loc, name), f"there are {count} {per}s: give bias '{name}' as a list of {count} values"
            )
        self.parameters[name] = _parse_number(value, (*loc, name), f"bias '{name}'")
        self.tensors[name] = (name,)
        return [name]


def _are(count: int, what: str) -> str:
    return f"is 1 {what}" if count == 1 else f"are {count} {what}s"


def _parse_number(value: Any, loc: Loc, what: str) -> Fraction:
    try:
        return _number(value)
    except ValueError as e:
        raise LayerError(loc, f"{what}: {e}") from None


def _out_names(base: str, channels: int, rows: int, cols: int) -> list[Grid]:
    prefix: Callable[[int], tuple[int, ...]] = (lambda c: ()) if channels == 1 else (lambda c: (c,))
    return [
        [[cell_name(base, (*prefix(c), i, j)) for j in range(cols)] for i in range(rows)]
        for c in range(channels)
    ]


def conv_network(image: dict[str, Any], raw_layers: list[Any]) -> ConvNetwork:
    """The named expressions of `layers` applied to `image`; LayerError on anything wrong."""
    if len(image) != 1:
        raise LayerError(
            ("image",), "give one image: image: {x: [[…], …]} (a C×H×W array for several channels)"
        )
    ((iname, iraw),) = image.items()
    picture = read_array(iname, iraw, ("image", iname), (2, 3), "image")
    if len(picture.shape) == 2:
        maps = [[[picture.cell(i, j) for j in range(picture.shape[1])] for i in range(picture.shape[0])]]
    else:
        maps = [
            [[picture.cell(c, i, j) for j in range(picture.shape[2])] for i in range(picture.shape[1])]
            for c in range(picture.shape[0])
        ]
    cells = {picture.cell(*i): v for i, v in picture.values.items()}
    b = _Builder()
    b.tensors[iname] = tuple(cells)
    state = _State(maps, None)
    if not raw_layers:
        raise LayerError(("layers",), "give at least one layer")
    for li, raw in enumerate(raw_layers):
        loc: Loc = ("layers", li)
        layer = validate(raw, KINDS, loc)
        if isinstance(layer, Conv):
            state = _conv(b, layer, state, loc)
        elif isinstance(layer, Pool):
            state = _pool(b, layer, state, loc)
        elif isinstance(layer, Flatten):
            state = _State(None, state.all())
            b.arch.append({"kind": "flatten"})
        elif isinstance(layer, Dense):
            state = _dense(b, layer, state, loc)
        else:
            state = _activation(b, layer, state, loc)
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
    notes = _notes(b, tuple(cells))
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
        notes=notes,
        live=frozenset(c for c in inputs if c in reach),
        architecture=architecture,
    )


def architecture_of(image: dict[str, Any], raw_layers: list[Any]) -> ArchitectureFile:
    """The layers of a convolution-on-numbers file in `shapes` terms."""
    net = conv_network(image, raw_layers)
    assert net.architecture is not None
    return net.architecture


def _need_maps(state: _State, name: str, kind: str, loc: Loc) -> list[Grid]:
    if state.maps is None:
        raise LayerError(
            loc, f"layer {name} ({kind}) needs a map of rows and columns, but its input is a flat vector"
        )
    return state.maps


def _notes(b: _Builder, image: tuple[str, ...]) -> dict[str, str]:
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


def _conv(b: _Builder, layer: Conv, state: _State, loc: Loc) -> _State:
    name = b.name(layer)
    maps = _need_maps(state, name, "conv", loc)
    channels = len(maps)
    ((kname, kraw),) = layer.kernel.items()
    kernel = read_array(kname, kraw, (*loc, "kernel", kname), (2, 3, 4), "kernel")
    shape = kernel.shape
    # [filter][channel] → the index prefix of that kernel slice as written
    if channels == 1:
        if len(shape) == 2:
            slices, filters = {(0, 0): ()}, 1
        elif len(shape) == 3:
            slices, filters = {(o, 0): (o,) for o in range(shape[0])}, shape[0]
        else:
            if shape[1] != 1:
                raise LayerError(
                    (*loc, "kernel"),
                    f"the input of {name} has 1 channel, but kernel '{kname}' has {shape[1]} per filter",
                )
            slices, filters = {(o, 0): (o, 0) for o in range(shape[0])}, shape[0]
    else:
        if len(shape) == 3 and shape[0] == channels:
            slices, filters = {(0, c): (c,) for c in range(channels)}, 1
        elif len(shape) == 4 and shape[1] == channels:
            slices, filters = {(o, c): (o, c) for o in range(shape[0]) for c in range(channels)}, shape[0]
        else:
            raise LayerError(
                (*loc, "kernel"),
                f"the input of {name} has {channels} channels, so kernel '{kname}' needs {channels} matrices "
                f"per filter: a {channels}×F×F array for one filter, or a list of them "
                f"(it is {'×'.join(map(str, shape))})",
            )
    fh, fw = shape[-2:]
    b.param_array(kernel, loc)
    biases = b.bias(layer.bias, filters, (*loc, "bias"), "filter")
    height, width = len(maps[0]), len(maps[0][0])
    (sh, sw), (ph, pw) = layer.stride, layer.padding
    if ph >= fh or pw >= fw:
        raise LayerError(
            loc,
            f"layer {name}: the padding should be smaller than the {fh}×{fw} kernel",
        )
    ho, wo, _ = sizes(name, "kernel", (Dim(height, fh, sh, ph), Dim(width, fw, sw, pw)), False, loc)
    out = _out_names(name, filters, ho, wo)
    for o in range(filters):
        for i in range(ho):
            for j in range(wo):
                terms: list[Expr] = []
                for c in range(channels):
                    for u in range(fh):
                        for v in range(fw):
                            r, s = i * sh + u - ph, j * sw + v - pw
                            if 0 <= r < height and 0 <= s < width:
                                k = kernel.cell(*slices[(o, c)], u, v)
                                terms.append(Call("mul", (Sym(k), Sym(maps[c][r][s]))))
                if biases[o]:
                    terms.append(Sym(biases[o]))  # type: ignore[arg-type]
                b.add(out[o][i][j], terms[0] if len(terms) == 1 else Call("add", tuple(terms)), loc)
    flat = [c for grid in out for row in grid for c in row]
    b.layer(
        flat,
        f"conv: each {name} cell is Σ kernel·input over its window"
        + (" + bias" if layer.bias else "")
        + " (no kernel flip), so ∂cell/∂kernel weight is the input under that weight and ∂cell/∂input "
        "the weight over it. Summed over the cells: ∂L/∂kernel is the correlation of the input with the "
        f"upstream gradient ∂L/∂{name}, and ∂L/∂input is the full convolution of ∂L/∂{name} with the "
        "flipped kernel",
    )
    b.arch.append(
        {
            "kind": "conv",
            "name": name,
            "out_channels": filters,
            "kernel": [fh, fw],
            "stride": [sh, sw],
            "padding": [ph, pw],
            "bias": layer.bias is not None,
        }
    )
    return _State(out, None)


def _pool(b: _Builder, layer: Pool, state: _State, loc: Loc) -> _State:
    name = b.name(layer)
    maps = _need_maps(state, name, layer.kind, loc)
    (fh, fw), (ph, pw) = layer.window, layer.padding
    sh, sw = layer.stride or layer.window
    if 2 * ph > fh or 2 * pw > fw:
        raise LayerError(loc, f"layer {name}: padding is more than half the {fh}×{fw} window")
    height, width = len(maps[0]), len(maps[0][0])
    ho, wo, _ = sizes(name, "window", (Dim(height, fh, sh, ph), Dim(width, fw, sw, pw)), False, loc)
    out = _out_names(name, len(maps), ho, wo)
    for c, grid in enumerate(maps):
        for i in range(ho):
            for j in range(wo):
                window = [
                    Sym(grid[r][s])
                    for r in range(i * sh - ph, i * sh - ph + fh)
                    for s in range(j * sw - pw, j * sw - pw + fw)
                    if 0 <= r < height and 0 <= s < width
                ]
                if layer.kind == "maxpool":
                    expr: Expr = (
                        Call("max", tuple(window)) if len(window) > 1 else Call("identity", (window[0],))
                    )
                else:
                    total = window[0] if len(window) == 1 else Call("add", tuple(window))
                    expr = Call("div", (total, Num(Fraction(fh * fw))))
                b.add(out[c][i][j], expr, loc)
    flat = [c for grid in out for row in grid for c in row]
    if layer.kind == "maxpool":
        text = (
            f"max-pool: each {name} cell is the largest cell of its window (read row by row), so its "
            "gradient goes to that cell alone"
        )
    else:
        text = (
            f"average pooling: each {name} cell is the mean of its {fh}×{fw} window"
            + (" (padding counts as 0)" if ph or pw else "")
            + f"; the gradient is spread evenly, 1/{fh * fw} of it to each cell of the window"
        )
    b.layer(flat, text)
    b.arch.append(
        {"kind": layer.kind, "name": name, "window": [fh, fw], "stride": [sh, sw], "padding": [ph, pw]}
    )
    return _State(out, None)


def _dense(b: _Builder, layer: Dense, state: _State, loc: Loc) -> _State:
    name = b.name(layer)
    if state.vector is None:
        shape = "×".join(map(str, state.shape()))
        raise LayerError(loc, f"layer {name} (dense) gets a {shape} map; put {{kind: flatten}} before it")
    ((wname, wraw),) = layer.weights.items()
    weights = read_array(wname, wraw, (*loc, "weights", wname), (1, 2), "weights")
    units = 1 if len(weights.shape) == 1 else weights.shape[0]
    per = weights.shape[-1]
    if per != len(state.vector):
        listing = ", ".join(state.vector[:4]) + (", …" if len(state.vector) > 4 else "")
        raise LayerError(
            (*loc, "weights", wname),
            f"layer {name} has {per} weights per unit, but its input has {len(state.vector)} "
            f"value{'s' if len(state.vector) > 1 else ''} ({listing})",
        )
    b.param_array(weights, loc)
    biases = b.bias(layer.bias, units, (*loc, "bias"), "unit")
    out = [name] if len(weights.shape) == 1 else [cell_name(name, (u,)) for u in range(units)]
    for u in range(units):
        prefix = () if len(weights.shape) == 1 else (u,)
        terms: list[Expr] = [
            Call("mul", (Sym(weights.cell(*prefix, j)), Sym(x))) for j, x in enumerate(state.vector)
        ]
        if biases[u]:
            terms.append(Sym(biases[u]))  # type: ignore[arg-type]
        b.add(out[u], terms[0] if len(terms) == 1 else Call("add", tuple(terms)), loc)
    b.layer(out)
    b.arch.append({"kind": "dense", "name": name, "units": units, "bias": layer.bias is not None})
    return _State(None, out)


def _activation(b: _Builder, layer: Activation, state: _State, loc: Loc) -> _State:
    name = b.name(layer)
    slope = layer.slope if layer.kind == "leaky_relu" else None
    if layer.kind == "softmax":
        if state.vector is None or len(state.vector) < 2:
            raise LayerError(
                loc, f"layer {name} (softmax) needs a flat vector of two or more values; flatten first"
            )
        out = [cell_name(name, (k,)) for k in range(len(state.vector))]
        for k, o in enumerate(out):
            b.add(o, Call("softmax", tuple(Sym(x) for x in state.vector), k), loc)
        result = _State(None, out)
    elif state.maps is not None:
        grids = _out_names(name, len(state.maps), len(state.maps[0]), len(state.maps[0][0]))
        for grid, source in zip(grids, state.maps, strict=True):
            for row, src in zip(grid, source, strict=True):
                for o, x in zip(row, src, strict=True):
                    b.add(o, Call(layer.kind, (Sym(x),), slope), loc)
        result = _State(grids, None)
    else:
        assert state.vector is not None
        out = [name] if len(state.vector) == 1 else [cell_name(name, (k,)) for k in range(len(state.vector))]
        for o, x in zip(out, state.vector, strict=True):
            b.add(o, Call(layer.kind, (Sym(x),), slope), loc)
        result = _State(None, out)
    b.layer(result.all())
    b.arch.append({"kind": layer.kind, "name": name})
    return result
