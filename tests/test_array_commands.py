"""Every command and option on a network the array engine works, through typer's CliRunner: solve's
--view matrix (the same working), --only by step id or course name, --plot of the loss per epoch;
template's script that saves a student's arrays for `check` (run here, then checked); the
commands that work number by number refusing in one sentence that says what to use instead; and, from
Python, the ArraySolution showing itself in a notebook (tests/test_notebook.py shows it in a kernel)."""

from __future__ import annotations

import ast
import json
import re

import numpy as np
import pytest
from typer.testing import CliRunner

from backtutor.cli.app import app

from .conftest import SIZED as ADAM

runner = CliRunner()

SIZED = ADAM.replace(", optimizer: adam", "")  # plain SGD: the update is W1+ = W1 − η·dE/dW1


@pytest.fixture
def sized(write_problem):
    return str(write_problem(SIZED))


def run(*args: str):
    return runner.invoke(app, list(args))


def test_view_matrix_is_the_array_engines_working(sized):
    plain, matrix = run("solve", sized), run("solve", sized, "--view", "matrix")
    assert matrix.exit_code == 0, matrix.output
    assert matrix.output == plain.output and "dE/dW1@1  [5×4]" in matrix.output


def test_only_selects_steps_by_id_or_by_the_name_course_code_uses(sized):
    full = json.loads(run("solve", sized, "-f", "json").output)
    result = run("solve", sized, "-f", "json", "--only", "dW1, a1@2")
    assert result.exit_code == 0, result.output
    steps = json.loads(result.output)["steps"]
    # dW1 is dE/dW1, of each update shown; a1@2 only the second's
    assert [s["id"] for s in steps] == ["dE/dW1@1", "a1@2", "dE/dW1@2"]  # in working order
    by_id = {s["id"]: s["value"] for s in full["steps"]}
    assert all(s["value"] == by_id[s["id"]] for s in steps)


def test_only_an_unknown_id_lists_the_known_ones(sized):
    result = run("solve", sized, "--only", "dW7")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "--only: no step 'dW7'; the steps are z1@1, a1@1, z2@1" in result.output
    assert "@t for update t" in result.output
    none = run("solve", sized, "--epochs", "2", "--only", "z1")  # a longer run shows no update
    assert none.exit_code == 2 and "add --steps" in none.output


def test_plot_draws_the_array_runs_loss_per_epoch(sized, tmp_path, monkeypatch):
    pytest.importorskip("matplotlib", reason="matplotlib is the optional extra backtutor[plot]")
    from matplotlib.axes import Axes

    drawn: list[list[float]] = []
    plot = Axes.plot
    monkeypatch.setattr(
        Axes, "plot", lambda ax, x, y, *a, **k: drawn.append(list(y)) or plot(ax, x, y, *a, **k)
    )
    out = tmp_path / "loss.png"
    result = run("solve", sized, "--epochs", "3", "--plot", str(out), "-f", "json")
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\x89PNG")
    history = json.loads(result.output)["history"]
    assert drawn == [history] and len(history) == 4  # before training, then after each epoch
    one = run("solve", sized, "--plot", str(tmp_path / "one.png"))
    assert one.exit_code == 2 and "several epochs" in one.output and not (tmp_path / "one.png").exists()


@pytest.mark.parametrize(
    "option, message",
    [
        (["--blank"], "`backtutor template"),
        (["--view", "scalar"], "its matrix form"),
        (["--simplify"], "matrix forms already"),
    ],
)
def test_options_of_the_number_by_number_working_say_what_to_use(sized, tmp_path, option, message):
    out = tmp_path / "out.md"
    result = run("solve", sized, "-f", "markdown", "-o", str(out), *option)
    assert result.exit_code == 2 and message in result.output, result.output
    assert result.output.count("\n") == 1 and not out.exists()


@pytest.mark.parametrize(
    "command, instead",
    [
        (["explore", "-o", "page.html"], "-f html -o page.html"),
        (["quiz"], "`backtutor template"),
        (["variants", "--count", "2", "-o", "out"], "another init seed"),
    ],
)
def test_number_by_number_commands_refuse_in_one_sentence(sized, tmp_path, monkeypatch, command, instead):
    monkeypatch.chdir(tmp_path)
    result = run(command[0], sized, *command[1:])
    assert result.exit_code == 2, result.output
    assert "worked by the array engine" in result.output and instead in result.output
    assert result.output.count("\n") == 1 and not (tmp_path / "page.html").exists()
    assert not (tmp_path / "out").exists()


def test_graph_draws_a_node_per_array_of_the_update_asked(sized, tmp_path):
    working = tmp_path / "w.npz"
    assert run("solve", sized, "-f", "npz", "-o", str(working), "--steps", "2").exit_code == 0
    result = run("graph", sized, "--update", "2", "--precision", "6")
    assert result.exit_code == 0, result.output
    dot = result.output
    with np.load(working) as arrays:  # the second batch is one example: z1@2 is 5 numbers, shown
        z = arrays["z1@2"]
    assert z.shape == (5, 1)
    shown = re.search(r'"z1@2" \[[^]]*label="z1@2  \(5×1\)\\n(.*?)"\];', dot)
    assert shown, dot
    numbers = [float(v.replace("−", "-")) for v in re.findall(r"[−\d.e+-]+", shown[1])]
    np.testing.assert_allclose(numbers, z.ravel(), rtol=1e-5)
    assert '"W1+@1" -> "z1@2";' in dot and '"E@2" -> "delta2@2" [style=dashed' in dot
    assert '"delta2@2" -> "delta1@2" [style=dashed' in dot and "W1+@2" not in dot.replace('"W1+@1"', "")
    for bad, message in ((["--path", "dE/dW1"], "drawn one node per array"), (["--update", "3"], "has 2")):
        refused = run("graph", sized, *bad)
        assert refused.exit_code == 2 and message in refused.output, refused.output


