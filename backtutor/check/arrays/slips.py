"""The slips a student's NumPy code makes, as a table: each entry names the slip, the rules of
arrays/rules.py it can happen in, what the student is told, and the wrong maths itself, a function
with the rule's own signature. grade.py calls every entry of a step's rule on the student's own input
arrays, and names a slip only when exactly its array reproduces the student's (several: all listed).
An entry returns None where it cannot happen (no 1/m to forget in a summed loss). Adding a slip =
adding an entry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...arrays import conv_rules as C
from ...arrays import rules as R

Alternative = Callable[..., Any]  # the rule's signature; an array, or None where the slip cannot happen


@dataclass(frozen=True)
class ArraySlip:
    name: str
    rules: tuple[str, ...]
    told: str  # may name the activation: {f}
    wrong: Alternative

    def says(self, params: dict[str, Any]) -> str:
        return self.told.format(f=params.get("f", "f"))


def _transposed(*a: Any, **k: Any) -> Any:
    return R.weight_gradient(*a, **k).T


def _w_for_wt_delta(W: Any, *a: Any, **k: Any) -> Any:
    return R.delta(W.T, *a, **k)


def _w_for_wt_linear(W: Any, *a: Any) -> Any:
    return R.linear(W.T, *a)


def _no_derivative(W: Any, D: Any, Z: Any, M: Any = None, *, rate: float = 0.0, **_: Any) -> Any:
    upstream = W.T @ D
    return upstream if M is None else R.dropout(upstream, M, rate=rate)


def _derivative_at_output(W: Any, D: Any, Z: Any, M: Any = None, **k: Any) -> Any:
    return R.delta(W, D, R.activate(Z, f=k["f"], slope=k.get("slope", 0.0)), M, **k)


def _back_at_output(G: Any, Z: Any, **k: Any) -> Any:
    return R.back(G, R.activate(Z, **k), **k)


def _softmax_diagonal(G: Any, Z: Any, **k: Any) -> Any:
    if k["f"] != "softmax":
        return None
    A = R.activate(Z, **k)
    return G * A * (1 - A)


def _softmax_ce_diagonal(A: Any, T: Any) -> Any:
    return (-T / A) * A * (1 - A)  # ∂E/∂a = −t/a through the Jacobian's diagonal a(1 − a)


def _rescaled(rule: str, factor: Callable[[float, int], float | None]) -> Alternative:
    """The gradient with its scale (1/m, or 1 for a summed loss) changed; m is the batch, δ's columns."""

    def wrong(D: Any, *a: Any, scale: float, **k: Any) -> Any:
        changed = factor(scale, int(D.shape[1]))
        return None if changed is None or D.shape[1] == 1 else R.RULES[rule](D, *a, scale=changed, **k)

    return wrong


_BATCH = (
    (
        "batch_sum",
        "summed over the batch where the loss averages it: the 1/m is missing",
        lambda s, m: s * m if s < 1 else None,
    ),
    (
        "batch_mean_twice",
        "divided by the batch size m twice (once in δ, once in the gradient)",
        lambda s, m: s / m if s < 1 else None,
    ),
    (
        "batch_mean",
        "averaged over the batch where the loss sums it: no 1/m here",
        lambda s, m: s / m if s >= 1 else None,
    ),
)
_GRADIENTS = ("weight_gradient", "bias_gradient")


def _sign(rule: str) -> Alternative:
    return lambda *a, **k: -R.RULES[rule](*a, **k)


def _plus_update(W: Any, *a: Any, **k: Any) -> Any:
    return 2 * W - R.optimize(W, *a, **k)  # w + (the step) for w − (the step)


def _bias_not_summed(D: Any, b: Any = None, *, scale: float, **_: Any) -> Any:
    return scale * D


def _bias_over_units(D: Any, b: Any = None, *, scale: float, **_: Any) -> Any:
    return scale * D.sum(axis=0)


def _flipped(K: Any) -> Any:
    return K[:, :, ::-1, ::-1]


def _pool_undivided(G: Any, X: Any, *, kind: str, size: int, stride: int) -> Any:
    if kind != "avg":
        return None
    return C.pool_gradient(G, X, kind=kind, size=size, stride=stride) * size * size


def _max_everywhere(G: Any, X: Any, *, kind: str, size: int, stride: int) -> Any:
    if kind != "max":
        return None
    return C.pool_gradient(G, X, kind="avg", size=size, stride=stride) * size * size


