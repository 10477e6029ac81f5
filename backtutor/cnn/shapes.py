"""Shapes, parameter counts and multiply-adds of a CNN described in textbook terms.

`architecture: {input: [C, H, W], layers: [...]}` in a problem file becomes a `ShapeTable`: per
layer its input and output shape, the output-size formula worked with the layer's numbers, the
weight shape, the bias count, the parameter count with its formula and the multiply-adds, then
totals. Everything here is plain data (ints and strings); renderers only lay it out.

Layers are validated one at a time by their `kind` (a pydantic model per kind, unknown keys
rejected), so an error points at the layer's own line. Impossible shapes raise `LayerError` with
the layer named; `problem.py` turns that into a file error with a line number.

Conventions (also printed under the table):
- output size ⌊(N + 2P − D·(F − 1) − 1)/S⌋ + 1 per spatial dimension (⌊(N + 2P − F)/S⌋ + 1 when the
  dilation D is 1); a pooling layer's stride defaults to its window, as in PyTorch and Keras;
- parameters: conv (F·F·C_in/groups + 1)·C_out, dense (n_in + 1)·n_out (no +1 with `bias: false`);
  batch norm 2·C (γ and β per channel, what PyTorch's parameters() and torchinfo count);
- multiply-adds: one per weight per output position (conv H_out·W_out·C_out·F·F·C_in/groups, dense
  n_in·n_out); bias additions, pooling, activations, dropout and batch norm are not counted.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from ..engine.ops import ACTIVATIONS, ActivationName
from ..errors import InputError

MAX_LAYERS = 500
MAX_DEPTH = 8  # branches inside branches
MAX_SIZE = 10**7  # largest channel count, height, width, kernel, stride, padding or unit count

Loc = tuple[Any, ...]


class LayerError(InputError):
    """A layer that cannot be read or whose shapes are impossible; `loc` is its path in the file."""

    def __init__(self, loc: Loc, message: str) -> None:
        super().__init__(message)
        self.loc, self.message = loc, message


def _positive(v: Any, low: int = 1) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise ValueError(f"expected a whole number, got {v!r}")
    if v < low:
        raise ValueError(f"expected a whole number ≥ {low}, got {v}")
    if v > MAX_SIZE:
        raise ValueError(f"{v} is too large (at most {MAX_SIZE:,})")
    return v


def _pair(low: int) -> Any:
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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Layer(_Strict):
    name: Annotated[str, Field(min_length=1, max_length=40)] | None = None


class Conv(_Layer):
    kind: Literal["conv"]
    out_channels: Count
    kernel: Size
    stride: Size = (1, 1)
    padding: Padding = (0, 0)
    dilation: Size = (1, 1)
    groups: Count = 1
    bias: bool = True
    in_channels: Count | None = None  # optional: checked against the input


class Pool(_Layer):
    kind: Literal["maxpool", "avgpool"]
    window: Size
    stride: Size | None = None  # default: the window
    padding: Padding = (0, 0)


class Flatten(_Layer):
    kind: Literal["flatten"]


class Dense(_Layer):
    kind: Literal["dense"]
    units: Count
    bias: bool = True
    in_features: Count | None = None  # optional: checked against the input


class Activation(_Layer):
    kind: ActivationName
    slope: float | None = None  # leaky_relu; no parameters either way


class Dropout(_Layer):
    kind: Literal["dropout"]
    rate: Annotated[float, Field(ge=0, lt=1)] = 0.5


class BatchNorm(_Layer):
    kind: Literal["batchnorm"]


class Branches(_Layer):
    """Parallel lists of layers on the same input, their outputs concatenated along the channels."""

    kind: Literal["branches"]
    branches: dict[Annotated[str, Field(min_length=1, max_length=40)], list[Any]] = Field(min_length=1)


Spec = Conv | Pool | Flatten | Dense | Activation | Dropout | BatchNorm | Branches
KINDS: dict[str, type[BaseModel]] = {
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


class ArchitectureFile(_Strict):
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


def validate(raw: Any, kinds: dict[str, type[BaseModel]], loc: Loc) -> Any:
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
        errors = e.errors()
        err = next((x for x in errors if x["type"] == "extra_forbidden"), errors[0])
        where = tuple(err["loc"])
        if err["type"] == "extra_forbidden":
            known = [k for k in model.model_fields if k != "kind"]
            close = difflib.get_close_matches(str(where[-1]), known, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; a {kind} layer takes {', '.join(known)}"
            raise LayerError((*loc, *where[:-1]), f"unknown key '{where[-1]}'{hint}") from None
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            message = f"a {kind} layer needs '{where[-1]}'"
            where = where[:-1]
        raise LayerError((*loc, *where), message) from None


# ---- the computation --------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of the table. `role`: "layer", "branch" (a branch's subtotal) or "block" (a
    branches layer: its concatenated output and the sum over its branches)."""

    name: str
    kind: str
    role: str
    branch: tuple[str, ...]  # the branches it sits in, outermost first
    description: str  # "5×5, 20 filters" …
    input: tuple[int, ...]
    output: tuple[int, ...]
    size: tuple[str, ...] = ()  # the output-size formula worked with the layer's numbers
    weights: str = ""  # weight shape: "20×1×5×5", "500×800", "γ: 6, β: 6"
    biases: int = 0
    params: int = 0
    params_formula: str = ""
    mult_adds: int = 0
    mult_adds_formula: str = ""


