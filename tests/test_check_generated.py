"""check on generated sheets over every bundled problem: correctly rounded sheets are never wrong, and
one injected slip is named where it was made, not another one.

The sheets are worked here, independently of backtutor.check: a student works every step in order from
their own earlier numbers (rounded as they wrote them; full precision for steps they skip), and one
slip is injected by its own rule, written out below for each kind in the catalogue.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

import pytest

import backtutor
from backtutor.check import Checker
from backtutor.check.sheet import parse_answer
from backtutor.engine.expr import Call, Deriv, Expr, Sym, Updated
from backtutor.engine.losses import LOSSES
from backtutor.engine.ops import ACTIVATIONS, evaluate
from backtutor.solution import Solution, Step

from .conftest import SOLVABLE

Env = dict[Expr, float]
Slip = Callable[[Step, Env], float | None]  # (step, the student's leaf values) → their wrong number


@pytest.fixture(scope="module")
def solutions():
    """One Solution and one Checker per bundled problem, shared by every sheet."""
    out = []
    for path in SOLVABLE:
        sol = backtutor.solve(path)
        out.append((sol, Checker(sol)))
    return out


def write(v: float, rng: random.Random) -> str:
    """A number as a student rounds it: 3 to 5 decimals, or 4 significant figures when small."""
    if v != 0 and abs(v) < 0.01:
        return f"{v:.{rng.choice((3, 4))}e}"
    return f"{v:.{rng.choice((3, 4, 5))}f}"


def sparse(sol) -> set[str]:
    """What students really hand in: forward values, the parameters' gradients, the updates."""
    g = sol.graph
    return {
        s.id
        for s in sol.steps
        if s.phase in ("forward", "update")
        or (isinstance(s.target, Deriv) and s.target.of == g.loss and s.target.wrt in g.params)
    }


def work(
    sol: Solution, given: set[str], rng: random.Random, slip_at: str = "", slip: Slip | None = None
) -> tuple[dict[str, str] | None, float | None]:
    """The student's sheet {id: written} and the value their slip gave (None: no visible slip)."""
    values: dict[str, float] = {}
    sheet: dict[str, str] = {}
    slipped = None
    for s in sol.steps:
        env = {leaf: values.get(lid, float(v)) if lid else float(v) for leaf, lid, v in s.leaves}
        try:
            v = evaluate(s.formula, env.__getitem__)
        except (ArithmeticError, ValueError):
            return None, None
        if s.id == slip_at and slip is not None:
            wrong = slip(s, env)
            if wrong is None:
                return None, None  # the slip cannot happen here, or would not show
            v = slipped = wrong
        if s.id in given:
            sheet[s.id] = write(v, rng)
            v = float(sheet[s.id])
        values[s.id] = v
    return sheet, slipped


def grade(sol, checker, sheet):
    return checker.grade([parse_answer(i, w, sol) for i, w in sheet.items()])


# ---- each slip of the catalogue, by its own rule: every number it can give at a step --------------------
Variants = Callable[[Step, Env], list[float]]


def _value(e: Expr, env: Env) -> float:
    return evaluate(e, env.__getitem__)


def sign(s: Step, env: Env) -> list[float]:
    return [-_value(s.formula, env)]


def plus_update(s: Step, env: Env) -> list[float]:
    if s.phase != "update" or not (isinstance(s.formula, Call) and s.formula.op == "sub"):
        return []  # the parameter's own step, not an optimizer's buffer
    w, rest = s.formula.args
    return [_value(w, env) + _value(rest, env)]


def missing_factor(s: Step, env: Env) -> list[float]:
    """One factor of the product left out (but 1 − σ left out is σ taken for σ′, its own slip)."""
    f = s.formula
    if not (isinstance(f, Call) and f.op == "mul"):
        return []
    keep = [
        i
        for i, a in enumerate(f.args)
        if not (isinstance(a, Call) and a.op == "sub" and _is_sigmoid(a.args[1]))
    ]
    return [math.prod(_value(a, env) for j, a in enumerate(f.args) if j != i) for i in keep]


