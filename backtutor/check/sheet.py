"""Reading answer sheets: the step ids students write (w5_new, ∂E/∂w5) and their numbers or formulas."""

from __future__ import annotations

import difflib
import functools
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path

from ..engine.expr import Call, Expr, Function, Sym, names
from ..engine.graph import Graph
from ..engine.ops import functions_in
from ..engine.parse import ParseError, parse
from ..problem import yamlfile
from ..problem.files import FileError, read_text
from ..solution import Solution, Step
from .matrix_answers import MatrixIds, elements, label, shape_text, written_shape
from .names import NameMap
from .places import Place

_NUMBER = re.compile(r"[-+]?(\d+)?(?:\.(\d*))?(?:[eE]([-+]?\d+))?")
_UPDATED = re.compile(r"(_new|_plus|'|\^\+|\^\{\+\}|_\+|\+)$")
_SUFFIX = re.compile(r"(.*?)((?:\[\d+\])?(?:@\d+)?)")
_GRADIENT = re.compile(r"d([^/]+)/d([^/]+)")
_OF_EXAMPLE = re.compile(r"(.+)\[([1-9]\d*)\]")  # f[2]: example 2's f


@dataclass(frozen=True, slots=True)
class Answer:
    id: str  # canonical step id
    written: str
    value: float | None = None  # a number answer
    unit: float = 0.0  # one unit in the last digit written
    formula: Expr | None = None  # a formula answer
    element: str = ""  # an element of a matrix answer, as the student wrote it: dE/dW1[1,2]
    unreadable: str = ""  # why the answer could not be read (it is graded as such, not the sheet refused)
    where: Place | None = None  # where it was written, when the sheet says


class SheetError(FileError):
    pass


# a sheet as `template` writes it and students fill it in: one `"id": number` (or `id: number`) a line,
# blanks and comments; anything else is read by the full YAML reader. Matched one line at a time.
_SHEET_LINE = re.compile(
    r'^(?:"([^"\\\n]*)"|([A-Za-z∂][^\s:"\'#,\[\]{}]*)):'
    r"(?: +([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|~|null))? *(?: #[^\n]*)?$"
    r"|^ *(?:#[^\n]*)?$",
    re.MULTILINE,
)


Row = tuple[int | None, str, object]  # (line, id as written, answer as written; None when blank)
_LINES: dict[str, tuple[str, ...]] = {}  # a line ↦ its (quoted id, plain id, value); () when not simple


def _simple_rows(text: str) -> list[Row] | None:
    """The sheet's answers read in one pass when every line is that simple; None otherwise."""
    if "\r" in text:
        return None
    rows: list[Row] = []
    keys: set[str] = set()
    for n, line in enumerate(text.split("\n"), 1):
        found = _LINES.get(line)  # a class writes many of the same lines
        if found is None:
            m = _SHEET_LINE.fullmatch(line)
            found = m.groups("") if m else ()
            if len(_LINES) < 100_000:
                _LINES[line] = found
        if not found:
            return None  # a line that is not that simple
        quoted, plain, value = found
        key = quoted or plain
        if key:
            if key in keys:
                return None  # an id twice: the YAML reader says what it makes of it
            keys.add(key)
            rows.append((n, key, None if value in ("", "~", "null") else value))
    return rows or None  # empty: the YAML reader says what it makes of it


