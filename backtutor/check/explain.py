"""Which catalogued slips reproduce a wrong number. Every one is tried, in the step and in each step of
the same update the student skipped under it (a sign lost in ∂E/∂out that only shows in w⁺), so a slip
is named only when it is the only one that gives the number: when several do, the verdict lists them;
when none does, it names none.

"Swapped" is one of them only where two real units' quantities can be exchanged: two values of the
same kind in one layer (net_h1 and net_h2), the gradients or updates of two parameters that play the
same part in one layer (w5 and w7), never a delta, a local derivative or a zero.
"""

from __future__ import annotations

import dataclasses
import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from ..engine.expr import Call, Deriv, Expr, Sym, Updated
from ..engine.formula import text
from ..engine.graph import Graph
from ..solution import Solution, Step
from .recompute import Hypothesis, Parts, Recompute, SheetState
from .sheet import Answer
from .slips.catalogue import SWAPPED, hypotheses
from .slips.records import SlipContext
from .tolerance import Tolerance

_SKIPPED = " (in {site}, which you did not write)"
_SKIPPED_AT = re.compile(r" \(in [^,()]+, which you did not write\)")
# a right number that the student's own numbers do not give, one slip on them does: two slips undone
UNDONE = "the right number, but not from your own numbers (two slips undo each other): "


@dataclass(frozen=True, slots=True)
class Found:
    """One slip that gives the student's number: its name and what the student is told."""

    slip: str
    explanation: str


