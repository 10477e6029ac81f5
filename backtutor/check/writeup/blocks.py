"""A write-up's text → the pieces equations may be in, each located: a line of Markdown, LaTeX or plain
text (its list bullet, table bars and emphasis taken off), an inline `$…$` or `\\(…\\)`, a row of a
display block (`$$…$$`, `\\[…\\]`, `align`, `align*`, `aligned`, `equation`: rows split at `\\\\`, a
row that begins with `=` or an operator continuing the one before), a table row as `first = last`.
Headings are kept apart: they are labels (`Update 2`), never answers or unread lines. Matrices are
cut out of a block before its rows are split (check/writeup/latex.py)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .latex import cut_matrices

Matrix = list[list[str]]

_OPEN = re.compile(
    r"\$\$|\\\[|\\begin\{(align\*?|aligned|equation\*?|gather\*?|eqnarray\*?|multline\*?|split|displaymath)\}"
)
_CLOSE = {"$$": re.compile(r"\$\$"), "\\[": re.compile(r"\\\]")}
_INLINE = re.compile(r"\$\$(.+?)\$\$|\$([^$]+)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]")
_BULLET = re.compile(r"^\s*(?:>\s*)*(?:[-*+•]|\d{1,3}[.)]|\\item)\s+")
_HEADING = re.compile(r"^\s*(?:#{1,6}\s|\\(?:section|subsection|subsubsection|paragraph|chapter)\*?\{)")
_EMPHASIS = re.compile(r"\*\*|__|`|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")
_TABLE_RULE = re.compile(r"^\s*\|?[\s:|-]+\|?\s*$")
_ROW_BREAK = re.compile(r"(\n|\\\\(?:\[[^\]]*\])?)")
_CONTINUES = re.compile(r"^\s*(?:&\s*)?(?:=|\\approx|≈|\\times|\\cdot|[-+*×·])")
_EQUALS = re.compile(r"\s*(?:&\s*)?(?:=|\\approx|≈)")
_ENDS_OPEN = re.compile(r"(?:=|\\times|\\cdot|[-+*×·])\s*&?\s*$")
_DECIMAL = re.compile(r"\d[.,]\d")
_MARK = "\x0b"  # a line break inside a cut-out matrix: counted, never a row break
_PREAMBLE = re.compile(r"\\begin\{document\}")
_COMMENT = re.compile(r"(?<!\\)%.*")


@dataclass(frozen=True, slots=True)
class Chunk:
    line: int  # in the text given (a notebook: in the cell), from 1
    text: str  # the source line as written, for a report
    maths: str  # what may hold an equation (LaTeX or plain); "" for a heading
    matrices: tuple[Matrix, ...] = ()  # the ⟦k⟧ of `maths`
    heading: bool = False


def pieces(text: str, kind: str) -> Iterator[Chunk]:
    """The pieces of a Markdown, LaTeX or plain-text document, in order; a line that begins with `=`
    continues the equation before it (`w5+ = w5 − η·∂E/∂w5` then `= 0.4 − 0.5 × 0.0822`)."""
    previous: Chunk | None = None
    for piece in _pieces(text, kind):
        if previous and _EQUALS.match(piece.maths) and "=" in previous.maths and not piece.matrices:
            previous = Chunk(
                piece.line, piece.text, f"{previous.maths} {piece.maths.strip()}", previous.matrices
            )
            continue
        if previous:
            yield previous
        previous = piece
    if previous:
        yield previous


def _pieces(text: str, kind: str) -> Iterator[Chunk]:
    lines = text.split("\n")
    start = 0
    if kind == "latex":
        lines = [_COMMENT.sub("", line) for line in lines]
        begin = next((i for i, line in enumerate(lines) if _PREAMBLE.search(line)), None)
        start = begin + 1 if begin is not None else 0
    i = start
    while i < len(lines):
        line = lines[i]
        opened = _OPEN.search(line) if kind != "text" else None
        if opened and not _closes_on_line(line, opened):
            end = _block_end(lines, i, opened)
            yield from _block(lines, i, end, opened)
            i = end + 1
            continue
        yield from _line(i + 1, line, kind)
        i += 1


def _closes_on_line(line: str, opened: re.Match[str]) -> bool:
    rest = line[opened.end() :]
    return _closer(opened).search(rest) is not None


def _closer(opened: re.Match[str]) -> re.Pattern[str]:
    env = opened.group(1)
    return _CLOSE.get(opened.group(0)) or re.compile(r"\\end\{" + re.escape(env or "") + r"\}")


def _block_end(lines: list[str], i: int, opened: re.Match[str]) -> int:
    closer = _closer(opened)
    for j in range(i + 1, len(lines)):
        if closer.search(lines[j]):
            return j
    return len(lines) - 1


def _block(lines: list[str], first: int, last: int, opened: re.Match[str]) -> Iterator[Chunk]:
    """A display block's rows, each located at the line it ends on (where its answer is)."""
    text = "\n".join(lines[first : last + 1])
    head = text.find(opened.group(0)) + len(opened.group(0))
    tail = _closer(opened).search(text, head)
    body = text[head : tail.start() if tail else len(text)]
    body = re.sub(r"\\(?:begin|end)\{(?:aligned|split|gathered)\}(?:\[\w\])?", " ", body)
    cut, matrices = cut_matrices(body, _MARK)
    rows: list[tuple[int, str]] = []
    line = first + 1
    for part in _ROW_BREAK.split(cut):
        if part == "\n":
            line += 1
        elif part.strip() and not part.startswith("\\\\"):
            clean = part.replace(_MARK, " ").strip()
            if rows and (_CONTINUES.match(clean) or _ENDS_OPEN.search(rows[-1][1])):
                rows[-1] = (line, f"{rows[-1][1]} {clean}")  # located where its last number is
            else:
                rows.append((line, clean))
        line += part.count(_MARK)
    for at, row in rows:
        yield Chunk(at, lines[at - 1], row, tuple(matrices))


