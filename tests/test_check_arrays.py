"""A student's NumPy arrays graded: each array-level slip made IN THE TEST by that wrong maths and named,
float32 rounding called right, an error carried forward, the largest error located.

The worked network (6-5-4, sigmoid then softmax with cross-entropy, a batch of 3 averaged, one SGD
step) is computed here by hand in NumPy, independently of the engine's rules, which the grader uses to
recompute each step from the student's own arrays."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from backtutor.arrays.records import ArraySolution, ArrayStep, frozen
from backtutor.check.arrays.grade import grade_arrays

M, LR = 3, 0.5


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def worked(sizes: tuple[int, int, int] = (6, 5, 4)) -> dict[str, np.ndarray]:
    n_in, hidden, out = sizes
    rng = np.random.default_rng(7)
    v = {"x": rng.normal(size=(n_in, M)), "t": np.eye(out)[:, [0, 2, 3]]}
    v |= {
        "W1": rng.normal(size=(hidden, n_in)),
        "b1": rng.normal(size=hidden),
        "W2": rng.normal(size=(out, hidden)),
        "b2": rng.normal(size=out),
    }
    v["z1"] = v["W1"] @ v["x"] + v["b1"][:, None]
    v["a1"] = sigmoid(v["z1"])
    v["z2"] = v["W2"] @ v["a1"] + v["b2"][:, None]
    e = np.exp(v["z2"] - v["z2"].max(axis=0))
    v["a2"] = e / e.sum(axis=0)
    v["E"] = np.asarray(-(v["t"] * np.log(v["a2"])).sum() / M)
    v["delta2"] = v["a2"] - v["t"]
    v["delta1"] = (v["W2"].T @ v["delta2"]) * v["a1"] * (1 - v["a1"])
    for n, (d, a) in {2: ("delta2", "a1"), 1: ("delta1", "x")}.items():
        v[f"dE/dW{n}"] = v[d] @ v[a].T / M
        v[f"dE/db{n}"] = v[d].sum(axis=1) / M
        v[f"W{n}+"] = v[f"W{n}"] - LR * v[f"dE/dW{n}"]
        v[f"b{n}+"] = v[f"b{n}"] - LR * v[f"dE/db{n}"]
    return v


SGD = {"kind": "sgd", "t": 1, "index": 0, "lr": LR}
PLAN = (  # id, rule, inputs, params, phase: as the array engine records its steps
    ("z1", "linear", ("W1", "x", "b1"), {}, "forward"),
    ("a1", "activate", ("z1",), {"f": "sigmoid"}, "forward"),
    ("z2", "linear", ("W2", "a1", "b2"), {}, "forward"),
    ("a2", "activate", ("z2",), {"f": "softmax"}, "forward"),
    ("E", "loss", ("a2", "t"), {"kind": "cross_entropy", "reduction": "mean"}, "forward"),
    ("delta2", "softmax_cross_entropy", ("a2", "t"), {}, "backward"),
    ("delta1", "delta", ("W2", "delta2", "z1"), {"f": "sigmoid"}, "backward"),
    ("dE/dW2", "weight_gradient", ("delta2", "a1"), {"scale": 1 / M}, "backward"),
    ("dE/db2", "bias_gradient", ("delta2",), {"scale": 1 / M}, "backward"),
    ("dE/dW1", "weight_gradient", ("delta1", "x"), {"scale": 1 / M}, "backward"),
    ("dE/db1", "bias_gradient", ("delta1",), {"scale": 1 / M}, "backward"),
    *((f"{p}+", "optimize", (p, f"dE/d{p}"), SGD, "update") for p in ("W1", "b1", "W2", "b2")),
)


def solution(v: dict[str, np.ndarray]) -> ArraySolution:
    steps = tuple(ArrayStep(i, rule, ins, v[i], "", phase, frozen(p)) for i, rule, ins, p, phase in PLAN)  # type: ignore[arg-type]
    given = {k: v[k] for k in ("x", "t", "W1", "b1", "W2", "b2")}
    return ArraySolution(SimpleNamespace(title="net", path="net.yaml", tolerance=None), given, steps)  # type: ignore[arg-type]


V = worked()
SOL = solution(V)


def verdict(report, sid: str):
    return next(v for v in report.verdicts if v.id == sid)


def right_arrays(dtype=np.float64) -> dict[str, np.ndarray]:
    return {s.id: V[s.id].astype(dtype) for s in SOL.steps}


def test_the_right_arrays_in_float64_and_rounded_to_float32_are_right():
    for dtype in (np.float64, np.float32):
        report = grade_arrays(SOL, right_arrays(dtype), "answers.npz")
        assert [v.status for v in report.verdicts] == ["right"] * len(SOL.steps), report.verdicts
    perturbed = right_arrays(np.float32)
    perturbed["dE/dW1"] = perturbed["dE/dW1"] * np.float32(1 + 1e-4)  # beyond float32 rounding
    assert verdict(grade_arrays(SOL, perturbed, "a.npz"), "dE/dW1").status == "wrong"


d2, d1, a1, x, W2, t, a2 = V["delta2"], V["delta1"], V["a1"], V["x"], V["W2"], V["t"], V["a2"]


@pytest.mark.parametrize(
    ("sid", "wrong", "slip"),
    [
        ("dE/dW1", (d1 @ x.T / M).T, "transpose"),
        ("delta1", W2.T @ d2, "derivative_missing"),
        ("delta1", (W2.T @ d2) * sigmoid(a1) * (1 - sigmoid(a1)), "derivative_at_output"),
        ("delta2", -t / a2 * a2 * (1 - a2), "softmax_diagonal"),
        ("dE/dW2", d2 @ a1.T, "batch_sum"),
        ("dE/db2", d2.sum(axis=1) / M / M, "batch_mean_twice"),
        ("dE/db1", d1 / M, "bias_not_summed"),
        ("dE/dW1", -(d1 @ x.T) / M, "sign"),
        ("W1+", V["W1"] + LR * V["dE/dW1"], "plus_update"),
    ],
)
def test_each_array_slip_is_named(sid, wrong, slip):
    arrays = right_arrays()
    arrays[sid] = wrong
    report = grade_arrays(SOL, arrays, "answers.npz")
    v = verdict(report, sid)
    assert (v.status, v.slip, v.candidates) == ("wrong", slip, ()), v
    assert report.first_error == v
    later = [u for u in report.verdicts if u.status == "carried"]
    assert all(u.source == sid for u in later)


def test_w_for_wt_in_a_square_layer_is_named():
    v = worked((5, 5, 5))
    arrays = {"delta1": (v["W2"] @ v["delta2"]) * v["a1"] * (1 - v["a1"])}  # W where Wᵀ belongs
    (got,) = grade_arrays(solution(v), arrays, "a.npz").verdicts
    assert (got.status, got.slip) == ("wrong", "W_for_WT")


def test_a_wrong_gradient_carries_into_the_update_made_from_it():
    arrays = right_arrays()
    arrays["dE/dW2"] = V["dE/dW2"] + np.random.default_rng(1).normal(scale=0.01, size=(4, 5))
    arrays["W2+"] = V["W2"] - LR * arrays["dE/dW2"]
    report = grade_arrays(SOL, arrays, "answers.npz")
    assert verdict(report, "dE/dW2").status == "wrong" and verdict(report, "dE/dW2").slip == ""
    carried = verdict(report, "W2+")
    assert (carried.status, carried.source) == ("carried", "dE/dW2")
    assert report.summary.startswith(f"{len(SOL.steps) - 2}/{len(SOL.steps)} right, 1 own error")


def test_the_largest_error_is_located_in_the_students_own_name():
    wrong = V["dE/dW1"].copy()
    wrong[3, 4] += 0.01
    wrong[1, 1] += 0.002
    v = verdict(grade_arrays(SOL, {"dW1": wrong}, "a.npz"), "dE/dW1")
    assert v.status == "wrong" and v.element == "dW1" and v.label == "dW1 = dE/dW1"
    assert f"largest error dW1[3, 4]: {wrong[3, 4]:.6g} expected {V['dE/dW1'][3, 4]:.6g}" in v.explanation


def test_course_names_and_layouts_are_understood():
    arrays = {
        "grad_W2": V["dE/dW2"],
        "db2": V["dE/db2"][:, None],  # a column, as course code keeps it
        "dZ1": V["delta1"],
        "A1": V["a1"].T,  # one row per example
        "W1": V["W1+"],  # the weights after the step
        "W2": V["W2"],  # the given weights handed back: not graded
        "loss": V["E"],
        "hidden_state": V["a1"],
    }
    report = grade_arrays(SOL, arrays, "a.npz")
    got = {v.id: (v.status, v.element) for v in report.verdicts}
    assert got == {
        "a1": ("right", "A1"),
        "E": ("right", "loss"),
        "delta1": ("right", "dZ1"),
        "dE/dW2": ("right", "grad_W2"),
        "dE/db2": ("right", "db2"),
        "W1+": ("right", "W1"),
    }
    assert [(u.text, u.why) for u in report.unmatched] == [("hidden_state", "not recognised")]
    assert "one row per example" in verdict(report, "a1").explanation


def test_nan_and_a_wrong_shape_are_wrong_not_errors():
    bad = V["dE/dW1"].copy()
    bad[2, 0] = np.nan
    v = verdict(grade_arrays(SOL, {"dE/dW1": bad}, "a.npz"), "dE/dW1")
    assert v.status == "wrong" and "dE/dW1[2, 0]: nan expected" in v.explanation
    v = verdict(grade_arrays(SOL, {"dE/dW1": V["dE/dW1"][:, :5]}, "a.npz"), "dE/dW1")
    assert v.status == "wrong" and "shape (5, 5); expected (5, 6)" in v.explanation


def conv_solution(kind: str) -> tuple[ArraySolution, dict[str, np.ndarray]]:
    """A 1×6×6 image through two 3×3 kernels, ReLU and 2×2 pooling, with ∂E/∂p1 given: the
    backward pass to the kernels, computed here with plain loops."""
    rng = np.random.default_rng(11)
    v = {"x": rng.normal(size=(1, 6, 6)), "K1": rng.normal(size=(2, 1, 3, 3)), "b1": rng.normal(size=2)}
    v["z1"] = np.zeros((2, 4, 4))
    for f, h, w in np.ndindex(2, 4, 4):
        v["z1"][f, h, w] = v["b1"][f] + (v["x"][0, h : h + 3, w : w + 3] * v["K1"][f, 0]).sum()
    v["a1"] = np.maximum(v["z1"], 0)
    v["p1"] = np.zeros((2, 2, 2))
    v["dE/dp1"] = rng.normal(size=(2, 2, 2))
    v["dE/da1"] = np.zeros((2, 4, 4))
    for c, h, w in np.ndindex(2, 2, 2):
        window = v["a1"][c, 2 * h : 2 * h + 2, 2 * w : 2 * w + 2]
        v["p1"][c, h, w] = window.mean() if kind == "avg" else window.max()
        share = np.full((2, 2), 0.25) if kind == "avg" else (np.arange(4) == window.argmax()).reshape(2, 2)
        v["dE/da1"][c, 2 * h : 2 * h + 2, 2 * w : 2 * w + 2] = v["dE/dp1"][c, h, w] * share
    v["delta1"] = v["dE/da1"] * (v["z1"] > 0)
    v["dE/dK1"] = np.zeros((2, 1, 3, 3))
    for f, i, j in np.ndindex(2, 3, 3):
        v["dE/dK1"][f, 0, i, j] = (v["delta1"][f] * v["x"][0, i : i + 4, j : j + 4]).sum()
    pooled = {"kind": kind, "size": 2, "stride": 2}
    plan = (
        ("z1", "conv2d", ("x", "K1", "b1"), {}, "forward"),
        ("a1", "activate", ("z1",), {"f": "relu"}, "forward"),
        ("p1", "pool", ("a1",), pooled, "forward"),
        ("dE/da1", "pool_gradient", ("dE/dp1", "a1"), pooled, "backward"),
        ("delta1", "delta_out", ("dE/da1", "z1"), {"f": "relu"}, "backward"),
        ("dE/dK1", "conv2d_weight_gradient", ("delta1", "x", "K1"), {}, "backward"),
    )
    steps = tuple(ArrayStep(i, rule, ins, v[i], "", phase, frozen(p)) for i, rule, ins, p, phase in plan)  # type: ignore[arg-type]
    given = {k: v[k] for k in ("x", "K1", "b1", "dE/dp1")}
    return ArraySolution(SimpleNamespace(title="conv", path="c.yaml", tolerance=None), given, steps), v


@pytest.mark.parametrize(
    ("kind", "sid", "slip"),
    [
        ("max", "z1", "kernel_flipped"),
        ("max", "dE/dK1", "kernel_flipped"),
        ("max", "dE/da1", "maxpool_everywhere"),
        ("avg", "dE/da1", "pool_divisor"),
    ],
)
def test_each_convolution_and_pooling_slip_is_named(kind, sid, slip):
    sol, v = conv_solution(kind)
    wrong = {
        "z1": v["b1"][:, None, None]
        + np.array(
            [
                [
                    [(v["x"][0, h : h + 3, w : w + 3] * v["K1"][f, 0, ::-1, ::-1]).sum() for w in range(4)]
                    for h in range(4)
                ]
                for f in range(2)
            ]
        ),
        "dE/dK1": np.array(
            [
                [
                    [
                        [(v["delta1"][f] * v["x"][0, 2 - i : 6 - i, 2 - j : 6 - j]).sum() for j in range(3)]
                        for i in range(3)
                    ]
                ]
                for f in range(2)
            ]
        ),
        "dE/da1": np.kron(
            v["dE/dp1"], np.ones((1, 2, 2))
        ),  # each window's gradient to all 4 cells, undivided
    }[sid]
    right = {s.id: s.value for s in sol.steps}
    report = grade_arrays(sol, {**right, sid: wrong}, "a.npz")
    got = verdict(report, sid)
    assert (got.status, got.slip) == ("wrong", slip), got
    assert grade_arrays(sol, right, "a.npz").summary.startswith(f"{len(sol.steps)}/{len(sol.steps)} right")


@pytest.fixture(scope="module")
def lenet():
    from backtutor.check.arrays import worked

    return worked("problems/lenet5_image.yaml")


def test_check_an_npz_from_the_command_line_names_the_slip_and_the_largest_error(tmp_path, lenet):
    import json

    from typer.testing import CliRunner

    from backtutor.cli.app import app

    arrays = {s.id.replace("/", "_"): s.value.astype(np.float32) for s in lenet.steps}
    arrays["dE_dK1"] = arrays["dE_dK1"][:, :, ::-1, ::-1]  # a convolution where conv2d correlates
    np.savez(tmp_path / "answers.npz", **arrays)
    result = CliRunner().invoke(
        app, ["check", "problems/lenet5_image.yaml", str(tmp_path / "answers.npz"), "-f", "json"]
    )
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert report["score"] == f"{len(lenet.steps) - 1}/{len(lenet.steps)}"
    (wrong,) = [v for v in report["verdicts"] if v["status"] != "right"]
    assert (wrong["id"], wrong["element"], wrong["slip"]) == ("dE/dK1", "dE_dK1", "kernel_flipped")
    assert wrong["largest_error"].startswith("dE_dK1[")
    for format in ("terminal", "markdown", "html", "gradescope"):
        out = CliRunner().invoke(
            app,
            [
                "check",
                "problems/lenet5_image.yaml",
                str(tmp_path / "answers.npz"),
                "-f",
                format,
                "--csv",
                str(tmp_path / "c.csv"),
            ],
        )
        assert out.exit_code == 1 and "flipped the kernel" in out.output, format
    assert (
        "kernel_flipped" in (tmp_path / "c.csv").read_text() or "dE/dK1" in (tmp_path / "c.csv").read_text()
    )


def test_a_bad_npz_exits_2_naming_the_file_and_the_array(tmp_path):
    from typer.testing import CliRunner

    from backtutor.cli.app import app

    np.savez(tmp_path / "evil.npz", z1=np.array([{"x": 1}], dtype=object))
    result = CliRunner().invoke(app, ["check", "problems/lenet5_image.yaml", str(tmp_path / "evil.npz")])
    assert result.exit_code == 2
    assert "evil.npz: array 'z1': dtype object is not numbers" in result.output


def test_check_a_dict_of_arrays_from_python(lenet):
    import backtutor

    answers = {"a1": lenet.value("a1"), "dK2": -lenet.value("dE/dK2")}
    checked = backtutor.check("problems/lenet5_image.yaml", answers)
    assert [(v.id, v.status, v.slip) for v in checked.verdicts] == [
        ("a1", "right", ""),
        ("dE/dK2", "wrong", "sign"),
    ]


def test_a_folder_of_npz_files_is_a_class(tmp_path, lenet):
    from typer.testing import CliRunner

    from backtutor.cli.app import app

    np.savez(tmp_path / "ann.npz", a1=lenet.value("a1"))
    np.savez(tmp_path / "bob.npz", a1=np.tanh(lenet.value("a1")))  # tanh applied twice
    result = CliRunner().invoke(app, ["check", "problems/lenet5_image.yaml", str(tmp_path)])
    assert result.exit_code == 1
    assert "2 sheets checked" in result.output and "Class: 1 right, 1 own errors" in result.output


def test_the_seed_perceptron_a_sigmoid_without_its_derivative_in_row_per_example_float32(tmp_path):
    """The seed homework's 192-32-50 network, a student's NumPy code with one row per example (as
    PyTorch lays a batch out) in float32, whose Sigmoid class passes the gradient back without σ′."""
    from typer.testing import CliRunner

    from backtutor.check.arrays import worked
    from backtutor.cli.app import app

    sol = worked("problems/perceptron_192_32_50.yaml")
    X, T = sol.given["x"].T.astype(np.float32), sol.given["t"].T.astype(np.float32)
    W1, b1, W2, b2 = (sol.given[k].astype(np.float32) for k in ("W1", "b1", "W2", "b2"))
    m = X.shape[0]
    A1 = 1 / (1 + np.exp(-(X @ W1.T + b1)))
    Z2 = A1 @ W2.T + b2
    A2 = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    A2 /= A2.sum(axis=1, keepdims=True)
    D2 = A2 - T
    D1 = D2 @ W2  # the Sigmoid's backward returned its upstream gradient: σ′ missing
    dW1 = D1.T @ X / m
    answers = {
        "A1": A1,
        "A2": A2,
        "delta2": D2,
        "delta1": D1,
        "dW2": D2.T @ A1 / m,
        "dW1": dW1,
        "W1_new": W1 - 0.1 * dW1,
    }
    np.savez(tmp_path / "answers.npz", **answers)
    result = CliRunner(env={"COLUMNS": "200"}).invoke(
        app, ["check", "problems/perceptron_192_32_50.yaml", str(tmp_path / "answers.npz"), "-f", "json"]
    )
    assert result.exit_code == 1, result.output
    import json

    verdicts = json.loads(result.output)["verdicts"]
    got = {v["id"]: (v["status"], v["slip"], v["carried_from"]) for v in verdicts}
    where = next(v["largest_error"] for v in verdicts if v["id"] == "delta1")
    assert int(where.split("[")[1].split(",")[0]) < m, where  # in the student's layout: example first
    assert got == {
        "a1": ("right", "", None),
        "a2": ("right", "", None),
        "delta2": ("right", "", None),
        "dE/dW2": ("right", "", None),
        "delta1": ("wrong", "derivative_missing", None),
        "dE/dW1": ("carried", "", "delta1"),
        "W1+": ("carried", "", "delta1"),
    }


def test_softmax_outputs_under_a_squared_loss_the_jacobians_diagonal_is_named():
    rng = np.random.default_rng(5)
    z, g = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    e = np.exp(z - z.max(axis=0))
    a = e / e.sum(axis=0)
    right = a * (g - (a * g).sum(axis=0))  # J·g, J = diag(a) − a·aᵀ, column by column
    step = ArrayStep("delta2", "delta_out", ("dE/da2", "z2"), right, "", "backward", frozen({"f": "softmax"}))
    sol = ArraySolution(
        SimpleNamespace(title="", path="s.yaml", tolerance=None), {"dE/da2": g, "z2": z}, (step,)
    )  # type: ignore[arg-type]
    (v,) = grade_arrays(sol, {"delta2": g * a * (1 - a)}, "a.npz").verdicts
    assert (v.status, v.slip) == ("wrong", "softmax_diagonal")
    (v,) = grade_arrays(sol, {"delta2": right.astype(np.float32)}, "a.npz").verdicts
    assert v.status == "right"
