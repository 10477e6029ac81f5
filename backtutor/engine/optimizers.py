"""The optimizers: one table entry per update rule, as PyTorch's torch.optim computes it.

Each entry holds its constants (each with its symbol, PyTorch's default and its range), the state it
carries from one update to the next (its buffers, zero before the first update), its per-parameter
rule twice: as numbers, for the plain-float training loop, and as formulas, for the working (the two
are kept equal by the tests), and the names of the check catalogue's slips that apply to it. The
problem file's schema takes its kinds, forms and constant keys from this table; adding an optimizer
is adding its entry (and its test). Weight decay λ is coupled (g ← ∂E/∂w + λ·w, as
torch.optim.SGD and Adam do) except for AdamW, which decays the parameter itself (w ← w − η·λ·w,
then the Adam step).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from .constant import Constant
from .expr import ONE, Call, Expr, Num
from .notation import format_number

# number rule: (constants as floats with "lr" and "weight_decay", update t (1-based), parameter,
# gradient (weight decay already added when coupled), buffers before the update) → the values of
# the entry's quantities in order, then the new parameter
NumberRule = Callable[[dict[str, float], int, float, float, tuple[float, ...]], tuple[float, ...]]
# formula rule: (update t, the Expr of a name) → each quantity's formula, and "w+"'s. Names: "w", "g",
# "eta", "lambda", the constants' symbols, a buffer b (before the update) and "b+" (after it), and
# every other quantity by its own name
FormulaRule = Callable[[int, Callable[[str], Expr]], dict[str, Expr]]


# a rule across an entry's constants (given or default): None, or the key to blame and the message
Needs = Callable[[dict[str, Fraction]], tuple[str, str] | None]


@dataclass(frozen=True)
class Optimizer:
    """One entry of the optimizer table: its constants, the quantities it works and its update rules."""

    kind: str  # as a problem file names it
    title: str
    constants: tuple[Constant, ...]
    quantities: tuple[str, ...]  # worked for each parameter and update, in order (before "w+")
    buffers: tuple[str, ...]  # the quantities carried to the next update
    numbers: NumberRule
    formulas: FormulaRule
    rule: str  # the update as the note states it
    slips: frozenset[str]  # the names of check/slips/catalogue.py's slips it can explain
    form: str = "pytorch"  # "textbook": momentum's v ← μv − ηg, w ← w + v
    decoupled: bool = False  # AdamW: weight decay on the parameter, not added to the gradient
    weight_decay: Fraction = Fraction(0)  # λ's default: PyTorch's (AdamW's 0.01, every other's 0)
    needs: Needs = lambda k: None

    @property
    def defaults(self) -> dict[str, Fraction]:
        return {c.key: c.default for c in self.constants}

    @property
    def summary(self) -> str:
        """The rule without its remark: v ← μ·v − η·g, w⁺ = w + v."""
        return self.rule.split(" (")[0]


@dataclass(frozen=True)
class Settings:
    """An optimizer as a problem file chose it, its constants filled in with the defaults."""

    kind: str = "sgd"
    constants: dict[str, Fraction] = field(default_factory=dict)
    weight_decay: Fraction = Fraction(0)
    form: str = "pytorch"

    @property
    def optimizer(self) -> Optimizer:
        return OPTIMIZERS[(self.kind, self.form)]

    @property
    def plain(self) -> bool:
        """Plain SGD without weight decay: w⁺ = w − η·∂E/∂w and nothing else."""
        return self.kind == "sgd" and self.weight_decay == 0

    @property
    def coupled(self) -> bool:
        """Weight decay added to the gradient (every optimizer but AdamW, when λ ≠ 0)."""
        return self.weight_decay != 0 and not self.optimizer.decoupled

    @property
    def symbols(self) -> dict[str, Fraction]:
        """The constants by their symbols in the working: {"beta1": 0.9, "epsilon": 1e-8}."""
        own = {c.key: c.symbol for c in self.optimizer.constants}
        return {own[k]: v for k, v in self.constants.items()}


def _root(x: float) -> float:
    """√x: math.sqrt on a float; on a NumPy array (the array engine calls these rules on whole
    arrays, arrays/rules.py) x ** 0.5, which NumPy computes as its elementwise sqrt."""
    return math.sqrt(x) if isinstance(x, float) else x**0.5


def _sgd(k: dict[str, float], t: int, w: float, g: float, s: tuple[float, ...]) -> tuple[float, ...]:
    return (w - k["lr"] * g,)


def _momentum(k: dict[str, float], t: int, w: float, g: float, s: tuple[float, ...]) -> tuple[float, ...]:
    v = k["momentum"] * s[0] + g
    return v, w - k["lr"] * v


def _textbook(k: dict[str, float], t: int, w: float, g: float, s: tuple[float, ...]) -> tuple[float, ...]:
    v = k["momentum"] * s[0] - k["lr"] * g
    return v, w + v


def _nesterov(k: dict[str, float], t: int, w: float, g: float, s: tuple[float, ...]) -> tuple[float, ...]:
    v = k["momentum"] * s[0] + g
    step = k["lr"] * (g + k["momentum"] * v)
    return v, step, w - step


def _rmsprop(k: dict[str, float], t: int, w: float, g: float, s: tuple[float, ...]) -> tuple[float, ...]:
    v = k["alpha"] * s[0] + (1 - k["alpha"]) * g * g
    step = k["lr"] * g / (_root(v) + k["eps"])
    return v, step, w - step


def _adagrad(k: dict[str, float], t: int, w: float, g: float, s: tuple[float, ...]) -> tuple[float, ...]:
    big_g = s[0] + g * g
    step = k["lr"] * g / (_root(big_g) + k["eps"])
    return big_g, step, w - step


def _adam(k: dict[str, float], t: int, w: float, g: float, s: tuple[float, ...]) -> tuple[float, ...]:
    b1, b2 = k["beta1"], k["beta2"]
    m = b1 * s[0] + (1 - b1) * g
    v = b2 * s[1] + (1 - b2) * g * g
    m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
    step = k["lr"] * m_hat / (_root(v_hat) + k["eps"])
    return m, v, m_hat, v_hat, step, w - step


def _adamw(k: dict[str, float], t: int, w: float, g: float, s: tuple[float, ...]) -> tuple[float, ...]:
    *worked, _ = _adam(k, t, w, g, s)
    return (*worked, w - k["lr"] * k["weight_decay"] * w - worked[-1])


def _call(op: str, *args: Expr) -> Expr:
    return Call(op, args)


def _average(rate: str, old: Expr, g: Expr, x: Callable[[str], Expr]) -> Expr:
    """rate·old + (1 − rate)·g: the moving averages of RMSProp and Adam."""
    return _call("add", _call("mul", x(rate), old), _call("mul", _call("sub", ONE, x(rate)), g))


def _scaled_step(over: Expr, x: Callable[[str], Expr], sq: Expr) -> Expr:
    """η·over/(√sq + ε)."""
    return _call("div", _call("mul", x("eta"), over), _call("add", _call("sqrt", sq), x("epsilon")))


def _minus(x: Callable[[str], Expr], what: Expr) -> Expr:
    return _call("sub", x("w"), what)


def _f_sgd(t: int, x: Callable[[str], Expr]) -> dict[str, Expr]:
    return {"w+": _minus(x, _call("mul", x("eta"), x("g")))}


def _f_momentum(t: int, x: Callable[[str], Expr]) -> dict[str, Expr]:
    v = _call("add", _call("mul", x("mu"), x("v")), x("g"))
    return {"v": v, "w+": _minus(x, _call("mul", x("eta"), x("v+")))}


def _f_textbook(t: int, x: Callable[[str], Expr]) -> dict[str, Expr]:
    v = _call("sub", _call("mul", x("mu"), x("v")), _call("mul", x("eta"), x("g")))
    return {"v": v, "w+": _call("add", x("w"), x("v+"))}


def _f_nesterov(t: int, x: Callable[[str], Expr]) -> dict[str, Expr]:
    v = _call("add", _call("mul", x("mu"), x("v")), x("g"))
    step = _call("mul", x("eta"), _call("add", x("g"), _call("mul", x("mu"), x("v+"))))
    return {"v": v, "step": step, "w+": _minus(x, x("step"))}


def _f_rmsprop(t: int, x: Callable[[str], Expr]) -> dict[str, Expr]:
    g2 = _call("pow", x("g"), Num(Fraction(2)))
    return {
        "v": _average("alpha", x("v"), g2, x),
        "step": _scaled_step(x("g"), x, x("v+")),
        "w+": _minus(x, x("step")),
    }


def _f_adagrad(t: int, x: Callable[[str], Expr]) -> dict[str, Expr]:
    g2 = _call("pow", x("g"), Num(Fraction(2)))
    step = _scaled_step(x("g"), x, x("G+"))
    return {"G": _call("add", x("G"), g2), "step": step, "w+": _minus(x, x("step"))}


def _f_adam(t: int, x: Callable[[str], Expr]) -> dict[str, Expr]:
    g2 = _call("pow", x("g"), Num(Fraction(2)))
    power = Num(Fraction(t))
    return {
        "m": _average("beta1", x("m"), x("g"), x),
        "v": _average("beta2", x("v"), g2, x),
        "m_hat": _call("div", x("m+"), _call("sub", ONE, _call("pow", x("beta1"), power))),
        "v_hat": _call("div", x("v+"), _call("sub", ONE, _call("pow", x("beta2"), power))),
        "step": _scaled_step(x("m_hat"), x, x("v_hat")),
        "w+": _minus(x, x("step")),
    }


def _f_adamw(t: int, x: Callable[[str], Expr]) -> dict[str, Expr]:
    decay = _call("mul", x("eta"), x("lambda"), x("w"))
    return {**_f_adam(t, x), "w+": _call("sub", _call("sub", x("w"), decay), x("step"))}


_UNIT = "in [0, 1)"
_MU = Constant("momentum", "mu", Fraction(9, 10), lambda v: v >= 0, "≥ 0")
_EPS = "> 0 (it keeps the division defined when the gradients are 0)"
_ADAM = (
    Constant("beta1", "beta1", Fraction(9, 10), lambda v: 0 <= v < 1, _UNIT),
    Constant("beta2", "beta2", Fraction(999, 1000), lambda v: 0 <= v < 1, _UNIT),
    Constant("eps", "epsilon", Fraction(1, 10**8), lambda v: v > 0, _EPS),
)
_ADAM_RULE = (
    "m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g², m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ) (bias "
    "correction, t the update), step = η·m̂/(√v̂ + ε)"
)
# the slips each family of rules can explain (check/slips/catalogue.py): η forgotten in any update; a buffer
# restarted or fed g²; momentum's two forms; the averages', the roots' and Adam's bias correction's
_ANY = frozenset({"missing_factor"})
_BUFFERED = _ANY | {"squared_gradient", "state_restarted"}
_MOMENTUM = _BUFFERED | {"momentum_form"}
_ROOTED = _BUFFERED | {"epsilon_inside_root", "missing_root"}
_ADAM_SLIPS = _ROOTED | {"beta_swapped", "bias_correction"}


def _nesterov_needs(k: dict[str, Fraction]) -> tuple[str, str] | None:
    return ("momentum", "Nesterov momentum needs momentum > 0") if k["momentum"] == 0 else None


_TABLE = [
    Optimizer("sgd", "SGD", (), (), (), _sgd, _f_sgd, "w⁺ = w − η·g", _ANY),
    Optimizer(
        "momentum", "SGD with momentum", (_MU,), ("v",), ("v",), _momentum, _f_momentum,
        "v ← μ·v + g, w⁺ = w − η·v (torch.optim.SGD with momentum μ)", _MOMENTUM,
    ),
    Optimizer(
        "momentum", "SGD with momentum (textbook form)", (_MU,), ("v",), ("v",), _textbook, _f_textbook,
        "v ← μ·v − η·g, w⁺ = w + v (the textbook form; PyTorch's v ← μ·v + g, w⁺ = w − η·v differs "
        "from it when η changes)", _MOMENTUM, form="textbook",
    ),
    Optimizer(
        "nesterov", "SGD with Nesterov momentum", (_MU,), ("v", "step"), ("v",), _nesterov, _f_nesterov,
        "v ← μ·v + g, step = η·(g + μ·v), w⁺ = w − step (torch.optim.SGD with nesterov=True)", _BUFFERED,
        needs=_nesterov_needs,
    ),
    Optimizer(
        "rmsprop", "RMSProp",
        (Constant("alpha", "alpha", Fraction(99, 100), lambda v: 0 <= v <= 1, "in [0, 1]"), _ADAM[2]),
        ("v", "step"), ("v",), _rmsprop, _f_rmsprop,
        "v ← α·v + (1 − α)·g², step = η·g/(√v + ε), w⁺ = w − step (torch.optim.RMSprop; ε outside the root)",
        _ROOTED | {"beta_swapped"},
    ),
    Optimizer(
        "adagrad", "Adagrad", (Constant("eps", "epsilon", Fraction(1, 10**10), lambda v: v > 0, _EPS),),
        ("G", "step"), ("G",), _adagrad, _f_adagrad,
        "G ← G + g², step = η·g/(√G + ε), w⁺ = w − step (torch.optim.Adagrad)", _ROOTED,
    ),
    Optimizer(
        "adam", "Adam", _ADAM, ("m", "v", "m_hat", "v_hat", "step"), ("m", "v"), _adam, _f_adam,
        _ADAM_RULE + ", w⁺ = w − step (torch.optim.Adam)", _ADAM_SLIPS,
    ),
    Optimizer(
        "adamw", "AdamW", _ADAM, ("m", "v", "m_hat", "v_hat", "step"), ("m", "v"), _adamw, _f_adamw,
        _ADAM_RULE + ", w⁺ = w − η·λ·w − step (torch.optim.AdamW: decoupled weight decay)", _ADAM_SLIPS,
        decoupled=True, weight_decay=Fraction(1, 100),
    ),
]  # fmt: skip
OPTIMIZERS: dict[tuple[str, str], Optimizer] = {(o.kind, o.form): o for o in _TABLE}
KINDS = tuple(dict.fromkeys(o.kind for o in _TABLE))
FORMS = tuple(dict.fromkeys(o.form for o in _TABLE))
CONSTANT_KEYS = tuple(dict.fromkeys(c.key for o in _TABLE for c in o.constants))  # the schema's keys
SYMBOLS = frozenset(c.symbol for o in _TABLE for c in o.constants)  # names the formulas may use
WEIGHT_DECAY = Constant("weight_decay", "lambda", Fraction(0), lambda v: v >= 0, "≥ 0")  # any optimizer's


def float_constants(s: Settings, learning_rate: Fraction) -> dict[str, float]:
    """What a number rule reads: the constants, "lr" and "weight_decay", as floats."""
    k = {name: float(v) for name, v in s.constants.items()}
    return {**k, "lr": float(learning_rate), "weight_decay": float(s.weight_decay)}


def describe(s: Settings) -> str:
    """The note stated the first time the optimizer is used: its rule and its constants."""
    o = s.optimizer
    constants = ", ".join(f"{k} = {format_number(v)}" for k, v in s.symbols.items())
    decay = ""
    if s.weight_decay:
        how = "w ← w − η·λ·w before the step" if o.decoupled else "g = ∂E/∂w + λ·w"
        decay = f"; weight decay λ = {format_number(s.weight_decay)}: {how}"
    state = f"; {', '.join(o.buffers)} = 0 before the first update" if o.buffers else ""
    return f"{o.title}: {o.rule}" + (f"; {constants}" if constants else "") + decay + state
