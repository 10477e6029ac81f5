"""What every notebook display shares: the mime types it offers, choosing among them as IPython asks,
and HTML that keeps its styles to itself (a notebook's page holds every cell's output: a `body` or
`h2` rule of ours must not restyle the notebook)."""

from __future__ import annotations

import re
from collections.abc import Callable, Container
from dataclasses import dataclass

MIMES = ("text/plain", "text/markdown", "text/html")
SCOPE = "backtutor"  # the class of the element every HTML display sits in
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")


@dataclass(frozen=True)
class Forms:
    """A record's forms, each made only when asked for."""

    plain: Callable[[], str]
    markdown: Callable[[], str]
    html: Callable[[], str]

    def make(self, mime: str) -> str:
        return {"text/plain": self.plain, "text/markdown": self.markdown, "text/html": self.html}[mime]()


def wanted(include: Container[str] | None, exclude: Container[str] | None) -> tuple[str, ...]:
    return tuple(
        m for m in MIMES if (include is None or m in include) and (exclude is None or m not in exclude)
    )


def scoped_style(style: str) -> str:
    """A page's style sheet with each rule held to the display's element: `body` and `:root` become
    that element, every other selector is looked for inside it."""
    rules = []
    for selectors, declarations in _RULE.findall(style):
        inside = [_inside(s.strip()) for s in selectors.split(",") if s.strip()]
        rules.append(f"{', '.join(inside)} {{{declarations.strip()}}}")
    return "\n".join(rules)


def _inside(selector: str) -> str:
    if selector in ("body", ":root", "html"):
        return f".{SCOPE}"
    return f".{SCOPE} {selector}"


def html_block(style: str, content: list[str]) -> str:
    """Content in its own element with its own styles (no script, nothing fetched)."""
    return "\n".join([f'<div class="{SCOPE}">', f"<style>{scoped_style(style)}</style>", *content, "</div>"])
