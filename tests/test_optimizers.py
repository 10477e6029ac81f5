"""The optimizers (issue #11) against an independent implementation written here from PyTorch's
published update rules (torch.optim docs), over several updates, online and batch, with and without
weight decay: the trained parameters, and every state step's value equal to the buffers."""

from __future__ import annotations

import math
import typing

import numpy as np
import pytest
from typer.testing import CliRunner

import backtutor
from backtutor.check import Checker, read_sheet
from backtutor.cli.app import app
from backtutor.engine.ops import evaluate
from backtutor.engine.optimizers import KINDS
from backtutor.problem.schema import OptimizerKind

from .conftest import PROBLEMS

runner = CliRunner()

# ŷ = w·x + b, E = ½(y − ŷ)²: ∂E/∂w = (ŷ − y)·x, ∂E/∂b = ŷ − y, written out below by hand
DATA = [(1.0, 2.0), (2.0, 3.5), (-1.0, 0.5)]
START = np.array([0.5, 0.1])  # w, b
PROBLEM = """
inputs: [x]
expressions: {{y_hat: "w*x + b"}}
targets: {{y_hat: y}}
parameters: {{w: 0.5, b: 0.1}}
data: [{{x: 1, y: 2}}, {{x: 2, y: 3.5}}, {{x: -1, y: 0.5}}]
loss: {{kind: half_sse, reduction: {reduction}}}
training:
  learning_rate: {lr}
  mode: {mode}
  epochs: {epochs}
  optimizer: {optimizer}
{decay}"""

