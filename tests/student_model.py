"""An independent student: works each bundled trainable problem by hand, step by step, from the problem
file alone (read with yaml.safe_load; nothing of backtutor's engine, solution or checker is used), the
way a student does: σ′ from their own out, δ·x from their own δ, the hidden gradient as a sum over the
units above, each parameter updated from their own gradient.

A plan is the working in order: one `Work` per step, with its rule (a function of the values the
student has). Every rule reads its inputs through the student's own values, so a slip is a rule
swapped in (student_slips.py) and carried on from there, as a student carries it. The step ids are
the ones a template prints; tests/test_diagnosis.py checks them against `backtutor template`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Values = Mapping[str, float]
Rule = Callable[[Values], float]


@dataclass(frozen=True)
class Work:
    id: str
    phase: str  # forward, backward, update
    tag: str  # what the step is, for the slips to find where they can happen
    rule: Rule
    info: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    name: str
    steps: list[Work]
    given: dict[str, float]  # the problem's numbers, keyed "=name" (data: "=name@t")
    facts: dict[str, Any] = field(default_factory=dict)

    def index(self) -> dict[str, Work]:
        return {w.id: w for w in self.steps}


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


ACTIVATIONS: dict[str, Callable[[float], float]] = {
    "sigmoid": sigmoid,
    "relu": lambda x: max(x, 0.0),
    "tanh": math.tanh,
    "identity": lambda x: x,
}


def derivative(kind: str, net: float, out: float) -> float:
    """The activation's derivative as students work it: from their out where the textbook does."""
    if kind == "sigmoid":
        return out * (1 - out)
    if kind == "tanh":
        return 1 - out * out
    if kind == "relu":
        return 1.0 if net > 0 else 0.0
    return 1.0


LOSS_TERM = {
    "half_sse": lambda t, o: 0.5 * (t - o) ** 2,
    "sse": lambda t, o: (t - o) ** 2,
    "cross_entropy": lambda t, o: -t * math.log(o),
    "binary_cross_entropy": lambda t, o: -(t * math.log(o) + (1 - t) * math.log(1 - o)),
}
LOSS_SLOPE = {
    "half_sse": lambda t, o: -(t - o),
    "sse": lambda t, o: -2 * (t - o),
    "cross_entropy": lambda t, o: -t / o,
    "binary_cross_entropy": lambda t, o: -(t / o - (1 - t) / (1 - o)),
}


@dataclass
class Unit:
    name: str
    act: str
    weights: list[str]  # one per input of the layer
    bias: str | None
    net: str = ""
    out: str = ""


def load(path: Path) -> Plan:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if "expressions" in data:
        from .student_batch import chain_batch  # the one problem of expressions, worked by hand

        return chain_batch(path.stem, data)
    return _layered(path.stem, data)


def _expand(row: Mapping[str, Any]) -> dict[str, float]:
    """A data row with its vectors spelled out: x: [3, 1] is x_1 = 3, x_2 = 1."""
    out: dict[str, float] = {}
    for k, v in row.items():
        if isinstance(v, list):
            out.update({f"{k}_{i}": float(x) for i, x in enumerate(v, 1)})
        else:
            out[k] = float(v)
    return out


def _layers(data: dict[str, Any], params: dict[str, float]) -> tuple[list[str], list[list[Unit]]]:
    naming = data.get("naming", {})
    net_f, out_f = naming.get("net", "net_{unit}"), naming.get("out", "out_{unit}")
    inputs = list(data["inputs"])
    row = data["data"][0]
    if any(isinstance(row[i], list) for i in inputs):
        inputs = [f"{i}_{k}" for i in inputs for k in range(1, len(row[i]) + 1)]
    layers: list[list[Unit]] = []
    for n, layer in enumerate(data["network"], 1):
        act = layer.get("activation", "identity")
        units: list[Unit] = []
        if "W" in layer:  # a matrix layer: unit i of layer n is "n_i", its weights Wn_ij
            for i, ws in enumerate(layer["W"], 1):
                names = [f"W{n}_{i}{j}" for j in range(1, len(ws) + 1)]
                params.update(zip(names, map(float, ws), strict=True))
                units.append(Unit(f"{n}_{i}", act, names, None))
        else:
            for name, spec in layer["units"].items():
                units.append(Unit(name, act, list(spec["weights"]), spec.get("bias")))
        for u in units:
            u.net, u.out = net_f.format(unit=u.name), out_f.format(unit=u.name)
        layers.append(units)
    return inputs, layers


