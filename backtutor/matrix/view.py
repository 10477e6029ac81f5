"""The vectorised working of a layered network, computed with NumPy from the same numbers as the
scalar working: per layer z = W·a + b and a = f(z), then Nielsen's four equations,
δᴸ = ∇ₐE ⊙ f′(zᴸ), δˡ = ((Wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ f′(zˡ), ∂E/∂Wˡ = δˡ (aˡ⁻¹)ᵀ and ∂E/∂bˡ = δˡ, each a
MatrixStep whose value is the vector or matrix (ids `z1`, `a1`, `delta2`, `dE/dW1`, `dE/db1`, with the
scalar ids' `[k]` and `@t` suffixes). A softmax layer's f′ is its Jacobian: δᴸ = J ∇ₐE, which with
cross-entropy is a − t.

An update of several examples (a batch) is worked once, as matrices with one column per example
(`X`, `T`, `Z1`, `A1`, `Delta1`); its gradients are one product each, ∂E/∂Wˡ = Δˡ (Aˡ⁻¹)ᵀ and
∂E/∂bˡ = Δˡ·1 (the row sums), times 1/m when the loss is the batch's mean. Then each update,
`W1+` and `b1+` (matrix_updates.py)."""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING

from ..engine.losses import LOSSES
from ..errors import InputError
from ..solution.records import Solution, Worked
from .conv import conv_view
from .equations import Dropping, Names, activation_names, equation
from .functions import Gradient, activate, back, loss_gradient, slopes
from .layers import Layer, network_layers
from .penalty import penalty_of
from .records import MatrixStep, Term
from .updates import Entries, layer_parameters, update_steps

if TYPE_CHECKING:
    from .records import Array


def matrix_view(sol: Solution) -> tuple[MatrixStep, ...]:
    """Every worked update's matrix working; an error for a model that is not a layered network."""
    layers = network_layers(sol.problem)
    if layers is None and sol.problem.layers:
        return conv_view(sol)
    if layers is None:
        raise InputError("--view matrix needs a network of layers (`network`, units or W and b)")
    gradient = loss_gradient(sol.problem.loss_kind)
    if gradient is None:
        kinds = ", ".join(k for k, loss in LOSSES.items() if loss.term)
        raise InputError(f"--view matrix works the losses {kinds}; this problem's is {sol.problem.loss_kind}")
    steps: list[MatrixStep] = []
    for t, group in groupby(sol.worked, key=lambda w: w.update):
        worked = list(group)
        at = f"@{t}" if sol.updates > 1 else ""
        names = Names(len(worked), sol.problem.reduction == "mean")
        if names.batch > 1:  # a batch: one working with a column per example
            steps += _DensePass(sol, layers, worked, at, gradient, names).steps
        else:  # one example per update (online), or several examples of a batch of one
            for w in worked:
                suffix = (f"[{w.example}]" if w.example is not None else "") + at
                steps += _DensePass(sol, layers, [w], suffix, gradient, names).steps
        if sol.problem.training:
            steps += update_steps(sol, layer_parameters(sol, layers), steps, t, at)
    return tuple(steps)


