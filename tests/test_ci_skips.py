"""Under CI a skipped test fails the run, naming why it skipped (tests/under_ci.py): a missing tool
(Graphviz, TeX Live, matplotlib) must not pass silently. Checked on a tiny test folder run by pytest
in a subprocess, with and without CI (with CI on an xdist worker, as the real run is), with only
the plugins named here loaded."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

SAMPLE = """
import pytest

def test_runs():
    pass

def test_needs_a_tool():
    pytest.skip("the tool frobnicate is not installed")

@pytest.mark.skipif(True, reason="Graphviz's dot is not installed")
def test_marked():
    pass

@pytest.mark.xfail(reason="a known bug", strict=True)
def test_known_bug():
    assert False
"""
WHOLE_MODULE = """
import pytest

pytest.importorskip("backtutor_no_such_module", reason="the plot extra is not installed")

def test_never_runs():
    pass
"""
REASONS = ["the tool frobnicate is not installed", "Graphviz's dot is not installed", "the plot extra"]


def run_sample(tmp_path: Path, ci: str | None, workers: list[str]) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_sample.py").write_text(SAMPLE, encoding="utf-8")
    (tmp_path / "test_whole_module.py").write_text(WHOLE_MODULE, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")  # not the project's addopts
    env = {k: v for k, v in os.environ.items() if k != "CI"} | {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    if ci is not None:
        env["CI"] = ci
    command = ["-p", "tests.under_ci", "-p", "no:cacheprovider", *workers, "-rfEs", "-c", "pytest.ini"]
    return subprocess.run(
        [sys.executable, "-m", "pytest", *command], cwd=tmp_path, env=env, capture_output=True, text=True
    )


def summary(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout.strip().splitlines()[-1]


def test_skips_fail_the_run_under_ci_and_name_the_missing_tool(tmp_path: Path) -> None:
    # on an xdist worker, so the changed reports travel to the controller as in the real run
    result = run_sample(tmp_path, "true", ["-p", "xdist.plugin", "-n", "1"])
    assert result.returncode == 1, result.stdout + result.stderr
    # a skip in the test fails it; a skip mark (at set-up) or a skipped module is an error
    assert "1 failed, 1 passed, 1 xfailed, 2 errors" in summary(result), result.stdout
    assert result.stdout.count("skipped, which fails the run because CI is set") >= 3, result.stdout
    for reason in REASONS:
        assert reason in result.stdout, result.stdout


def test_skips_are_skips_without_ci(tmp_path: Path) -> None:
    for ci in (None, "false"):
        result = run_sample(tmp_path, ci, [])
        assert result.returncode == 0, result.stdout + result.stderr
        assert "1 passed, 3 skipped, 1 xfailed" in summary(result), result.stdout
