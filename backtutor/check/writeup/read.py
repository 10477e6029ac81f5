"""Reading a free-text write-up into located Answers, and every line with a number not graded.

A file is read through the one reader (problem/files.py), cut into pieces (blocks.py), each piece's
maths made plain (latex.py) and read as equations (equations.py), the quantity on the left resolved
to a step (resolve.py). Which update a quantity belongs to: the one a heading or label says (`Update
2`, `Example 2`, `after (x², y²)`), else the k-th time it is given belongs to the k-th update that has it.
A factor's value read from a product (`= 0.7414 × 0.1868 × 0.5933`) answers that factor when the
write-up gives it nowhere else, in the same update as the product."""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from ...engine.parse import ParseError
from ...problem.files import FileError, read_text
from ...solution import Solution
from ..places import Place, Unmatched
from ..sheet import Answer, SheetError, _known, _number, matrix_answer, parse_answer
from .blocks import Chunk, pieces
from .equations import Equation, equations, factors, has_number, is_derivative_product, number, operands
from .latex import plain
from .records import WRITEUP_KINDS, Writeup
from .resolve import Resolved, Resolver

_GIVE = "a .md, .tex, .txt or .ipynb file"
_WORDS = r"example|update|epoch|iteration|sample|data\s*point|pattern"
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5}
_SUPERSCRIPTS = str.maketrans("¹²³⁴⁵⁶⁷⁸⁹", "123456789")
_LABEL = re.compile(
    rf"\b(?:{_WORDS})\s*(?:#|no\.?\s*)?(\d+)\b"
    rf"|\b(first|second|third|fourth|fifth)\s+(?:{_WORDS})\b"
    r"|\bafter\s*\(\s*x\s*\^?\s*\{?\s*[\[(]?\s*([1-9¹²³⁴⁵⁶⁷⁸⁹])",
    re.I,
)
_LETTER = re.compile(r"[^\W\d_]")
_MATRIX = re.compile(r"⟦(\d+)⟧")
_DECIMAL = re.compile(r"\d[.,]\d")
_VALUE = re.compile(r"\s*[-+]?\s*\d")  # a side that begins as a number


def read_writeup(path: str | Path, sol: Solution) -> Writeup:
    """A Markdown, LaTeX, plain-text or notebook write-up (by its suffix), read."""
    name = str(path)
    kind = WRITEUP_KINDS.get(Path(name).suffix.lower())
    if kind is None:
        raise SheetError(name, f"not a write-up; give {_GIVE}")
    try:
        text = read_text(path, give=_GIVE)
    except SheetError:
        raise
    except FileError as e:
        raise SheetError(e.path, str(e).removeprefix(f"{e.path}: "), e.line) from None
    return parse_writeup(text, name, kind, sol)


def parse_writeup(text: str, file: str, kind: str, sol: Solution) -> Writeup:
    """A write-up's text read; `kind` is markdown, latex, text or notebook (its JSON text)."""
    if "\x00" in text:
        raise SheetError(file, "not a text file (it holds NUL bytes); give " + _GIVE)
    reading = _Reading(file, sol)
    if kind == "notebook":
        from .notebook import cells

        document = []
        for number, (cell_kind, cell_text, skipped) in enumerate(cells(text, file), 1):
            document.append(cell_text)
            read = "\n".join(cell_text.split("\n")[skipped:])
            for piece in pieces(read, cell_kind):
                reading.piece(replace(piece, line=piece.line + skipped), number)
        answers, unmatched = reading.done()
        return Writeup(file, kind, "\n".join(document), answers, unmatched, tuple(document))
    for piece in pieces(text, kind):
        reading.piece(piece, None)
    return Writeup(file, kind, text, *reading.done())


_RESOLVERS: dict[int, Resolver] = {}


