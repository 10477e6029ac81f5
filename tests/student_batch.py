"""chain_fw by hand, the student model's one full-batch problem: f = w3·σ(w2·σ(w1·x)), E = Σ (y − f)²,
each example worked on its own ([k]), the batch's gradient the sum of theirs, one update."""

from __future__ import annotations

from typing import Any

from .student_model import Plan, Values, Work, sigmoid


def chain_batch(name: str, data: dict[str, Any]) -> Plan:
    assert set(data["expressions"]) == {"x1", "x2", "f"}, "only chain_fw is worked by hand here"
    params = {k: float(v) for k, v in data["parameters"].items()}
    given = {f"={p}": v for p, v in params.items()}
    given["=eta"] = float(data["training"]["learning_rate"])
    plan = Plan(name, [], given, {"loss": "E", "optimizer": "sgd", "trained": list(params), "updates": 1})
    n = len(data["data"])
    for k, row in enumerate(data["data"], 1):
        given[f"=x@{k}"], given[f"=y@{k}"] = float(row["x"]), float(row["y"])
        plan.steps += _example(k)
    plan.steps.append(Work("E", "forward", "loss", lambda v: sum(v[f"E[{k}]"] for k in range(1, n + 1))))
    for p in ("w1", "w2", "w3"):
        plan.steps.append(_summed(p, [f"dE/d{p}[{k}]" for k in range(1, n + 1)]))
    plan.steps += [_updated(p) for p in ("w1", "w2", "w3")]
    return plan


def _example(k: int) -> list[Work]:
    x, y = f"=x@{k}", f"=y@{k}"
    x1, x2, f, e, df = (f"{s}[{k}]" for s in ("x1", "x2", "f", "E", "dE/df"))
    l3, g3, lx2, dx2, l2, g2, lx1, dx1, l1, g1 = (
        f"{s}[{k}]"
        for s in [
            "df/dw3",
            "dE/dw3",
            "df/dx2",
            "dE/dx2",
            "dx2/dw2",
            "dE/dw2",
            "dx2/dx1",
            "dE/dx1",
            "dx1/dw1",
            "dE/dw1",
        ]
    )

    def prime(v: Values, w: str, a: str) -> float:
        s = sigmoid(v[a])
        return v[w] * s * (1 - s)

    return [
        Work(x1, "forward", "net", lambda v: v["=w1"] * v[x], {"k": k}),
        Work(x2, "forward", "net", lambda v: v["=w2"] * sigmoid(v[x1]), {"k": k}),
        Work(f, "forward", "net", lambda v: v["=w3"] * sigmoid(v[x2]), {"k": k}),
        Work(e, "forward", "loss", lambda v: (v[y] - v[f]) ** 2, {"k": k}),
        Work(df, "backward", "loss_slope", lambda v: -2 * (v[y] - v[f]), {"kind": "sse"}),
        Work(l3, "backward", "local_input", lambda v: sigmoid(v[x2])),
        Work(
            g3,
            "backward",
            "gradient",
            lambda v: v[df] * v[l3],
            {"param": "w3", "delta": df, "what": "weight"},
        ),
        Work(lx2, "backward", "act_slope", lambda v: prime(v, "=w3", x2)),
        Work(dx2, "backward", "delta", lambda v: v[df] * v[lx2], {"slope": df}),
        Work(l2, "backward", "local_input", lambda v: sigmoid(v[x1])),
        Work(
            g2,
            "backward",
            "gradient",
            lambda v: v[dx2] * v[l2],
            {"param": "w2", "delta": dx2, "what": "weight"},
        ),
        Work(lx1, "backward", "act_slope", lambda v: prime(v, "=w2", x1)),
        Work(dx1, "backward", "delta", lambda v: v[dx2] * v[lx1], {"slope": dx2}),
        Work(l1, "backward", "local_input", lambda v: v[x]),
        Work(
            g1,
            "backward",
            "gradient",
            lambda v: v[dx1] * v[l1],
            {"param": "w1", "delta": dx1, "what": "weight"},
        ),
    ]


def _summed(p: str, parts: list[str]) -> Work:
    return Work(
        f"dE/d{p}",
        "backward",
        "batch_gradient",
        lambda v: sum(v[q] for q in parts),
        {"param": p, "parts": parts},
    )


def _updated(p: str) -> Work:
    info = {"param": p, "w": f"={p}", "g": f"dE/d{p}", "t": 1}
    return Work(f"{p}+", "update", "param", lambda v: v[f"={p}"] - v["=eta"] * v[f"dE/d{p}"], info)
