"""The command line through typer's CliRunner: output, options, and bad input handled cleanly."""

import json
import os

import pytest
from typer.testing import CliRunner

from backtutor.cli.app import app
from backtutor.cli.runs import parse_steps

from .conftest import PROBLEMS

runner = CliRunner()
Q4 = str(PROBLEMS / "q4.yaml")

SMALL = """
inputs: [x]
expressions:
  f: w*x
parameters: {w: 2}
data: [{x: 3, y: 1}]
targets: {f: y}
loss: {kind: sse, name: L}
training: {learning_rate: 0.1}
"""


def run(*args: str):
    return runner.invoke(app, list(args))


def test_solve_q4_terminal_shows_the_published_working():
    result = run("solve", Q4)
    assert result.exit_code == 0, result.output
    out = result.output
    # Mazur (2015): net_h1, ∂E/∂w5 and w5⁺ as published
    assert "0.15 × 0.05 + 0.2 × 0.1 + 0.35 = 0.3775" in out
    assert "0.74136507 × 0.186815602 × 0.593269992 = 0.0821670406" in out
    assert "0.4 − 0.5 × 0.0821670406 = 0.35891648" in out
    assert "σ′(x) = σ(x)·(1 − σ(x))" in out


def test_json_has_unique_ids_and_the_fields_check_needs():
    result = run("solve", Q4, "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.output)
    ids = [s["id"] for s in doc["steps"]]
    assert len(ids) == len(set(ids))
    step = {s["id"]: s for s in doc["steps"]}["dE_total/dw5"]
    assert step["phase"] == "backward"
    assert step["value"] == pytest.approx(0.082167041, abs=1e-9)
    assert step["depends_on"] == ["dE_total/dout_o1", "dout_o1/dnet_o1", "dnet_o1/dw5"]
    assert step["formula"]["latex"].startswith(
        r"\frac{\partial E_{\mathrm{total}}}{\partial \mathrm{out}_{o1}}"
    )
    assert doc["parameters"]["w5"] == pytest.approx(0.35891648, abs=1e-8)


def test_only_shows_the_working_that_leads_to_one_quantity():
    doc = json.loads(run("solve", Q4, "--format", "json", "--only", "dE_total/dw5").output)
    ids = {s["id"] for s in doc["steps"]}
    assert {"dE_total/dw5", "dout_o1/dnet_o1", "out_h1", "net_h1", "out_o1"} <= ids
    assert not ids & {"dE_total/dw1", "w5+", "out_o2", "E_total"}


def test_only_with_unknown_id_suggests_close_ones():
    result = run("solve", Q4, "--only", "dE/dw5")
    assert result.exit_code == 2
    assert "dE_total/dw5" in result.output


def test_precision_changes_the_digits():
    out = run("solve", Q4, "--precision", "4").output
    assert "0.08217" in out and "0.0821670406" not in out


def test_several_epochs_give_a_summary_and_working_only_on_request():
    result = run("solve", Q4, "--epochs", "3")
    assert result.exit_code == 0
    assert "after each epoch" in result.output and "--steps" in result.output
    assert "Forward pass" not in result.output
    doc = json.loads(run("solve", Q4, "--epochs", "3", "--steps", "2", "--format", "json").output)
    assert doc["shown_updates"] == [2]
    assert "w5+@2" in {s["id"] for s in doc["steps"]}
    assert [e["epoch"] for e in doc["history"]] == [0, 1, 2, 3]


def test_many_parameters_per_epoch_show_the_first_few_and_say_where_the_rest_are(tmp_path):
    names = [f"w{i}" for i in range(1, 31)]
    problem = SMALL.replace("f: w*x", "f: " + " + ".join(f"{w}*x" for w in names))
    problem = problem.replace("{w: 2}", "{" + ", ".join(f"{w}: 0.01" for w in names) + "}")
    (tmp_path / "p.yaml").write_text(problem)
    out = run("solve", str(tmp_path / "p.yaml"), "--epochs", "2").output
    table, note = out.split("The other 6 parameters per epoch are in `solve -f json`")
    assert "w24" in table and "w25" not in table and "After training" in note


def test_steps_out_of_range_is_an_input_error():
    result = run("solve", Q4, "--epochs", "3", "--steps", "7")
    assert result.exit_code == 2 and "update 7" in result.output


def test_parse_steps():
    assert parse_steps("1,3,5-6,last", 10) == {1, 3, 5, 6, 10}
    assert parse_steps("all", 3) == {1, 2, 3}
    with pytest.raises(ValueError):
        parse_steps("x", 3)


def test_output_file_is_written_and_the_problem_file_is_never_overwritten(tmp_path, write_problem):
    out = tmp_path / "q4.json"
    assert run("solve", Q4, "-f", "json", "-o", str(out)).exit_code == 0
    assert json.loads(out.read_text())["loss"] == "E_total"
    problem = write_problem(SMALL)
    before = problem.read_text()
    result = run("solve", str(problem), "-o", str(problem))
    assert result.exit_code == 2 and "refusing to overwrite" in result.output
    assert problem.read_text() == before


def test_help_lists_the_commands():
    result = run("--help")
    assert result.exit_code == 0 and "solve" in result.output


BAD = {
    "malformed_yaml": ("network: [unclosed\n  - {", "not valid YAML", 2),
    "unknown_key": (SMALL.replace("learning_rate", "lerning_rate"), "did you mean 'learning_rate'", 9),
    "unknown_activation": (
        "inputs: [x]\nnetwork:\n  - activation: sigmod\n    units: {o: {weights: [w]}}\n"
        "parameters: {w: 1}\ndata: [{x: 1, target_o: 0}]\n",
        "network[0].activation",
        3,
    ),
    "weights_length": (
        "inputs: [x1, x2]\nnetwork:\n  - units:\n      o: {weights: [w1]}\n"
        "parameters: {w1: 1}\ndata: [{x1: 1, x2: 1, target_o: 0}]\n",
        "has 1 weights but there are 2 inputs",
        4,
    ),
    "parameter_without_value": (
        "inputs: [x]\nnetwork:\n  - units:\n      o: {weights: [w1], bias: b}\n"
        "parameters: {w1: 1}\ndata: [{x: 1, target_o: 0}]\n",
        "no value given for b",
        5,
    ),
    "expression_name_without_value": (
        SMALL.replace("f: w*x", "f: w*x + b"),
        "'b' is used but never defined",
        4,
    ),
    "undefined_name": (SMALL.replace("f: w*x", "f: w*x + g(z)"), "unknown function 'g'", 4),
    "undefined_variable": (
        SMALL.replace("f: w*x", "g: w*x\n  f: g*z1"),
        "'z1' is used but never defined",
        5,
    ),
    "cycle": (SMALL.replace("f: w*x", "a: w*b\n  b: a*x\n  f: a+b"), "cycle", 4),
    "not_a_number": (SMALL.replace("{w: 2}", "{w: two}"), "expected a number", 5),
    "nan": (SMALL.replace("{w: 2}", "{w: .nan}"), "finite", 5),
    "infinity": (SMALL.replace("{w: 2}", "{w: .inf}"), "finite", 5),
    "empty_data": (SMALL.replace("data: [{x: 3, y: 1}]", "data: []"), "data set is empty", 6),
    "import_in_expression": (
        SMALL.replace("f: w*x", "f: \"__import__('os').system('touch pwned')\""),
        "expressions.f",
        4,
    ),
    "dunder_attribute": (SMALL.replace("f: w*x", 'f: "().__class__"'), "expressions.f", 4),
    "dunder_name": (SMALL.replace("f: w*x", "__class__: w*x\n  f: w*x"), "not an allowed name", 4),
    "statement_in_name": (
        SMALL.replace("f: w*x", "'w1; import os': w*x\n  f: w*x"),
        "not an allowed name",
        4,
    ),
    "python_tag": ("title: !!python/object/apply:os.system ['touch pwned']\n", "not allowed", 1),
    "python_scalar_tag": ("title: !!python/name:os.system\n", "not valid YAML", 1),
    "alias_bomb": (
        'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n",
        "aliases",
        2,
    ),
    "not_a_mapping": ("- just\n- a list\n", "top level", 1),
    "both_models": (SMALL + "network: []\n", "either as 'network'", None),
    "minibatch_without_size": (
        SMALL.replace("{learning_rate: 0.1}", "{learning_rate: 0.1, mode: minibatch}"),
        "batch_size",
        9,
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_gives_one_clear_message_and_exit_2(case, write_problem, tmp_path):
    text, expected, line = BAD[case]
    path = write_problem(text)
    out = tmp_path / "out.json"
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = run("solve", str(path), "-f", "json", "-o", str(out))
    finally:
        os.chdir(cwd)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    message = result.output.strip()
    assert message.startswith(f"error: {path}"), message
    assert expected in message
    if line is not None:
        assert message.startswith(f"error: {path}:{line}:"), message
    assert not out.exists()
    assert not (tmp_path / "pwned").exists()


def test_a_network_too_large_is_refused_before_any_work(write_problem):
    units = "\n".join(f"      u{i}: {{weights: [w]}}" for i in range(5001))
    text = f"inputs: [x]\nnetwork:\n  - units:\n{units}\nparameters: {{w: 1}}\nloss: {{kind: output}}\n"
    result = run("solve", str(write_problem(text)))
    assert result.exit_code == 2 and "too large" in result.output


def test_a_file_too_large_is_refused(write_problem):
    result = run("solve", str(write_problem("title: x\n" + "#" * 1_100_000)))
    assert result.exit_code == 2 and "larger than" in result.output


def test_missing_file():
    result = run("solve", "no/such/file.yaml")
    assert result.exit_code == 2 and "no/such/file.yaml" in result.output


def test_a_parameter_that_does_not_reach_the_loss_is_an_input_error(write_problem):
    text = SMALL.replace("f: w*x", "f: w*x\n  z: c*x").replace("{w: 2}", "{w: 2, c: 1}") + "outputs: [f]\n"
    result = run("solve", str(write_problem(text)))
    assert result.exit_code == 2 and "'c' does not affect the loss 'L'" in result.output
    assert "Traceback" not in result.output


# five examples in minibatches of two: updates of examples {1, 2}, {3, 4}, {5} in each epoch
MINIBATCH = """
inputs: [x]
expressions:
  f: w*x
parameters: {w: 0.5}
data: [{x: 1, y: 1}, {x: 2, y: 1}, {x: 3, y: 1}, {x: 4, y: 1}, {x: 5, y: 1}]
targets: {f: y}
loss: {kind: sse, name: L}
training: {learning_rate: 0.01, mode: minibatch, batch_size: 2, epochs: 3}
"""


def test_steps_are_checked_against_the_runs_own_update_count(write_problem):
    path = str(write_problem(MINIBATCH))
    doc = json.loads(run("solve", path, "-f", "json", "--steps", "last").output)
    assert doc["updates"] == 9 and doc["shown_updates"] == [9]
    ids = {s["id"] for s in doc["steps"]}
    assert {"f@9", "w+@9"} <= ids and not any(i.startswith("f[") for i in ids)  # update 9: example 5 alone
    result = run("solve", path, "--steps", "10")
    assert result.exit_code == 2 and "update 10 does not exist (this run has 9)" in result.output
    doc = json.loads(run("solve", path, "-f", "json", "--epochs", "1").output)
    assert doc["updates"] == 3 and doc["shown_updates"] == [1, 2, 3]  # one epoch: every update shown
    assert {"f[1]@1", "f[2]@1", "L@1", "f@3"} <= {s["id"] for s in doc["steps"]}


def test_a_run_without_training_is_one_worked_pass(write_problem):
    path = str(write_problem(SMALL.replace("training: {learning_rate: 0.1}\n", "")))
    doc = json.loads(run("solve", path, "-f", "json", "--epochs", "3").output)
    assert doc["updates"] == 1 and doc["shown_updates"] == [1]
    assert "f" in {s["id"] for s in doc["steps"]}
    result = run("solve", path, "--steps", "2")
    assert result.exit_code == 2 and "(this run has 1)" in result.output


def test_a_one_epoch_run_shows_the_first_fifty_updates_by_default(write_problem):
    data = ", ".join(f"{{x: {i}, y: 1}}" for i in range(1, 61))
    path = str(write_problem(SMALL.replace("data: [{x: 3, y: 1}]", f"data: [{data}]")))
    doc = json.loads(run("solve", path, "-f", "json").output)
    assert doc["updates"] == 60 and doc["shown_updates"] == list(range(1, 51))  # "up to 50" (docs/tutorial)


def test_the_library_solve_takes_the_same_options_and_reports_progress_per_epoch(write_problem):
    import backtutor
    from backtutor.problem.load import load
    from backtutor.solution import Plan, solve

    calls: list[tuple[int, int]] = []
    sol = backtutor.solve(Q4, epochs=2, shown=[2], progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 2), (2, 2)]
    assert (sol.updates, sol.updates_per_epoch, sol.shown) == (2, 1, (2,))
    problem = load(write_problem(MINIBATCH))
    plan = Plan.of(problem, 4)
    assert plan.batches == ((0, 1), (2, 3), (4,)) and (plan.updates, plan.updates_per_epoch) == (12, 3)
    assert solve(problem, epochs=4, shown=[]).plan == plan
