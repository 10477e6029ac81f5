"""Grading a CNN table: each answer right (in either channel order), carried forward from the
student's own earlier numbers, or wrong with the slip named when one reproduces it.

Carried forward as for backprop: each layer is worked again from the student's own previous output
(their pool1 gives conv2's size), a dense layer's counts from their own flatten size, a block's and
the network's totals from their own per-layer counts (check/cnn/work.py). A wrong number that does
not follow from their own numbers is tried against the slip table (check/slips/shapes.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

from ...cnn.sizes import product, shape_text
from ...cnn.steps import TOTAL, ShapeStep, Value, shape_steps
from ...cnn.table import Row, ShapeTable
from ...problem.files import FileError
from ..places import Unmatched
from ..slips.shapes import SLIPS, LayerFacts
from ..verdicts import Report, Verdict
from .answers import Dims, ShapeAnswer
from .sheet import ShapeIds, read_shape_sheet
from .table import TABLE_SUFFIXES, read_table_sheet
from .work import work

CHANNELS = {"C×H×W": "channels first", "H×W×C": "channels last"}


@dataclass(frozen=True)
class ShapeKey:
    """What a report shows of the architecture: its file, its title and the answers it asks."""

    path: str
    title: str
    steps: tuple[ShapeStep, ...]


Candidate = Value | tuple[int | Fraction, ...]  # a value, or a slip's (a size may be 27/2)


def readings(step: ShapeStep, value: Candidate) -> list[tuple[str, tuple[object, ...]]]:
    """The ways the value may be written, each with the convention it follows."""
    if not isinstance(value, tuple):
        return [("", (value,))]
    if step.quantity == "output" and len(value) == 3:
        square = [("H = W", (value[1],))] if value[1] == value[2] else []  # the size formula's result
        return [("C×H×W", value), ("H×W×C", (value[1], value[2], value[0])), *square]
    if step.quantity == "weights" and len(value) == 4:
        return [("C_out×C_in×F×F", value), ("F×F×C_in×C_out", (value[2], value[3], value[1], value[0]))]
    if step.quantity == "weights" and len(value) == 2:
        return [("n_out×n_in", value), ("n_in×n_out", (value[1], value[0]))]
    return [("", value)]


def matches(step: ShapeStep, value: Candidate | None, dims: Dims) -> str | None:
    """The convention under which `dims` is `value` ("" when there is only one), else None."""
    if value is None:
        return None
    found = [name for name, v in readings(step, value) if tuple(v) == dims]
    if not found:
        return None
    return "" if len(set(map(tuple, (v for _, v in readings(step, value))))) == 1 else found[0]


def shown(step: ShapeStep, dims: Dims | None) -> str:
    """The expected value as the student writes it: the reading closest to their numbers (8×8×50
    for 7×7×50, 800×500 for 450×500, 8 for a single 7)."""
    if dims is None or not isinstance(step.value, tuple):
        return step.expected
    same = [v for _, v in readings(step, step.value) if len(v) == len(dims)]
    if not same:
        return step.expected
    closest = max(same, key=lambda v: sum(x == y for x, y in zip(v, dims, strict=True)))
    return shape_text(tuple(int(str(x)) for x in closest))


class ShapeChecker:
    """Grades sheets against one architecture's table (worked once, however many sheets)."""

    def __init__(self, table: ShapeTable, path: str) -> None:
        self.table = table
        self.steps = shape_steps(table)
        self.key = ShapeKey(path, table.title, self.steps)
        self.ids = ShapeIds(self.steps)
        self.index = {s.id: s for s in self.steps}
        self.order = {s.id: i for i, s in enumerate(self.steps)}
        self.rows = [r for r in table.rows if r.role != "branch"]
        self.blocks = _blocks(table.rows)
        self.by_layer: dict[str, list[ShapeStep]] = {}
        for s in self.steps:
            self.by_layer.setdefault(s.layer, []).append(s)

    def read_and_grade(self, path: Path) -> Report:
        """A sheet's report: YAML, or a Markdown or plain-text table (check/cnn/table.py)."""
        suffix = path.suffix.lower()
        if suffix in TABLE_SUFFIXES:
            answers, unmatched = read_table_sheet(path, self.ids)
            return self.grade(answers, str(path), unmatched)
        if suffix not in (".yaml", ".yml"):
            raise FileError(str(path), "a CNN table is read from YAML (template's sheet) or a Markdown table")
        return self.grade(read_shape_sheet(path, self.ids), str(path))

    def grade(
        self, answers: Sequence[ShapeAnswer], sheet: str = "", unmatched: tuple[Unmatched, ...] = ()
    ) -> Report:
        given: dict[str, list[ShapeAnswer]] = {}
        for a in answers:  # a free-text sheet may give one twice: the first is worked on
            given.setdefault(a.id, []).append(a)
        run = _SheetWork(self, given)
        for row in self.rows:
            run.row(row)
        run.totals()
        ordered = sorted(range(len(answers)), key=lambda k: self.order[answers[k].id])
        verdicts = tuple(run.each[answers[k]] for k in ordered)
        first = next((v for v in verdicts if v.status == "wrong"), None)
        return Report(sheet, verdicts, first, unmatched=unmatched)


