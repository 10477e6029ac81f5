"""Closed forms, as the chain rule assembles them and as SymPy simplifies them, against oracles that are
not the code under test: sympy.diff of the loss (tests/oracle.py's SymPyModel, each op from its textbook
definition, chained forward; the whole loss differentiated at once for the simplified forms), and the
textbook forms p_k − t_k (softmax + cross-entropy) and (a − t)·x (sigmoid + binary cross-entropy)
written here as SymPy expressions."""

from __future__ import annotations

import random
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp
import yaml

import backtutor
from backtutor.engine import bounded
from backtutor.engine.expr import Call, Deriv, Expr, Num, Sym, names
from backtutor.engine.formula import text
from backtutor.engine.from_sympy import Unwritable, from_sympy, round_trip
from backtutor.engine.ops import OPS
from backtutor.engine.parse import parse
from backtutor.render.closed_forms import as_text, left_out
from backtutor.render.documents import explore, markdown
from backtutor.render.documents import json as json_renderer
from backtutor.solution import Solution, gradient_forms
from backtutor.solution import simplify as simplify_module
from backtutor.solution.gradient_forms import closed_forms
from backtutor.solution.simplify import groups_of, simplified, simplify, simplify_here

from .conftest import PROBLEMS, SOLVABLE, explore_block
from .oracle import FirstUpdate, SymPyModel, to_sympy, value_at


def solved(path: Path | str) -> Solution:
    return backtutor.solve(path if isinstance(path, Path) else PROBLEMS / f"{path}.yaml")


def written(e: Expr) -> sp.Expr:
    """A form in the problem's names as SymPy, each name a plain symbol (the oracle's definitions)."""
    return to_sympy(e, sp.Symbol)


def forms(sol: Solution) -> dict[str, tuple[Expr, Expr | str]]:
    """parameter ↦ (chain form, simplified form or SymPy's note), simplified in this process."""
    groups = groups_of(sol.problem)
    out = {}
    for s in sol.steps:
        t = s.target
        if s.closed_form is not None and isinstance(t, Deriv) and not t.direct and t.wrt not in out:
            out[t.wrt] = (s.closed_form, simplify_here(s.closed_form, groups))
    return out


@pytest.mark.parametrize("path", SOLVABLE, ids=lambda p: p.stem)
def test_every_closed_form_is_sympy_diff_of_the_whole_loss(path: Path) -> None:
    """Both forms, each name replaced by what defines it, equal ∂loss/∂p at the first example; a
    gradient without a closed form is named in the note on those left out."""
    sol = solved(path)
    shown = closed_forms(sol, simplify=False)
    assert {cf.target for cf in shown.forms} | set(shown.missing) == {
        Deriv(sol.graph.loss, n) for n in sol.graph.wrt
    }
    _, point = FirstUpdate(sol).examples()[0]
    model = SymPyModel(sol.graph, point)
    for name, (chain, simple) in forms(sol).items():
        expected = model.gradient(name)
        for form in (chain, simple):
            assert not isinstance(form, str), f"{name}: {form}"
            got = value_at(to_sympy(form, lambda n: model.node[n]), model.exact)
            assert got == pytest.approx(expected, rel=1e-9, abs=1e-12), (name, text(form))


@pytest.mark.parametrize("name", ["logistic_bce", "softmax_classifier", "micrograd_neuron", "cs231n_neuron"])
def test_closed_forms_equal_sympy_diff_after_simplification(name: str) -> None:
    """Symbolically, with the data's targets put in (Σ target = 1 is a fact of the data, not algebra)."""
    sol = solved(name)
    _, point = FirstUpdate(sol).examples()[0]
    model = SymPyModel(sol.graph, point)
    targets = {model.symbols[t]: sp.nsimplify(point[t]) for t in sol.problem.targets}
    for p, (chain, simple) in forms(sol).items():
        expected = sp.diff(model.loss, model.symbols[p]).xreplace(targets)
        for form in (chain, simple):
            assert not isinstance(form, str)
            got = to_sympy(form, lambda n: model.node[n]).xreplace(targets)
            assert sp.simplify(got - expected) == 0, (p, text(form))


def test_softmax_and_cross_entropy_simplify_to_p_minus_t() -> None:
    found = forms(solved("softmax_classifier"))
    for c, (p, t) in enumerate([("out_c1", "target_c1"), ("out_c2", "target_c2"), ("out_c3", "target_c3")]):
        textbook = sp.Symbol(p) - sp.Symbol(t)
        for x, w in ((sp.Symbol("x1"), f"w{c + 1}1"), (sp.Symbol("x2"), f"w{c + 1}2"), (1, f"b{c + 1}")):
            simple = found[w][1]
            assert not isinstance(simple, str)
            assert sp.expand(written(simple) - textbook * x) == 0, (w, text(simple))
    assert text(found["w11"][1]) == "(out_c1 − target_c1)·x1"  # in the problem's names, nothing expanded


