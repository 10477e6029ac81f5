"""A problem file's `variants:` section read and checked, and one student's numbers drawn from it.

A path names one number of the file as errors name it: `parameters.w1`, `data[0].x1`,
`training.learning_rate`, `network[0].W[1][0]`; a bare name (`w1`) is `parameters.w1`. Each student's
draws come from NumPy's default_rng seeded with the SHA-256 of "<seed>:<student id>" (its first 16
bytes as an integer), one draw per `vary` entry in the order written, then again for each retry, so
the same seed and id always give the same variant (docs/guide/variants.md).
"""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..text import yaml_dump
from . import yamlfile
from .fields import number
from .files import FileError
from .load import load_data
from .sources import Source, read_source
from .variants_schema import RangeFile, VariantsFile
from .yamlfile import Lines

if TYPE_CHECKING:
    import numpy as np

_PART = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")


@dataclass(frozen=True)
class Choices:
    values: tuple[Fraction, ...]

    def count(self) -> int:
        return len(self.values)

    def value(self, k: int) -> Fraction:
        return self.values[k]


Values = Choices | RangeFile


@dataclass(frozen=True)
class Base:
    """A problem file with a `variants:` section, checked: the file's data without that section,
    the lines of its keys, and each number that varies with the values it may take."""

    path: str
    raw: dict[str, Any]
    lines: Lines
    spec: VariantsFile
    vary: tuple[tuple[tuple[str | int, ...], Values], ...]


def read_base(source: Source) -> Base:
    """Read and check a problem file (or YAML text, or a dict) with variants; FileError naming file,
    field and line."""
    name, raw, lines = read_source(source)
    load_data(name, raw, lines)  # the file as written must be a valid problem first
    spec = (
        VariantsFile.model_validate(raw["variants"]) if isinstance(raw, dict) and "variants" in raw else None
    )
    if spec is None:
        raise FileError(
            name,
            "no 'variants' section: add one saying which numbers may change (see docs/guide/variants.md)",
            1,
        )
    data = {k: v for k, v in raw.items() if k != "variants"}
    vary: list[tuple[tuple[str | int, ...], Values]] = []
    for key, given in spec.vary.items():
        loc = ("variants", "vary", key)
        where = _path(name, lines, loc, key, data)
        if any(where == w for w, _ in vary):
            raise FileError(
                name,
                f"{key!r} names a number already varied above",
                yamlfile.line_of(lines, loc),
                _field(loc),
            )
        vary.append((where, _values(name, lines, loc, given)))
    return Base(name, data, lines, spec, tuple(vary))


def seed_for(base: Base, seed: int | None) -> int:
    """--seed, else the file's variants.seed; the same seed must make and grade the variants."""
    if seed is not None:
        return seed
    if base.spec.seed is None:
        raise FileError(
            base.path, "give --seed S (or variants.seed in the file): variants are made from a seed"
        )
    return base.spec.seed


def rng_for(seed: int, student_id: str) -> np.random.Generator:
    """The student's own random numbers: the same seed and id give the same draws, on any machine."""
    import numpy as np

    digest = hashlib.sha256(f"{seed}:{student_id}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:16], "big"))


def draw(base: Base, rng: np.random.Generator) -> dict[str, Any]:
    """One draw: the file's data with every varied number replaced."""
    raw = copy.deepcopy(base.raw)
    for where, values in base.vary:
        value = values.value(int(rng.integers(values.count())))
        holder: Any = raw
        for part in where[:-1]:
            holder = holder[part]
        holder[where[-1]] = int(value) if value.denominator == 1 else float(value)
    return raw


def variant_text(raw: dict[str, Any], header: str) -> str:
    """A variant as a problem file: a comment header, then the data (the file's comments are not kept:
    they may quote the original numbers)."""
    comment = "".join(f"# {line}\n" for line in header.splitlines())
    body = yaml_dump(raw, sort_keys=False, default_flow_style=None, width=100)  # a title shown as written
    return comment + body


def drawn(base: Base, raw: dict[str, Any]) -> dict[str, Any]:
    """The varied numbers of a draw, by path as written in `vary`."""
    out: dict[str, Any] = {}
    for key, (where, _) in zip(base.spec.vary, base.vary, strict=True):
        holder: Any = raw
        for part in where:
            holder = holder[part]
        out[key] = holder
    return out


def _path(
    name: str, lines: Lines, loc: tuple[str, ...], key: str, data: dict[str, Any]
) -> tuple[str | int, ...]:
    """Where a `vary` key points in the file's data; it must hold a number."""

    def fail(message: str) -> FileError:
        return FileError(name, message, yamlfile.line_of(lines, loc), _field(loc))

    parts = _parts(key)
    if parts is None:
        raise fail("cannot read this path; write it as parameters.w1, data[0].x1 or training.learning_rate")
    if len(parts) == 1 and isinstance(parts[0], str) and parts[0] not in data:
        parts = ("parameters", parts[0])  # a bare name is a parameter
    holder: Any = data
    for i, part in enumerate(parts):
        inside = (
            holder
            if isinstance(holder, dict)
            else dict(enumerate(holder))
            if isinstance(holder, list)
            else {}
        )
        if part not in inside or isinstance(part, int) != isinstance(holder, list):
            known = f" (it has {', '.join(map(str, holder))})" if isinstance(holder, dict) and holder else ""
            raise fail(f"{yamlfile.field_name(parts[:i]) or 'the file'} has no {part!r}{known}")
        holder = inside[part]
    try:
        number(holder)
    except ValueError:
        raise fail(f"{yamlfile.field_name(parts)} is {holder!r}, not a number; only numbers vary") from None
    return parts


def _parts(key: str) -> tuple[str | int, ...] | None:
    parts: list[str | int] = []
    at = 0
    while at < len(key):
        m = _PART.match(key, at)
        if m is None or (at == 0 and key.startswith(".")):
            return None
        parts.append(m.group(1) if m.group(1) is not None else int(m.group(2)))
        at = m.end()
    return tuple(parts) or None


def _values(name: str, lines: Lines, loc: tuple[str, ...], given: Any) -> Values:
    """A list of choices or a range, each error at its own line."""
    line = yamlfile.line_of(lines, loc)
    if isinstance(given, list) and given:
        out = []
        for i, v in enumerate(given):
            try:
                out.append(number(v))
            except ValueError as e:
                raise FileError(name, str(e), yamlfile.line_of(lines, (*loc, i)), _field((*loc, i))) from None
        return Choices(tuple(out))
    if not isinstance(given, dict):
        raise FileError(
            name,
            "expected a list of choices ([0.1, 0.5]) or a range ({from: -1, to: 1, step: 0.25})",
            line,
            _field(loc),
        )
    try:
        return RangeFile.model_validate(given)
    except ValidationError as e:
        err = e.errors()[0]
        where = (*loc, *err["loc"])
        message = (
            f"unknown key '{err['loc'][-1]}' (a range has from, to, step, integer)"
            if err["type"] == "extra_forbidden"
            else err["msg"].removeprefix("Value error, ")
        )
        shown = where if err["type"] != "extra_forbidden" else loc
        raise FileError(name, message, yamlfile.line_of(lines, where), _field(shown)) from None


def _field(loc: tuple[Any, ...]) -> str:
    return yamlfile.field_name(loc)