def _layered(name: str, data: dict[str, Any]) -> Plan:
    params = {k: float(v) for k, v in (data.get("parameters") or {}).items()}
    inputs, layers = _layers(data, params)
    frozen = set(data.get("frozen", ()))
    trained = [p for p in params if p not in frozen]
    rows = [_expand(r) for r in data["data"]]
    outputs = layers[-1]
    targets = data.get("targets") or {}
    extra = [k for k in rows[0] if k not in inputs]
    target_of = {
        u.name: targets.get(u.name) or (f"target_{u.name}" if f"target_{u.name}" in rows[0] else extra[i])
        for i, u in enumerate(outputs)
    }
    loss = data["loss"]
    training = data.get("training") or {}
    opt = training.get("optimizer") or {"kind": "sgd"}
    given: dict[str, float] = {f"={p}": v for p, v in params.items()}
    given["=eta"] = float(training.get("learning_rate", 0))
    for k, v in opt.items():
        if k != "kind":
            given[f"={k}"] = float(v)
    plan = Plan(name, [], given, {"loss": loss["name"], "optimizer": opt["kind"], "trained": trained})
    plan.facts.update(layers=layers, inputs=inputs, updates=len(rows) if training else 1)
    for t, row in enumerate(rows if training else rows[:1], 1):
        given.update({f"={k}@{t}": v for k, v in row.items()})
        at = "" if plan.facts["updates"] == 1 else f"@{t}"
        _forward(plan, layers, inputs, target_of, loss, t, at, params)
        _backward(plan, layers, inputs, target_of, loss, t, at, frozen, params)
        if training:
            _update(plan, trained, opt["kind"], t, at)
    return plan


def param_key(plan: Plan, p: str, t: int) -> str:
    """The value the student has for parameter p during update t: given, or their own update."""
    trained = p in plan.facts["trained"]
    if t == 1 or not trained:
        return f"={p}"
    return f"{p}+" + ("" if plan.facts["updates"] == 1 else f"@{t - 1}")


def _source(plan: Plan, x: str, inputs: list[str], t: int, at: str) -> str:
    return f"={x}@{t}" if x in inputs else f"{x}{at}"


def _forward(
    plan: Plan,
    layers: list[list[Unit]],
    inputs: list[str],
    target_of: Mapping[str, str],
    loss: Any,
    t: int,
    at: str,
    params: Mapping[str, float],
) -> None:
    below = inputs
    for units in layers:
        for u in units:
            ws = [param_key(plan, w, t) for w in u.weights]
            xs = [_source(plan, x, inputs, t, at) for x in below]
            b = param_key(plan, u.bias, t) if u.bias else None
            plan.steps.append(
                Work(
                    u.net + at,
                    "forward",
                    "net",
                    _net_rule(ws, xs, b),
                    {"unit": u, "t": t, "w": ws, "x": xs, "b": b},
                )
            )
        nets = [u.net + at for u in units]
        for k, u in enumerate(units):
            if u.act == "softmax":
                rule = _softmax_rule(nets, k)
            else:
                f, net = ACTIVATIONS[u.act], u.net + at
                rule = lambda v, f=f, net=net: f(v[net])  # noqa: E731
            plan.steps.append(
                Work(u.out + at, "forward", "out", rule, {"unit": u, "t": t, "net_id": u.net + at})
            )
        below = [u.out for u in units]
    kind, total = loss["kind"], loss["name"]
    terms = []
    for u in layers[-1]:
        tk, ok = f"={target_of[u.name]}@{t}", u.out + at
        term = lambda v, tk=tk, ok=ok: LOSS_TERM[kind](v[tk], v[ok])  # noqa: E731
        if len(layers[-1]) == 1:
            plan.steps.append(Work(total + at, "forward", "loss", term))
            return
        terms.append(f"E_{u.name}{at}")
        plan.steps.append(Work(terms[-1], "forward", "loss_term", term))
    plan.steps.append(Work(total + at, "forward", "loss", lambda v: sum(v[k] for k in terms)))


