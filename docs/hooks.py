"""The site's generated parts (a mkdocs hook). A page holds a marker, `<!-- backtutor:NAME -->`, and the
build puts in its place a table read from the code itself (the typer app, the slip catalogue, the
output formats), so the reference cannot drift from what the program does. Nothing generated is
checked in; an unknown marker fails the build. Developer text is escaped like any inserted text."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from typing import Any

from mkdocs.exceptions import PluginError

MARKER = re.compile(r"<!-- backtutor:([\w-]+) -->")
_SPECIAL = re.compile(r"([\\`*_\[\]|])")


def cell(text: str) -> str:
    """Text for one line of Python-Markdown (a table cell, a paragraph): no raw HTML, no emphasis,
    link or code span from what it holds."""
    return _SPECIAL.sub(r"\\\1", html.escape(re.sub(r"\s+", " ", text), quote=False))


def code(text: str) -> str:
    """A code span holding `text` as it is, inside a table too."""
    return "<code>" + html.escape(text).replace("|", "&#124;") + "</code>"


def _table(header: tuple[str, ...], rows: Iterator[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def cli_reference() -> str:
    """Every command of the typer app, with its usage, its help and each option's `--help` line."""
    import typer

    from backtutor.cli.app import app

    group = typer.main.get_command(app)
    return "\n".join(_commands(group, group.context_class(group, info_name="backtutor")))


def _commands(group: Any, ctx: Any) -> Iterator[str]:
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command.hidden:
            continue
        sub = command.context_class(command, info_name=name, parent=ctx)
        yield f"## `{sub.command_path}`\n"
        yield "\n\n".join(cell(part) for part in (command.help or "").split("\n\n")) + "\n"
        yield f"Usage: {code(command.get_usage(sub).removeprefix('Usage: '))}\n"
        records = [p.get_help_record(sub) for p in command.params if not getattr(p, "hidden", False)]
        rows = ((code(flags), cell(meaning)) for flags, meaning in filter(None, records))
        if records:
            yield _table(("argument or option", "meaning"), rows)
        if hasattr(command, "list_commands"):
            yield from _commands(command, sub)


def slip_catalogue() -> str:
    """Every slip `check` can name, in the order it tries them, with what the student is told."""
    from backtutor.check.slips.catalogue import CATALOGUE

    rows = (
        (str(n), code(slip.name) if slip.name else "(none)", cell(slip.explanation), cell(slip.where))
        for n, slip in enumerate(CATALOGUE, 1)
    )
    return _table(("#", "slip", "what the student is told", "where its rule is"), rows)


def optimizer_slips() -> str:
    """Each slip an optimizer's entry can explain (engine/optimizers.py), with what the student is
    told (each form of it, from the catalogue) and the optimizers it is tried in."""
    from backtutor.check.slips.catalogue import CATALOGUE
    from backtutor.engine.optimizers import OPTIMIZERS

    names = dict.fromkeys(name for o in OPTIMIZERS.values() for name in sorted(o.slips))
    rows = (
        (
            code(name),
            " / ".join(dict.fromkeys(cell(s.explanation) for s in CATALOGUE if s.name == name)),
            ", ".join(dict.fromkeys(code(o.kind) for o in OPTIMIZERS.values() if name in o.slips)),
        )
        for name in names
    )
    return _table(("slip", "what the student is told", "tried in"), rows)


def shape_slips() -> str:
    """The slips of a CNN's table (check/slips/shapes.py), each named only when its rule gives the
    student's number."""
    from backtutor.check.slips.shapes import SLIPS

    rows = ((str(n), code(slip.name), cell(slip.explanation)) for n, slip in enumerate(SLIPS, 1))
    return _table(("#", "slip", "what the student is told"), rows)


def array_slips() -> str:
    """The slips of a student's NumPy arrays (check/arrays/slips.py), with the rules each is tried in."""
    from backtutor.check.arrays.slips import ARRAY_SLIPS

    rows = (
        (code(slip.name), cell(slip.told), ", ".join(code(rule) for rule in slip.rules))
        for slip in ARRAY_SLIPS
    )
    return _table(("slip", "what the student is told", "tried in the arrays of"), rows)


_SERVES = {
    "solve": "`solve`, `diff`",
    "matrix": "`solve --view matrix`",
    "arrays": "`solve` of a matrix network by the array engine",
    "check": "`check`",
    "marked": "`check` of one write-up",
}


def output_formats() -> str:
    """The output formats table, row by row: which command writes it, whether `--blank` applies."""
    from backtutor.render.formats import FORMATS

    rows = (
        (code(f.name), _SERVES[f.serves], code(f.suffix) if f.suffix else "", "yes" if f.blank else "")
        for f in FORMATS
    )
    return _table(("`-f`", "written by", "file suffix", "`--blank`"), rows)


def python_api() -> str:
    """The library's public names (`backtutor.__all__`), each with its signature and docstring; the
    docstring's `>>>` examples as Python sessions (tests/test_docs.py runs them)."""
    import inspect

    import backtutor

    parts = [_docstring(inspect.getdoc(backtutor) or "")]
    for name in backtutor.__all__:
        obj = getattr(backtutor, name)
        if inspect.isfunction(obj):
            plain = [p.replace(annotation=p.empty) for p in inspect.signature(obj).parameters.values()]
            name += str(inspect.Signature(plain))
        parts += [f"## {code('backtutor.' + name)}\n", _docstring(inspect.getdoc(obj) or "")]
    return "\n".join(parts)


def _docstring(text: str) -> str:
    """Paragraphs as text with their `code spans`; runs of `>>>` lines as a Python session."""
    blocks = []
    for block in text.split("\n\n"):
        if block.startswith(">>>"):
            blocks.append(f"```pycon\n{block}\n```")
        else:
            spans = re.split(r"`([^`]+)`", block)
            blocks.append("".join(code(s) if i % 2 else cell(s) for i, s in enumerate(spans)))
    return "\n\n".join(blocks) + "\n"


GENERATED: dict[str, Callable[[], str]] = {
    "cli": cli_reference,
    "slips": slip_catalogue,
    "optimizer-slips": optimizer_slips,
    "shape-slips": shape_slips,
    "array-slips": array_slips,
    "formats": output_formats,
    "api": python_api,
}


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """Each marker replaced by what it names."""

    def generated(m: re.Match[str]) -> str:
        make = GENERATED.get(m.group(1))
        if make is None:
            known = ", ".join(GENERATED)
            raise PluginError(f"{page.file.src_path}: unknown marker {m.group(0)} (known: {known})")
        return make()

    return MARKER.sub(generated, markdown)
