"""Safe YAML reading that remembers the line of every key, so errors can point at it.

Aliases are refused (an alias bomb expands exponentially in anything that walks the data), tags
other than the standard safe ones are refused by PyYAML's SafeLoader, keys are kept as written
(so `on:` stays the string "on"), and duplicate keys are errors rather than silently merged.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias, cast

import yaml

from .files import FileError, read_text

MAX_NESTING = 50  # mappings and lists inside each other (PyYAML's composer recurses per level)
_PLAIN = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
Lines = dict[tuple[Any, ...], int]
_SAFE_TAGS = frozenset(yaml.SafeLoader.yaml_constructors) - {None}


@dataclass(frozen=True, slots=True)
class Tagged:
    """A scalar `read(raw=True)` keeps as written with a tag beyond the standard ones (`!!python/…`),
    for the caller to refuse with its reason (an answer sheet grades it as unreadable)."""

    tag: str
    value: str


try:  # libyaml scans and parses (several times faster); composing stays in Python
    from yaml._yaml import CParser

    _LIBYAML = True
except ImportError:  # a PyYAML built without libyaml
    _LIBYAML = False


def _refuse_alias(loader: _Loader) -> None:
    if loader.check_event(yaml.AliasEvent):
        event = loader.peek_event()
        # libyaml's marks (yaml._yaml.Mark) have the line and column of yaml.error.Mark, which the
        # stubs allow alone here; read() only reads the line
        mark = cast(yaml.error.Mark | None, event.start_mark if event else None)
        raise yaml.composer.ComposerError(None, None, "YAML aliases (*name) are not allowed here", mark)


def _compose(loader: _Loader, parent: yaml.Node | None, index: int, compose: Any) -> yaml.Node | None:
    """Compose one node, refusing aliases and nesting deeper than MAX_NESTING."""
    _refuse_alias(loader)
    depth = loader._depth
    if depth >= MAX_NESTING:
        event = loader.peek_event()
        mark = cast(yaml.error.Mark | None, event.start_mark if event else None)
        raise yaml.composer.ComposerError(None, None, f"nested more than {MAX_NESTING} levels deep", mark)
    loader._depth = depth + 1
    try:
        return cast(yaml.Node | None, compose(parent, index))
    finally:
        loader._depth = depth


class _PyLoader(yaml.SafeLoader):
    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        return _compose(self, parent, index, super().compose_node)


if _LIBYAML:

    class _CLoader(yaml.composer.Composer, CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        _depth = 0

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

        def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
            return _compose(self, parent, index, super().compose_node)


_Loader: TypeAlias = "_PyLoader | _CLoader"


def read(path: str | Path, raw: bool = False) -> tuple[Any, Lines]:
    """The file's data and a map from each key path to its 1-based line. With `raw`, scalars stay
    the text as written (None for null), so `0.3590` keeps the digits a student wrote."""
    return parse(read_text(path), str(path), raw)


def parse(text: str, name: str, raw: bool = False) -> tuple[Any, Lines]:
    """`read` for text already read (by `files.read_text`); `name` is the file the errors name."""
    if raw and _LIBYAML:
        flat = _flat_mapping(text)
        if flat is not None:
            return flat
    loader = _CLoader(text) if _LIBYAML else _PyLoader(text)
    try:
        root = loader.get_single_node()
        lines: Lines = {}
        data = _build(loader, root, (), lines, name, raw) if root is not None else None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        problem = getattr(e, "problem", None) or str(e)
        raise FileError(name, f"not valid YAML: {problem}", mark.line + 1 if mark else None) from None
    finally:
        loader.dispose()
    return data, lines


_NULL = ("", "~", "null", "Null", "NULL")


def _flat_mapping(text: str) -> tuple[dict[str, str | None], Lines] | None:
    """A mapping of plain scalars read straight from libyaml's events (answer sheets are that);
    None for anything else (or any error), which then goes through the full reader and its messages."""
    parser = CParser(text)
    data: dict[str, str | None] = {}
    lines: Lines = {(): 1}
    try:
        events = iter(parser.get_event, None)
        kinds = [type(next(events)) for _ in range(3)]
        if kinds != [yaml.StreamStartEvent, yaml.DocumentStartEvent, yaml.MappingStartEvent]:
            return None
        for key in events:
            if isinstance(key, yaml.MappingEndEvent):
                break
            value = next(events)
            if not isinstance(key, yaml.ScalarEvent) or not isinstance(value, yaml.ScalarEvent):
                return None
            if key.anchor or value.anchor or value.tag not in (None, "!") or key.value in data:
                return None
            plain_null = value.style not in ("'", '"') and value.value in _NULL
            data[key.value] = None if plain_null else value.value
            if key.start_mark is None:  # libyaml marks every event; the stubs allow None
                return None
            lines[(key.value,)] = key.start_mark.line + 1
        if not isinstance(next(events), yaml.DocumentEndEvent) or not isinstance(
            next(events), yaml.StreamEndEvent
        ):
            return None
    except (yaml.YAMLError, StopIteration):
        return None
    finally:
        parser.dispose()
    return data, lines


def _build(
    loader: _Loader, node: yaml.Node, path: tuple[Any, ...], lines: Lines, name: str, raw: bool
) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in _PLAIN:
        if raw:
            return Tagged(node.tag, "")
        raise FileError(
            name, f"not valid YAML here: tag {node.tag!r} is not allowed", lines[path], _dotted(path)
        )
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode):
                raise FileError(
                    name,
                    "keys must be plain names",
                    k.start_mark.line + 1,
                    _dotted(path),
                )
            key = k.value
            if key in out:
                raise FileError(
                    name,
                    f"key {key!r} appears twice",
                    k.start_mark.line + 1,
                    _dotted(path),
                )
            lines[(*path, key)] = k.start_mark.line + 1
            out[key] = _build(loader, v, (*path, key), lines, name, raw)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, v, (*path, i), lines, name, raw) for i, v in enumerate(node.value)]
    if raw:
        if node.tag == "tag:yaml.org,2002:null":
            return None
        return node.value if node.tag in _SAFE_TAGS else Tagged(node.tag, node.value)
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, ArithmeticError) as e:  # a 5,000-digit integer, a date like 2001-02-30
        short = node.value if len(node.value) <= 40 else node.value[:40] + "…"
        why = "too many digits" if node.tag.endswith(":int") else str(e)
        raise FileError(name, f"cannot read {short!r} ({why})", lines[path], _dotted(path)) from None


def _dotted(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def line_of(lines: Lines, path: tuple[Any, ...]) -> int | None:
    """Line of the deepest known prefix of `path`."""
    for n in range(len(path), -1, -1):
        if path[:n] in lines:
            return lines[path[:n]]
    return None


def field_name(path: tuple[Any, ...]) -> str:
    return _dotted(path)
