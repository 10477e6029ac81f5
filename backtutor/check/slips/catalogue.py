"""The common slips, as a table: each entry names a slip, says what the student is told, and lists the
ways it can happen in a step, each an altered recomputation. Adding a slip = adding an entry.

`CATALOGUE` is the one table of every slip check names, in the order they are tried; grade.py asks
it for each name and each word a student is told. Most entries are altered recomputations: the first
that reproduces the student's number through their own chain is named; a slip whose rule changes
nothing in a step (σ′ where there is no sigmoid, the updated weights where no weight enters) is never
named there. Four entries are not such a rule, and their entry says where their rule is: another
unit's value written here ("swapped", tried first), two neighbouring digits swapped ("transposed"),
right inputs with a wrong result ("arithmetic"), and inputs rounded too early (`early_rounding`,
below; tried last, because rounding explains a little of almost anything). Nothing fits: the last
entry, "wrong — no single slip explains it".

The optimizers' slips (`OPTIMIZER_SLIPS`: Adam's bias correction forgotten, β and 1 − β swapped, ε
inside the root, g for g² and back, momentum's two forms mixed up, …) are tried after the table, each
only in problems trained with an optimizer it belongs to; they are deep, so a slip in a quantity the
student skipped (m̂ left blank) is named in the step that uses it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator

from ...engine.expr import ONE, Call, Deriv, Expr, Num, Sym
from ...engine.formula import text
from ...solution import Step
from ..recompute import FormulaRule, Hypothesis, LeafRule, as_known, as_written
from .conv import kernel_flipped, pool_divisor
from .network import bias_left_out, input_missing, net_for_out, one_example, softmax_diagonal, w_for_wt
from .optimizer import OptimizerFacts, no_learning_rate
from .optimizer_rewrite import (
    bias_without_power,
    epsilon_inside_root,
    no_bias_correction,
    no_root,
    plain_gradient,
    squared_gradient,
    swapped_average,
)
from .records import Alteration, Alterations, Slip, SlipContext
from .rewrite import Path, drop_one_minus_sigma, exchange, factors, replace


def hypotheses(ctx: SlipContext, step: Step) -> Iterator[Hypothesis]:
    """Every slip that could have happened in this step, in table order."""
    for slip in CATALOGUE:
        for alt in slip.alterations(ctx, step) if slip.alterations else ():
            yield Hypothesis(slip.name, slip.told(**alt.fields), alt.formula, alt.leaf, alt.deep, alt.reads)


def early_rounding(decimals: int, written: Collection[str] = ()) -> Hypothesis:
    """The step worked from its computed inputs rounded to `decimals` (the given numbers are exact:
    0.3 for net_h1 = 0.3775 is not w1·i1 + w2·i2 + b1 from any rounding of a student's own), and
    the inputs in `written` as the student wrote them (0.0822 written is not 0.1 used)."""

    def rounded(s: Step, leaf: Expr, v: float) -> float:
        kept = any(lid is None or lid in written for each, lid, _ in s.leaves if each is leaf)
        return v if kept else round(v, decimals)

    return Hypothesis(EARLY_ROUNDING.name, EARLY_ROUNDING.told(decimals=decimals), leaf=rounded)


# ---- the ways each slip can happen ------------------------------------------------------------------
def _plus_update(ctx: SlipContext, step: Step) -> Iterator[Alteration]:
    def plus(s: Step) -> Expr:
        assert isinstance(s.formula, Call)  # w − η·∂E/∂w (or an optimizer's w − step)
        return Call("add", s.formula.args)

    # only the step of a parameter itself: an optimizer's buffers are no subtraction
    if step.phase == "update" and isinstance(step.formula, Call) and step.formula.op == "sub":
        yield Alteration(formula=plus)


def _updated_weights(ctx: SlipContext, step: Step) -> Iterator[Alteration]:
    after = ctx.updated.get(step.update)
    if step.phase != "backward" or not after:
        return

    def theirs(s: Step, leaf: Expr) -> str | None:
        """A weight's w⁺ as the student has it: written, or worked from their own gradient."""
        if s.phase == "backward" and isinstance(leaf, Sym) and leaf.name in after:
            return after[leaf.name].id
        return None

    def worked(s: Step, leaf: Expr, v: float) -> float:
        """A weight's w⁺ worked right (w − η·∂E/∂w), when what they wrote for w⁺ has a slip of its own."""
        if s.phase == "backward" and isinstance(leaf, Sym) and leaf.name in after:
            return float(after[leaf.name].value)
        return v

    yield Alteration(reads=theirs, deep=True)
    yield Alteration(leaf=worked, deep=True)


def _sigma_for_derivative(ctx: SlipContext, step: Step) -> Iterator[Alteration]:
    def sigma(s: Step) -> Expr:
        return drop_one_minus_sigma(s.formula) if s.phase == "backward" else s.formula

    if step.phase == "backward":
        yield Alteration(formula=sigma, deep=True)


def _missing_factors(ctx: SlipContext, step: Step) -> Iterator[Alteration]:
    for path, factor in factors(step.formula):
        if ctx.is_input_factor(factor):
            continue  # its own entry, input_missing

        def without(s: Step, path: Path = path) -> Expr:
            return replace(s.formula, path, ONE)

        yield Alteration(formula=without, fields={"factor": ctx.describe(factor)})


def _scaled(factor: float) -> FormulaRule:
    scale = Num(factor)

    def scaled(s: Step) -> Expr:
        return Call("mul", (scale, s.formula))

    return scaled


def _times(factor: float, when: Callable[[SlipContext, Step], bool] = lambda ctx, step: True) -> Alterations:
    """The whole step multiplied by `factor`, in the steps where `when` holds."""

    def alterations(ctx: SlipContext, step: Step) -> Iterator[Alteration]:
        if when(ctx, step):
            yield Alteration(formula=_scaled(factor))

    return alterations


def _squared_loss_gradient(ctx: SlipContext, step: Step) -> bool:
    """A gradient of a squared loss: where its 2 (or ½) can be lost."""
    return ctx.squared_loss and isinstance(step.target, Deriv) and step.target.of == ctx.graph.loss


def _has_a_two(step: Step) -> bool:
    """A factor ±2 written in the formula: leaving it out is a missing factor, named as such."""
    return any(isinstance(f, Num) and abs(float(f.value)) == 2 for _, f in factors(step.formula))


def _swapped_pairs(ctx: SlipContext, step: Step) -> Iterator[Alteration]:
    """Two parameters of the step in each other's places, with the student's values for them."""
    params = ctx.params(step)
    for i, p in enumerate(params):
        for q in params[i + 1 :]:

            def swap(s: Step, p: Sym = p, q: Sym = q) -> Expr:
                return exchange(s.formula, p, q)

            yield Alteration(formula=swap, fields={"p": p.name, "q": q.name})


def _extra_factors(ctx: SlipContext, step: Step) -> Iterator[Alteration]:
    """The step times one of its own quantities (with the student's number for it)."""
    for leaf, _, v in step.leaves:
        if abs(float(v)) not in (0.0, 1.0):

            def times(s: Step, leaf: Expr = leaf) -> Expr:
                return Call("mul", (leaf, s.formula))

            yield Alteration(formula=times, fields={"factor": text(leaf)})


def _other_parameters(ctx: SlipContext, step: Step) -> Iterator[Alteration]:
    if step.phase != "forward":
        return
    during = ctx.parameters_during[step.update]
    for p in ctx.params(step):
        for other in ctx.partners.get(p.name, ()):
            value = during[other]
            if other != p.name:

                def substitute(s: Step, x: Expr, v: float, p: Sym = p, value: float = float(value)) -> float:
                    return value if x == p else v

                yield Alteration(leaf=substitute, fields={"other": other, "p": p.name})


# ---- the optimizer's slips: deep, so a slip in a buffer the student skipped shows in the step after ----
def _optimizer(slip: str, make: Callable[[OptimizerFacts], Alteration]) -> Alterations:
    """One deep alteration in every step of a problem trained with an optimizer whose table entry
    (engine/optimizers.py) lists `slip`."""

    def alterations(ctx: SlipContext, step: Step) -> Iterator[Alteration]:
        if ctx.optimizer.explains(slip):
            yield make(ctx.optimizer)

    return alterations


def _other_forms(ctx: SlipContext, step: Step) -> Iterator[Alteration]:
    if not ctx.optimizer.explains("momentum_form"):
        return
    this = ctx.optimizer.settings.optimizer.summary
    for other in ctx.optimizer.other_forms:
        fields = {"other": other.summary, "this": this}
        yield Alteration(formula=ctx.optimizer.other_form(other), deep=True, fields=fields)


def _restarted(ctx: SlipContext, step: Step) -> Iterator[Alteration]:
    if ctx.optimizer.explains("state_restarted") and step.update > 1:
        yield Alteration(leaf=ctx.optimizer.restarted(), deep=True)


def _deep(formula: FormulaRule = as_written, leaf: LeafRule = as_known) -> Alteration:
    return Alteration(formula, leaf, deep=True)


OPTIMIZER_SLIPS: tuple[Slip, ...] = (
    Slip(
        "bias_correction",
        "forgot Adam's bias correction: m̂ = m/(1 − β1ᵗ) and v̂ = v/(1 − β2ᵗ), not m and v themselves",
        _optimizer("bias_correction", make=lambda o: _deep(o.in_updates(no_bias_correction))),
    ),
    Slip(
        "bias_correction",
        "bias correction with β instead of βᵗ: m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ), t the update's number",
        _optimizer("bias_correction", make=lambda o: _deep(o.in_updates(bias_without_power))),
    ),
    Slip(
        "beta_swapped",
        "β and 1 − β swapped in the moving average: it is β·(the old average) + (1 − β)·(the new value)",
        _optimizer("beta_swapped", make=lambda o: _deep(o.in_updates(swapped_average))),
    ),
    Slip(
        "squared_gradient",
        "fed g² where g belongs: m (and a velocity) average the gradient itself, only v and G its square",
        _optimizer(
            "squared_gradient",
            make=lambda o: _deep(o.in_buffers(lambda e: squared_gradient(e, o.gradients))),
        ),
    ),
    Slip(
        "squared_gradient",
        "fed g where g² belongs: v (and Adagrad's G) accumulate the squared gradient g²",
        _optimizer("squared_gradient", make=lambda o: _deep(o.in_updates(plain_gradient(o.gradients)))),
    ),
    Slip(
        "epsilon_inside_root",
        "ε inside the square root: the step divides by √v̂ + ε, not √(v̂ + ε)",
        _optimizer("epsilon_inside_root", make=lambda o: _deep(o.in_updates(epsilon_inside_root))),
    ),
    Slip(
        "missing_root",
        "forgot the square root: the step divides by √v̂ + ε, not v̂ + ε",
        _optimizer("missing_root", make=lambda o: _deep(o.in_updates(no_root))),
    ),
    Slip(
        "momentum_form",
        "mixed up the two forms of momentum: worked {other} where this problem uses {this}",
        _other_forms,
    ),
    Slip(
        "state_restarted",
        "started the optimizer's buffers from 0 again: m, v and the velocity carry over from the "
        "update before",
        _restarted,
    ),
)

SLIPS: tuple[Slip, ...] = (
    Slip(
        "plus_update",
        "updated with + instead of −: the step must go against the gradient, w − η·∂E/∂w",
        _plus_update,
    ),
    Slip(
        "updated_weights",
        "used the already-updated weights (w⁺) in the backward pass; every gradient must use "
        "the weights of the forward pass",
        _updated_weights,
    ),
    Slip("sigma_for_derivative", "used σ instead of its derivative σ′ = σ·(1 − σ)", _sigma_for_derivative),
    Slip(
        "kernel_flipped",
        "flipped the kernel: the layer computes the cross-correlation (as PyTorch's conv2d), each weight "
        "over the cell at its own place, not a convolution with the kernel turned by 180°",
        kernel_flipped,
    ),
    Slip(
        "pool_divisor",
        "the window's sum {divisor}: an average pool's cell is the mean of its {cells} cells",
        pool_divisor,
    ),
    Slip(
        "W_for_WT",
        "used W for Wᵀ in the backward pass: a hidden unit's ∂E/∂out sums δ_k times the weights from "
        "it (a column of W), not the weights into one unit (a row)",
        w_for_wt,
    ),
    Slip(
        "input_missing",
        "left out the input: ∂E/∂w = δ · (the input the weight multiplies), not δ alone",
        input_missing,
    ),
    Slip("bias_left_out", "left the bias out of the net input: net = Σ w·x + b", bias_left_out),
    Slip("net_for_out", "used net for out: the activation was not applied, out = f(net)", net_for_out),
    Slip(
        "softmax_diagonal",
        "used only the diagonal of the softmax Jacobian: ∂E/∂net_j sums ∂E/∂out_i · ∂out_i/∂net_j over "
        "every output i, −out_i·out_j where i ≠ j",
        softmax_diagonal,
    ),
    Slip(
        "one_example",
        "used example {example}'s gradient for the batch's: the batch's gradient sums (or averages) "
        "every example's",
        one_example,
    ),
    Slip("missing_factor", "left out the factor {factor}", _missing_factors),
    Slip(
        "missing_factor",
        "left out the factor η (the learning rate)",
        _optimizer("missing_factor", make=lambda o: _deep(leaf=no_learning_rate)),
    ),
    Slip("factor_two", "a factor 2 too many (the ½ of the squared loss?)", _times(2, _squared_loss_gradient)),
    Slip(
        "factor_two",
        "left out the factor 2 (of the squared loss's derivative; or kept its ½?)",
        _times(0.5, lambda ctx, step: _squared_loss_gradient(ctx, step) and not _has_a_two(step)),
    ),
    Slip("sign", "sign error", _times(-1)),
    Slip("swapped_weights", "the weights {p} and {q} are swapped", _swapped_pairs),
    Slip("extra_factor", "an extra factor {factor}", _extra_factors),
    Slip(
        "swapped_weights",
        "used {other} where {p} belongs (weights of two units mixed up?)",
        _other_parameters,
    ),
)

# ---- the diagnoses that are not an altered recomputation: grade.py applies their rules --------------
SWAPPED = Slip(
    "swapped",
    "this is the value of {other}: two units' weights swapped?",
    where="grade.py: Checker.swapped_in, tried before the table",
)
TRANSPOSED = Slip(
    "transposed",
    "two neighbouring digits swapped: it is {value}",
    where="pen.py: transposed(), tried after the table",
)
ARITHMETIC = Slip(
    "arithmetic",
    "your inputs are right but the result is not: it should be {expected}",
    where="grade.py: Checker.diagnose, when every input of the step is right",
)
EARLY_ROUNDING = Slip(
    "early_rounding",
    "rounded too early: the inputs of this step were rounded to {decimals} decimals",
    where="early_rounding() above, tried last by grade.py",
)
NO_SLIP = Slip("", "wrong — no single slip explains it", where="grade.py: when nothing else fits")
UNWRITTEN = Slip(
    "",
    "wrong — no single slip explains it; not written: {inputs} (what it is worked from), so the error "
    "is in this step or in the working before it, from {first} on",
    where="grade.py: when nothing else fits and the step rests on steps the sheet skips",
)

CATALOGUE: tuple[Slip, ...] = (
    SWAPPED,
    *SLIPS,
    *OPTIMIZER_SLIPS,
    TRANSPOSED,
    ARITHMETIC,
    EARLY_ROUNDING,
    NO_SLIP,
    UNWRITTEN,
)
"""Every slip check names, in the order grade.py tries them."""
