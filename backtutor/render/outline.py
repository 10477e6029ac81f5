"""The one outline of a worked solution that the terminal, Markdown, LaTeX and HTML lay out: a part per
update step (which example an online update uses), in it a section per (example, phase), each step
with the parts that follow `target =`; then the closed forms (closed_forms.py), the loss per epoch of
a long run (sampled), the trained parameters and a hint. Renderers only choose how to show it.

Pure functions of a Solution, no I/O, no rich.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from itertools import groupby

from ..engine.expr import Call, Expr, Num
from ..engine.formula import format_number, text, text_name
from ..engine.ops import evaluate
from ..solution import Epoch, Solution, Step
from ..solution.gradient_forms import ClosedForms, closed_forms

PHASES = {"forward": "Forward pass", "backward": "Backward pass (chain rule)", "update": "Updates (SGD)"}
CLOSED_TITLE = "Closed form of each gradient, in the problem's names"
SUMMARY_ROWS = 12  # epochs in the loss-per-epoch table of a long run
CURVE_POINTS = 60  # epochs in the terminal's one-line loss curve
LISTED_INPUTS = 4  # an example's heading lists its inputs when it has at most this many
HINT = "Working not shown: add --steps 1 (or 1-3, last, all) to see it."
# notation inside a rule note: e^(−x) (a superscript) and softmax_k, δ_kj (subscripts)
_NOTATION = re.compile(r"(?<![\w\\])([^\W\d_]+)(?:\^\(([^()]*)\)|_([^\W_]+))")


@dataclass(frozen=True)
class Shown:
    """One step as shown: target = parts[0] = parts[1] = …, leaving out a part that reads like the one
    before it. Each part comes with the significant digits it is printed at (the numbers substituted
    may need more than the precision asked for, see `agreeing_digits`) and with its text."""

    step: Step
    parts: tuple[tuple[Expr, int], ...]
    texts: tuple[str, ...]  # the target, then each part, as text


@dataclass(frozen=True)
class Section:
    """A titled run of steps (forward pass, backward pass, updates) of one part."""

    title: str
    steps: list[Shown]


@dataclass(frozen=True)
class Part:
    """The working of one update (or of the one pass without training), by section."""

    heading: str  # "Update 2 of 4 (example 2: x1 = 3, x2 = 4)", or "Working" when the problem does not train
    sections: list[Section]


@dataclass(frozen=True)
class Outline:
    """A solution laid out for the renderers: parts, closed forms and the per-epoch history."""

    title: str
    description: str
    loss: str
    precision: int
    parts: list[Part]
    closed: ClosedForms  # each gradient's closed form (empty when only some steps are shown)
    history: list[Epoch]  # rows of the loss-per-epoch table (runs of several epochs)
    columns: list[tuple[str, int]]  # trained parameters and their positions in Epoch.params
    curve: list[float]  # the loss at up to CURVE_POINTS evenly spaced epochs (runs of several epochs)
    final: list[tuple[str, float]]  # trained parameters after the run, then the loss
    hint: str  # said when a long run shows no working


def outline(
    sol: Solution,
    precision: int = 9,
    steps: list[Step] | None = None,
    simplify: bool = False,
    blank: bool = False,
) -> Outline:
    """The outline of the whole solution, or of only `steps` (then without what follows the working).
    simplify: add each closed form simplified by SymPy (slow to start: see closed_forms.py). blank (a
    worksheet): no closed forms, which would give the derivatives away."""
    p, g = sol.problem, sol.graph
    shown = list(sol.steps if steps is None else steps)
    parts = [_part(sol, t, list(group), precision) for t, group in groupby(shown, key=lambda s: s.update)]
    closed = ClosedForms([], [])
    history: list[Epoch] = []
    curve: list[float] = []
    final: list[tuple[str, float]] = []
    hint = ""
    if steps is None:
        closed = ClosedForms([], []) if blank else closed_forms(sol, simplify)
        if p.training:
            trained = set(g.trainable)  # a tuple's `in` is O(n): O(n²) for a model's thousands
            final = [(k, v) for k, v in sol.final.items() if k in trained]
            final.append((g.loss, sol.history[-1].loss))
        if len(sol.history) > 2:
            history = sample(sol.history, SUMMARY_ROWS)
            curve = [e.loss for e in sample(sol.history, CURVE_POINTS)]
            hint = "" if sol.shown else HINT
    position = {name: i for i, name in enumerate(g.params)}
    columns = [(name, position[name]) for name in g.trainable]
    title = p.title or p.path
    return Outline(
        title, p.description.strip(), g.loss, precision, parts, closed, history, columns, curve, final, hint
    )


def _update_title(sol: Solution) -> str:
    """ "Updates (SGD)", or the optimizer's name and its weight decay."""
    training = sol.problem.training
    if training is None or training.optimizer.plain:
        return PHASES["update"]
    settings = training.optimizer
    decay = f", weight decay {format_number(settings.weight_decay)}" if settings.weight_decay else ""
    return f"Updates ({settings.optimizer.title}{decay})"


