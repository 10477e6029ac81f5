"""The array engine's rule table (backtutor/arrays/rules.py) against the scalar tables it must agree
with: each activation's NumPy form against the op table's float forward rule and its local
derivative, each loss's against its per-output term differentiated by the engine's `diff`, the
optimizer rule on an array against the optimizer table's number rule element by element, and the
softmax Jacobian against central finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from backtutor.arrays.rules import RULES
from backtutor.engine.expr import Call, Sym
from backtutor.engine.losses import LOSSES
from backtutor.engine.ops import OPS, diff, evaluate
from backtutor.engine.optimizers import OPTIMIZERS, Settings, float_constants

Z = np.linspace(-3.0, 3.0, 12).reshape(3, 4)
Z[0, 0] = 0.0
ELEMENTWISE = [n for n, op in OPS.items() if op.vector is not None and op.vector.slope is not None]


@pytest.mark.parametrize("f", ELEMENTWISE)
def test_an_activation_on_arrays_is_the_op_tables_forward_and_derivative(f):
    op, p = OPS[f], 0.1
    param = p if op.param else None
    call = Call(f, (Sym("z"),), param)
    local = op.partial(call, 0)
    forward = np.vectorize(lambda v: evaluate(call, {"z": float(v)}))(Z)
    slope = np.vectorize(lambda v: evaluate(local, {"z": float(v)}))(Z)
    kwargs = {"slope": p} if op.param else {}
    np.testing.assert_allclose(RULES["activate"](Z, f=f, **kwargs), forward, rtol=1e-14, atol=1e-15)
    ones = np.ones_like(Z)
    np.testing.assert_allclose(RULES["delta_out"](ones, Z, f=f, **kwargs), slope, rtol=1e-14, atol=1e-15)


def test_softmax_backward_is_its_jacobian_by_central_differences():
    rng = np.random.default_rng(0)
    z, g, h = rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), 1e-6
    numeric = np.zeros_like(z)
    for i, j in np.ndindex(z.shape):
        up, down = z.copy(), z.copy()
        up[i, j] += h
        down[i, j] -= h
        a_up, a_down = RULES["activate"](up, f="softmax"), RULES["activate"](down, f="softmax")
        numeric[i, j] = (g[:, j] @ (a_up[:, j] - a_down[:, j])) / (2 * h)
    np.testing.assert_allclose(RULES["delta_out"](g, z, f="softmax"), numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("kind", [k for k, loss in LOSSES.items() if loss.vector is not None])
def test_a_loss_on_arrays_is_its_terms_and_their_derivatives(kind):
    a = np.array([[0.2, 0.7], [0.5, 0.1], [0.3, 0.2]])
    t = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 0.0]])
    term = LOSSES[kind].term(Sym("t"), Sym("a"))
    d = diff(term, "a")
    n = 1 / 3 if LOSSES[kind].over_outputs == "mean" else 1.0
    each = np.vectorize(lambda ai, ti: evaluate(term, {"a": float(ai), "t": float(ti)}))(a, t)
    grad = np.vectorize(lambda ai, ti: evaluate(d, {"a": float(ai), "t": float(ti)}))(a, t)
    per_example = n * each.sum(axis=0)
    assert RULES["loss"](a, t, kind=kind, reduction="sum") == pytest.approx(per_example.sum(), rel=1e-14)
    assert RULES["loss"](a, t, kind=kind, reduction="mean") == pytest.approx(per_example.mean(), rel=1e-14)
    np.testing.assert_allclose(RULES["loss_gradient"](a, t, kind=kind), n * grad, rtol=1e-14)


@pytest.mark.parametrize("key", sorted(OPTIMIZERS))
def test_the_optimizer_rule_on_an_array_is_the_number_rule_on_each_element(key):
    kind, form = key
    entry = OPTIMIZERS[key]
    k = float_constants(Settings(kind, entry.defaults, entry.weight_decay, form), 0.1)
    rng = np.random.default_rng(1)
    w, g = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    state = tuple(np.abs(rng.normal(size=(2, 3))) for _ in entry.buffers)
    for index in range(len(entry.quantities) + 1):
        got = RULES["optimize"](w, g, *state, kind=kind, form=form, t=2, index=index, **k)
        want = np.vectorize(
            lambda wi, gi, *si, i=index: entry.numbers(k, 2, float(wi), float(gi), tuple(map(float, si)))[i]
        )(w, g, *state)
        np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)
