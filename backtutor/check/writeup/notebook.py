"""A Jupyter notebook's text for reading: its Markdown cells, and the text its code cells printed
(`stream` and `text/plain` outputs), read with nbformat (the format's own validator). A code cell's
source is code, not a write-up, and is not read. Each cell's lines are counted from 1, its outputs'
lines after its source's."""

from __future__ import annotations

from collections.abc import Iterator

from ..sheet import SheetError


def cells(text: str, file: str) -> Iterator[tuple[str, str, int]]:
    """(kind of text, the cell's text, lines of it not read) per cell, in order: a Markdown cell's
    source, all read; a code cell's source and then its outputs, which alone are read."""
    import nbformat  # the notebook format's own reader and schema (only notebooks need it)

    try:
        notebook = nbformat.reads(text, as_version=4)  # type: ignore[no-untyped-call]
        nbformat.validate(notebook)
    except nbformat.reader.NotJSONError:
        raise SheetError(file, "not a notebook: the file is not valid JSON") from None
    except (nbformat.ValidationError, KeyError, TypeError, ValueError, AttributeError) as e:
        why = str(e).split("\n", 1)[0][:200]
        raise SheetError(file, f"not a valid Jupyter notebook ({why})") from None
    for cell in notebook.cells:
        source = str(cell.get("source", ""))
        if cell.cell_type == "markdown":
            yield "markdown", source, 0
        elif cell.cell_type == "code":
            printed = "".join(_text(out) for out in cell.get("outputs", []))
            yield "text", source + "\n" + printed.removesuffix("\n"), source.count("\n") + 1
        else:
            yield "text", source, source.count("\n") + 1


def _text(output: dict[str, object]) -> str:
    """An output's printed text: a stream's, or a result's text/plain."""
    if output.get("output_type") == "stream":
        text = output.get("text", "")
    else:
        data = output.get("data", {})
        text = data.get("text/plain", "") if isinstance(data, dict) else ""
    text = "".join(text) if isinstance(text, list) else str(text)
    return text if text.endswith("\n") or not text else text + "\n"
