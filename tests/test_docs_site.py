"""The documentation site (issue #28): `mkdocs build --strict` passes, the built site works offline
(search from file://, nothing fetched from the web), its generated references hold every entry of
the tables they are read from, and the README, read on its own, links to files that exist."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT

DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`mkdocs build --strict` (a broken link or anchor, a page left out of the nav, an unknown
    marker fail it), into a temporary folder."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    folder = tmp_path_factory.mktemp("site")
    build(load_config(str(ROOT / "mkdocs.yml"), site_dir=str(folder), strict=True))
    return folder


def test_the_site_builds_strict_and_offline(site: Path) -> None:
    """The built site loads nothing from the web and carries its search index; the CLI reference
    was generated from the app."""
    assert (site / "search" / "search_index.js").is_file()
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not _web_assets(text), f"{page.name} loads {_web_assets(text)}"
    cli = (site / "reference" / "cli.html").read_text(encoding="utf-8")
    assert "backtutor check" in cli and "--roster" in cli


def test_the_built_site_searches_from_the_file_system(site: Path, browser: Any) -> None:
    """Opened from file:// with every request off the file system refused, the search box finds a
    word (Material's search worker runs through the shipped iframe-worker shim)."""
    tab = browser.new_page()
    web: list[str] = []
    errors: list[str] = []

    def local_only(route: Any) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            web.append(route.request.url)
            route.abort()

    tab.route("**/*", local_only)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.goto((site / "reference" / "cli.html").as_uri())
    tab.fill("input.md-search__input", "roster")
    tab.wait_for_selector(".md-search-result__item", timeout=30_000)
    assert "roster" in tab.locator(".md-search-result__item").first.inner_text().lower()
    assert (web, errors) == ([], [])
    tab.close()


def _web_assets(html: str) -> list[str]:
    return re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="(https?://[^"]+)"', html)


def test_the_generated_references_hold_every_entry_and_unknown_markers_fail() -> None:
    """docs/hooks.py's markers become the tables read from the code: every slip of each table, every
    output format, every visible command; developer text is escaped (no emphasis from `_`)."""
    import importlib.util
    import types

    from mkdocs.exceptions import PluginError

    from backtutor.check.arrays.slips import ARRAY_SLIPS
    from backtutor.check.slips.catalogue import CATALOGUE
    from backtutor.check.slips.shapes import SLIPS
    from backtutor.render.formats import FORMATS

    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
    assert spec and spec.loader
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    page = types.SimpleNamespace(file=types.SimpleNamespace(src_path="reference/x.md"))
    names = ("slips", "optimizer-slips", "shape-slips", "array-slips", "formats", "cli")
    markers = "\n".join(f"<!-- backtutor:{name} -->" for name in names)
    text = hooks.on_page_markdown(markers, page)
    for slip in (*CATALOGUE, *SLIPS, *ARRAY_SLIPS):
        assert not slip.name or f"<code>{slip.name}</code>" in text
    assert all(f"<code>{f.name}</code>" in text for f in FORMATS)
    assert "<code>bias_correction</code> | forgot Adam's bias correction" in text  # optimizer slips
    assert "Checker.swapped\\_in" in text and "## `backtutor export gradescope`" in text
    with pytest.raises(PluginError, match="backtutor:nothing"):
        hooks.on_page_markdown("<!-- backtutor:nothing -->", page)


def test_the_readme_links_to_files_that_exist_and_to_the_site() -> None:
    """The README is read on its own (a repository's front page, outside the site): each relative
    link names a file of the repository, and it points to the documentation."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse((ROOT / "README.md").read_text(encoding="utf-8"))
    links = [
        child.attrs["href"]
        for token in tokens
        for child in token.children or []
        if child.type == "link_open" and isinstance(child.attrs.get("href"), str)
    ]
    local = [str(link).partition("#")[0] for link in links if not re.match(r"[a-z]+:|#", str(link))]
    assert [link for link in local if not (ROOT / link).exists()] == []
    assert "docs/index.md" in local
