"""Hostile and extreme input (issue #10): every path ends in a result or in one message naming the
file, the field and the line, exit 2, no traceback, within seconds; nothing written or damaged."""

import math
import os
import stat
import sys
import time
from collections.abc import Callable
from typing import TypeVar

import pytest
from typer.testing import CliRunner

from backtutor.cli.app import app
from backtutor.engine.expr import Function
from backtutor.engine.parse import MAX_DEPTH, ParseError, parse
from backtutor.errors import InputError
from backtutor.problem.limits import MAX_SHOWN, MAX_SIZE, MAX_WORK, PASS_OVERHEAD
from backtutor.problem.load import load
from backtutor.solution import solve

from .conftest import PROBLEMS

runner = CliRunner()
T = TypeVar("T")
Q4 = str(PROBLEMS / "q4.yaml")


def run(*args: str):
    start = time.perf_counter()
    result = runner.invoke(app, list(args))
    assert time.perf_counter() - start < 30, "one case must finish in seconds"
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def neuron(formula: str, params: str = "w: 0.5", extra: str = "") -> str:
    head = f"title: t\ninputs: [x]\nexpressions:\n  y: {formula}\nparameters:\n  {params}\n"
    return head + f"data:\n  - {{x: 1}}\nloss:\n  kind: output\n{extra}"


def fails(result, *parts: str) -> str:
    """The one error line, which must contain every part."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for part in parts:
        assert part in result.output, result.output
    return result.output


# formulas: depth, size of numbers, towers of powers


@pytest.mark.parametrize(
    "formula",
    [
        "-" * 1990 + "w*x",
        "2^" * 995 + "w*x",
        "+" * 1990 + "w*x",
        "(" * 900 + "w*x" + ")" * 900,
        "x-" * 600 + "w",
    ],
)
def test_deep_formulas_are_refused_at_their_line(write_problem, formula):
    out = fails(run("solve", str(write_problem(neuron(formula)))), "problem.yaml:4: expressions.y:", "nested")
    assert len(out) < 600  # the formula is quoted around the column, not whole


def test_nesting_just_within_the_limit_is_worked():
    e = parse("(" * (MAX_DEPTH - 1) + "w" + ")" * (MAX_DEPTH - 1))
    assert e is not None


@pytest.mark.parametrize("formula", ["1e999*w*x", "9" * 400 + "*w*x"])
def test_numbers_too_large_for_a_float_are_refused(write_problem, formula):
    fails(run("solve", str(write_problem(neuron(formula)))), "expressions.y:", "too large")


@pytest.mark.parametrize(
    "formula, params",
    [
        ("((2^64)^64)^64*w*x", "w: 0.5"),
        ("(((2^64)^64)^64)^64*w*x", "w: 0.5"),
        ("2^999999999*w*x", "w: 0.5"),
        ("9**9**9**9*w*x", "w: 0.5"),
        ("exp(exp(exp(1000)))*w*x", "w: 0.5"),
        ("exp(w*x)", "w: 1000"),
        ("1e300*1e300*w*x", "w: 0.5"),
    ],
)
def test_values_that_overflow_are_an_error_naming_the_step(write_problem, formula, params):
    out = fails(
        run("solve", str(write_problem(neuron(formula, params))), "-f", "json"), "problem.yaml", "step"
    )
    assert "inf" in out


def test_numeric_failure_during_training_names_the_update_and_the_epoch(write_problem):
    text = neuron("log(w*x)", "w: 0.5", "training: {learning_rate: 10, epochs: 3}\n")
    out = fails(run("solve", str(write_problem(text)), "-f", "json"), "problem.yaml", "epoch", "step y")
    assert "update" in out or "after epoch" in out


def test_log_of_a_negative_number_names_the_file_and_the_step(write_problem):
    fails(
        run("solve", str(write_problem(neuron("log(w*x)", "w: -1")))),
        "problem.yaml: step y:",
        "log of a negative",
    )


def test_division_by_zero_names_the_step(write_problem):
    fails(
        run("solve", str(write_problem(neuron("1/(w*x)", "w: 0")))),
        "problem.yaml: step y:",
        "division by zero",
    )


# YAML: nesting, values that cannot be built, special files


def test_yaml_nested_10000_deep(write_problem):
    fails(
        run("solve", str(write_problem("a: " + "[" * 10000 + "]" * 10000 + "\n"))),
        "problem.yaml:1:",
        "nested",
    )


@pytest.mark.parametrize(
    "value, what", [("9" * 5000, "too many digits"), ("2001-02-30", "day is out of range")]
)
def test_yaml_values_that_cannot_be_read_name_the_field_and_line(write_problem, value, what):
    fails(
        run("solve", str(write_problem(neuron("w*x", f"w: {value}")))), "problem.yaml:6: parameters.w:", what
    )


def test_a_fifo_a_device_and_a_folder_are_refused(tmp_path):
    fifo = tmp_path / "p.yaml"
    os.mkfifo(fifo)
    fails(run("solve", str(fifo)), "p.yaml", "not a regular file")
    fails(run("solve", "/dev/zero"), "/dev/zero", "not a regular file")
    fails(run("solve", str(tmp_path)), "not a regular file")


def test_file_size_is_limited_by_the_bytes_read(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("# " + "x" * 1_100_000 + "\n")
    fails(run("solve", str(big)), "big.yaml", "larger than")


# names mean one thing


def test_a_name_that_is_an_input_and_a_parameter(write_problem):
    text = neuron("x*w", "w: 1\n  x: 5")
    fails(run("solve", str(write_problem(text))), "problem.yaml:7: parameters.x:", "inputs[0] (line 2)")


def test_a_weight_that_is_an_input(write_problem):
    text = """title: q
