"""`backtutor shapes`: output sizes, parameter counts and multiply-adds of CNN architectures.

Oracles: the textbook formulas written out again here, independently of backtutor/shapes.py, and
published totals: 431,080 parameters for the MNIST net, 24,704 for a 1×1 convolution from 192 to
128 channels and 102,432 for a 5×5 one from 128 to 32 (the project's reference notes
"textbook-problems.md", section 4); 61,706 for LeNet-5 with full C3 connectivity; "128M ops" for
GoogLeNet's inception (3a) (Szegedy et al. 2015, Table 1).
"""

from __future__ import annotations

import json

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from backtutor.cli.app import app
from backtutor.errors import InputError
from backtutor.problem.load import load, load_shapes

from .conftest import ARCHITECTURES, PROBLEMS

runner = CliRunner()


# ---- the oracle: textbook formulas, written separately from the code -------------------------


def out_size(n: int, f: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    return (n + 2 * p - d * (f - 1) - 1) // s + 1


def conv_params(f: int, c_in: int, c_out: int, bias: bool = True, groups: int = 1) -> int:
    return f * f * c_in // groups * c_out + (c_out if bias else 0)


def dense_params(n_in: int, n_out: int, bias: bool = True) -> int:
    return n_in * n_out + (n_out if bias else 0)


def conv_macs(h_out: int, w_out: int, f: int, c_in: int, c_out: int, groups: int = 1) -> int:
    return h_out * w_out * c_out * f * f * c_in // groups


def layers_by_name(table) -> dict:
    return {r.name: r for r in table.rows if r.role == "layer"}


def write(tmp_path, data: dict, name: str = "arch.yaml"):
    """The file with one line per layer (as JSON, which is YAML): layer i of `architecture` is on
    line 4 + i, after `architecture:`, `input:` and `layers:`."""
    rest = {k: v for k, v in data.items() if k != "architecture"}
    lines = [yaml.safe_dump(rest, sort_keys=False).rstrip()] if rest else []
    if "architecture" in data:
        lines.append("architecture:")
        for k, v in data["architecture"].items():
            if k == "layers":
                lines += ["  layers:", *(f"    - {json.dumps(layer)}" for layer in v)]
            else:
                lines.append(f"  {k}: {json.dumps(v)}")
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def arch(input_shape: list[int], *layers: dict, **extra) -> dict:
    return {"architecture": {"input": input_shape, "layers": list(layers), **extra}}


# ---- the bundled architectures ----------------------------------------------------------------


def test_bundled_architectures_exist():
    assert {p.stem for p in ARCHITECTURES} >= {"lenet5", "mnist_cnn", "inception_block"}


def test_mnist_cnn_has_the_published_431080_parameters():
    table = load_shapes(PROBLEMS / "mnist_cnn.yaml")
    rows = layers_by_name(table)
    h1 = out_size(28, 5)  # 24
    p1 = out_size(h1, 2, 2)  # 12
    h2 = out_size(p1, 5)  # 8
    p2 = out_size(h2, 2, 2)  # 4
    assert (h1, p1, h2, p2) == (24, 12, 8, 4)
    assert rows["conv1"].output == (20, h1, h1)
    assert rows["pool1"].output == (20, p1, p1)
    assert rows["conv2"].output == (50, h2, h2)
    assert rows["pool2"].output == (50, p2, p2)
    expected = {
        "conv1": conv_params(5, 1, 20),
        "conv2": conv_params(5, 20, 50),
        "fc1": dense_params(50 * p2 * p2, 500),
        "fc2": dense_params(500, 10),
    }
    assert expected == {"conv1": 520, "conv2": 25_050, "fc1": 400_500, "fc2": 5_010}  # the reference notes
    for name, count in expected.items():
        assert rows[name].params == count
    assert table.params == sum(expected.values()) == 431_080
    assert table.output == (10,)
    macs = conv_macs(h1, h1, 5, 1, 20) + conv_macs(h2, h2, 5, 20, 50) + 800 * 500 + 500 * 10
    assert table.mult_adds == macs


def test_lenet5_with_full_c3_connectivity_has_61706_parameters():
    table = load_shapes(PROBLEMS / "lenet5.yaml")
    rows = layers_by_name(table)
    assert rows["C1"].output == (6, 28, 28)
    assert rows["S2"].output == (6, 14, 14)
    assert rows["C3"].output == (16, 10, 10)
    assert rows["S4"].output == (16, 5, 5)
    counts = [conv_params(5, 1, 6), conv_params(5, 6, 16), dense_params(400, 120), dense_params(120, 84)]
    counts.append(dense_params(84, 10))
    assert counts == [156, 2_416, 48_120, 10_164, 850]
    assert [rows[n].params for n in ("C1", "C3", "C5", "F6", "output")] == counts
    assert table.params == sum(counts) == 61_706


def test_inception_block_branches_and_the_published_128m_ops():
    table = load_shapes(PROBLEMS / "inception_block.yaml")
    branches = {r.name: r for r in table.rows if r.role == "branch"}
    expected = {
        "1x1": conv_params(1, 192, 64),
        "3x3": conv_params(1, 192, 96) + conv_params(3, 96, 128),
        "5x5": conv_params(1, 192, 16) + conv_params(5, 16, 32),
        "pool": conv_params(1, 192, 32),
    }
    assert {b: r.params for b, r in branches.items()} == expected
    assert {b: r.output for b, r in branches.items()} == {
        "1x1": (64, 28, 28),
        "3x3": (128, 28, 28),
        "5x5": (32, 28, 28),
        "pool": (32, 28, 28),
    }
    assert out_size(28, 3, 1, 1) == out_size(28, 5, 1, 2) == 28  # "same" padding keeps 28×28
    block = next(r for r in table.rows if r.role == "block")
    assert block.output == table.output == (256, 28, 28)
    assert block.params == table.params == sum(expected.values()) == 163_696
    assert round(table.mult_adds / 1e6) == 128  # GoogLeNet, Table 1: inception (3a), 128M ops
    five = [r for r in table.rows if r.branch == ("5x5",) and r.role == "layer"]
    assert [r.mult_adds for r in five] == [conv_macs(28, 28, 1, 192, 16), conv_macs(28, 28, 5, 16, 32)]


@pytest.mark.parametrize(
    ("c_in", "c_out", "f", "published"),
    [(192, 128, 1, 24_704), (128, 32, 5, 102_432)],
    ids=["1x1_192_to_128", "5x5_128_to_32"],
)
def test_published_single_layer_counts(tmp_path, c_in, c_out, f, published):
    path = write(tmp_path, arch([c_in, 28, 28], {"kind": "conv", "out_channels": c_out, "kernel": f}))
    table = load_shapes(path)
    assert table.params == conv_params(f, c_in, c_out) == published
    assert table.rows[0].weights == f"{c_out}×{c_in}×{f}×{f}"
    assert table.rows[0].biases == c_out


def test_every_bundled_architecture_renders_in_both_formats():
    for path in ARCHITECTURES:
        result = runner.invoke(app, ["shapes", str(path)])
        assert result.exit_code == 0, result.output
        assert "parameters" in result.output
        doc = json.loads(runner.invoke(app, ["shapes", str(path), "-f", "json"]).output)
        assert doc["totals"]["parameters"] == load_shapes(path).params


# ---- the worked formulas and the other layer kinds ---------------------------------------------


def test_terminal_output_shows_each_formula_worked():
    out = runner.invoke(app, ["shapes", str(PROBLEMS / "mnist_cnn.yaml")]).output
    assert "H = W = ⌊(28 + 2·0 − 5)/1⌋ + 1 = 24" in out
    assert "H = W = ⌊(24 + 2·0 − 2)/2⌋ + 1 = 12" in out
    assert "(5·5·1 + 1)·20 = 520" in out
    assert "(5·5·20 + 1)·50 = 25,050" in out
    assert "(800 + 1)·500 = 400,500" in out
    assert "24·24·20·(5·5·1) = 288,000" in out
    assert "431,080" in out


def test_json_output_has_every_layer_and_the_totals():
    doc = json.loads(runner.invoke(app, ["shapes", str(PROBLEMS / "mnist_cnn.yaml"), "-f", "json"]).output)
    assert doc["input"] == [1, 28, 28] and doc["output"] == [10]
    conv1 = doc["layers"][0]
    assert conv1["input"] == [1, 28, 28] and conv1["output"] == [20, 24, 24]
    assert conv1["weights"] == "20×1×5×5" and conv1["biases"] == 20
    assert conv1["params_formula"] == "(5·5·1 + 1)·20 = 520"
    assert doc["totals"] == {"parameters": 431_080, "mult_adds": 2_293_000}


def test_stride_padding_dilation_groups_and_bias_off(tmp_path):
    layers = [
        {"kind": "conv", "name": "a", "out_channels": 8, "kernel": 3, "stride": 2, "padding": 1},
        {
            "kind": "conv",
            "name": "b",
            "out_channels": 8,
            "kernel": 3,
            "dilation": 2,
            "groups": 4,
            "bias": False,
        },
        {"kind": "batchnorm", "name": "bn"},
        {"kind": "dropout", "name": "drop", "rate": 0.25},
        {"kind": "avgpool", "name": "pool", "window": [2, 3], "stride": [2, 1]},
        {"kind": "flatten", "name": "flat"},
        {"kind": "dense", "name": "fc", "units": 5, "bias": False},
    ]
    table = load_shapes(write(tmp_path, arch([4, 17, 17], *layers)))
    rows = layers_by_name(table)
    a = out_size(17, 3, 2, 1)  # 9
    b = out_size(a, 3, 1, 0, 2)  # 5
    ph, pw = out_size(b, 2, 2), out_size(b, 3, 1)  # 2, 3
    assert rows["a"].output == (8, a, a)
    assert rows["a"].size == ("H = W = ⌊(17 + 2·1 − 3)/2⌋ + 1 = 9",)
    assert rows["b"].output == (8, b, b)
    assert rows["b"].size == ("H = W = ⌊(9 + 2·0 − 2·(3 − 1) − 1)/1⌋ + 1 = 5",)
    assert rows["b"].params == conv_params(3, 8, 8, bias=False, groups=4) == 144
    assert rows["b"].weights == "8×2×3×3"
    assert rows["bn"].params == 2 * 8  # γ and β per channel
    assert rows["drop"].params == 0 and rows["drop"].output == (8, b, b)
    assert rows["pool"].output == (8, ph, pw)
    assert rows["pool"].size == ("H = ⌊(5 + 2·0 − 2)/2⌋ + 1 = ⌊1.5⌋ + 1 = 2", "W = ⌊(5 + 2·0 − 3)/1⌋ + 1 = 3")
    assert rows["flat"].output == (8 * ph * pw,)
    assert rows["fc"].params == dense_params(8 * ph * pw, 5, bias=False)
    assert table.params == conv_params(3, 4, 8) + 144 + 16 + dense_params(48, 5, bias=False)
    assert any("batch norm" in c for c in table.conventions)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 40),
    f=st.integers(1, 7),
    s=st.integers(1, 4),
    p=st.integers(0, 3),
    d=st.integers(1, 3),
    exact=st.booleans(),
)
def test_output_size_matches_the_formula_or_is_explained(tmp_path_factory, n, f, s, p, d, exact):
    layer = {"kind": "conv", "name": "c", "out_channels": 2, "kernel": f, "stride": s, "padding": p}
    layer["dilation"] = d
    path = write(tmp_path_factory.mktemp("h"), arch([3, n, n], layer, exact=exact))
    top = n + 2 * p - d * (f - 1) - 1
    if top < 0:
        with pytest.raises(InputError, match=r"layer c: the .* kernel .*does not fit"):
            load_shapes(path)
    elif exact and top % s:
        with pytest.raises(InputError, match="exact division"):
            load_shapes(path)
    else:
        table = load_shapes(path)
        size = out_size(n, f, s, p, d)
        assert table.output == (2, size, size)
        assert table.params == conv_params(f, 3, 2)
        assert table.mult_adds == conv_macs(size, size, f, 3, 2)


