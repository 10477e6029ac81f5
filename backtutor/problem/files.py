"""The one reader of every input file: problem, answer sheet, roster, Gradescope metadata and submission.

A file's bytes are read only from a regular file (a link is followed only to one): a pipe would hang
the run, a device such as /dev/zero never ends. The kind is looked at before the file is opened (so a
pipe or a device is never opened) and again on the open descriptor (so a file swapped for one in
between is caught); the file is opened without blocking and at most `cap` + 1 bytes are read, so the
limit holds whatever `stat` says. Every error is one FileError naming the file.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import InputError

MAX_BYTES = 1_000_000  # problem files, answer sheets, rosters, Gradescope's metadata


class FileError(InputError):
    def __init__(self, path: str, message: str, line: int | None = None, field: str = "") -> None:
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {field + ': ' if field else ''}{message}")
        self.path, self.line, self.field = path, line, field


def read_bytes(path: str | Path, cap: int = MAX_BYTES, give: str = "a .yaml file") -> bytes:
    """The file's bytes (at most `cap`); FileError naming it when it is not a regular file, cannot be
    read or is larger. `give` says what the user should give instead of a pipe or a device."""
    name = str(path)
    try:
        mode = os.stat(name).st_mode
        if not stat.S_ISREG(mode):
            raise FileError(name, f"not a regular file ({kind(mode)}); give {give}")
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced between the two looks
                raise FileError(name, f"not a regular file; give {give}")
            data = f.read(cap + 1)
    except FileError:
        raise
    except (OSError, ValueError) as e:  # ValueError: a path with a NUL byte
        why = getattr(e, "strerror", None) or e
        raise FileError(name, f"cannot read the file ({e.__class__.__name__}: {why})") from None
    if len(data) > cap:
        raise FileError(name, f"file is larger than {_size(cap)}")
    return data


def read_text(path: str | Path, cap: int = MAX_BYTES, give: str = "a .yaml file") -> str:
    """The file's text (UTF-8; a byte-order mark is dropped), read as `read_bytes` reads it."""
    data = read_bytes(path, cap, give)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileError(str(path), "the file is UTF-16; save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise FileError(str(path), f"not UTF-8 text (byte {e.start + 1}); save it as UTF-8") from None


def kind(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    return "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket or other special file"


def _size(cap: int) -> str:
    return f"{cap // 1_000_000:,} MB" if cap % 1_000_000 == 0 else f"{cap // 1000:,} kB"