inputs: [i1, i2]
network:
  - activation: sigmoid
    units:
      o1: {weights: [i1, w2], bias: b1}
parameters: {w2: 1, b1: 0}
data:
  - {i1: 1, i2: 2, target_o1: 0.5}
loss: {kind: half_sse}
"""
    fails(run("solve", str(write_problem(text))), "network[0].units.o1.weights[0]", "an input at inputs[0]")


@pytest.mark.parametrize("inputs, params", [("[x]", "w: 0.5\n  target_y: 1"), ("[x, target_y]", "w: 0.5")])
def test_a_target_that_is_a_parameter_or_an_input(write_problem, inputs, params):
    formula = "w*x + target_y" if "target_y" in inputs else "w*x"
    text = f"title: t\ninputs: {inputs}\nexpressions:\n  y: {formula}\nparameters:\n  {params}\n"
    text += "data:\n  - {x: 1, target_y: 2}\nloss:\n  kind: half_sse\n"
    fails(run("solve", str(write_problem(text))), "is a target (see data[0].target_y")


SOFTMAX = """title: ce
inputs: [x]
network:
  - activation: softmax
    units:
      o1: {weights: [w1], bias: b1}
      o2: {weights: [w2], bias: b2}
parameters: {w1: 1, w2: 2, b1: 0, b2: 0}
data:
  - {x: 1, target_o1: T1, target_o2: T2}
