"""The quiz in a terminal, with rich: the question, the verdict (as `check` shows one answer), the
hints, the choice after a wrong number, and the score. Plain lines: piped input reads the same."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from ...check import Report, Verdict
from ...check.quiz import COMMANDS
from ...engine.formula import text
from ...solution import Step
from ...text import terminal
from .report import score_line, verdict_runs

_HINT = "yellow"


def intro(title: str, questions: int) -> RenderableType:
    return Group(
        Text(terminal(title), style="bold"),
        Text(
            f"{questions} steps. Type a number as you rounded it, or a formula; or {', '.join(COMMANDS)}.",
            style="dim",
        ),
    )


def section(step: Step, givens: list[tuple[str, str]], updates: int) -> Text:
    """Where the working is now (phase, and the update and example when there are several) and the
    numbers it starts from."""
    where = ([f"update {step.update}"] if updates > 1 else []) + (
        [f"example {step.example}"] if step.example is not None else []
    )
    name = f"{step.phase} pass" if step.phase != "update" else "updates"
    heading = Text(name + (f" ({', '.join(where)})" if where else ""))
    heading.stylize("bold blue")
    if givens:
        heading.append(
            "\n  given: " + ", ".join(f"{name} = {terminal(value)}" for name, value in givens), style="dim"
        )
    return heading


def prompt(step: Step, number: int, total: int) -> Text:
    return Text.assemble((f"[{number}/{total}] ", "dim"), (text(step.target), "bold cyan"), " = ? ")


def verdict(v: Verdict) -> Text:
    line = Text("  ")
    for chunk, style in verdict_runs(v):
        line.append(chunk, style)
    return line


def hints(lines: tuple[str, ...]) -> Text:
    """Hint levels; none left: say so."""
    if not lines:
        return Text("  no more hints: answer, skip or quit", style="dim")
    return Text("\n".join(f"  hint: {line}" for line in lines), style=_HINT)


def choice(v: Verdict) -> Text:
    mine = terminal(v.answer)
    return Text(
        f"  go on from your value {mine} (o, the default) or the correct one {v.expected} (c)? ", style="bold"
    )


def choice_help() -> Text:
    return Text("  o (or Enter): go on from your value; c: from the correct one; quit: stop", style="magenta")


def unreadable(message: str) -> Text:
    names = ", ".join(COMMANDS)
    return Text(
        f"  cannot read that ({terminal(message)}): type a number, a formula, or {names}", style="magenta"
    )


def final(report: Report, skipped: int, unasked: int, saved: str) -> RenderableType:
    """The score so far, the first error, and what was not answered."""
    lines: list[RenderableType] = [score_line(report)]
    rest = [f"{n} {what}" for n, what in ((skipped, "skipped"), (unasked, "not asked")) if n]
    if rest:
        lines.append(Text(", ".join(rest), style="dim"))
    if saved:
        lines.append(Text(f"answers saved to {terminal(saved)}", style="dim"))
    return Group(*lines)