def _is_sigmoid(e: Expr) -> bool:
    return isinstance(e, Call) and e.op == "sigmoid"


def sigma_for_derivative(s: Step, env: Env) -> list[float]:
    f = s.formula  # σ(x)·(1 − σ(x)) → σ(x)
    if (
        isinstance(f, Call)
        and f.op == "mul"
        and len(f.args) == 2
        and getattr(f.args[0], "op", "") == "sigmoid"
    ):
        return [_value(f.args[0], env)]
    return []


def extra_factor(s: Step, env: Env) -> list[float]:
    return [_value(s.formula, env) * v for v in env.values() if abs(v) not in (0.0, 1.0)]  # ×0, ×1: no slip


def net_for_out(s: Step, env: Env) -> list[float]:
    """An activation's output written as its input (the activation not applied)."""
    f = s.formula
    if s.phase == "forward" and isinstance(f, Call) and f.op in ACTIVATIONS and len(f.args) == 1:
        return [_value(f.args[0], env)]
    return []


def swapped_weights(s: Step, env: Env) -> list[float]:
    params = [leaf for leaf in env if isinstance(leaf, Sym) and leaf.name.startswith(("w", "W"))]
    if s.phase != "forward":
        return []
    return [
        _value(s.formula, {**env, p: env[q], q: env[p]})
        for i, p in enumerate(params)
        for q in params[i + 1 :]
    ]


def factor_two_for(sol: Solution) -> Variants:
    """A squared loss's gradient twice too big (its ½ forgotten) or half (its 2 forgotten)."""
    loss = sol.graph.loss

    def factor_two(s: Step, env: Env) -> list[float]:
        if not (isinstance(s.target, Deriv) and s.target.of == loss):
            return []
        return [_value(s.formula, env) * 2, _value(s.formula, env) / 2]

    return factor_two


def updated_weights_for(sol: Solution) -> Variants:
    """The weight after this update where a backward step uses a weight (∂net/∂out = w)."""
    after = {(s.update, s.target.name): s.value for s in sol.steps if isinstance(s.target, Updated)}

    def updated_weights(s: Step, env: Env) -> list[float]:
        if s.phase == "backward" and isinstance(s.formula, Sym) and (s.update, s.formula.name) in after:
            return [after[(s.update, s.formula.name)]]
        return []

    return updated_weights


def swapped_for(sol: Solution) -> Variants:
    """Another unit's quantity written in its place: a value of the same shape in the same layer
    (net_h1 for net_h2), or the gradient or update of a parameter that multiplies the same input in
    another unit (w7 for w5)."""
    g = sol.graph
    shapes: dict[str, str] = {}

    def shape(e: Expr) -> str:
        if isinstance(e, Sym):
            kind = g.nodes[e.name].kind if e.name in g.nodes else ""
            return {"param": "P", "target": "T"}.get(kind) or shapes.get(e.name, e.name)
        return f"{e.op}({','.join(map(shape, e.args))})" if isinstance(e, Call) else str(e)

    for n in g.computed:
        shapes[n.name] = shape(n.expr)
        for part in n.expr.args if isinstance(n.expr, Call) else ():
            if isinstance(part, Call) and part.op == "mul" and len(part.args) == 2:
                p, x = sorted(part.args, key=lambda a: getattr(a, "name", "") not in g.params)
                if getattr(p, "name", "") in g.params and isinstance(x, Sym):
                    shapes.setdefault(p.name, f"{shapes[n.name]}*{x.name}")

    def part(s: Step) -> str:
        t = s.target
        if isinstance(t, Sym) and s.phase == "forward":
            return shapes.get(t.name, "")
        if isinstance(t, Deriv) and t.of == g.loss and t.wrt in g.params:
            return "d" + shapes.get(t.wrt, "")
        return "+" + shapes.get(t.name, "") if isinstance(t, Updated) and t.name in g.params else ""

    group: dict[tuple[int, int | None, str], list[Step]] = {}
    for s in sol.steps:
        group.setdefault((s.update, s.example, part(s)), []).append(s)

    def swapped(s: Step, env: Env) -> list[float]:
        mine = part(s)
        if not mine or mine in ("d", "+") or (mine[0] in "d+" and "*" not in mine):
            return []  # a bias, or a quantity no other unit has
        return [o.value for o in group[(s.update, s.example, mine)] if o.id != s.id]

    return swapped


