"""The array engine's working (`solve` on a matrix network at size) in every format: each step with
its shape and a summary of its value (norm, min, max, the first entries), as plain text for the
terminal, Markdown, LaTeX and HTML; the full arrays as JSON (nested lists) and as `.npz`, one array
per step id (and per given array, as `given:x`). Untrusted text (the title, the description, the
file's name) goes through the escaping for each output."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ...arrays.records import ArraySolution, ArrayStep
from ...engine.notation import shown_number
from ...text import html as escape_html
from ...text import json_dumps, markdown, terminal
from .math_rows import tex_text

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Array = NDArray[np.float64]

ENTRIES = 4  # the first entries a summary shows
ENGINE = "the array engine (NumPy, vectorised; arrays hold one column per example)"
HEAD = ("step", "formula", "shape", "norm", "min", "max", "first entries")


def summary(value: Array, precision: int) -> tuple[str, str, str, str, str]:
    """Shape, Frobenius norm, min, max and the first entries (row by row) of a value."""
    import numpy as np

    def n(v: Any) -> str:
        return shown_number(float(v), precision)

    flat = value.ravel()
    shape = "×".join(map(str, value.shape)) or "scalar"
    if flat.size == 0:
        return shape, "0", "", "", ""
    first = ", ".join(n(v) for v in flat[:ENTRIES]) + (", …" if flat.size > ENTRIES else "")
    return shape, n(np.linalg.norm(flat)), n(flat.min()), n(flat.max()), first


def header(sol: ArraySolution) -> list[str]:
    """The lines above the working: the engine, the run, where the data and weights came from, the loss."""
    p = sol.problem
    lines = [f"worked by {ENGINE}"]
    updates = f"{sol.updates:,} update" + ("s" if sol.updates != 1 else "")
    if sol.problem.training:
        t = p.training
        assert t is not None
        lines.append(
            f"training: {updates} ({t.epochs} epoch(s) of {p.examples:,} examples in batches of "
            f"{t.batch_size}), {t.optimizer.optimizer.title}; the working of update(s) "
            + (", ".join(map(str, sol.shown)) if sol.shown else "none (--steps N shows one)")
        )
    lines += list(p.notes)
    if sol.history:
        lines.append(
            f"loss over the data set: {shown_number(sol.history[0], 9)} before, "
            f"{shown_number(sol.history[-1], 9)} after the run"
        )
    return lines


def _grouped(sol: ArraySolution) -> Iterator[tuple[str, list[ArrayStep]]]:
    """The steps by update and phase, each group with its heading."""
    group: list[ArrayStep] = []
    heading = ""
    for s in sol.steps:
        where = f"{s.phase} (update {s.update})"
        if where != heading and group:
            yield heading, group
            group = []
        heading = where
        group.append(s)
    if group:
        yield heading, group


def render_text(sol: ArraySolution, precision: int = 6) -> str:
    title = terminal(sol.problem.title or sol.problem.path)
    lines = [title, *(terminal(line) for line in header(sol))]
    for heading, steps in _grouped(sol):
        lines += ["", heading, "─" * len(heading)]
        for s in steps:
            shape, norm, low, high, first = summary(s.value, precision)
            lines.append(f"{s.id}  [{shape}]  {s.formula}")
            lines.append(f"    norm {norm}, min {low}, max {high}; {first}")
    return "\n".join(lines) + "\n"


def _table(
    sol: ArraySolution, precision: int, cell: Callable[[str], str]
) -> Iterator[tuple[str, list[list[str]]]]:
    for heading, steps in _grouped(sol):
        yield heading, [[cell(s.id), cell(s.formula), *map(cell, summary(s.value, precision))] for s in steps]


def render_markdown(sol: ArraySolution, precision: int = 6) -> str:
    p = sol.problem
    out = [f"# {markdown(p.title or p.path)}", ""]
    if p.description:
        out += [markdown(p.description, lines=True), ""]
    out += [f"- {markdown(line)}" for line in header(sol)]
    for heading, rows in _table(sol, precision, _same):
        out += ["", f"## {heading}", "", "| " + " | ".join(HEAD) + " |", "|" + "---|" * len(HEAD)]
        out += ["| " + " | ".join([_code(r[0]), *(markdown(c) for c in r[1:])]) + " |" for r in rows]
    return "\n".join(out) + "\n"


def _same(s: str) -> str:
    return s


def _code(s: str) -> str:
    """A step id as Markdown code (ids are the engine's own: letters, digits, /, +, @)."""
    return f"`{s}`"


def render_latex(sol: ArraySolution, precision: int = 6) -> str:
    p = sol.problem
    out = [
        r"\documentclass[10pt]{article}",
        r"\usepackage[a4paper,landscape,margin=1.5cm]{geometry}",
        r"\usepackage{longtable}",
        r"\begin{document}",
        rf"\section*{{{tex_text(p.title or p.path)}}}",
        r"\begin{itemize}",
        *(rf"\item {tex_text(line)}" for line in header(sol)),
        r"\end{itemize}",
    ]
    for heading, rows in _table(sol, precision, tex_text):
        out += [
            rf"\subsection*{{{tex_text(heading)}}}",
            r"\begin{longtable}{lp{7cm}lllll}",
            " & ".join(rf"\textbf{{{h}}}" for h in HEAD) + r" \\ \hline",
            *(" & ".join(r) + r" \\" for r in rows),
            r"\end{longtable}",
        ]
    return "\n".join([*out, r"\end{document}"]) + "\n"


STYLE = (
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;font-family:monospace;"
    "text-align:left}"
)


def render_html(sol: ArraySolution, precision: int = 6) -> str:
    title = escape_html(sol.problem.title or sol.problem.path, lines=False)
    head = [
        "<!DOCTYPE html>",
        f'<html lang="en"><head><meta charset="utf-8"><title>{title}</title>',
        f"<style>{STYLE}</style></head><body>",
    ]
    return "\n".join([*head, *html_body(sol, precision), "</body></html>"]) + "\n"


def html_body(sol: ArraySolution, precision: int = 6) -> list[str]:
    """The page's content, from its title on (a notebook shows it too)."""
    p = sol.problem
    out = [
        f"<h1>{escape_html(p.title or p.path, lines=False)}</h1>",
        "<ul>" + "".join(f"<li>{escape_html(line)}</li>" for line in header(sol)) + "</ul>",
    ]
    for heading, rows in _table(sol, precision, _html_cell):
        out += [f"<h2>{escape_html(heading)}</h2>", "<table>"]
        out.append("<tr>" + "".join(f"<th>{h}</th>" for h in HEAD) + "</tr>")
        out += ["<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows]
        out.append("</table>")
    return out


def _html_cell(s: str) -> str:
    return escape_html(s, lines=False)


def to_dict(sol: ArraySolution) -> dict[str, Any]:
    p = sol.problem
    return {
        "title": p.title,
        "file": p.path,
        "engine": "arrays",
        "loss": p.loss,
        "updates": sol.updates,
        "shown": list(sol.shown),
        "notes": list(p.notes),
        "history": list(sol.history),
        "given": {k: {"shape": list(v.shape), "value": v.tolist()} for k, v in sol.given.items()},
        "steps": [
            {
                "id": s.id,
                "phase": s.phase,
                "update": s.update,
                "rule": s.rule,
                "inputs": list(s.inputs),
                "params": dict(s.params),
                "formula": s.formula,
                "shape": list(s.value.shape),
                "value": s.value.tolist(),
            }
            for s in sol.steps
        ],
        "final": {k: v.tolist() for k, v in sol.final.items()},
    }


def render_json(sol: ArraySolution, precision: int = 6) -> str:
    return json_dumps(to_dict(sol)) + "\n"


def render_npz(sol: ArraySolution, precision: int = 6) -> bytes:
    """One array per step id, and each given array as given:ID (np.load reads them back by name)."""
    import numpy as np

    arrays = {s.id: s.value for s in sol.steps}
    arrays |= {f"given:{k}": v for k, v in sol.given.items()}
    buffer = io.BytesIO()
    save: Any = np.savez_compressed  # its stub types **arrays as its own keyword allow_pickle
    save(buffer, **arrays)
    return buffer.getvalue()
