"""The student's slips, each a rule swapped into the working (student_model.py) and carried on from
there, and the seeded sheets they hand in: full, sparse or updated parameters only, rounded their way,
the step ids spelled their way, each sheet with its truth (which steps are their own errors and of
which slip, which are carried). Plain Python: nothing of backtutor is imported here.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .student_model import Plan, Rule, Work, param_key

# the six slips the catalogue gains with issue #23 (their sheets count apart until it has them)
NEW = frozenset(
    {"W_for_WT", "input_missing", "bias_left_out", "net_for_out", "softmax_diagonal", "one_example"}
)


@dataclass(frozen=True)
class Slip:
    name: str
    rules: Mapping[str, Rule]  # steps worked with another rule
    pen: Mapping[str, Callable[[str], str | None]] = field(default_factory=dict)  # written otherwise


Maker = Callable[[Plan, random.Random, set[str]], "Slip | None"]


def _sites(plan: Plan, tag: str, when: Callable[[Work], bool] = lambda w: True) -> list[Work]:
    return [w for w in plan.steps if w.tag == tag and when(w)]


def _one(
    name: str, tag: str, alter: Callable[[Work, Rule], Rule], when: Callable[[Work], bool] = lambda w: True
) -> Maker:
    """A slip made in one step, chosen at random among the steps where it can happen."""

    def make(plan: Plan, rng: random.Random, written: set[str]) -> Slip | None:
        sites = _sites(plan, tag, when)
        if not sites:
            return None
        w = rng.choice(sites)
        return Slip(name, {w.id: alter(w, w.rule)})

    return make


def _every(
    name: str,
    tags: tuple[str, ...],
    alter: Callable[[Work, Rule], Rule],
    when: Callable[[Work], bool] = lambda w: True,
) -> Maker:
    """A misconception: the same wrong rule in every step where it applies."""

    def make(plan: Plan, rng: random.Random, written: set[str]) -> Slip | None:
        sites = [w for w in plan.steps if w.tag in tags and when(w)]
        return Slip(name, {w.id: alter(w, w.rule) for w in sites}) if sites else None

    return make


def _in_one_update(
    name: str, tags: tuple[str, ...], alter: Callable[[Plan, Work, Rule], Rule], first: int = 1
) -> Maker:
    """The same wrong rule in every step of one update (t ≥ first) where it applies."""

    def make(plan: Plan, rng: random.Random, written: set[str]) -> Slip | None:
        sites = [w for w in plan.steps if w.tag in tags and w.info.get("t", 1) >= first]
        if not sites:
            return None
        t = rng.choice(sorted({w.info.get("t", 1) for w in sites}))
        return Slip(name, {w.id: alter(plan, w, w.rule) for w in sites if w.info.get("t", 1) == t})

    return make


# ---- the rules --------------------------------------------------------------------------------------
def _negated(w: Work, r: Rule) -> Rule:
    return lambda v: -r(v)


def _plus(w: Work, r: Rule) -> Rule:
    return lambda v: 2 * v[w.info["w"]] - r(v)  # w + step for w − step


def _no_eta(w: Work, r: Rule) -> Rule:
    if w.tag == "step":
        return lambda v: r(v) / v["=eta"]
    return lambda v: v[w.info["w"]] - (v[w.info["w"]] - r(v)) / v["=eta"]


def _factor_two(w: Work, r: Rule) -> Rule:
    return (lambda v: r(v) / 2) if w.info["kind"] == "sse" else (lambda v: 2 * r(v))


def _updated_weights(plan: Plan, w: Work, r: Rule) -> Rule:
    """∂net_o/∂out_h taken as the weight already updated, w − η·∂E/∂w (the student's own gradient)."""
    t = w.info["t"]
    at = "" if plan.facts["updates"] == 1 else f"@{t}"
    p, g = param_key(plan, w.info["w"], t), f"d{plan.facts['loss']}/d{w.info['w']}{at}"
    return lambda v: v[p] - v["=eta"] * v[g]


def _w_for_wt(plan: Plan, w: Work, r: Rule) -> Rule:
    k, t, above = w.info["k"], w.info["t"], w.info["above"]
    row = [param_key(plan, p, t) for p in above[k].weights]  # unit k's own weights: a row of W
    return lambda v: sum(v[d] * v[p] for d, p in zip(w.info["deltas"], row, strict=True))


def _square(plan: Plan) -> bool:
    layers = plan.facts.get("layers", [])
    return len(layers) > 1 and all(len(a) == len(b) for a, b in itertools.pairwise(layers))


def _swap_inputs(w: Work, r: Rule) -> Rule:
    ws, xs, b = w.info["w"], w.info["x"], w.info["b"]
    return lambda v: (
        v[ws[0]] * v[xs[1]]
        + v[ws[1]] * v[xs[0]]
        + sum(v[p] * v[x] for p, x in zip(ws[2:], xs[2:], strict=True))
        + (v[b] if b else 0.0)
    )


def _other_unit(plan: Plan, rng: random.Random, written: set[str]) -> Slip | None:
    """A weight of another unit of the layer (on the same input) used in a net input."""
    sites = []
    for w in _sites(plan, "net", lambda w: "unit" in w.info):
        units = next(u for u in plan.facts["layers"] if w.info["unit"] in u)
        sites += [(w, o) for o in units if o is not w.info["unit"]]
    if not sites:
        return None
    w, other = rng.choice(sites)
    k = rng.randrange(len(w.info["w"]))
    ws = list(w.info["w"])
    ws[k] = param_key(plan, other.weights[k], w.info["t"])
    xs, b = w.info["x"], w.info["b"]
    return Slip(
        "other_unit_weight",
        {w.id: lambda v: sum(v[p] * v[x] for p, x in zip(ws, xs, strict=True)) + (v[b] if b else 0.0)},
    )


def _transposed(plan: Plan, rng: random.Random, written: set[str]) -> Slip | None:
    sites = [w.id for w in plan.steps if w.id in written and w.tag not in ("local_input", "local_weight")]
    if not sites:
        return None
    pick = rng.random()  # drawn once: the sheet is worked again without each slip, the same swap

    def swap(text: str) -> str | None:
        m = re.fullmatch(r"(-?)(\d*)\.(\d+)(e.*)?", text)
        if not m:
            return None
        digits = (m.group(2) + m.group(3)).lstrip("0")
        lead = len(m.group(2) + m.group(3)) - len(digits)
        pairs = [i for i in range(len(digits) - 1) if digits[i] != digits[i + 1]]
        if len(digits) < 3 or not pairs:
            return None
        i = pairs[int(pick * len(pairs))]
        d = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
        whole = "0" * lead + d
        cut = len(m.group(2))
        return f"{m.group(1)}{whole[:cut]}.{whole[cut:]}{m.group(4) or ''}"

    return Slip("transposed", {}, {rng.choice(sites): swap})


def _arithmetic(plan: Plan, rng: random.Random, written: set[str]) -> Slip | None:
    """A wrong result from right inputs: only where every input is written or given."""
    deps = dependencies(plan)
    sites = [
        w
        for w in plan.steps
        if w.id in written
        and w.tag not in ("local_input", "local_weight")
        and all(d.startswith("=") or d in written for d in deps[w.id])
    ]
    if not sites:
        return None
    w, factor = rng.choice(sites), rng.choice((-1, 1)) * rng.uniform(0.06, 0.3)
    return Slip("arithmetic", {w.id: lambda v, r=w.rule: r(v) * (1 + factor)})


def _textbook_momentum(plan: Plan, rng: random.Random, written: set[str]) -> Slip | None:
    """v ← μ·v − η·g and w⁺ = w + v, where the problem works v ← μ·v + g and w⁺ = w − η·v."""
    if plan.facts["optimizer"] != "momentum":
        return None
    rules: dict[str, Rule] = {}
    for w in plan.steps:
        if w.tag == "velocity":
            p, g = w.info["prev"], w.info["gid"]
            rules[w.id] = lambda v, p=p, g=g: v["=momentum"] * v[p] - v["=eta"] * v[g]
        elif w.tag == "param":
            rules[w.id] = lambda v, a=w.info["w"], b=w.info["by"]: v[a] + v[b]
    return Slip("momentum_form", rules)


def _restarted(plan: Plan, w: Work, r: Rule) -> Rule:
    g = w.info["gid"]
    if w.tag == "velocity":
        return lambda v: v[g]
    if w.tag == "m":
        return lambda v: (1 - v["=beta1"]) * v[g]
    return lambda v: (1 - v["=beta2"]) * v[g] ** 2


def _beta_swapped(w: Work, r: Rule) -> Rule:
    g = w.info["gid"]
    if w.tag == "m":
        return lambda v: (1 - v["=beta1"]) * v[w.info["pm"]] + v["=beta1"] * v[g]
    return lambda v: (1 - v["=beta2"]) * v[w.info["pv"]] + v["=beta2"] * v[g] ** 2


def _softmax_diagonal(w: Work, r: Rule) -> Rule:
    j = w.info["j"]
    return lambda v: v[w.info["slopes"][j]] * v[w.info["jac"][j]]


def _gets(w: Work, key: str) -> Rule:
    return lambda v: v[w.info[key]]


SLIPS: dict[str, Maker] = {
    "sign": _one("sign", "loss_slope", _negated),
    "plus_update": _one("plus_update", "param", _plus),
    "missing_lr": _one(
        "missing_lr", "param", _no_eta, lambda w: not w.info.get("by", "").startswith("step_")
    ),
    "missing_lr_adam": _one("missing_lr", "step", _no_eta),
    "sigma_for_derivative": _one(
        "sigma_for_derivative",
        "act_slope",
        lambda w, r: _gets(w, "out_id"),
        lambda w: "unit" in w.info and w.info["unit"].act == "sigmoid",
    ),
    "missing_act_deriv": _one(
        "missing_act_deriv", "delta", lambda w, r: _gets(w, "slope"), lambda w: "slope" in w.info
    ),
    "factor_two": _one(
        "factor_two", "loss_slope", _factor_two, lambda w: w.info.get("kind") in ("sse", "half_sse")
    ),
    "updated_weights": lambda plan, rng, written: (
        _in_one_update("updated_weights", ("local_weight",), _updated_weights)(plan, rng, written)
        if plan.facts["optimizer"] == "sgd"
        else None  # w⁺ = w − η·g: plain SGD's
    ),
    "swap_inputs": _one("swap_inputs", "net", _swap_inputs, lambda w: len(w.info.get("w", ())) >= 2),
    "other_unit_weight": _other_unit,
    "transposed": _transposed,
    "arithmetic": _arithmetic,
    "momentum_form": _textbook_momentum,
    "state_restarted": _in_one_update("state_restarted", ("velocity", "m", "v"), _restarted, first=2),
    "bias_correction": _every(
        "bias_correction", ("m_hat", "v_hat"), lambda w, r: _gets(w, "m" if w.tag == "m_hat" else "v")
    ),
    "beta_swapped": _every("beta_swapped", ("m", "v"), _beta_swapped),
    "missing_root": _every(
        "missing_root",
        ("step",),
        lambda w, r: lambda v: v["=eta"] * v[w.info["mh"]] / (v[w.info["vh"]] + v["=eps"]),
    ),
    # the six entries issue #23 adds to the catalogue
    "W_for_WT": lambda plan, rng, written: (
        _in_one_update("W_for_WT", ("hidden_slope",), _w_for_wt)(plan, rng, written)
        if _square(plan)
        else None
    ),
    "input_missing": _one(
        "input_missing", "gradient", lambda w, r: _gets(w, "delta"), lambda w: w.info.get("what") == "weight"
    ),
    "bias_left_out": _one(
        "bias_left_out", "net", lambda w, r: lambda v: r(v) - v[w.info["b"]], lambda w: bool(w.info.get("b"))
    ),
    "net_for_out": _one(
        "net_for_out", "out", lambda w, r: _gets(w, "net_id"), lambda w: w.info["unit"].act != "softmax"
    ),
    "softmax_diagonal": _every(
        "softmax_diagonal", ("delta",), _softmax_diagonal, lambda w: bool(w.info.get("softmax"))
    ),
    "one_example": _every("one_example", ("batch_gradient",), lambda w, r: lambda v: v[w.info["parts"][0]]),
}


class _Recorder(dict[str, float]):
    def __init__(self, base: Mapping[str, float]) -> None:
        super().__init__(base)
        self.read: set[str] = set()

    def __getitem__(self, k: str) -> float:
        self.read.add(k)
        return super().__getitem__(k)


def dependencies(plan: Plan) -> dict[str, set[str]]:
    """What each step's rule reads (step ids and given "=names"), found by working it once."""
    if "deps" not in plan.facts:
        values = _Recorder(plan.given)
        deps = {}
        for w in plan.steps:
            values.read = set()
            value = w.rule(values)
            deps[w.id] = values.read
            dict.__setitem__(values, w.id, value)
        plan.facts["deps"] = deps
    return plan.facts["deps"]
