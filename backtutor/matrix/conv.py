"""The matrix view of a convolutional network: the image, each feature map, activated map and pooled
map as a matrix, then backward each map's ∂L/∂(map), and ∂L/∂kernel as the correlation of the input
with the upstream gradient, ∂L/∂K = X ⋆ ∂L/∂C (computed as one product, X_cols · vec(∂L/∂C), in
matrix_stages.py); the per-cell sums stay in the scalar view. Numbers by NumPy from the stages; ids
the map's name (`c`, `p`, `dE/dc`, `dE/dk`), with `(f)` for map f of several."""

from __future__ import annotations

from fractions import Fraction
from itertools import groupby
from typing import TYPE_CHECKING, cast

from ..engine.losses import LOSSES
from ..engine.notation import format_number
from ..errors import InputError
from ..solution.records import Solution, Worked
from .equations import activation_names
from .functions import loss_gradient
from .records import MatrixStep, Term
from .stages import Stage, base, maps, network_stages, shaped
from .updates import Parameter, update_steps

if TYPE_CHECKING:
    from .records import Array


def conv_view(sol: Solution) -> tuple[MatrixStep, ...]:
    """Every worked example's working, map by map; an error for a model the view cannot read."""
    stages = network_stages(sol.problem)
    forward_only = sol.problem.forward_only
    if stages is None or not (forward_only or any(s.kind == "linear" and s.shared for s in stages)):
        raise InputError(
            "--view matrix needs a network of layers (`network`, units or W and b; or conv layers)"
        )
    if forward_only:
        return tuple(step for w in sol.worked for step in _StagePass(sol, stages, w, "").steps)
    if sol.problem.loss_kind != "output" and loss_gradient(sol.problem.loss_kind) is None:
        kinds = ", ".join(k for k, loss in LOSSES.items() if loss.term)
        raise InputError(f"--view matrix works the losses {kinds} and output")
    steps: list[MatrixStep] = []
    for t, group in groupby(sol.worked, key=lambda w: w.update):
        at = f"@{t}" if sol.updates > 1 else ""
        for w in group:
            steps += _StagePass(
                sol, stages, w, (f"[{w.example}]" if w.example is not None else "") + at
            ).steps
        if sol.problem.training:
            steps += update_steps(sol, _parameters(sol, stages), steps, t, at)
    return tuple(steps)


def _parameters(sol: Solution, stages: tuple[Stage, ...]) -> list[Parameter]:
    """Each linear stage's kernels (or weight vector) and its biases, for the updates."""
    out = []
    for stage in (s for s in stages if s.kind == "linear"):
        k, d = base(stage.weights), f"d{sol.problem.loss}/d"
        found = maps(stage.weights)
        if found is None:
            out.append(Parameter(k, tuple((w,) for w in stage.weights), d + k, vector=True))
        for label, cells in found or []:
            entries = tuple(tuple(stage.weights[p] for p in row) for row in cells)
            out.append(Parameter(k + label, entries, d + k + label))
        biases = tuple(dict.fromkeys(b for b in stage.biases if b))
        if biases:
            out.append(Parameter(base(biases), tuple((b,) for b in biases), d + base(biases), vector=True))
    return out


