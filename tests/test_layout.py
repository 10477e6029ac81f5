"""The package's shape: imports point down the layers, and only the CLI and the terminal renderers
import rich and typer (the contracts live in pyproject.toml, [tool.importlinter]); the design notes'
layout (docs/design.md) is the tree."""

from __future__ import annotations

from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def test_every_renderer_but_the_terminals_is_held_to_the_rich_and_typer_contract():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(
        c
        for c in config["tool"]["importlinter"]["contracts"]
        if c.get("forbidden_modules") == ["rich", "typer"]
    )
    sources = set(contract["source_modules"])
    render = ROOT / "backtutor" / "render"
    modules = {
        ".".join(("backtutor", *p.relative_to(ROOT / "backtutor").with_suffix("").parts))
        for p in render.rglob("*.py")
    }
    others = {m.removesuffix(".__init__") for m in modules if not m.startswith("backtutor.render.terminal")}
    others.discard("backtutor.render")
    uncovered = {m for m in others if not any(m == s or m.startswith(s + ".") for s in sources)}
    assert not uncovered, sorted(uncovered)


def _described() -> dict[str, list[str]]:
    """The design notes' Layout: each `### \\`folder/\\`` heading with the files named under it."""
    import re

    notes = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    layout = notes.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    folders: dict[str, list[str]] = {}
    files: list[str] = []
    for line in layout.splitlines():
        heading = re.fullmatch(r"### `([\w/]+)/`", line)
        if heading:
            files = folders.setdefault(heading[1], [])
        else:
            files.extend(re.findall(r"`(\w+\.(?:py|js|css))`", line))
    return folders


def test_the_design_notes_layout_is_the_tree():
    # docs/design.md, linked from the README: every folder and file it names is there, and every
    # package of backtutor/ has its heading
    described = _described()
    package = ROOT / "backtutor"
    folder = {name: package / name.removeprefix("backtutor").lstrip("/") for name in described}
    missing = [
        f"{name}/{f}" for name, files in described.items() for f in files if not (folder[name] / f).is_file()
    ]
    assert missing == []
    assert len(described) > 10 and sum(map(len, described.values())) > 100  # the notes were read
    packages = {p.parent for p in package.rglob("__init__.py")}
    assert packages == set(folder.values()), sorted(map(str, packages ^ set(folder.values())))