def test_diff_given_a_problem_file_points_at_solve(sized):
    result = run("diff", sized)
    assert result.exit_code == 2 and f"`backtutor solve {sized}` works it" in result.output
    npz = run("diff", "w*x", "--wrt", "w", "-f", "npz")
    assert npz.exit_code == 2 and "diff writes terminal, json" in npz.output


def test_template_is_a_script_whose_arrays_check_right(sized, tmp_path, monkeypatch):
    working = tmp_path / "working.npz"
    assert run("solve", sized, "-f", "npz", "-o", str(working)).exit_code == 0
    result = run("template", sized)
    assert result.exit_code == 0, result.output
    script = result.output
    assert '"dE/dW1": ...,  # 5 × 4 float64: dE/dW1 = (1/2)·delta1·xᵀ' in script
    assert "@" not in re.sub(r"#.*", "", script)  # the first update's ids, as check reads them
    with np.load(working) as arrays:  # the student's arrays: the working's own, one left out
        filled = {k: arrays[k] for k in arrays.files}
    script = re.sub(
        r'^    "([^"]+)": \.\.\.,', lambda m: f'    "{m[1]}": W["{m[1]}@1"],', script, flags=re.M
    ).replace('"delta2": W["delta2@1"]', '"delta2": ...')
    monkeypatch.chdir(tmp_path)
    exec(compile(script, "answers.py", "exec"), {"W": filled})
    checked = run("check", sized, "answers.npz")
    assert checked.exit_code == 0, checked.output
    right = len(re.findall(r'^    "', result.output, flags=re.M)) - 1  # all but delta2
    assert f"{right}/{right} right" in checked.output


def test_template_phases_and_a_title_that_cannot_break_out_of_its_comment(write_problem):
    f = write_problem(SIZED.replace("title: sized", 'title: "x\\nimport os\\rprint(1)"'))
    result = run("template", str(f), "--phases", "update")
    assert result.exit_code == 0, result.output
    tree = ast.parse(result.output)
    assert [type(node).__name__ for node in tree.body] == ["Import", "Assign", "Expr"]
    assert list(ast.literal_eval(tree.body[1].value.keys[i]) for i in range(4)) == [
        "W1+",
        "b1+",
        "W2+",
        "b2+",
    ]


def test_shapes_of_a_matrix_network_counts_its_parameters(write_problem):
    f = write_problem(
        SIZED.replace("{size: 5, activation: tanh}", "{size: 5, activation: leaky_relu, slope: 0.1}")
    )
    result = run("shapes", str(f), "-f", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    # 4 inputs → 5 → 3, counted by hand: (4 + 1)·5 + (5 + 1)·3 weights and biases, 4·5 + 5·3 products
    assert doc["totals"] == {"parameters": 43, "mult_adds": 35}
    assert [row["kind"] for row in doc["layers"]] == ["dense", "leaky_relu", "dense", "softmax"]


def test_an_array_solution_shows_itself_in_a_notebook_escaped_and_cut_when_long():
    import backtutor

    none = backtutor.solve_arrays(SIZED, epochs=40)  # a long run keeps no working unless asked
    assert "0 steps worked by the array engine (none shown)" in none._repr_mimebundle_()["text/plain"]
    long = backtutor.solve_arrays(SIZED.replace("title: sized", "title: '<b>x</b> $y$'"), shown=[1, 2])
    forms = long._repr_mimebundle_()
    assert set(forms) == {"text/plain", "text/markdown", "text/html"}
    assert "<b>x</b>" not in forms["text/html"] and "&lt;b&gt;x&lt;/b&gt;" in forms["text/html"]
    assert "\\$y\\$" in forms["text/markdown"] and "| `dE/dW1@2` |" in forms["text/markdown"]
    assert f"{len(long.steps)} steps worked by the array engine" in forms["text/plain"]
    assert "loss over the data set:" in forms["text/plain"]
    assert "Showing the first" not in forms["text/markdown"]
    many = backtutor.solve_arrays(SIZED, epochs=40, shown=range(1, 9))
    forms = many._repr_mimebundle_(include={"text/markdown"})
    assert list(forms) == ["text/markdown"]
    assert f"Showing the first 60 of {len(many.steps)} steps" in forms["text/markdown"]
    assert forms["text/markdown"].count("\n| `") == 60


def test_from_python_template_gives_the_script_and_solve_points_at_solve_arrays():
    import backtutor

    script = backtutor.template(SIZED, phases="backward")
    assert '"dE/dW1": ...,  # 5 × 4 float64' in script and '"z1"' not in script
    with pytest.raises(backtutor.InputError, match=r"from Python, backtutor.solve_arrays\(\)"):
        backtutor.solve(SIZED)


def test_too_much_working_is_refused_in_words_for_python_and_the_command_line():
    import backtutor

    from .conftest import PROBLEMS

    mlp = PROBLEMS / "mlp_784_128_10.yaml"  # a working of at most 4 updates fits its limit
    with pytest.raises(backtutor.InputError, match=r"too large to keep \(at most 4\): show fewer"):
        backtutor.solve_arrays(mlp, epochs=2, shown=range(1, 6))
    result = runner.invoke(app, ["solve", str(mlp), "--epochs", "2", "--steps", "1-5"])
    assert result.exit_code == 2 and "(--steps on the command line" in result.output, result.output
