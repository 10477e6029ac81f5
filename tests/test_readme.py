"""The documentation pages' promises beyond running as shown (tests/test_docs.py runs every snippet and
solves every YAML example): the bundled problems they list exist, the library snippet's published
numbers, the write-up's verdicts and the notebook snippet's stated values."""

import re

import pytest

import backtutor

from .conftest import PROBLEMS, ROOT


def page(path: str) -> str:
    return (ROOT / "docs" / path).read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    """From `heading` to the next heading of its level or above (but the page's title: a `# ` line
    further on is inside a fenced block, as a write-up's title is)."""
    level = heading.split(" ", 1)[0]
    start = text.index(heading)
    ends = [text.find("\n" + "#" * n + " ", start + 1) for n in range(2, len(level) + 1)]
    return text[start : min((e for e in ends if e > 0), default=len(text))]


def test_the_bundled_problems_listed_exist():
    bundled = section(page("reference/problem-file.md"), "## The bundled problems")
    listed = re.findall(r"`(\w+\.yaml)`", bundled)
    assert len(listed) > 20
    missing = [name for name in listed if not (PROBLEMS / name).exists()]
    assert missing == [], "docs/reference/problem-file.md lists files that are not in problems/"


def test_library_snippet():
    sol = backtutor.solve(PROBLEMS / "q4.yaml")
    # M. Mazur (2015), "A Step by Step Backpropagation Example": ∂E_total/∂w5 = 0.082167041
    assert sol.step("dE_total/dw5").value == pytest.approx(0.082167041, abs=1e-9)
    ids = [s.id for s in sol.working_for("dE_total/dw1")]
    assert ids[-1] == "dE_total/dw1" and "dE_total/dout_h1" in ids
    assert sol.final["w5"] == pytest.approx(0.35891648, abs=1e-8)


def test_the_writeup_example(tmp_path, monkeypatch):
    """The write-up of the tutorial's *Write-ups* (the file it ships) and its three commands, run as
    written (from a folder holding the write-up where the page's path has it); the verdicts the page
    states: lines 3 and 5's factors right, line 5's product an arithmetic slip (0.7414 × 0.1868 ×
    0.5933, worked here), line 7 carried forward."""
    import shlex

    from typer.testing import CliRunner

    from backtutor.cli.app import app

    part = section(page("tutorial/checking.md"), "## Write-ups")
    (writeup,) = re.findall(r"```markdown\n(.*?)```", part, re.S)
    shipped = "docs/examples/homework.md"
    assert (ROOT / shipped).read_text(encoding="utf-8") == writeup
    commands = [line[2:] for line in re.findall(r"^\$ backtutor .*$", part, re.M)]
    assert len(commands) == 3
    monkeypatch.chdir(tmp_path)
    (tmp_path / shipped).parent.mkdir(parents=True)
    (tmp_path / shipped).write_text(writeup, encoding="utf-8")
    outputs = []
    for line in commands:
        args = shlex.split(line, comments=True)
        assert args[:4] == ["backtutor", "check", "problems/q4.yaml", shipped]
        result = CliRunner().invoke(app, ["check", str(PROBLEMS / "q4.yaml"), *args[3:]])
        assert result.exit_code == 1, result.output  # a wrong answer
        outputs.append(result.stdout)
    assert "0.0823 ✗ wrong" in outputs[0] and "(line 5)" in outputs[0]
    marked = (tmp_path / "marked.md").read_text(encoding="utf-8")
    product = round(0.7414 * 0.1868 * 0.5933, 10)
    marks = [line for line in marked.split("\n") if line.startswith(">")]
    # how sure the diagnosis is, and no slip's name where none explains the number
    assert marks[4].endswith(" \\[no single slip explains it\\]") and "(slip:" not in marks[4]
    marks[4] = marks[4].partition(" \\[")[0]
    assert marks == [
        "> ✓ `out_h1` = 0.5933: right",
        "> ✓ `dE_total/dout_o1` = 0.7414: right",
        "> ✓ `dout_o1/dnet_o1` = 0.1868: right",
        "> ✓ `dnet_o1/dw5` = 0.5933: right",
        "> ✗ `dE_total/dw5` = 0.0823: expected 0.0821670406; your inputs are right but the result is not: "
        f"it should be {product}",
        "> ↷ `w5+` = 0.35885: carried forward from the error in dE\\_total/dw5 (line 5); expected 0.35891648",
    ]
    assert (tmp_path / "marked.html").read_text(encoding="utf-8").count('<p class="mark') == 6


def test_the_notebook_section_s_snippet_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The notebook page's first snippet, executed line by line as a notebook would; the values its
    comments state are the ones it gives (LeNet-5's count is checked by hand in test_api.py)."""
    code = re.findall(r"```python\n(.*?)```", page("guide/notebooks.md"), re.S)[0]
    monkeypatch.chdir(ROOT)
    names: dict[str, object] = {}
    for line in code.splitlines():
        statement, _, comment = line.partition("  #")
        exec(statement, names)  # the page's own text, nothing a user supplies
        said = re.match(r"\s*'(.*)'$|\s*(\d+)$", comment)
        if said and "=" not in statement.split("(")[0]:
            assert str(eval(statement, names)) == (said.group(1) or said.group(2))
    assert names["report"].verdicts[1].status == "wrong"  # type: ignore[attr-defined]
