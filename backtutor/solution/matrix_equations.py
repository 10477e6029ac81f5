"""The matrix view's equations, as text and as LaTeX: one pair per kind of step (forward z and a, the
loss gradient, the two δ equations, ∂E/∂W and ∂E/∂b), for layer n."""

from __future__ import annotations

from ..engine.notation import latex_name

_TEXT = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "LeakyReLU", "softplus": "softplus",
         "swish": "swish", "identity": "id", "softmax": "softmax"}  # fmt: skip
_LATEX = {"sigmoid": r"\sigma", "tanh": r"\tanh", "relu": r"\mathrm{ReLU}",
          "leaky_relu": r"\mathrm{LeakyReLU}", "softplus": r"\mathrm{softplus}", "swish": r"\mathrm{swish}",
          "identity": r"\mathrm{id}", "softmax": r"\mathrm{softmax}"}  # fmt: skip


def activation_names(activations: tuple[str, ...]) -> tuple[str, str]:
    """A layer's f as text and LaTeX: its activation when all units share one, else f."""
    kinds = set(activations)
    if len(kinds) != 1:
        return "f", "f"
    (kind,) = kinds
    return _TEXT[kind], _LATEX[kind]


def _v(letter: str, n: int) -> str:
    r"""z, 1 → z^{(1)}; delta, 2 → \delta^{(2)}."""
    return (r"\delta" if letter == "delta" else letter) + f"^{{({n})}}"


def equation(kind: str, n: int, loss: str, f: tuple[str, str], bias: bool = False) -> tuple[str, str]:
    """The text and LaTeX of a step of layer n: kind is z, a, grad, delta_out, delta, dW or db."""
    E, (ft, fl) = latex_name(loss), f
    pairs = {
        "z": (
            f"z{n} = W{n}·a{n - 1}" + (f" + b{n}" if bias else ""),
            f"{_v('z', n)} = {_v('W', n)} {_v('a', n - 1)}" + (f" + {_v('b', n)}" if bias else ""),
        ),
        "a": (f"a{n} = {ft}(z{n})", f"{_v('a', n)} = {fl}({_v('z', n)})"),
        "grad": (f"∇a{n} {loss}", rf"\nabla_{{{_v('a', n)}}} {E}"),
        "delta_out": (
            f"delta{n} = ∇a{n} {loss} ⊙ {ft}′(z{n})",
            rf"{_v('delta', n)} = \nabla_{{{_v('a', n)}}} {E} \odot {fl}'({_v('z', n)})",
        ),
        "delta": (
            f"delta{n} = (W{n + 1}ᵀ·delta{n + 1}) ⊙ {ft}′(z{n})",
            rf"{_v('delta', n)} = \left(({_v('W', n + 1)})^{{\top}} {_v('delta', n + 1)}\right) "
            rf"\odot {fl}'({_v('z', n)})",
        ),
        "dW": (
            f"∂{loss}/∂W{n} = delta{n}·a{n - 1}ᵀ",
            rf"\frac{{\partial {E}}}{{\partial {_v('W', n)}}} = {_v('delta', n)} ({_v('a', n - 1)})^{{\top}}",
        ),
        "db": (
            f"∂{loss}/∂b{n} = delta{n}",
            rf"\frac{{\partial {E}}}{{\partial {_v('b', n)}}} = {_v('delta', n)}",
        ),
    }
    if kind == "delta_out" and ft == "softmax":  # f′ is the Jacobian, not elementwise
        a = _v("a", n)
        return (
            f"delta{n} = (diag(a{n}) − a{n}·a{n}ᵀ)·∇a{n} {loss}",
            rf"{_v('delta', n)} = \left(\operatorname{{diag}}({a}) - {a} ({a})^{{\top}}\right) "
            rf"\nabla_{{{a}}} {E}",
        )
    return pairs[kind]
