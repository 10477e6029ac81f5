"""The command line's Typer app: each command lives in its own module (its flags and its steps), as
typer's documentation lays out a large app; this one registers them, in the order --help lists them.

A run that names its command (`backtutor solve …`) registers only that one: typer builds every
registered command's parameters before it parses, and importing and building all twelve cost about
50 ms of CPU, a tenth of what `solve q4` takes besides starting Python. Without a command, `--help`
and any mistake get the whole app (its list, click's "no such command"). Heavy modules are imported
inside the commands.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
from collections.abc import Iterable

import typer

HELP = "Work backpropagation problems step by step, exactly as a TA would write them."

# name: (module in backtutor.cli, its attribute, how it is registered), in the order --help lists them
COMMANDS: dict[str, tuple[str, str, str]] = {
    "solve": ("solve", "solve", "command"),
    "diff": ("diff", "diff", "command"),
    "graph": ("graph", "graph", "command"),
    "explore": ("explore", "explore", "command"),
    "shapes": ("shapes", "shapes", "command"),
    "template": ("template", "template", "command"),
    "check": ("check", "check", "command"),
    "variants": ("variants", "variants", "command"),
    "worksheet": ("worksheet", "worksheet", "command"),
    "export": ("gradescope", "export_app", "group"),  # `export gradescope`
    "autograde": ("gradescope", "autograde_command", "hidden"),  # what the exported zip runs
    "quiz": ("quiz", "quiz", "command"),
}


def build(names: Iterable[str]) -> typer.Typer:
    """A Typer app with the commands `names` (keys of COMMANDS) registered."""
    built = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None, help=HELP)
    built.callback()(_main)
    for name in names:
        module, attribute, kind = COMMANDS[name]
        found = getattr(importlib.import_module(f"{__package__}.{module}"), attribute)
        if kind == "group":
            built.add_typer(found, name=name)
        else:
            built.command(name, hidden=kind == "hidden")(found)
    return built


def _main() -> None:
    """Work backpropagation problems step by step, exactly as a TA would write them."""


@functools.cache
def whole_app() -> typer.Typer:
    return build(COMMANDS)


def __getattr__(name: str) -> typer.Typer:
    """`app`, the whole app (what the tests invoke), built on first use."""
    if name == "app":
        return whole_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    # pydantic looks for plugins (observers of every validation) by scanning the entry points of
    # every installed distribution, on the first model it builds: a cost on every command for no
    # use, since this process validates only its own models (a user's setting wins)
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "1")
    asked = sys.argv[1] if len(sys.argv) > 1 else ""
    (build([asked]) if asked in COMMANDS else whole_app())()
