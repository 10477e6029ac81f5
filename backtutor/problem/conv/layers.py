"""Each kind of layer of convolution on numbers, as named scalar expressions (see convolution.py):
one function per kind takes the current value and returns the layer's output."""

from __future__ import annotations

from fractions import Fraction

from ...cnn.errors import LayerError, Loc
from ...cnn.sizes import Dim, sizes
from ...engine.expr import Call, Expr, Num, Sym
from ..arrays import Array, cell_name, read_array
from ..fields import layer_constant
from .build import Builder, Grid, LayerOutput, out_names
from .schema import NumericActivation, NumericConv, NumericDense, NumericPool

Slices = dict[tuple[int, int], tuple[int, ...]]  # (filter, channel) ↦ the kernel index prefix as written


def _sum(terms: list[Expr]) -> Expr:
    return terms[0] if len(terms) == 1 else Call("add", tuple(terms))


def _need_maps(state: LayerOutput, name: str, kind: str, loc: Loc) -> list[Grid]:
    if state.maps is None:
        raise LayerError(
            loc, f"layer {name} ({kind}) needs a map of rows and columns, but its input is a flat vector"
        )
    return state.maps


def _kernel_slices(kernel: Array, channels: int, name: str, loc: Loc) -> tuple[Slices, int]:
    """How the kernel as written splits into filters and channels, and the number of filters."""
    shape, kname = kernel.shape, kernel.name
    if channels == 1:
        if len(shape) == 2:
            return {(0, 0): ()}, 1
        if len(shape) == 3:
            return {(o, 0): (o,) for o in range(shape[0])}, shape[0]
        if shape[1] != 1:
            raise LayerError(
                (*loc, "kernel"),
                f"the input of {name} has 1 channel, but kernel '{kname}' has {shape[1]} per filter",
            )
        return {(o, 0): (o, 0) for o in range(shape[0])}, shape[0]
    if len(shape) == 3 and shape[0] == channels:
        return {(0, c): (c,) for c in range(channels)}, 1
    if len(shape) == 4 and shape[1] == channels:
        return {(o, c): (o, c) for o in range(shape[0]) for c in range(channels)}, shape[0]
    raise LayerError(
        (*loc, "kernel"),
        f"the input of {name} has {channels} channels, so kernel '{kname}' needs {channels} matrices "
        f"per filter: a {channels}×F×F array for one filter, or a list of them "
        f"(it is {'×'.join(map(str, shape))})",
    )


def _conv_text(layer: NumericConv, name: str) -> str:
    """How to read a conv cell's working."""
    return (
        f"conv: each {name} cell is Σ kernel·input over its window"
        + (" + bias" if layer.bias else "")
        + " (no kernel flip), so ∂cell/∂kernel weight is the input under that weight and ∂cell/∂input "
        "the weight over it. Summed over the cells: ∂L/∂kernel is the correlation of the input with the "
        f"upstream gradient ∂L/∂{name}, and ∂L/∂input is the full convolution of ∂L/∂{name} with the "
        "flipped kernel"
    )


def conv(b: Builder, layer: NumericConv, state: LayerOutput, loc: Loc) -> LayerOutput:
    name = b.name(layer)
    maps = _need_maps(state, name, "conv", loc)
    ((kname, kraw),) = layer.kernel.items()
    kernel = read_array(kname, kraw, (*loc, "kernel", kname), (2, 3, 4), "kernel")
    slices, filters = _kernel_slices(kernel, len(maps), name, loc)
    fh, fw = kernel.shape[-2:]
    b.param_array(kernel)
    biases = b.bias(layer.bias, filters, (*loc, "bias"), "filter")
    height, width = len(maps[0]), len(maps[0][0])
    (sh, sw), (ph, pw) = layer.stride, layer.padding
    if ph >= fh or pw >= fw:
        raise LayerError(loc, f"layer {name}: the padding should be smaller than the {fh}×{fw} kernel")
    ho, wo, _ = sizes(name, "kernel", (Dim(height, fh, sh, ph), Dim(width, fw, sw, pw)), False, loc)
    out = out_names(name, filters, ho, wo)
    for o in range(filters):
        for i in range(ho):
            for j in range(wo):
                terms: list[Expr] = [
                    Call("mul", (Sym(kernel.cell(*slices[(o, c)], u, v)), Sym(maps[c][r][s])))
                    for c in range(len(maps))
                    for u, r in enumerate(range(i * sh - ph, i * sh - ph + fh))
                    for v, s in enumerate(range(j * sw - pw, j * sw - pw + fw))
                    if 0 <= r < height and 0 <= s < width
                ]
                bias = biases[o]
                if bias:
                    terms.append(Sym(bias))
                b.add(out[o][i][j], _sum(terms), loc)
    b.layer(LayerOutput(out, None).all(), _conv_text(layer, name))
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
    return LayerOutput(out, None)


