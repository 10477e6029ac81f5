"""Fuzzing the command line (issue #10): hypothesis-generated formulas (random trees of the grammar,
random text) and YAML documents (random structures, random bytes) through typer's CliRunner. Every
case ends in exit 0, 1 or 2, never a traceback, within a bounded time. The profile keeps the whole
module to a few seconds."""

import os
import tempfile
import time
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from backtutor.cli.app import app
from backtutor.engine.ops import FUNCTIONS

from .conftest import PROBLEMS

settings.register_profile(
    "fuzz",
    max_examples=20,
    deadline=None,  # each case is timed below, against a bound that means something for a CLI run
    database=None,
    derandomize=os.environ.get("HYPOTHESIS_PROFILE") != "thorough",  # CI: the same cases every run
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ = settings.get_profile("fuzz")
# seconds of this process's CPU time (the CLI runs in process): the documented limits allow at most
# this; CPU time, not wall time, so a loaded machine cannot fail a case that did its work in bounds
PER_CASE = 10.0
runner = CliRunner()

NAMES = st.sampled_from(["x", "w", "b", "y", "out_h1", "x_hat", "E", "zz9"])
NUMBERS = st.one_of(
    st.sampled_from(["0", "1", "0.5", "2", "1e300", "1e-300", "9" * 40, ".5", "3e999"]),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(lambda v: repr(abs(v))),
)


def _call(args: list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(sorted(FUNCTIONS)).map(lambda f: f"{f}({', '.join(args)})")


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/", "^", "**", "·", "−"]), children)
    return st.one_of(
        binary.map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        children.map(lambda c: f"({c})"),
        children.map(lambda c: f"-{c}"),
        children.map(lambda c: f"{c}²"),
        st.lists(children, min_size=1, max_size=3).flatmap(_call),
    )


FORMULAS = st.one_of(
    st.recursive(st.one_of(NAMES, NUMBERS), _combine, max_leaves=30),
    st.text(max_size=60),  # random text, including control characters and unpaired brackets
    st.integers(1, 3000).map(lambda n: "-" * n + "x"),
    st.integers(1, 1000).map(lambda n: "2^" * n + "x"),
)


def _neuron(formula: str, w: str) -> str:
    quoted = yaml.safe_dump(formula, width=10**6).removesuffix("\n...\n").strip()
    return (
        f"title: fuzz\ninputs: [x]\nexpressions:\n  y: {quoted}\n  z: y*w + b\n"
        f"parameters: {{w: {w}, b: 0.1}}\ndata: [{{x: 1}}]\nloss: {{kind: output}}\n"
    )


def _invoke(args: list[str]) -> None:
    start = time.process_time()
    result = runner.invoke(app, args)
    elapsed = time.process_time() - start
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert elapsed < PER_CASE, f"{elapsed:.1f} s"


def _solve(text: str | bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
        _invoke(["solve", str(path), "-f", "json"])


@FUZZ
@given(formula=FORMULAS, w=st.sampled_from(["0.5", "-1", "0", "1000", "1e100"]))
def test_formulas_never_crash_the_cli(formula, w):
    _solve(_neuron(formula, w))


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(),
    st.text(max_size=20),
    NAMES,
    FORMULAS,
)
KEYS = st.one_of(
    st.sampled_from(
        [
            "title",
            "inputs",
            "expressions",
            "parameters",
            "data",
            "loss",
            "training",
            "network",
            "units",
            "weights",
            "bias",
            "activation",
            "kind",
            "epochs",
            "learning_rate",
            "targets",
            "frozen",
            "image",
            "layers",
            "outputs",
            "mode",
            "batch_size",
            "architecture",
            "x",
            "w",
            "y",
        ]
    ),
    st.text(max_size=8),
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=6)),
    max_leaves=25,
)


@FUZZ
@given(document=st.dictionaries(KEYS, DOCUMENTS, max_size=8))
def test_random_yaml_documents_never_crash_the_cli(document):
    _solve(yaml.safe_dump(document, allow_unicode=True))


