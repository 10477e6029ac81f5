"""A matrix network for the array engine, file → ArrayProblem: layers as matrices `W`/`b` or by
`size` with an `init`, the data as arrays (array_data.py), dropout masks, the loss, its penalty and
the training, each checked with an error that names the file, the field (or the array) and the line.

Which files this engine reads is engines.py's to say (a network of `W` matrices small enough to
work by hand stays with the scalar engine unless asked: `solve --engine arrays`)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..engine.losses import LOSSES
from ..engine.notation import format_number
from ..engine.ops import OPS
from . import array_data, init, limits
from .array_records import ArrayLayer, ArrayPenalty, ArrayProblem
from .array_schema import ArrayNetworkFile
from .checker import Located
from .data import batch_size, optimizer
from .fields import layer_constant
from .files import FileError
from .penalty import check_strength
from .records import Training
from .sources import Source, read_source
from .validation import schema_error
from .yamlfile import Lines

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from ..cnn.table import ShapeTable

    Array = NDArray[np.float64]
else:
    Array = Any


def load_arrays(source: Source) -> ArrayProblem:
    """Read and check a matrix network for the array engine; raises FileError naming file, field, line."""
    return arrays_of(*read_source(source))


def arrays_of(name: str, raw: Any, lines: Lines) -> ArrayProblem:
    if not isinstance(raw, dict):
        raise FileError(name, "expected a mapping of fields (title, network, data, …) at the top level", 1)
    try:
        spec = ArrayNetworkFile.model_validate(raw)
    except ValidationError as e:
        raise schema_error(name, lines, e, ArrayNetworkFile) from None
    c = Located(name, lines)
    data = array_data.read(c, spec)
    notes = list(data.notes)
    given: dict[str, Array] = {"x": data.x}
    layers = _layers(c, spec, data.x.shape[0], given, notes)
    given["t"] = array_data.targets(c, spec, data, layers[-1].units)
    _dropout(c, spec, layers, given, notes)
    kind = spec.loss.kind
    if LOSSES[kind].vector is None:
        raise c.fail(("loss", "kind"), f"a matrix network's loss has a term per output; '{kind}' has none")
    problem = ArrayProblem(
        path=name,
        title=spec.title,
        description=spec.description,
        layers=tuple(layers),
        given=given,
        loss=spec.loss.name,
        loss_kind=kind,
        reduction=spec.loss.reduction or LOSSES[kind].over_examples,
        training=_training(c, spec, data.x.shape[1]),
        penalty=None,
        notes=tuple(notes),
        tolerance=(float(spec.tolerance.rtol), float(spec.tolerance.atol)) if spec.tolerance else None,
    )
    penalty = _penalty(c, spec, problem)
    if penalty is not None:
        problem = replace(problem, penalty=penalty)
    limits.check_arrays(c, problem)
    return problem


def _layers(
    c: Located, spec: ArrayNetworkFile, inputs: int, given: dict[str, Array], notes: list[str]
) -> list[ArrayLayer]:
    """Each layer's W and b, as given or drawn by `init`, their shapes checked in turn."""
    import numpy as np

    generator = np.random.default_rng(spec.init.seed) if spec.init else None
    layers: list[ArrayLayer] = []
    size = inputs
    for li, layer in enumerate(spec.network):
        n, loc = li + 1, ("network", li)
        op = OPS.get(layer.activation)
        if op is None or not op.activation or op.vector is None:
            known = ", ".join(k for k, o in OPS.items() if o.activation and o.vector)
            raise c.fail((*loc, "activation"), f"unknown activation '{layer.activation}'; use one of {known}")
        constant = layer_constant(layer, layer.activation)
        if layer.W is not None:
            if layer.size is not None:
                raise c.fail((*loc, "size"), f"layer {n}: give either its matrix 'W' or its 'size', not both")
            W, b = _given(c, li, layer.W, layer.b, size)
        elif layer.size is not None:
            if generator is None or spec.init is None:
                raise c.fail(
                    (*loc, "size"), f"layer {n} is given by its size: draw its weights with init: {{seed: N}}"
                )
            if layer.b is not None:
                raise c.fail((*loc, "b"), f"layer {n}: b goes with a given W; with 'size' init draws it")
            W, b = init.draw(generator, spec.init.kind, layer.size, size, layer.bias)
        else:
            raise c.fail(loc, f"layer {n} needs its matrix 'W' (with 'b') or its 'size' (with an init)")
        given[f"W{n}"] = W
        if b is not None:
            given[f"b{n}"] = b
        units = int(W.shape[0])
        rate = float(layer.dropout.rate) if layer.dropout else 0.0
        layers.append(ArrayLayer(units, size, layer.activation, float(constant or 0), b is not None, rate))
        size = units
    if spec.init is not None:
        notes.append(init.note(spec.init.kind, spec.init.seed))
    return layers