class _DensePass:
    """The forward pass and the four equations for the examples of one update, as column matrices."""

    def __init__(
        self,
        sol: Solution,
        layers: tuple[Layer, ...],
        worked: list[Worked],
        suffix: str,
        gradient: Gradient,
        names: Names,
    ) -> None:
        self.sol, self.layers, self.worked, self.suffix, self.names = sol, layers, worked, suffix, names
        self.penalty = penalty_of(sol.problem)
        self.counted: set[str] = set()  # parameters whose penalty gradient is shown already
        self.steps: list[MatrixStep] = []
        self._run(gradient)

    def columns(self, names: tuple[str | None, ...]) -> Array:
        """One row per name, one column per example."""
        import numpy as np

        rows = [[float(w.values[n]) if n is not None else 0.0 for w in self.worked] for n in names]
        return np.array(rows, dtype=np.float64).reshape(len(names), len(self.worked))

    def step(
        self,
        id_: str,
        kind: str,
        n: int,
        value: Array,
        *terms: Term,
        bias: bool = False,
        penalty: str = "",
        note: str = "",
    ) -> Array:
        """A step of layer n; its value is a column matrix, shown as a vector for one example."""
        at = min(max(n, 1), len(self.layers)) - 1
        layer = self.layers[at]
        f = activation_names(layer.activations, layer.params)
        dropping = Dropping(at > 0 and self.layers[at - 1].rate is not None, _rate(layer))
        text, latex = equation(kind, n, self.sol.problem.loss, f, bias, self.names, dropping, penalty)
        phase = "forward" if kind in ("X", "T", "z", "a", "drop") else "backward"
        w, one = self.worked[0], self.names.batch == 1
        shown = value[:, 0] if (one and kind != "dW") or kind == "db" else value  # columns as vectors
        example = w.example if one else None
        if f[0] == "f" and kind in ("a", "delta", "delta_out"):  # units of the layer with other fs
            fs = (
                activation_names((k,), (p,))[0] for k, p in zip(layer.activations, layer.params, strict=True)
            )
            note = f"f unit by unit: {', '.join(fs)}"
        self.steps.append(
            MatrixStep(id_ + self.suffix, phase, text, latex, shown, w.update, example, terms, note)
        )
        return value

    def _run(self, gradient: Gradient) -> None:
        import numpy as np

        layers, i, batch = self.layers, self.names.id, self.names.batch > 1
        a = self.columns(layers[0].inputs)
        targets = self.columns(tuple(_target(self.sol, out) for out in layers[-1].outs))
        if batch:
            self.step("X", "X", 0, a)
            self.step("T", "T", len(layers), targets)
        inputs, zs, outs, weights = [a], [], [], []
        for n, layer in enumerate(layers, 1):
            W = np.array([[float(self.worked[0].values[x]) for x in row] for row in layer.weights])
            b = self.columns(layer.biases)[:, :1]
            biased = any(x is not None for x in layer.biases)
            z = W @ a + b
            zs.append(self.step(i("z", n), "z", n, z, W, "·", a, *(("+", b) if biased else ()), bias=biased))
            a = self.step(i("a", n), "a", n, activate(layer, z))
            if layer.rate is not None:  # the next layer reads the outputs after dropout
                kept = self.columns(layer.masks)
                a = self.step(i("drop", n), "drop", n, kept * a / float(1 - layer.rate), kept, "⊙", a)
            weights.append(W)
            outs.append(a)
            inputs.append(a)
        self._loss()
        self._backward(gradient, inputs, zs, weights, targets)

    def _loss(self) -> None:
        """The loss, as the scalar view has it: each example's (one column each), and over a batch
        its sum or mean in the note."""
        import numpy as np

        from .equations import loss_equation

        problem, w, penalty = self.sol.problem, self.worked[0], self.penalty
        each = np.array([[float(x.values[problem.loss]) for x in self.worked]])
        if penalty:  # the same for every example of the update: shown once
            text, latex = penalty.equation()
            value = np.array([penalty.value(w.values)])
            self.steps.append(
                MatrixStep(penalty.node + self.suffix, "forward", text, latex, value, w.update, None)
            )
        outputs = len(self.layers[-1].outs)
        text, latex = loss_equation(problem.loss, problem.loss_kind, outputs, penalty.node if penalty else "")
        note = ""
        if self.names.batch > 1:
            total = float(each.sum()) / (self.names.batch if self.names.mean else 1)
            note = f"over the batch ({'mean' if self.names.mean else 'sum'}): {problem.loss} = {total:.9g}"
        value = each[:, 0] if self.names.batch == 1 else each
        self.steps.append(
            MatrixStep(problem.loss + self.suffix, "forward", text, latex, value, w.update, None, (), note)
        )

    def _backward(
        self, gradient: Gradient, inputs: list[Array], zs: list[Array], weights: list[Array], targets: Array
    ) -> None:
        import numpy as np

        layers, i, loss, L = self.layers, self.names.id, self.sol.problem.loss, len(self.layers)
        grad = self.step(f"d{loss}/d{i('a', L)}", "grad", L, gradient(inputs[-1], targets))
        delta = self._output_delta(zs[-1], inputs[-1], grad, targets)
        m = self.names.batch
        scale = 1 / m if self.names.mean else 1.0
        factor = (self.names.scale[0].rstrip("·"), "·") if scale != 1 else ()
        for n in range(L, 0, -1):
            layer = layers[n - 1]
            if n < L:
                up = weights[n].T @ delta
                terms: tuple[Term, ...] = ("(", weights[n].T, "·", delta, ")")
                if layer.rate is not None:  # through the dropout: the mask, scaled
                    kept = self.columns(layer.masks) / float(1 - layer.rate)
                    up, terms = up * kept, (*terms, "⊙", kept)
                if layer.activations[0] == "softmax":
                    delta = self.step(i("delta", n), "delta", n, back(layer, zs[n - 1], up))
                else:
                    fprime = slopes(layer, zs[n - 1])
                    delta = self.step(i("delta", n), "delta", n, up * fprime, *terms, "⊙", fprime)
            a_t = inputs[n - 1].T
            dW = scale * (delta @ a_t)
            self._gradient(f"d{loss}/dW{n}", "dW", n, dW, (*factor, delta, "·", a_t), layer.weights)
            if any(b is not None for b in layer.biases):
                ones = np.ones((m, 1))
                db = scale * (delta @ ones)
                terms = (*factor, delta, "·", ones) if m > 1 else ()
                self._gradient(f"d{loss}/db{n}", "db", n, db, terms, tuple((b,) for b in layer.biases))

    def _gradient(
        self, id_: str, kind: str, n: int, product: Array, terms: tuple[Term, ...], entries: Entries
    ) -> None:
        """∂E/∂W or ∂E/∂b of layer n: the product of the four equations, plus the penalty's gradient
        for the matrix's entries when the loss has a penalty."""
        penalty = self.penalty
        if penalty is None or not penalty.covers(entries):
            self.step(id_, kind, n, product, *terms)
            return
        g = penalty.gradient(entries, self.worked[0].values, self.counted).reshape(product.shape)
        terms = (*(terms or (product,)), "+", g)
        self.step(id_, kind, n, product + g, *terms, penalty=penalty.node, note=penalty.rule(entries))

    def _output_delta(self, z: Array, a: Array, grad: Array, targets: Array) -> Array:
        """δᴸ: ∇ₐE ⊙ f′(zᴸ), the softmax Jacobian times ∇ₐE, or a − t for softmax with cross-entropy."""

        layer, L, i = self.layers[-1], len(self.layers), self.names.id
        if layer.activations[0] != "softmax":
            fprime = slopes(layer, z)
            return self.step(i("delta", L), "delta_out", L, grad * fprime, grad, "⊙", fprime)
        delta = back(layer, z, grad)
        problem = self.sol.problem
        if LOSSES[problem.loss_kind].distribution and problem.targets_distributions:
            return self.step(i("delta", L), "softmax_ce", L, delta, a, "−", targets)
        return self.step(i("delta", L), "delta_out", L, delta)


def _rate(layer: Layer) -> str:
    """The layer's dropout rate as the file wrote it, "" without dropout."""
    from ..engine.notation import format_number

    return "" if layer.rate is None else format_number(layer.rate)


def _target(sol: Solution, out: str) -> str:
    """The target of output node `out` (the problem lists targets in the outputs' order)."""
    outs = sol.problem.layers[-1][1::2]
    return sol.problem.targets[outs.index(out)]