class _Known:
    """A Solution's step ids and names, worked out once however many sheets are read."""

    def __init__(self, sol: Solution) -> None:
        self.sol = sol
        self.ids = {s.id for s in sol.steps}
        self._names: NameMap | None = None
        self._matrices: MatrixIds | None = None
        self._functions: dict[str, Function] | None = None
        self._steps: dict[str, Step] | None = None
        self.numbers: dict[tuple[str, str], Answer] = {}  # (id, number) as written → its Answer

    @property
    def names(self) -> NameMap:
        if self._names is None:
            self._names = NameMap(self.sol.graph.nodes)
        return self._names

    @property
    def functions(self) -> dict[str, Function]:
        """The functions the problem writes as formulas (its `functions:`, a formula activation), by
        name: an answer may call them, T1(net_h1), and their derivatives, T1′(net_h1)."""
        if self._functions is None:
            model = [n.expr for n in self.sol.graph.nodes.values() if n.expr is not None]
            found = [f for e in model for f in functions_in(e) if f.order == 0]
            self._functions = {f.name: f for f in found}
        return self._functions

    @functools.cached_property
    def updates(self) -> dict[str, list[str]]:
        """A step id without its `@t` ↦ the ids of the updates that work it, in order."""
        out: dict[str, list[str]] = {}
        for s in self.sol.steps:
            at = s.id.rfind("@")
            if at > 0:
                out.setdefault(s.id[:at], []).append(s.id)
        return out

    @functools.cached_property
    def varying(self) -> frozenset[str]:
        return per_example(self.sol.graph)

    def batch(self, step_id: str) -> tuple[int, bool]:
        """(examples in the step's update, is the step the batch's own: a sum over them)."""
        if self._steps is None:
            self._steps = {s.id: s for s in self.sol.steps}
        step = self._steps[step_id]
        n = len({w.example for w in self.sol.worked if w.update == step.update and w.example is not None})
        return n, step.example is None and n > 1

    @property
    def matrices(self) -> MatrixIds:
        if self._matrices is None:
            self._matrices = MatrixIds(self.sol, self.ids)
        return self._matrices


_KNOWN: dict[int, _Known] = {}


def _known(sol: Solution) -> _Known:
    k = _KNOWN.get(id(sol))
    if k is None or k.sol is not sol:
        _KNOWN.clear()  # one Solution at a time is what a batch needs
        k = _KNOWN[id(sol)] = _Known(sol)
    return k


def read_sheet(path: str | Path, sol: Solution) -> list[Answer]:
    """Answers in a sheet, keyed by canonical step id; blanks (`~`) are left out."""
    return parse_sheet(read_text(path), str(path), sol)


def parse_sheet(text: str, name: str, sol: Solution) -> list[Answer]:
    """`read_sheet` for a sheet's text already read; `name` is what its errors name."""
    rows = _simple_rows(text)
    lines: yamlfile.Lines = {}
    if rows is None:
        data, lines = yamlfile.parse(text, name, raw=True)
        if data is None:
            return []
        if not isinstance(data, dict):
            raise SheetError(name, "an answer sheet maps step ids to answers, e.g. 'dE/dw5: 0.0822'", 1)
        rows = [(lines.get((key,)), key, written) for key, written in data.items()]
    ids = _known(sol)
    known = ids.ids
    answers = []
    numbers = ids.numbers
    for line, key, written in rows:
        # keyed by the id as written: most of a sheet is found here
        where = Place(name, line) if line else None
        cached = numbers.get((key, written)) if isinstance(written, str) else None
        if cached is not None:
            answers.append(replace(cached, where=where))
            continue
        if isinstance(written, list):  # an element also answered as a scalar: both are graded
            answers += matrix_answer(name, key, written, ids, lines)
            continue
        step_id = key if key in known else canonical_id(str(key), known, sol.graph.loss, ids.names)
        if step_id is None:
            step_id, hint = _one_update(str(key), ids)
            if step_id is None:
                raise SheetError(name, f"no step with id {key!r}{hint}", line, key)
        if written is None or written == "":
            continue
        if not isinstance(written, str):
            answers.append(replace(_unreadable(step_id, written), where=where))
            continue
        try:
            answer = parse_answer(step_id, written, sol)
            if answer.formula is None and len(numbers) < 100_000:
                numbers[(key, written)] = answer
            answers.append(replace(answer, where=where))
        except ParseError as e:  # this answer, not the whole sheet: the others still get their verdicts
            answers.append(Answer(step_id, written, unreadable=str(e), where=where))
    return answers


def _one_update(key: str, known: _Known) -> tuple[str | None, str]:
    """The step a key without `@t` means when its quantity is in one update only; else None, and
    what to say: the ids with their `@t`, or the closest ids."""
    base = None if "@" in key else canonical_id(key, set(known.updates), known.sol.graph.loss, known.names)
    if base is None:
        close = difflib.get_close_matches(key, sorted(known.ids), n=3)
        return None, f"; closest: {', '.join(close)}" if close else ""
    ids = known.updates[base]
    if len(ids) == 1:
        return ids[0], ""
    listed = ", ".join(ids[:4]) + (", …" if len(ids) > 4 else "")
    return None, f"; it is worked in {len(ids)} updates, say which with @t: {listed}"


