"""The one reader of NumPy array files: a data set beside a problem (`.npz`, `.npy`, `.csv`) and a
student's answers (`.npz`, arrays named by step id).

The bytes come through the one file reader (files.py: regular files only, a size cap), and arrays are
loaded with `allow_pickle=False`, so an object array in an `.npz` is refused, never unpickled. Each
member's header is read before its data: a shape or dtype that is not a plain number array, or more
numbers than MAX_CELLS, is refused before anything is decompressed. Every error is one FileError naming
the file and the array (and, for a CSV, the line).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from .files import FileError, read_bytes

if TYPE_CHECKING:
    import numpy as np

MAX_ARRAY_BYTES = 64_000_000  # an array file on disk (an MNIST-size subset as uint8 is about 8 MB)
MAX_CELLS = 8_000_000  # numbers in all of a file's arrays: 64 MB as float64
SUFFIXES = (".npz", ".npy", ".csv")
_HEADERS = {(1, 0): "read_array_header_1_0", (2, 0): "read_array_header_2_0"}
_KINDS = "buif"  # bool, signed and unsigned integers, floats; never complex, text, dates or objects


@dataclass(frozen=True)
class ArrayFile:
    """A file's arrays by name (a `.npy` or `.csv` holds one, named after the file's stem), each with
    the dtype it was saved with: a float32 answer is graded at float32 precision."""

    path: str
    arrays: Mapping[str, np.ndarray]
    columns: tuple[str, ...] = field(default=())  # a CSV's header row, when it has one

    def get(
        self, name: str, shape: tuple[int | None, ...] | None = None, integer: bool = False
    ) -> np.ndarray:
        """The array `name`, of `shape` (None: any length on that axis) and, if asked, of integers;
        FileError naming the file, the array and both shapes otherwise."""
        if name not in self.arrays:
            has = ", ".join(sorted(self.arrays)) or "none"
            raise FileError(self.path, f"there is no array '{name}' (the file's arrays: {has})")
        a = self.arrays[name]
        if shape is not None and not fits(a.shape, shape):
            raise FileError(
                self.path,
                f"shape {show_shape(a.shape)}; expected {show_shape(shape)}",
                field=f"array '{name}'",
            )
        if integer and a.dtype.kind not in "biu":
            raise FileError(
                self.path, f"dtype {a.dtype}; expected integers (class labels)", field=f"array '{name}'"
            )
        return a


def fits(shape: tuple[int, ...], wanted: tuple[int | None, ...]) -> bool:
    return len(shape) == len(wanted) and all(w is None or s == w for s, w in zip(shape, wanted, strict=True))


def show_shape(shape: tuple[int | None, ...]) -> str:
    """(16, 192) as NumPy writes it, with any length where None: (any, 192)."""
    parts = ["any" if d is None else str(d) for d in shape]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def read_arrays(path: str | Path, finite: bool = True, cap: int = MAX_ARRAY_BYTES) -> ArrayFile:
    """The arrays of an `.npz`, `.npy` or `.csv` file. `finite`: NaN or ±inf anywhere is an error
    (a data set); a student's answers may hold them, and are graded wrong instead."""
    name = str(path)
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise FileError(name, f"not an array file; give a {', '.join(SUFFIXES[:-1])} or {SUFFIXES[-1]} file")
    data = read_bytes(name, cap, give=f"a {suffix} file")
    stem = Path(name).stem
    if suffix == ".npz":
        found = ArrayFile(name, _npz(name, data))
    elif suffix == ".npy":
        found = ArrayFile(name, {stem: _npy(name, stem, io.BytesIO(data), MAX_CELLS)})
    else:
        array, columns = _csv(name, data)
        found = ArrayFile(name, {stem: array}, columns)
    if finite:
        for key, a in found.arrays.items():
            _finite(name, key, a)
    return found


