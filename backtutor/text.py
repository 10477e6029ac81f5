"""Untrusted text made safe for each kind of output: the one place every renderer and report escapes
what came from a file or a keyboard (titles, descriptions, answers as typed, sheet names and keys,
roster ids and names, typed quiz lines, formula text echoed back).

A class's files are hostile at times: an escape sequence in an answer can rewrite the instructor's
terminal (a forged "✓ right"), `<script>` in a title runs in a Markdown viewer that renders HTML, a
roster name `=HYPERLINK(…)` is a spreadsheet formula, a newline in a title pre-fills a blank answer
sheet. LaTeX text is escaped by `document.tex_text`, which starts from `visible` as these do.
"""

from __future__ import annotations

import json
import re
from typing import Any

# Characters a terminal, a browser or a YAML reader may act on instead of showing: C0 and C1 controls,
# DEL, Unicode's format characters (bidi overrides such as U+202E, zero-width joiners, tag characters)
# and its line and paragraph separators. tests/test_escaping.py checks the list against unicodedata.
_NOT_C0 = (
    "\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_UNSAFE = re.compile("[\x00-\x1f" + _NOT_C0 + "]")
_UNSAFE_BEYOND_C0 = re.compile("[" + _NOT_C0 + "]")
_UNSAFE_IN_LINES = re.compile("[\x00-\x08\x0b-\x1f" + _NOT_C0 + "]")  # \t and \n kept
PLAIN_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|$~&!])")
_CSV_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _escape(m: re.Match[str]) -> str:
    c = ord(m.group())
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}" if c < 0x10000 else f"\\U{c:08x}"


def visible(s: str, lines: bool = False) -> str:
    """Controls and format characters written as visible escapes (ESC as `\\x1b`, U+202E as
    `\\u202e`); with `lines`, newlines and tabs are kept (a description), else escaped too."""
    if lines:
        return _UNSAFE_IN_LINES.sub(_escape, s.replace("\r\n", "\n"))
    return _UNSAFE.sub(_escape, s)


def terminal(s: str, lines: bool = False) -> str:
    """Text for a terminal: nothing in it moves the cursor, sets a title or writes the clipboard. It
    goes to rich as a `Text` (or printed with `markup=False`), never inside a markup string, so `[…]`
    in it is shown, not read as a style."""
    return visible(s, lines)


def html(s: str, lines: bool = True) -> str:
    """Text for HTML content or a quoted attribute."""
    from html import escape  # here: the terminal's path never loads html's entity table

    return escape(visible(s, lines), quote=True)


def markdown(s: str, lines: bool = False) -> str:
    """Text for Markdown: its specials and `<`, `>`, `&` escaped (so no raw HTML, link or image comes
    from input). On one line (a heading, a table cell, after a label) it is inline text; with `lines`
    (a paragraph) a line's start is escaped too: #, a list marker, a setext underline, indentation."""
    s = _MD_SPECIAL.sub(r"\\\1", visible(s, lines))
    if not lines:
        return s
    s = re.sub(r"^[ \t]+", "", s, flags=re.M)  # no indented code block (a paragraph drops them anyway)
    return re.sub(r"^(?:([#+=-])|(\d+)([.)]))", _escape_start, s, flags=re.M)


def _escape_start(m: re.Match[str]) -> str:
    return f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\{m.group(3)}"


def markdown_code(s: str) -> str:
    """A Markdown code span holding `s` as it is (inside a table: `|` still escaped, as GFM asks)."""
    s = visible(s).replace("|", "\\|")
    fence = "`" * (max(map(len, re.findall("`+", s)), default=0) + 1)
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def markdown_block(s: str) -> str:
    """A fenced Markdown code block holding the lines of `s` as they are (a student's write-up handed
    back): its fence longer than any run of backticks in it, so nothing in it ends the block."""
    s = visible(s, lines=True)
    fence = "`" * max(3, max(map(len, re.findall("`+", s)), default=0) + 1)
    return f"{fence}text\n{s}\n{fence}"


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet reads as text (OWASP): a string that starts with =, +, -, @, a tab
    or a carriage return and is not a number gets a leading `'`; controls are made visible. Numbers
    pass as they are."""
    if not isinstance(value, str):
        return value
    if value.startswith(_CSV_FORMULA) and not PLAIN_NUMBER.fullmatch(value):
        value = "'" + value
    return visible(value)


def csv_row(values: list[object]) -> list[object]:
    return [csv_cell(v) for v in values]


def yaml_comment(s: str) -> str:
    """Text for after a `#` in YAML: one line, whatever it holds."""
    return visible(s)


def yaml_string(s: str) -> str:
    """A YAML double-quoted scalar on one line that reads back as `s` (JSON's escapes, plus the
    characters YAML refuses or folds written as \\u escapes)."""
    return _UNSAFE.sub(_yaml_escape, json.dumps(s, ensure_ascii=False))


def yaml_dump(data: object, **options: Any) -> str:
    """PyYAML's safe_dump (UTF-8 kept), with every string that holds such characters double-quoted
    and those characters written as \\u escapes (PyYAML writes a bidi override as it is)."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def string(dumper: yaml.SafeDumper, s: str) -> yaml.ScalarNode:
        style = '"' if _UNSAFE.search(s) else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", s, style=style)

    Dumper.add_representer(str, string)
    dumped: str = yaml.dump(data, Dumper=Dumper, allow_unicode=True, **options)
    return _UNSAFE_BEYOND_C0.sub(_yaml_escape, dumped)


def _yaml_escape(m: re.Match[str]) -> str:
    c = ord(m.group())
    return f"\\u{c:04x}" if c < 0x10000 else f"\\U{c:08x}"


def json_dumps(value: object, **options: Any) -> str:
    """JSON text (UTF-8, not ASCII-only) whose strings carry no raw C1 control, bidi override or
    other format character: those are written as \\u escapes (JSON's own encoder escapes C0)."""
    return _UNSAFE_BEYOND_C0.sub(_json_escape, json.dumps(value, ensure_ascii=False, **options))


def _json_escape(m: re.Match[str]) -> str:
    return json.dumps(m.group())[1:-1]  # ASCII-only: \u202e, or a surrogate pair beyond the BMP


def dot(s: str) -> str:
    """A Graphviz DOT quoted string (an ID or a label) showing `s` as it is."""
    s = visible(s, lines=True).replace("\t", " ")
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
