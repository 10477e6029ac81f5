"""Problem file → validated `Problem`. All user-facing validation happens behind `load`.

The schema (schema.py) catches wrong types, unknown keys and missing fields; the checks after it
catch what a schema cannot: names used but never defined, cycles, weight lists of the wrong
length, parameters without values. Every error names the file, the field and the line.

The model is built from whichever notation the file uses (layered.py for a `network`,
expressions.py for `expressions`, convolution.py for `image` and `layers`), then its names are
checked and the loss added (names.py), then the data and training settings (data.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..engine.losses import LOSSES
from . import data, matrices, penalty
from .assignment import assignment_of
from .checker import BuiltModel, SpecReader
from .engines import is_array_file, is_conv_arrays_file
from .expressions import expressions_model
from .files import FileError
from .layered import network_of
from .names import NameChecks
from .records import Problem, Training
from .schema import ProblemFile
from .sources import Source, read_source
from .validation import schema_error
from .yamlfile import Lines

if TYPE_CHECKING:
    from ..cnn.table import ShapeTable  # a type only: the CNN code loads for files that use it
    from .assignment_schema import AssignmentFile  # the sections for a class load for files that have them

Section = TypeVar("Section", bound=BaseModel)

__all__ = ["FileError", "Problem", "Training", "load", "load_answer_key", "load_data", "load_shapes"]


def load(source: Source) -> Problem:
    """Read and validate a problem file (or YAML text, or a dict: sources.py); raises FileError with
    file, field and line."""
    return load_data(*read_source(source))


def load_data(name: str, raw: Any, lines: Lines) -> Problem:
    """Validate a problem file's data as read by yamlfile.read (a variant is the file's data with
    some numbers changed: its errors name the file and the lines of the numbers it changes)."""
    return _load(SpecReader(name, lines, _validated(name, raw, lines)))


def load_answer_key(source: Source) -> Problem | ShapeTable:
    """What answer sheets are checked against: the Problem, or, for a file that describes an
    architecture only, its worked table (whose answers are shapes and counts: check/cnn)."""
    c = SpecReader(*_read(source))
    s = c.spec
    if s.architecture is not None and all(
        getattr(s, k) is None for k in ("network", "expressions", "layers")
    ):
        table = _architecture(c)
        assert table is not None
        return table
    return _load(c)


def _load(c: SpecReader) -> Problem:
    architecture = _architecture(c)
    _one_model(c)
    spec, built = _model(c)
    return _problem(NameChecks(c.path, c.lines, spec), built, architecture)


def load_shapes(source: Source) -> ShapeTable:
    """The shapes, parameter counts and multiply-adds of a file's `architecture` (or of its
    `image` and `layers`); raises FileError with file, field and line."""
    from ..cnn.errors import LayerError
    from ..cnn.shapes import compute as compute_shapes
    from .array_conv import conv_shapes
    from .array_network import array_shapes, arrays_of
    from .conv.network import architecture_of

    name, raw, lines = read_source(source)
    if is_conv_arrays_file(raw):  # a network the array engine works (lenet5_image.yaml)
        return conv_shapes(name, raw, lines)
    if is_array_file(raw):  # a matrix network given by sizes or with array data: dense layers
        return array_shapes(arrays_of(name, raw, lines))
    c = SpecReader(name, lines, _validated(name, raw, lines))
    table = _architecture(c)
    if table is not None:
        return table
    s = c.spec
    if s.image is not None and s.layers is not None:
        try:
            return compute_shapes(architecture_of(s.image, s.layers), s.title, ())
        except LayerError as e:
            raise c.fail(e.loc, e.message) from None
    raise c.fail(
        (),
        "no 'architecture' here; describe the network as architecture: {input: [C, H, W], layers: "
        "[{kind: conv, out_channels: 6, kernel: 5}, …]} (see docs/tutorial/cnn.md)",
    )


def _read(source: Source) -> tuple[str, Lines, ProblemFile]:
    name, raw, lines = read_source(source)
    return name, lines, _validated(name, raw, lines)


def _validated(name: str, raw: Any, lines: Lines) -> ProblemFile:
    if not isinstance(raw, dict):
        raise FileError(name, "expected a mapping of fields (title, inputs, network, …) at the top level", 1)
    if is_conv_arrays_file(raw):  # lenet5_image.yaml: no steps to write number by number
        raise FileError(
            name,
            "a convolutional network worked by the array engine: solve, graph, shapes or template it, or "
            "check a student's arrays (.npz) against it (docs/guide/checking-arrays.md)",
        )
    if is_array_file(raw):  # an init, sizes or array data: not a network of single numbers
        raise FileError(
            name,
            "a matrix network worked by the array engine (its init, sizes or array data): solve, graph, "
            "shapes or template it, or check a student's arrays (.npz) against it; from Python, "
            "backtutor.solve_arrays() (docs/guide/matrix-networks.md)",
        )
    try:
        spec = ProblemFile.model_validate(raw)
    except ValidationError as e:
        raise schema_error(name, lines, e, ProblemFile) from None
    _variants(name, lines, spec)
    _assignment(name, lines, spec)
    return spec


def _variants(name: str, lines: Lines, spec: ProblemFile) -> None:
    """The file's `variants` checked by its own model (see schema.py); variants.py reads it."""
    if spec.variants is not None:
        from .variants_schema import VariantsFile

        _section(name, lines, "variants", spec.variants, VariantsFile)