def catalogue(sol: Solution) -> dict[str, Variants]:
    kinds = {
        "sign": sign,
        "plus_update": plus_update,
        "missing_factor": missing_factor,
        "sigma_for_derivative": sigma_for_derivative,
        "extra_factor": extra_factor,
        "swapped_weights": swapped_weights,
        "updated_weights": updated_weights_for(sol),
        "swapped": swapped_for(sol),
        "net_for_out": net_for_out,
    }
    if LOSSES[sol.problem.loss_kind].squared:
        kinds["factor_two"] = factor_two_for(sol)
    return kinds


def injection(kinds: dict[str, Variants], kind: str, rng: random.Random) -> Slip:
    """One of the kind's numbers that no other kind gives (the same number from two rules, as −1 left
    out and a sign error, is one mistake with two names: those sites are not counted)."""

    def slip(s: Step, env: Env) -> float | None:
        plain = _value(s.formula, env)
        others = [x for k, f in kinds.items() if k != kind for x in f(s, env)]
        mine = [
            x
            for x in kinds[kind](s, env)
            if math.isfinite(x)
            and not math.isclose(x, plain, rel_tol=1e-3, abs_tol=1e-3)
            and not any(math.isclose(x, o, rel_tol=1e-3, abs_tol=1e-4) for o in others)
        ]
        return rng.choice(mine) if mine else None

    return slip


# ---- the measurements -------------------------------------------------------------------------------
def test_1000_correctly_rounded_sheets_have_no_wrong_answer(solutions):
    rng = random.Random(9)
    sheets = wrong = 0
    while sheets < 1000:
        sol, checker = solutions[sheets % len(solutions)]
        given = sparse(sol) if rng.random() < 0.5 else {s.id for s in sol.steps}
        given = {i for i in given if rng.random() < 0.9}  # and a few more skipped
        sheet, _ = work(sol, given, rng)
        if sheet is None:
            continue
        report = grade(sol, checker, sheet)
        bad = [v for v in report.verdicts if v.status != "right"]
        assert not bad, (sol.problem.path, bad[:3])
        sheets += 1
        wrong += len(bad)
    assert wrong == 0


ALSO = {"missing_factor": {"missing_factor", "input_missing"}}  # ∂net/∂w left out has its own entry


def test_an_injected_slip_is_named_and_no_other(solutions):
    rng = random.Random(99)
    named = tried = other = 0
    misses: list[tuple[str, str, str, str]] = []
    for sol, checker in solutions:
        kinds = catalogue(sol)
        for kind in kinds:
            slip = injection(kinds, kind, rng)
            for full in (True, False):
                given = {s.id for s in sol.steps} if full else sparse(sol)
                sites = [s for s in sol.steps if kinds[kind](s, _plain_env(s))]
                for s in rng.sample(sites, min(len(sites), 4)):
                    sheet, _ = work(sol, given | {s.id}, rng, s.id, slip)
                    if sheet is None:
                        continue
                    verdicts = {v.id: v for v in grade(sol, checker, sheet).verdicts}
                    tried += 1
                    names = ALSO.get(kind, {kind})
                    v = verdicts[s.id]
                    found = v.slip in names or bool(names & set(v.candidates))
                    named += found
                    other += any(v.slip and v.slip not in names for v in verdicts.values())
                    if not found:
                        misses.append((sol.problem.path, kind, s.id, verdicts[s.id].explanation))
    assert tried >= 150
    assert named >= 0.95 * tried, misses[:10]
    assert other <= 0.01 * tried, misses[:10]


def _plain_env(s: Step) -> Env:
    return {leaf: float(v) for leaf, _, v in s.leaves}
