"""Free-text answer sheets (Markdown, LaTeX, plain text, Jupyter notebooks): the equations students
write, read into the same Answers a YAML sheet gives. The reader (read.py, its regexes compiled on
import) is loaded when first used, so a class of YAML sheets never pays for it."""

from .records import WRITEUP_KINDS, Writeup

__all__ = ["WRITEUP_KINDS", "Writeup", "parse_writeup", "read_writeup"]


def __getattr__(name: str) -> object:
    if name in ("parse_writeup", "read_writeup"):
        from . import read

        return getattr(read, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