def test_shapes_of_a_convolution_on_numbers_file():
    """The same table for a small conv problem: its shapes come from the matrices."""
    table = load_shapes(PROBLEMS / "conv_relu_pool_dense.yaml")
    assert [r.output for r in table.rows] == [(1, 4, 4), (1, 4, 4), (1, 2, 2), (4,), (1,), (1,)]
    assert table.params == conv_params(2, 1, 1) + dense_params(4, 1)
    assert table.params == len(load(PROBLEMS / "conv_relu_pool_dense.yaml").parameters)


# ---- impossible shapes and bad files: one clear message, exit code 2 ---------------------------

MNIST = [
    {"kind": "conv", "name": "conv1", "out_channels": 20, "kernel": 5},
    {"kind": "maxpool", "name": "pool1", "window": 2},
    {"kind": "conv", "name": "conv2", "out_channels": 50, "kernel": 5},
    {"kind": "maxpool", "name": "pool2", "window": 2},
    {"kind": "flatten"},
]
BAD = {
    "kernel_larger_than_input": (
        arch([1, 28, 28], *MNIST[:4], {"kind": "conv", "name": "conv3", "out_channels": 8, "kernel": 5}),
        "layer conv3: the 5×5 kernel does not fit its 4×4 input: H = ⌊(4 + 2·0 − 5)/1⌋ + 1 = 0",
        8,
    ),
    "pool_window_larger_than_input": (
        arch([3, 6, 6], {"kind": "maxpool", "name": "big", "window": 7}),
        "layer big: the 7×7 window does not fit its 6×6 input",
        4,
    ),
    "not_exact": (
        arch(
            [3, 28, 28],
            {"kind": "conv", "name": "c1", "out_channels": 8, "kernel": 5, "stride": 2},
            exact=True,
        ),
        "layer c1: (28 + 2·0 − 5)/2 = 11.5 is not a whole number",
        4,
    ),
    "flatten_into_wrong_in_features": (
        arch([1, 28, 28], *MNIST, {"kind": "dense", "name": "fc1", "units": 500, "in_features": 1250}),
        "layer fc1 declares in_features 1,250, but its input has 800 features (the output of flatten1, "
        "50×4×4 flattened)",
        9,
    ),
    "dense_without_flatten": (
        arch([1, 28, 28], MNIST[0], {"kind": "dense", "name": "fc1", "units": 10}),
        "layer fc1 (dense) gets a 20×24×24 input; put a flatten layer before it",
        5,
    ),
    "conv_after_flatten": (
        arch([1, 8, 8], {"kind": "flatten"}, {"kind": "conv", "name": "c", "out_channels": 2, "kernel": 3}),
        "layer c (conv) needs a C×H×W input, but it gets 64 features",
        5,
    ),
    "declared_in_channels": (
        arch([3, 8, 8], {"kind": "conv", "name": "c", "out_channels": 2, "kernel": 3, "in_channels": 1}),
        "layer c declares in_channels 1, but its input has 3 channels",
        4,
    ),
    "groups": (
        arch([3, 8, 8], {"kind": "conv", "name": "c", "out_channels": 4, "kernel": 3, "groups": 2}),
        "groups 2 must divide the input channels (3)",
        4,
    ),
    "branches_disagree": (
        arch(
            [192, 28, 28],
            {
                "kind": "branches",
                "name": "block",
                "branches": {
                    "a": [{"kind": "conv", "out_channels": 64, "kernel": 1}],
                    "b": [{"kind": "conv", "out_channels": 32, "kernel": 5}],
                },
            },
        ),
        "the branches of block end with different map sizes ('a' gives 64×28×28, 'b' gives 32×24×24)",
        4,
    ),
    "unknown_key": (
        arch([1, 8, 8], {"kind": "conv", "out_channels": 2, "kernal": 3}),
        "unknown key 'kernal'; did you mean 'kernel'?",
        4,
    ),
    "unknown_kind": (
        arch([1, 8, 8], {"kind": "convolution", "out_channels": 2, "kernel": 3}),
        "unknown layer kind 'convolution'; did you mean 'conv'?",
        4,
    ),
    "missing_field": (arch([1, 8, 8], {"kind": "dense"}), "a dense layer needs 'units'", 4),
    "not_a_whole_number": (
        arch([1, 8, 8], {"kind": "conv", "out_channels": 2, "kernel": 2.5}),
        "expected a whole number, got 2.5",
        4,
    ),
    "two_numbers_input": (arch([8, 8], {"kind": "flatten"}), "[C, H, W]", 2),
    "unknown_architecture_key": (
        {"architecture": {"input": [1, 8, 8], "layer": []}},
        "unknown key 'layer'; did you mean 'layers'?",
        3,
    ),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_impossible_shapes_are_explained_with_the_layer_named(tmp_path, case):
    data, expected, line = BAD[case]
    path = write(tmp_path, data)
    result = runner.invoke(app, ["shapes", str(path)])
    assert result.exit_code == 2, result.output
    message = result.output.strip()
    assert "Traceback" not in message and len(message.splitlines()) == 1, message
    assert message.startswith(f"error: {path}:{line}: "), message
    assert expected in message


def test_solve_on_an_architecture_only_file_says_to_use_shapes():
    path = PROBLEMS / "lenet5.yaml"
    result = runner.invoke(app, ["solve", str(path)])
    assert result.exit_code == 2
    assert "describes an architecture only" in result.output
    assert f"backtutor shapes {path}" in result.output
    with pytest.raises(InputError, match="architecture only"):
        load(path)


def test_shapes_on_a_file_without_an_architecture():
    result = runner.invoke(app, ["shapes", str(PROBLEMS / "q4.yaml")])
    assert result.exit_code == 2
    assert "no 'architecture' here" in result.output


def test_a_file_with_numbers_and_an_architecture_checks_both(tmp_path):
    q4 = yaml.safe_load((PROBLEMS / "q4.yaml").read_text(encoding="utf-8"))
    both = {**q4, **arch([1, 4, 4], {"kind": "conv", "name": "c", "out_channels": 1, "kernel": 5})}
    path = write(tmp_path, both)
    with pytest.raises(InputError, match="layer c: the 5×5 kernel does not fit"):
        load(path)
    q4.update(arch([1, 4, 4], {"kind": "conv", "name": "c", "out_channels": 1, "kernel": 3}))
    problem = load(write(tmp_path, q4, "ok.yaml"))
    assert problem.architecture is not None and problem.architecture.params == 10
