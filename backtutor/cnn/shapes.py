"""Shapes, parameter counts and multiply-adds of a CNN described in textbook terms.

`architecture: {input: [C, H, W], layers: [...]}` in a problem file becomes a `ShapeTable`: per
layer its input and output shape, the output-size formula worked with the layer's numbers, the
weight shape, the bias count, the parameter count with its formula and the multiply-adds, then
totals. The layers are read by schema.py, sized by sizes.py and counted by rows.py; this module
walks them (branches inside branches too) keeping the current shape.

Conventions (also printed under the table):
- output size ⌊(N + 2P − D·(F − 1) − 1)/S⌋ + 1 per spatial dimension (⌊(N + 2P − F)/S⌋ + 1 when the
  dilation D is 1); a pooling layer's stride defaults to its window, as in PyTorch and Keras;
- parameters: conv (F·F·C_in/groups + 1)·C_out, dense (n_in + 1)·n_out (no +1 with `bias: false`);
  batch norm 2·C (γ and β per channel, what PyTorch's parameters() and torchinfo count);
- multiply-adds: one per weight per output position (conv H_out·W_out·C_out·F·F·C_in/groups, dense
  n_in·n_out); bias additions, pooling, activations, dropout and batch norm are not counted.
"""

from __future__ import annotations

from typing import Any

from . import rows
from .errors import LayerError, Loc
from .schema import KINDS, ArchitectureFile, Branches, Conv, Dense, Pool, Spec, validate
from .sizes import n, shape_text
from .table import Row, ShapeTable

__all__ = ["Row", "ShapeTable", "compute", "n", "shape_text"]  # what the renderers read

MAX_LAYERS = 500
MAX_DEPTH = 8  # branches inside branches


def _sum_formula(parts: list[int], total: int) -> str:
    parts = [p for p in parts if p]
    return f"{' + '.join(n(p) for p in parts)} = {n(total)}" if len(parts) > 1 else ""


class _Counter:
    """Walks the layers keeping the current shape; a row per layer, per branch and per block."""

    def __init__(self, exact: bool) -> None:
        self.exact = exact
        self.rows: list[Row] = []
        self.seen: dict[str, int] = {}
        self.names: set[str] = set()
        self.kinds: set[str] = set()
        self.count = 0
        self.last = ""  # the row whose output is the current shape ("" for the network's input)

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
        if name in self.names or name == "total":  # a layer's name is its answers' ids (cnn/steps.py)
            taken = "the totals' name" if name == "total" else "another layer's name"
            raise LayerError(loc, f"layer name {name!r} is {taken}; give each layer a name of its own")
        self.names.add(name)
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
            parts = rows.conv(loc, spec, name, shape, self.exact)
        elif isinstance(spec, Pool):
            parts = rows.pool(loc, spec, name, shape, self.exact)
        elif isinstance(spec, Dense):
            parts = rows.dense(loc, spec, name, shape, self.rows[-1] if self.rows else None)
        else:
            parts = rows.shaped(spec, shape)
        self.rows.append(
            Row(
                name=name,
                kind=spec.kind,
                role="layer",
                branch=branch,
                input=shape,
                spec=spec,
                after=self.last,
                **parts,
            )
        )
        self.last = name
        return parts["output"]

    def branches(
        self, loc: Loc, spec: Branches, name: str, shape: tuple[int, ...], branch: tuple[str, ...]
    ) -> tuple[int, ...]:
        if len(shape) != 3:
            raise LayerError(
                loc, f"layer {name} (branches) needs a C×H×W input, but it gets {n(shape[0])} features"
            )
        outputs: dict[str, tuple[int, ...]] = {}
        totals: list[int] = []  # each branch's parameters
        start, source, joins = len(self.rows), self.last, []
        for bname, raw in spec.branches.items():
            self.last = source
            outputs[bname] = self.branch(loc, raw, name, bname, shape, branch)
            totals.append(self.rows[-1].params)  # the branch's subtotal row
            joins.append(self.last)
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
                spec=spec,
                after=source,
                joins=tuple(joins),
            )
        )
        self.last = name
        return output

    def branch(
        self,
        loc: Loc,
        raw: list[Any],
        block: str,
        bname: str,
        shape: tuple[int, ...],
        branch: tuple[str, ...],
    ) -> tuple[int, ...]:
        """One branch of `block`: its layers' rows, then a row with its subtotal."""
        bloc = (*loc, "branches", bname)
        first = len(self.rows)
        out = self.run(raw, bloc, shape, (*branch, bname)) if raw else shape
        if len(out) != 3:
            raise LayerError(
                bloc,
                f"branch '{bname}' of {block} ends with {n(out[0])} features; concatenating along "
                "the channels needs C×H×W outputs",
            )
        own = [r for r in self.rows[first:] if r.role == "layer"]
        params = sum(r.params for r in own)
        self.rows.append(
            Row(
                name=bname,
                kind="branch",
                role="branch",
                branch=(*branch, bname),
                description=f"branch '{bname}' of {block}",
                input=shape,
                output=out,
                params=params,
                params_formula=_sum_formula([r.params for r in own], params),
                mult_adds=sum(r.mult_adds for r in own),
            )
        )
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
