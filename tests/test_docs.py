"""The documentation runs as written (issue #28): every command, YAML file and Python snippet of the
README and of each docs/ page, executed the way docs/contributing.md says, its output compared where
the page shows it (the site itself: tests/test_docs_site.py)."""

from __future__ import annotations

import doctest
import glob
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import backtutor
from backtutor.cli.app import app

from .conftest import ROOT
from .docs_snippets import RUN, SHOWN, Block, Command, blocks, commands, elided_match

DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"  # the files the pages use: not pages themselves
PAGES = [ROOT / "README.md", *sorted(p for p in DOCS.rglob("*.md") if EXAMPLES not in p.parents)]
COPIED = ("problems", "examples", "docs")  # what a page's commands may read, copied per page
MOST_NOT_RUN = 6  # blocks a test must not run (a keyboard session, a server): kept rare
WIDTH = "80"  # the terminal width the pages show output at (a terminal's default; what a pipe gets)


def _all_blocks() -> Iterator[Block]:
    for page in PAGES:
        yield from blocks(page)


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the repository's files that pages use, as the working folder: commands run from
    the repository root as the page says, and what they write stays out of the repository."""
    for name in COPIED:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_snippet_of_the_page_runs_as_shown(page: Path, scratch: Path) -> None:
    namespace: dict[str, Any] = {}  # the page's Python blocks, in order, share it
    for block in blocks(page):
        if block.no_run is None:
            RUNNERS.get(block.language, _shown)(block, namespace)


def test_every_block_says_what_it_is_and_few_are_not_run() -> None:
    found = list(_all_blocks())
    unknown = [f"{b.where} ```{b.language}" for b in found if b.language not in RUN + SHOWN]
    assert not unknown, f"a fence's language is one of {RUN + SHOWN} (docs/contributing.md): {unknown}"
    not_run = [f"{b.where}: {b.no_run}" for b in found if b.no_run is not None]
    assert len(not_run) <= MOST_NOT_RUN, not_run


def _console(block: Block, namespace: dict[str, Any]) -> None:
    for command in commands(block):
        output, code = "", 0
        for part in _chained(command.argv):  # a && b: b runs when a succeeded
            if code == 0:
                shown, code = _run(block, command, part)
                output += shown
        where = f"{block.where} (line {command.line}) `{command.text}`"
        assert code == command.exit_code, (
            f"{where}: exit code {code}, the page says {command.exit_code}\n{output}"
        )
        if command.expected:
            missing = elided_match(command.expected, output)
            assert missing is None, f"{where}: the output lacks {missing[:300]!r}; it was:\n{output[:3000]}"


def _chained(argv: list[str]) -> Iterator[list[str]]:
    while "&&" in argv:
        at = argv.index("&&")
        yield argv[:at]
        argv = argv[at + 1 :]
    yield argv


def _run(block: Block, command: Command, argv: list[str]) -> tuple[str, int]:
    """What the user would see, and the exit code."""
    name, *args = argv
    if name == "cd":
        (folder,) = args
        os.chdir(folder)
        return "", 0
    if name == "cat":
        return "".join(Path(a).read_text(encoding="utf-8") for a in args), 0
    if name in ("python", "mkdocs"):
        _set_up(block, command, argv)
        return "", 0
    assert name == "backtutor", f"{block.where}: only backtutor, cd and cat run here, not {name}"
    stdin = None
    if "<" in args:
        at = args.index("<")
        stdin = Path(args[at + 1]).read_text(encoding="utf-8")
        args = args[:at] + args[at + 2 :]
    args = [word for arg in args for word in _expanded(arg)]
    result = CliRunner(env={"COLUMNS": WIDTH}).invoke(app, args, input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.output, result.exit_code


def _set_up(block: Block, command: Command, argv: list[str]) -> None:
    """The set-up commands the tests run inside of, checked rather than run: an install names extras
    that pyproject.toml has; the test command is .ci/run's, verbatim (CI runs it); `mkdocs build` is
    test_the_site_builds_strict_and_offline's."""
    import tomllib

    where = f"{block.where} (line {command.line})"
    if argv[:4] == ["python", "-m", "pip", "install"]:
        extras = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"][
            "optional-dependencies"
        ]
        for spec in argv[4:]:
            named = re.fullmatch(r"\.(?:\[([\w,]+)\])?", spec) if spec != "-e" else None
            assert spec == "-e" or named, f"{where}: installs {spec}, not this checkout"
            assert not named or set((named.group(1) or "").split(",")) - {""} <= set(extras), where
    elif argv[:3] == ["python", "-m", "pytest"]:
        assert command.text in (ROOT / ".ci" / "run").read_text("utf-8"), (
            f"{where}: `{command.text}` is not the test command .ci/run runs verbatim"
        )
    else:
        assert argv[:2] == ["mkdocs", "build"], f"{where}: {' '.join(argv)} is no set-up command"