def _blocks(rows: Sequence[Row]) -> dict[str, list[Row]]:
    """Each branches block's own layers (those inside its branches, at any depth)."""
    out: dict[str, list[Row]] = {}
    for i, row in enumerate(rows):
        if row.role == "block":
            inside = []
            for r in reversed(rows[:i]):
                if len(r.branch) <= len(row.branch):
                    break
                if r.role == "layer":
                    inside.append(r)
            out[row.name] = inside[::-1]
    return out


class _SheetWork:
    """One sheet worked through: the student's state (their numbers where given, the rest worked
    from them) and the verdicts so far."""

    def __init__(self, checker: ShapeChecker, given: Mapping[str, list[ShapeAnswer]]) -> None:
        self.c, self.given = checker, given
        self.outputs: dict[str, tuple[int, ...]] = {"": tuple(checker.table.input)}
        self.counts: dict[str, int] = {}
        self.verdicts: dict[str, Verdict] = {}  # each answered step's (its first answer's)
        self.each: dict[ShapeAnswer, Verdict] = {}  # every answer's
        self.deps: dict[str, list[str]] = {}
        self.slipped: dict[str, ShapeAnswer] = {}  # slip ↦ the answer it first showed in
        self.order = "H×W×C"  # the sheet's channel order, as its answers show it

    def row(self, row: Row) -> None:
        ids = {q: f"{row.name}.{q}" for q in ("output", "params", "mult_adds", "in_features")}
        if row.role == "block":
            shape_in = self._joined(row)
            inside = self.c.blocks[row.name]
            fy: dict[str, Value] | None = {
                "output": shape_in,
                "params": sum(self.counts.get(f"{r.name}.params", r.params) for r in inside),
                "mult_adds": sum(self.counts.get(f"{r.name}.mult_adds", r.mult_adds) for r in inside),
            }
            self.deps[ids["output"]] = [f"{j}.output" for j in row.joins if j]
            self.deps[ids["params"]] = [f"{r.name}.params" for r in inside]
            self.deps[ids["mult_adds"]] = [f"{r.name}.mult_adds" for r in inside]
            facts = LayerFacts(row, shape_in)
        else:
            shape_in = self.outputs.get(row.after, row.input)
            dense = row.kind == "dense"
            features = (self._count(ids["in_features"]) or product(shape_in)) if dense else 0
            fy = work(row, (features,) if dense else shape_in, self._shape(ids["output"], row))
            if fy is not None and dense:
                fy["in_features"] = product(shape_in)
            self._depends(row)
            earlier = {k or "input": v for k, v in self.outputs.items() if k != row.after}
            facts = LayerFacts(row, shape_in, features, earlier)
        for step in self.c.by_layer[row.name]:
            self._judge(step, None if fy is None else fy.get(step.quantity), facts)
        worked = fy["output"] if fy and isinstance(fy["output"], tuple) else row.output
        self.outputs[row.name] = self._shape(ids["output"], row) or worked
        for q in ("params", "mult_adds"):
            count = self._count(ids[q])
            found = fy.get(q) if fy else None
            worked_count = found if isinstance(found, int) else getattr(row, q)
            self.counts[ids[q]] = count if count is not None else worked_count

    def _depends(self, row: Row) -> None:
        """What each answer of a layer rests on: its input (a dense layer's through its input
        features); a conv's multiply-adds also on its own output; counts of a layer without
        parameters on nothing."""
        base = [f"{row.after}.output"] if row.after else []
        inputs = [f"{row.name}.in_features"] if row.kind == "dense" else base
        for q in ("output", "weights", "params", "mult_adds"):
            self.deps[f"{row.name}.{q}"] = inputs
        self.deps[f"{row.name}.in_features"] = base
        if row.kind == "conv":
            self.deps[f"{row.name}.mult_adds"] = [*base, f"{row.name}.output"]
        if row.kind not in ("conv", "dense", "batchnorm"):
            self.deps[f"{row.name}.params"] = []

    def totals(self) -> None:
        layers = [r for r in self.c.rows if r.role == "layer"]
        for q in ("params", "mult_adds"):
            sid = f"{TOTAL}.{q}"
            self.deps[sid] = [f"{r.name}.{q}" for r in layers]
            value = sum(self.counts.get(f"{r.name}.{q}", 0) for r in layers)
            self._judge(self.c.index[sid], value, None)

    def _joined(self, block: Row) -> tuple[int, ...]:
        """A block's output from the student's own branch outputs, concatenated along the channels."""
        outs = [self.outputs.get(j, block.input) for j in block.joins]
        if any(len(o) != 3 for o in outs) or len({o[1:] for o in outs}) != 1:
            return block.output
        return (sum(o[0] for o in outs), *outs[0][1:])

    def _dims(self, sid: str) -> Dims | None:
        a = self.given.get(sid, [None])[0]
        if a is None or a.dims is None or any(d.denominator != 1 for d in a.dims):
            return None
        return a.dims

    def _count(self, sid: str) -> int | None:
        dims = self._dims(sid)
        return int(dims[0]) if dims is not None and len(dims) == 1 else None

    def _shape(self, sid: str, row: Row) -> tuple[int, ...] | None:
        """The student's output of a row, channels first, when they give one that can be read so."""
        dims = self._dims(sid)
        if dims is not None and len(dims) == 1 and len(row.output) == 3:  # H = W only: the size formula
            return (row.output[0], int(dims[0]), int(dims[0]))
        if dims is None or len(dims) != len(row.output):
            return None
        d = tuple(int(x) for x in dims)
        if len(d) != 3:
            return d
        return d if self._order(d, row.output[0]) == "C×H×W" else (d[2], d[0], d[1])

    def _order(self, dims: Sequence[object], channels: int) -> str:
        """The channel order of a C×H×W or H×W×C answer: the end that has the layer's channel count
        when only one does, else the sheet's."""
        fits = [o for o, c in (("C×H×W", dims[0]), ("H×W×C", dims[-1])) if c == channels]
        return fits[0] if len(fits) == 1 else self.order

    def _judge(self, step: ShapeStep, from_yours: Value | None, facts: LayerFacts | None) -> None:
        for a in self.given.get(step.id, ()):
            self.each[a] = self._verdict(step, a, from_yours, facts)
            self.verdicts.setdefault(step.id, self.each[a])

    def _verdict(
        self, step: ShapeStep, a: ShapeAnswer, from_yours: Value | None, facts: LayerFacts | None
    ) -> Verdict:
        expected = shown(step, a.dims)

        def verdict(status: str, explanation: str = "", slip: str = "", source: str = "") -> Verdict:
            return Verdict(step.id, a.written, expected, status, explanation, slip, source, where=a.where)

        if a.dims is None:
            return verdict("undecided", f"could not read this answer: {a.unreadable}")
        order = matches(step, step.value, a.dims)
        if order is not None:
            if order in CHANNELS:
                self.order = order
            said = f"read as {order}" + (f" ({CHANNELS[order]})" if order in CHANNELS else "")
            return verdict("right", said if order else "")
        source = self._source(step.id)
        mine = matches(step, from_yours, a.dims)
        if mine is not None:
            if not source:
                return verdict("right", "right from your own numbers")
            return verdict(
                "carried", f"method right; carried forward from the error in {source}", source=source
            )
        found = self._slips(step, a.dims, from_yours, facts)
        if len(found) == 1:
            ((name, said),) = found.items()
            first = self.slipped.setdefault(name, a)
            if first is a:
                return verdict("wrong", said, name)
            same = first.where is not None and first.id == a.id  # the same step given twice
            again = f"as on line {first.where.line}" if first.where and same else f"as in {first.id}"
            return replace(verdict("wrong", f"{said} (again, {again})", name), again=first.id)
        if found:
            each = tuple(found.values())
            v = verdict("wrong", f"one of {len(found)} slips that give this number: " + "; or ".join(each))
            return replace(v, confidence="several", candidates=tuple(found), told=each)
        yours = _text(from_yours)
        if yours and yours != step.expected:
            return verdict("wrong", f"from your own numbers it is {yours}")
        verb = "is" if step.quantity in ("output", "weights") else "are"  # a shape; counts are plural
        return verdict("wrong", f"the {step.what} {verb} {step.expected}")

    def _slips(
        self, step: ShapeStep, dims: Dims, from_yours: Value | None, facts: LayerFacts | None
    ) -> dict[str, str]:
        """Each slip whose rule, where it changes the working, gives the student's number."""
        found: dict[str, str] = {}
        if facts is None:
            return found
        for slip in SLIPS:
            for value, fields in slip.rule(facts, step.quantity):
                if value != from_yours and matches(step, value, dims) is not None:
                    found[slip.name] = slip.told(fields)
                    break
        return found

    def _source(self, sid: str) -> str:
        """The earliest wrong answer this one rests on, directly or through unanswered steps."""
        sources: set[str] = set()
        stack, seen = list(self.deps.get(sid, ())), set()
        while stack:
            d = stack.pop()
            if d in seen:
                continue
            seen.add(d)
            v = self.verdicts.get(d)
            if v is not None and v.status in ("wrong", "carried"):
                sources.add(v.source or d)
            elif v is None:
                stack.extend(self.deps.get(d, ()))
        return min(sources, key=lambda i: self.c.order.get(i, -1), default="")


def _text(value: Value | None) -> str:
    if value is None:
        return ""
    return shape_text(value) if isinstance(value, tuple) else f"{value:,}"