def _assignment(name: str, lines: Lines, spec: ProblemFile) -> AssignmentFile | None:
    """The file's `assignment` checked by its own model (see schema.py), None without one."""
    if spec.assignment is None:
        return None
    from .assignment_schema import AssignmentFile

    return _section(name, lines, "assignment", spec.assignment, AssignmentFile)


def _section(name: str, lines: Lines, key: str, raw: dict[str, Any], root: type[Section]) -> Section:
    try:
        return root.model_validate(raw)
    except ValidationError as e:
        raise schema_error(name, lines, e, root, (key,)) from None


def _architecture(c: SpecReader) -> ShapeTable | None:
    """The file's `architecture` worked out (its schema checked here, not with the rest: see schema.py)."""
    s = c.spec
    if s.architecture is None:
        return None
    from ..cnn.errors import LayerError
    from ..cnn.schema import ArchitectureFile
    from ..cnn.shapes import compute as compute_shapes

    try:
        architecture = ArchitectureFile.model_validate(s.architecture)
    except ValidationError as e:
        raise schema_error(c.path, c.lines, e, ArchitectureFile, ("architecture",)) from None
    try:
        return compute_shapes(architecture, s.title)
    except LayerError as e:
        raise c.fail(e.loc, e.message) from None


def _one_model(c: SpecReader) -> None:
    """Exactly one of the ways to give a model, or an error that lists them."""
    s = c.spec
    given = [key for key in ("network", "expressions", "layers") if getattr(s, key) is not None]
    ways = (
        "give the model either as 'network' (layers of units), as 'expressions', or as 'image' and "
        "'layers' (convolution and pooling on small matrices)"
    )
    if len(given) > 1:
        raise c.fail((given[1],), f"{ways}, not both '{given[0]}' and '{given[1]}'")
    if s.image is not None and s.layers is None:
        raise c.fail(("image",), "an 'image' goes with 'layers' (conv, pooling, dense…) that use it")
    if given:
        return
    if s.architecture is not None:
        raise c.fail(
            ("architecture",),
            "this file describes an architecture only, so there are no numbers to solve ('network', "
            "'expressions', or 'image' and 'layers'); run `backtutor shapes "
            f"{c.path}` for its shapes, parameter counts and multiply-adds (`template` and `check` "
            "work on that table)",
        )
    raise c.fail((), ways)


def _model(c: SpecReader) -> tuple[ProblemFile, BuiltModel]:
    """The model as named expressions, and the spec the checks after it read: convolution on
    numbers makes the image's cells inputs and the kernels' values parameters."""
    if c.spec.layers is not None:
        from .conv.network import convolution_model  # the conv code loads only for conv files

        return convolution_model(c)
    if c.spec.network is not None:
        return network_of(SpecReader(c.path, c.lines, matrices.expand(c)))
    return c.spec, expressions_model(c)


def _problem(c: NameChecks, built: BuiltModel, architecture: ShapeTable | None) -> Problem:
    s = c.spec
    named = c.named(built)
    model = penalty.penalised(c, named.model, named.loss)
    size = data.check_size(c, model, len(s.inputs) + len(named.targets) + len(s.parameters))
    examples = data.examples(c, tuple(named.targets))
    reduction = s.loss.reduction or LOSSES[s.loss.kind].over_examples
    training = data.training(c, len(examples), size)
    penalty.check_batch(c, training, reduction)
    return Problem(
        path=c.path,
        title=s.title,
        description=s.description,
        inputs=tuple(s.inputs),
        targets=tuple(named.targets),
        parameters=dict(s.parameters),
        frozen=frozenset(s.frozen),
        model=tuple(model),
        loss=named.loss,
        loss_kind=s.loss.kind,
        reduction=reduction,
        data=examples,
        training=training,
        input_gradients=tuple(s.input_gradients),
        layers=built.layers,
        tolerance=(float(s.tolerance.rtol), float(s.tolerance.atol)) if s.tolerance else None,
        architecture=architecture,
        notes=built.notes,
        size=size,
        variants=s.variants is not None,
        assignment=assignment_of(_assignment(c.path, c.lines, s), c.lines),
        maps=built.maps,
    )