def _net_rule(ws: list[str], xs: list[str], b: str | None) -> Rule:
    """Σ w·x + b as a calculator gives it: 0.5·1 − 0.3·2 + 0.1 is 0, not binary floats' 2.8e-17."""
    return lambda v: round(sum(v[w] * v[x] for w, x in zip(ws, xs, strict=True)) + (v[b] if b else 0.0), 12)


def _softmax_rule(nets: list[str], k: int) -> Rule:
    def rule(v: Values) -> float:
        top = max(v[n] for n in nets)
        exps = [math.exp(v[n] - top) for n in nets]
        return exps[k] / sum(exps)

    return rule


def _backward(
    plan: Plan,
    layers: list[list[Unit]],
    inputs: list[str],
    target_of: Mapping[str, str],
    loss: Any,
    t: int,
    at: str,
    frozen: set[str],
    params: Mapping[str, float],
) -> None:
    L, kind = loss["name"], loss["kind"]
    d = lambda a, b: f"d{a}/d{b}{at}"  # noqa: E731
    for u in layers[-1]:
        tk, ok = f"={target_of[u.name]}@{t}", u.out + at
        plan.steps.append(
            Work(
                d(L, u.out),
                "backward",
                "loss_slope",
                lambda v, tk=tk, ok=ok: LOSS_SLOPE[kind](v[tk], v[ok]),
                {"unit": u, "kind": kind},
            )
        )
    for n in range(len(layers) - 1, -1, -1):
        units = layers[n]
        if n < len(layers) - 1:
            _hidden_inputs(plan, units, layers[n + 1], L, t, at, d)
        _deltas(plan, units, L, at, d)
        below = inputs if n == 0 else [u.out for u in layers[n - 1]]
        for u in units:
            for w, x in zip(u.weights, below, strict=True):
                if w not in frozen:
                    _gradient(plan, u, w, _source(plan, x, inputs, t, at), L, at, d, "weight")
        seen: set[str] = set()
        for u in units:
            if u.bias and u.bias not in frozen and u.bias not in seen:
                seen.add(u.bias)
                _gradient(plan, u, u.bias, "=one", L, at, d, "bias")
    plan.given["=one"] = 1.0


def _hidden_inputs(plan: Plan, units: list[Unit], above: list[Unit], L: str, t: int, at: str, d: Any) -> None:
    for k, h in enumerate(units):
        locals_ = []
        for o in above:
            wk = param_key(plan, o.weights[k], t)
            locals_.append(d(o.net, h.out))
            plan.steps.append(
                Work(
                    locals_[-1],
                    "backward",
                    "local_weight",
                    lambda v, wk=wk: v[wk],
                    {"w": o.weights[k], "t": t},
                )
            )
        deltas = [d(L, o.net) for o in above]
        plan.steps.append(
            Work(
                d(L, h.out),
                "backward",
                "hidden_slope",
                lambda v, ds=deltas, ls=locals_: sum(v[a] * v[b] for a, b in zip(ds, ls, strict=True)),
                {"unit": h, "k": k, "above": above, "deltas": deltas, "t": t},
            )
        )