@dataclass(frozen=True)
class ShapeTable:
    title: str
    input: tuple[int, ...]
    output: tuple[int, ...]
    rows: tuple[Row, ...]
    params: int
    mult_adds: int
    conventions: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "input": list(self.input),
            "output": list(self.output),
            "layers": [
                {**asdict(r), "branch": list(r.branch), "input": list(r.input), "output": list(r.output)}
                for r in self.rows
            ],
            "totals": {"parameters": self.params, "mult_adds": self.mult_adds},
            "conventions": list(self.conventions),
        }


def shape_text(shape: Sequence[int]) -> str:
    return "×".join(str(n) for n in shape)


def n(v: int) -> str:
    """A count with thousands separators, as textbooks print them: 431,080."""
    return f"{v:,}"


@dataclass(frozen=True)
class Dim:
    """One spatial dimension of a sliding window: input N, window F, stride S, padding P, dilation D."""

    n: int
    f: int
    s: int
    p: int
    d: int = 1

    @property
    def numerator(self) -> int:
        return self.n + 2 * self.p - self.d * (self.f - 1) - 1

    @property
    def out(self) -> int:
        return self.numerator // self.s + 1

    def inside(self) -> str:
        """The numerator written with the layer's numbers: 28 + 2·0 − 5."""
        if self.d == 1:
            return f"{self.n} + 2·{self.p} − {self.f}"
        return f"{self.n} + 2·{self.p} − {self.d}·({self.f} − 1) − 1"

    def worked(self) -> str:
        """⌊(28 + 2·0 − 5)/1⌋ + 1 = 24, with ⌊11.5⌋ shown when the division is not exact."""
        head = f"⌊({self.inside()})/{self.s}⌋ + 1"
        if self.numerator % self.s:
            return f"{head} = ⌊{_decimal(self.numerator, self.s)}⌋ + 1 = {self.out}"
        return f"{head} = {self.out}"


def _decimal(a: int, b: int) -> str:
    """a/b as a short decimal: 11.5, 2.3333…"""
    text = f"{abs(a) / b:.4f}".rstrip("0").rstrip(".")
    return ("−" if a < 0 else "") + (text if a * 10**4 % b == 0 else text + "…")


def sizes(
    name: str, what: str, dims: tuple[Dim, Dim], exact: bool, loc: Loc
) -> tuple[int, int, tuple[str, ...]]:
    """Output height and width of a window layer with the worked formula, or a LayerError that
    explains why the window does not fit or (with `exact`) does not divide evenly."""
    h, w = dims
    for label, d in zip(("H", "W"), dims, strict=True):
        if d.numerator < 0:
            spans = ""
            if h.d > 1 or w.d > 1:
                reach = (h.d * (h.f - 1) + 1, w.d * (w.f - 1) + 1)
                spans = f" with dilation {shape_text((h.d, w.d))} (spanning {shape_text(reach)})"
            padded = f" (padded to {h.n + 2 * h.p}×{w.n + 2 * w.p})" if h.p or w.p else ""
            raise LayerError(
                loc,
                f"layer {name}: the {h.f}×{w.f} {what}{spans} does not fit its {h.n}×{w.n} input{padded}: "
                f"{label} = {d.worked()}, less than 1. Use a smaller {what} or more padding.",
            )
        if exact and d.numerator % d.s:
            raise LayerError(
                loc,
                f"layer {name}: ({d.inside()})/{d.s} = {_decimal(d.numerator, d.s)} is not a whole number, "
                f"so {label} = {d.worked()} only by rounding down, and this architecture asks for exact "
                "division (exact: true); change the kernel, stride or padding so that the windows fit "
                "exactly",
            )
    if (h.n, h.f, h.s, h.p, h.d) == (w.n, w.f, w.s, w.p, w.d):
        return h.out, w.out, (f"H = W = {h.worked()}",)
    return h.out, w.out, (f"H = {h.worked()}", f"W = {w.worked()}")