loss: {kind: cross_entropy}
"""


def test_cross_entropy_targets_that_are_not_a_distribution_get_the_general_rule(write_problem):
    """∂E/∂net_k = out_k·Σ_j t_j − t_k, checked against central differences of E itself."""
    path = write_problem(SOFTMAX.replace("T1", "0.7").replace("T2", "0.9"))
    sol = solve(load(path))
    assert any("out_k·Σ_j target_j − target_k" in c for c in sol.conventions)
    assert not any(c.endswith("= out_k − target_k") for c in sol.conventions)
    t = (0.7, 0.9)

    def loss(z1: float, z2: float) -> float:
        m = max(z1, z2)
        e = (math.exp(z1 - m), math.exp(z2 - m))
        return -sum(tk * math.log(ek / sum(e)) for tk, ek in zip(t, e, strict=True))

    z, h = (1.0, 2.0), 1e-6
    out = [math.exp(v) / (math.exp(1) + math.exp(2)) for v in z]
    for k in range(2):
        dz = [0.0, 0.0]
        dz[k] = h
        numeric = (loss(z[0] + dz[0], z[1] + dz[1]) - loss(z[0] - dz[0], z[1] - dz[1])) / (2 * h)
        assert numeric == pytest.approx(out[k] * sum(t) - t[k], rel=1e-6)
        assert sol.gradients(1, None)[f"net_o{k + 1}"] == pytest.approx(numeric, rel=1e-6)


def test_cross_entropy_with_a_distribution_keeps_the_short_rule(write_problem):
    sol = solve(load(write_problem(SOFTMAX.replace("T1", "0.25").replace("T2", "0.75"))))
    assert any(c.endswith("∂E/∂net_k = out_k − target_k") for c in sol.conventions)


# limits: command-line options are held to the same limits as the file


def test_huge_step_ranges_and_epochs_are_refused_at_once():
    fails(run("solve", Q4, "--steps", "1-999999999"), "--steps: update 999999999 does not exist")
    fails(run("solve", Q4, "--epochs", "1000000000"), "--epochs:", "too long a run")
    fails(run("solve", Q4, "--epochs", "20000", "--steps", "all"), "--steps) would work")


def test_the_file_epochs_have_the_same_limit_as_the_option(write_problem):
    most = MAX_WORK // (1 * (load(Q4).size + PASS_OVERHEAD))
    text = (PROBLEMS / "q4.yaml").read_text().replace("epochs: 1", f"epochs: {most + 1}")
    fails(run("solve", str(write_problem(text))), "training.epochs:", f"at most {most:,}")
    fails(run("solve", Q4, "--epochs", str(most + 1)), f"at most {most:,}")


def chain(n: int) -> str:
    lines = ["title: chain", "inputs: [x0]", "expressions:", "  x1: sigmoid(w*x0)"]
    lines += [f"  x{i}: sigmoid(x{i - 1})" for i in range(2, n + 1)]
    return "\n".join([*lines, "parameters: {w: 0.5}", "data: [{x0: 1}]", "loss: {kind: output}", ""])


def test_a_1200_node_chain_is_worked_in_linear_time(write_problem):
    """A chain four times as long takes about four times the work, not sixteen (300 nodes once took
    16 s). Work counted as Python function calls, which the machine's load does not change."""
    solve(load(write_problem(chain(10), "warm.yaml")))  # imports and caches: not the chain's work
    calls = {}
    for n in (300, 1200):
        path = write_problem(chain(n), f"chain{n}.yaml")
        sol, calls[n] = _counting_calls(lambda p=path: solve(load(p)))
        assert sol.gradients(1, None)["x1"] == pytest.approx(_chain_gradient(n), rel=1e-9)
    assert calls[1200] < 6 * calls[300]  # linear: 4×; quadratic: 16×
    assert load(write_problem(chain(1200))).size * 1 <= MAX_SHOWN


def _counting_calls(work: Callable[[], T]) -> tuple[T, int]:
    """work()'s result and the number of Python function calls it made."""
    count = 0

    def profile(frame: object, event: str, arg: object) -> None:
        nonlocal count
        count += event == "call"

    sys.setprofile(profile)
    try:
        result = work()
    finally:
        sys.setprofile(None)
    return result, count


def _chain_gradient(n: int) -> float:
    """∂x_n/∂x_1 = Π σ′ along the chain, worked out here independently."""
    x, grad = 1 / (1 + math.exp(-0.5)), 1.0
    for _ in range(n - 1):
        y = 1 / (1 + math.exp(-x))
        grad *= y * (1 - y)
        x = y
    return grad


def test_a_model_larger_than_the_limits_is_refused_with_its_size(write_problem):
    units = 2 + MAX_SIZE // 60
    weights = ", ".join(f"w{j}" for j in range(30))
    inputs = ", ".join(f"i{j}" for j in range(30))
    layer = "\n".join(f"      h{u}: {{weights: [{weights}]}}" for u in range(units))
    text = f"title: big\ninputs: [{inputs}]\nnetwork:\n  - activation: sigmoid\n    units:\n{layer}\n"
    text += "parameters: {" + ", ".join(f"w{j}: 0.1" for j in range(30)) + "}\n"
    text += "data: [{" + ", ".join(f"i{j}: 1" for j in range(30)) + "}]\nloss: {kind: sse}\n"
    fails(run("solve", str(write_problem(text))), "problem.yaml:4: network:", "model too large")


