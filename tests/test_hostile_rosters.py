"""Hostile rosters (issue #20): read by the csv module, every error names the line (an unclosed quote,
a ragged row, no header, `;` instead of commas), a BOM is dropped, and an id that could not be a folder
name is refused with its line; a pipe or /dev/zero as the roster is refused by name in every command."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backtutor.errors import InputError
from backtutor.problem.roster import MAX_ID_BYTES, Student, read_roster, unsafe_id

from .hostile_files import SPECIAL, run_within, special
from .test_variants import RELU_VARIANTS, problem


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('id,name\n1,"Ann\n2,Bob\n3,Cy\n', "roster.csv:2: a quote opened here is never closed"),
        ('id,name\n1,"Ann"x\n', "roster.csv:2: not valid CSV"),
        ("id,name\n1,Ann,extra\n", "roster.csv:2: 3 cells on this line, the header has 2"),
        ("id,name\n1,Ann\n2\n", "roster.csv:3: 1 cells on this line, the header has 2"),
        ("id;name\n1;Ann\n", "roster.csv:1: the columns are separated by ';'"),
        ("id\tname\n1\tAnn\n", "roster.csv:1: the columns are separated by a tab"),
        ("1,Ann\n2,Bob\n", "roster.csv:1: no id column"),
        ("id\n../up\n", "roster.csv:2: id: the id '../up' contains a path separator"),
        ("id\nok\n..\n", "roster.csv:3: id: the id '..' contains a path separator or is only dots"),
        ("id\na\\b\n", "roster.csv:2: id: the id 'a\\\\b' contains a path separator"),
        ("id\nx\x1b]0;pwned\x07\n", "roster.csv:2: id: the id 'x\\x1b]0;pwned\\x07' contains a control"),
        ("id\nnul.txt\n", "roster.csv:2: id: the id 'nul.txt' is a name Windows reserves"),
        ("id\n" + "é" * 101 + "\n", f"roster.csv:2: id: the id {'é' * 40!r} is longer than {MAX_ID_BYTES}"),
        ("\ufeffid\n\ufeffx\n", "roster.csv:2: id: the id '\\ufeffx' contains a control character"),
    ],
)
def test_a_bad_roster_names_its_line(tmp_path, text, message):
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_roster(path)
    assert message in str(e.value)


def test_a_bom_and_quoted_commas_and_line_breaks_are_read(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes('\ufeffid,name\n1,"Ødegård, Ann"\n2,"Bob\nSmith"\n'.encode())
    assert read_roster(path) == (Student("1", "Ødegård, Ann"), Student("2", "Bob\nSmith"))
    path.write_bytes("id\n1\n".encode("utf-16"))
    with pytest.raises(InputError, match="UTF-16; save it as UTF-8"):
        read_roster(path)


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=300))
def test_an_accepted_id_is_a_safe_folder_name(sid):
    if unsafe_id(sid):
        return
    name = Student(sid).file_name
    assert name not in (".", "..") and "/" not in name and "\\" not in name and "\x00" not in name
    assert len(name.encode()) <= MAX_ID_BYTES and name.isprintable()


@pytest.mark.parametrize("kind", SPECIAL)
def test_a_special_roster_is_refused_by_every_command(tmp_path, kind):
    path = problem(tmp_path, "relu_regression.yaml", RELU_VARIANTS)
    roster = special(kind, tmp_path / "roster.csv")
    (tmp_path / "s.yaml").write_text("# student: 1\n")
    runs = [
        ("variants", path, "--roster", roster, "-o", tmp_path / "out", "--no-pdf"),
        ("check", path, tmp_path / "s.yaml", "--roster", roster),
        ("export", "gradescope", path, "--roster", roster, "-o", tmp_path / "ag.zip"),
    ]
    for args in runs:
        result = run_within(*args)
        assert result.exit_code == 2 and "roster.csv" in result.output, result.output
    assert not (tmp_path / "out").exists() and not (tmp_path / "ag.zip").exists()


def test_a_variants_run_that_fails_names_the_line_and_leaves_nothing(tmp_path, monkeypatch):
    from backtutor.solution import constraints

    path = problem(tmp_path, "relu_regression.yaml", RELU_VARIANTS)
    (tmp_path / "roster.csv").write_text("id,name\nann,Ann\nbob,Bob\n")
    real = constraints.variant_for

    def failing_for_bob(base, student, *args):
        if student.id == "bob":
            raise InputError("pdflatex failed: ! Text line contains an invalid character")
        return real(base, student, *args)

    monkeypatch.setattr(constraints, "variant_for", failing_for_bob)
    out = tmp_path / "class"
    args = ("variants", path, "--roster", tmp_path / "roster.csv", "-o", out, "--no-pdf")
    result = run_within(*args)
    assert result.exit_code == 2
    assert "roster.csv:3: student 'bob': pdflatex failed" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.yaml", "roster.csv"]  # nothing left behind
    monkeypatch.setattr(constraints, "variant_for", real)
    out.mkdir()  # an empty folder is filled
    assert run_within(*args).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["ann", "bob", "variants.csv"]
    assert oct(out.stat().st_mode & 0o777) == oct(0o777 & ~_umask())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["class", "p.yaml", "roster.csv"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
