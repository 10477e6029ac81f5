"""The array engine's convolution and pooling rules: the forward passes against plain loops written
here (PyTorch's conv2d is a cross-correlation), the backward passes against central finite
differences of a random linear function of the output."""

from __future__ import annotations

import numpy as np
import pytest

from backtutor.arrays.conv_rules import (
    columns,
    conv2d,
    conv2d_bias_gradient,
    conv2d_input_gradient,
    conv2d_weight_gradient,
    padded,
    pool,
    pool_gradient,
)

RNG = np.random.default_rng(3)
CASES = [(1, 0), (2, 1), (3, 2)]  # (stride, padding)


def loop_conv(x, k, b, stride, padding):
    x = np.pad(x, ((0, 0), (padding, padding), (padding, padding)))
    f, c, kh, kw = k.shape
    ho, wo = (x.shape[1] - kh) // stride + 1, (x.shape[2] - kw) // stride + 1
    out = np.zeros((f, ho, wo))
    for o in range(f):
        for h in range(ho):
            for w in range(wo):
                patch = x[:, h * stride : h * stride + kh, w * stride : w * stride + kw]
                out[o, h, w] = b[o] + sum(
                    patch[ch, i, j] * k[o, ch, i, j] for ch in range(c) for i in range(kh) for j in range(kw)
                )
    return out


def loop_pool(x, kind, size, stride):
    ho, wo = (x.shape[1] - size) // stride + 1, (x.shape[2] - size) // stride + 1
    out = np.zeros((x.shape[0], ho, wo))
    for c in range(x.shape[0]):
        for h in range(ho):
            for w in range(wo):
                cells = [x[c, h * stride + i, w * stride + j] for i in range(size) for j in range(size)]
                out[c, h, w] = sum(cells) / len(cells) if kind == "avg" else max(cells)
    return out


def numeric_gradient(f, a, eps=1e-6):
    """Central differences of the scalar f with respect to every entry of a."""
    g = np.zeros_like(a)
    for i in np.ndindex(a.shape):
        keep = a[i]
        a[i] = keep + eps
        up = f()
        a[i] = keep - eps
        down = f()
        a[i] = keep
        g[i] = (up - down) / (2 * eps)
    return g


@pytest.mark.parametrize(("stride", "padding"), CASES)
def test_conv2d_is_pytorchs_cross_correlation_and_its_gradients_are_the_derivatives(stride, padding):
    x, k, b = RNG.normal(size=(2, 7, 8)), RNG.normal(size=(3, 2, 3, 2)), RNG.normal(size=3)
    out = conv2d(x, k, b, stride=stride, padding=padding)
    assert np.allclose(out, loop_conv(x, k, b, stride, padding), rtol=1e-12, atol=1e-12)
    weights = RNG.normal(size=out.shape)  # E = Σ weights ⊙ out, so ∂E/∂out = weights

    def energy():
        return float((weights * conv2d(x, k, b, stride=stride, padding=padding)).sum())

    assert np.allclose(
        conv2d_input_gradient(weights, k, x, stride=stride, padding=padding),
        numeric_gradient(energy, x),
        atol=1e-7,
    )
    assert np.allclose(
        conv2d_weight_gradient(weights, x, k, stride=stride, padding=padding),
        numeric_gradient(energy, k),
        atol=1e-7,
    )
    assert np.allclose(conv2d_bias_gradient(weights), numeric_gradient(energy, b), atol=1e-7)
    kept = columns(padded(x, padding), 3, 2, stride)  # the run's path: the forward's columns reused
    assert np.array_equal(conv2d(x, k, b, stride=stride, padding=padding, cols=kept), out)
    assert np.array_equal(
        conv2d_weight_gradient(weights, x, k, stride=stride, padding=padding, cols=kept),
        conv2d_weight_gradient(weights, x, k, stride=stride, padding=padding),
    )


@pytest.mark.parametrize("kind", ["avg", "max"])
@pytest.mark.parametrize(("size", "stride"), [(2, 2), (3, 2), (2, 1)])
def test_pooling_and_its_gradient(kind, size, stride):
    x = RNG.normal(size=(2, 7, 6))
    out = pool(x, kind=kind, size=size, stride=stride)
    assert np.allclose(out, loop_pool(x, kind, size, stride), rtol=1e-12, atol=1e-12)
    weights = RNG.normal(size=out.shape)
    grad = pool_gradient(weights, x, kind=kind, size=size, stride=stride)
    numeric = numeric_gradient(
        lambda: float((weights * pool(x, kind=kind, size=size, stride=stride)).sum()), x
    )
    assert np.allclose(grad, numeric, atol=1e-7)


def test_lenet5_on_one_image_its_gradients_are_the_losss_derivatives():
    """The bundled LeNet-5: 61,706 parameters; an entry of each kernel's and weight's gradient
    against central differences of the loss, and the SGD step."""
    from backtutor.arrays.conv_run import solve_conv
    from backtutor.problem.array_conv import load_conv_arrays

    problem = load_conv_arrays("problems/lenet5_image.yaml")
    sol = solve_conv(problem)
    assert sum(problem.given[p].size for p in problem.parameters) == 61_706
    assert sol.value("z1").shape == (6, 28, 28) and sol.value("p2").shape == (16, 5, 5)
    rng = np.random.default_rng(0)
    for p in ("K1", "K2", "W3", "b5"):
        array = problem.given[p]
        for flat in rng.choice(array.size, 1):
            i = np.unravel_index(flat, array.shape)
            keep = array[i]
            losses = []
            for h in (1e-6, -1e-6):
                array[i] = keep + h
                losses.append(float(solve_conv(problem).value("E")))
            array[i] = keep
            assert sol.value(f"dE/d{p}")[i] == pytest.approx(
                (losses[0] - losses[1]) / 2e-6, rel=1e-5, abs=1e-9
            )
        assert np.allclose(sol.value(f"{p}+"), array - 0.1 * sol.value(f"dE/d{p}"), rtol=0, atol=1e-15)


def test_a_conv_problems_bad_image_exits_2_naming_the_file_the_array_and_the_shapes(tmp_path):
    import shutil

    from typer.testing import CliRunner

    from backtutor.cli.app import app

    shutil.copy("problems/lenet5_image.yaml", tmp_path / "p.yaml")
    np.save(tmp_path / "lenet5_image.npy", np.zeros((1, 28, 28)))
    np.savez(tmp_path / "a.npz", z1=np.zeros((6, 28, 28)))
    result = CliRunner().invoke(app, ["check", str(tmp_path / "p.yaml"), str(tmp_path / "a.npz")])
    assert result.exit_code == 2, result.output
    assert (
        "lenet5_image.npy: array 'lenet5_image': shape (1, 28, 28); the architecture's input is (1, 32, 32)"
        in result.output
    )


def test_a_sheet_of_the_conv_network_says_what_it_takes_and_its_template_is_a_script(tmp_path):
    from typer.testing import CliRunner

    from backtutor.cli.app import app

    sheet = tmp_path / "sheet.yaml"
    sheet.write_text('"z1": 1\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "problems/lenet5_image.yaml", str(sheet)])
    assert result.exit_code == 2
    assert "a convolutional network worked by the array engine" in result.output
    assert "check a student's arrays (.npz)" in result.output
    result = CliRunner().invoke(app, ["template", "problems/lenet5_image.yaml", "--phases", "update"])
    assert result.exit_code == 0, result.output
    assert '"K1+": ...,  # 6 × 1 × 5 × 5 float64: K1+ = K1 − η·dE/dK1' in result.output
