"""Problem file → validated `Problem`. All user-facing validation happens here.

The schema (pydantic) catches wrong types, unknown keys and missing fields; the checks after it
catch what a schema cannot: names used but never defined, cycles, weight lists of the wrong
length, parameters without values. Every error names the file, the field and the line.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PositiveInt, ValidationError

from ..cnn.shapes import ArchitectureFile, LayerError, ShapeTable
from ..cnn.shapes import compute as compute_shapes
from ..engine.expr import Expr, names
from ..engine.losses import DEFAULT_LOSS, LOSSES, LossKind, loss_model
from ..engine.ops import ActivationName
from ..engine.parse import ParseError, parse, valid_name
from . import yamlfile
from .network import UnitSpec, network_model, unit_names
from .yamlfile import FileError, Lines

MAX_NODES = 5_000
MAX_EXAMPLES = 10_000
MAX_UPDATES = 10_000_000  # epochs × examples
_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d{1,3})?")


def _number(v: Any) -> Fraction:
    if isinstance(v, bool) or v is None:
        raise ValueError(f"expected a number, got {v!r}")
    if isinstance(v, int):
        f = Fraction(v)
    elif isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"expected a finite number, got {v!r}")
        f = Fraction(repr(v))
    elif isinstance(v, str) and _NUMBER.fullmatch(v.strip()):
        f = Fraction(v.strip())
    else:
        raise ValueError(f"expected a number, got {v!r}")
    if abs(f) > 10**100:
        raise ValueError(f"number too large: {v!r}")
    return f


def _name(v: Any) -> str:
    if not isinstance(v, str) or not valid_name(v):
        raise ValueError(
            f"{v!r} is not an allowed name (a letter, then letters, digits or _; not a function name)"
        )
    return v


Number = Annotated[Fraction, BeforeValidator(_number)]
Name = Annotated[str, BeforeValidator(_name)]
Activation = ActivationName


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, frozen=True)


class UnitFile(_Strict):
    weights: list[Name]
    bias: Name | None = None
    activation: Activation | None = None


class LayerFile(_Strict):
    activation: Activation = "sigmoid"
    slope: Number = Fraction(1, 100)
    units: dict[Name, UnitFile] = Field(min_length=1)


class NamingFile(_Strict):
    net: str = "net_{unit}"
    out: str = "out_{unit}"


class LossFile(_Strict):
    kind: LossKind = DEFAULT_LOSS
    name: Name = "E"
    expr: str | None = None
    reduction: Literal["sum", "mean"] | None = None


class TrainingFile(_Strict):
    learning_rate: Number
    mode: Literal["online", "batch", "minibatch"] = "online"
    batch_size: PositiveInt | None = None
    epochs: PositiveInt = 1


class ToleranceFile(_Strict):
    rtol: Number = Fraction(0)
    atol: Number = Fraction(0)


class ProblemFile(_Strict):
    title: str = ""
    description: str = ""
    inputs: list[Name] = []
    network: list[LayerFile] | None = None
    naming: NamingFile = NamingFile()
    expressions: dict[Name, str] | None = None
    image: dict[Name, list[Any]] | None = None  # with `layers`: convolution on numbers (convolution.py)
    layers: list[Any] | None = None
    architecture: ArchitectureFile | None = None  # a CNN in textbook terms, for `shapes` (shapes.py)
    outputs: list[Name] | None = None
    targets: dict[Name, Name] = {}
    parameters: dict[Name, Number] = {}
    frozen: list[Name] = []
    input_gradients: list[Name] = []
    data: list[dict[Name, Number]] = []
    loss: LossFile = LossFile()
    training: TrainingFile | None = None
    tolerance: ToleranceFile | None = None  # for `check`: overrides the from-what-was-written rule


@dataclass(frozen=True)
class Training:
    learning_rate: Fraction
    mode: str
    batch_size: int
    epochs: int


@dataclass(frozen=True)
class Problem:
    """What a problem file says, checked and in one shape whatever notation it used."""

    path: str
    title: str
    description: str
    inputs: tuple[str, ...]
    targets: tuple[str, ...]
    parameters: dict[str, Fraction]
    frozen: frozenset[str]
    model: tuple[tuple[str, Expr], ...]  # named expressions, each after what it uses
    loss: str
    loss_kind: str
    reduction: str  # how per-example losses combine over a batch: "sum" or "mean"
    data: tuple[dict[str, Fraction], ...]
    training: Training | None
    input_gradients: tuple[str, ...]
    layers: tuple[tuple[str, ...], ...] = field(default=())  # node names by layer, for display
    tolerance: tuple[float, float] | None = None  # (rtol, atol) for `check`, when the file sets one
    architecture: ShapeTable | None = None  # the file's `architecture`, worked (see shapes.py)
    # node ↦ how to read its working, shown with the first local derivative of such a node (conv, pooling)
    notes: dict[str, str] = field(default_factory=dict)


def load(path: str | Path) -> Problem:
    """Read and validate a problem file; raises FileError with file, field and line."""
    return _Checker(*_read(path)).problem()


def load_shapes(path: str | Path) -> ShapeTable:
    """The shapes, parameter counts and multiply-adds of a file's `architecture` (or of its
    `image` and `layers`); raises FileError with file, field and line."""
    return _Checker(*_read(path)).shapes()


def _read(path: str | Path) -> tuple[str, Lines, ProblemFile]:
    data, lines = yamlfile.read(path)
    name = str(path)
    if not isinstance(data, dict):
        raise FileError(name, "expected a mapping of fields (title, inputs, network, …) at the top level", 1)
    try:
        spec = ProblemFile.model_validate(data)
    except ValidationError as e:
        raise _schema_error(name, lines, e) from None
    return name, lines, spec


def _schema_error(path: str, lines: Lines, e: ValidationError) -> FileError:
    errors = e.errors()
    err = next((x for x in errors if x["type"] == "extra_forbidden"), errors[0])  # typos first
    loc = tuple(err["loc"])
    if err["type"] == "extra_forbidden":
        model = ProblemFile
        for part in loc[:-1]:
            ann = model.model_fields.get(part) if isinstance(part, str) and model else None
            model = _model_in(ann.annotation) if ann else None
        known = list(model.model_fields) if model else []
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = (
            f"; did you mean '{close[0]}'?"
            if close
            else (f"; known keys: {', '.join(known)}" if known else "")
        )
        msg = f"unknown key '{loc[-1]}'{hint}"
        loc_field = loc[:-1]
    else:
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            msg = f"'{loc[-1]}' is required"
        loc_field = loc
    return FileError(path, msg, yamlfile.line_of(lines, loc), yamlfile.field_name(loc_field) or "(top level)")


def _listing(items: list[str], most: int = 8) -> str:
    return ", ".join(items[:most]) + (f", … ({len(items)} in all)" if len(items) > most else "")


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found:
            return found
    return None


class _Checker:
    def __init__(self, path: str, lines: Lines, spec: ProblemFile) -> None:
        self.path, self.lines, self.spec = path, lines, spec

    def fail(self, loc: tuple[Any, ...], message: str) -> FileError:
        return FileError(self.path, message, yamlfile.line_of(self.lines, loc), yamlfile.field_name(loc))

    def problem(self) -> Problem:
        architecture = self.architecture()
        self.one_model()
        layers: tuple[tuple[str, ...], ...] = ()
        notes: dict[str, str] = {}
        if self.spec.layers is not None:  # also makes the image's cells inputs, the kernels parameters
            model, outputs, labels, layers, notes = self.convolution()
        elif self.spec.network is not None:
            model, outputs, labels, layers = self.network()
        else:
            model, outputs, labels = self.expressions()
        s = self.spec
        defined = set(s.inputs) | {n for n, _ in model}
        used = {n for _, e in model for n in names(e)}
        params = [n for n in dict.fromkeys(n for _, e in model for n in names(e)) if n not in defined]
        self.check_parameters(params, used)
        targets, loss_nodes, loss = self.loss(outputs, labels, set(params) | defined)
        model = [*model, *loss_nodes]
        reaches = {loss}  # names the loss depends on (model is in topological order)
        for name, e in reversed(model):
            if name in reaches:
                reaches.update(names(e))
        for name in [*(p for p in params if p not in s.frozen), *s.input_gradients]:
            if name not in reaches:
                where = ("parameters", name) if name in s.parameters else ("input_gradients",)
                raise self.fail(where, f"'{name}' does not affect the loss '{loss}', so it has no gradient")
        self.check_unique(list(s.inputs) + params + list(targets) + [n for n, _ in model])
        if len(model) > MAX_NODES or len(params) > 10 * MAX_NODES:
            raise self.fail(("network",), f"model too large ({len(model)} nodes; at most {MAX_NODES})")
        for i, name in enumerate(s.frozen):
            if name not in s.parameters:
                raise self.fail(("frozen", i), f"'{name}' is not a parameter")
        for i, name in enumerate(s.input_gradients):
            if name not in s.inputs:
                raise self.fail(("input_gradients", i), f"'{name}' is not an input")
        data = self.data(tuple(targets))
        training = self.training(len(data))
        reduction = s.loss.reduction or LOSSES[s.loss.kind].over_examples
        return Problem(
            path=self.path,
            title=s.title,
            description=s.description,
            inputs=tuple(s.inputs),
            targets=tuple(targets),
            parameters=dict(s.parameters),
            frozen=frozenset(s.frozen),
            model=tuple(model),
            loss=loss,
            loss_kind=s.loss.kind,
            reduction=reduction,
            data=data,
            training=training,
            input_gradients=tuple(s.input_gradients),
            layers=layers,
            tolerance=(float(s.tolerance.rtol), float(s.tolerance.atol)) if s.tolerance else None,
            architecture=architecture,
            notes=notes,
        )

    def one_model(self) -> None:
        s = self.spec
        given = [key for key in ("network", "expressions", "layers") if getattr(s, key) is not None]
        ways = (
            "give the model either as 'network' (layers of units), as 'expressions', or as 'image' and "
            "'layers' (convolution and pooling on small matrices)"
        )
        if len(given) > 1:
            raise self.fail((given[1],), f"{ways}, not both '{given[0]}' and '{given[1]}'")
        if s.image is not None and s.layers is None:
            raise self.fail(("image",), "an 'image' goes with 'layers' (conv, pooling, dense…) that use it")
        if given:
            return
        if s.architecture is not None:
            raise self.fail(
                ("architecture",),
                "this file describes an architecture only, so there are no numbers to solve ('network', "
                "'expressions', or 'image' and 'layers'); run `backtutor shapes "
                f"{self.path}` for its shapes, parameter counts and multiply-adds",
            )
        raise self.fail((), ways)

    def architecture(self) -> ShapeTable | None:
        s = self.spec
        if s.architecture is None:
            return None
        try:
            return compute_shapes(s.architecture, s.title)
        except LayerError as e:
            raise self.fail(e.loc, e.message) from None

    def shapes(self) -> ShapeTable:
        table = self.architecture()
        if table is not None:
            return table
        s = self.spec
        if s.image is not None and s.layers is not None:
            from .convolution import architecture_of

            try:
                return compute_shapes(architecture_of(s.image, s.layers), s.title, ())
            except LayerError as e:
                raise self.fail(e.loc, e.message) from None
        raise self.fail(
            (),
            "no 'architecture' here; describe the network as architecture: {input: [C, H, W], layers: "
            "[{kind: conv, out_channels: 6, kernel: 5}, …]} (see the README, Convolutional networks)",
        )

    def convolution(
        self,
    ) -> tuple[list[tuple[str, Expr]], list[str], list[str], tuple[tuple[str, ...], ...], dict[str, str]]:
        """Convolution on numbers: the layers' named expressions; the image's cells become the
        inputs (and the values of every example), the kernels' and weights' values parameters."""
        from .convolution import conv_network

        s = self.spec
        assert s.layers is not None
        if s.image is None:
            raise self.fail(
                ("layers",), "'layers' work on an 'image', a matrix of values: image: {x: [[1, 0], [0, 1]]}"
            )
        if s.inputs:
            raise self.fail(("inputs",), "with an 'image' the inputs are its cells; leave out 'inputs'")
        try:
            net = conv_network(s.image, s.layers)
        except LayerError as e:
            raise self.fail(e.loc, e.message) from None
        for name in s.parameters:
            if name in net.parameters:
                raise self.fail(("parameters", name), f"'{name}' already has its value in 'layers'")
        for i, example in enumerate(s.data):
            for key in example:
                if key in net.cells:
                    raise self.fail(("data", i, key), f"'{key}' is a cell of the image, given in 'image'")
        arrays = set(net.tensors) - set(s.image)  # kernels, weights and biases by their names
        for key, allowed, what in (
            ("frozen", set(net.parameters) | set(s.parameters) | arrays, "a parameter or a kernel"),
            ("input_gradients", set(net.cells) | set(s.image), "the image or one of its cells"),
        ):
            for i, name in enumerate(getattr(s, key)):
                if name not in allowed:
                    raise self.fail((key, i), f"'{name}' is not {what}")

        def expand(chosen: list[str]) -> list[str]:
            """Kernel and image names → their cells; cells the loss does not depend on are left out."""
            cells = (c for name in chosen for c in net.tensors.get(name, (name,)))
            return list(dict.fromkeys(c for c in cells if c in net.live or c not in net.cells))

        values = {c: net.cells[c] for c in net.inputs}
        self.spec = s.model_copy(
            update={
                "inputs": list(net.inputs),
                "parameters": {**net.parameters, **s.parameters},
                "data": [{**example, **values} for example in s.data] or [values],
                "frozen": expand(s.frozen),
                "input_gradients": expand(s.input_gradients),
            }
        )
        return net.model, net.outputs, net.outputs, net.layers, net.notes

    def network(self) -> tuple[list[tuple[str, Expr]], list[str], list[str], tuple[tuple[str, ...], ...]]:
        s = self.spec
        assert s.network is not None
        for key in ("net", "out"):
            template = getattr(s.naming, key)
            if "{unit}" not in template or not valid_name(template.replace("{unit}", "u")):
                raise self.fail(("naming", key), f"{template!r} must contain {{unit}} and make a valid name")
        if s.naming.net == s.naming.out:
            raise self.fail(("naming",), "'net' and 'out' must make different names")
        if not s.inputs:
            raise self.fail(("inputs",), "a network needs its inputs listed, e.g. inputs: [i1, i2]")
        units = sum(len(layer.units) for layer in s.network)
        if 2 * units > MAX_NODES:
            raise self.fail(("network",), f"network too large ({units:,} units; at most {MAX_NODES // 2:,})")
        previous = list(s.inputs)
        specs = []
        for li, layer in enumerate(s.network):
            units = []
            for uname, unit in layer.units.items():
                loc = ("network", li, "units", uname)
                act = unit.activation or layer.activation
                if len(unit.weights) != len(previous):
                    what = "inputs" if li == 0 else f"units in layer {li}"
                    raise self.fail(
                        (*loc, "weights"),
                        f"unit {uname} has {len(unit.weights)} weights but there are {len(previous)} "
                        f"{what} ({', '.join(previous)}); list one weight per input, in order",
                    )
                if unit.activation == "softmax" or (act == "softmax" and len(layer.units) < 2):
                    raise self.fail(loc, "softmax is a whole-layer activation over two or more units")
                units.append(
                    UnitSpec(
                        uname,
                        tuple(unit.weights),
                        unit.bias,
                        act,
                        layer.slope if act == "leaky_relu" else None,
                    )
                )
            specs.append(units)
            previous = [unit_names(u.name, s.naming.net, s.naming.out)[1] for u in units]
        model, outputs = network_model(s.inputs, specs, s.naming.net, s.naming.out)
        layers = tuple(
            tuple(n for u in units for n in unit_names(u.name, s.naming.net, s.naming.out)) for units in specs
        )
        return model, outputs, [u.name for u in specs[-1]], layers

    def expressions(self) -> tuple[list[tuple[str, Expr]], list[str], list[str]]:
        s = self.spec
        assert s.expressions is not None
        parsed: dict[str, Expr] = {}
        for name, text in s.expressions.items():
            parsed[name] = self.parse(("expressions", name), text)
        known = set(s.inputs) | set(s.parameters) | set(parsed)
        for name, e in parsed.items():
            for n in names(e):
                if n not in known:
                    raise self.fail(("expressions", name), self.undefined(n, known))
        order = self.topological(parsed)
        used = {n for e in parsed.values() for n in names(e)}
        outputs = list(s.outputs) if s.outputs else [n for n in parsed if n not in used]
        for i, o in enumerate(outputs):
            if o not in parsed:
                raise self.fail(("outputs", i), f"'{o}' is not one of the expressions")
        return [(n, parsed[n]) for n in order], outputs, outputs

    def parse(self, loc: tuple[Any, ...], text: Any) -> Expr:
        try:
            return parse(text)
        except ParseError as e:
            raise self.fail(loc, str(e)) from None

    def undefined(self, name: str, known: set[str]) -> str:
        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        what = "not an input, an expression, or a parameter with a value"
        return f"'{name}' is used but never defined ({what}){hint}"

    def topological(self, parsed: dict[str, Expr]) -> list[str]:
        order: list[str] = []
        state: dict[str, int] = {}  # 1: in progress, 2: done
        for start in parsed:
            stack: list[tuple[str, list[str]]] = [(start, [d for d in names(parsed[start]) if d in parsed])]
            if state.get(start):
                continue
            state[start] = 1
            while stack:
                node, deps = stack[-1]
                if deps:
                    d = deps.pop(0)
                    if state.get(d) == 1:
                        cycle = [n for n, _ in stack]
                        cycle = [*cycle[cycle.index(d) :], d]
                        raise self.fail(
                            ("expressions", d), f"the expressions form a cycle: {' → '.join(cycle)}"
                        )
                    if not state.get(d):
                        state[d] = 1
                        stack.append((d, [x for x in names(parsed[d]) if x in parsed]))
                else:
                    stack.pop()
                    state[node] = 2
                    order.append(node)
        return order

    def check_parameters(self, params: list[str], used: set[str]) -> None:
        s = self.spec
        missing = [p for p in params if p not in s.parameters]
        if missing:
            raise self.fail(("parameters",), f"no value given for {_listing(missing)}")
        for name in s.parameters:
            if name not in used:
                raise self.fail(
                    ("parameters", name), f"'{name}' is given a value but the model never uses it"
                )
        for i, name in enumerate(s.inputs):
            if name not in used:
                raise self.fail(("inputs", i), f"input '{name}' is never used by the model")

    def loss(
        self, outputs: list[str], labels: list[str], known: set[str]
    ) -> tuple[list[str], list[tuple[str, Expr]], str]:
        s, kind = self.spec, self.spec.loss.kind
        for out in s.targets:
            if out not in labels and out not in outputs:
                raise self.fail(("targets", out), f"'{out}' is not an output (outputs: {', '.join(labels)})")
        targets = [
            s.targets.get(label, s.targets.get(node, f"target_{label}"))
            for label, node in zip(labels, outputs, strict=True)
        ]
        if LOSSES[kind].is_output:
            if len(outputs) != 1:
                raise self.fail(
                    ("loss", "kind"), f"'output' needs exactly one output, found {_listing(outputs)}"
                )
            if "name" in s.loss.model_fields_set:
                raise self.fail(
                    ("loss", "name"), "with kind 'output' the output itself is differentiated; drop 'name'"
                )
            return [], [], outputs[0]
        if LOSSES[kind].from_expr:
            if s.loss.expr is None:
                raise self.fail(("loss",), "kind 'expression' needs 'expr', e.g. expr: (y - f)^2")
            expr = self.parse(("loss", "expr"), s.loss.expr)
            targets = list(s.targets.values())
            for n in names(expr):
                if n not in known and n not in targets:
                    raise self.fail(("loss", "expr"), self.undefined(n, known | set(targets)))
            return targets, loss_model(kind, s.loss.name, [], expr), s.loss.name
        if s.loss.expr is not None:
            raise self.fail(("loss", "expr"), f"'expr' goes with kind 'expression', not '{kind}'")
        triples = list(zip(labels, outputs, targets, strict=True))
        return targets, loss_model(kind, s.loss.name, triples, None), s.loss.name

    def check_unique(self, all_names: list[str]) -> None:
        seen: set[str] = set()
        for n in all_names:
            if n in seen:
                raise self.fail((), f"the name '{n}' is used for two different things")
            seen.add(n)

    def data(self, targets: tuple[str, ...]) -> tuple[dict[str, Fraction], ...]:
        s = self.spec
        needed = list(s.inputs) + list(targets)
        if not needed:
            if s.data:
                raise self.fail(("data",), "this model has no inputs or targets, so it takes no data")
            return ({},)
        if not s.data:
            raise self.fail(
                ("data",), f"the data set is empty; give at least one example with {', '.join(needed)}"
            )
        if len(s.data) > MAX_EXAMPLES:
            raise self.fail(("data",), f"at most {MAX_EXAMPLES} examples")
        for i, ex in enumerate(s.data):
            for key in ex:
                if key not in needed:
                    raise self.fail(
                        ("data", i, key), f"'{key}' is not an input or target (expected {', '.join(needed)})"
                    )
            missing = [n for n in needed if n not in ex]
            if missing:
                raise self.fail(("data", i), f"example {i + 1} has no value for {', '.join(missing)}")
        return tuple(dict(ex) for ex in s.data)

    def training(self, n_examples: int) -> Training | None:
        t = self.spec.training
        if t is None:
            return None
        if t.mode == "minibatch":
            if t.batch_size is None:
                raise self.fail(("training",), "mode 'minibatch' needs batch_size")
            size = t.batch_size
        elif t.batch_size is not None:
            raise self.fail(("training", "batch_size"), "batch_size goes with mode 'minibatch'")
        else:
            size = 1 if t.mode == "online" else n_examples
        if size > n_examples:
            raise self.fail(
                ("training", "batch_size"), f"batch_size {size} is larger than the data set ({n_examples})"
            )
        if t.epochs * n_examples > MAX_UPDATES:
            raise self.fail(("training", "epochs"), f"at most {MAX_UPDATES:,} example passes in all")
        return Training(t.learning_rate, t.mode, size, t.epochs)