def test_sigmoid_and_binary_cross_entropy_simplify_to_a_minus_t_times_x() -> None:
    found = forms(solved("logistic_bce"))
    a, t = sp.symbols("a t")
    for w, x in (("w1", sp.Symbol("x1")), ("w2", sp.Symbol("x2")), ("b", 1)):
        simple = found[w][1]
        assert not isinstance(simple, str)
        assert sp.expand(written(simple) - (a - t) * x) == 0, (w, text(simple))
    assert [str(found[w][1]) if isinstance(found[w][1], str) else text(found[w][1]) for w in ("w1", "b")] == [
        "(a − t)·x1",
        "a − t",
    ]


def test_sigmoid_derivative_stays_out_times_one_minus_out_and_common_factors_come_out() -> None:
    found = forms(solved("q4"))
    o, t, h = sp.symbols("out_o1 target_o1 out_h1")
    w5 = found["w5"][1]
    assert not isinstance(w5, str)
    assert text(w5) == "(out_o1 − target_o1)·out_o1·(1 − out_o1)·out_h1"
    assert sp.expand(written(w5) - (o - t) * o * (1 - o) * h) == 0
    w1 = found["w1"][1]
    assert not isinstance(w1, str) and isinstance(w1, Call) and w1.op == "mul"
    assert text(w1).endswith("·out_h1·(1 − out_h1)·i1")  # the hidden unit's factors pulled out of the sum
    assert "σ" not in text(found["w1"][0]) + text(w1) and "exp" not in text(w1)  # one notation: node names


def _batch_problem(tmp_path: Path, reduction: str) -> Path:
    data = yaml.safe_load((PROBLEMS / "relu_regression.yaml").read_text(encoding="utf-8"))
    data["training"]["mode"] = "batch"
    data["loss"]["reduction"] = reduction
    path = tmp_path / f"batch_{reduction}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_a_batch_closed_form_is_the_sum_or_mean_over_its_examples(tmp_path: Path, reduction: str) -> None:
    sol = solved(_batch_problem(tmp_path, reduction))
    fu = FirstUpdate(sol)
    models = [SymPyModel(sol.graph, point) for _, point in fu.examples()]
    scale = Fraction(1, len(models)) if reduction == "mean" else 1
    cfs = closed_forms(sol, simplify=False).forms
    assert {cf.target.wrt for cf in cfs if isinstance(cf.target, Deriv)} == set(sol.graph.wrt)
    for cf in cfs:
        assert isinstance(cf.target, Deriv)
        shown = as_text(cf, cf.chain, 9)
        assert shown.startswith("(1/2)·Σₙ[" if reduction == "mean" else "Σₙ[") and shown.endswith("]")
        total = sum(value_at(to_sympy(cf.chain, lambda n, m=m: m.node[n]), m.exact) for m in models)
        expected = sum(m.gradient(cf.target.wrt) for m in models)
        assert float(scale) * total == pytest.approx(float(scale) * expected, rel=1e-9), cf.target.wrt


def test_forms_too_long_to_read_are_left_out_with_a_note() -> None:
    sol = solved("conv_relu_pool_dense")
    cfs = closed_forms(sol, simplify=False)
    assert cfs.missing and all(isinstance(m, Deriv) for m in cfs.missing)
    note = left_out(cfs)
    assert "left out" in note and "too long to read" in note and text(cfs.missing[0]) in note
    assert "too long to read" in markdown.render(sol)


def test_sympy_past_its_size_or_time_limit_is_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    form = forms(solved("q4"))["w1"][0]
    monkeypatch.setattr(bounded, "FORM_OPS", 5)
    assert simplify_here(form) == "not simplified: larger than 5 SymPy operations"
    monkeypatch.setattr(bounded, "FORM_SECONDS", 1e-4)
    monkeypatch.setattr(simplify_module, "_done", {})
    note = simplify(Call("mul", (form, Sym("fresh"))))
    assert note == "not simplified: SymPy took more than 0.0001 s"
    bounded.stop()


def test_past_the_time_for_a_whole_problem_the_forms_keep_only_their_chain_form(monkeypatch) -> None:
    monkeypatch.setattr(simplify_module, "_done", {})
    monkeypatch.setattr(bounded, "FORMS_BUDGET", -1.0)
    cfs = closed_forms(solved("logistic_bce"), simplify=True).forms
    assert cfs and all(
        cf.simplified is None and "used all its time for this problem" in cf.note for cf in cfs
    )


def test_each_shape_is_simplified_once_in_its_own_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """q4's eight weights have two shapes (an output weight's form, a hidden weight's): SymPy runs
    twice, and each form comes back in its own names exactly as SymPy simplifies it in them; a shape
    done is answered after the budget too, a shape cut short by the budget is tried again."""
    monkeypatch.setattr(simplify_module, "_done", {})
    calls = []
    run = simplify_module.run
    monkeypatch.setattr(simplify_module, "run", lambda fn, args, t: calls.append(args) or run(fn, args, t))
    sol = solved("q4")
    cfs = closed_forms(sol, simplify=True).forms
    assert len(cfs) == 8 and len(calls) == 2
    for cf in cfs:
        expected = simplify_here(cf.chain)
        assert not isinstance(expected, str)
        assert cf.simplified == (None if text(expected) == text(cf.chain) else expected), text(cf.chain)
    assert simplify(cfs[0].chain, budget=simplify_module.Budget(0.0)) == cfs[0].simplified and len(calls) == 2
    fresh = Call("mul", (cfs[0].chain, Sym("fresh")))
    assert simplify(fresh, budget=simplify_module.Budget(0.0)).startswith(
        "not simplified: SymPy used all its time"
    )
    assert not isinstance(simplify(fresh), str) and len(calls) == 3


