"""The Solution as JSON for programs (and for `backtutor check`): every step with a stable id."""

from __future__ import annotations

import json
import math
from typing import Any

from ..engine.expr import Expr
from ..engine.formula import latex, text
from ..solution import Epoch, Solution, Step


def _number(v: float) -> float | None:
    return v if math.isfinite(v) else None


def _both(e: Expr | None, precision: int) -> dict[str, str] | None:
    return None if e is None else {"text": text(e, precision), "latex": latex(e, precision)}


def step_dict(s: Step, precision: int) -> dict[str, Any]:
    return {
        "id": s.id,
        "phase": s.phase,
        "update": s.update,
        "example": s.example,
        "target": _both(s.target, precision),
        "formula": _both(s.formula, precision),
        "substitution": _both(s.substitution, precision),
        "value": _number(s.value),
        "depends_on": list(s.depends_on),
        "closed_form": _both(s.closed_form, precision),
        "note": s.note,
    }


def _epoch(e: Epoch, params: tuple[str, ...]) -> dict[str, Any]:
    return {
        "epoch": e.epoch,
        "update": e.update,
        "loss": _number(e.loss),
        "parameters": dict(zip(params, map(_number, e.params), strict=True)),
    }


def to_dict(sol: Solution, precision: int = 9, steps: list[Step] | None = None) -> dict[str, Any]:
    p, g = sol.problem, sol.graph
    return {
        "title": p.title,
        "file": p.path,
        "loss": g.loss,
        "conventions": list(sol.conventions),
        "updates": sol.updates,
        "shown_updates": list(sol.shown),
        "steps": [step_dict(s, precision) for s in (sol.steps if steps is None else steps)],
        "history": [_epoch(e, g.params) for e in sol.history],
        "update_history": [_epoch(e, g.params) for e in sol.update_history],
        "parameters": {k: _number(v) for k, v in sol.final.items()},
    }


def render(sol: Solution, precision: int = 9, steps: list[Step] | None = None) -> str:
    """Compact JSON: without `indent`, json.dumps takes the C encoder (several times faster)."""
    return json.dumps(to_dict(sol, precision, steps), ensure_ascii=False) + "\n"
