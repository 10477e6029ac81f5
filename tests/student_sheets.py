"""Seeded student sheets with their truth: a plan (student_model.py) worked with zero, one or two slips
(student_slips.py) swapped in, written the way students write (full, sparse or updated parameters only;
4 significant figures or 4 decimals, carried at full or at written precision; the ids spelled as
students spell them). The truth of each written step is worked here too, from the student's own
values: their own error when the correct rule, applied to what they had, does not give what they
wrote; carried when it does but the number differs from a slip-free student's. Plain Python.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from .student_model import Plan
from .student_slips import SLIPS, Slip, dependencies

STYLES = ("full", "sparse", "updates")
ROUNDINGS = ("sig4", "dec4")
CARRIES = ("written", "full")
SPELLINGS = ("canonical", "textbook", "ascii", "mixed")


@dataclass
class Sheet:
    problem: str
    style: str
    rounding: str
    carry: str
    spelling: str
    slips: tuple[str, ...]
    answers: dict[str, str]  # as written: the student's spelling of the id ↦ the number
    truth: dict[str, str] = field(default_factory=dict)  # step id ↦ right, own, carried or either
    own: dict[str, set[str]] = field(default_factory=dict)  # own error ↦ the slips it shows


def write(v: float, rounding: str) -> str:
    return f"{v:#.4g}" if rounding == "sig4" else f"{v:.4f}"


def unit(text: str) -> float:
    m = re.fullmatch(r"-?\d*\.?(\d*)(?:e([-+]?\d+))?", text)
    assert m, text
    return 10.0 ** (int(m.group(2) or 0) - len(m.group(1)))


def written_ids(plan: Plan, style: str, rng: random.Random) -> set[str]:
    """What the student hands in. Sparse: the forward values (a net input now and then left out),
    the parameters' gradients, some deltas, the updated parameters."""
    if style == "full":
        return {w.id for w in plan.steps}
    if style == "updates":
        return {w.id for w in plan.steps if w.tag == "param"}
    keep = {"out", "loss", "gradient", "batch_gradient", "param"}
    chance = {"net": 0.7, "delta": 0.4, "loss_term": 0.5}
    return {w.id for w in plan.steps if w.tag in keep or rng.random() < chance.get(w.tag, 0.0)}


def work(
    plan: Plan, slips: Sequence[Slip], written: set[str], rounding: str, carry: str
) -> tuple[dict[str, str], dict[str, float]]:
    """The sheet the student writes, and the values they carry on with."""
    rules = {k: r for s in slips for k, r in s.rules.items()}
    pens = {k: p for s in slips for k, p in s.pen.items()}
    values: dict[str, float] = dict(plan.given)
    texts: dict[str, str] = {}
    for w in plan.steps:
        v = rules.get(w.id, w.rule)(values)
        if w.id in written:
            text = write(v, rounding)
            if w.id in pens:
                text = pens[w.id](text) or text
            texts[w.id] = text
            if carry == "written":
                v = float(text)
        values[w.id] = v
    return texts, values


class Rework(dict[str, float]):
    """Each step worked by the correct rule from the student's values: the written ones as they carry
    them, the skipped ones worked again correctly from those."""

    def __init__(self, plan: Plan, written: set[str], carried: Mapping[str, float]) -> None:
        super().__init__(plan.given)
        self.index, self.written, self.carried = plan.index(), written, carried

    def __missing__(self, k: str) -> float:
        v = self.carried[k] if k in self.written else self.index[k].rule(self)
        self[k] = v
        return v

    def correct(self, k: str) -> float:
        return self.index[k].rule(self)


def _tainted(plan: Plan, slip: Slip, written: set[str]) -> set[str]:
    """The written steps a slip shows in first: its own steps, and those it reaches through skipped ones."""
    deps = dependencies(plan)
    sites = set(slip.rules) | set(slip.pen)
    hidden: set[str] = set()
    shown: set[str] = set()
    for w in plan.steps:
        hit = w.id in sites or bool(deps[w.id] & hidden)
        if hit and w.id in written:
            shown.add(w.id)
        elif hit:
            hidden.add(w.id)
    return shown