@pytest.mark.parametrize("path", SOLVABLE, ids=lambda p: p.stem)
def test_every_simplified_form_equals_its_chain_form_at_random_points(path: Path) -> None:
    """Each bundled problem's forms as every format gets them (a shape simplified once, the names put
    back), against the chain form at random values of every name (targets a distribution where the
    loss needs one): an error in putting the names back shows as a different number."""
    sol = solved(path)
    groups = groups_of(sol.problem)
    rng = random.Random(path.stem)
    for cf in closed_forms(sol, simplify=True).forms:
        assert not cf.note, (text(cf.target), cf.note)
        if cf.simplified is None:
            continue
        for _ in range(3):
            point = {n: sp.Rational(rng.randint(1, 99), 100) for n in [*names(cf.chain), *sum(groups, ())]}
            for group in groups:
                total = sum(point[n] for n in group)
                point.update({n: point[n] / total for n in group})
            at = {sp.Symbol(n): v for n, v in point.items()}
            chain, simple = (value_at(written(e), at) for e in (cf.chain, cf.simplified))
            assert simple == pytest.approx(chain, rel=1e-9, abs=1e-12), (text(cf.chain), text(cf.simplified))


def test_documents_show_the_chain_form_then_the_simplified_one() -> None:
    doc = markdown.render(solved("logistic_bce"))
    assert r"\text{simplified} &= \left(a - t\right) \cdot x_{1}" in doc
    assert doc.index(r"\frac{\partial L}{\partial w_{1}} &= ") < doc.index(r"\text{simplified}")


def test_from_sympy_writes_the_op_table_functions_and_refuses_the_rest() -> None:
    x = sp.Symbol("x")
    functions, powers = round_trip()
    for op in {*functions.values(), *powers.values()}:
        assert from_sympy(OPS[op].sympy([x], None)) == Call(op, (Sym("x"),)), op
    assert from_sympy(sp.Rational(3, 4) * x) == Call("mul", (Num(Fraction(3, 4)), Sym("x")))
    with pytest.raises(Unwritable):
        from_sympy(sp.gamma(x))


def test_solving_in_the_terminal_does_not_load_sympy() -> None:
    """Simplified forms are for documents and --simplify: the default terminal solve starts fast. Nor
    does it load what q4 does not use: rich's tables (only the per-epoch history has one), its emoji
    codes (headings are printed as written), NumPy, the array engine's and the CNN's schemas
    (problem/engines.py tells the engine from the raw data) and those of the sections for a class."""
    unused = ("sympy", "rich.table", "rich._emoji_codes", "numpy", "html")
    unused += ("backtutor.problem.array_network", "backtutor.problem.array_conv", "backtutor.cnn.schema")
    unused += ("backtutor.problem.variants_schema", "backtutor.problem.assignment_schema")
    code = (
        "import sys; from typer.testing import CliRunner; from backtutor.cli.app import app;"
        "r = CliRunner().invoke(app, ['solve', sys.argv[1]]); assert r.exit_code == 0, r.output;"
        f"print('simplified' in r.output, [m for m in {unused!r} if m in sys.modules])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(PROBLEMS / "q4.yaml")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False []"


def test_simplified_is_the_one_function_for_any_formula() -> None:
    """What `backtutor diff` reuses: a parsed formula in, its simplified form out (None: nothing simpler)."""
    bce = parse("-(t/a - (1 - t)/(1 - a))*a*(1 - a)*x")
    got = simplified(bce)
    assert got is not None and text(got) == "(a − t)·x"
    a, t, x = sp.symbols("a t x")
    assert sp.expand(written(got) - (a - t) * x) == 0
    chain = parse("w3*sigmoid(w2*sigmoid(w1*x))*(1 - sigmoid(w2*sigmoid(w1*x)))")
    assert simplified(chain) is None  # already as short as SymPy can write it; σ is never opened


def test_the_explore_page_simplifies_its_forms_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The page embeds the JSON and its own MathML of the forms: one closed_forms() serves both."""
    calls: list[bool] = []

    def counted(sol: Solution, simplify: bool) -> gradient_forms.ClosedForms:
        calls.append(simplify)
        return closed_forms(sol, simplify)

    for module in (explore, json_renderer):
        monkeypatch.setattr(module, "closed_forms", counted)
    solution = explore_block(explore.render(solved("q4")), "solution")
    assert calls == [True] and solution.count("(out_o1 − target_o1)·out_o1·(1 − out_o1)·out_h1") == 1
