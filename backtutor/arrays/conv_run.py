"""A convolutional network worked by the array engine on one image: the forward pass layer by layer,
softmax cross-entropy on the outputs, the backward pass through every layer to each kernel, weight
and bias, and one SGD step, each step computed by its rule of the one rule table (as the checker
recomputes it). Ids: z{n} a conv or dense layer's output (K{n} or W{n}, b{n} its parameters), a{n}
its activation, p{n} its pooling, f{n} the flattened maps; delta{n} = ∂E/∂z{n}, dE/d… the gradient
of anything else, K{n}+ the updated kernels."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..problem.array_conv import ArrayConvProblem, ConvLayer
from .conv_rules import columns, padded
from .records import ArraySolution, ArrayStep, Phase, frozen
from .rules import RULES

_POOL = {"max": "max", "avg": "average"}
_COLUMNS = "columns of {}"  # the key of a conv layer's kept im2col, by its input's id


@dataclass
class _Script:
    """The steps so far, each evaluated as it is written."""

    problem: ArrayConvProblem
    values: dict[str, Any] = field(default_factory=dict)
    steps: list[ArrayStep] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.values.update(self.problem.given)

    def add(
        self,
        id: str,
        rule: str,
        inputs: tuple[str, ...],
        formula: str,
        phase: Phase,
        reuse: dict[str, str] | None = None,
        **params: Any,
    ) -> str:
        """A step; `reuse` passes the rule earlier values it would recompute (A: the activation's own
        output), not part of the step's params: the checker recomputes from the student's inputs."""
        extra = {k: self.values[v] for k, v in reuse.items()} if reuse else {}
        value = RULES[rule](*[self.values[i] for i in inputs], **params, **extra)
        self.values[id] = value
        self.steps.append(ArrayStep(id, rule, inputs, value, f"{id} = {formula}", phase, frozen(params)))
        return id


def solve_conv(problem: ArrayConvProblem) -> ArraySolution:
    s = _Script(problem)
    reads = _forward(s, problem.layers)
    last = problem.layers[-1].n
    out = s.add(f"a{last}", "activate", (reads,), f"softmax({reads})", "forward", f="softmax")
    s.add("E", "loss", (out, "t"), f"−Σ t·log {out}", "forward", kind="cross_entropy", reduction="mean")
    s.add(
        f"delta{last}" if reads == f"z{last}" else f"dE/d{reads}",
        "softmax_cross_entropy",
        (out, "t"),
        f"{out} − t",
        "backward",
    )
    _backward(s, problem.layers, reads)
    for p in problem.parameters:
        s.add(
            f"{p}+",
            "optimize",
            (p, f"dE/d{p}"),
            f"{p} − η·dE/d{p}",
            "update",
            kind="sgd",
            t=1,
            index=0,
            lr=problem.learning_rate,
        )
    return ArraySolution(problem, dict(problem.given), tuple(s.steps))


def _forward(s: _Script, layers: tuple[ConvLayer, ...]) -> str:
    """Every layer's output from the image; the id of the last."""
    reads = "x"
    for layer in layers:
        n = layer.n
        if layer.kind == "conv":
            reads = s.add(
                f"z{n}",
                "conv2d",
                (reads, f"K{n}", f"b{n}"),
                f"K{n} ⋆ {reads} + b{n}",
                "forward",
                reuse={"cols": _columns(s, reads, layer)},
                stride=layer.stride,
                padding=layer.padding,
            )
        elif layer.kind == "dense":
            reads = s.add(f"z{n}", "linear", (f"W{n}", reads, f"b{n}"), f"W{n}·{reads} + b{n}", "forward")
        elif layer.kind == "pool":
            reads = s.add(
                f"p{n}",
                "pool",
                (reads,),
                f"{layer.pool}pool({reads})",
                "forward",
                kind=layer.pool,
                size=layer.size,
                stride=layer.stride,
            )
        elif layer.kind == "flatten":
            reads = s.add(f"f{n}", "flatten", (reads,), f"flatten({reads})", "forward")
        else:
            reads = s.add(
                f"a{n}",
                "activate",
                (reads,),
                f"{layer.kind}({reads})",
                "forward",
                f=layer.kind,
                slope=layer.slope,
            )
    return reads


def _columns(s: _Script, reads: str, layer: ConvLayer) -> str:
    """The im2col of a conv layer's padded input, made once for its forward and its kernel's gradient
    (both multiply by it), kept under an id no step has; the key."""
    key = _COLUMNS.format(reads)
    kh, kw = s.values[f"K{layer.n}"].shape[2:]
    s.values[key] = columns(padded(s.values[reads], layer.padding), kh, kw, layer.stride)
    return key


def _backward(s: _Script, layers: tuple[ConvLayer, ...], last: str) -> None:
    """From ∂E/∂(the last output) back to every parameter: each layer sends the gradient of its output
    to the gradient of its input; the image's own gradient is not worked."""
    outputs = [st.id for st in s.steps if st.phase == "forward"][: len(layers)]  # each layer's output
    reads = ["x", *outputs[:-1]]  # each layer's input
    grad = _gradient_id(last)
    for layer, below, output in zip(reversed(layers), reversed(reads), reversed(outputs), strict=True):
        n, into = layer.n, _gradient_id(below)
        if layer.kind in ("conv", "dense"):
            weights = f"K{n}" if layer.kind == "conv" else f"W{n}"
            if layer.kind == "conv":
                s.add(
                    f"dE/dK{n}",
                    "conv2d_weight_gradient",
                    (grad, below, weights),
                    f"{below} ⋆ {grad}",
                    "backward",
                    reuse={"cols": _COLUMNS.format(below)},
                    stride=layer.stride,
                    padding=layer.padding,
                )
                s.add(f"dE/db{n}", "conv2d_bias_gradient", (grad,), f"Σ {grad} over each map", "backward")
            else:
                s.add(
                    f"dE/dW{n}", "weight_gradient", (grad, below), f"{grad}·{below}ᵀ", "backward", scale=1.0
                )
                s.add(f"dE/db{n}", "bias_gradient", (grad,), grad, "backward", scale=1.0)
            if below == "x":
                break
            if layer.kind == "conv":
                s.add(
                    into,
                    "conv2d_input_gradient",
                    (grad, weights, below),
                    f"{grad} full-convolved with {weights}",
                    "backward",
                    stride=layer.stride,
                    padding=layer.padding,
                )
            else:
                s.add(into, "back_linear", (weights, grad), f"{weights}ᵀ·{grad}", "backward")
        elif layer.kind == "pool":
            s.add(
                into,
                "pool_gradient",
                (grad, below),
                f"{grad} back through {_POOL[layer.pool]} pooling",
                "backward",
                kind=layer.pool,
                size=layer.size,
                stride=layer.stride,
            )
        elif layer.kind == "flatten":
            s.add(into, "unflatten", (grad, below), f"{grad} in the shape of {below}", "backward")
        else:
            s.add(
                into,
                "delta_out",
                (grad, below),
                f"{grad} ⊙ {layer.kind}′({below})",
                "backward",
                reuse={"A": output},
                f=layer.kind,
                slope=layer.slope,
            )
        grad = into


def _gradient_id(output: str) -> str:
    """delta{n} for a layer's z{n}, dE/d… for anything else."""
    return f"delta{output[1:]}" if output.startswith("z") else f"dE/d{output}"
