"""The command line's Typer app: each command lives in its own module (its flags and its steps), as
typer's documentation lays out a large app; this one registers them, in the order --help lists them.

Heavy modules are imported inside the commands so `backtutor --help` starts fast.
"""

from __future__ import annotations

import os

import typer

from . import check, diff, explore, gradescope, graph, quiz, shapes, solve, template, variants, worksheet

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Work backpropagation problems step by step, exactly as a TA would write them.",
)


@app.callback()
def _main() -> None:
    """Work backpropagation problems step by step, exactly as a TA would write them."""


for command in (
    solve.solve,
    diff.diff,
    graph.graph,
    explore.explore,
    shapes.shapes,
    template.template,
    check.check,
    variants.variants,
    worksheet.worksheet,
):
    app.command()(command)
app.add_typer(gradescope.export_app, name="export")
app.command("autograde", hidden=True)(gradescope.autograde_command)
app.command()(quiz.quiz)


def main() -> None:
    # pydantic looks for plugins (observers of every validation) by scanning the entry points of
    # every installed distribution, on the first model it builds: a cost on every command for no
    # use, since this process validates only its own models (a user's setting wins)
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "1")
    app()
