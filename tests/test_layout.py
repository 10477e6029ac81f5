"""The package's shape: imports point down the layers, and only the CLI and the terminal renderers
import rich and typer. The contracts live in pyproject.toml ([tool.importlinter])."""

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
