"""Which step of the working fails when the compiled code cannot compute a value (log of a negative
number, 0 to a negative power) or computes one that is not finite (inf, nan): the run stops with an
error naming the file, that step, the update and the epoch, never a printed `inf`.

The compiled code computes everything in one go, so on failure the same numbers are worked again
node by node with the op table (slow, but only once, when the run is already over)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from ..engine.graph import Graph
from ..engine.ops import evaluate
from .context import Context
from .records import NumericError


def all_finite(*groups: Sequence[float]) -> bool:
    """True when every number of every group is finite."""
    return all(math.isfinite(v) for g in groups for v in g)


def during(ctx: Context, t: int) -> str:
    """Update t as the messages name it: with its epoch when the run trains."""
    if not ctx.plan.training:
        return ""
    return f"update {t} (epoch {(t - 1) // ctx.plan.updates_per_epoch + 1})"


def failure(
    ctx: Context, when: str, index: int, params: Sequence[float], cause: str = "", t: int | None = None
) -> NumericError:
    """The error for example `index` (0-based) with `params` (`when`: "update 3 (epoch 2)" or
    "after epoch 4"; `t`: the update whose step ids to use): the first step whose value cannot be
    computed or is not finite."""
    found = first_failing_step(ctx.graph, ctx.program.data_names, ctx.examples[index], params)
    step, what = found if found else ("", cause or "a value is not a finite number")
    where = [when] if when else []
    if len(ctx.problem.data) > 1:
        where.append(f"example {index + 1}")
    if step:
        where.append(f"step {ctx.ids(step, t) if t else step}")
    hint = "; try a smaller learning rate" if ctx.plan.training and (t or 2) > 1 else ""
    return NumericError(f"{ctx.problem.path}: {', '.join(where)}: {what}{hint}")


def first_failing_step(
    graph: Graph, data_names: Sequence[str], x: Sequence[float], params: Sequence[float]
) -> tuple[str, str] | None:
    """(step id without [k]/@t, what went wrong) of the first failing step, or None."""
    env = dict(zip(data_names, x, strict=True)) | dict(zip(graph.params, params, strict=True))
    for node in graph.computed:
        assert node.expr is not None
        value, problem = _value(evaluate, node.expr, env)
        if problem:
            return node.name, problem
        env[node.name] = value
    local: dict[tuple[str, str], float] = {}
    for (c, n), e in graph.local.items():
        local[(c, n)], problem = _value(evaluate, e, env)
        if problem:
            return f"d{c}/d{n}", problem
    grad = {graph.loss: 1.0}
    for s in graph.sweep():
        grad[s.node], problem = _value(sum, [grad[c] * local[(c, n)] for c, n in s.edges])
        if problem:
            return f"d{graph.loss}/d{s.node}", problem
    return None


def _value(compute: Callable[..., float], *args: Any) -> tuple[float, str]:
    """compute(*args), and the problem with it ("" when it is fine)."""
    try:
        value = float(compute(*args))
    except (ArithmeticError, ValueError) as e:
        return math.nan, str(e)
    if math.isfinite(value):
        return value, ""
    return value, f"the value is {value} (too large for a float, or undefined)"
