"""One layer's line of the shape table: its output shape, worked size, weights, parameters and
multiply-adds, each with the formula filled in with the layer's numbers.

Conventions (also printed under the table, see shapes.py):
- parameters: conv (F·F·C_in/groups + 1)·C_out, dense (n_in + 1)·n_out (no +1 with `bias: false`);
  batch norm 2·C (γ and β per channel, what PyTorch's parameters() and torchinfo count);
- multiply-adds: one per weight per output position (conv H_out·W_out·C_out·F·F·C_in/groups, dense
  n_in·n_out); bias additions, pooling, activations, dropout and batch norm are not counted.
"""

from __future__ import annotations

from typing import Required, TypedDict

from .errors import LayerError, Loc
from .schema import BatchNorm, Conv, Dense, Dropout, Flatten, Pool, Spec
from .sizes import Dim, n, product, shape_text, sizes
from .table import Row


class Parts(TypedDict, total=False):
    """The fields of a `Row` that depend on the kind of layer."""

    description: Required[str]
    output: Required[tuple[int, ...]]
    size: tuple[str, ...]
    weights: str
    biases: int
    params: int
    params_formula: str
    mult_adds: int
    mult_adds_formula: str


def _option(label: str, value: tuple[int, int], default: int) -> str:
    if value == (default, default):
        return ""
    return f", {label} {value[0] if value[0] == value[1] else shape_text(value)}"


def conv(loc: Loc, spec: Conv, name: str, shape: tuple[int, ...], exact: bool) -> Parts:
    c, height, width = shape
    g, out = spec.groups, spec.out_channels
    if spec.in_channels is not None and spec.in_channels != c:
        raise LayerError(
            loc,
            f"layer {name} declares in_channels {spec.in_channels}, but its input has {c} channels "
            f"({shape_text(shape)})",
        )
    if c % g or out % g:
        raise LayerError(
            loc, f"layer {name}: groups {g} must divide the input channels ({c}) and out_channels ({out})"
        )
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = spec.kernel, spec.stride, spec.padding, spec.dilation
    ho, wo, worked = sizes(
        name, "kernel", (Dim(height, kh, sh, ph, dh), Dim(width, kw, sw, pw, dw)), exact, loc
    )
    per = kh * kw * (c // g)
    cin = f"{c}/{g}" if g > 1 else str(c)
    params = (per + spec.bias) * out
    formula = f"({kh}·{kw}·{cin} + 1)·{out}" if spec.bias else f"{kh}·{kw}·{cin}·{out}"
    macs = ho * wo * out * per
    description = (
        f"{kh}×{kw}, {out} filters"
        + _option("stride", spec.stride, 1)
        + _option("padding", spec.padding, 0)
        + _option("dilation", spec.dilation, 1)
        + (f", groups {g}" if g > 1 else "")
        + ("" if spec.bias else ", no bias")
    )
    return {
        "description": description,
        "output": (out, ho, wo),
        "size": worked,
        "weights": shape_text((out, c // g, kh, kw)),
        "biases": out if spec.bias else 0,
        "params": params,
        "params_formula": f"{formula} = {n(params)}",
        "mult_adds": macs,
        "mult_adds_formula": f"{ho}·{wo}·{out}·({kh}·{kw}·{cin}) = {n(macs)}",
    }


def pool(loc: Loc, spec: Pool, name: str, shape: tuple[int, ...], exact: bool) -> Parts:
    c, height, width = shape
    (fh, fw), (ph, pw) = spec.window, spec.padding
    stride = spec.stride or spec.window
    if 2 * ph > fh or 2 * pw > fw:
        raise LayerError(
            loc,
            f"layer {name}: padding {shape_text(spec.padding)} is more than half the {fh}×{fw} window "
            "(a window would then sit on padding alone)",
        )
    dims = (Dim(height, fh, stride[0], ph), Dim(width, fw, stride[1], pw))
    ho, wo, worked = sizes(name, "window", dims, exact, loc)
    description = f"{fh}×{fw}" + _option("stride", stride, 0) + _option("padding", spec.padding, 0)
    return {"description": description, "output": (c, ho, wo), "size": worked}


def dense(loc: Loc, spec: Dense, name: str, shape: tuple[int, ...], before: Row | None) -> Parts:
    """`before` is the table's previous row, named when the declared in_features disagree."""
    features = product(shape)
    if len(shape) != 1:
        raise LayerError(
            loc,
            f"layer {name} (dense) gets a {shape_text(shape)} input; put a flatten layer before it "
            f"(it gives {shape_text(shape)} = {n(features)} features)",
        )
    if spec.in_features is not None and spec.in_features != features:
        came = ""
        if before is not None:
            came = f" (the output of {before.name}"
            came += f", {shape_text(before.input)} flattened)" if before.kind == "flatten" else ")"
        raise LayerError(
            loc,
            f"layer {name} declares in_features {n(spec.in_features)}, but its input has "
            f"{n(features)} features{came}",
        )
    params = (features + spec.bias) * spec.units
    formula = f"({features} + 1)·{spec.units}" if spec.bias else f"{features}·{spec.units}"
    macs = features * spec.units
    return {
        "description": f"{spec.units} units" + ("" if spec.bias else ", no bias"),
        "output": (spec.units,),
        "weights": shape_text((spec.units, features)),
        "biases": spec.units if spec.bias else 0,
        "params": params,
        "params_formula": f"{formula} = {n(params)}",
        "mult_adds": macs,
        "mult_adds_formula": f"{features}·{spec.units} = {n(macs)}",
    }


def shaped(spec: Spec, shape: tuple[int, ...]) -> Parts:
    """Layers whose output has the input's shape (or its flattening)."""
    if isinstance(spec, Flatten):
        features = product(shape)
        worked = (f"{shape_text(shape)} = {n(features)}",) if len(shape) > 1 else ()
        return {"description": "(channel by channel, row by row)", "output": (features,), "size": worked}
    if isinstance(spec, BatchNorm):
        c = shape[0]
        return {
            "description": "per channel" if len(shape) == 3 else "per feature",
            "output": shape,
            "weights": f"γ: {c}, β: {c}",
            "params": 2 * c,
            "params_formula": f"2·{c} = {n(2 * c)}",
        }
    if isinstance(spec, Dropout):
        return {"description": f"rate {spec.rate:g}", "output": shape}
    return {"description": "elementwise" if spec.kind != "softmax" else "", "output": shape}