class _StagePass:
    def __init__(self, sol: Solution, stages: tuple[Stage, ...], w: Worked, suffix: str) -> None:
        self.sol, self.stages, self.w, self.suffix = sol, stages, w, suffix
        self.params = {n: float(w.values[n]) for n in sol.problem.parameters}
        self.L = sol.problem.loss
        self.steps: list[MatrixStep] = []
        self._run()

    def step(self, id_: str, phase: str, text: str, value: Array, *terms: Term) -> None:
        w = self.w  # no LaTeX of its own: documents set the equation as text
        self.steps.append(MatrixStep(id_ + self.suffix, phase, text, "", value, w.update, w.example, terms))

    def _run(self) -> None:
        import numpy as np

        inputs = self.sol.problem.inputs
        values = [np.array([float(self.w.values[n]) for n in inputs])]
        for label, m in shaped(inputs, values[0]):
            self.step(base(inputs) + label, "forward", f"{base(inputs)}{label}: the input", m)
        asked = self.sol.problem.maps if self.sol.problem.forward_only else None
        for stage in self.stages:
            values.append(stage.forward(values[-1], self.params))
            if asked is None or base(stage.outs) in asked:
                self._forward(stage, values[-2], values[-1])
        if asked is None:
            self._backward(values)

    def kernels(self, stage: Stage) -> list[tuple[str, Array]]:
        import numpy as np

        return shaped(stage.weights, np.array([self.params[n] for n in stage.weights]))

    def _forward(self, stage: Stage, x: Array, y: Array) -> None:
        src, out, inputs = base(stage.ins), base(stage.outs), shaped(stage.ins, x)
        outs = shaped(stage.outs, y)
        kernels = self.kernels(stage) if stage.kind == "linear" else []
        paired = len(kernels) == len(outs)
        for i, (label, m) in enumerate(outs):
            name, terms = out + label, cast(tuple["Term", ...], ())
            if stage.kind == "linear" and stage.shared:
                k = base(stage.weights) + (kernels[i][0] if paired else "")
                bias = _bias(stage, i, len(outs))
                text = f"{name} = {src} ⋆ {k}" + (f" + {bias}" if bias else "")
                if len(inputs) == 1 and paired:
                    terms = (inputs[0][1], "⋆", kernels[i][1]) + (
                        _plus(self.sol.problem.parameters[bias]) if bias else ()
                    )
            elif stage.kind == "linear":
                biases = [b for b in stage.biases if b]
                text = f"{name} = {base(stage.weights)}·{src}" + (
                    f" + {base(tuple(biases))}" if biases else ""
                )
            else:
                text = f"{name} = {activation_names((stage.kind,), (stage.param,))[0]}({src}{label})"
            self.step(name, "forward", text, m, *terms)

    def _backward(self, values: list[Array]) -> None:
        """∂L/∂(each stage's outputs) from the last stage back, with each linear stage's ∂L/∂weights."""
        import numpy as np

        g = self._loss_gradient(values[-1])
        how = f"∇{base(self.stages[-1].outs)} {self.L}" if self.sol.problem.loss_kind != "output" else "1"
        terms: list[tuple[Term, ...]] = []
        wanted = any(i in self.sol.problem.input_gradients for i in self.sol.problem.inputs)
        for n in range(len(self.stages), 0, -1):
            stage, x, y = self.stages[n - 1], values[n - 1], values[n]
            self._gradients(stage.outs, g, how, terms)
            if stage.kind == "linear":
                self._weight_gradients(stage, x, g)
            if n == 1 and not wanted:
                return
            how, terms = self._how(stage), []
            if stage.kind not in ("linear", "maxpool", "avgpool"):  # f′ of an activation, map by map
                slopes = shaped(stage.ins, stage.backward(x, y, np.ones(len(y)), self.params))
                terms = [
                    (gm, "⊙", fm) for (_, gm), (_, fm) in zip(shaped(stage.outs, g), slopes, strict=True)
                ]
            g = stage.backward(x, y, g, self.params)
        self._gradients(self.stages[0].ins, g, how, terms)

    def _how(self, stage: Stage) -> str:
        """How ∂L/∂(inputs) of a stage follows from ∂L/∂(outputs)."""
        o, src, L = base(stage.outs), base(stage.ins), self.L
        if stage.kind == "maxpool":
            return f"∂{L}/∂{o} routed to each window's largest cell of {src}, 0 elsewhere"
        if stage.kind == "avgpool":
            return f"∂{L}/∂{o} spread evenly over each window (÷{stage.divisor})"
        if stage.kind == "linear" and stage.shared:
            return f"the full convolution of ∂{L}/∂{o} with the flipped {base(stage.weights)}"
        if stage.kind == "linear":
            return f"{base(stage.weights)}ᵀ·∂{L}/∂{o}"
        return f"∂{L}/∂{o} ⊙ {activation_names((stage.kind,), (stage.param,))[0]}′({src})"

    def _gradients(self, names: tuple[str, ...], g: Array, how: str, terms: list[tuple[Term, ...]]) -> None:
        """∂L/∂(names), map by map."""
        for i, (label, m) in enumerate(shaped(names, g)):
            d = f"d{self.L}/d{base(names)}{label}"
            self.step(
                d, "backward", f"∂{self.L}/∂{base(names)}{label} = {how}", m, *(terms[i] if terms else ())
            )

    def _weight_gradients(self, stage: Stage, x: Array, g: Array) -> None:
        """∂L/∂w = X_cols · ∂L/∂out for every weight at once; for a conv, the correlation X ⋆ ∂L/∂C."""
        import numpy as np

        grads = stage.columns(x) @ g
        src, out, k = base(stage.ins), base(stage.outs), base(stage.weights)
        inputs, upstream = shaped(stage.ins, x), shaped(stage.outs, g)
        kernels = shaped(stage.weights, grads)
        for i, (label, m) in enumerate(kernels):
            terms: tuple[Term, ...] = ()
            if stage.shared:
                paired = len(kernels) == len(upstream)
                text = f"∂{self.L}/∂{k}{label} = {src} ⋆ ∂{self.L}/∂{out}{upstream[i][0] if paired else ''}"
                if len(inputs) == 1 and paired:
                    terms = (inputs[0][1], "⋆", upstream[i][1])
            else:
                text = f"∂{self.L}/∂{k}{label} = ∂{self.L}/∂{out}·{src}ᵀ"
            self.step(f"d{self.L}/d{k}{label}", "backward", text, m, *terms)
        biases = tuple(dict.fromkeys(b for b in stage.biases if b))
        if biases:
            total = {b: 0.0 for b in biases}
            for b, gi in zip(stage.biases, g, strict=True):
                if b:
                    total[b] += float(gi)
            what = f"the sum of ∂{self.L}/∂{out} over each map" if stage.shared else f"∂{self.L}/∂{out}"
            value = np.array([total[b] for b in biases])
            self.step(f"d{self.L}/d{base(biases)}", "backward", f"∂{self.L}/∂{base(biases)} = {what}", value)

    def _loss_gradient(self, y: Array) -> Array:
        """∂L/∂(the last stage's outputs): 1 on the output that is the loss, or the loss's ∇."""
        import numpy as np

        outs, problem = self.stages[-1].outs, self.sol.problem
        if problem.loss_kind == "output":
            return np.array([1.0 if o == problem.loss else 0.0 for o in outs])
        t = np.array([float(self.w.values[n]) for n in problem.targets])
        gradient = loss_gradient(problem.loss_kind)
        assert gradient is not None, "conv_view checked the loss"
        return gradient(y, t)


def _plus(bias: Fraction) -> tuple[str, str]:
    """+ b as written after a product: + 0.5, or − 0.5 for a negative bias (not + -0.5)."""
    return ("−", format_number(-bias)) if bias < 0 else ("+", format_number(bias))


def _bias(stage: Stage, i: int, maps: int) -> str | None:
    """The bias of output map i (the bias of its first cell)."""
    per = len(stage.outs) // maps
    return stage.biases[i * per] if stage.biases else None