def _line(n: int, line: str, kind: str) -> Iterator[Chunk]:
    """One line outside display blocks: its inline maths with an `=`, else the line itself."""
    for maths, matrices, heading in _parts(line, kind):
        yield Chunk(n, line, maths, matrices, heading)


Part = tuple[str, tuple[Matrix, ...], bool]  # a Chunk without its place


@functools.lru_cache(maxsize=16384)  # a class writes many of the same lines
def _parts(line: str, kind: str) -> tuple[Part, ...]:
    if not line.strip():
        return ()
    if kind != "text" and _HEADING.match(line):
        return (("", (), True),)
    body = _BULLET.sub("", line)
    if kind == "markdown" and body.lstrip().startswith("|"):
        if _TABLE_RULE.match(body):
            return ()
        cells = [c.strip().strip("$") for c in re.split(r"(?<!\\)\|", body.strip().strip("|"))]
        cells = [c for c in cells if c]
        if len(cells) >= 2:
            return (_cut(" = ".join(cells)),)
    inline = [_inside(m) for m in _INLINE.finditer(body)] if kind != "text" else []
    with_equals = [m for m in inline if "=" in m or "\\approx" in m]
    if with_equals:
        rest = _INLINE.sub(" ", body)  # what is written between them: `$a = 1$ and b = 2`
        more = [_cut(_EMPHASIS.sub("", rest))] if "=" in rest or _DECIMAL.search(rest) else []
        return (*(_cut(maths) for maths in with_equals), *more)
    if kind != "text":
        body = _INLINE.sub(_inside, body)
        body = _EMPHASIS.sub("", body) if kind == "markdown" else body
    return (_cut(body),)


def _cut(maths: str) -> Part:
    cut, matrices = cut_matrices(maths)
    return cut, tuple(matrices), False


def _inside(m: re.Match[str]) -> str:
    """The maths of an inline `$…$`, `$$…$$`, `\\(…\\)` or one-line `\\[…\\]`."""
    return next(g for g in m.groups() if g is not None)
