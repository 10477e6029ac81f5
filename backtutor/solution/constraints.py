"""A student's variant: draws from the file's `variants:` section until the named constraints hold.

The constraints (docs/guide/variants.md), checked on every worked example of the solved variant
(a run of several epochs works its first update, as its worksheet does: what a student works by hand):
  no_dead_relu    every ReLU's input is above 0 (a dead ReLU passes no gradient: nothing to practise)
  min_gradient    every trainable parameter's gradient is at least this in size
  not_saturated   every sigmoid output lies in [1 − b, b] and every tanh output in [−b, b]
A draw that cannot be computed (a log of a negative number, an overflow) counts as a failed try.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..engine.expr import Call, Expr
from ..engine.formula import text
from ..engine.ops import evaluate
from ..errors import InputError
from ..problem import yamlfile
from ..problem.files import FileError
from ..problem.load import load_data
from ..problem.roster import Student
from ..problem.variants import Base, draw, rng_for
from ..problem.variants_schema import RequireFile
from .records import Solution
from .run import solve_by_hand


@dataclass(frozen=True)
class Variant:
    student: Student
    raw: dict[str, Any]  # the problem file's data, the student's numbers in
    solution: Solution
    tries: int  # draws it took


def variant_for(base: Base, student: Student, seed: int, name: str = "") -> Variant:
    """The student's variant (the first draw that meets the constraints), titled with the student's
    name (or id); FileError when none of
    `tries` draws does, naming the constraint that failed most often."""
    rng = rng_for(seed, student.id)
    failed: Counter[str] = Counter()
    example: dict[str, str] = {}
    title = f"{base.raw.get('title') or 'Problem'} — {student.name or 'student ' + student.id}"
    for attempt in range(1, base.spec.tries + 1):
        drawn = draw(base, rng)
        raw = {"title": title} | {k: v for k, v in drawn.items() if k != "title"}  # says whose it is
        try:
            problem = load_data(name or base.path, raw, base.lines)
            sol = solve_by_hand(problem)
        except InputError as e:
            rule, why = "computable", str(e)
        else:
            if attempt == 1:
                _applies(base, sol)
            found = violation(sol, base.spec.require)
            if found is None:
                return Variant(student, raw, sol, attempt)
            rule, why = found
        failed[rule] += 1
        example.setdefault(rule, why)
    rule, times = failed.most_common(1)[0]
    loc = ("variants", "require") if rule != "computable" else ("variants", "vary")
    raise FileError(
        base.path,
        f"no variant for student {student.id!r} meets the constraints in {base.spec.tries} tries; "
        f"'{rule}' failed {times} times, e.g. {example[rule]}. Widen the ranges in variants.vary, "
        "relax variants.require, or raise variants.tries",
        yamlfile.line_of(base.lines, loc),
        yamlfile.field_name(loc),
    )


def _applies(base: Base, sol: Solution) -> None:
    """A constraint about ops the network does not have is a mistake in the file, not a pass."""
    require = base.spec.require
    ops = {c.op for n in sol.graph.computed if n.expr is not None for c in _calls(n.expr)}
    for rule, needs, asked in (
        ("no_dead_relu", {"relu"}, require.no_dead_relu),
        ("not_saturated", {"sigmoid", "tanh"}, require.not_saturated is not None),
    ):
        if asked and not ops & needs:
            loc = ("variants", "require", rule)
            raise FileError(
                base.path,
                f"{rule} is about {' and '.join(sorted(needs))} units, and this network has none",
                yamlfile.line_of(base.lines, loc),
                yamlfile.field_name(loc),
            )


def violation(sol: Solution, require: RequireFile) -> tuple[str, str] | None:
    """The first constraint the solved variant breaks, as (its name, what happened), else None."""
    for w in sol.worked:
        where = f"update {w.update}, example {w.index + 1}"
        env = {k: float(v) for k, v in w.values.items()}
        for node in sol.graph.computed:
            assert node.expr is not None
            for c in _calls(node.expr):
                found = _activation(c, env, require)
                if found:
                    return found[0], f"{found[1]} in {node.name} ({where})"
        least = float(require.min_gradient or 0)
        small = [(p, g) for p in sol.graph.trainable if abs(g := w.gradients.get(p, 0.0)) < least]
        if small:
            return "min_gradient", f"∂{sol.graph.loss}/∂{small[0][0]} = {small[0][1]:.3g} ({where})"
    return None


def _activation(c: Call, env: dict[str, float], require: RequireFile) -> tuple[str, str] | None:
    if c.op == "relu" and require.no_dead_relu:
        x = evaluate(c.args[0], env)
        return ("no_dead_relu", f"relu({text(c.args[0])}) has input {x:.4g} ≤ 0") if x <= 0 else None
    bound = require.not_saturated
    if bound is None or c.op not in ("sigmoid", "tanh"):
        return None
    y, b = evaluate(c, env), float(bound)
    low = 1 - b if c.op == "sigmoid" else -b
    if low <= y <= b:
        return None
    return "not_saturated", f"{c.op}({text(c.args[0])}) = {y:.4g}, outside [{low:g}, {b:g}]"


def _calls(e: Expr) -> Iterator[Call]:
    if isinstance(e, Call):
        yield e
        for a in e.args:
            yield from _calls(a)
