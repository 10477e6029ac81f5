"""The Gradescope autograder against hostile submissions and metadata (issue #20): whatever
submission_metadata.json and the submission hold (a pipe, /dev/zero, not JSON, deep nesting, odd
`users`, several files, huge or binary sheets, links, YAML bombs), results.json is written, with 0
points and the reason when the sheet cannot be graded, and nothing outside the submission reaches it."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backtutor.cli.gradescope import _from_metadata
from backtutor.problem.roster import Student

from .conftest import PROBLEMS
from .hostile_files import SPECIAL, run_within, special
from .test_variants import RELU_VARIANTS, problem

Q4 = PROBLEMS / "q4.yaml"
Q4_RIGHT = "net_h1: 0.3775\nout_h1: 0.593269992\n"  # Mazur's published numbers for q4
SECRET = "root-secret-line: 12345\n"


@pytest.fixture(scope="module")
def zips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """q4's autograder, and one with a roster of two students (101, 102) for a problem with variants."""
    folder = tmp_path_factory.mktemp("zips")
    path = problem(folder, "relu_regression.yaml", RELU_VARIANTS)
    (folder / "roster.csv").write_text("student_id,name,email\n101,Ann,ann@uni.edu\n102,Bob,bob@uni.edu\n")
    assert run_within("export", "gradescope", Q4, "-o", folder / "q4.zip").exit_code == 0
    roster = ("--roster", folder / "roster.csv")
    assert run_within("export", "gradescope", path, *roster, "-o", folder / "relu.zip").exit_code == 0
    return {"q4": folder / "q4.zip", "relu": folder / "relu.zip"}


def unpacked(tmp_path: Path, zip_path: Path) -> Path:
    root = tmp_path / "autograder"
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(root / "source")
    (root / "submission").mkdir()
    return root


def graded(root: Path) -> dict:
    result = run_within("autograde", root)
    assert result.exit_code == 0, result.output
    data = json.loads((root / "results" / "results.json").read_text())
    assert isinstance(data["score"], float) and isinstance(data["output"], str)
    return data


METADATA = {
    "not json": "{users: [",
    "a list": "[1, 2]",
    "deep": "[" * 100_000 + "]" * 100_000,
    "odd users": json.dumps({"users": [1, "x", None, [], {"sid": ["101"]}, {"email": {"a": 1}}]}),
    "users a string": json.dumps({"users": "101"}),
    "huge": json.dumps({"users": [{"sid": "9" * 2_000_000}]}),
    "binary": "\udcff\x00",
}


@pytest.mark.parametrize("kind", [*METADATA, *SPECIAL])
def test_any_metadata_still_grades_by_the_sheets_own_line(tmp_path, zips, kind):
    root = unpacked(tmp_path, zips["relu"])
    meta = root / "submission_metadata.json"
    if kind in METADATA:
        meta.write_bytes(METADATA[kind].encode("utf-8", "surrogateescape"))
    else:
        special(kind, meta)
    (root / "submission" / "answers.yaml").write_text("# student: 101\nz_h@1: 1\n")
    data = graded(root)
    assert "student 101" in data["output"]


def test_the_metadata_names_the_student_when_readable(tmp_path, zips):
    root = unpacked(tmp_path, zips["relu"])
    users = [7, {"email": "bob@uni.edu", "id": 7}]
    (root / "submission_metadata.json").write_text(json.dumps({"users": users}))
    (root / "submission" / "answers.yaml").write_text("z_h@1: 1\n")
    assert "student 102" in graded(root)["output"]


SHEETS = {
    "huge": "net_h1: 0.3775\n#" + "x" * 1_100_000,
    "binary": "\udcff\udcfe\x00\x01",
    "bomb": "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]\n",
    "deep": "net_h1: " + "[" * 10_000 + "]" * 10_000,
    "python tag": "net_h1: !!python/object/apply:os.system ['echo hi']\n",
}


@pytest.mark.parametrize("kind", [*SHEETS, *SPECIAL])
def test_a_sheet_that_cannot_be_graded_scores_0_with_the_reason(tmp_path, zips, kind):
    root = unpacked(tmp_path, zips["q4"])
    sheet = root / "submission" / "answers.yaml"
    if kind in SHEETS:
        sheet.write_bytes(SHEETS[kind].encode("utf-8", "surrogateescape"))
    else:
        special(kind, sheet)
    data = graded(root)
    assert data["score"] == 0 and data["output"]


@pytest.mark.parametrize("where", ["answers.yaml", "hw/answers.yaml"])
def test_a_link_out_of_the_submission_is_never_read(tmp_path, zips, where):
    root = unpacked(tmp_path, zips["q4"])
    secret = tmp_path / "secret.yaml"
    secret.write_text(SECRET)
    link = root / "submission" / where
    link.parent.mkdir(exist_ok=True)
    link.symlink_to(secret)
    data = graded(root)
    assert data["score"] == 0 and "outside the submission" in data["output"]
    assert "root-secret" not in json.dumps(data)


def test_a_linked_folder_is_not_followed(tmp_path, zips):
    root = unpacked(tmp_path, zips["q4"])
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "answers.yaml").write_text(SECRET)
    (root / "submission" / "hw").symlink_to(outside)
    data = graded(root)
    assert data["score"] == 0 and "root-secret" not in json.dumps(data)


def test_a_link_inside_the_submission_is_read(tmp_path, zips):
    root = unpacked(tmp_path, zips["q4"])
    (root / "submission" / "mine.txt").write_text(Q4_RIGHT)
    (root / "submission" / "answers.yaml").symlink_to(root / "submission" / "mine.txt")
    assert graded(root)["score"] == 2


def test_many_files_are_refused_not_walked(tmp_path, zips):
    root = unpacked(tmp_path, zips["q4"])
    for n in range(1_100):
        (root / "submission" / f"{n}.yaml").touch()
    data = graded(root)
    assert data["score"] == 0 and "more than 1,000 files" in data["output"]
    shutil.rmtree(root / "submission")


KEYS = st.sampled_from(["sid", "email", "users", "id"])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=30,
)
ANN, BOB = Student("101", email="ann@uni.edu"), Student("bob-Ω-7")  # junk never names Bob


@settings(max_examples=60, deadline=None)
@given(JSON, JSON)
def test_metadata_of_any_shape_is_read_without_error(tmp_path_factory, data, junk):
    """Any JSON names nobody or a roster student; Ann's entry after junk users is found (by email,
    ignoring case and spaces)."""
    folder = tmp_path_factory.mktemp("meta")
    path = folder / "submission_metadata.json"
    path.write_text(json.dumps(data))
    assert _from_metadata(path, (ANN, BOB)) in (None, ANN, BOB)
    users = junk if isinstance(junk, list) else [junk]
    path.write_text(json.dumps({"users": [*users, {"email": " ANN@uni.edu"}]}))
    assert _from_metadata(path, (ANN, BOB)) == ANN


def test_a_special_sheet_with_a_roster_is_reported(tmp_path, zips):
    folder = tmp_path / "class"
    folder.mkdir()
    (tmp_path / "roster.csv").write_text("id\n101\n")
    special("fifo", folder / "101.yaml")
    path = problem(tmp_path, "relu_regression.yaml", RELU_VARIANTS)
    result = run_within("check", path, folder, "--roster", tmp_path / "roster.csv")
    assert result.exit_code == 2 and "101.yaml: not a regular file (a named pipe)" in result.stderr
