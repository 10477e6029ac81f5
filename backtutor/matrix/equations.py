"""The matrix view's equations, as text and as LaTeX: one pair per kind of step (the inputs and
targets of a batch, forward z and a, the loss gradient, the two δ equations, ∂E/∂W and ∂E/∂b, the
update) for layer n. A batch writes its quantities as capitals, one column per example (Z, A, Δ), and
its bias gradient as the row sums Δ·1 (times 1/m when the loss is the mean over the batch)."""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.expr import Call, Param, Sym
from ..engine.formula import latex, text
from ..engine.notation import latex_name
from ..engine.ops import OPS


def activation_names(activations: tuple[str, ...], params: tuple[Param, ...]) -> tuple[str, str]:
    """A layer's f as text and LaTeX, as the op table writes it (σ, ReLU, a formula's own name) when
    all units share one, else f."""
    kinds = {(f, _own(f, p)) for f, p in zip(activations, params, strict=True)}
    if len(kinds) != 1:
        return "f", "f"
    ((kind, param),) = kinds
    if kind == "identity":
        return "id", r"\mathrm{id}"
    if kind not in OPS or OPS[kind].param == "component":  # softmax, over the whole layer
        return kind, rf"\mathrm{{{kind}}}"
    call = Call(kind, (Sym("z"),), param)
    return text(call).split("(z")[0], latex(call).split(r"\left(z")[0]


def _own(f: str, p: Param) -> Param:
    """The constant that makes f another function (leaky_relu's slope); not softmax's component."""
    return None if f in OPS and OPS[f].param == "component" else p


@dataclass(frozen=True)
class Names:
    """How the view writes a layer's quantities: a, z, delta for one example; A, Z, Delta for a
    batch of `batch` examples, whose gradients are the mean (mean=True) or the sum over it."""

    batch: int = 1
    mean: bool = False

    def id(self, letter: str, n: int) -> str:
        """The step id and text name: z1, delta2 (Z1, Delta2 for a batch)."""
        return (letter.capitalize() if self.batch > 1 else letter) + str(n)

    def tex(self, letter: str, n: int) -> str:
        r"""z, 1 → z^{(1)}; delta, 2 → \delta^{(2)} (Z^{(1)}, \Delta^{(2)} for a batch)."""
        # a batch's quantities are matrices, one column per example: capitals; W and b stay the
        # layer's own (b broadcast over the columns), as the terminal writes them
        name = letter.capitalize() if self.batch > 1 and letter != "b" else letter
        if letter == "drop":  # a layer's outputs after dropout: ã
            name = r"\tilde{A}" if self.batch > 1 else r"\tilde{a}"
        return (rf"\{name}" if letter == "delta" else name) + f"^{{({n})}}"

    @property
    def scale(self) -> tuple[str, str]:
        """The factor of a batch's gradient: 1/m for a mean, nothing for a sum."""
        m = self.batch
        return (f"(1/{m})·", rf"\frac{{1}}{{{m}}}") if self.batch > 1 and self.mean else ("", "")


@dataclass(frozen=True)
class Dropping:
    """Dropout around layer n: its input is the layer before's outputs after dropout (`input`), and
    `rate` is the rate of its own outputs' dropout ("" without)."""

    input: bool = False
    rate: str = ""


