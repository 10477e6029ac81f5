"""check names the optimizer slips (issue #11): Adam's bias correction forgotten, β and 1 − β swapped,
ε inside the square root, g² for g and back, momentum's two forms mixed up, the learning rate
forgotten, the buffers restarted at 0.

Each sheet is `template`'s ids filled with the solution's numbers up to the last update, where one
parameter's optimizer steps are worked here by a student written in this file from the published rules
(PyTorch's torch.optim documentation: Adam, RMSprop, Adagrad, SGD with momentum; the textbook momentum
v ← μv − ηg, w ← w + v), with the slip made at one step and every later step worked from the student's
own (rounded) numbers. The slip must be named where it was made and what follows from it carried.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

import backtutor
from backtutor.check import Checker, read_sheet
from backtutor.cli.app import app

from .conftest import PROBLEMS

runner = CliRunner()
ADAM_LINE = "  optimizer: {kind: adam, beta1: 0.9, beta2: 0.999, eps: 1e-8}"
VARIANTS = {  # relu_regression_adam.yaml with another optimizer line (ε large enough to show)
    "adam_eps": "  optimizer: {kind: adam, beta1: 0.9, beta2: 0.999, eps: 0.5}",
    "rmsprop": "  optimizer: {kind: rmsprop, alpha: 0.9, eps: 0.5}",
    "adagrad": "  optimizer: {kind: adagrad, eps: 0.5}",
}
MOMENTUM_LINE = "  optimizer: {kind: momentum, momentum: 0.9}"


def r(x: float) -> float:
    """A number as the student writes it (10 significant figures) and works on with."""
    return float(f"{x:.10g}")


# ---- the published rules, each slip a switch --------------------------------------------------------
Rule = Callable[[dict[str, float], int, float, float, dict[str, float], str], dict[str, float]]


def adam(
    k: dict[str, float], t: int, w: float, g: float, before: dict[str, float], slip: str
) -> dict[str, float]:
    b1, b2, lr, eps = k["beta1"], k["beta2"], k["lr"], k["eps"]
    m0, v0 = (0.0, 0.0) if slip == "restart" else (before["m"], before["v"])
    gm = g * g if slip == "g2_in_m" else g
    gv = g if slip == "g_in_v" else g * g
    m = r((1 - b1) * m0 + b1 * gm if slip == "swap_m" else b1 * m0 + (1 - b1) * gm)
    v = r((1 - b2) * v0 + b2 * gv if slip == "swap_v" else b2 * v0 + (1 - b2) * gv)
    c1, c2 = (1 - b1, 1 - b2) if slip == "power" else (1 - b1**t, 1 - b2**t)
    m_hat, v_hat = (m, v) if slip == "no_bias" else (r(m / c1), r(v / c2))
    step = r(_scaled(lr, m_hat, v_hat, eps, slip))
    return {"m": m, "v": v, "m_hat": m_hat, "v_hat": v_hat, "step": step, "w+": r(w - step)}


def _scaled(lr: float, over: float, sq: float, eps: float, slip: str) -> float:
    """η·over/(√sq + ε), or as the slip has it."""
    lr = 1.0 if slip == "no_lr" else lr
    if slip == "eps_inside":
        return lr * over / math.sqrt(sq + eps)
    if slip == "no_root":
        return lr * over / (sq + eps)
    return lr * over / (math.sqrt(sq) + eps)


def rmsprop(
    k: dict[str, float], t: int, w: float, g: float, before: dict[str, float], slip: str
) -> dict[str, float]:
    a = k["alpha"]
    gv = g if slip == "g_in_v" else g * g
    v = r((1 - a) * before["v"] + a * gv if slip == "swap_v" else a * before["v"] + (1 - a) * gv)
    step = r(_scaled(k["lr"], g, v, k["eps"], slip))
    return {"v": v, "step": step, "w+": r(w - step)}


def adagrad(
    k: dict[str, float], t: int, w: float, g: float, before: dict[str, float], slip: str
) -> dict[str, float]:
    big_g = r(before["G"] + (g if slip == "g_in_v" else g * g))
    step = r(_scaled(k["lr"], g, big_g, k["eps"], slip))
    return {"G": big_g, "step": step, "w+": r(w - step)}


def momentum(
    k: dict[str, float], t: int, w: float, g: float, before: dict[str, float], slip: str
) -> dict[str, float]:
    """PyTorch: v ← μv + g, w⁺ = w − ηv; the textbook (k["textbook"]): v ← μv − ηg, w⁺ = w + v.
    `other_v` / `other_w` work that step by the other form, `other` both."""
    mu, lr = k["momentum"], k["lr"]
    textbook = bool(k.get("textbook")) != (slip in ("other_v", "other"))
    v0 = 0.0 if slip == "restart" else before["v"]
    gv = g * g if slip == "g2_in_m" else g
    v = r(mu * v0 - lr * gv if textbook else mu * v0 + gv)
    textbook = bool(k.get("textbook")) != (slip in ("other_w", "other"))
    if slip == "no_lr":
        return {"v": v, "w+": r(w - v)}
    return {"v": v, "w+": r(w + v if textbook else w - lr * v)}


@dataclass(frozen=True)
class Case:
    problem: str  # a bundled file or a key of VARIANTS (and "momentum_textbook")
    slip: str  # the switch in the rule above
    named: str  # the slip check must name
    wrong: tuple[str, ...]  # the quantities marked as the student's own error
    carried: tuple[str, ...]  # the quantities carried forward from it
    blank: tuple[str, ...] = ()  # quantities the student skipped
    says: str = ""  # a phrase the explanation contains
    param: str = "W1"


ADAM_AFTER_M = ("m_hat", "step", "w+")
ADAM_AFTER_V = ("v_hat", "step", "w+")
CASES = [
    Case("adam", "no_bias", "bias_correction", ("m_hat", "v_hat"), ("step", "w+"), says="bias correction"),
    Case("adam", "no_bias", "bias_correction", ("step",), ("w+",), blank=("m_hat", "v_hat")),
    Case("adam", "power", "bias_correction", ("m_hat", "v_hat"), ("step", "w+"), says="βᵗ"),
    Case("adam", "swap_m", "beta_swapped", ("m",), ADAM_AFTER_M, says="1 − β"),
    Case("adam", "swap_v", "beta_swapped", ("v",), ADAM_AFTER_V),
    Case("adam", "g2_in_m", "squared_gradient", ("m",), ADAM_AFTER_M, says="g²"),
    Case("adam", "g_in_v", "squared_gradient", ("v",), ADAM_AFTER_V, says="g²"),
    Case("adam", "g_in_v", "squared_gradient", ("step",), ("w+",), blank=("v", "v_hat")),
    Case("adam", "no_root", "missing_root", ("step",), ("w+",), says="square root"),
    Case("adam", "no_lr", "missing_factor", ("step",), ("w+",), says="learning rate"),
    Case("adam", "no_lr", "missing_factor", ("w+",), (), blank=("step",), says="learning rate"),
    Case("adam", "restart", "state_restarted", ("m", "v"), ("m_hat", "v_hat", "step", "w+"), says="from 0"),
    Case("adam_eps", "eps_inside", "epsilon_inside_root", ("step",), ("w+",), says="inside the square root"),
    Case("rmsprop", "swap_v", "beta_swapped", ("v",), ("step", "w+")),
    Case("rmsprop", "g_in_v", "squared_gradient", ("v",), ("step", "w+")),
    Case("rmsprop", "eps_inside", "epsilon_inside_root", ("step",), ("w+",)),
    Case("rmsprop", "no_root", "missing_root", ("step",), ("w+",)),
    Case("adagrad", "g_in_v", "squared_gradient", ("G",), ("step", "w+")),
    Case("adagrad", "eps_inside", "epsilon_inside_root", ("step",), ("w+",)),
    Case("momentum", "other_v", "momentum_form", ("v",), ("w+",), says="μ·v − η·g", param="w5"),
    Case("momentum", "other_w", "momentum_form", ("w+",), (), says="w⁺ = w + v", param="w5"),
    Case("momentum", "other", "momentum_form", ("w+",), (), blank=("v",), param="w5"),
    Case("momentum", "g2_in_m", "squared_gradient", ("v",), ("w+",), param="w5"),
    Case("momentum", "restart", "state_restarted", ("v",), ("w+",), param="w5"),
    Case("momentum", "no_lr", "missing_factor", ("w+",), (), says="learning rate", param="w5"),
    Case("momentum_textbook", "other_v", "momentum_form", ("v",), ("w+",), says="μ·v + g", param="w5"),
    Case("momentum_textbook", "other_w", "momentum_form", ("w+",), (), says="w⁺ = w − η·v", param="w5"),
]
RULES: dict[str, tuple[Rule, dict[str, float], tuple[str, ...]]] = {  # rule, constants, buffers
    "adam": (adam, {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "lr": 0.1}, ("m", "v")),
    "adam_eps": (adam, {"beta1": 0.9, "beta2": 0.999, "eps": 0.5, "lr": 0.1}, ("m", "v")),
    "rmsprop": (rmsprop, {"alpha": 0.9, "eps": 0.5, "lr": 0.1}, ("v",)),
    "adagrad": (adagrad, {"eps": 0.5, "lr": 0.1}, ("G",)),
    "momentum": (momentum, {"momentum": 0.9, "lr": 0.5}, ("v",)),
    "momentum_textbook": (momentum, {"momentum": 0.9, "lr": 0.5, "textbook": 1}, ("v",)),
}


@pytest.fixture(scope="module")
def problems(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("optimizers")
    adam_text = (PROBLEMS / "relu_regression_adam.yaml").read_text(encoding="utf-8")
    momentum_text = (PROBLEMS / "q4_momentum.yaml").read_text(encoding="utf-8")
    assert ADAM_LINE in adam_text and MOMENTUM_LINE in momentum_text
    out = {"adam": PROBLEMS / "relu_regression_adam.yaml", "momentum": PROBLEMS / "q4_momentum.yaml"}
    texts = {k: adam_text.replace(ADAM_LINE, line) for k, line in VARIANTS.items()}
    texts["momentum_textbook"] = momentum_text.replace(
        MOMENTUM_LINE, MOMENTUM_LINE[:-1] + ", form: textbook}"
    )
    for name, text in texts.items():
        out[name] = folder / f"{name}.yaml"
        out[name].write_text(text, encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def solved(problems):
    cache: dict[str, tuple] = {}

    def get(name: str):
        if name not in cache:
            result = runner.invoke(app, ["template", str(problems[name])])
            assert result.exit_code == 0, result.output
            ids = re.findall(r'^"([^"]+)": ~', result.output, re.MULTILINE)
            sol = backtutor.solve(problems[name])
            cache[name] = (sol, Checker(sol), ids)
        return cache[name]

    return get


def student(sol, name: str, param: str, slip: str) -> tuple[dict[str, float], int]:
    """The student's last update of `param` (quantity ↦ value) and that update's number."""
    rule, k, buffers = RULES[name]
    last = sol.updates
    before = {b: sol.step(f"{b}_{param}+@{last - 1}").value for b in buffers}
    w = sol.step(f"{param}+@{last - 1}").value
    g = sol.step(f"g_{param}@{last}").value
    return rule(k, last, w, g, before, slip), last


def step_id(q: str, param: str, t: int) -> str:
    return f"{param}+@{t}" if q == "w+" else f"{q}_{param}{'+' if len(q) == 1 else ''}@{t}"


def grade_sheet(sol, checker, ids: list[str], mine: dict[str, float], tmp_path: Path):
    sheet = {i: f"{sol.step(i).value:.10g}" for i in ids}
    sheet.update({i: f"{v:.10g}" for i, v in mine.items()})
    path = tmp_path / "sheet.yaml"
    path.write_text("".join(f'"{i}": {v}\n' for i, v in sheet.items()), encoding="utf-8")
    report = checker.grade(read_sheet(path, sol), str(path))
    return {v.id: v for v in report.verdicts}


@pytest.mark.parametrize("name", sorted(RULES))
def test_the_students_rule_without_a_slip_is_all_right(solved, name, tmp_path):
    """The rules above agree with check's solution: the same student without a slip is all right."""
    sol, checker, ids = solved(name)
    param = "w5" if name.startswith("momentum") else "W1"
    values, t = student(sol, name, param, "")
    verdicts = grade_sheet(sol, checker, ids, {step_id(q, param, t): v for q, v in values.items()}, tmp_path)
    assert all(v.status == "right" for v in verdicts.values()), [
        v for v in verdicts.values() if v.status != "right"
    ]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.problem}-{c.slip}-{'-'.join(c.blank) or 'full'}")
