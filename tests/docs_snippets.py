"""The snippets of a documentation page, as docs/contributing.md defines them: each fenced block with
its language, its `title="…"` and whether the comment before it says not to run it. Blocks nested in
admonitions and content tabs (indented, so an indented code block to a CommonMark parser) are found
too, by parsing that block's text again."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt

RUN = ("console", "python", "yaml")  # executed by tests/test_docs.py
SHOWN = ("text", "markdown", "csv", "json", "latex", "html", "toml", "pycon")  # compared when titled
NO_RUN = re.compile(r"<!--\s*no-run:\s*(.+?)\s*-->\s*$", re.S)


@dataclass(frozen=True)
class Block:
    page: Path
    line: int  # 1-based, of the opening fence
    language: str
    text: str
    attributes: dict[str, str] = field(default_factory=dict)
    no_run: str | None = None  # the reason a test does not run it

    @property
    def where(self) -> str:
        return f"{self.page.name}:{self.line}"


@dataclass(frozen=True)
class Command:
    line: int
    text: str  # as typed, without its comment
    argv: list[str]
    expected: str  # the lines shown after it ("" when none)
    exit_code: int  # 0 unless the line's comment starts `# exit code N`


def blocks(page: Path, text: str | None = None, offset: int = 0) -> Iterator[Block]:
    """Every fenced block of a page, in order."""
    text = page.read_text(encoding="utf-8") if text is None else text
    tokens = MarkdownIt("commonmark").parse(text)
    for i, token in enumerate(tokens):
        start = offset + (token.map[0] if token.map else 0)
        if token.type == "fence":
            language, attributes = _info(token.info)
            before = tokens[i - 1] if i else None
            reason = NO_RUN.match(before.content) if before and before.type == "html_block" else None
            yield Block(page, start + 1, language, token.content, attributes, reason and reason.group(1))
        elif token.type == "code_block" and "```" in token.content:
            yield from blocks(page, token.content, start)


def _info(info: str) -> tuple[str, dict[str, str]]:
    """```yaml title="problems/q4.yaml": the language and the key="value" attributes."""
    words = shlex.split(info) if info.strip() else [""]
    attributes = dict(w.partition("=")[::2] for w in words[1:])
    return words[0], attributes


def commands(block: Block) -> Iterator[Command]:
    """A console block's `$ ` lines (a trailing `\\` continues one), each with the output below it."""
    lines = block.text.split("\n")
    n = 0
    while n < len(lines):
        if not lines[n].startswith("$ "):
            raise AssertionError(f"{block.where}: a console block's lines start with `$ `: {lines[n]!r}")
        start, command = n, lines[n][2:]
        while command.endswith("\\"):
            n += 1
            command = command[:-1] + " " + lines[n]
        n += 1
        shown = []
        while n < len(lines) and not lines[n].startswith("$ "):
            shown.append(lines[n])
            n += 1
        code = re.search(r"#\s*exit code (\d+)\b", command)
        argv = shlex.split(command, comments=True)
        text = command.partition("  #")[0].strip()
        shown_text = "\n".join(shown).strip()
        yield Command(block.line + 1 + start, text, argv, shown_text, int(code.group(1)) if code else 0)


def elided_match(expected: str, actual: str) -> str | None:
    """None when `actual` is `expected` with whitespace collapsed and each `…` standing for any text;
    else the first part of `expected` that is missing."""
    parts = [" ".join(p.split()) for p in expected.split("…")]
    text = " ".join(actual.split())
    if not text.startswith(parts[0]):
        return parts[0]
    at = len(parts[0])
    if len(parts) == 1:
        return None if at == len(text) else "(the end of the output)"
    for part in parts[1:-1]:
        found = text.find(part, at)
        if found < 0:
            return part
        at = found + len(part)
    return None if text[at:].endswith(parts[-1]) else parts[-1]