def _part(sol: Solution, t: int, steps: list[Step], precision: int) -> Part:
    sections = []
    batch = len({s.example for s in steps}) > 1
    for (k, phase), group in groupby(steps, key=lambda s: (s.example, s.phase)):
        title = _update_title(sol) if phase == "update" else PHASES[phase]
        if k is not None:
            title += f", example {k}"
            index = _index(sol, t, k)
            if index is not None and index + 1 != k:  # a minibatch: position k is another data row
                title += f" (data example {index + 1})"
        elif phase != "update" and batch:
            what = "Loss" if phase == "forward" else "Gradients"
            title = f"{what} over the batch ({sol.problem.reduction} of the examples)"
        sections.append(Section(title, [shown_step(s, precision) for s in group]))
    return Part(_heading(sol, t), sections)


def _heading(sol: Solution, t: int) -> str:
    if not sol.problem.training:
        return "Working"
    said = []
    if len(sol.history) > 2:
        said.append(f"epoch {(t - 1) // sol.updates_per_epoch + 1}")
    index = _index(sol, t, None)
    if index is not None and len(sol.problem.data) > 1:  # an online update: which example it learns from
        said.append(example_label(sol, index))
    return f"Update {t} of {sol.updates}" + (f" ({', '.join(said)})" if said else "")


def _index(sol: Solution, t: int, k: int | None) -> int | None:
    """The data row (0-based) of example k of worked update t; k None: of an update of one example."""
    found = [w.index for w in sol.worked if w.update == t and w.example == k]
    return found[0] if found else None


def example_label(sol: Solution, index: int) -> str:
    """example 2: x1 = 3, x2 = 4 (the inputs listed when there are few)."""
    label = f"example {index + 1}"
    inputs = sol.problem.inputs
    if 0 < len(inputs) <= LISTED_INPUTS:
        row = sol.problem.data[index]
        label += ": " + ", ".join(f"{text_name(n)} = {text(Num(row[n]))}" for n in inputs if n in row)
    return label


def shown_step(s: Step, precision: int) -> Shown:
    parts: list[tuple[Expr, int]] = [(s.formula, precision)]
    texts = [text(s.target, precision), text(s.formula, precision)]
    # a step without numbers (`diff` without a point: value NaN) shows its formula alone
    candidates: list[tuple[Expr, int]] = [] if math.isnan(s.value) else [(Num(s.value), precision)]
    if s.substitution is not None:
        digits = agreeing_digits(s.substitution, s.value, precision)
        candidates.insert(0, (s.substitution, digits))
    for e, digits in candidates:
        written = text(e, digits)
        if written not in texts[1:]:
            parts.append((e, digits))
            texts.append(written)
    return Shown(s, tuple(parts), tuple(texts))


def agreeing_digits(substituted: Expr, value: float, precision: int) -> int:
    """Significant digits for the computed numbers of a formula with numbers substituted, so that they
    never contradict its value: `precision`, or more when numbers rounded to it would give a value
    far from the true one (0.99999989 shown as 1 makes 1·(1 − 1) = 1.1e−07 read as a slip). Far:
    off by more than a reader's rounding explains (10^(2 − precision), at most 10%)."""
    tolerance = min(10.0 ** (2 - precision), 0.1) * abs(value)
    for digits in range(precision, 18):
        try:
            shown = evaluate(_rounded(substituted, digits), _no_names)
        except (ArithmeticError, ValueError, LookupError):
            return precision  # a formula that keeps a name, or that rounding breaks: nothing to match
        if abs(shown - value) <= tolerance or format_number(shown, precision) == format_number(
            value, precision
        ):
            return digits
    return precision


def _rounded(e: Expr, digits: int) -> Expr:
    """e with every computed number (a float) rounded to `digits` significant digits."""
    if isinstance(e, Num) and isinstance(e.value, float) and not e.text:
        return Num(float(f"{e.value:.{digits}g}"))
    if isinstance(e, Call):
        return Call(e.op, tuple(_rounded(a, digits) for a in e.args), e.param)
    return e


def _no_names(e: Expr) -> float:
    raise LookupError(f"no number for {e}")


def notation(note: str) -> list[tuple[str, str, str, str]]:
    """A rule note cut at its notation, for renderers that can set scripts: (text before, base,
    "^" or "_", script) for e^(−x) and softmax_k, then (the rest, "", "", "")."""
    out, pos = [], 0
    for m in _NOTATION.finditer(note):
        base, sup, sub = m.groups()
        out.append(
            (note[pos : m.start()], base, "^" if sup is not None else "_", sup if sup is not None else sub)
        )
        pos = m.end()
    return [*out, (note[pos:], "", "", "")]


def sample(history: tuple[Epoch, ...] | list[Epoch], rows: int) -> list[Epoch]:
    """At most `rows` epochs, evenly spaced, the first and the last among them."""
    n = len(history)
    if n <= rows:
        return list(history)
    return [history[i] for i in sorted({round(i * (n - 1) / (rows - 1)) for i in range(rows)})]