@FUZZ
@given(
    base=st.sampled_from(["q4.yaml", "micrograd_neuron.yaml", "softmax_classifier.yaml", "edge_filter.yaml"]),
    cut=st.integers(0, 2000),
    noise=st.binary(max_size=40),
)
def test_bundled_problems_with_random_bytes_spliced_in_never_crash_the_cli(base, cut, noise):
    data = (PROBLEMS / base).read_bytes()
    cut = min(cut, len(data))
    _solve(data[:cut] + noise + data[cut:])


@FUZZ
@given(
    sheet=st.dictionaries(
        st.one_of(st.sampled_from(["net_h1", "dE_total/dw5", "w5+", "E_total"]), st.text(max_size=10)),
        st.one_of(FORMULAS, st.floats().map(repr)),
        max_size=5,
    )
)
def test_random_answer_sheets_never_crash_check(sheet):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sheet.yaml"
        path.write_text(yaml.safe_dump(sheet, allow_unicode=True), encoding="utf-8")
        _invoke(["check", str(PROBLEMS / "q4.yaml"), str(path)])


def _paths(node: object, prefix: tuple = ()) -> list[tuple]:
    """Every key path of a YAML document, so a mutation can reach any field."""
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _replace(node: object, path: tuple, value: object) -> object:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(node, dict):
        return {k: (_replace(v, rest, value) if k == head else v) for k, v in node.items()}
    assert isinstance(node, list)
    return [(_replace(v, rest, value) if i == head else v) for i, v in enumerate(node)]


@FUZZ
@given(
    base=st.sampled_from(
        ["q4.yaml", "micrograd_neuron.yaml", "softmax_classifier.yaml", "conv_relu_pool_dense.yaml"]
    ),
    data=st.data(),
)
def test_bundled_problems_with_a_field_replaced_never_crash_the_cli(base, data):
    """One field anywhere in a valid problem replaced by a random value: the likeliest hostile file."""
    document = yaml.safe_load((PROBLEMS / base).read_text(encoding="utf-8"))
    path = data.draw(st.sampled_from(_paths(document)))
    value = data.draw(DOCUMENTS)
    _solve(yaml.safe_dump(_replace(document, path, value), allow_unicode=True))


@FUZZ
@given(
    base=st.sampled_from(["dropout.yaml", "formula_activation.yaml", "relu_regression_adam.yaml"]),
    data=st.data(),
)
def test_the_new_sections_with_a_field_replaced_never_crash_the_cli(base, data):
    """The same for the files of dropout, formula activations and optimizers."""
    document = yaml.safe_load((PROBLEMS / base).read_text(encoding="utf-8"))
    path = data.draw(st.sampled_from(_paths(document)))
    _solve(yaml.safe_dump(_replace(document, path, data.draw(DOCUMENTS)), allow_unicode=True))


@FUZZ
@given(data=st.data())
def test_a_variants_section_with_a_field_replaced_never_crashes_variants(data):
    document = yaml.safe_load((PROBLEMS / "relu_class.yaml").read_text(encoding="utf-8"))
    # 20 draws per student, not the file's 1,000: a replaced range that the constraints rarely meet
    # (W1 up to 5131) then gives up after 20 solves, through the same code, instead of 2,000 (10 s)
    document["variants"]["tries"] = 20
    path = data.draw(st.sampled_from([p for p in _paths(document) if p[:1] == ("variants",)]))
    changed = yaml.safe_dump(_replace(document, path, data.draw(DOCUMENTS)), allow_unicode=True)
    with tempfile.TemporaryDirectory() as folder:
        problem = Path(folder) / "class.yaml"
        problem.write_text(changed, encoding="utf-8")
        _invoke(["variants", str(problem), "--count", "2", "--no-pdf", "-o", str(Path(folder) / "out")])


COMMANDS = st.sampled_from(["hint", "skip", "o", "c", "", "quit", "out_h1*(1-out_h1)"])
ANSWER_LINES = st.one_of(NUMBERS, COMMANDS, st.text(max_size=12))


@FUZZ
@given(lines=st.lists(ANSWER_LINES, max_size=8))
def test_any_typed_lines_never_crash_the_quiz(lines):
    start = time.process_time()
    args = ["quiz", str(PROBLEMS / "q4.yaml"), "--only", "net_o1"]
    result = runner.invoke(app, args, input="".join(f"{line}\n" for line in lines))
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert time.process_time() - start < PER_CASE
