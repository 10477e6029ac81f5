"""The README's promises: its YAML examples load and solve, and its library snippet holds."""

import re

import pytest

import backtutor
from backtutor.problem.load import load, load_shapes
from backtutor.solution import solve

from .conftest import PROBLEMS, ROOT, has_numbers

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```yaml\n(.*?)```", README, re.S)


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_every_yaml_example_in_the_readme_solves(index, write_problem):
    path = write_problem(BLOCKS[index])
    if not has_numbers(path):  # an architecture, for `backtutor shapes`
        assert load_shapes(path).rows
        return
    sol = solve(load(path))
    assert sol.steps


def test_readme_names_the_bundled_problems_that_exist():
    for name in re.findall(r"`(\w+\.yaml)`", README):
        if name not in ("q4.yaml",) and not (PROBLEMS / name).exists():
            assert name in ("bad.yaml",), f"README mentions {name}, which is not in problems/"


def test_library_snippet():
    sol = backtutor.solve(PROBLEMS / "q4.yaml")
    # M. Mazur (2015), "A Step by Step Backpropagation Example": ∂E_total/∂w5 = 0.082167041
    assert sol.step("dE_total/dw5").value == pytest.approx(0.082167041, abs=1e-9)
    ids = [s.id for s in sol.working_for("dE_total/dw1")]
    assert ids[-1] == "dE_total/dw1" and "dE_total/dout_h1" in ids
    assert sol.final["w5"] == pytest.approx(0.35891648, abs=1e-8)