def equation(
    kind: str,
    n: int,
    loss: str,
    f: tuple[str, str],
    bias: bool = False,
    names: Names = Names(),
    dropping: Dropping = Dropping(),
    penalty: str = "",
) -> tuple[str, str]:
    """The text and LaTeX of a step of layer n: kind is X, T, z, a, drop, grad, delta_out, delta,
    dW, db, update (W, b) or softmax_ce (δ = a − t). A gradient dW or db adds the gradient of the
    `penalty` node, when the loss has one."""
    E, (ft, fl), i, v = latex_name(loss), f, names.id, names.tex
    before = "drop" if dropping.input else "a"  # what layer n reads
    p = dropping.rate
    kept_t, kept_l = (f" ⊙ {i('m', n)}/(1 − {p})", rf" \odot {v('m', n)} / (1 - {p})") if p else ("", "")
    one_t, one_l = ("·1", r" \mathbf{1}") if names.batch > 1 else ("", "")
    (st, sl), (row_t, row_l) = names.scale, ("·1ᵀ", r" \mathbf{1}^{\top}") if names.batch > 1 else ("", "")
    pairs = {
        "X": ("A0 = X, one column per example", r"A^{(0)} = X"),
        "T": ("T, the targets, one column per example", "T"),
        "z": (
            f"{i('z', n)} = W{n}·{i(before, n - 1)}" + (f" + b{n}{row_t}" if bias else ""),
            f"{v('z', n)} = {v('W', n)} {v(before, n - 1)}" + (f" + {v('b', n)}{row_l}" if bias else ""),
        ),
        "a": (f"{i('a', n)} = {ft}({i('z', n)})", f"{v('a', n)} = {fl}({v('z', n)})"),
        "drop": (
            f"{i('drop', n)} = {i('m', n)} ⊙ {i('a', n)}/(1 − {p})",
            rf"{v('drop', n)} = {v('m', n)} \odot {v('a', n)} / (1 - {p})",
        ),
        "grad": (f"∇{i('a', n)} {loss}", rf"\nabla_{{{v('a', n)}}} {E}"),
        "delta_out": (
            f"{i('delta', n)} = ∇{i('a', n)} {loss} ⊙ {ft}′({i('z', n)})",
            rf"{v('delta', n)} = \nabla_{{{v('a', n)}}} {E} \odot {fl}'({v('z', n)})",
        ),
        "delta": (
            f"{i('delta', n)} = (W{n + 1}ᵀ·{i('delta', n + 1)}){kept_t} ⊙ {ft}′({i('z', n)})",
            rf"{v('delta', n)} = \left(({v('W', n + 1)})^{{\top}} {v('delta', n + 1)}\right)"
            rf"{kept_l} \odot {fl}'({v('z', n)})",
        ),
        "dW": (
            f"∂{loss}/∂W{n} = {st}{i('delta', n)}·{i(before, n - 1)}ᵀ",
            rf"\frac{{\partial {E}}}{{\partial {v('W', n)}}} = "
            rf"{sl}{v('delta', n)} ({v(before, n - 1)})^{{\top}}",
        ),
        "db": (
            f"∂{loss}/∂b{n} = {st}{i('delta', n)}{one_t}",
            rf"\frac{{\partial {E}}}{{\partial {v('b', n)}}} = {sl}{v('delta', n)}{one_l}",
        ),
        "W+": (f"W{n}+ = W{n} − η·∂{loss}/∂W{n}", _update_tex("W", n, E)),
        "b+": (f"b{n}+ = b{n} − η·∂{loss}/∂b{n}", _update_tex("b", n, E)),
    }
    if penalty and kind in ("dW", "db"):
        letter = kind[1]
        t, tex = pairs[kind]
        P = latex_name(penalty)
        return (
            f"{t} + ∂{penalty}/∂{letter}{n}",
            rf"{tex} + \frac{{\partial {P}}}{{\partial {v(letter, n)}}}",
        )
    if kind == "delta_out" and ft == "softmax":  # f′ is the Jacobian, not elementwise
        return _softmax_delta(n, loss, E, names, ce=False)
    if kind == "softmax_ce":
        return _softmax_delta(n, loss, E, names, ce=True)
    return pairs[kind]


def _update_tex(letter: str, n: int, E: str) -> str:
    p = f"{letter}^{{({n})}}"
    return rf"{p}_{{+}} = {p} - \eta \frac{{\partial {E}}}{{\partial {p}}}"


def _softmax_delta(n: int, loss: str, E: str, names: Names, ce: bool) -> tuple[str, str]:
    """δ = (diag(a) − a·aᵀ)·∇ₐE for softmax (per column in a batch); with cross-entropy and targets
    that sum to 1 this is a − t."""
    a, d, at, dt = names.id("a", n), names.id("delta", n), names.tex("a", n), names.tex("delta", n)
    col = a if names.batch == 1 else "a"  # a batch: the Jacobian of each column a
    text = f"{d} = (diag({col}) − {col}·{col}ᵀ)·∇{a} {loss}"
    colt = at if names.batch == 1 else "a"
    tex = rf"{dt} = \left(\operatorname{{diag}}({colt}) - {colt} ({colt})^{{\top}}\right) \nabla_{{{at}}} {E}"
    if names.batch > 1:
        text, tex = text + ", per column", tex + r"\text{, per column}"
    if ce:
        t = "T" if names.batch > 1 else "t"
        text, tex = f"{text} = {a} − {t}", f"{tex} = {at} - {t}"
    return text, tex


def loss_equation(name: str, kind: str, outputs: int, penalty: str = "") -> tuple[str, str]:
    """The loss of one example over its outputs a_k and targets t_k, from the loss table's term:
    E = Σₖ 1/2·(t_k − a_k)² (with 1/K for a mean over K outputs), + the penalty node when it has one."""
    from ..engine.losses import LOSSES

    loss = LOSSES[kind]
    assert loss.term is not None, "the matrix view works losses with a term per output"
    term = loss.term(Sym("t_k"), Sym("a_k"))
    mean = loss.over_outputs == "mean" and outputs > 1
    head_t, head_l = (
        (f"(1/{outputs})·Σₖ ", rf"\frac{{1}}{{{outputs}}}\sum_k ") if mean else ("Σₖ ", r"\sum_k ")
    )
    plus_t, plus_l = (f" + {penalty}", f" + {latex_name(penalty)}") if penalty else ("", "")
    return (
        f"{name} = {head_t}{text(term)}{plus_t}",
        rf"{latex_name(name)} = {head_l}{latex(term)}{plus_l}",
    )
