"""Safe YAML reading that remembers the line of every key, so errors can point at it.

Aliases are refused (an alias bomb expands exponentially in anything that walks the data), tags
other than the standard safe ones are refused by PyYAML's SafeLoader, keys are kept as written
(so `on:` stays the string "on"), and duplicate keys are errors rather than silently merged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import InputError

MAX_BYTES = 1_000_000
_PLAIN = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
Lines = dict[tuple[Any, ...], int]


class FileError(InputError):
    def __init__(self, path: str, message: str, line: int | None = None, field: str = "") -> None:
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {field + ': ' if field else ''}{message}")
        self.path, self.line, self.field = path, line, field


if hasattr(yaml, "CParser"):  # libyaml scans and parses (about 4x faster); composing stays in Python

    class _Base(  # type: ignore[misc]
        yaml.composer.Composer, yaml.CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver
    ):
        def __init__(self, stream: str) -> None:
            yaml.CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

else:
    _Base = yaml.SafeLoader  # type: ignore[misc]


class _Loader(_Base):
    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, "YAML aliases (*name) are not allowed here", mark)
        return super().compose_node(parent, index)


def read(path: str | Path) -> tuple[Any, Lines]:
    """The file's data and a map from each key path to its 1-based line."""
    name = str(path)
    p = Path(path)
    try:
        if p.stat().st_size > MAX_BYTES:
            raise FileError(name, f"file is larger than {MAX_BYTES // 1000} kB")
        text = p.read_text(encoding="utf-8")
    except FileError:
        raise
    except (OSError, UnicodeDecodeError) as e:
        raise FileError(
            name,
            f"cannot read the file ({e.__class__.__name__}: {getattr(e, 'strerror', None) or e})",
        ) from None
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        lines: Lines = {}
        data = _build(loader, root, (), lines, name) if root is not None else None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        problem = getattr(e, "problem", None) or str(e)
        raise FileError(name, f"not valid YAML: {problem}", mark.line + 1 if mark else None) from None
    finally:
        loader.dispose()
    return data, lines


def _build(loader: _Loader, node: yaml.Node, path: tuple[Any, ...], lines: Lines, name: str) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in _PLAIN:
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
            out[key] = _build(loader, v, (*path, key), lines, name)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, v, (*path, i), lines, name) for i, v in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


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
