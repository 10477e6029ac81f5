"""backtutor in Jupyter (#25): the example notebook and a test notebook executed by a real kernel
(nbclient and ipykernel; one kernel for the run, shared by the xdist workers through a lock), the mime
types and content of each output checked, then the executed example exported with nbconvert and opened
in the headless Chromium of the explore tests, offline: the maths is typeset (our MathML, and the
Markdown cells' $…$ by Debian's MathJax instead of the CDN's), nothing is fetched, the console shows
no error, and the inline explore page steps with →."""

from __future__ import annotations

import fcntl
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import PROBLEMS, ROOT

EXAMPLE = ROOT / "examples" / "backtutor_in_a_notebook.ipynb"
MATHJAX = Path("/usr/share/javascript/mathjax/MathJax.js")  # Debian's libjs-mathjax
REQUIREJS = Path("/usr/share/javascript/requirejs/require.min.js")  # Debian's libjs-requirejs
LOCAL = ("file:", "about:", "data:", "blob:")
# the test notebook: what the example does not show (each cell's source, and its tags)
TEST_CELLS = [
    ("import backtutor\nbacktutor.solve('title: x\\ninputs: [a]\\n')", ["raises-exception"]),
    (f"backtutor.solve({str(PROBLEMS / 'q4.yaml')!r}, epochs=3, shown=[1, 2, 3])", []),
    (f"backtutor.check({str(PROBLEMS / 'q4.yaml')!r}, {{'dE_total/dw5': 0.0822}})", []),
    ("backtutor.diff('w2*sigmoid(w1*x)', 'w1', at='w1=0.5,w2=2,x=1')", []),
    (
        "import shutil\nshutil.which = lambda name: None  # as on a machine without Graphviz\n"
        f"backtutor.graph({str(PROBLEMS / 'q4.yaml')!r})",
        [],
    ),
    (f"backtutor.solve_arrays({str(PROBLEMS / 'perceptron_192_32_50.yaml')!r})", []),  # #27
]


def execute(km: Any, nb: Any, folder: Path) -> Any:
    from nbclient import NotebookClient

    NotebookClient(nb, km=km, timeout=300, resources={"metadata": {"path": str(folder)}}).execute()
    return nb


def run_both(folder: Path) -> dict[str, Any]:
    """Both notebooks executed in one kernel, as nbformat dicts."""
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("ipykernel")
    from jupyter_client.manager import KernelManager

    test_nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(src, metadata={"tags": tags}) for src, tags in TEST_CELLS]
    )
    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(folder))
    try:
        example = execute(km, nbformat.read(EXAMPLE, as_version=4), folder)
        tested = execute(km, test_nb, folder)
    finally:
        km.shutdown_kernel(now=True)
    return {"example": example, "test": tested}