class Explainer:
    """Finds every catalogued slip that reproduces a wrong number, through the student's own chain."""

    def __init__(self, sol: Solution, recompute: Recompute, ctx: SlipContext, tolerance: Tolerance) -> None:
        self.sol, self.recompute, self.ctx, self.tolerance = sol, recompute, ctx, tolerance
        self.index = recompute.index
        self.order = {s.id: i for i, s in enumerate(sol.steps)}
        self.role = roles(sol.graph)
        self._hypotheses: dict[str, list[Hypothesis]] = {}  # every sheet tries the same ones
        self._at_site: dict[str, list[Hypothesis]] = {}
        self._by_value: dict[tuple[int, int | None, str, str], tuple[list[float], list[Step]]] = {}
        self.siblings: dict[tuple[int, int | None, str, str], list[Step]] = {}
        for s in sol.steps:
            if self._part(s):
                self.siblings.setdefault(_group(s), []).append(s)

    def find(
        self,
        a: Answer,
        step: Step,
        state: SheetState,
        slack: float,
        plain: float,
        spread: Mapping[str, float] | None = None,
    ) -> dict[str, Found]:
        """Each slip (by name, the first way it happens, in the catalogue's order) that gives `a`;
        `spread`: how far each written number can be from the one the student worked on."""
        found: dict[str, Found] = {}
        other = self.swapped_in(a, step)
        if other is not None:
            told = SWAPPED.told(other=other.id)
            found[SWAPPED.name] = Found(SWAPPED.name, told)
        margin = 0.5 * a.unit + slack
        # σ′ from their written out, and (when that differs) from their net, or from their net only
        # where the out they wrote is σ of it: each a right method. The rounding of the numbers
        # worked from moves each way apart: σ′(16.00) from their net is not 0 as from their out 1.000
        ways: list[tuple[Parts, float]] = [(True, plain)]
        slacks: dict[Parts, float] = {True: slack}
        for parts in (False, state.own_parts):
            at = SheetState(self.recompute, state.student, parts=parts)
            base = at.work(step)[0]
            if parts not in slacks and all(base != b for _, b in ways):
                ways.append((parts, base))
                slacks[parts] = self.recompute.rounding_slack(step, at, spread or {}, base)
        for f in (
            *self._in_step(a, step, state, slack, ways, margin, spread or {}),
            *(
                f
                for parts, base in ways
                for f in self._skipped(a, step, state, slacks[parts], base, margin, parts)
            ),
        ):
            found.setdefault(f.slip, f)
        return found

    def _in_step(
        self,
        a: Answer,
        step: Step,
        state: SheetState,
        slack: float,
        ways: list[tuple[Parts, float]],
        margin: float,
        spread: Mapping[str, float],
    ) -> Iterator[Found]:
        chain: list[Step] | None = None  # the skipped steps a deep rule reworks
        for h in self.hypotheses(step):
            if h.deep:
                if chain is None:
                    chain = [
                        self.index[d]
                        for d in state.reworked(step)
                        if d not in state.student and d in self.index
                    ]
                if not any(self.recompute.alters(h, s) for s in (step, *chain)):
                    continue  # the rule changes nothing here: it cannot be the slip
            for parts, base in ways:
                at = SheetState(self.recompute, state.student, h, parts=parts)
                value, touched = at.work(step)
                if touched and abs(value - base) > margin and self._close(a, step, at, value, slack, spread):
                    yield Found(h.slip, h.explanation)
                    break

    def _close(
        self, a: Answer, step: Step, at: SheetState, value: float, slack: float, spread: Mapping[str, float]
    ) -> bool:
        """The number is the value under the rule, allowing for the rounding of the numbers it rests
        on as the rule weighs them (β·old + (1 − β)·g² swapped weighs g's rounding 1000 times more)."""
        if self.tolerance.close(a, value, slack):
            return True
        assert a.value is not None
        if not spread or not abs(a.value - value) <= 0.01 * abs(a.value):
            return False
        return self.tolerance.close(a, value, self.recompute.rounding_slack(step, at, spread, value))

    def _skipped(
        self,
        a: Answer,
        step: Step,
        state: SheetState,
        slack: float,
        plain: float,
        margin: float,
        parts: Parts = True,
    ) -> Iterator[Found]:
        """The slips of one step, made in a step the student skipped under this one: in this update,
        every rule in every such step (a deep one in that step alone); in an earlier update, the
        ones already found on this sheet. The step is worked under the rule, and only what lies
        between it and this answer is worked again; with `parts` False, σ′ from their net, not their
        written out (a = 1.000 written for σ(16) would make every σ′ under it 0)."""
        base = SheetState(self.recompute, state.student, parts=parts)
        skipped = [d for d in base.reworked(step) if d not in state.student and d in self.index]
        if not skipped:
            return
        base.work(step)
        users: dict[str, list[str]] = {}
        for c in skipped:
            for d in self.index[c].depends_on:
                users.setdefault(d, []).append(c)
        upstream = set(skipped)
        tries = [
            (site, h)
            for site in sorted(skipped, key=self.order.__getitem__)
            if self.index[site].update == step.update
            for h in self.at_site(self.index[site])
        ]
        tries += [
            (site, h) for site, h in state.slips_skipped if site in upstream and site not in state.student
        ]
        # a rule in a skipped step moves this answer through its whole chain: one that moves it by a
        # hair (w4 for b1 in net_h2, 0.0823 for ∂E/∂w5 = 0.0822) explains a slip of the pen by chance
        far = max(margin, 3 * a.unit + slack, 0.01 * abs(plain))
        cones: dict[str, set[str]] = {}
        tried: set[tuple[str, float]] = set()
        for site, h in tries:
            at = SheetState(self.recompute, state.student, h, parts=parts)
            at.known = base.known  # the site's inputs as worked: only the site is worked again
            wrong, touched = at.work(self.index[site])
            if not touched or (site, wrong) in tried or not math.isfinite(wrong):
                continue
            tried.add((site, wrong))
            if site not in cones:
                cones[site] = downstream(site, users)
            after = SheetState(self.recompute, state.student, parts=parts)
            after.known = {k: v for k, v in base.known.items() if k not in cones[site]}
            after.known[site] = wrong
            value = after.work(step)[0]
            if abs(value - plain) > far and self.tolerance.close(a, value, slack):
                if (site, h) not in state.slips_skipped:
                    state.slips_skipped.append((site, h))
                yield Found(h.slip, told_at(h, site, step))

    def at_site(self, step: Step) -> list[Hypothesis]:
        """The step's rules applied to it alone (a deep rule too: the slip made in this step only)."""
        found = self._at_site.get(step.id)
        if found is None:
            found = self._at_site[step.id] = [
                dataclasses.replace(h, deep=False) if h.deep else h for h in self.hypotheses(step)
            ]
        return found

    def hypotheses(self, step: Step) -> list[Hypothesis]:
        found = self._hypotheses.get(step.id)
        if found is None:
            found = self._hypotheses[step.id] = list(hypotheses(self.ctx, step))
        return found

    def swapped_in(self, a: Answer, step: Step) -> Step | None:
        """The first quantity of the step's kind (in working order) that the student's number is,
        when two real units' quantities could be exchanged here. Found by bisection in the group
        sorted by value, so a big sheet does not compare every wrong answer with every sibling."""
        assert a.value is not None
        if not math.isfinite(a.value) or abs(a.value) < a.unit * 10 or not self._part(step):
            return None  # one significant figure (0.3), or a zero, matches too many quantities by chance
        key = _group(step)
        if key not in self._by_value:
            members = sorted(self.siblings[key], key=lambda o: o.value)
            self._by_value[key] = ([o.value for o in members], members)
        values, members = self._by_value[key]
        reach = self.tolerance.reach(a)
        lo, hi = bisect_left(values, a.value - reach), bisect_right(values, a.value + reach)
        found = [o for o in members[lo:hi] if self._alike(step, o) and self.tolerance.close(a, o.value)]
        return min(found, key=lambda o: self.order[o.id], default=None)

    def _part(self, s: Step) -> str:
        """The part a step's quantity plays, for telling which others a student could swap it with:
        a value of a unit (by its role in the layer), a parameter's gradient or update (by the
        parameter's role); "" for everything else (deltas, local derivatives, optimizer buffers)."""
        t, g = s.target, self.sol.graph
        if isinstance(t, Sym) and s.phase == "forward":
            return self.role.get(t.name, "")
        if isinstance(t, Deriv) and t.of == g.loss and t.wrt in g.params:
            return "∂" + self.role.get(t.wrt, "")
        if isinstance(t, Updated) and t.name in g.params:
            return "+" + self.role.get(t.name, "")
        return ""

    def _alike(self, step: Step, other: Step) -> bool:
        """Another quantity playing the same part, with another value: one a student could swap in."""
        return (
            other.id != step.id
            and self._part(other) == self._part(step)
            and not math.isclose(other.value, step.value, rel_tol=1e-9)
        )


