"""`template` and `check` on an `architecture` file: a CNN's table (output shapes, weights, biases,
parameters, multiply-adds, the flatten size, the totals) as an answer sheet.

Oracles, worked by hand here and never by backtutor/cnn: the MNIST CNN of 431,080 parameters
(520 + 25,050 + 400,500 + 5,010), LeNet-5 with full C3 (61,706), GoogLeNet's inception (3a)
(Szegedy et al. 2015: 12,352 + 18,528 + 110,720 + 3,088 + 12,832 + 6,176 parameters, "128M ops").
Each slip of the CNN slip table is named on a sheet whose number the test works by that slip's rule.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backtutor.check.cnn.grade import ShapeChecker
from backtutor.check.cnn.sheet import ShapeIds, read_shape_sheet
from backtutor.check.slips.shapes import SLIPS
from backtutor.cli.app import app
from backtutor.problem.load import load_shapes

from .conftest import PROBLEMS, ROOT

runner = CliRunner()
MNIST = PROBLEMS / "mnist_cnn.yaml"


def size(n: int, f: int, s: int = 1, p: int = 0) -> int:
    return (n + 2 * p - f) // s + 1


# the MNIST CNN worked by hand: 1×28×28 → conv 5×5 (20) → pool 2 → conv 5×5 (50) → pool 2 → fc 500 → fc 10
H1 = size(28, 5)  # 24
H2 = size(H1, 2, 2)  # 12
H3 = size(H2, 5)  # 8
H4 = size(H3, 2, 2)  # 4
MNIST_TABLE = {
    "conv1.output": f"{H1}x{H1}x20",
    "conv1.weights": "5x5x1x20",
    "conv1.biases": "20",
    "conv1.params": str((5 * 5 * 1 + 1) * 20),  # 520
    "conv1.mult_adds": str(H1 * H1 * 20 * 5 * 5 * 1),
    "pool1.output": f"[20, {H2}, {H2}]",
    "pool1.params": "0",
    "conv2.output": f"{H3} × {H3} × 50",
    "conv2.params": "25,050",  # (5·5·20 + 1)·50
    "pool2.output": f"({H4}, {H4}, 50)",
    "fc1.in_features": str(50 * H4 * H4),  # 800
    "fc1.weights": "800×500",
    "fc1.params": "400,500",
    "fc2.params": "5 010",
    "total.params": "431,080",
}


def sheet(tmp_path: Path, answers: dict[str, str], name: str = "sheet.yaml") -> Path:
    path = tmp_path / name
    path.write_text("".join(f'"{k}": "{v}"\n' for k, v in answers.items()), encoding="utf-8")
    return path


def graded(problem: Path, path: Path) -> dict[str, object]:
    checker = ShapeChecker(load_shapes(problem), str(problem))
    report = checker.grade(read_shape_sheet(path, ShapeIds(checker.steps)), str(path))
    return {v.id: v for v in report.verdicts}


def test_published_tables_are_the_answers(tmp_path):
    # every count of the three published tables, as `shapes -f json` gives the steps
    def steps(path: Path) -> dict[str, object]:
        doc = json.loads(runner.invoke(app, ["shapes", str(path), "-f", "json"]).output)
        return {s["id"]: s["value"] for s in doc["steps"]}

    mnist = steps(MNIST)
    assert [mnist[f"{x}.params"] for x in ("conv1", "conv2", "fc1", "fc2")] == [520, 25_050, 400_500, 5_010]
    assert mnist["total.params"] == 431_080 and mnist["fc1.in_features"] == 800
    assert mnist["conv2.weights"] == [50, 20, 5, 5] and mnist["pool1.output"] == [20, 12, 12]
    lenet = steps(PROBLEMS / "lenet5.yaml")
    lenet_params = [156, 2_416, 48_120, 10_164, 850]  # (5·5·1 + 1)·6, (5·5·6 + 1)·16, 401·120, 121·84, 85·10
    assert [lenet[f"{x}.params"] for x in ("C1", "C3", "C5", "F6", "output")] == lenet_params
    assert lenet["total.params"] == 61_706
    inception = steps(PROBLEMS / "inception_block.yaml")
    branch = [12_352, 18_528, 110_720, 3_088, 12_832, 6_176]
    assert inception["inception_3a.params"] == sum(branch) == inception["total.params"]
    assert inception["conv_1x1.weights"] == [64, 192, 1, 1]
    assert inception["inception_3a.output"] == [64 + 128 + 32 + 32, 28, 28]
    assert inception["total.mult_adds"] == 128_049_152


def test_a_right_table_in_textbook_spellings(tmp_path):
    result = runner.invoke(app, ["check", str(MNIST), str(sheet(tmp_path, MNIST_TABLE)), "-f", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["right"] == len(MNIST_TABLE) == doc["total"]
    said = {v["id"]: v["explanation"] for v in doc["verdicts"]}
    assert "channels last" in said["conv1.output"] and "channels first" in said["pool1.output"]
    assert "F×F×C_in×C_out" in said["conv1.weights"]


@pytest.mark.parametrize(
    ("written", "status"),
    [("20x24x24", "right"), ("24 x 24 x 20", "right"), ("24x20x24", "wrong"), ("20x20x24", "wrong"),
     ("24x24", "wrong"), ("twenty", "undecided"), ("9" * 40, "undecided")],
)  # fmt: skip
def test_an_output_shape_in_either_channel_order_but_never_another_permutation(tmp_path, written, status):
    assert graded(MNIST, sheet(tmp_path, {"conv1.output": written}))["conv1.output"].status == status


def test_a_wrong_size_is_carried_forward_from_the_students_own_map(tmp_path):
    # pool1 written 13×13 (no slip gives it): conv2 from 13×13 is 9×9, its multiply-adds
    # 9·9·50·(5·5·20), pool2 ⌊(9 − 2)/2⌋ + 1 = 4, so the flatten size stays 800; the total from
    # the student's own per-layer counts
    answers = {
        "pool1.output": "13x13x20",
        "conv2.output": "9x9x50",
        "conv2.mult_adds": str(9 * 9 * 50 * 5 * 5 * 20),
        "pool2.output": "4x4x50",
        "fc1.in_features": "800",
        "conv1.params": "500",  # the biases left out
        "total.params": str(500 + 25_050 + 400_500 + 5_010),
    }
    v = graded(MNIST, sheet(tmp_path, answers))
    assert v["pool1.output"].status == "wrong" and v["pool1.output"].slip == ""
    assert v["conv2.output"].status == "carried" and v["conv2.output"].source == "pool1.output"
    assert v["conv2.mult_adds"].status == "carried"
    assert v["pool2.output"].status == "right" and v["fc1.in_features"].status == "right"
    assert v["total.params"].status == "carried" and v["total.params"].source == "conv1.params"


ODD = {  # an input whose size formula does not divide: (32 − 5)/2 = 13.5
    "title": "odd",
    "architecture": {"input": [3, 32, 32], "layers": [{"kind": "conv", "name": "c", "out_channels": 16,
                                                       "kernel": 5, "stride": 2}]},
}  # fmt: skip
PADDED = PROBLEMS / "inception_block.yaml"  # conv_3x3: 3×3, padding 1, on 96×28×28

# each slip, the answer its rule gives, worked by hand: (problem, id, written)
BY_SLIP = {
    "plus_one_forgotten": (MNIST, "conv1.output", f"{28 - 5}x{28 - 5}x20"),
    "minus_one": (MNIST, "conv1.output", f"{28 - 5 - 1}x{28 - 5 - 1}x20"),
    "padding_once": (PADDED, "conv_3x3.output", f"{28 + 1 - 3 + 1}x{28 + 1 - 3 + 1}x128"),
    "floor_ignored": ("odd", "c.output", "15x15x16"),  # ⌈13.5⌉ + 1
    "stride_ignored": (MNIST, "pool1.output", f"{24 - 2 + 1}x{24 - 2 + 1}x20"),
    "bias_forgotten": (MNIST, "conv2.params", str(5 * 5 * 20 * 50)),
    "channels_swapped": (MNIST, "conv2.params", str((5 * 5 * 50 + 1) * 20)),
    "flatten_wrong_map": (MNIST, "fc1.in_features", str(50 * 8 * 8)),  # conv2's map, before pool2
    "parameters_to_parameter_free": (MNIST, "pool1.params", str(2 * 2 * 20)),
    "one_filter_off": (MNIST, "conv1.params", str((5 * 5 + 1) * 21)),
}


def test_every_slip_of_the_table_is_named_on_a_sheet_made_by_its_rule(tmp_path):
    import yaml

    assert set(BY_SLIP) == {s.name for s in SLIPS}
    odd = tmp_path / "odd.yaml"
    odd.write_text(yaml.safe_dump(ODD), encoding="utf-8")
    for name, (problem, sid, written) in BY_SLIP.items():
        v = graded(odd if problem == "odd" else problem, sheet(tmp_path, {sid: written}))[sid]
        assert v.status == "wrong" and (v.slip == name or name in v.candidates), (name, v)
    weights = graded(MNIST, sheet(tmp_path, {"conv2.weights": "5x5x50x20"}))["conv2.weights"]
    assert weights.slip == "channels_swapped"
    # a 1×1 conv from 3 to 4 channels: (1·1·3 + 1)·4 = 16; 12 is 3·4 (no biases) and 4·3 (a filter
    # fewer): both are listed, neither named
    both = {"title": "both", "architecture": {"input": [3, 8, 8], "layers": [
        {"kind": "conv", "name": "c", "out_channels": 4, "kernel": 1}]}}  # fmt: skip
    odd.write_text(yaml.safe_dump(both), encoding="utf-8")
    v = graded(odd, sheet(tmp_path, {"c.params": "12"}))["c.params"]
    assert v.confidence == "several" and set(v.candidates) == {"bias_forgotten", "one_filter_off"}


def test_template_and_check_share_the_ids_and_a_bad_sheet_says_where(tmp_path):
    blank = runner.invoke(app, ["template", str(MNIST)])
    assert blank.exit_code == 0 and '"fc1.in_features": ~' in blank.output
    doc = json.loads(runner.invoke(app, ["shapes", str(MNIST), "-f", "json"]).output)
    assert [line.split('"')[1] for line in blank.output.splitlines() if line.startswith('"')] == [
        s["id"] for s in doc["steps"]
    ]
    bad = tmp_path / "bad.yaml"
    bad.write_text("conv1.output: 24x24x20\nconv9.params: 520\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(MNIST), str(bad)])
    assert result.exit_code == 2 and f"{bad}:2" in result.output and "no layer 'conv9'" in result.output
    roster = tmp_path / "roster.csv"
    roster.write_text("id\nann\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(MNIST), str(bad), "--roster", str(roster)])
    assert result.exit_code == 2 and "no variants" in result.output


def test_every_report_format_shows_the_verdicts_and_a_class_folder_works(tmp_path):
    wrong = sheet(tmp_path, {"conv2.params": "25,000", "conv1.output": "24x24x20"}, "ann.yaml")
    sheet(tmp_path, MNIST_TABLE, "bob.yaml")
    for fmt in ("terminal", "markdown", "html", "json", "gradescope"):
        result = runner.invoke(app, ["check", str(MNIST), str(wrong), "-f", fmt])
        assert result.exit_code == 1 and "bias" in result.output and "conv2.params" in result.output, fmt
    csv = tmp_path / "class.csv"
    result = runner.invoke(app, ["check", str(MNIST), str(tmp_path), "--csv", str(csv)])
    assert result.exit_code == 1 and "2 sheets" in result.output, result.output
    assert "total.params" in csv.read_text(encoding="utf-8").splitlines()[0]


EXAMPLE = ROOT / "examples" / "mnist-cnn-table.md"


def test_a_seed_style_markdown_table_is_checked_layer_by_layer():
    # examples/mnist-cnn-table.md: conv2's size without its + 1 (⌊(12 − 5)/1⌋ = 7), its parameters
    # without the biases (5·5·20·50 = 25,000); everything after conv2 worked from the student's own 7×7
    # (pool2 ⌊(7 − 2)/2⌋ + 1 = 3, fc1 (3·3·50 + 1)·500 = 225,500), the total from their own counts
    result = runner.invoke(app, ["check", str(MNIST), str(EXAMPLE), "-f", "json"])
    assert result.exit_code == 1, result.output
    doc = json.loads(result.output)
    v = {(x["id"], x["where"]["line"]): x for x in doc["verdicts"]}
    assert v[("conv2.output", 7)]["slip"] == "plus_one_forgotten"
    assert v[("conv2.params", 7)]["slip"] == "bias_forgotten"
    assert v[("conv2.mult_adds", 7)]["status"] == "carried"  # 7·7·50·(5·5·20) = 1,225,000
    for sid in ("pool2.output", "fc1.weights", "fc1.params", "fc1.mult_adds"):
        assert v[(sid, 8 if sid.startswith("pool2") else 9)]["carried_from"] == "conv2.output", sid
    assert v[("total.params", 11)]["status"] == "carried"  # 520 + 25,000 + 225,500 + 5,010
    assert v[("conv2.output", 13)]["slip"] == "plus_one_forgotten"  # the size formula written out
    assert doc["right"] == len([x for x in doc["verdicts"] if x["status"] == "right"]) > 10
    assert [u["text"] for u in doc["unmatched"]] == []


def test_an_unknown_layer_or_column_is_listed_as_not_recognised(tmp_path):
    page = tmp_path / "sheet.md"
    page.write_text(
        "| layer | output | colour |\n|---|---|---|\n| conv1 | 24x24x20 | red |\n| conv9 | 3x3x3 | blue |\n"
        "conv1 params: 520\nTotal parameters: 431,080\nI spent 3 hours on this.\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["check", str(MNIST), str(page), "-f", "json"])
    doc = json.loads(result.output)
    assert [(x["id"], x["status"]) for x in doc["verdicts"]] == [
        ("conv1.output", "right"),
        ("conv1.params", "right"),
        ("total.params", "right"),
    ]
    assert [(u["where"]["line"], u["why"]) for u in doc["unmatched"]] == [
        (1, "not recognised"),
        (4, "not recognised"),
        (7, "not recognised"),
    ]
