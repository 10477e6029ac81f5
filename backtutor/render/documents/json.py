"""The Solution as JSON for programs (and for `backtutor check`): every step with a stable id."""

from __future__ import annotations

import math
from typing import Any

from ...engine.expr import Expr
from ...engine.formula import latex, text
from ...solution import Epoch, Solution, Step
from ...solution.gradient_forms import ClosedForm, ClosedForms, closed_forms
from ...text import json_dumps
from ..closed_forms import as_latex, as_text, left_out


def _number(v: float) -> float | None:
    return v if math.isfinite(v) else None


def _both(e: Expr | None, precision: int, blank: bool = False) -> dict[str, str] | None:
    return None if e is None else {"text": text(e, precision, blank), "latex": latex(e, precision, blank)}


def _closed_dict(cf: ClosedForm, precision: int) -> dict[str, Any]:
    """A closed form: text and LaTeX of the chain form and of the simplified one (a batch's Σ in both)."""

    def form(e: Expr | None) -> dict[str, str] | None:
        return None if e is None else {"text": as_text(cf, e, precision), "latex": as_latex(cf, e, precision)}

    return {
        "gradient": _both(cf.target, precision),
        "chain": form(cf.chain),
        "simplified": form(cf.simplified),
        "note": cf.note,
        "examples": cf.examples,
        "reduction": "mean" if cf.mean else "sum",
    }


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


def to_dict(
    sol: Solution, precision: int = 9, steps: list[Step] | None = None, closed: ClosedForms | None = None
) -> dict[str, Any]:
    """closed: the closed forms when the caller has them already (explore shows them twice); by
    default the whole solution's, simplified by SymPy (in its worker), and none for some steps."""
    p, g = sol.problem, sol.graph
    if closed is None:
        closed = closed_forms(sol, simplify=True) if steps is None else ClosedForms([], [])
    return {
        "title": p.title,
        "file": p.path,
        "loss": None if p.forward_only else g.loss,
        "conventions": list(sol.conventions),
        "updates": sol.updates,
        "shown_updates": list(sol.shown),
        "steps": [step_dict(s, precision) for s in (sol.steps if steps is None else steps)],
        "history": [] if p.forward_only else [_epoch(e, g.params) for e in sol.history],
        "update_history": [_epoch(e, g.params) for e in sol.update_history],
        "parameters": {k: _number(v) for k, v in sol.final.items()},
        "closed_forms": [_closed_dict(cf, precision) for cf in closed.forms],
        "closed_forms_note": left_out(closed),
    }


def blank_dict(sol: Solution, precision: int = 9, steps: list[Step] | None = None) -> dict[str, Any]:
    """The worksheet as data (`--blank`): every step with its formula and the numbers substituted
    left blank; no value, closed form, loss or trained parameter."""
    p = sol.problem
    return {
        "title": p.title,
        "file": p.path,
        "loss": None if p.forward_only else sol.graph.loss,
        "updates": sol.updates,
        "shown_updates": list(sol.shown),
        "steps": [
            {
                "id": s.id,
                "phase": s.phase,
                "update": s.update,
                "example": s.example,
                "target": _both(s.target, precision),
                "formula": _both(s.formula, precision, blank=True),
                "substitution": _both(s.substitution, precision, blank=True),
                "depends_on": list(s.depends_on),
                "note": s.note,
            }
            for s in (sol.steps if steps is None else steps)
        ],
    }


def render(sol: Solution, precision: int = 9, steps: list[Step] | None = None, blank: bool = False) -> str:
    """Compact JSON: without `indent`, json.dumps takes the C encoder (several times faster)."""
    data = blank_dict(sol, precision, steps) if blank else to_dict(sol, precision, steps)
    return json_dumps(data) + "\n"