@pytest.fixture(scope="session")
def executed(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> dict[str, Any]:
    """The executed notebooks, made once per run: the first xdist worker to ask runs the kernel,
    the other waits on the lock and reads what it wrote."""
    nbformat = pytest.importorskip("nbformat")
    base = tmp_path_factory.getbasetemp()
    shared = base if worker_id == "master" else base.parent
    done = shared / "notebooks.json"
    with open(shared / "notebooks.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            folder = tmp_path_factory.mktemp("kernel")
            done.write_text(json.dumps(run_both(folder)), "utf-8")
    return {k: nbformat.from_dict(v) for k, v in json.loads(done.read_text("utf-8")).items()}


def outputs(nb: Any) -> list[dict[str, Any]]:
    """Each code cell's one result (execute_result or display_data), by cell order."""
    found = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            shown = [o for o in cell.outputs if o.output_type in ("execute_result", "display_data", "error")]
            assert len(shown) == 1, (cell.source, cell.outputs)
            found.append(shown[0])
    return found


def test_the_example_notebook_s_outputs(executed: dict[str, Any]) -> None:
    solved, value, student, checked, explore, graph, shapes = outputs(executed["example"])
    assert set(solved.data) == {"text/plain", "text/markdown", "text/html"}
    # M. Mazur (2015): out_h1 = 0.593269992, ∂E_total/∂w5 = 0.082167041, w5 after = 0.35891648
    assert "0.593269992" in solved.data["text/markdown"] and "$$" in solved.data["text/markdown"]
    assert solved.data["text/html"].count("<math") > 50 and "0.35891648" in solved.data["text/html"]
    assert float(value.data["text/plain"]) == pytest.approx(0.082167041, abs=1e-9)
    assert set(student.data) >= {"text/markdown"} and "\\frac" in student.data["text/markdown"]
    assert set(checked.data) == {"text/plain", "text/markdown", "text/html"}
    plain = checked.data["text/plain"]
    assert "✓ right" in plain and "✗ wrong" in plain and "0.3689" in plain
    assert re.search(r'<iframe [^>]*sandbox="allow-scripts"[^>]*srcdoc="', explore.data["text/html"])
    assert "<svg" in graph.data["image/svg+xml"]
    assert "61,706" in shapes.data["text/html"] and "61,706" in shapes.data["text/markdown"]


def test_the_test_notebook_s_outputs(executed: dict[str, Any]) -> None:
    error, long, checked, derived, no_graphviz, arrays = outputs(executed["test"])
    # an InputError's subclass that names where the problem came from, with the CLI's message
    assert error.output_type == "error" and error.ename == "FileError"
    assert re.match(r"\(YAML text\)(:1)?: give the model either as 'network'", error.evalue)
    assert "Showing the first 60 of " in long.data["text/markdown"] and "<math" in long.data["text/html"]
    assert "1/1 right" in checked.data["text/plain"]
    assert "$$" in derived.data["text/markdown"]
    assert set(no_graphviz.data) == {"text/plain", "text/markdown"}
    assert "apt-get install -y graphviz" in no_graphviz.data["text/plain"]
    # the array engine's working: each step's shape and summary, as the documents lay it out
    assert set(arrays.data) == {"text/plain", "text/markdown", "text/html"}
    assert "| `dE/dW1` | dE/dW1 = (1/16)·delta1·xᵀ | 32×192 |" in arrays.data["text/markdown"]
    assert "<td>dE/dW1</td>" in arrays.data["text/html"] and "15 steps worked" in arrays.data["text/plain"]


@pytest.fixture(scope="module")
def exported(executed: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The executed example as nbconvert's HTML, its MathJax and require.js from Debian's packages."""
    for needed in (MATHJAX, REQUIREJS):
        if not needed.exists():
            pytest.skip(f"{needed} is missing (apt-get install libjs-mathjax libjs-requirejs)")
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        mathjax_url=f"{MATHJAX.as_uri()}?config=TeX-AMS_CHTML-full,Safe", require_js_url=REQUIREJS.as_uri()
    )
    page, _ = exporter.from_notebook_node(executed["example"])
    out = tmp_path_factory.mktemp("export") / "example.html"
    out.write_text(page, "utf-8")
    return out


@pytest.fixture(scope="module")
def tab(exported: Path, browser: Any) -> Iterator[tuple[Any, list[str], list[str]]]:
    """A page of the shared Chromium (tests/conftest.py) with the export loaded, offline."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    fetched: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(LOCAL) else (
        fetched.append(r.request.url), r.abort()))  # fmt: skip
    page.goto(exported.as_uri())
    page.wait_for_function("() => document.querySelectorAll('.MathJax_CHTML, mjx-container').length > 0")
    yield page, errors, fetched
    page.close()


def test_the_exported_notebook_typesets_its_maths_offline(tab: tuple[Any, list[str], list[str]]) -> None:
    page, errors, fetched = tab
    # MathML from backtutor: laid out by the browser (a fraction is taller than its line of text)
    heights = page.evaluate(
        "() => [...document.querySelectorAll('.backtutor math')].map(m => m.getBoundingClientRect().height)"
    )
    assert len(heights) > 50 and min(heights) > 0
    assert page.evaluate(
        "() => { const f = document.querySelector('.backtutor mfrac'); const line = parseFloat("
        "getComputedStyle(f).fontSize); return f.getBoundingClientRect().height > 1.5 * line; }"
    )
    # the Markdown cells' $…$, and the student's Markdown output, typeset by MathJax
    typeset = page.evaluate("() => document.querySelectorAll('.MathJax_CHTML').length")
    raw = page.evaluate("() => document.body.innerText.includes('$\\\\eta = 0.5$')")
    assert typeset >= 4 and not raw
    assert not fetched and not errors, (fetched, errors)


def test_the_inline_explore_page_steps_with_the_arrow_key(tab: tuple[Any, list[str], list[str]]) -> None:
    page, errors, _ = tab
    frame = page.frame_locator("iframe.backtutor-explore")
    frame.locator("body[data-ready]").wait_for()
    step = frame.locator("#step-id")
    first = step.text_content()
    frame.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("ArrowRight")
    assert step.text_content() != first
    page.keyboard.press("ArrowLeft")
    assert step.text_content() == first
    assert not errors
