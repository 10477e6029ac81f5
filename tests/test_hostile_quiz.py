"""Hostile input to `quiz` (issue #20): --save is checked before the first question (a folder that
cannot be written, a pipe, a device, the problem file); if saving still fails at the end the answers are
printed as the sheet, so nothing typed is lost; an over-long typed line is refused, not echoed whole."""

from __future__ import annotations

import pytest

from backtutor.errors import InputError

from .conftest import PROBLEMS
from .hostile_files import run_within, special

Q4 = PROBLEMS / "q4.yaml"


@pytest.mark.parametrize("kind", ["fifo", "zero", "folder", "unwritable", "problem"])
def test_a_save_path_that_cannot_be_written_is_refused_before_the_first_question(tmp_path, kind):
    if kind == "unwritable":
        save = "/sys/answers.yaml"  # not writable, even by root
    elif kind == "problem":
        save = str(Q4)
    else:
        save = str(special(kind, tmp_path / "answers.yaml"))
    result = run_within("quiz", Q4, "--save", save, stdin="0.3775\n")
    assert result.exit_code == 2 and save in result.output
    assert "net_h1 = ?" not in result.output


def test_a_save_that_fails_at_the_end_prints_the_sheet(tmp_path, monkeypatch):
    from backtutor.cli import outputs

    def disk_full(path, content, inputs=()):
        raise InputError(f"{path}: cannot write (No space left on device)")

    monkeypatch.setattr(outputs, "write_atomic", disk_full)
    save = tmp_path / "answers.yaml"
    result = run_within("quiz", Q4, "--save", save, stdin="0.3775\n0.3925\nquit\n")
    assert result.exit_code == 2 and "No space left on device" in result.stderr
    assert '"net_h1": 0.3775' in result.stdout and '"net_h2": 0.3925' in result.stdout


def test_a_huge_line_is_refused_and_not_echoed(tmp_path):
    huge = "1" * 10_000_001
    result = run_within("quiz", Q4, stdin=f"{huge}\n0.3775\nquit\n")
    assert "a line of 10,000,001 characters; type at most 10,000" in result.output
    assert "0.3775  ✓ right" in result.output and len(result.output) < 20_000