def told_at(h: Hypothesis, site: str, step: Step) -> str:
    """What the student is told of a slip made in `site`, for an answer to `step`: where, when they
    did not write that step."""
    return h.explanation if site == step.id else h.explanation + _SKIPPED.format(site=site)


def about(explanation: str) -> str:
    """What the student is told, without where a slip in a skipped step was made: what makes two
    errors the same misconception."""
    return _SKIPPED_AT.sub("", explanation).removeprefix(UNDONE)


def _group(s: Step) -> tuple[int, int | None, str, str]:
    t = s.target
    kind = f"d{t.of}" if isinstance(t, Deriv) else type(t).__name__
    return (s.update, s.example, s.phase, kind)


def downstream(site: str, users: Mapping[str, list[str]]) -> set[str]:
    out: set[str] = set()
    todo = [site]
    while todo:
        for c in users.get(todo.pop(), ()):
            if c not in out:
                out.add(c)
                todo.append(c)
    return out


def roles(graph: Graph) -> dict[str, str]:
    """Each computed value's role, and each parameter's: the shape of its formula with parameters,
    targets and the values under it replaced by their roles, so net_h1 = w1·i1 + w2·i2 + b1 and
    net_h2 = w3·i1 + w4·i2 + b1 share one, and w1 and w3 (both multiplying i1 in such a net) another.
    Roles are numbered, so a deep network's stay short."""
    ids: dict[str, str] = {}
    out: dict[str, str] = {}

    def shape(e: Expr) -> str:
        if isinstance(e, Sym):
            n = graph.nodes.get(e.name)
            kind = n.kind if n is not None else ""
            return {"param": "P", "target": "T"}.get(kind) or out.get(e.name, e.name)
        if isinstance(e, Call):
            return f"{e.op}({','.join(map(shape, e.args))})"
        return text(e)

    for n in graph.computed:
        assert n.expr is not None
        out[n.name] = ids.setdefault(shape(n.expr), f"r{len(ids)}")
        for i, p in _parameters(n.expr):
            if p in graph.params:
                out.setdefault(p, ids.setdefault(f"{out[n.name]}:{i}", f"r{len(ids)}"))
    return out


def _parameters(e: Expr) -> Iterator[tuple[str, str]]:
    """Each parameter of a formula with its part: the input it multiplies, or "+" when added alone."""
    if not isinstance(e, Call):
        return
    for a in e.args:
        if isinstance(a, Sym):
            yield ("+", a.name)
        elif (
            isinstance(a, Call)
            and a.op == "mul"
            and len(a.args) == 2
            and all(isinstance(x, Sym) for x in a.args)
        ):
            x, y = a.args
            assert isinstance(x, Sym) and isinstance(y, Sym)
            yield (y.name, x.name)
            yield (x.name, y.name)
