"""Hostile answer sheets (issue #20): a pipe, /dev/zero, a folder or a dangling link given as a sheet,
alone, in a folder or among others, is reported as unreadable by name and the rest are graded; the
exit code is 2, never 0; a tagged or otherwise unreadable answer is graded as undecided, with why."""

from __future__ import annotations

import json

import pytest

from .conftest import PROBLEMS
from .hostile_files import run_within, special

Q4 = PROBLEMS / "q4.yaml"


def sheets(out: str) -> list[dict]:
    """The reports of `check -f json`: one JSON object a line."""
    return [json.loads(line) for line in out.splitlines()]


RIGHT = "net_h1: 0.3775\n"  # q4's first step, worked by hand: 0.15·0.05 + 0.2·0.1 + 0.35


@pytest.mark.parametrize("kind", ["fifo", "zero", "dangling"])
def test_a_special_file_among_sheets_is_reported_and_the_rest_graded(tmp_path, kind):
    (tmp_path / "a.yaml").write_text(RIGHT)
    bad = special(kind, tmp_path / "b.yaml")
    result = run_within("check", Q4, tmp_path / "a.yaml", bad, "-f", "json")
    assert result.exit_code == 2
    assert f"{bad}:" in result.stderr
    assert [r["sheet"] for r in sheets(result.stdout)] == [str(tmp_path / "a.yaml")]


@pytest.mark.parametrize("kind", ["fifo", "zero", "dangling"])
def test_a_folder_whose_only_sheet_is_special_exits_2(tmp_path, kind):
    folder = tmp_path / "class"
    folder.mkdir()
    special(kind, folder / "pipe.yaml")
    result = run_within("check", Q4, folder)
    assert result.exit_code == 2 and "pipe.yaml" in result.stderr


def test_a_students_folder_holding_a_special_answers_yaml_is_reported(tmp_path):
    (tmp_path / "ann").mkdir()
    (tmp_path / "ann" / "answers.yaml").write_text(RIGHT)
    (tmp_path / "bob").mkdir()
    special("zero", tmp_path / "bob" / "answers.yaml")
    result = run_within("check", Q4, tmp_path)
    assert result.exit_code == 2
    assert "bob/answers.yaml: not a regular file (a device)" in result.stderr
    assert "0.3775 ✓ right" in result.stdout


@pytest.mark.parametrize(
    "answer", ["!!python/name:os.system", "!!python/object/apply:os.system ['touch pwned']", "!custom 0.3775"]
)
def test_a_tagged_answer_is_undecided_with_the_reason(tmp_path, answer, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sheet = tmp_path / "s.yaml"
    sheet.write_text(f"net_h1: {answer}\nout_h1: 0.593269992\n")
    result = run_within("check", Q4, sheet, "-f", "json")
    assert result.exit_code == 1
    verdicts = {v["id"]: v for v in sheets(result.stdout)[0]["verdicts"]}
    assert verdicts["net_h1"]["status"] == "undecided"
    assert "is not allowed" in verdicts["net_h1"]["explanation"]
    assert verdicts["out_h1"]["status"] == "right"  # 1/(1 + e^-0.3775), the rest still graded
    assert not list(tmp_path.glob("pwned*"))


def test_a_mapping_answer_is_undecided_not_dropped(tmp_path):
    sheet = tmp_path / "s.yaml"
    sheet.write_text("net_h1: {a: 1}\n")
    result = run_within("check", Q4, sheet, "-f", "json")
    verdicts = sheets(result.stdout)[0]["verdicts"]
    assert result.exit_code == 1 and [v["status"] for v in verdicts] == ["undecided"]


def test_a_huge_sheet_is_refused_by_the_bytes_read(tmp_path):
    sheet = tmp_path / "s.yaml"
    sheet.write_text(RIGHT + "# " + "x" * 1_100_000 + "\n")
    result = run_within("check", Q4, sheet)
    assert result.exit_code == 2 and "larger than 1 MB" in result.stderr