def _option(label: str, value: tuple[int, int], default: int) -> str:
    if value == (default, default):
        return ""
    return f", {label} {value[0] if value[0] == value[1] else shape_text(value)}"


def _sum_formula(parts: list[int], total: int) -> str:
    parts = [p for p in parts if p]
    return f"{' + '.join(n(p) for p in parts)} = {n(total)}" if len(parts) > 1 else ""


class _Counter:
    """Walks the layers keeping the current shape; one method per kind of layer."""

    def __init__(self, exact: bool) -> None:
        self.exact = exact
        self.rows: list[Row] = []
        self.seen: dict[str, int] = {}
        self.kinds: set[str] = set()
        self.count = 0

    def run(
        self, raw: list[Any], loc: Loc, shape: tuple[int, ...], branch: tuple[str, ...]
    ) -> tuple[int, ...]:
        if len(branch) > MAX_DEPTH:
            raise LayerError(loc, f"branches nested more than {MAX_DEPTH} deep")
        for i, item in enumerate(raw):
            self.count += 1
            if self.count > MAX_LAYERS:
                raise LayerError((*loc, i), f"more than {MAX_LAYERS} layers")
            spec = validate(item, KINDS, (*loc, i))
            shape = self.layer((*loc, i), spec, shape, branch)
        return shape

    def layer(self, loc: Loc, spec: Spec, shape: tuple[int, ...], branch: tuple[str, ...]) -> tuple[int, ...]:
        if spec.name:
            name = spec.name
        else:
            self.seen[spec.kind] = self.seen.get(spec.kind, 0) + 1
            name = f"{spec.kind}{self.seen[spec.kind]}"
        self.kinds.add(spec.kind)
        if isinstance(spec, Branches):
            return self.branches(loc, spec, name, shape, branch)
        if isinstance(spec, Conv | Pool) and len(shape) != 3:
            raise LayerError(
                loc,
                f"layer {name} ({spec.kind}) needs a C×H×W input, but it gets {n(shape[0])} features "
                "(a flatten or dense layer comes before it)",
            )
        if isinstance(spec, Conv):
            row = self.conv(loc, spec, name, shape)
        elif isinstance(spec, Pool):
            row = self.pool(loc, spec, name, shape)
        elif isinstance(spec, Dense):
            row = self.dense(loc, spec, name, shape)
        else:
            row = self.shaped(spec, shape)
        self.rows.append(Row(name=name, kind=spec.kind, role="layer", branch=branch, input=shape, **row))
        return row["output"]

    def conv(self, loc: Loc, spec: Conv, name: str, shape: tuple[int, ...]) -> dict[str, Any]:
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
            name, "kernel", (Dim(height, kh, sh, ph, dh), Dim(width, kw, sw, pw, dw)), self.exact, loc
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

    def pool(self, loc: Loc, spec: Pool, name: str, shape: tuple[int, ...]) -> dict[str, Any]:
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
        ho, wo, worked = sizes(name, "window", dims, self.exact, loc)
        description = f"{fh}×{fw}" + _option("stride", stride, 0) + _option("padding", spec.padding, 0)
        return {"description": description, "output": (c, ho, wo), "size": worked}

    def dense(self, loc: Loc, spec: Dense, name: str, shape: tuple[int, ...]) -> dict[str, Any]:
        features = _product(shape)
        if len(shape) != 1:
            raise LayerError(
                loc,
                f"layer {name} (dense) gets a {shape_text(shape)} input; put a flatten layer before it "
                f"(it gives {shape_text(shape)} = {n(features)} features)",
            )
        if spec.in_features is not None and spec.in_features != features:
            before = self.rows[-1] if self.rows else None
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

    def shaped(self, spec: Spec, shape: tuple[int, ...]) -> dict[str, Any]:
        """Layers whose output has the input's shape (or its flattening)."""
        if isinstance(spec, Flatten):
            features = _product(shape)
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

    def branches(
        self, loc: Loc, spec: Branches, name: str, shape: tuple[int, ...], branch: tuple[str, ...]
    ) -> tuple[int, ...]:
        if len(shape) != 3:
            raise LayerError(
                loc, f"layer {name} (branches) needs a C×H×W input, but it gets {n(shape[0])} features"
            )
        outputs: dict[str, tuple[int, ...]] = {}
        totals: list[int] = []
        start = len(self.rows)
        for bname, raw in spec.branches.items():
            bloc = (*loc, "branches", bname)
            first = len(self.rows)
            out = self.run(raw, bloc, shape, (*branch, bname)) if raw else shape
            if len(out) != 3:
                raise LayerError(
                    bloc,
                    f"branch '{bname}' of {name} ends with {n(out[0])} features; concatenating along "
                    "the channels needs C×H×W outputs",
                )
            outputs[bname] = out
            own = [r for r in self.rows[first:] if r.role == "layer"]
            params = sum(r.params for r in own)
            totals.append(params)
            self.rows.append(
                Row(
                    name=bname,
                    kind="branch",
                    role="branch",
                    branch=(*branch, bname),
                    description=f"branch '{bname}' of {name}",
                    input=shape,
                    output=out,
                    params=params,
                    params_formula=_sum_formula([r.params for r in own], params),
                    mult_adds=sum(r.mult_adds for r in own),
                )
            )
        maps = {o[1:] for o in outputs.values()}
        if len(maps) > 1:
            listing = ", ".join(f"'{b}' gives {shape_text(o)}" for b, o in outputs.items())
            raise LayerError(
                loc,
                f"the branches of {name} end with different map sizes ({listing}); concatenating them "
                "along the channels needs the same height and width (pad the larger kernels?)",
            )
        channels = sum(o[0] for o in outputs.values())
        own = [r for r in self.rows[start:] if r.role == "layer"]
        params = sum(r.params for r in own)
        output = (channels, *maps.pop())
        self.rows.append(
            Row(
                name=name,
                kind="branches",
                role="block",
                branch=branch,
                description="the branches concatenated along the channels",
                input=shape,
                output=output,
                size=(f"C = {' + '.join(str(o[0]) for o in outputs.values())} = {channels}",),
                params=params,
                params_formula=_sum_formula(totals, params),
                mult_adds=sum(r.mult_adds for r in own),
            )
        )
        return output


