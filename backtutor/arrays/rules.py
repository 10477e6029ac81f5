"""The array engine's rules: one table, rule name → a pure NumPy function of the input arrays and
keyword parameters. The engine makes every ArrayStep by calling its rule, and the checker recomputes a
step from a student's own arrays with the same call, `RULES[step.rule](*inputs, **step.params)`, so the
working, the numbers and "carried forward" are one code path.

Arrays hold one column per example, as the four equations are written: x is inputs × m, W{l} is
units × inputs (row i is unit i), b{l} a vector of units, z{l} = W{l}·a{l−1} + b{l}·1ᵀ. A δ column is
that example's own ∂E/∂z; the 1/m of a mean over the batch is the gradients' `scale`. Activations
and losses come from the op and loss tables' NumPy forms (engine/vector.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..engine.losses import LOSSES
from ..engine.ops import OPS
from ..engine.optimizers import OPTIMIZERS
from ..engine.vector import VectorActivation, VectorLoss
from .conv_rules import CONV_RULES

Array = NDArray[np.float64]
Rule = Callable[..., Array]


def activation(f: str) -> VectorActivation:
    """An activation's NumPy form from the op table (ValueError for one without: a formula's)."""
    op = OPS.get(f)
    if op is None or op.vector is None:
        raise ValueError(f"the array engine has no NumPy form of the activation '{f}'")
    return op.vector


def loss_form(kind: str) -> VectorLoss:
    form = LOSSES[kind].vector
    if form is None:
        raise ValueError(f"the array engine works losses with a term per output, not '{kind}'")
    return form


def linear(W: Array, A: Array, b: Array | None = None) -> Array:
    """z = W·a (+ b·1ᵀ, the bias added to every column)."""
    z = W @ A
    if b is not None:
        z += b[:, None]  # in place: the product is a new array
    return z


def activate(Z: Array, *, f: str, slope: float = 0.0) -> Array:
    """a = f(z): elementwise, softmax down each column."""
    return activation(f).forward(Z, slope)


def dropout(A: Array, M: Array, *, rate: float) -> Array:
    """Inverted dropout with the mask m: m ⊙ a/(1 − p)."""
    return M * A / (1.0 - rate)


def back(G: Array, Z: Array, *, f: str, slope: float = 0.0, A: Array | None = None) -> Array:
    """∂E/∂z from ∂E/∂a: G ⊙ f′(z), or for softmax each column's Jacobian (diag(a) − a·aᵀ) times it.
    A is f(z) when the caller has it (the run passes its own activation step's value), else it is
    computed from z: the checker grades a student's δ against their own z."""
    form = activation(f)
    if A is None:
        A = form.forward(Z, slope)
    if form.slope is None:  # softmax: J·g = a ⊙ (g − aᵀg), column by column
        return np.asarray(A * (G - (A * G).sum(axis=0, keepdims=True)), dtype=np.float64)
    return G * form.slope(Z, A, slope)


def delta(
    W: Array,
    D: Array,
    Z: Array,
    M: Array | None = None,
    *,
    f: str,
    slope: float = 0.0,
    rate: float = 0.0,
    A: Array | None = None,
) -> Array:
    """δ{l} = (W{l+1}ᵀ·δ{l+1}) ⊙ f′(z{l}); with dropout on a{l}, ⊙ m/(1 − p) before f′ (A: f(z), as
    for `back`)."""
    upstream = W.T @ D
    if M is not None:
        upstream = dropout(upstream, M, rate=rate)
    return back(upstream, Z, f=f, slope=slope, A=A)


def _per_output(kind: str, outputs: int) -> float:
    """The 1/n of a loss that is the mean over its n outputs (mse), else 1."""
    return 1.0 / outputs if LOSSES[kind].over_outputs == "mean" and outputs > 1 else 1.0


def loss(A: Array, T: Array, P: Array | None = None, *, kind: str, reduction: str) -> Array:
    """E: each example's loss (its outputs' terms), summed or averaged over the batch, plus the
    penalty P when there is one."""
    per_example = loss_form(kind).term(A, T).sum(axis=0) * _per_output(kind, A.shape[0])
    total = per_example.sum()
    if reduction == "mean":
        total /= per_example.size  # as .mean() computes it, without its ~8 µs of Python around the sum
    return np.asarray(total if P is None else total + P, dtype=np.float64)


def loss_gradient(A: Array, T: Array, *, kind: str) -> Array:
    """∇ₐE of each example's own loss, one column per example."""
    return loss_form(kind).gradient(A, T) * _per_output(kind, A.shape[0])


def softmax_cross_entropy(A: Array, T: Array) -> Array:
    """δ of softmax outputs under cross-entropy: a·Σⱼtⱼ − t per column (a − t when t sums to 1)."""
    d = np.multiply(A, np.add.reduce(T, axis=0, keepdims=True), dtype=np.float64)
    d -= T  # in place, as in the gradients below: a training run calls these on every batch
    return d


def penalty_gradient(W: Array, *, l2: float = 0.0, l1: float = 0.0, half: bool = False) -> Array:
    """∂P/∂W of λ·Σw² (2λw; ½λ·Σw²: λw) or λ·Σ|w| (λ·sign(w), 0 at 0 as PyTorch's)."""
    if l1:
        return np.asarray(l1 * np.sign(W), dtype=np.float64)
    return np.asarray((l2 if half else 2.0 * l2) * W, dtype=np.float64)


def penalty(*params: Array, l2: float = 0.0, l1: float = 0.0, half: bool = False) -> Array:
    """P = λ·Σw² (½λ·Σw² with half) or λ·Σ|w| over the penalised parameters."""
    if l1:
        total = l1 * sum(float(np.abs(p).sum()) for p in params)
    else:
        total = (0.5 * l2 if half else l2) * sum(float((p * p).sum()) for p in params)
    return np.asarray(total, dtype=np.float64)


def weight_gradient(
    D: Array,
    A: Array,
    W: Array | None = None,
    *,
    scale: float,
    l2: float = 0.0,
    l1: float = 0.0,
    half: bool = False,
) -> Array:
    """∂E/∂W{l} = scale·δ{l}·a{l−1}ᵀ (+ ∂P/∂W{l} when W is penalised)."""
    g = D @ A.T if D.shape[1] > 1 else D * A.T  # one example: the outer product, 1.5× faster broadcast
    if scale != 1.0:
        g *= scale  # in place: the product is a new array
    return g if W is None else g + penalty_gradient(W, l2=l2, l1=l1, half=half)


def bias_gradient(
    D: Array, b: Array | None = None, *, scale: float, l2: float = 0.0, l1: float = 0.0, half: bool = False
) -> Array:
    """∂E/∂b{l} = scale·δ{l}·1, the row sums (+ ∂P/∂b{l} when b is penalised)."""
    g: Array = np.add.reduce(D, axis=1, dtype=np.float64)
    if scale != 1.0:
        g *= scale
    return g if b is None else g + penalty_gradient(b, l2=l2, l1=l1, half=half)


def decayed(G: Array, W: Array, *, weight_decay: float) -> Array:
    """g = ∂E/∂w + λ·w: coupled weight decay, as torch.optim adds it."""
    return G + weight_decay * W


def optimizer_values(
    W: Array, G: Array, *buffers: Array, kind: str, form: str = "pytorch", t: int, **constants: float
) -> tuple[Array, ...]:
    """Every quantity of update t of one parameter, in the optimizer table's order (its buffers' new
    values, the step, …, and last w⁺), by the table's own number rule applied to whole arrays: W the
    parameter, G its gradient (weight decay added when coupled), `buffers` the buffers after update
    t − 1 (zero before the first). `constants` holds lr, weight_decay and the optimizer's own."""
    entry = OPTIMIZERS[(kind, form)]
    state = buffers or tuple([np.zeros_like(W) for _ in entry.buffers])
    rule: Any = entry.numbers  # written for floats; every operation in it is elementwise on arrays
    return tuple([np.asarray(v, dtype=np.float64) for v in rule(constants, t, W, G, state)])


def optimize(W: Array, G: Array, *buffers: Array, index: int, **settings: Any) -> Array:
    """The `index`-th of `optimizer_values`: one quantity of an update, as a step shows it."""
    return optimizer_values(W, G, *buffers, **settings)[index]


RULES: dict[str, Rule] = {
    "linear": linear,
    "activate": activate,
    "dropout": dropout,
    "loss": loss,
    "penalty": penalty,
    "loss_gradient": loss_gradient,
    "delta_out": back,
    "softmax_cross_entropy": softmax_cross_entropy,
    "delta": delta,
    "weight_gradient": weight_gradient,
    "bias_gradient": bias_gradient,
    "decayed": decayed,
    "optimize": optimize,
    **CONV_RULES,
}