# (the file's optimizer, kind, constants as PyTorch names them, textbook form)
CASES = [
    ("sgd", "sgd", {}, False),
    ("{kind: momentum, momentum: 0.8}", "momentum", {"momentum": 0.8}, False),
    ("momentum", "momentum", {"momentum": 0.9}, False),
    ("{kind: momentum, form: textbook, momentum: 0.7}", "momentum", {"momentum": 0.7}, True),
    ("nesterov", "nesterov", {"momentum": 0.9}, False),
    ("{kind: rmsprop, alpha: 0.9}", "rmsprop", {"alpha": 0.9, "eps": 1e-8}, False),
    ("rmsprop", "rmsprop", {"alpha": 0.99, "eps": 1e-8}, False),
    ("adagrad", "adagrad", {"eps": 1e-10}, False),
    ("adam", "adam", {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, False),
    (
        "{kind: adam, beta1: 0.8, beta2: 0.99, eps: 1e-6}",
        "adam",
        {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6},
        False,
    ),
    ("adamw", "adamw", {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, False),
]


def gradient(p: np.ndarray, batch: list[tuple[float, float]], mean: bool) -> np.ndarray:
    total = sum((np.array([(p[0] * x + p[1] - y) * x, p[0] * x + p[1] - y]) for x, y in batch), np.zeros(2))
    return total / len(batch) if mean else total


def reference(kind, c, textbook, lr, decay, batches, epochs, mean):
    """PyTorch's torch.optim rules, as its documentation writes them; returns the parameters after
    each update and each update's buffers (by the names the working gives them)."""
    p, t, out = START.copy(), 0, []
    buf = m = v = square = total = np.zeros(2)
    for _ in range(epochs):
        for batch in batches:
            t += 1
            g = gradient(p, batch, mean)
            if decay and kind != "adamw":
                g = g + decay * p  # coupled weight decay
            rec = {"g": g}
            if kind == "sgd":
                p = p - lr * g
            elif kind == "momentum" and textbook:
                buf = c["momentum"] * buf - lr * g
                p = p + buf
                rec["v+"] = buf
            elif kind in ("momentum", "nesterov"):
                buf = g.copy() if t == 1 else c["momentum"] * buf + g  # PyTorch: b₁ = g₁
                step = lr * (g + c["momentum"] * buf) if kind == "nesterov" else lr * buf
                p = p - step
                rec.update({"v+": buf, "step": step})
            elif kind == "rmsprop":
                square = c["alpha"] * square + (1 - c["alpha"]) * g**2
                step = lr * g / (np.sqrt(square) + c["eps"])
                p = p - step
                rec.update({"v+": square, "step": step})
            elif kind == "adagrad":
                total = total + g * g
                step = lr * g / (np.sqrt(total) + c["eps"])
                p = p - step
                rec.update({"G+": total, "step": step})
            else:  # adam, adamw, as torch.optim arranges the arithmetic
                if kind == "adamw":
                    p = p * (1 - lr * decay)
                m = c["beta1"] * m + (1 - c["beta1"]) * g
                v = c["beta2"] * v + (1 - c["beta2"]) * g * g
                bc1, bc2 = 1 - c["beta1"] ** t, 1 - c["beta2"] ** t
                step = (lr / bc1) * m / (np.sqrt(v) / math.sqrt(bc2) + c["eps"])
                p = p - step
                rec.update({"m+": m, "v+": v, "m_hat": m / bc1, "v_hat": v / bc2, "step": step})
            rec["w+"] = p.copy()
            out.append(rec)
    return out


def batches_of(mode: str) -> list[list[tuple[float, float]]]:
    return [[d] for d in DATA] if mode == "online" else [DATA]


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize("decay", [None, "0.05"])
@pytest.mark.parametrize("mode", ["online", "batch"])
@pytest.mark.parametrize(("written", "kind", "c", "textbook"), CASES, ids=[c[0] for c in CASES])
def test_every_optimizer_against_the_published_rules(write_problem, written, kind, c, textbook, mode, decay):
    lr, epochs, mean = 0.05, 3, mode == "batch"
    text = PROBLEM.format(
        reduction="mean" if mean else "sum",
        lr=lr,
        mode=mode,
        epochs=epochs,
        optimizer=written,
        decay=f"  weight_decay: {decay}\n" if decay else "",
    )
    path = write_problem(text)
    wd = float(decay) if decay else 0.01 if kind == "adamw" else 0.0
    ref = reference(kind, c, textbook, lr, wd, batches_of(mode), epochs, mean)
    fast = backtutor.solve(path)  # several epochs: the plain-float loop, no working
    assert fast.steps == () or all(s.phase != "update" for s in fast.steps)
    assert all(close(fast.final[n], ref[-1]["w+"][i]) for i, n in enumerate(["w", "b"]))
    worked = backtutor.solve(path, shown=range(1, len(ref) + 1))  # every update in Steps
    buffers = [q for q in ref[0] if q not in ("g", "w+")]
    for t, rec in enumerate(ref, start=1):
        for i, n in enumerate(["w", "b"]):
            assert close(worked.step(f"{n}+@{t}").value, rec["w+"][i])
            if kind != "sgd" or decay:
                assert close(worked.step(f"g_{n}@{t}").value, rec["g"][i])
            for q in buffers:
                plus = q.endswith("+")
                sid = f"{q.rstrip('+')}_{n}{'+' if plus else ''}@{t}"
                if kind == "momentum" and q == "step":
                    continue  # PyTorch's momentum has no separate step: w⁺ = w − η·v
                assert close(worked.step(sid).value, rec[q][i]), sid
    assert all(close(worked.final[n], fast.final[n]) for n in ("w", "b"))


def test_each_state_step_names_what_it_depends_on(write_problem):
    path = write_problem(
        PROBLEM.format(reduction="sum", lr=0.1, mode="online", epochs=1, optimizer="adam", decay="")
    )
    sol = backtutor.solve(path)
    assert sol.step("g_w@2").depends_on == ("dE/dw@2",)
    assert sol.step("m_w+@1").depends_on == ("g_w@1",)
    assert sol.step("m_w+@2").depends_on == ("m_w+@1", "g_w@2")
    assert sol.step("m_hat_w@2").depends_on == ("m_w+@2",)
    assert sol.step("step_w@2").depends_on == ("m_hat_w@2", "v_hat_w@2")
    assert sol.step("w+@2").depends_on == ("w+@1", "step_w@2")
    first = next(s for s in sol.steps if s.phase == "update")
    assert "Adam" in first.note and "bias correction" in first.note
    assert any("torch.optim.Adam" in c for c in sol.conventions)


def test_template_lists_the_state_ids_and_a_correct_sheet_is_all_right(write_problem, tmp_path):
    path = write_problem(
        PROBLEM.format(
            reduction="sum", lr=0.1, mode="online", epochs=1, optimizer="adam", decay="  weight_decay: 0.01\n"
        )
    )
    sol = backtutor.solve(path)
    result = runner.invoke(app, ["template", str(path), "--phases", "update"])
    assert result.exit_code == 0, result.output
    ids = [ln.split('"')[1] for ln in result.output.splitlines() if ln.startswith('"')]
    assert ids[:7] == ["g_w@1", "m_w+@1", "v_w+@1", "m_hat_w@1", "v_hat_w@1", "step_w@1", "w+@1"]
    assert ids == [s.id for s in sol.steps if s.phase == "update"]
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text("".join(f'"{s.id}": {s.value!r}\n' for s in sol.steps), encoding="utf-8")
    report = Checker(sol).grade(read_sheet(sheet, sol), str(sheet))
    assert report.right == len(sol.steps) and report.first_error is None


def test_the_update_section_names_the_optimizer(write_problem):
    path = write_problem(
        PROBLEM.format(reduction="sum", lr=0.1, mode="online", epochs=1, optimizer="nesterov", decay="")
    )
    out = runner.invoke(app, ["solve", str(path), "-f", "markdown"]).output
    assert "Updates (SGD with Nesterov momentum)" in out and "Updates (SGD)" not in out


def test_the_schema_lists_every_optimizer_of_the_table():
    assert typing.get_args(OptimizerKind) == KINDS


@pytest.mark.parametrize(
    ("optimizer", "decay", "expected"),
    [
        ("adm", "", "training.optimizer.kind: Input should be"),
        ("{kind: adam, betta1: 0.9}", "", "unknown key 'betta1'; did you mean 'beta1'?"),
        ("{kind: adam, beta1: 1}", "", "training.optimizer.beta1: beta1 must be in [0, 1), got 1"),
        ("{kind: adam, momentum: 0.9}", "", "'momentum' is not a constant of adam (its constants: beta1"),
        ("{kind: rmsprop, eps: 0}", "", "eps must be > 0"),
        ("{kind: nesterov, momentum: 0}", "", "Nesterov momentum needs momentum > 0"),
        ("{kind: adam, form: textbook}", "", "form 'textbook' goes with kind 'momentum'"),
        ("sgd", "  weight_decay: -1\n", "training.weight_decay: weight_decay must be ≥ 0"),
        ("3", "", "expected an optimizer's name or a mapping"),
    ],
)
def test_bad_optimizer_settings_get_a_clear_message(write_problem, optimizer, decay, expected):
    text = PROBLEM.format(reduction="sum", lr=0.1, mode="online", epochs=1, optimizer=optimizer, decay=decay)
    key = "weight_decay:" if decay else "optimizer:"
    line = next(i for i, ln in enumerate(text.splitlines(), start=1) if ln.strip().startswith(key))
    result = runner.invoke(app, ["solve", str(write_problem(text))])
    assert result.exit_code == 2
    assert expected in result.output and f"problem.yaml:{line}:" in result.output


def test_a_state_name_the_model_uses_is_refused(write_problem):
    text = PROBLEM.format(reduction="sum", lr=0.1, mode="online", epochs=1, optimizer="adam", decay="")
    path = write_problem(
        text.replace('"w*x + b"', '"w*x + b", m_w: "2*x"').replace("targets", "outputs: [y_hat]\ntargets")
    )
    result = runner.invoke(app, ["solve", str(path)])
    assert result.exit_code == 2 and "'m_w' is the name the working gives" in result.output


def numeric_gradient(loss, p: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central finite differences: the oracle for the bundled networks' gradients."""
    return np.array([(loss(p + h * e) - loss(p - h * e)) / (2 * h) for e in np.eye(len(p))])


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def q4_loss(p: np.ndarray) -> float:
    """Mazur's 2-2-2 network, w1..w8 trainable, b1 = 0.35, b2 = 0.6, ½ squared error."""
    w1, w2, w3, w4, w5, w6, w7, w8 = p
    h1, h2 = sigmoid(w1 * 0.05 + w2 * 0.1 + 0.35), sigmoid(w3 * 0.05 + w4 * 0.1 + 0.35)
    o1, o2 = sigmoid(w5 * h1 + w6 * h2 + 0.6), sigmoid(w7 * h1 + w8 * h2 + 0.6)
    return 0.5 * (0.01 - o1) ** 2 + 0.5 * (0.99 - o2) ** 2


def test_bundled_q4_with_momentum_three_updates():
    sol = backtutor.solve(PROBLEMS / "q4_momentum.yaml")
    p, v = np.array([0.15, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55]), np.zeros(8)
    for t in (1, 2, 3):
        v = 0.9 * v + numeric_gradient(q4_loss, p)
        p = p - 0.5 * v
        for i in range(8):
            assert math.isclose(sol.step(f"v_w{i + 1}+@{t}").value, v[i], rel_tol=1e-6)
            assert math.isclose(sol.step(f"w{i + 1}+@{t}").value, p[i], rel_tol=1e-6)


def test_bundled_relu_regression_with_adam_one_epoch():
    sol = backtutor.solve(PROBLEMS / "relu_regression_adam.yaml")
    names = ["W1", "W2", "b1", "W", "b2"]
    p, m, v = np.array([0.5, 1.0, 0.5, 1.5, 0.5]), np.zeros(5), np.zeros(5)
    for t, (x1, x2, y) in enumerate([(2, 2, 20), (3, 4, 28)], start=1):

        def loss(q, x1=x1, x2=x2, y=y):
            h = max(0.0, q[0] * x1 + q[1] * x2 + q[2])
            return (y - max(0.0, q[3] * h + q[4])) ** 2

        g = numeric_gradient(loss, p)
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        m_hat, v_hat = m / (1 - 0.9**t), v / (1 - 0.999**t)
        p = p - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8)
        for i, n in enumerate(names):
            assert math.isclose(sol.step(f"m_{n}+@{t}").value, m[i], rel_tol=1e-6)
            assert math.isclose(sol.step(f"v_hat_{n}@{t}").value, v_hat[i], rel_tol=1e-6)
            assert math.isclose(sol.step(f"{n}+@{t}").value, p[i], rel_tol=1e-6)


@pytest.mark.parametrize("written", [c[0] for c in CASES])
def test_each_formula_shown_gives_the_value_shown(write_problem, written):
    """The table's formulas (what the working prints and `check` recomputes) agree with its number
    rules (what the values come from), for every state step of several updates."""
    text = PROBLEM.format(reduction="sum", lr=0.05, mode="online", epochs=2, optimizer=written, decay="")
    sol = backtutor.solve(write_problem(text + "  weight_decay: 0.02\n"), shown=range(1, 7))
    updates = [s for s in sol.steps if s.phase == "update"]
    assert len(updates) >= 6 * 2 * 2
    for s in updates:
        values = {leaf: float(v) for leaf, _, v in s.leaves}
        assert close(evaluate(s.formula, values.__getitem__), s.value), s.id