def test_a_big_pooling_window_is_refused_or_worked_never_a_crash(write_problem):
    rows = "\n".join("    - [" + ", ".join(str((i + j) % 5) for j in range(64)) + "]" for i in range(64))
    text = f"title: pool\nimage:\n  x:\n{rows}\nlayers:\n  - {{kind: avgpool, name: p, window: 62}}\n"
    text += "  - {kind: flatten}\n  - {kind: dense, name: z, weights: {w: [0.1]}, bias: {b: 0.2}}\n"
    text += "targets: {z: y}\ndata: [{y: 1}]\nloss: {kind: half_sse, name: E}\n"
    result = run("solve", str(write_problem(text)), "-f", "json")
    assert result.exit_code in (0, 2) and "Traceback" not in result.output


def test_a_long_sum_compiles_without_recursion():
    from backtutor.engine.compile import _add, _mul

    assert _add(0.1, 0.2, 0.3) == (0.1 + 0.2) + 0.3
    assert _mul(0.1, 3.0, 7.0) == (0.1 * 3.0) * 7.0


# outputs: regular files or new paths only, atomic, with normal permissions


def test_output_onto_a_device_or_pipe_is_refused_before_any_work(tmp_path):
    fails(run("solve", Q4, "-o", "/dev/null"), "/dev/null: not a regular file")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    fails(run("solve", Q4, "-o", str(fifo)), "not a regular file")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_output_into_a_missing_folder_names_the_users_path(tmp_path):
    out = fails(run("solve", Q4, "-o", str(tmp_path / "nodir" / "out.txt")), "nodir/out.txt")
    assert ".tmp" not in out


def test_new_outputs_respect_umask_and_existing_ones_keep_their_mode(tmp_path):
    old = os.umask(0o022)
    try:
        new = tmp_path / "new.txt"
        assert run("solve", Q4, "-o", str(new)).exit_code == 0
        assert stat.S_IMODE(os.stat(new).st_mode) == 0o644
        kept = tmp_path / "kept.txt"
        kept.write_text("old")
        os.chmod(kept, 0o640)
        assert run("solve", Q4, "-o", str(kept)).exit_code == 0
        assert stat.S_IMODE(os.stat(kept).st_mode) == 0o640 and kept.read_text() != "old"
    finally:
        os.umask(old)


def test_output_onto_the_problem_by_another_path_or_a_link_is_refused(tmp_path):
    problem = tmp_path / "q4.yaml"
    problem.write_text((PROBLEMS / "q4.yaml").read_text())
    link = tmp_path / "link.yaml"
    os.link(problem, link)
    before = problem.read_text()
    fails(run("solve", str(problem), "-o", str(link)), "refusing to overwrite")
    fails(run("solve", str(problem), "-o", str(tmp_path / "." / "q4.yaml")), "refusing to overwrite")
    fails(run("template", str(problem), "-o", str(link)), "refusing to overwrite")
    assert problem.read_text() == before


def test_input_errors_are_input_errors():
    with pytest.raises(InputError):
        parse("(" * (MAX_DEPTH + 5) + "x" + ")" * (MAX_DEPTH + 5))


def test_the_size_counts_every_term_of_a_formula_not_only_its_names(write_problem):
    """480 formulas of 490 terms x·w each once took 17 s and 1.6 GB; now they are refused at once."""
    formula = "+".join(["x*w"] * 490)
    lines = ["title: big", "inputs: [x]", "expressions:", *(f"  e{i}: {formula}" for i in range(30))]
    text = "\n".join(
        [*lines, "parameters: {w: 1}", "data: [{x: 1}]", "loss: {kind: expression, expr: e0+e1}"]
    )
    fails(run("solve", str(write_problem(text + "\n"))), "problem.yaml:4: expressions:", "model too large")


@pytest.mark.parametrize("opening", ["(", "sin(", "exp(", "f("])
def test_calls_and_parentheses_count_alike_towards_the_depth(opening):
    """docs/reference/limits.md: parentheses, signs, calls … all count; 59 levels around w*x pass, 60 not."""
    functions = {"f": Function("f", parse("x*x"))}

    def nested(n: int) -> str:
        return opening * n + "w*x" + ")" * n

    assert "w" in str(parse(nested(MAX_DEPTH - 1), functions))
    with pytest.raises(ParseError, match=f"more than {MAX_DEPTH} levels"):
        parse(nested(MAX_DEPTH), functions)