def _pool_text(layer: NumericPool, name: str) -> str:
    """How to read a pooling cell's working."""
    if layer.kind == "maxpool":
        return (
            f"max-pool: each {name} cell is the largest cell of its window (read row by row), so its "
            "gradient goes to that cell alone"
        )
    (fh, fw), (ph, pw) = layer.window, layer.padding
    return (
        f"average pooling: each {name} cell is the mean of its {fh}×{fw} window"
        + (" (padding counts as 0)" if ph or pw else "")
        + f"; the gradient is spread evenly, 1/{fh * fw} of it to each cell of the window"
    )


def pool(b: Builder, layer: NumericPool, state: LayerOutput, loc: Loc) -> LayerOutput:
    name = b.name(layer)
    maps = _need_maps(state, name, layer.kind, loc)
    (fh, fw), (ph, pw) = layer.window, layer.padding
    sh, sw = layer.stride or layer.window
    if 2 * ph > fh or 2 * pw > fw:
        raise LayerError(loc, f"layer {name}: padding is more than half the {fh}×{fw} window")
    height, width = len(maps[0]), len(maps[0][0])
    ho, wo, _ = sizes(name, "window", (Dim(height, fh, sh, ph), Dim(width, fw, sw, pw)), False, loc)
    out = out_names(name, len(maps), ho, wo)
    for c, grid in enumerate(maps):
        for i in range(ho):
            for j in range(wo):
                window: list[Expr] = [
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
                    expr = Call("div", (_sum(window), Num(Fraction(fh * fw))))
                b.add(out[c][i][j], expr, loc)
    b.layer(LayerOutput(out, None).all(), _pool_text(layer, name))
    b.arch.append(
        {"kind": layer.kind, "name": name, "window": [fh, fw], "stride": [sh, sw], "padding": [ph, pw]}
    )
    return LayerOutput(out, None)


def dense(b: Builder, layer: NumericDense, state: LayerOutput, loc: Loc) -> LayerOutput:
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
    b.param_array(weights)
    biases = b.bias(layer.bias, units, (*loc, "bias"), "unit")
    out = [name] if len(weights.shape) == 1 else [cell_name(name, (u,)) for u in range(units)]
    for u in range(units):
        prefix = () if len(weights.shape) == 1 else (u,)
        terms: list[Expr] = [
            Call("mul", (Sym(weights.cell(*prefix, j)), Sym(x))) for j, x in enumerate(state.vector)
        ]
        bias = biases[u]
        if bias:
            terms.append(Sym(bias))
        b.add(out[u], _sum(terms), loc)
    b.layer(out)
    b.arch.append({"kind": "dense", "name": name, "units": units, "bias": layer.bias is not None})
    return LayerOutput(None, out)


def activation(b: Builder, layer: NumericActivation, state: LayerOutput, loc: Loc) -> LayerOutput:
    name = b.name(layer)
    constant = layer_constant(layer, layer.kind)
    if layer.kind == "softmax":
        if state.vector is None or len(state.vector) < 2:
            raise LayerError(
                loc, f"layer {name} (softmax) needs a flat vector of two or more values; flatten first"
            )
        out = [cell_name(name, (k,)) for k in range(len(state.vector))]
        for k, o in enumerate(out):
            b.add(o, Call("softmax", tuple(Sym(x) for x in state.vector), k), loc)
        result = LayerOutput(None, out)
    elif state.maps is not None:
        grids = out_names(name, len(state.maps), len(state.maps[0]), len(state.maps[0][0]))
        for grid, source in zip(grids, state.maps, strict=True):
            for row, src in zip(grid, source, strict=True):
                for o, x in zip(row, src, strict=True):
                    b.add(o, Call(layer.kind, (Sym(x),), constant), loc)
        result = LayerOutput(grids, None)
    else:
        assert state.vector is not None
        out = [name] if len(state.vector) == 1 else [cell_name(name, (k,)) for k in range(len(state.vector))]
        for o, x in zip(out, state.vector, strict=True):
            b.add(o, Call(layer.kind, (Sym(x),), constant), loc)
        result = LayerOutput(None, out)
    b.layer(result.all())
    b.arch.append({"kind": layer.kind, "name": name})
    return result
