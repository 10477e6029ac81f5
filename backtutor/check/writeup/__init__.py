"""Free-text answer sheets (Markdown, LaTeX, plain text, Jupyter notebooks): the equations students
write, read into the same Answers a YAML sheet gives."""

from .read import WRITEUP_KINDS, parse_writeup, read_writeup
from .records import Writeup

__all__ = ["WRITEUP_KINDS", "Writeup", "parse_writeup", "read_writeup"]
