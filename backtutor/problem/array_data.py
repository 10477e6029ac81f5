"""A matrix network's data as arrays: x (one row per example) and its targets t, or class labels
made one-hot, written inline or read from an .npz, .npy or CSV file beside the problem by the one
array reader (array_files.py: regular files, size caps, never a pickle). Each array is checked here:
its shape, finite numbers, labels within the classes; an error names the file, the array and the
shapes. The engine's layout is one column per example, so x and t are returned transposed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from .array_schema import ArrayDataFile, ArrayNetworkFile
from .checker import Located
from .files import FileError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Array = NDArray[np.float64]
else:
    Array = Any


@dataclass(frozen=True)
class Data:
    x: Array  # inputs × examples
    t: Array | None  # examples × outputs, as given (None: labels)
    labels: Array | None  # one class number per example
    origin: dict[str, tuple[str, str]]  # "x" ↦ (the file errors name, the field or array)
    notes: tuple[str, ...] = ()


def shape_of(shape: tuple[int, ...]) -> str:
    return "×".join(map(str, shape)) if len(shape) > 1 else f"{shape[0] if shape else 0} values"


def read(c: Located, spec: ArrayNetworkFile) -> Data:
    """x, and t or the labels, checked for shape and finite numbers (x: examples × inputs)."""
    import numpy as np

    if isinstance(spec.data, list):
        return _examples(c, spec)
    d = spec.data
    if (d.t is None) == (d.labels is None):
        raise c.fail(("data",), "give the targets t (one row per example) or the class labels, one of them")
    origin: dict[str, tuple[str, str]] = {}
    x = _array(c, d, "x", origin)
    second = "t" if d.t is not None else "labels"
    y = _array(c, d, second, origin)
    if x.ndim != 2:
        raise _wrong(
            origin["x"], f"shape {shape_of(x.shape)}; x needs one row per example (examples × inputs)"
        )
    rows = y.shape[0] if y.ndim else 0
    if rows != x.shape[0]:
        raise _wrong(
            origin[second],
            f"{rows} rows but x has {x.shape[0]} examples ({shape_of(x.shape)}); give one row per example",
        )
    if d.examples is not None:
        if d.examples > x.shape[0]:
            raise c.fail(("data", "examples"), f"{d.examples} examples asked but the data has {x.shape[0]}")
        x, y = x[: d.examples], y[: d.examples]
    files = sorted({f for f, _ in origin.values() if f != c.path})
    notes = (f"data: {x.shape[0]} examples from {', '.join(files)}",) if files else ()
    xs = np.ascontiguousarray(x.T, dtype=np.float64)
    if second == "t":
        return Data(xs, np.asarray(y, dtype=np.float64), None, origin, notes)
    return Data(xs, None, y, origin, notes)


def targets(c: Located, spec: ArrayNetworkFile, data: Data, outputs: int) -> Array:
    """t (outputs × examples): as given, or one-hot of the labels."""
    import numpy as np

    if data.t is not None:
        t = data.t
        if t.ndim != 2 or t.shape[1] != outputs:
            raise _wrong(
                data.origin["t"],
                f"shape {shape_of(t.shape)}; the output layer has {outputs} units, so t must be "
                f"{t.shape[0]}×{outputs} (one row per example)",
            )
        return np.ascontiguousarray(t.T, dtype=np.float64)
    labels = data.labels
    assert labels is not None
    if labels.ndim != 1 or labels.dtype.kind not in "biuf" or not np.array_equal(labels, np.round(labels)):
        raise _wrong(
            data.origin["labels"],
            f"shape {shape_of(labels.shape)}; labels are one whole class number per example",
        )
    if labels.size and (labels.min() < 0 or labels.max() >= outputs):
        raise _wrong(
            data.origin["labels"],
            f"labels run from {int(labels.min())} to {int(labels.max())} but the output layer has {outputs} "
            f"units (classes 0 … {outputs - 1})",
        )
    onehot = np.zeros((outputs, labels.size))
    onehot[labels.astype(np.int64), np.arange(labels.size)] = 1.0
    return onehot


def _wrong(origin: tuple[str, str], message: str) -> FileError:
    return FileError(origin[0], message, field=origin[1])


def _array(c: Located, d: ArrayDataFile, key: str, origin: dict[str, tuple[str, str]]) -> Array:
    """The array `key` of the data: inline, an array of `file`, or an .npy/.csv file."""
    import numpy as np

    value = getattr(d, key)
    if isinstance(value, list):
        origin[key] = (c.path, f"data.{key}")
        try:
            a = np.array(value, dtype=np.float64)
        except (ValueError, TypeError):
            raise c.fail(
                ("data", key), f"{key} is not a rectangular list of numbers (one row per example)"
            ) from None
        if not np.isfinite(a).all():
            raise c.fail(("data", key), f"{key} holds NaN or an infinity")
        return a
    from .array_files import read_arrays

    if PurePath(value).suffix.lower() in (".npy", ".csv"):
        path = _beside(c, value, ("data", key))
        file = read_arrays(path)
        origin[key] = (str(path), f"array '{PurePath(value).stem}'")
        return np.asarray(file.get(PurePath(value).stem))
    if d.file is None:
        raise c.fail(("data", key), f"'{value}' names an array of an .npz file: give the file as data.file")
    path = _beside(c, d.file, ("data", "file"))
    origin[key] = (str(path), f"array '{value}'")
    return np.asarray(read_arrays(path).get(value))


def _beside(c: Located, name: str, loc: tuple[Any, ...]) -> Path:
    """A data file's path: relative to the problem file's folder, and inside it."""
    p = PurePath(name)
    if p.is_absolute() or ".." in p.parts:
        raise c.fail(loc, f"'{name}': a data file lies beside the problem (a relative path without '..')")
    folder = Path(c.path).parent if Path(c.path).suffix else Path(".")
    return folder / p


def _examples(c: Located, spec: ArrayNetworkFile) -> Data:
    """`data` as a list of examples {x: [...], t: [...]}."""
    import numpy as np

    assert isinstance(spec.data, list)
    name = spec.inputs[0] if len(spec.inputs) == 1 else "x"
    if len(spec.inputs) != 1:
        raise c.fail(("inputs",), "a matrix network has one input vector: inputs: [x]")
    xs: list[Array] = []
    ts: list[Array] = []
    for i, ex in enumerate(spec.data):
        unknown = set(ex) - {name, "t"}
        if unknown:
            raise c.fail(
                ("data", i, sorted(unknown)[0]), f"an example gives {name} and t (its vectors), not this"
            )
        for key in (name, "t"):
            if key not in ex:
                raise c.fail(("data", i), f"example {i + 1} has no '{key}'")
        x, t = (
            np.atleast_1d(np.asarray(ex[name], dtype=np.float64)),
            np.atleast_1d(np.asarray(ex["t"], dtype=np.float64)),
        )
        if xs and (x.shape != xs[0].shape or t.shape != ts[0].shape):
            raise c.fail(("data", i), f"example {i + 1}'s vectors are not the length of example 1's")
        xs.append(x)
        ts.append(t)
    if not xs:
        raise c.fail(("data",), "the data set is empty; give at least one example {x: [...], t: [...]}")
    origin = {"x": (c.path, "data"), "t": (c.path, "data")}
    return Data(np.ascontiguousarray(np.array(xs).T), np.array(ts), None, origin)
