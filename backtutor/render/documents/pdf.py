"""LaTeX documents compiled to PDF with pdflatex, when it is installed (Debian: texlive-latex-base,
texlive-latex-recommended), in a temporary folder and without shell escape."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from ...errors import InputError

TIMEOUT = 120  # seconds for one document


def have_pdflatex() -> bool:
    return shutil.which("pdflatex") is not None


def compile_pdf(tex: str, files: Mapping[str, bytes] | None = None) -> bytes:
    """The PDF of a standalone LaTeX document; InputError with the log's last lines when it fails.
    `files`: what it includes (a figure, a QR code), by the plain names it uses, written beside it."""
    exe = shutil.which("pdflatex")
    if exe is None:
        raise InputError("pdflatex is not installed (Debian: texlive-latex-base texlive-latex-recommended)")
    with tempfile.TemporaryDirectory(prefix="backtutor-pdf-") as folder:
        (Path(folder) / "doc.tex").write_text(tex, encoding="utf-8")
        for name, content in (files or {}).items():
            (Path(folder) / Path(name).name).write_bytes(content)
        args = [exe, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "doc.tex"]
        try:
            done = subprocess.run(args, cwd=folder, capture_output=True, timeout=TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise InputError(f"pdflatex could not run ({type(e).__name__}: {e})") from None
        pdf = Path(folder) / "doc.pdf"
        if done.returncode != 0 or not pdf.exists():
            log = done.stdout.decode("utf-8", "replace").strip().splitlines()[-6:]
            raise InputError("pdflatex failed: " + " | ".join(log))
        return pdf.read_bytes()