def _unreadable(step_id: str, written: object) -> Answer:
    """An answer that is not text (a mapping, a tagged `!!python/…` value): unreadable, not dropped."""
    if isinstance(written, yamlfile.Tagged):
        why = f"the tag {written.tag} is not allowed; write the number or formula alone"
        return Answer(step_id, f"!<{written.tag}> {written.value}".strip(), unreadable=why)
    return Answer(step_id, str(written), unreadable="expected a number or a formula")


def matrix_answer(
    name: str, key: str, written: list[object], known: _Known, lines: yamlfile.Lines
) -> list[Answer]:
    """A matrix or vector answer, one Answer per element (its scalar step), blanks left out."""
    ids, sol = known.matrices, known.sol
    found = canonical_id(key, set(ids.grids), sol.graph.loss, ids.names)
    line = yamlfile.line_of(lines, (key,))
    if found is None:
        listed = ", ".join(list(ids.grids)[:8])
        what = f"the matrix quantities are {listed}…" if listed else "this problem has no matrix quantities"
        raise SheetError(
            name, f"a list answers a matrix or vector quantity; {key!r} is none ({what})", line, key
        )
    grid, matrix = ids.grids[found]
    cells = elements(written, grid, matrix)
    if cells is None:
        expected = shape_text(grid, matrix)
        raise SheetError(name, f"{found} is {expected}, the answer is {written_shape(written)}", line, key)
    answers = []
    for i, j, x in cells:
        where = yamlfile.line_of(lines, (key, i, j) if matrix else (key, i))
        element = label(found, i, j, matrix)
        if x is None or x == "" or grid[i][j] is None:
            continue
        if not isinstance(x, str):
            raise SheetError(name, f"{element}: expected a number or a formula", where, key)
        try:
            answer = parse_answer(str(grid[i][j]), x, sol)
            answers.append(replace(answer, element=element, where=Place(name, where) if where else None))
        except ParseError as e:
            raise SheetError(name, f"{element}: {e}", where, key) from None
    return answers


def canonical_id(
    key: str, known: set[str], loss: str, names: NameMap | None = None, loss_aliases: bool = True
) -> str | None:
    """The step id a student meant: w5_new, w5' → w5+; dEtotal/dw5, ∂E/∂w5 → dE_total/dw5; with the
    problem's names, W1[1]⁺ → W1_1+ and ∂L/∂ŷ@2 → dL/dout_y_hat@2. Without `loss_aliases` the loss
    must be named as the problem names it (--only: dE/dw5 is not q4's dE_total/dw5)."""
    k = key.strip().replace(" ", "").replace("∂", "d").replace("⁺", "+").replace("′", "'")
    if k in known:
        return k
    m = _SUFFIX.fullmatch(k)
    splits = [(m.group(1), m.group(2))] if m else []
    at = k.rfind("@")
    splits += [(k[:at], k[at:])] if at > 0 else []
    for base, suffix in [*splits, (k, "")]:
        for candidate in _meant(base, loss, names, loss_aliases):
            if candidate + suffix in known:
                return candidate + suffix
    return None


def _meant(base: str, loss: str, names: NameMap | None, loss_aliases: bool = True) -> list[str]:
    """What a base id (no [k], no @t) may stand for, most literal first."""
    plus = _UPDATED.search(base) is not None
    base = _UPDATED.sub("", base)
    g = _GRADIENT.fullmatch(base)
    if g:
        of = loss if loss_aliases and g.group(1) in _loss_aliases(loss) else g.group(1)
        parts = [of, g.group(2)]
    else:
        parts = [base]
    out = ["/d".join(parts)]
    if names is not None:
        resolved = [p if p == loss else names.resolve(p) for p in parts]
        if all(resolved):
            out.append("/d".join(r for r in resolved if r))
    return [("d" + c if g else c) + ("+" if plus else "") for c in out]


def _loss_aliases(loss: str) -> set[str]:
    return {loss, loss.replace("_", ""), loss.split("_")[0], "E", "L", "J", "C", "Etotal", "E_total", "Loss"}


