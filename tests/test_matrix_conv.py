"""Convolution in the matrix view: every feature map, pooled map, ∂L/∂(map) and ∂L/∂kernel against
the scalar view's numbers, cell by cell (found by the cells' names, c_f_i_j → map f, row i, column j),
and the working of a 5×5 image with three 3×3 filters and 2×2 pooling on at most two pages, none of
it wider than the page."""

from __future__ import annotations

import re
import subprocess

import numpy as np
import pytest
from typer.testing import CliRunner

from backtutor.cli.app import app
from backtutor.engine.expr import Updated
from backtutor.errors import InputError
from backtutor.matrix.layers import network_layers
from backtutor.matrix.view import matrix_view
from backtutor.problem.load import load
from backtutor.solution import solve

from .conftest import PROBLEMS, SOLVABLE
from .test_documents import _pdflatex
from .test_matrix_view import assert_views_agree

CONV = ["edge_filter", "conv_relu_pool_dense", "three_filters", "three_filters_forward"]


def expected(table: dict, base: str, label: str, shape: tuple[int, ...]) -> np.ndarray:
    """The map `base(label)` (or the vector `base`) from the scalar view's named cells."""
    lead = label.strip("()").replace(",", "_") + "_" if label else ""
    if len(shape) == 1:
        names = [base] if base in table else [f"{base}_{i}" for i in range(1, shape[0] + 1)]
        return np.array([float(table[n]) for n in names])
    rows, cols = shape
    return np.array(
        [[float(table[f"{base}_{lead}{i}_{j}"]) for j in range(1, cols + 1)] for i in range(1, rows + 1)]
    )


@pytest.mark.parametrize("name", CONV)
def test_every_map_agrees_with_the_scalar_view(name):
    assert_maps_agree(solve(load(PROBLEMS / f"{name}.yaml")))


def test_a_batch_of_images_agrees_example_by_example_and_in_its_update(write_problem):
    text = (PROBLEMS / "conv_relu_pool_dense.yaml").read_text(encoding="utf-8")
    text = text.replace("  - {y: 1}", "  - {y: 1}\n  - {y: 0}").replace(
        "training: {learning_rate: 0.5}", "training: {learning_rate: 0.5, mode: batch}"
    )
    sol = solve(load(write_problem(text.replace("name: E}", "name: E, reduction: mean}"))))
    assert len(sol.worked) == 2
    assert_maps_agree(sol)
    steps = {s.id: s for s in matrix_view(sol)}
    assert "dE/dk[2]" in steps and "the mean of the 2 examples' gradients" in steps["k+"].note


def assert_maps_agree(sol) -> None:
    """Each example's maps and gradients, and each update, against the scalar view's numbers."""
    prefix, checked = f"d{sol.problem.loss}/d", set()
    for s in matrix_view(sol):
        if s.phase == "update":  # k+, b+, w+ against the scalar view's updates, entry by entry
            updated = {
                u.target.name: u.value
                for u in sol.steps
                if isinstance(u.target, Updated) and u.update == s.update
            }
            base, label = re.fullmatch(r"(.+?)(\(\d+(?:,\d+)*\))?\+(@\d+)?", s.id).groups()[:2]
            want = expected(updated, base, label or "", s.value.shape)
            assert s.value == pytest.approx(want, rel=1e-9, abs=1e-15), s.id
            checked.add(s.id)
            continue
        w = next(w for w in sol.worked if w.update == s.update and w.example == s.example)
        grad = s.id.startswith(prefix)
        bare = re.sub(r"(\[\d+\])?(@\d+)?$", "", s.id.removeprefix(prefix))
        base, label = re.fullmatch(r"(.+?)(\(\d+(?:,\d+)*\))?", bare).groups()
        table = w.gradients if grad else w.values
        want = expected(table, base, label or "", s.value.shape)
        assert s.value == pytest.approx(want, rel=1e-9, abs=1e-15), s.id
        checked.add(("d" if grad else "") + base)
    gradients = set() if sol.problem.forward_only else {"dc", "dk"}  # no loss: the maps alone
    assert {"x", "c", "p", *gradients} <= checked  # maps, their gradients and ∂L/∂kernel
    assert sol.problem.training is None or {"k+", "w+"} <= checked or "k(1)+" in checked


def test_the_kernel_gradient_is_the_correlation_of_the_input_with_the_upstream_gradient():
    steps = {s.id: s for s in matrix_view(solve(load(PROBLEMS / "three_filters.yaml")))}
    x = steps["x"].value
    for f in (1, 2, 3):
        g = steps[f"dE/dc({f})"].value  # written out here: a valid cross-correlation
        corr = np.array([[np.sum(x[u : u + 3, v : v + 3] * g) for v in range(3)] for u in range(3)])
        assert steps[f"dE/dk({f})"].value == pytest.approx(corr, rel=1e-12, abs=1e-15)
        assert steps[f"dE/dk({f})"].equation == f"∂E/∂k({f}) = x ⋆ ∂E/∂c({f})"


def test_the_three_filter_working_is_short_and_its_pdf_fits_on_two_pages(tmp_path):
    runner = CliRunner()
    path = str(PROBLEMS / "three_filters.yaml")
    matrix = runner.invoke(app, ["solve", path, "--view", "matrix"]).output
    scalar = runner.invoke(app, ["solve", path]).output
    assert len(matrix.splitlines()) * 5 < len(scalar.splitlines())
    tex = runner.invoke(app, ["solve", path, "--view", "matrix", "-f", "latex"]).output
    (tmp_path / "m.tex").write_text(tex, encoding="utf-8")
    done = subprocess.run(
        [_pdflatex(), "-interaction=nonstopmode", "-halt-on-error", "m.tex"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:]
    pages = re.search(r"Output written on m\.pdf \((\d+) page", done.stdout)
    assert pages and int(pages.group(1)) <= 2
    assert "Overfull \\hbox" not in (tmp_path / "m.log").read_text(errors="replace")  # nothing off the page


@pytest.mark.parametrize("path", SOLVABLE, ids=lambda p: p.stem)
def test_every_bundled_problem_has_a_matrix_view_or_a_clear_refusal(path):
    """One graph, two views: each bundled problem's matrix view agrees with its scalar view, or
    (expressions that are not layers) the view refuses in one sentence."""
    sol = solve(load(path))
    if network_layers(sol.problem) is not None:
        assert_views_agree(sol)
    elif sol.problem.layers and path.stem in CONV:
        assert_maps_agree(sol)
    else:
        with pytest.raises(InputError, match="needs a network of layers"):
            matrix_view(sol)
