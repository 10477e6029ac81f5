"""Where a problem (or an answer sheet) comes from when the library is called from Python: a file's
path, YAML text, or a dict. The three are read into what `yamlfile.read` gives for a file, so every
check after it is the same and every error names where the problem came from: the file (and its
line), "(YAML text)" with the line in that text, or "(dict)" with the field alone."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import yamlfile
from .files import MAX_BYTES, FileError
from .yamlfile import Lines

Source = str | Path | Mapping[str, Any]  # a path, YAML text (a str with a line break), or a dict
TEXT = "(YAML text)"
DICT = "(dict)"


def is_text(source: str | Path) -> bool:
    """A str with a line break is text; a one-line str is a file's path (a path has no line break)."""
    return isinstance(source, str) and "\n" in source


def source_name(source: Source) -> str:
    """What errors and reports call a source: its path, "(YAML text)" or "(dict)"."""
    if isinstance(source, Mapping):
        return DICT
    return TEXT if is_text(source) else str(source)


def read_source(source: Source) -> tuple[str, Any, Lines]:
    """The name errors give, the data, and the line of each key (none for a dict)."""
    if isinstance(source, Mapping):
        return DICT, plain_data(source, DICT), {}
    if isinstance(source, str) and is_text(source):
        checked_size(source, TEXT)
        return TEXT, *yamlfile.parse(source, TEXT)
    if not isinstance(source, str | Path):
        raise FileError(str(type(source).__name__), "give a file's path, YAML text or a dict")
    return str(source), *yamlfile.read(source)


def plain_data(data: Mapping[str, Any], name: str) -> Any:
    """A dict as the YAML reader would give it: written as YAML and read back, so a tuple is a list,
    a number is what the same number in a file reads as, and what YAML cannot hold is an error here."""
    import yaml

    from ..text import yaml_dump

    try:
        text = yaml_dump(dict(data), sort_keys=False)
    except yaml.YAMLError as e:
        why = f"holds a value YAML cannot write ({e}); use numbers, strings, lists and dicts"
        raise FileError(name, why) from None
    checked_size(text, name)
    return yamlfile.parse(text, name)[0]


def checked_size(text: str, name: str) -> None:
    """Text is held to the size a file is."""
    if len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise FileError(name, f"larger than {MAX_BYTES // 1_000_000:,} MB")