_NON_FINITE = {"inf": "inf", "+inf": "inf", "-inf": "-inf", ".inf": "inf", "-.inf": "-inf", "infinity": "inf",
               "-infinity": "-inf", "∞": "inf", "-∞": "-inf", "nan": "nan", ".nan": "nan"}  # fmt: skip


_DECIMAL_COMMA = re.compile(r"[-+]?\d+,\d+")


@functools.lru_cache(maxsize=8192)  # a class writes many of the same numbers
def _number(written: str) -> tuple[float, float] | None:
    """(value, one unit in its last written digit) of a number answer, else None. Never raises:
    1e400 is inf. A bare integer (0, 1, 12) and a 400-digit fraction have a unit of 0: the value is
    compared exactly (`w5+: 0` is not 0.3589 rounded to units)."""
    w = written.strip().replace("−", "-")
    if _DECIMAL_COMMA.fullmatch(w):  # 0,3775: the decimal comma of most of Europe
        w = w.replace(",", ".")
    if w.lower() in _NON_FINITE:
        return float(_NON_FINITE[w.lower()]), 0.0
    if "^" in w:
        w = w.replace("×10^", "e").replace("*10^", "e")
    m = _NUMBER.fullmatch(w)
    if not m or not (m.group(1) or m.group(2)):
        return None
    decimals = len(m.group(2) or "")
    exponent = m.group(3) or "0"
    power = int(exponent) if len(exponent) <= 6 else (10**6 if exponent[0] != "-" else -(10**6))
    dotted = "." in w or m.group(3) is not None
    return float(w), _power_of_ten(power - decimals) if dotted else 0.0


def _power_of_ten(k: int) -> float:
    """10**k as a float, 0 or inf past the float range instead of an OverflowError."""
    return 0.0 if k < -330 else math.inf if k > 310 else 10.0**k


def parse_answer(step_id: str, written: str, sol: Solution) -> Answer:
    """A number (with the unit of its last digit) or a formula in the problem's names."""
    number = _number(written)
    if number is not None:
        return Answer(step_id, written, *number)
    known = _known(sol)
    n, summed = known.batch(step_id)
    formula = parse(written, known.functions, n if summed else None)
    formula = known.names.rename(_of_examples(formula, known.varying, n, written) if n > 1 else formula)
    unknown = [n for n in names(formula) if n not in sol.graph.nodes]
    if unknown:
        close = difflib.get_close_matches(unknown[0], list(sol.graph.nodes), n=2)
        hint = f" (did you mean {' or '.join(close)}?)" if close else ""
        raise ParseError(f"unknown name {unknown[0]!r}{hint}", written, 1)
    unmarked = (
        next((x for x in _names_of_no_example(formula) if x in known.varying), None) if summed else None
    )
    if unmarked:
        message = (
            f"{unmarked} differs from example to example: {unmarked}[n] inside sum_n(…), or {unmarked}[1]"
        )
        raise ParseError(message, written, 1)
    return Answer(step_id, written, formula=formula)


def per_example(graph: Graph) -> frozenset[str]:
    """The names whose value differs from example to example: all but the parameters."""
    return frozenset(n.name for n in graph.nodes.values() if n.kind != "param")


def _of_examples(e: Expr, varying: frozenset[str], n: int, written: str) -> Expr:
    """The formula with one example's names, written f[2], as that example's (Sym f of example 2)."""
    if isinstance(e, Sym):
        m = _OF_EXAMPLE.fullmatch(e.name)
        if not m or m.group(1) not in varying:
            return e
        if int(m.group(2)) > n:
            raise ParseError(f"{e.name}: the batch's examples are 1 to {n}", written, 1)
        return Sym(m.group(1), int(m.group(2)))
    if isinstance(e, Call):
        return Call(e.op, tuple(_of_examples(a, varying, n, written) for a in e.args), e.param)
    return e


def _names_of_no_example(e: Expr) -> list[str]:
    """The names a formula uses without saying whose example."""
    if isinstance(e, Sym):
        return [] if e.example is not None else [e.name]
    return [x for a in e.args for x in _names_of_no_example(a)] if isinstance(e, Call) else []
