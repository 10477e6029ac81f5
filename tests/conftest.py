import base64
import functools
import os
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import typer.testing
import yaml
from hypothesis import HealthCheck, settings

# hooks that pytest finds here by name: under CI a skip fails the run
from .under_ci import pytest_make_collect_report, pytest_runtest_makereport  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
PROBLEMS = ROOT / "problems"

# Shared fixtures, for a new test to reuse rather than rebuild (each costs seconds of CPU):
# - `browser`, `chromium_tab`: Debian's Chromium through Playwright's sync API, one per test process,
#   and one tab per module that each test navigates (Tab.open); a test module asks for them by name (a
#   page of its own, with its own routes: `browser.new_page()`, closed by the module, as
#   test_notebook.py does). Never start a second sync_playwright: the process has one.
# - `write_problem`: a YAML text as a problem file in the test's tmp_path.
# - SOLVABLE, ARCHITECTURES: the bundled problems `solve` works, and those for `shapes` only;
#   bundled_data(path): a bundled file's YAML, parsed once per process.
# xdist hands out whole files (--dist loadfile, pyproject.toml): a module-scoped fixture is built
# once per run. Work done at import (a parametrize list) is done by every worker: keep it to
# bundled_data, and load, solve or render inside fixtures and tests.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

# typer's CliRunner.invoke rebuilds the click command from the app on every call (each command's
# signature and annotations read again: ~30 ms of CPU, more than many a command's own work, over
# thousands of calls). The command is built from what the app registered at import and click makes a
# fresh context per call, so one command per app serves every invocation alike.
typer.testing._get_command = functools.cache(typer.testing._get_command)

# Hypothesis profiles. "ci", the default, runs each property on a dozen random cases (the SymPy
# oracles cost about a second a case); HYPOTHESIS_PROFILE=thorough runs twenty times as many, for a
# change to the engine or to the oracles. No deadline: how long a case takes says nothing about its
# correctness, and a busy machine would make it flaky. The properties that write problem files reuse
# the function-scoped tmp_path across cases on purpose (each case overwrites its file).
# derandomize: the same cases on every run, so a run's verdict never depends on the draw (the
# "thorough" profile explores further; a failure it finds becomes a fixed example)
settings.register_profile(
    "ci",
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
settings.register_profile("thorough", settings.get_profile("ci"), max_examples=240, derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# The files that cost most CPU, most first (measured with both workers busy). xdist hands whole files
# out in collection order (--no-loadscope-reorder, pyproject.toml), so the long ones start first and
# the run ends on short files instead of one worker finishing a long file while the other idles.
# A file not listed keeps its place after these; a name that no longer exists is ignored.
LONG_FILES = (
    "test_closed_forms",
    "test_explore",
    "test_docs",
    "test_documents",
    "test_check_generated",
    "test_fuzz",
    "test_gradients",
    "test_formula_activation",
    "test_diff",
    "test_escaping",
    "test_variants",
    "test_worksheet",
    "test_docs_site",
    "test_notebook",
    "test_hostile",
    "test_gradescope",
    "test_diagnosis",
    "test_writeup",
    "test_convolution",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long files' tests first (a stable sort: each file's tests keep their order)."""
    rank = {name: i for i, name in enumerate(LONG_FILES)}
    items.sort(key=lambda item: rank.get(item.path.stem, len(rank)))


@functools.cache
def bundled_data(path: Path) -> Any:
    """A bundled problem file as YAML data (shared: read it, never change it), parsed once per test
    process with libyaml's loader: the collection of every xdist worker reads each file."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def has_numbers(path: Path) -> bool:
    """False for a bundled file that only describes an architecture (for `backtutor shapes`)."""
    data = bundled_data(path)
    return not ("architecture" in data and not {"network", "expressions", "layers"} & set(data))


def for_arrays(path: Path) -> bool:
    """A bundled matrix network only the array engine works (sizes with an init, data as arrays)."""
    from backtutor.problem.engines import is_array_file

    return is_array_file(bundled_data(path))


# a matrix network by sizes for the array engine: 4 inputs, 5 tanh units, 3 softmax outputs, two
# updates with Adam
SIZED = """
title: sized
inputs: [x]
init: {seed: 3}
network:
  - {size: 5, activation: tanh}
  - {size: 3, activation: softmax}
data:
  x: [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8], [0.9, 1.0, 1.1, 1.2]]
  labels: [0, 2, 1]
loss: {kind: cross_entropy, reduction: mean}
training: {learning_rate: 0.5, mode: minibatch, batch_size: 2, epochs: 1, optimizer: adam}
"""

# bundled problems `solve` works number by number; those the array engine works
SOLVABLE = sorted(p for p in PROBLEMS.glob("*.yaml") if has_numbers(p) and not for_arrays(p))
FOR_ARRAYS = sorted(p for p in PROBLEMS.glob("*.yaml") if for_arrays(p))
ARCHITECTURES = sorted(p for p in PROBLEMS.glob("*.yaml") if not has_numbers(p))  # for `shapes`


def explore_block(page: str, block: str) -> str:
    """An explore page's embedded block ("solution" or "page") as the JSON text the page's script
    unpacks (base64, then zlib)."""
    found = re.search(f'<script type="application/zlib" id="{block}">(.*?)</script>', page)
    assert found
    return zlib.decompress(base64.b64decode(found.group(1))).decode("utf-8")


@pytest.fixture
def write_problem(tmp_path: Path) -> Callable[..., Path]:
    """Write YAML text to a problem file in a temporary folder and return its path."""

    def write(text: str, name: str = "problem.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium (never Playwright's own download), one per test process, shared by every
    module that asks for it: a launch and its driver cost about 2 s of CPU. The sync API's event loop
    lives as long as the fixture and, between its calls, reads as the running loop: code run later
    in the process that wants a loop of its own (asyncio.run) must not run where a browser is open
    (jupyter_client's calls, in test_notebook.py, run theirs in a thread of their own)."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class Tab:
    """One tab that a module's tests take in turn: `open` loads a fresh document (a new page would
    cost a renderer process, about 0.6 s of CPU; a navigation about 0.15 s). `errors` holds the
    script errors of the page opened last."""

    page: Any
    errors: list[str] = field(default_factory=list)

    def open(self, url: str, width: int = 1280, height: int = 800) -> Any:
        self.errors.clear()
        self.page.set_viewport_size({"width": width, "height": height})
        self.page.goto(url)
        return self.page


@pytest.fixture(scope="module")
def chromium_tab(browser: Any) -> Iterator[Tab]:
    """A module's tab, closed with the module (its routes and handlers go with it)."""
    shared = Tab(browser.new_page())
    shared.page.on("pageerror", lambda e: shared.errors.append(str(e)))
    yield shared
    shared.page.close()