_FLIPPED = (
    "flipped the kernel: PyTorch's conv2d is a cross-correlation, x[h + i, w + j]·K[i, j], not a convolution"
)
ARRAY_SLIPS: tuple[ArraySlip, ...] = (
    ArraySlip(
        "transpose",
        ("weight_gradient",),
        "dW is transposed: δ·aᵀ is units × inputs, the shape of W",
        _transposed,
    ),
    ArraySlip(
        "W_for_WT", ("delta",), "used W for Wᵀ: δ = (Wᵀ·δ of the next layer) ⊙ {f}′(z)", _w_for_wt_delta
    ),
    ArraySlip("W_for_WT", ("linear",), "used Wᵀ for W: z = W·a + b, W is units × inputs", _w_for_wt_linear),
    ArraySlip(
        "derivative_missing",
        ("delta",),
        "left out {f}′(z): δ = (Wᵀ·δ of the next layer) ⊙ {f}′(z), not Wᵀ·δ alone",
        _no_derivative,
    ),
    ArraySlip(
        "derivative_missing", ("delta_out",), "left out {f}′(z): δ = ∂E/∂a ⊙ {f}′(z)", lambda G, Z, **k: G
    ),
    *(
        ArraySlip(
            "derivative_at_output",
            (rule,),
            "took {f}′ at the activation a = {f}(z), not at z (a layer's backward given its output, "
            "then applying {f} again)",
            wrong,
        )
        for rule, wrong in (("delta", _derivative_at_output), ("delta_out", _back_at_output))
    ),
    ArraySlip(
        "softmax_diagonal",
        ("delta_out",),
        "used only the diagonal of the softmax Jacobian, a(1 − a): each output's δ sums over every "
        "output, J = diag(a) − a·aᵀ",
        _softmax_diagonal,
    ),
    ArraySlip(
        "softmax_diagonal",
        ("softmax_cross_entropy",),
        "used only the diagonal of the softmax Jacobian: with cross-entropy δ = a − t",
        _softmax_ce_diagonal,
    ),
    *(
        ArraySlip(name, (rule,), told, _rescaled(rule, factor))
        for name, told, factor in _BATCH
        for rule in _GRADIENTS
    ),
    ArraySlip(
        "bias_not_summed",
        ("bias_gradient",),
        "db not summed over the batch: it is the row sums of δ, one number per unit",
        _bias_not_summed,
    ),
    ArraySlip(
        "bias_over_units",
        ("bias_gradient",),
        "db summed over the units, not over the batch: it is the row sums of δ (axis=1)",
        _bias_over_units,
    ),
    ArraySlip(
        "kernel_flipped", ("conv2d",), _FLIPPED, lambda X, K, *a, **k: C.conv2d(X, _flipped(K), *a, **k)
    ),
    ArraySlip(
        "kernel_flipped",
        ("conv2d_input_gradient",),
        _FLIPPED,
        lambda G, K, *a, **k: C.conv2d_input_gradient(G, _flipped(K), *a, **k),
    ),
    ArraySlip(
        "kernel_flipped",
        ("conv2d_weight_gradient",),
        _FLIPPED,
        lambda *a, **k: _flipped(C.conv2d_weight_gradient(*a, **k)),
    ),
    ArraySlip(
        "pool_divisor",
        ("pool_gradient",),
        "average pooling's gradient is divided by the window's size × size cells",
        _pool_undivided,
    ),
    ArraySlip(
        "maxpool_everywhere",
        ("pool_gradient",),
        "max pooling's gradient goes only to the cell that was the maximum, not to every cell of the window",
        _max_everywhere,
    ),
    ArraySlip("plus_update", ("optimize",), "updated with + instead of −: w − η·∂E/∂w", _plus_update),
    *(
        ArraySlip("sign", (rule,), "sign error", _sign(rule))
        for rule in (
            "loss_gradient",
            "softmax_cross_entropy",
            "delta",
            "delta_out",
            "weight_gradient",
            "bias_gradient",
            "back_linear",
            "conv2d_weight_gradient",
            "conv2d_input_gradient",
            "conv2d_bias_gradient",
            "pool_gradient",
        )
    ),
)


def slips_for(rule: str) -> tuple[ArraySlip, ...]:
    return tuple(s for s in ARRAY_SLIPS if rule in s.rules)