def _npz(name: str, data: bytes) -> dict[str, np.ndarray]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise FileError(name, f"not a valid .npz file ({e})") from None
    arrays: dict[str, np.ndarray] = {}
    left = MAX_CELLS
    for member in members:
        key = member.filename.removesuffix(".npy")
        if member.is_dir() or not member.filename.endswith(".npy"):
            raise FileError(name, f"'{member.filename}' is not an array (an .npz holds only .npy arrays)")
        if key in arrays:
            raise FileError(name, "the file holds two arrays of this name", field=f"array '{key}'")
        try:
            with archive.open(member) as f:
                arrays[key] = _npy(name, key, f, left)
        except (zipfile.BadZipFile, OSError, EOFError) as e:
            raise FileError(name, f"cannot be read ({e})", field=f"array '{key}'") from None
        left -= arrays[key].size
    if not arrays:
        raise FileError(name, "the file holds no arrays")
    return arrays


def _npy(name: str, key: str, f: IO[bytes], left: int) -> np.ndarray:
    """One array: its header checked (a plain number dtype, at most `left` numbers) before its data is
    read, and its data read without pickle."""
    import numpy as np

    where = f"array '{key}'"
    try:
        version = np.lib.format.read_magic(f)
        if version not in _HEADERS:  # 3.0 only holds structured dtypes with non-ASCII names
            raise ValueError(f"format version {version[0]}.{version[1]} holds no plain number array")
        shape, fortran, dtype = getattr(np.lib.format, _HEADERS[version])(f)
    except (ValueError, OSError, EOFError, SyntaxError) as e:
        raise FileError(name, f"not a NumPy array ({e})", field=where) from None
    if dtype.kind not in _KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise FileError(
            name, f"dtype {dtype} is not numbers (give bool, integer or float arrays)", field=where
        )
    cells = int(np.prod(shape, dtype=np.int64)) if shape else 1
    if cells > left:
        raise FileError(
            name,
            f"shape {show_shape(shape)}: too many numbers (at most {MAX_CELLS:,} in a file)",
            field=where,
        )
    raw = f.read(cells * dtype.itemsize + 1)
    if len(raw) != cells * dtype.itemsize:
        raise FileError(name, f"shape {show_shape(shape)} does not match the data stored", field=where)
    array = np.frombuffer(raw, dtype=dtype)
    return array.reshape(shape, order="F" if fortran else "C").copy()


def _finite(name: str, key: str, a: np.ndarray) -> None:
    import numpy as np

    if a.dtype.kind == "f" and not np.isfinite(a).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(a))[0])
        where = f" at [{', '.join(map(str, bad))}]" if bad else ""
        raise FileError(name, f"{a[bad]}{where}; data must be finite numbers", field=f"array '{key}'")


def _csv(name: str, data: bytes) -> tuple[np.ndarray, tuple[str, ...]]:
    """A CSV of numbers (an optional header row of column names): a matrix, one row per line."""
    import csv

    import numpy as np

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise FileError(name, f"not UTF-8 text (byte {e.start + 1}); save it as UTF-8") from None
    rows = [
        (i + 1, r) for i, r in enumerate(csv.reader(io.StringIO(text))) if r and any(c.strip() for c in r)
    ]
    if not rows:
        raise FileError(name, "the file holds no numbers")
    columns: tuple[str, ...] = ()
    if not _numeric(rows[0][1][0]):
        columns = tuple(c.strip() for c in rows[0][1])
        rows = rows[1:]
    if not rows:
        raise FileError(name, "the file holds no numbers")
    width = len(columns) if columns else len(rows[0][1])
    if len(rows) * width > MAX_CELLS:
        raise FileError(name, f"more than {MAX_CELLS:,} numbers")
    for line, row in rows:
        if len(row) != width:
            raise FileError(name, f"{len(row)} values; the first row has {width}", line=line)
    try:
        return np.array([row for _, row in rows], dtype=np.float64), columns
    except ValueError:  # find the cell, to name it
        for line, row in rows:
            for c, cell in enumerate(row):
                if not _numeric(cell):
                    raise FileError(
                        name, f"column {c + 1}: '{cell.strip()[:20]}' is not a number", line=line
                    ) from None
        raise


def _numeric(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