def _expanded(arg: str) -> list[str]:
    """A shell's glob expansion (`class/*/answers.yaml`); a pattern that matches nothing stays."""
    if not re.search(r"[*?[]", arg):
        return [arg]
    return sorted(glob.glob(arg)) or [arg]


def _python(block: Block, namespace: dict[str, Any]) -> None:
    if ">>>" not in block.text:
        exec(compile(block.text, block.where, "exec"), namespace)  # the page's own text
    else:
        _doctest(block, namespace)


def _doctest(block: Block, namespace: dict[str, Any]) -> None:
    test = doctest.DocTestParser().get_doctest(
        block.text, namespace, block.where, str(block.page), block.line
    )
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    runner = doctest.DocTestRunner(optionflags=flags | doctest.REPORT_ONLY_FIRST_FAILURE)
    report: list[str] = []
    runner.run(test, out=report.append, clear_globs=False)
    namespace.update(test.globs)
    assert not runner.failures, "".join(r[:2000] for r in report)


def _yaml(block: Block, namespace: dict[str, Any]) -> None:
    title = block.attributes.get("title", "")
    if title.startswith("answers for "):
        report = backtutor.check(title.removeprefix("answers for "), block.text)
        assert report.verdicts, f"{block.where}: no answer of the sheet was read"
    elif title:
        _shown(block, namespace)
    else:
        data = yaml.safe_load(block.text)
        if "architecture" in data and not {"network", "expressions", "layers"} & set(data):
            assert backtutor.shapes(block.text).rows
        else:
            assert backtutor.solve(block.text).steps


def _shown(block: Block, namespace: dict[str, Any]) -> None:
    """A shown block with a title naming a file is that file (`…` may elide part of it)."""
    title = block.attributes.get("title")
    if title:
        assert Path(title).is_file(), f"{block.where}: title={title!r} names no file"
        missing = elided_match(block.text, Path(title).read_text(encoding="utf-8"))
        assert missing is None, f"{block.where}: {title} differs from the page at {missing!r}"


RUNNERS = {"console": _console, "python": _python, "yaml": _yaml}


def test_the_api_page_s_examples_run(scratch: Path) -> None:
    """The Python API page shows each public name's docstring with its `>>>` examples (docs/hooks.py):
    they run in the page's order, in one namespace, from the repository root."""
    import inspect

    namespace: dict[str, Any] = {}
    for name in ["", *backtutor.__all__]:
        text = inspect.getdoc(getattr(backtutor, name) if name else backtutor) or ""
        _doctest(Block(ROOT / "backtutor" / "__init__.py", 1, "python", text), namespace)


@pytest.mark.parametrize(
    ("shown", "output", "missing"),
    [
        ("a  b\nc", "a b c", None),  # whitespace collapsed, line breaks too
        ("a … d", "a b\nc d", None),  # `…` across lines
        ("…\nc", "a\nb\nc", None),
        ("a … x", "a b c", "x"),
        ("a", "a b", "(the end of the output)"),  # nothing left unshown without a `…`
        ("b …", "a b", "b"),  # the output's start is shown as it is
        ("a … b … c", "a c b", "c"),  # the parts in order
    ],
)
def test_shown_output_is_compared_with_elisions(shown: str, output: str, missing: str | None) -> None:
    assert elided_match(shown, output) == missing


def test_console_blocks_read_commands_outputs_and_exit_codes(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "Text\n\n```console\n$ backtutor check a.yaml \\\n    b.yaml  # exit code 1\nwrong\n…\n"
        "$ cat out.md\n```\n\n<!-- no-run: a server -->\n```console\n$ mkdocs serve\n```\n",
        encoding="utf-8",
    )
    first, second = blocks(page)
    assert (first.line, first.no_run, second.no_run) == (3, None, "a server")
    one, two = commands(first)
    assert (one.argv, one.expected, one.exit_code, one.line) == (
        ["backtutor", "check", "a.yaml", "b.yaml"],
        "wrong\n…",
        1,
        4,
    )
    assert (two.argv, two.expected, two.exit_code) == (["cat", "out.md"], "", 0)