def _deltas(plan: Plan, units: list[Unit], L: str, at: str, d: Any) -> None:
    if units[0].act == "softmax":
        outs = [u.out + at for u in units]
        for j, uj in enumerate(units):
            jac = []
            for i, ui in enumerate(units):
                jac.append(d(ui.out, uj.net))
                oi, oj = outs[i], outs[j]
                rule = (
                    (lambda v, oi=oi: v[oi] * (1 - v[oi]))
                    if i == j
                    else (lambda v, oi=oi, oj=oj: -v[oi] * v[oj])
                )
                plan.steps.append(Work(jac[-1], "backward", "jacobian", rule, {"i": i, "j": j}))
            slopes = [d(L, ui.out) for ui in units]
            plan.steps.append(
                Work(
                    d(L, uj.net),
                    "backward",
                    "delta",
                    lambda v, s=slopes, jac=jac: sum(v[a] * v[b] for a, b in zip(s, jac, strict=True)),
                    {"unit": uj, "softmax": True, "slopes": slopes, "jac": jac, "j": j},
                )
            )
        return
    for u in units:
        net, out = u.net + at, u.out + at
        plan.steps.append(
            Work(
                d(u.out, u.net),
                "backward",
                "act_slope",
                lambda v, a=u.act, net=net, out=out: derivative(a, v[net], v[out]),
                {"unit": u, "out_id": out},
            )
        )
        slope, local = d(L, u.out), d(u.out, u.net)
        plan.steps.append(
            Work(
                d(L, u.net),
                "backward",
                "delta",
                lambda v, s=slope, g=local: v[s] * v[g],
                {"unit": u, "slope": slope, "local": local},
            )
        )


def _gradient(plan: Plan, u: Unit, p: str, x: str, L: str, at: str, d: Any, what: str) -> None:
    local = d(u.net, p)
    plan.steps.append(Work(local, "backward", "local_input", lambda v, x=x: v[x], {"x": x}))
    delta = d(L, u.net)
    plan.steps.append(
        Work(
            d(L, p),
            "backward",
            "gradient",
            lambda v, a=delta, b=local: v[a] * v[b],
            {"param": p, "delta": delta, "local": local, "what": what, "x": x},
        )
    )


def _update(plan: Plan, trained: list[str], kind: str, t: int, at: str) -> None:
    plan.given["=zero"] = 0.0
    for p in trained:
        plan.steps += _updates_of(plan, p, kind, t, at)


def _updates_of(plan: Plan, p: str, kind: str, t: int, at: str) -> list[Work]:
    """One parameter's update: w − η·g, or through the optimizer's buffers, each its own step."""
    w, g = param_key(plan, p, t), f"d{plan.facts['loss']}/d{p}{at}"
    info: dict[str, Any] = {"param": p, "t": t, "w": w, "g": g}
    new = f"{p}+{at}"
    if kind == "sgd":
        return [Work(new, "update", "param", lambda v: v[w] - v["=eta"] * v[g], info)]
    gid = f"g_{p}{at}"
    info["gid"] = gid

    def before(b: str) -> str:
        return "=zero" if t == 1 else f"{b}_{p}+@{t - 1}"

    if kind == "momentum":
        vel, prev = f"v_{p}+{at}", before("v")
        return [
            Work(gid, "update", "g", lambda v: v[g], info),
            Work(
                vel, "update", "velocity", lambda v: v["=momentum"] * v[prev] + v[gid], {**info, "prev": prev}
            ),
            Work(new, "update", "param", lambda v: v[w] - v["=eta"] * v[vel], {**info, "by": vel}),
        ]
    m, s2, mh, vh, st = f"m_{p}+{at}", f"v_{p}+{at}", f"m_hat_{p}{at}", f"v_hat_{p}{at}", f"step_{p}{at}"
    pm, pv = before("m"), before("v")
    info.update(pm=pm, pv=pv, m=m, v=s2, mh=mh, vh=vh)
    b1, b2 = plan.given["=beta1"], plan.given["=beta2"]
    return [
        Work(gid, "update", "g", lambda v: v[g], info),
        Work(m, "update", "m", lambda v: b1 * v[pm] + (1 - b1) * v[gid], info),
        Work(s2, "update", "v", lambda v: b2 * v[pv] + (1 - b2) * v[gid] ** 2, info),
        Work(mh, "update", "m_hat", lambda v: v[m] / (1 - b1**t), info),
        Work(vh, "update", "v_hat", lambda v: v[s2] / (1 - b2**t), info),
        Work(st, "update", "step", lambda v: v["=eta"] * v[mh] / (math.sqrt(v[vh]) + v["=eps"]), info),
        Work(new, "update", "param", lambda v: v[w] - v[st], {**info, "by": st}),
    ]
