"""Under CI a skip is a failure: a missing tool (Graphviz, TeX Live, matplotlib) must not let the run
pass. The hooks are registered through tests/conftest.py; this module imports nothing heavy, so
tests/test_ci_skips.py can load it as a plugin (`-p tests.under_ci`) in a quick subprocess."""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import TypeVar

import pytest


def under_ci() -> bool:
    """CI is set (CI services set CI=true); CI=0 or CI=false count as not set."""
    return os.environ.get("CI", "").lower() not in ("", "0", "false")


def _fail_a_skip_under_ci(report: pytest.TestReport | pytest.CollectReport) -> None:
    """Turn a skipped test (or module) into a failure that names the reason, when CI is set."""
    if not under_ci() or not report.skipped or hasattr(report, "wasxfail"):
        return
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    report.outcome = "failed"
    report.longrepr = f"skipped, which fails the run because CI is set: {reason}"


Report = TypeVar("Report", pytest.TestReport, pytest.CollectReport)
Wrapped = Generator[None, Report, Report]  # a wrapper hook: gets the report, returns it


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Wrapped[pytest.TestReport]:
    report = yield
    _fail_a_skip_under_ci(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Wrapped[pytest.CollectReport]:
    report = yield
    _fail_a_skip_under_ci(report)
    return report
