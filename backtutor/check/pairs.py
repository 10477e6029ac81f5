"""Two slips that show only together: the student made slip A in one step and slip B in another, and
the only answer where either shows carries both (a sign lost in ∂E/∂out and η left out of w⁺, with
neither ∂E/∂w nor anything between written). Tried only when no single slip reproduces the number,
among the rules of the step and of the steps of its update the student skipped under it, each in one
step (the two in two steps); named only when one pair of slips, as the student is told them, gives
the number. A pair found on a sheet is tried first in its later answers, where it shows again.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping

from ..solution import Step
from .explain import Explainer, about, downstream
from .recompute import Hypothesis, Pair, Paired, SheetState, Try
from .sheet import Answer

# rules too many to pair: one per quantity of the step (an extra factor of each), so that some
# pair of them gives almost any number
LOOSE = frozenset({"extra_factor"})


MANY = 3  # more pairs than this give the number: it says nothing
# more single slips than this in an answer's skipped working (a conv kernel's gradient over a whole
# map skipped: 57 steps, ~170 slips): their ~15,000 pairs cost most of a second per answer, and some
# pair of that many gives almost any number; the student-model corpus finds its pairs among ≤ 70
MOST_SINGLES = 100


class PairSearch:
    """Works one answer's step under every pair of single slips in its skipped working."""

    def __init__(self, explainer: Explainer, a: Answer, step: Step, state: SheetState) -> None:
        self.x, self.a, self.step, self.state = explainer, a, step, state
        self.recompute = explainer.recompute
        skipped = [d for d in state.reworked(step) if d not in state.student and d in self.x.index]
        self.users: dict[str, list[str]] = {}
        for c in skipped:
            for d in self.x.index[c].depends_on:
                self.users.setdefault(d, []).append(c)
        self.sites = sorted(
            (d for d in skipped if self.x.index[d].update == step.update), key=self.x.order.__getitem__
        )
        self.base = SheetState(self.recompute, state.student)
        self.base.work(step)
        self.cones: dict[str, set[str]] = {}

    def find(self, slack: float, plain: float, far: float) -> Paired | None:
        """The slip that every pair giving the answer has, and the other slip of each (several when
        they cannot be told apart: + for − in w⁺ or a sign lost in ∂E/∂w); None when no pair gives
        it, or the pairs have no slip in common."""
        found_before = self.again(slack, plain, far)
        if found_before is not None or not self.sites:
            return found_before
        found: dict[tuple[tuple[str, str], ...], Pair] = {}
        singles = list(self._singles())
        if len(singles) > MOST_SINGLES:
            return None
        told = [_key((s, h)) for s, h, _ in singles]
        for i, (s1, h1, w1) in enumerate(singles):
            worked: dict[str, float] | None = None  # the working with the first slip, once for all its pairs
            for j, (s2, h2, _) in enumerate(singles[i + 1 :], start=i + 1):
                if s2 == s1 or told[i] == told[j]:
                    continue  # one step, or one slip made twice
                key = (told[i], told[j]) if told[i] < told[j] else (told[j], told[i])
                if key in found:
                    continue
                worked = self._worked(s1, w1) if worked is None else worked
                p = ((s1, h1), (s2, h2))
                if self._gives(p, w1, worked):
                    found[key] = p
                    if len(found) > MANY:
                        return None
        common = _common(list(found.values()))
        if common is not None:
            self.state.pairs.append(common)
        return common

    def again(self, slack: float, plain: float, far: float) -> Paired | None:
        """A pair found in another answer of this sheet that gives this one too: each slip in the
        step it was made in, or (when this answer does not rest on that step) in a step of this
        answer's working where the same rule applies (η left out of w2⁺ after w1⁺)."""
        self.slack, self.plain, self.far = slack, plain, far
        for sure, others in self.state.pairs:
            for other in others:
                for p in itertools.product(self._here(sure), self._here(other)):
                    if p[0][0] != p[1][0] and self._gives(p if self._ordered(p) else (p[1], p[0])):
                        return p[0], [p[1]]
        return None

    def _here(self, t: Try) -> list[Try]:
        """The slip in its step, if this answer rests on it; else wherever its rule applies here."""
        if t[0] in self.sites or t[0] == self.step.id:
            return [t]
        return [
            (s, h)
            for s in (*self.sites, self.step.id)
            for h in self.x.at_site(self.x.index[s])
            if _key((s, h)) == _key(t)
        ]

    def _ordered(self, p: Pair) -> bool:
        order = self.x.order
        return order[p[0][0]] <= order[p[1][0]]

    def _singles(self) -> Iterator[tuple[str, Hypothesis, float]]:
        """Each rule that changes one step (a skipped one, then the step itself), with what it gives
        there; one of each (step, number)."""
        seen: set[tuple[str, float]] = set()
        for site in (*self.sites, self.step.id):
            for h in self.x.at_site(self.x.index[site]):
                if h.slip in LOOSE:
                    continue
                at = SheetState(self.recompute, self.state.student, h)
                at.known = self.base.known
                wrong, touched = at.work(self.x.index[site])
                if touched and math.isfinite(wrong) and (site, wrong) not in seen:
                    seen.add((site, wrong))
                    yield site, h, wrong

    def _worked(self, site: str, value: float) -> dict[str, float]:
        """Every number the step is worked from with `site` at `value` (a slip's number there): the
        same numbers each pair with that slip would work out again."""
        state = SheetState(self.recompute, self.state.student)
        state.known = self._after(self.base.known, site, value)
        state.work(self.step)
        return state.known

    def _gives(self, p: Pair, first: float | None = None, known: dict[str, float] | None = None) -> bool:
        """Does the step, worked with both slips (the first's number in its step given; `known`: the
        working with it, when done already), give the answer, far enough from what it is without them?"""
        (s1, h1), (s2, h2) = p
        if first is None:
            at = SheetState(self.recompute, self.state.student, h1)
            at.known = self.base.known
            first = at.work(self.x.index[s1])[0]
        known = self._after(self.base.known, s1, first) if known is None else known
        at = SheetState(self.recompute, self.state.student, h2)
        at.known = known
        second = at.work(self.x.index[s2])[0]
        if s2 == self.step.id:
            value = second
        else:
            after = SheetState(self.recompute, self.state.student)
            after.known = self._after(known, s2, second)
            value = after.work(self.step)[0]
        return abs(value - self.plain) > self.far and self.x.tolerance.close(self.a, value, self.slack)

    def _after(self, known: Mapping[str, float], site: str, value: float) -> dict[str, float]:
        """The values known, with `site` at `value` and what is worked from it to be worked again."""
        if site not in self.cones:
            self.cones[site] = downstream(site, self.users)
        cone = self.cones[site]
        out = {k: v for k, v in known.items() if k not in cone}
        out[site] = value
        return out


def _common(pairs: list[Pair]) -> Paired | None:
    """The slip (as the student is told it) in every pair, and each pair's other one."""
    if len(pairs) == 1:
        return pairs[0][0], [pairs[0][1]]
    keys = [{_key(t) for t in p} for p in pairs]
    common = set.intersection(*keys) if pairs else set()
    if len(common) != 1:
        return None
    sure = next(t for t in pairs[0] if _key(t) in common)
    return sure, [next(t for t in p if _key(t) not in common) for p in pairs]


def _key(t: Try) -> tuple[str, str]:
    """A slip as the student is told it, wherever it was made (a pair's key is its two, sorted)."""
    return t[1].slip, about(t[1].explanation)