def _resolver(sol: Solution) -> Resolver:
    """The Solution's Resolver, built once however many write-ups are read (one Solution at a time)."""
    r = _RESOLVERS.get(id(sol))
    if r is None or r.sol is not sol:
        _RESOLVERS.clear()
        r = _RESOLVERS[id(sol)] = Resolver(sol, _known(sol).matrices)
    return r


@dataclass(frozen=True, slots=True)
class _Factor:
    base: str
    written: str
    where: Place
    of: str  # the id of the answer whose product it is in


class _Reading:
    """One write-up's reading, piece by piece in document order."""

    def __init__(self, file: str, sol: Solution) -> None:
        self.file, self.sol = file, sol
        self.resolver = _resolver(sol)
        self.answers: list[Answer] = []
        self.unmatched: list[Unmatched] = []
        self.factors: list[_Factor] = []
        self.label: int | None = None
        self.times: Counter[tuple[str, bool]] = Counter()  # (base, is a formula) ↦ times given
        self.symbolic: dict[str, str] = {}  # base ↦ its last symbolic side, for numbers given later

    def done(self) -> tuple[tuple[Answer, ...], tuple[Unmatched, ...]]:
        given = {a.id for a in self.answers if a.value is not None}
        for f in self.factors:
            ids = self.resolver.ids[f.base]
            step_id = ids[0] if len(ids) == 1 else next((i for i in ids if _suffix(i) == _suffix(f.of)), None)
            if step_id is not None and step_id not in given:
                given.add(step_id)
                self.answers.append(_number_answer(step_id, f.written, f.where))
        return tuple(self.answers), tuple(self.unmatched)

    def piece(self, piece: Chunk, cell: int | None) -> None:
        where = Place(self.file, piece.line, cell)
        label = _label(piece.text)
        if label is not None and (piece.heading or "=" not in piece.text or _starts_with(piece.text, label)):
            self.label = label
        if piece.heading:
            return
        found = _equations(piece.maths)
        if not found and label is None and has_number(piece.maths):
            self.unread(where, piece.text, "not recognised")
        for eq in found:
            self.equation(eq, where, piece)

    def unread(self, where: Place, text: str, why: str, candidates: tuple[str, ...] = ()) -> None:
        self.unmatched.append(Unmatched(where, text.strip(), why, candidates))

    def equation(self, eq: Equation, where: Place, piece: Chunk) -> None:
        last = eq.sides[-1]
        matrix = _MATRIX.fullmatch(last)
        if matrix:
            self.matrix(eq.lhs, piece.matrices[int(matrix.group(1))], where, piece.text)
            return
        if not _LETTER.search(eq.lhs):
            if has_number(eq.lhs):
                self.unread(where, piece.text, "could not read")
            return
        r = self.resolve(eq.lhs)
        if r.given:
            return
        if r.base is None:
            if r.candidates:
                self.unread(where, piece.text, "ambiguous", r.candidates)
            elif has_number(piece.maths):
                self.unread(where, piece.text, "not recognised")
            return
        written = number(last)
        if written is not None:
            step_id = self.step(r.base, False)
            if step_id is None:
                self.unread(where, piece.text, "ambiguous", tuple(self.resolver.ids[r.base]))
                return
            self.answers.append(_number_answer(step_id, written, where))
            self.products(r.base, step_id, eq, where)
        elif is_derivative_product(last):  # the chain rule: its factors pair with numbers given later
            self.symbolic[r.base] = last
        else:
            if self.all_named(last):
                self.symbolic[r.base] = last
            self.formula(r.base, last, where, piece)

    def resolve(self, lhs: str) -> Resolved:
        """The left-hand side's quantity; failing that, its last word's (`so w5+ = …`)."""
        r = self.resolver.resolve(lhs)
        words = re.split(r"[\s:]+", lhs.strip())
        if r.base is None and not r.candidates and not r.given and len(words) > 1:
            return self.resolver.resolve(words[-1])
        return r

    def step(self, base: str, formula: bool, ids: list[str] | None = None) -> str | None:
        """The step id of the quantity's occurrence: the labelled update's, else the k-th."""
        ids = ids or self.resolver.ids[base]
        if len(ids) == 1:
            return ids[0]
        if self.label is not None:
            for mark in (f"@{self.label}", f"[{self.label}]"):
                labelled = [i for i in ids if mark in i]
                if len(labelled) == 1:
                    return labelled[0]
        self.times[(base, formula)] += 1
        k = self.times[(base, formula)]
        return ids[k - 1] if k <= len(ids) else None

    def products(self, base: str, step_id: str, eq: Equation, where: Place) -> None:
        """The factors' values of a product of named factors given with its numbers."""
        sides = [*eq.sides[:-1]]
        symbolic = [s for s in sides if number(s) is None and operands(s) is not None]
        if not any(is_derivative_product(s) or self.all_named(s) for s in symbolic) and base in self.symbolic:
            symbolic.insert(0, self.symbolic[base])
        for s in symbolic:
            for numeric in sides:
                for name, value in factors(s, numeric):
                    r = self.resolver.resolve(name)
                    if r.base is not None and r.base != base:
                        self.factors.append(_Factor(r.base, value, where, step_id))

    def all_named(self, side: str) -> bool:
        """A side made of the problem's names only (no numbers): a formula or a chain to pair."""
        found = operands(side)
        if found is None or not found[0]:
            return False
        return all(_LETTER.match(x) and self.resolver.resolve(x).base for x in found[0])

    def formula(self, base: str, side: str, where: Place, piece: Chunk) -> None:
        step_id = self.step(base, True)
        if step_id is None:
            self.unread(where, piece.text, "ambiguous", tuple(self.resolver.ids[base]))
            return
        try:
            self.answers.append(replace(parse_answer(step_id, side, self.sol), where=where))
        except ParseError:  # a definition (Σ ½(target − output)²) unless it is a value misread
            if _VALUE.match(side) or _DECIMAL.search(side):
                self.unread(where, piece.text, "could not read")

    def matrix(self, lhs: str, cells: list[list[str]], where: Place, text: str) -> None:
        """A bmatrix or pmatrix answering a quantity of the matrix view."""
        base = self.resolver.matrix(lhs)
        if base is None:
            self.unread(where, text, "not recognised")
            return
        ids = self.resolver.matrices[base]
        step_id = self.step(base, False, ids)
        if step_id is None:
            self.unread(where, text, "ambiguous", tuple(ids))
            return
        written: list[object] = [[number(plain(c)) or plain(c) for c in row] for row in cells]
        try:
            found = matrix_answer(self.file, step_id, written, _known(self.sol), {})
        except SheetError:
            self.unread(where, text, "could not read")
            return
        self.answers += [replace(a, where=where) for a in found]


def _number_answer(step_id: str, written: str, where: Place) -> Answer:
    value, unit = _number(written) or (math.nan, 0.0)  # `written` was read as a number already
    return Answer(step_id, written, value, unit, where=where)


def _suffix(step_id: str) -> str:
    return step_id[len(re.sub(r"(?:\[\d+\])?(?:@\d+)?$", "", step_id)) :]


@functools.lru_cache(maxsize=16384)  # a class writes many of the same equations
def _equations(maths: str) -> tuple[Equation, ...]:
    return tuple(equations(plain(maths))) if maths else ()


def _label(text: str) -> int | None:
    """The update or example a heading or label names: `Update 2`, `second example`, `after (x², y²)`."""
    m = _LABEL.search(text)
    if m is None:
        return None
    if m.group(1):
        return int(m.group(1))
    if m.group(2):
        return _ORDINALS[m.group(2).lower()]
    return int(m.group(3).translate(_SUPERSCRIPTS))


def _starts_with(text: str, label: int) -> bool:
    """A label that begins the line (`Update 2: w5+ = …`)."""
    m = _LABEL.search(text)
    return m is not None and not _LETTER.search(re.sub(r"[#*>\-\s]", "", text[: m.start()]))