def test_each_optimizer_slip_is_named_and_what_follows_is_carried(solved, case, tmp_path):
    sol, checker, ids = solved(case.problem)
    values, t = student(sol, case.problem, case.param, case.slip)
    mine = {step_id(q, case.param, t): v for q, v in values.items() if q not in case.blank}
    blank = {step_id(q, case.param, t) for q in case.blank}
    verdicts = grade_sheet(sol, checker, [i for i in ids if i not in blank], mine, tmp_path)
    for q in case.wrong:
        v = verdicts[step_id(q, case.param, t)]
        assert v.status == "wrong" and v.slip == case.named, v
        assert case.says in v.explanation, v
    for q in case.carried:
        v = verdicts[step_id(q, case.param, t)]
        assert v.status == "carried" and v.source in {step_id(q, case.param, t) for q in case.wrong}, v
    others = [v for v in verdicts.values() if v.status != "right" and v.id not in mine]
    assert not others, others  # nothing else on the sheet is marked


def test_check_names_the_slip_on_the_command_line(problems, solved, tmp_path):
    sol, _, ids = solved("adam")
    values, t = student(sol, "adam", "W1", "no_bias")
    sheet = {i: f"{sol.step(i).value:.10g}" for i in ids}
    sheet.update({step_id(q, "W1", t): f"{v:.10g}" for q, v in values.items()})
    path = tmp_path / "sheet.yaml"
    path.write_text("".join(f'"{i}": {v}\n' for i, v in sheet.items()), encoding="utf-8")
    result = runner.invoke(app, ["check", str(problems["adam"]), str(path)])
    assert "bias correction" in result.output and "carried" in result.output, result.output
