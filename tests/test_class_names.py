"""No two classes of the package share a name (issue #21): a name says which concept it is, so a
reader (and a grep) never has to ask which `Checker` or `Context` a module means."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import backtutor


def test_no_two_classes_share_a_name():
    root = Path(backtutor.__file__).parent
    names = Counter(
        node.name
        for path in root.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
    )
    assert names["SpecReader"] == 1  # the walk sees the package's classes
    assert [n for n, k in names.items() if k > 1] == []