def _given(
    c: Located, li: int, rows: list[list[float]], bias: list[float] | None, inputs: int
) -> tuple[Array, Array | None]:
    import numpy as np

    n, loc = li + 1, ("network", li)
    for i, row in enumerate(rows):
        if len(row) != len(rows[0]):
            raise c.fail(
                (*loc, "W", i),
                f"layer {n}: W's row {i + 1} has {len(row)} numbers but row 1 has {len(rows[0])}",
            )
    W = np.array(rows, dtype=np.float64)
    if W.size == 0:
        raise c.fail((*loc, "W"), f"layer {n}: W is empty")
    if W.shape[1] != inputs:
        before = "inputs (x has that many columns)" if li == 0 else f"units in layer {li}"
        raise c.fail(
            (*loc, "W"),
            f"layer {n}: W is {W.shape[0]}×{W.shape[1]} but there are {inputs} {before}, so W must be "
            f"{W.shape[0]}×{inputs} (one row per unit, one column per input of the layer)",
        )
    if bias is not None and len(bias) != W.shape[0]:
        raise c.fail((*loc, "b"), f"layer {n}: b has {len(bias)} numbers but W has {W.shape[0]} rows")
    return W, None if bias is None else np.array(bias, dtype=np.float64)


def _dropout(
    c: Located, spec: ArrayNetworkFile, layers: list[ArrayLayer], given: dict[str, Array], notes: list[str]
) -> None:
    """Each dropout mask m{l} (units × examples): as given, or drawn from its seed as the scalar
    engine draws it (problem/dropout.py): default_rng(seed).random((examples, units)) ≥ p."""
    import numpy as np

    m = given["x"].shape[1]
    for li, (file_layer, layer) in enumerate(zip(spec.network, layers, strict=True)):
        d, where = file_layer.dropout, ("network", li, "dropout")
        if d is None:
            continue
        if li == len(layers) - 1:
            raise c.fail(
                where,
                "dropout goes on a hidden layer (its outputs feed the next layer), not the output layer",
            )
        if not 0 <= d.rate < 1:
            raise c.fail((*where, "rate"), f"rate must be in [0, 1), got {format_number(d.rate)}")
        if (d.mask is None) == (d.seed is None):
            raise c.fail(
                where,
                "give the mask (one 0 or 1 per unit, or one such list per example) or a seed, one of them",
            )
        if d.seed is not None:
            mask = np.random.default_rng(d.seed).random((m, layer.units)) >= float(d.rate)
            notes.append(
                f"dropout on layer {li + 1}: rate {format_number(d.rate)}, mask drawn from seed {d.seed}"
            )
        else:
            mask = np.array(d.mask, dtype=object)
            if mask.shape == (layer.units,):
                mask = np.tile(mask, (m, 1))
            if mask.shape != (m, layer.units) or not np.isin(mask, (0, 1)).all():
                raise c.fail(
                    (*where, "mask"),
                    f"the mask is {array_data.shape_of(mask.shape)}; give {layer.units} values 0 or 1 "
                    f"(one per unit), or {m} such lists (one per example)",
                )
        given[f"m{li + 1}"] = np.ascontiguousarray(mask.T, dtype=np.float64)


def _penalty(c: Located, spec: ArrayNetworkFile, problem: ArrayProblem) -> ArrayPenalty | None:
    p, where = spec.loss.penalty, ("loss", "penalty")
    if p is None:
        return None
    check_strength(c, p)
    over = tuple(p.parameters) if p.parameters is not None else problem.parameters
    for i, name in enumerate(over):
        if name not in problem.parameters:
            raise c.fail(
                (*where, "parameters", i), f"'{name}' is not a parameter ({', '.join(problem.parameters)})"
            )
    training = problem.training
    if training and training.batch_size > 1 and problem.reduction == "sum":
        raise c.fail(
            where,
            "the penalty is part of each example's loss, so a batch of several examples needs "
            "reduction: mean (a sum would count it once per example)",
        )
    return ArrayPenalty(float(p.l2 or 0), float(p.l1 or 0), p.half, over)


def _training(c: Located, spec: ArrayNetworkFile, examples: int) -> Training | None:
    t = spec.training
    if t is None:
        return None
    return Training(t.learning_rate, t.mode, batch_size(c, t, examples), t.epochs, optimizer(c, t))


def array_shapes(problem: ArrayProblem) -> ShapeTable:
    """The network as an architecture's table (`shapes`): each layer dense, its activation, its
    dropout; the output, parameters and multiply-adds of each, worked."""
    from ..cnn.schema import ArchitectureFile
    from ..cnn.shapes import compute

    layers: list[dict[str, Any]] = []
    for layer in problem.layers:
        constant = OPS[layer.activation].constant  # leaky_relu's slope
        activation = {"kind": layer.activation, **({constant.key: layer.slope} if constant else {})}
        layers += [{"kind": "dense", "units": layer.units, "bias": layer.bias}, activation]
        layers += [{"kind": "dropout", "rate": layer.dropout}] if layer.dropout else []
    spec = {"input": [problem.layers[0].inputs], "layers": layers}
    return compute(ArchitectureFile.model_validate(spec), problem.title)