def _product(shape: Sequence[int]) -> int:
    out = 1
    for d in shape:
        out *= d
    return out


def compute(arch: ArchitectureFile, title: str = "", loc: Loc = ("architecture",)) -> ShapeTable:
    """The worked table of an architecture; raises LayerError for impossible shapes."""
    if len(arch.input) == 2:
        raise LayerError(
            (*loc, "input"), "give the input as [C, H, W] (e.g. [1, 28, 28] for a grey image) or [n] features"
        )
    counter = _Counter(arch.exact)
    shape = tuple(arch.input)
    output = counter.run(arch.layers, (*loc, "layers"), shape, ())
    layers = [r for r in counter.rows if r.role == "layer"]
    return ShapeTable(
        title=title,
        input=shape,
        output=output,
        rows=tuple(counter.rows),
        params=sum(r.params for r in layers),
        mult_adds=sum(r.mult_adds for r in layers),
        conventions=_conventions(counter.kinds, layers),
    )


def _conventions(kinds: set[str], layers: list[Row]) -> tuple[str, ...]:
    out = []
    if kinds & {"conv", "maxpool", "avgpool"}:
        dilated = any("dilation" in r.description for r in layers)
        out.append(
            "output size per dimension: ⌊(N + 2P − F)/S⌋ + 1 for input N, window F, padding P, stride S"
            + (", and ⌊(N + 2P − D·(F − 1) − 1)/S⌋ + 1 with dilation D" if dilated else "")
            + "; a pooling layer's stride is its window unless given"
        )
    if kinds & {"conv", "dense"}:
        out.append(
            "parameters: conv (F·F·C_in/groups + 1)·C_out, dense (n_in + 1)·n_out; the + 1 is each "
            "output's bias (bias: false drops it)"
        )
        out.append(
            "multiply-adds: one per weight per output position, conv H_out·W_out·C_out·(F·F·C_in/groups), "
            "dense n_in·n_out; bias additions, pooling and activations are not counted"
        )
    if "batchnorm" in kinds:
        out.append(
            "batch norm: 2·C trainable parameters (γ and β per channel), as PyTorch's parameters() and "
            "torchinfo count them; Keras's summary also lists the 2·C running means and variances, as "
            "non-trainable"
        )
    return tuple(out)
