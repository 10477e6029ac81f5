"""The vectorised working of a layered network, computed with NumPy from the same numbers as the
scalar working: per layer z = W·a + b and a = f(z), then Nielsen's four equations,
δᴸ = ∇ₐE ⊙ f′(zᴸ), δˡ = ((Wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ f′(zˡ), ∂E/∂Wˡ = δˡ (aˡ⁻¹)ᵀ and ∂E/∂bˡ = δˡ, each a
MatrixStep whose value is the vector or matrix (ids `z1`, `a1`, `delta2`, `dE/dW1`, `dE/db1`, with the
scalar ids' `[k]` and `@t` suffixes). A softmax layer's f′ is its Jacobian: δᴸ = J ∇ₐE."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import InputError
from .layers import Layer, network_layers
from .matrix_equations import activation_names, equation
from .records import Solution, Worked

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Array = NDArray[np.float64]


@dataclass(frozen=True)
class MatrixStep:
    id: str
    phase: str  # "forward" or "backward"
    equation: str  # the equation in the view's names: "delta1 = (W2ᵀ·delta2) ⊙ σ′(z1)"
    latex: str  # the same in LaTeX: \delta^{(1)} = ((W^{(2)})^{\top} \delta^{(2)}) \odot \sigma'(z^{(1)})
    value: Array  # a vector (1-D) or a matrix (2-D)
    update: int
    example: int | None


def matrix_view(sol: Solution) -> tuple[MatrixStep, ...]:
    """Every worked example's matrix working; an error for a model that is not a layered network."""
    layers = network_layers(sol.problem)
    if layers is None:
        raise InputError("--view matrix needs a network of layers (`network`, units or W and b)")
    gradient = _LOSS_GRADIENT.get(sol.problem.loss_kind)
    if gradient is None:
        kinds = ", ".join(_LOSS_GRADIENT)
        raise InputError(f"--view matrix works the losses {kinds}; this problem's is {sol.problem.loss_kind}")
    steps: list[MatrixStep] = []
    for worked in sol.worked:
        suffix = (f"[{worked.example}]" if worked.example is not None else "") + (
            f"@{worked.update}" if sol.updates > 1 else ""
        )
        steps += _worked(sol, layers, worked, suffix, gradient)
    return tuple(steps)


def _worked(
    sol: Solution, layers: tuple[Layer, ...], w: Worked, suffix: str, gradient: _Gradient
) -> list[MatrixStep]:
    """The forward pass and the four equations for one example at one update."""
    import numpy as np

    def vector(names: tuple[str | None, ...]) -> Array:
        return np.array([float(w.values[n]) if n is not None else 0.0 for n in names], dtype=np.float64)

    out: list[MatrixStep] = []
    loss = sol.problem.loss

    def step(id_: str, kind: str, n: int, value: Array, bias: bool = False) -> Array:
        f = activation_names(layers[min(n, len(layers)) - 1].activations)
        text, latex = equation(kind, n, loss, f, bias)
        phase = "forward" if kind in ("z", "a") else "backward"
        out.append(MatrixStep(id_ + suffix, phase, text, latex, value, w.update, w.example))
        return value

    a = vector(layers[0].inputs)
    inputs, zs, outs, weights = [a], [], [], []
    for n, layer in enumerate(layers, 1):
        W = np.array([[float(w.values[x]) for x in row] for row in layer.weights], dtype=np.float64)
        biased = any(b is not None for b in layer.biases)
        zs.append(step(f"z{n}", "z", n, W @ a + vector(layer.biases), biased))
        a = step(f"a{n}", "a", n, _activate(layer, zs[-1]))
        weights.append(W)
        outs.append(a)
        inputs.append(a)
    L = len(layers)
    targets = vector(tuple(_target(sol, out) for out in layers[-1].outs))
    grad_a = step(f"d{loss}/da{L}", "grad", L, gradient(outs[-1], targets))
    delta = step(f"delta{L}", "delta_out", L, _back(layers[-1], zs[-1], outs[-1], grad_a))
    for n in range(L, 0, -1):
        if n < L:
            upstream = weights[n].T @ delta
            delta = step(f"delta{n}", "delta", n, _back(layers[n - 1], zs[n - 1], outs[n - 1], upstream))
        step(f"d{loss}/dW{n}", "dW", n, np.outer(delta, inputs[n - 1]))
        if any(b is not None for b in layers[n - 1].biases):
            step(f"d{loss}/db{n}", "db", n, delta.copy())
    return out


def _target(sol: Solution, out: str) -> str:
    """The target of output node `out` (the problem lists targets in the outputs' order)."""
    outs = sol.problem.layers[-1][1::2]
    return sol.problem.targets[outs.index(out)]


def _activate(layer: Layer, z: Array) -> Array:
    import numpy as np

    if layer.activations[0] == "softmax":
        e = np.exp(z - z.max())
        return np.asarray(e / e.sum(), dtype=np.float64)
    out = [
        _ACTIVATION[f](float(zi), float(p or 0))
        for f, zi, p in zip(layer.activations, z, layer.slopes, strict=True)
    ]
    return np.array(out, dtype=np.float64)


def _back(layer: Layer, z: Array, a: Array, upstream: Array) -> Array:
    """∂E/∂z from ∂E/∂a: ⊙ f′(z) elementwise, or the softmax Jacobian (diag(a) − a·aᵀ) times it."""
    import numpy as np

    if layer.activations[0] == "softmax":
        return np.asarray((np.diag(a) - np.outer(a, a)) @ upstream, dtype=np.float64)
    slopes = [
        _SLOPE[f](float(zi), float(ai), float(p or 0))
        for f, zi, ai, p in zip(layer.activations, z, a, layer.slopes, strict=True)
    ]
    return np.asarray(upstream * np.array(slopes), dtype=np.float64)


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


_ACTIVATION: dict[str, Callable[[float, float], float]] = {
    "sigmoid": lambda z, p: _sigmoid(z),
    "tanh": lambda z, p: math.tanh(z),
    "relu": lambda z, p: max(z, 0.0),
    "leaky_relu": lambda z, p: z if z > 0 else p * z,
    "softplus": lambda z, p: math.log1p(math.exp(-abs(z))) + max(z, 0.0),
    "swish": lambda z, p: z * _sigmoid(z),
    "identity": lambda z, p: z,
}
_SLOPE: dict[str, Callable[[float, float, float], float]] = {  # f′(z) with a = f(z) at hand
    "sigmoid": lambda z, a, p: a * (1 - a),
    "tanh": lambda z, a, p: 1 - a * a,
    "relu": lambda z, a, p: 1.0 if z > 0 else 0.0,
    "leaky_relu": lambda z, a, p: 1.0 if z > 0 else p,
    "softplus": lambda z, a, p: _sigmoid(z),
    "swish": lambda z, a, p: _sigmoid(z) * (1 + z * (1 - _sigmoid(z))),
    "identity": lambda z, a, p: 1.0,
}

_Gradient = Callable[["Array", "Array"], "Array"]
_LOSS_GRADIENT: dict[str, _Gradient] = {  # ∇ₐE of one example, from each loss's textbook definition
    "half_sse": lambda a, t: a - t,
    "sse": lambda a, t: 2 * (a - t),
    "mse": lambda a, t: 2 * (a - t) / len(a),
    "cross_entropy": lambda a, t: -t / a,
    "binary_cross_entropy": lambda a, t: -t / a + (1 - t) / (1 - a),
}
