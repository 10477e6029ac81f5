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
    renderers = {f"backtutor.render.{p.stem}" for p in (ROOT / "backtutor" / "render").glob("*.py")}
    others = {
        m for m in renderers if not m.startswith("backtutor.render.terminal") and not m.endswith("__init__")
    }
    assert others <= set(contract["source_modules"]), sorted(others - set(contract["source_modules"]))
