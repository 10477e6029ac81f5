"""The formats table: every row renders through the CLI, the CLI offers exactly the table's rows, and
every renderer that is not drawn with rich sits under the contract that forbids rich and typer."""

import json
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

import backtutor
from backtutor.cli.app import app
from backtutor.cli.common import CheckFormat, SolveFormat
from backtutor.render.formats import FORMATS, OutputFormat, documents, find, names

from .conftest import PROBLEMS, ROOT

runner = CliRunner()
Q4 = str(PROBLEMS / "q4.yaml")
MATRIX = str(PROBLEMS / "schiendorfer_matrix.yaml")


@pytest.fixture(scope="module")
def sheet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An answer sheet for q4 with one wrong answer (answers.yaml), and the same as a write-up (.md)."""
    path = tmp_path_factory.mktemp("sheet") / "answers.yaml"
    path.write_text('"dE_total/dw5": 0.5\n', encoding="utf-8")
    path.with_suffix(".md").write_text("$$dE_{total}/dw_5 = 0.5$$\n", encoding="utf-8")
    return path


def _command(row: OutputFormat, sheet: Path) -> list[str]:
    if row.serves == "arrays":  # npz is binary: to a file
        out = ["-o", str(sheet.with_suffix(".npz"))] if row.name == "npz" else []
        return ["solve", "-f", row.name, MATRIX, "--engine", "arrays", *out]
    if row.serves == "check":
        return ["check", "-f", row.name, Q4, str(sheet)]
    if row.serves == "marked":  # one free-text sheet, handed back marked
        return ["check", "-f", row.name, Q4, str(sheet.with_suffix(".md"))]
    return ["solve", "-f", row.name, Q4, *(["--view", "matrix"] if row.serves == "matrix" else [])]


@pytest.mark.parametrize("row", FORMATS, ids=lambda r: f"{r.serves}-{r.name}")
def test_every_row_renders(row: OutputFormat, sheet: Path) -> None:
    result = runner.invoke(app, _command(row, sheet))
    assert result.exit_code == (1 if row.serves in ("check", "marked") else 0), result.output  # wrong: 1
    if row.suffix == ".json":
        assert json.loads(result.stdout)  # a JSON row writes JSON
    elif row.suffix == ".npz":
        assert sheet.with_suffix(".npz").read_bytes().startswith(b"PK")  # a zip of .npy files
    elif not row.suffix:  # the terminal
        assert "w5" in result.stdout or "W2" in result.stdout  # (the matrix view and the arrays name W2)
    else:
        assert {".md": "#", ".tex": "\\", ".html": "<"}[row.suffix] in result.stdout
    if row.serves == "marked":
        assert "Marked: " in result.stdout and "dE_{total}/dw_5 = 0.5" in result.stdout  # the document


def test_the_cli_offers_the_table() -> None:
    assert names("solve") == ("terminal", "json", "markdown", "latex", "html")
    assert tuple(SolveFormat.__members__) == (*names("solve"), "npz")  # npz: the array engine's arrays
    assert tuple(CheckFormat.__members__) == names("check")
    assert set(names("matrix")) == set(names("solve"))  # --view matrix takes every -f of solve
    assert set(names("arrays")) == {*names("solve"), "npz"}  # so does the array engine, and npz
    result = runner.invoke(app, ["solve", "--help"])
    assert "<terminal|json|markdown|latex|html|npz>" in result.stdout


def test_renderers_outside_the_terminal_may_not_import_rich() -> None:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    (forbidden,) = [c for c in contracts if c["type"] == "forbidden" and "rich" in c["forbidden_modules"]]
    for row in FORMATS:
        if row.terminal:
            assert row.module.startswith("backtutor.render.terminal.")
        else:
            assert any(row.module.startswith(f"{folder}.") for folder in forbidden["source_modules"]), row
        assert callable(row.load())


def test_document_reads_the_table() -> None:
    sol = backtutor.solve(Q4)
    assert documents() == ("json", "markdown", "latex", "html")
    assert backtutor.document(sol, "latex", blank=True) == find("solve", "latex").load()(sol, 9, blank=True)
    with pytest.raises(backtutor.InputError, match="use json, markdown, latex or html"):
        backtutor.document(sol, "terminal")
    with pytest.raises(ValueError, match="no check format 'latex'"):
        find("check", "latex")