def make_sheet(
    plan: Plan,
    rng: random.Random,
    style: str,
    rounding: str,
    carry: str,
    spelling: str,
    names: Sequence[str],
) -> Sheet | None:
    """One sheet with its truth, or None when a slip would not show (or shows ambiguously)."""
    written = written_ids(plan, style, rng)
    slips = []
    for n in names:
        s = SLIPS[n](plan, rng, written)
        if s is None or any((set(s.rules) | set(s.pen)) & (set(o.rules) | set(o.pen)) for o in slips):
            return None
        slips.append(s)
    try:
        texts, carried = work(plan, slips, written, rounding, carry)
        base, _ = work(plan, [], written, rounding, carry)
        # the sheet without each slip: a slip shows in an answer only when the answer would be another
        # number without it (x1 and x2 swapped where x1 = x2, σ for σ′ in a factor left out)
        without = {
            s.name: work(plan, [o for o in slips if o is not s], written, rounding, carry)[0] for s in slips
        }
    except (ArithmeticError, ValueError):
        return None
    first = {s.name: _tainted(plan, s, written) for s in slips}
    rework = Rework(plan, written, carried)
    sheet = Sheet(plan.name, style, rounding, carry, spelling, tuple(s.name for s in slips), {})
    for w in plan.steps:
        if w.id not in texts:
            continue
        text = texts[w.id]
        wv, u = float(text), unit(text)
        try:
            c = rework.correct(w.id)
        except (ArithmeticError, ValueError):
            return None
        if not (math.isfinite(wv) and math.isfinite(c)):
            return None
        d = abs(wv - c)
        if d >= max(3 * u, 0.01 * abs(c)):
            shows = {n for n, steps in first.items() if w.id in steps}
            if not shows:
                raise AssertionError(f"{plan.name}: {w.id} wrong by no slip ({text} for {c})")
            shows = {n for n in shows if without[n].get(w.id) != text}
            if not shows:
                return None  # wrong by either slip alone: which one shows cannot be told
            sheet.truth[w.id], sheet.own[w.id] = "own", shows
        elif d > 0.5 * u * (1 + 1e-9) + 1e-12:
            return None  # neither plainly right nor plainly wrong: not a sheet to measure on
        else:
            db = abs(wv - float(base[w.id]))
            right, far = db <= u * (1 + 1e-9), db >= max(3 * u, 0.002 * abs(c))
            sheet.truth[w.id] = "right" if right else "carried" if far else "either"
    made = {n for shows in sheet.own.values() for n in shows}
    if made != set(sheet.slips):
        return None  # a slip that does not show is not a slip made on this sheet
    sheet.answers = {spell(k, plan.facts["loss"], spelling, rng): t for k, t in texts.items()}
    return sheet


_GRAD = re.compile(r"d([^/]+)/d(.+)")


def spell(sid: str, loss: str, spelling: str, rng: random.Random) -> str:
    """A step id as a student writes it: ∂E_total/∂w5, dE/dw5, w5_new, w5⁺, dE/dW1[1,2]."""
    if spelling == "mixed":
        spelling = rng.choice(SPELLINGS[:3])
    if spelling == "canonical":
        return sid
    m = re.fullmatch(r"(.*?)((?:\[\d+\])?(?:@\d+)?)", sid)
    assert m
    base, suffix = m.groups()
    base = re.sub(r"^(dE/d)?W(\d)_(\d)(\d)(\+?)$", r"\1W\2[\3,\4]\5", base)
    g = _GRAD.fullmatch(base)
    if spelling == "textbook":
        base = f"∂{g.group(1)}/∂{g.group(2)}" if g else base
        base = base[:-1] + "⁺" if base.endswith("+") else base
    else:
        if g and g.group(1) == loss and "_" in loss:
            base = f"d{loss.split('_')[0]}/d{g.group(2)}"
        base = base[:-1] + "_new" if base.endswith("+") else base
    return base + suffix


def _applies(plan: Plan, name: str) -> bool:
    every = {w.id for w in plan.steps}
    return SLIPS[name](plan, random.Random(0), every) is not None


def corpus(plans: Sequence[Plan], n: int, seed: int, names: Sequence[str] | None = None) -> Iterator[Sheet]:
    """n seeded sheets over the plans × styles × roundings × spellings, about one in seven correct,
    the others with one slip or (three in ten) two."""
    for i in range(n):
        rng = random.Random(seed * 1_000_003 + i)
        plan = plans[i % len(plans)]
        style = STYLES[(i // len(plans)) % len(STYLES)]
        if style == "updates" and not any(w.tag == "param" for w in plan.steps):
            style = "sparse"
        pool = [n for n in (names if names is not None else SLIPS) if _applies(plan, n)]
        for _ in range(60):
            k = 0 if i % 7 == 0 else 2 if rng.random() < 0.3 else 1
            chosen = rng.sample(pool, k)
            if len({n.removesuffix("_adam") for n in chosen}) < k:
                continue
            sheet = make_sheet(
                plan, rng, style, rng.choice(ROUNDINGS), rng.choice(CARRIES), rng.choice(SPELLINGS), chosen
            )
            if sheet is not None:
                yield sheet
                break
