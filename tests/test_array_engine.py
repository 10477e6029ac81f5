"""The array engine (backtutor/arrays/) against oracles that are not itself: the scalar engine on
small matrix networks (the same file worked number by number: every forward value, every gradient
and the parameters after training, with momentum, Adam, mini-batches, dropout from a seed and an L2
penalty), the published numbers of the 2-2-2 example, and central finite differences of the loss on
a random 20-15-7 network."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

from backtutor.arrays.run import solve_arrays
from backtutor.problem.array_network import load_arrays
from backtutor.problem.load import load
from backtutor.problem.matrices import element
from backtutor.solution import solve

from .conftest import PROBLEMS


def _network(sizes, activations, seed=0, bias=True):
    rng = np.random.default_rng(seed)
    layers = []
    for (fan_in, units), f in zip(itertools.pairwise(sizes), activations, strict=True):
        layer = {"activation": f, "W": rng.uniform(-1, 1, (units, fan_in)).round(3).tolist()}
        if bias:
            layer["b"] = rng.uniform(-0.5, 0.5, units).round(3).tolist()
        layers.append(layer)
    return layers


def _data(n_in, n_out, m, seed=1, onehot=False):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (m, n_in)).round(3)
    t = np.eye(n_out)[rng.integers(0, n_out, m)] if onehot else rng.uniform(0, 1, (m, n_out)).round(3)
    return [{"x": xi.tolist(), "t": ti.tolist()} for xi, ti in zip(x, t, strict=True)]


def _both(spec):
    """The scalar solution and the array solution of one file (a dict), the first update worked."""
    return solve(load(spec), shown={1}), solve_arrays(load_arrays(spec), shown={1})


def _agree(spec):
    scalar, arrays = _both(spec)
    problem = arrays.problem
    # the parameters after the run, each number
    for p, value in arrays.final.items():
        letter, n = p[0], int(p[1:])
        for index in np.ndindex(value.shape):
            name = element(letter, n, tuple(i + 1 for i in index), False)
            assert value[index] == pytest.approx(scalar.final[name], abs=1e-12), (p, index)
    # the first update's forward values and each example's ∂E/∂z, number by number
    t1 = [s for s in arrays.steps if s.update == 1]
    by_id = {s.id.split("@")[0]: s.value for s in t1}
    batch = by_id["z1"].shape[1]
    for k in range(batch):
        values = scalar.values(1, k + 1 if batch > 1 else None)
        gradients = scalar.gradients(1, k + 1 if batch > 1 else None)
        for n, layer in enumerate(problem.layers, 1):
            for i in range(layer.units):
                assert by_id[f"z{n}"][i, k] == pytest.approx(values[f"net_{n}_{i + 1}"], abs=1e-12)
                assert by_id[f"a{n}"][i, k] == pytest.approx(values[f"out_{n}_{i + 1}"], abs=1e-12)
                delta = gradients[f"net_{n}_{i + 1}"]
                assert by_id[f"delta{n}"][i, k] == pytest.approx(delta, abs=1e-12), (n, i, k)
    return scalar, arrays


def test_the_published_two_layer_example_and_the_scalar_engine():
    scalar, arrays = _both(str(PROBLEMS / "schiendorfer_matrix.yaml"))
    assert float(arrays.step("E").value) == pytest.approx(0.08699208259994781, abs=1e-15)
    np.testing.assert_allclose(arrays.step("dE/dW1").value[1], [0.00142014, 0.00047338], atol=5e-9)
    for i, j in np.ndindex(2, 2):
        for n in (1, 2):
            want = scalar.step(f"dE/dW{n}_{i + 1}{j + 1}").value
            assert arrays.step(f"dE/dW{n}").value[i, j] == pytest.approx(want, abs=1e-12)


CASES = {
    "softmax, cross-entropy, a batch of 4 (mean), momentum": {
        "network": _network([3, 4, 3], ["tanh", "softmax"]),
        "data": _data(3, 3, 4, onehot=True),
        "loss": {"kind": "cross_entropy", "reduction": "mean"},
        "training": {"learning_rate": 0.5, "mode": "batch", "epochs": 3, "optimizer": {"kind": "momentum"}},
    },
    "relu and sigmoid, mini-batches of 2 of 5, Adam": {
        "network": _network([2, 3, 2], ["relu", "sigmoid"], seed=2),
        "data": _data(2, 2, 5),
        "loss": {"kind": "half_sse", "reduction": "mean"},
        "training": {
            "learning_rate": 0.1, "mode": "minibatch", "batch_size": 2, "epochs": 2,
            "optimizer": {"kind": "adam"},
        },
    },
    "dropout drawn from a seed, online SGD": {
        "network": [
            {**_network([2, 4], ["sigmoid"], seed=3)[0], "dropout": {"rate": 0.5, "seed": 7}},
            _network([4, 1], ["sigmoid"], seed=4)[0],
        ],
        "data": _data(2, 1, 3),
        "training": {"learning_rate": 0.5, "mode": "online", "epochs": 2},
    },
    "an L2 penalty (½λ), mse, leaky ReLU, batch, weight decay with Nesterov": {
        "network": _network([3, 3, 2], ["leaky_relu", "identity"], seed=5),
        "data": _data(3, 2, 3),
        "loss": {"kind": "mse", "penalty": {"l2": 0.01, "half": True}},
        "training": {
            "learning_rate": 0.1, "mode": "batch", "epochs": 2,
            "optimizer": {"kind": "nesterov"}, "weight_decay": 0.001,
        },
    },
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_the_array_engine_agrees_with_the_scalar_engine(case):
    _agree({"title": case, "inputs": ["x"], **CASES[case]})


def test_gradients_are_central_differences_of_the_loss_on_a_mid_size_network():
    spec = {
        "network": _network([20, 15, 7], ["tanh", "softmax"], seed=9),
        "data": _data(20, 7, 6, onehot=True),
        "loss": {"kind": "cross_entropy", "reduction": "mean"},
    }
    problem = load_arrays(spec)
    sol = solve_arrays(problem)
    rng, h = np.random.default_rng(3), 1e-6
    for p in ("W1", "b1", "W2", "b2"):
        gradient = sol.step(f"dE/d{p}").value
        for _ in range(3):
            index = tuple(int(rng.integers(0, d)) for d in gradient.shape)
            losses = []
            for sign in (1, -1):
                moved = {k: v.copy() for k, v in problem.given.items()}
                moved[p][index] += sign * h
                there = solve_arrays(dataclasses.replace(problem, given=moved))
                losses.append(float(there.step("E").value))
            assert gradient[index] == pytest.approx((losses[0] - losses[1]) / (2 * h), rel=1e-6, abs=1e-9)
